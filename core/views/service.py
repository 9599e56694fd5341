"""The views as the entry points use them: read as of any time, on any date, over any
period, at the caller's clearance; headline figures, their explanation, and what
changed between two times."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import orjson

from core.application import FollowUp
from core.catalogue import Catalogue
from core.clock import Clock, format_timestamp
from core.envelope import Event
from core.errors import InvalidEvent, NotFound
from core.queries import Settled, settled_as_of
from core.sql import Sql
from core.views.checking import ViewsVerdict, verify_views
from core.views.engine import Folds
from core.views.follower import LEASE, wait_for
from core.views.model import READER_OF_LEVEL, Indicator, Level, Period, SummaryFigure
from core.views.projection import Projection, ViewsBusy
from core.views.reading import ViewReading
from core.views.tables import END

#: At most this many events or items are listed by explain and diff (they say so).
LISTED = 1000
#: How long a request waits for the views (Views._bounded): the few events of a small
#: lag, its caller's own writes among many.
SMALL_LAG = 5_000
FOLLOWER_WAIT = 0.5
OWN_WRITES_WAIT = 2.0


class Views:
    """Projection, figures and indicators built from the plugins' contributions."""

    def __init__(
        self,
        app: FollowUp,
        sql: Sql,
        folds: Folds,
        figures: Sequence[SummaryFigure],
        indicators: Sequence[Indicator],
        clock: Clock,
    ) -> None:
        self.app = app
        self.folds = folds
        self.figures = {figure.name: figure for figure in figures}
        self.indicators = list(indicators)
        self.clock = clock
        self.projection = Projection(app, sql, folds)

    def close(self) -> None:
        self.projection.close()

    # -- reading -----------------------------------------------------------------

    def position_as_of(self, as_of: datetime | None) -> int:
        """The last position the system knew at `as_of` (default: now, the head)."""
        return self.settled_as_of(as_of).position

    def settled_as_of(self, as_of: datetime | None) -> Settled:
        """The log as of `as_of` (default: its head, final: later transactions are
        stamped after its last event), once settled (core.queries.settled_as_of)."""
        if as_of is None:
            return Settled(self.app.head().position, True)
        return settled_as_of(self.app, as_of)

    def reading(
        self,
        level: Level,
        *,
        as_of: datetime | None = None,
        on: date | None = None,
        first: date | None = None,
        last: date | None = None,
        caller: str | None = None,
    ) -> ViewReading:
        """The views as the system knew them at `as_of`, as things stood `on` a date
        (default: the date of `as_of`, or today), with a period for activities, once
        the log is settled at `as_of` (core.queries.settled_as_of).

        Without a `caller` (the command line, jobs, reports) the views are brought up
        to that point first. A request names its caller (as its events are
        `recorded_by`: the token's label, or its person): it never waits for a long
        catch-up (see SMALL_LAG), and the reading says how many events it is `behind`
        what was asked."""
        if first is not None and last is not None and first > last:
            raise InvalidEvent({"from": ["The period's start is after its end."]})
        settled = self.settled_as_of(as_of)
        asked = settled.position
        if caller is None:
            at = self.projection.catch_up(upto=asked)
        else:
            at = self._bounded(asked, caller)
        position = min(asked, at)
        if on is None:
            on = (as_of or self.clock()).astimezone(UTC).date()
        snapshot = self.projection.snapshot(position, level)
        reading = ViewReading(snapshot, self.folds, Period(on=on, first=first, last=last))
        reading.behind = asked - position
        # Final: the answer of that time, never to change (not the future, not behind).
        reading.final = settled.final and reading.behind == 0
        return reading

    def _bounded(self, asked: int, caller: str) -> int:
        """Where the views are for a request asking for `asked`. With no follower at
        work (none runs, or it died), caught up here: nobody else would. A little
        behind (SMALL_LAG events at most): waited for while the follower folds
        (FOLLOWER_WAIT seconds), and folded here if it has not (folding is exactly
        once whoever does it): a caller reads its own writes. Far behind: the request
        waits only for its caller's own writes among the next events the follower
        folds (OWN_WRITES_WAIT seconds at most), and is answered where the views are,
        saying how far behind."""
        projection = self.projection
        at = projection.check()
        if at >= asked:
            return at
        try:
            with projection.sql.lease(LEASE) as held:
                if held:
                    return projection.catch_up(upto=asked, patience=FOLLOWER_WAIT)
            if asked - at <= SMALL_LAG:
                at = wait_for(projection, asked, FOLLOWER_WAIT)
                if at >= asked:
                    return at
                return projection.catch_up(upto=asked, patience=FOLLOWER_WAIT)
        except ViewsBusy:
            return projection.position()  # answered where they are, saying so
        own = projection.feed.last_written_by(caller, after=at, upto=at + SMALL_LAG)
        return wait_for(projection, own, OWN_WRITES_WAIT) if own else at

    def envelope(self, reading: ViewReading, as_of: datetime | None) -> dict[str, Any]:
        """What every response says it is of."""
        period = reading.period
        described: dict[str, Any] = {
            "as_of": format_timestamp(as_of) if as_of else self._recorded_at(reading.position),
            "on": period.on.isoformat(),
            "position": reading.position,
            "behind": reading.behind,
            # False: as_of is later than the log has reached; the answer may change.
            "final": reading.final,
        }
        if period.first or period.last:
            described["from"] = period.first.isoformat() if period.first else None
            described["to"] = period.last.isoformat() if period.last else None
        return described

    def _recorded_at(self, position: int) -> str | None:
        if position == 0:
            return None
        records = self.app.log.select_records(after=position - 1, upto=position, limit=1)
        return records[0].recorded_at if records else None

    def verify(self, progress: Callable[[int], None] | None = None) -> ViewsVerdict:
        """Whether the views kept in the store equal a fold of the log (checking.py)."""
        return verify_views(self.projection, progress=progress)

    # -- figures -----------------------------------------------------------------

    def summary(self, reading: ViewReading) -> dict[str, dict[str, Any]]:
        figures = {}
        for name in sorted(self.figures):
            measure = self.figures[name].measure(reading)
            figures[name] = {"value": measure.value, "events": measure.events}
        return figures

    def explain(self, reading: ViewReading, name: str) -> dict[str, Any]:
        figure = self.figures.get(name)
        if figure is None:
            raise NotFound(f"No figure named {name!r}; GET /summary lists them.")
        measure = figure.measure(reading)
        ids = figure.explain(reading)
        return {
            "figure": name,
            "description": figure.description,
            "value": measure.value,
            "events": measure.events,
            "items": [brief(self.app.get_event(UUID(i)), self.app.catalogue) for i in ids[:LISTED]],
            "truncated": len(ids) > LISTED,
        }

    def indicators_for(self, reading: ViewReading, number: int) -> dict[str, Any]:
        return {
            indicator.name: {
                "description": indicator.description,
                **indicator.compute(reading),
            }
            for indicator in self.indicators
            if number in indicator.recommendations
        }

    # -- diff --------------------------------------------------------------------

    def diff(
        self, level: Level, first: datetime, last: datetime, on: date | None = None
    ) -> dict[str, Any]:
        """What changed in the views between two transaction times, with the events
        responsible."""
        if first > last:
            raise InvalidEvent({"from": ["The first time is after the second."]})
        settled = self.settled_as_of(first), self.settled_as_of(last)
        self.projection.catch_up()
        before, after = settled[0].position, settled[1].position
        day = on or last.astimezone(UTC).date()
        old = ViewReading(self.projection.snapshot(before, level), self.folds, Period(on=day))
        new = ViewReading(self.projection.snapshot(after, level), self.folds, Period(on=day))
        old_figures, new_figures = self.summary(old), self.summary(new)
        figures = {
            name: {"before": old_figures[name]["value"], "after": new_figures[name]["value"]}
            for name in new_figures
            if old_figures[name] != new_figures[name]
        }
        # What a reader at this level may see of the log at `after`: an event, and
        # a correction, retraction or lowering only if its target too (core.visibility).
        sight = self.app.visibility(READER_OF_LEVEL[level], None).at(after)
        events = [
            brief(event, self.app.catalogue)
            for event in self.app.read_log(after=before, upto=after, page=LISTED)
            if sight.sees(event)
        ]
        items = self._changed_items(level, before, after)
        return {
            "from": {
                "as_of": format_timestamp(first),
                "position": before,
                "final": settled[0].final,
            },
            "to": {"as_of": format_timestamp(last), "position": after, "final": settled[1].final},
            "on": day.isoformat(),
            "figures": figures,
            "items": items[:LISTED],
            "events": events[:LISTED],
            "truncated": len(items) > LISTED or len(events) > LISTED,
        }

    def _changed_items(self, level: Level, before: int, after: int) -> list[dict[str, Any]]:
        versions: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        end = f"end_{int(level)}"
        with self.projection.sql.transaction(write=False) as c:
            c.execute(
                f"SELECT view, key, from_pos, {end} AS to_pos, data FROM view_items "  # noqa: S608
                f"WHERE {end} > from_pos AND ((from_pos > ? AND from_pos <= ?) "
                f"OR ({end} > ? AND {end} <= ?)) ORDER BY view, key, from_pos",
                [before, after, before, after],
            )
            for row in c.fetchall():
                versions[(row["view"], row["key"])].append(dict(row))
        changed = []
        for (view, key), rows in sorted(versions.items()):
            old = next((r for r in rows if r["from_pos"] <= before < r["to_pos"]), None)
            new = next((r for r in rows if r["from_pos"] <= after < r["to_pos"]), None)
            if (old and new and old["data"] == new["data"]) or (old is None and new is None):
                continue
            positions = sorted(
                {r["from_pos"] for r in rows if before < r["from_pos"] <= after}
                | {
                    r["to_pos"]
                    for r in rows
                    if before < r["to_pos"] <= after and r["to_pos"] != END
                }
            )
            changed.append(
                {
                    "view": view,
                    "key": key,
                    "before": orjson.loads(old["data"]) if old else None,
                    "after": orjson.loads(new["data"]) if new else None,
                    "positions": positions,
                }
            )
        return changed


def brief(event: Event, catalogue: Catalogue) -> dict[str, Any]:
    """What explain and diff say of each event: enough to find it and place it, who
    recorded it and, for a correction or retraction, why (core/people.py)."""
    from core.people import who_and_why

    flat = event.to_flat()
    placed = {k: flat[k] for k in ("id", "position", "type", "occurred_on", "recorded_at")}
    return {**placed, **who_and_why(event, catalogue)}
