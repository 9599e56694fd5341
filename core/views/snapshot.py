"""The read side: the views as of one position of the log at one level, read from the
tables (SqlSnapshot), in a few indexed queries whatever the log's length.

- Items: the rows standing at the position; at the views' own position (the usual
  case: the present) through the index of standing rows, in key order. Each row
  carries the item as presented from its last date on, so a list read on a date
  after that needs no `present` (and a first page needs only its own rows).
- Tallies: the monthly sums of the last checkpoints, the rows that began or ended
  since, and, for the days of a month a period cuts through, the rows of that month.
- Facts: found through the posting lists (by party, recommendation, type or month),
  or by reading the rows in log order when most of them are wanted.
"""

from __future__ import annotations

import bisect
import calendar
import functools
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import orjson

from core.collector import collection_paused
from core.errors import StoreError
from core.eventtypes import Effect
from core.facts import Fact
from core.sql import Cursor, Sql
from core.views import decoded
from core.views.engine import Folds
from core.views.feed import Feed
from core.views.items import Item, Presenter
from core.views.model import Level, visible_at
from core.views.standing import Stamp, Texts, WholeList, standing_texts
from core.views.tables import END, TRACKING_NAME, family
from core.views.writing import Sums, fact_from_values

#: Positions fetched per query when reading candidates found in posting lists.
CHUNK = 500
#: Rows of a whole view whose text is fetched by key, at most; more are read in one
#: pass over the view's standing rows (measured: 12,000 rows by key took twice as long).
FETCHED_BY_KEY = 2_000

#: Monthly sums by counter: {counter: {"YYYY-MM": amount}}.
Monthly = dict[str, dict[str, int]]


class ViewsChanged(StoreError):
    """The views' tables were folded again from zero while a reading read them."""


def add(sums: Sums, counter: str, month: str, amount: int) -> None:
    key = (counter, month)
    sums[key] = sums.get(key, 0) + amount


def by_counter(sums: Sums) -> Monthly:
    monthly: Monthly = {}
    for (counter, month), amount in sums.items():
        if amount:
            monthly.setdefault(counter, {})[month] = amount
    return monthly


# -- monthly sums ------------------------------------------------------------------


#: A family's rows of checkpoints: (monthly sums, totals, last month), JSON.
Documents = list[tuple[str, str, str]]


def checkpoint_span(c: Cursor, level: int, position: int) -> tuple[int, int]:
    """The last checkpoint at or before `position` (0: none), and the last whole one
    at or before it (0: none): the rows from the second to the first sum up to it."""
    c.execute(
        "SELECT MAX(position) AS position FROM view_checkpoints WHERE level = ? AND position <= ?",
        [level, position],
    )
    row = c.fetchone()
    last = int(row["position"] or 0) if row else 0
    if last == 0:
        return 0, 0
    c.execute(
        "SELECT position FROM view_checkpoints WHERE level = ? AND position <= ? AND whole = 1 "
        "ORDER BY position DESC LIMIT 1",
        [level, position],
    )
    row = c.fetchone()
    return last, int(row["position"]) if row else 0


def checkpoint_rows(c: Cursor, level: int, position: int) -> tuple[int, dict[str, Documents]]:
    """The last checkpoint at or before `position` (0: none), and for each family the
    rows of its last whole checkpoint and of the changes after it, in order."""
    last, since = checkpoint_span(c, level, position)
    if last == 0:
        return 0, {}
    c.execute(
        "SELECT family, counters, totals, last_month FROM view_checkpoints WHERE level = ? "
        "AND position >= ? AND position <= ? AND family <> '' ORDER BY position",
        [level, since, last],
    )
    found: dict[str, Documents] = {}
    for name, counters, totals, last_month in c.fetchrows():
        found.setdefault(name, []).append((counters, totals, last_month))
    return last, found


@dataclass(frozen=True)
class Checkpoints:
    """Where a snapshot's tallies start from: the checkpoint rows of each family that
    sum up to the last checkpoint (`positions`, in order), found without reading
    their documents. A family's documents are read when a figure needs them
    (`documents`): the summary needs few families, and their totals only, while every
    family's monthly sums grow with the log (a checkpoint of a long log is megabytes,
    most of it sums no summary reads)."""

    level: int
    last: int
    since: int
    positions: Mapping[str, Sequence[int]]

    @classmethod
    def at(cls, c: Cursor, level: int, position: int) -> Checkpoints:
        last, since = checkpoint_span(c, level, position)
        positions: dict[str, list[int]] = {}
        if last:
            c.execute(
                "SELECT family, position FROM view_checkpoints WHERE level = ? "
                "AND position >= ? AND position <= ? AND family <> '' ORDER BY position",
                [level, since, last],
            )
            for name, at in c.fetchrows():
                positions.setdefault(name, []).append(int(at))
        return cls(level, last, since, positions)

    def documents(self, sql: Sql, name: str, columns: str) -> list[Sequence[Any]]:
        """Some columns of the family's rows, in order. The rows of a checkpoint change
        only when the views are folded again from zero: if they are not those found
        (a rebuild under way), this says so rather than mix two folds."""
        wanted = self.positions.get(name)
        if not wanted:
            return []
        with sql.transaction(write=False) as c:
            c.execute(
                f"SELECT position, {columns} FROM view_checkpoints WHERE level = ? "  # noqa: S608
                "AND family = ? AND position >= ? AND position <= ? ORDER BY position",
                [self.level, name, self.since, self.last],
            )
            rows = c.fetchrows()
        if [row[0] for row in rows] != list(wanted):
            raise ViewsChanged(
                "The views were folded again while being read (`views rebuild`); ask again."
            )
        return [row[1:] for row in rows]


class Facts:
    """Reads the facts of the log as the views hold them at one position and level:
    the log's own events, unless the views keep versions of them (corrected or
    retracted ones)."""

    def __init__(self, feed: Feed, folds: Folds, position: int, level: int) -> None:
        self.feed = feed
        self.folds = folds
        self.position = position
        self.level = level
        self.end = f"end_{level}"
        self.records = {
            name
            for name, event_type in folds.catalogue.types.items()
            if event_type.effect is Effect.RECORD
        }

    def visible(self, event: Fact) -> bool:
        return visible_at(Level(self.level), event.classification)

    def versions(self, c: Cursor, positions: Sequence[int]) -> dict[int, list[Sequence[Any]]]:
        """The versions the views keep of some events (those they keep any of)."""
        found: dict[int, list[Sequence[Any]]] = {}
        for start in range(0, len(positions), CHUNK):
            chunk = positions[start : start + CHUNK]
            c.execute(
                f"SELECT {VERSION_COLUMNS} FROM view_versions "  # noqa: S608
                f"WHERE position IN ({','.join('?' * len(chunk))})",
                list(chunk),
            )
            for row in c.fetchrows():
                found.setdefault(row[0], []).append(row)
        return found

    def standing(
        self, event: Fact, versions: list[Sequence[Any]] | None
    ) -> tuple[Fact, Mapping[str, int] | None] | None:
        """The event's version standing at the position and level (its counts, None
        for the log's own version: they are computed when needed)."""
        if versions is None:
            if event.type in self.records and self.visible(event):
                return event, None
            return None
        index = 2 + self.level
        for row in versions:
            if row[1] <= self.position < row[index]:
                return fact_from_values(row[0], row[5], row[6], row[7]), orjson.loads(row[8])
        return None

    def at(
        self, c: Cursor, positions: Sequence[int]
    ) -> Iterator[tuple[Fact, tuple[Fact, Mapping[str, int] | None] | None]]:
        """For each position (at most the snapshot's, in order): the event as logged,
        and its version standing (None: none)."""
        positions = [p for p in positions if p <= self.position]
        for start in range(0, len(positions), CHUNK * 4):
            chunk = positions[start : start + CHUNK * 4]
            versions = self.versions(c, chunk)
            for row in self.feed.scanner.rows_at(chunk):
                event = self.feed.fact(row)
                yield event, self.standing(event, versions.get(row.position))

    def scan(
        self, c: Cursor, after: int = 0, upto: int | None = None
    ) -> Iterator[tuple[Fact, tuple[Fact, Mapping[str, int] | None] | None]]:
        """The same for every position in (after, upto], in order."""
        upto = self.position if upto is None else min(upto, self.position)
        while after < upto:
            rows = [
                r
                for r in self.feed.scanner.scan_log(after=after, limit=min(2000, upto - after))
                if r.position <= upto
            ]
            if not rows:
                return
            versions = self.versions(c, [r.position for r in rows])
            for row in rows:
                event = self.feed.fact(row)
                yield event, self.standing(event, versions.get(row.position))
            after = rows[-1].position

    def counts(self, fact: Fact, counts: Mapping[str, int] | None) -> Mapping[str, int]:
        return counts if counts is not None else self.folds.counts(fact)

    def entry(self, c: Cursor, event: Fact) -> bool:
        """Whether an event counts as one of the log's entries at this level (as the
        engine counts them): an action it sees does; a correction or a retraction if
        its target was seen here when it was made; a lowering if its target then
        stood at all (it may be what makes it seen here)."""
        if not self.visible(event):
            return False
        event_type = self.folds.catalogue.types.get(event.type)
        if event_type is None or event_type.effect is Effect.RECORD:
            return True
        target = event_type.target_of(event.payload)
        record = self.feed.app.log.find_record(UUID(str(target))) if target else None
        if record is None:
            return False
        level = 2 if event_type.effect is Effect.LOWER else self.level
        return self._stood(c, record.position, event.position - 1, level)

    def _stood(self, c: Cursor, position: int, at: int, level: int) -> bool:
        """Whether a version of the event at `position` stood at `at` at `level`."""
        versions = self.versions(c, [position]).get(position)
        if versions is None:
            rows = self.feed.scanner.rows_at([position])
            if not rows:
                return False
            fact = self.feed.fact(rows[0])
            return fact.type in self.records and visible_at(Level(level), fact.classification)
        index = 2 + level
        return any(row[1] <= at < row[index] and row[7] is not None for row in versions)


def rows_delta(c: Cursor, facts: Facts, after: int, upto: int) -> Sums:
    """The change of every monthly sum between two positions, at the level of `facts`:
    the events recorded in (after, upto] (entries of the log count once, for ever; an
    event's own version counts from it), the versions kept by the views that began or
    ended in it, and the item tallies that began or ended in it."""
    sums: Sums = {}
    if upto <= after:
        return sums
    end = facts.end
    c.execute(
        "SELECT DISTINCT position FROM view_versions WHERE position > ? AND position <= ?",
        [after, upto],
    )
    kept = {row[0] for row in c.fetchrows()}
    for event, _ in facts.scan(c, after, upto):
        if not facts.visible(event):
            continue
        month = event.occurred_on[:7]
        if facts.entry(c, event):
            add(sums, f"log.{event.type}", month, 1)
        if event.position not in kept and event.type in facts.records:
            for counter, amount in facts.folds.counts(event).items():
                add(sums, counter, month, amount)
    c.execute(
        f"SELECT occurred_on, counts FROM view_versions WHERE from_pos > ? "  # noqa: S608
        f"AND from_pos <= ? AND {end} > from_pos",
        [after, upto],
    )
    for day, counts in c.fetchrows():
        for counter, amount in orjson.loads(counts).items():
            add(sums, counter, day[:7], amount)
    c.execute(
        f"SELECT occurred_on, counts FROM view_versions WHERE {end} > ? "  # noqa: S608
        f"AND {end} <= ? AND {end} > from_pos",
        [after, upto],
    )
    for day, counts in c.fetchrows():
        for counter, amount in orjson.loads(counts).items():
            add(sums, counter, day[:7], -amount)
    c.execute(
        f"SELECT counter, day, amount FROM view_item_tallies WHERE from_pos > ? "  # noqa: S608
        f"AND from_pos <= ? AND {end} > from_pos",
        [after, upto],
    )
    for counter, day, amount in c.fetchrows():
        add(sums, counter, day[:7], amount)
    c.execute(
        "SELECT counter, day, amount FROM view_item_tallies "  # noqa: S608
        f"WHERE {end} <> {END} AND {end} > ? AND {end} <= ? AND {end} > from_pos",
        [after, upto],
    )
    for counter, day, amount in c.fetchrows():
        add(sums, counter, day[:7], -amount)
    return sums


def monthly_at(c: Cursor, facts: Facts) -> Sums:
    """Every monthly sum at the position of `facts` (where a fold that stopped there
    goes on from)."""
    last, found = checkpoint_rows(c, facts.level, facts.position)
    sums: Sums = {}
    for documents in found.values():
        for document, _, _ in documents:
            for counter, months in orjson.loads(document).items():
                for month, amount in months.items():
                    add(sums, counter, month, amount)
    for key, amount in rows_delta(c, facts, last, facts.position).items():
        sums[key] = sums.get(key, 0) + amount
    return {key: amount for key, amount in sums.items() if amount}


# -- the snapshot ------------------------------------------------------------------


class SqlSnapshot:
    """The views as of one position at one level, read from the tables."""

    def __init__(self, sql: Sql, position: int, level: Level, feed: Feed, folds: Folds) -> None:
        self.sql = sql
        self.position = position
        self.level = level
        self.facts_of = Facts(feed, folds, position, int(level))
        self._end = f"end_{int(level)}"
        self._families: dict[str, dict[str, dict[str, int]]] = {}
        self._totals: dict[str, tuple[dict[str, int], str]] = {}
        self._checkpoints: Checkpoints | None = None
        self._delta: Monthly | None = None
        self._partial: dict[tuple[str, str], dict[str, int]] = {}

    # -- standing rows ----------------------------------------------------------------

    def _standing(self, c: Cursor) -> tuple[str, list[Any]]:
        """Where-clause and parameters of the rows standing at the position: through
        the index of standing rows when the views are at it (read in the same
        transaction as the rows), else over every version."""
        if self._now(c) is not None:
            return f"{self._end} = {END} AND from_pos <= ?", [self.position]
        return f"from_pos <= ? AND {self._end} > ?", [self.position, self.position]

    def items(self, view: str) -> list[Item]:
        with self.sql.transaction(write=False) as c:
            where, params = self._standing(c)
            c.execute(
                f"SELECT data FROM view_items WHERE view = ? AND {where} ORDER BY key",  # noqa: S608
                [view, *params],
            )
            rows = c.fetchrows()
        loads = orjson.loads
        return [loads(data) for (data,) in rows]

    def keys(self, view: str) -> list[str]:
        with self.sql.transaction(write=False) as c:
            where, params = self._standing(c)
            c.execute(
                f"SELECT key FROM view_items WHERE view = ? AND {where} ORDER BY key",  # noqa: S608
                [view, *params],
            )
            return [key for (key,) in c.fetchrows()]

    def item(self, view: str, key: str) -> Item | None:
        with self.sql.transaction(write=False) as c:
            c.execute(
                "SELECT data FROM view_items WHERE view = ? AND key = ? "  # noqa: S608
                f"AND from_pos <= ? AND {self._end} > ?",
                [view, key, self.position, self.position],
            )
            row = c.fetchone()
        return orjson.loads(row["data"]) if row else None

    def shown_item(self, view: str, key: str, on: date, present: Presenter) -> Item | None:
        """One item as presented on `on`."""
        with self.sql.transaction(write=False) as c:
            c.execute(
                "SELECT last_day, visible, shown, data FROM view_items "  # noqa: S608
                f"WHERE view = ? AND key = ? AND from_pos <= ? AND {self._end} > ?",
                [view, key, self.position, self.position],
            )
            row = c.fetchone()
        if row is None:
            return None
        return _shown(row["last_day"], row["visible"], row["shown"], row["data"], on, present)

    def shown_items_of(
        self, view: str, keys: Sequence[str], on: date, present: Presenter
    ) -> dict[str, Item]:
        """Some items (a page's) as presented on `on`, by key: one read for them all,
        through the index of standing rows when it applies (an item may have thousands
        of past versions)."""
        rows: list[Sequence[Any]] = []
        with self.sql.transaction(write=False) as c:
            where, params = self._standing(c)
            for start in range(0, len(keys), CHUNK):
                chunk = list(keys[start : start + CHUNK])
                c.execute(
                    "SELECT key, last_day, visible, shown, data FROM view_items "  # noqa: S608
                    f"WHERE view = ? AND key IN ({','.join('?' * len(chunk))}) AND {where}",
                    [view, *chunk, *params],
                )
                rows.extend(c.fetchrows())
        found = {}
        for key, last_day, visible, shown, data in rows:
            item = _shown(last_day, visible, shown, data, on, present)
            if item is not None:
                found[key] = item
        return found

    def shown_items(self, view: str, on: date, present: Presenter) -> list[Item]:
        """Every item of the view as presented on `on`, in key order: of each row, only
        the text needed is read (the item as kept when its last date is passed, else
        the item to present) and decoded; at the views' own position, only the texts
        not kept from an earlier reading (core/views/standing.py)."""
        day = on.isoformat()
        with self.sql.transaction(write=False) as c:
            now = self._now(c)
            rows: Sequence[Sequence[Any]]
            if now is not None:
                rows = self._standing_texts(c, view, day, now)
            else:
                c.execute(
                    "SELECT last_day <= ? AS kept, "  # noqa: S608
                    "CASE WHEN last_day <= ? THEN shown ELSE data END FROM view_items "
                    f"WHERE view = ? AND from_pos <= ? AND {self._end} > ? "
                    "AND (last_day > ? OR visible = 1) ORDER BY key",
                    [day, day, view, self.position, self.position, day],
                )
                rows = c.fetchrows()
        loads = orjson.loads
        found = []
        with collection_paused():
            for kept, text in rows:
                item = loads(text) if kept else decoded.presented(text, on, present)
                if item is not None:
                    found.append(item)
        return found

    def _now(self, c: Cursor) -> Stamp | None:
        """Where the views are, if at this snapshot's position (None: elsewhere)."""
        c.execute("SELECT position, hash, folds FROM view_tracking WHERE name = ?", [TRACKING_NAME])
        row = c.fetchone()
        if row is None or row["position"] != self.position:
            return None
        return Stamp(int(row["position"]), row["hash"], row["folds"])

    def _standing_texts(
        self, c: Cursor, view: str, day: str, now: Stamp
    ) -> Sequence[tuple[bool, str]]:
        """(shown as kept, text) of each row of the view standing now and shown on
        `day`, in key order: those of an earlier reading on the same day while the
        views are where they were then, or brought up to date by the rows written
        since; else read (core/views/standing.py)."""
        level = int(self.level)
        store = standing_texts(self.sql)
        kept = store.held(level, view, now, self.facts_of.feed.app)
        found: WholeList | None = None
        if kept is not None and kept.day == day:
            if kept.stamp == now:
                return kept.rows
            found = self._moved_on(c, view, day, now, kept)
        if found is None:
            found = self._read_rows(c, view, day, now, kept.texts if kept is not None else {})
        store.keep(level, view, found)
        return found.rows

    def _read_rows(self, c: Cursor, view: str, day: str, now: Stamp, held: Texts) -> WholeList:
        """The rows of the view standing now, shown on `day`: with no text held,
        every row's text in one pass; else which rows stand, from the index alone,
        with the texts held where they are still the rows', the others fetched."""
        standing_now = f"{self._end} = {END} AND from_pos <= ? AND (last_day > ? OR visible = 1)"
        keys: list[str] = []
        rows: list[Any] = []
        texts: dict[str, tuple[int, str]] = {}
        if not held:
            c.execute(
                "SELECT key, from_pos, last_day <= ?, "  # noqa: S608
                "CASE WHEN last_day <= ? THEN shown ELSE data END FROM view_items "
                f"WHERE view = ? AND {standing_now} ORDER BY key",
                [day, day, view, self.position, day],
            )
            for key, from_pos, shown, text in c.fetchrows():
                keys.append(key)
                rows.append((bool(shown), text))
                if shown:
                    texts[key] = (from_pos, text)
            return WholeList(now, texts, day, keys, rows)
        c.execute(
            "SELECT key, from_pos, last_day <= ? FROM view_items "  # noqa: S608
            f"WHERE view = ? AND {standing_now} ORDER BY key",
            [day, view, self.position, day],
        )
        # One pass: the rows whose text is held, and a place for the others.
        missing: list[tuple[int, str, int]] = []
        for key, from_pos, shown in c.fetchrows():
            keys.append(key)
            known = held.get(key)
            if known is not None and known[0] == from_pos:
                texts[key] = known  # kept for a later date if not shown today
                if shown:
                    rows.append((True, known[1]))
                    continue
            missing.append((len(rows), key, from_pos))
            rows.append(bool(shown))
        fetched = self._texts(c, view, day, [key for _, key, _ in missing])
        for index, key, from_pos in missing:
            shown, text = rows[index], fetched[key]
            rows[index] = (shown, text)
            if shown:
                texts[key] = (from_pos, text)
        return WholeList(now, texts, day, keys, rows)

    def _moved_on(
        self, c: Cursor, view: str, day: str, now: Stamp, kept: WholeList
    ) -> WholeList | None:
        """The rows kept, brought up to date: every row written since they were read
        (from_pos after that position) takes its key's place. An item that stood
        then and no longer does (its first event retracted) left no row to say so:
        the count of rows standing tells, and then (None) they are read again."""
        c.execute(
            "SELECT key, from_pos, last_day <= ?, visible FROM view_items "  # noqa: S608
            f"WHERE view = ? AND {self._end} = {END} AND from_pos > ? AND from_pos <= ?",
            [day, view, kept.stamp.position, self.position],
        )
        written = [
            (key, at, bool(shown), bool(visible)) for key, at, shown, visible in c.fetchrows()
        ]
        if len(written) > FETCHED_BY_KEY:
            return None
        if self.sql.dialect != "sqlite" and not all(_holds(kept.keys, w[0]) for w in written):
            # A new key's place: PostgreSQL orders keys by the database's collation,
            # which need not be Python's (SQLite's is: code points).
            return None
        fetched = self._texts(c, view, day, [w[0] for w in written if w[3] or not w[2]])
        keys, rows, texts = list(kept.keys), list(kept.rows), dict(kept.texts)
        for key, from_pos, shown, visible in written:
            index = bisect.bisect_left(keys, key)
            there = index < len(keys) and keys[index] == key
            texts.pop(key, None)  # another row's
            if shown and not visible:  # not shown on the day
                if there:
                    del keys[index], rows[index]
                continue
            text = fetched[key]
            if there:
                rows[index] = (shown, text)
            else:
                keys.insert(index, key)
                rows.insert(index, (shown, text))
            if shown:
                texts[key] = (from_pos, text)
        c.execute(
            f"SELECT COUNT(*) AS n FROM view_items WHERE view = ? AND {self._end} = {END} "  # noqa: S608
            "AND from_pos <= ? AND (last_day > ? OR visible = 1)",
            [view, self.position, day],
        )
        row = c.fetchone()
        if row is None or int(row["n"]) != len(keys):
            return None
        return WholeList(now, texts, day, keys, rows)

    def _texts(self, c: Cursor, view: str, day: str, keys: Sequence[str]) -> dict[str, str]:
        """The text each standing row of `keys` needs on `day` (shown or data)."""
        needed = "CASE WHEN last_day <= ? THEN shown ELSE data END"
        standing_now = f"{self._end} = {END} AND from_pos <= ?"
        fetched: dict[str, str] = {}
        if len(keys) > FETCHED_BY_KEY:
            c.execute(
                f"SELECT key, {needed} FROM view_items WHERE view = ? "  # noqa: S608
                f"AND {standing_now} AND (last_day > ? OR visible = 1)",
                [day, view, self.position, day],
            )
            fetched.update((key, text) for key, text in c.fetchrows())
            return fetched
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            c.execute(
                f"SELECT key, {needed} FROM view_items WHERE view = ? "  # noqa: S608
                f"AND key IN ({','.join('?' * len(chunk))}) AND {standing_now}",
                [day, view, *chunk, self.position],
            )
            fetched.update((key, text) for key, text in c.fetchrows())
        return fetched

    def shown_page(
        self, view: str, on: date, present: Presenter, offset: int, limit: int
    ) -> tuple[int, list[Item]]:
        """How many items are shown on `on`, and those from `offset` (at most `limit`),
        in key order, reading no more rows than the page needs: items whose last date
        is on or before `on` are counted by the index and shown as kept; the few
        others are presented."""
        day = on.isoformat()
        with self.sql.transaction(write=False) as c:
            where, params = self._standing(c)
            c.execute(
                f"SELECT COUNT(*) AS n FROM view_items WHERE view = ? AND {where} "  # noqa: S608
                "AND last_day <= ? AND visible = 1",
                [view, *params, day],
            )
            row = c.fetchone()
            settled = int(row["n"]) if row else 0
            c.execute(
                f"SELECT key, data FROM view_items WHERE view = ? AND {where} "  # noqa: S608
                "AND last_day > ? ORDER BY key",
                [view, *params, day],
            )
            pending = [
                (key, shown)
                for key, data in c.fetchrows()
                if (shown := decoded.presented(data, on, present)) is not None
            ]
            c.execute(
                f"SELECT key, shown FROM view_items WHERE view = ? AND {where} "  # noqa: S608
                "AND last_day <= ? AND visible = 1 ORDER BY key LIMIT ?",
                [view, *params, day, offset + limit],
            )
            kept = [(key, orjson.loads(shown)) for key, shown in c.fetchrows()]
        merged = sorted([*kept, *pending], key=lambda pair: pair[0])
        return settled + len(pending), [item for _, item in merged[offset : offset + limit]]

    # -- tallies ----------------------------------------------------------------------

    def _load(self) -> tuple[Checkpoints, Monthly]:
        if self._checkpoints is None or self._delta is None:
            with self.sql.transaction(write=False) as c:
                self._checkpoints = Checkpoints.at(c, int(self.level), self.position)
                delta = rows_delta(c, self.facts_of, self._checkpoints.last, self.position)
            self._delta = by_counter(delta)
        return self._checkpoints, self._delta

    def _monthly(self, name: str) -> dict[str, dict[str, int]]:
        """The monthly sums of one family of counters at this position."""
        if name not in self._families:
            checkpoints, delta = self._load()
            monthly: dict[str, dict[str, int]] = {}
            for (document,) in checkpoints.documents(self.sql, name, "counters"):
                for counter, months in decoded.monthly(document).items():
                    _add(monthly, counter, months)
            for counter, months in delta.items():
                if family(counter) == name:
                    _add(monthly, counter, months)
            self._families[name] = monthly
        return self._families[name]

    def _family_totals(self, name: str) -> tuple[dict[str, int], str]:
        """Each counter's total over every month, and the family's last month."""
        if name not in self._totals:
            checkpoints, delta = self._load()
            totals: dict[str, int] = {}
            last = ""
            for counted, month in checkpoints.documents(self.sql, name, "totals, last_month"):
                for counter, amount in decoded.totals(counted).items():
                    totals[counter] = totals.get(counter, 0) + amount
                last = max(last, month)
            for counter, months in delta.items():
                if family(counter) == name:
                    totals[counter] = totals.get(counter, 0) + sum(months.values())
                    last = max(last, *months)
            self._totals[name] = (totals, last)
        return self._totals[name]

    def _whole(self, name: str, first: date | None, last: date | None) -> dict[str, int] | None:
        """The family's totals, if a sum over [first, last] is one: from the beginning
        up to a date after the family's last month."""
        if first is not None:
            return None
        totals, last_month = self._family_totals(name)
        if last is None or last.isoformat()[:7] > last_month:
            return totals
        return None

    def entries(self) -> dict[str, int]:
        """How many events of each type the log holds at this position (visible at the
        level), corrections, retractions and retracted events included."""
        counts = {
            name[4:]: total
            for name, total in self._family_totals("log")[0].items()
            if name.startswith("log.")
        }
        return {name: amount for name, amount in sorted(counts.items()) if amount}

    def counters(self, prefix: str) -> list[str]:
        return sorted(name for name in self._monthly(family(prefix)) if name.startswith(prefix))

    def tally(self, counter: str, first: date | None, last: date | None) -> int:
        """Whole months inside [first, last] from the monthly sums; the days of a month
        cut by the range from the rows (one query per such range, for every counter)."""
        whole = self._whole(family(counter), first, last)
        if whole is not None:
            return whole.get(counter, 0)
        span = _Span.of(first, last)
        months = self._monthly(family(counter)).get(counter, {})
        total = _sum_within(months, span.whole_low, span.whole_high)
        for low, high in span.cut:
            total += self._partial_sums(low, high).get(counter, 0)
        return total

    def sums(self, prefix: str, first: date | None, last: date | None) -> dict[str, int]:
        """Every counter named `prefix`... over [first, last], those not 0 (one pass
        over the family's monthly sums instead of one per counter)."""
        whole = self._whole(family(prefix), first, last)
        if whole is not None:
            return {c: t for c, t in whole.items() if t and c.startswith(prefix)}
        span = _Span.of(first, last)
        found: dict[str, int] = {}
        for counter, months in self._monthly(family(prefix)).items():
            if counter.startswith(prefix):
                found[counter] = _sum_within(months, span.whole_low, span.whole_high)
        for low, high in span.cut:
            for counter, amount in self._partial_sums(low, high).items():
                if counter.startswith(prefix):
                    found[counter] = found.get(counter, 0) + amount
        return {counter: total for counter, total in found.items() if total}

    def _partial_sums(self, low: str, high: str) -> dict[str, int]:
        """Every counter over the days low..high (within one month) at this position."""
        if (low, high) in self._partial:
            return self._partial[(low, high)]
        sums: dict[str, int] = {}
        facts, position = self.facts_of, self.position
        with self.sql.transaction(write=False) as c:
            candidates = postings(c, "month", [low[:7]], position)
            for event, standing in facts.at(c, candidates):
                if low <= event.occurred_on <= high and facts.entry(c, event):
                    name = f"log.{event.type}"
                    sums[name] = sums.get(name, 0) + 1
                if standing is not None and low <= standing[0].occurred_on <= high:
                    for counter, amount in facts.counts(*standing).items():
                        sums[counter] = sums.get(counter, 0) + amount
            c.execute(
                "SELECT counter, SUM(amount) AS amount FROM view_item_tallies "  # noqa: S608
                f"WHERE day >= ? AND day <= ? AND from_pos <= ? AND {self._end} > ? "
                "GROUP BY counter",
                [low, high, position, position],
            )
            for counter, amount in c.fetchrows():
                sums[counter] = sums.get(counter, 0) + int(amount)
        self._partial[(low, high)] = sums
        return sums

    # -- facts ------------------------------------------------------------------------

    def facts(
        self,
        *,
        types: Iterable[str] | None = None,
        first: date | None = None,
        last: date | None = None,
        party: str | None = None,
        recommendation: int | None = None,
    ) -> list[Fact]:
        return list(
            self.iter_facts(
                types=types, first=first, last=last, party=party, recommendation=recommendation
            )
        )

    def iter_facts(
        self,
        *,
        types: Iterable[str] | None = None,
        first: date | None = None,
        last: date | None = None,
        party: str | None = None,
        recommendation: int | None = None,
    ) -> Iterator[Fact]:
        """Facts standing at the position, as corrected, matching every filter given,
        in log order."""
        wanted = sorted(set(types)) if types is not None else None
        if wanted is not None and not wanted:
            return
        match = self._matcher(wanted, first, last, party, recommendation)
        with self.sql.transaction(write=False) as c:
            found = [
                fact
                for fact in self._standing_facts(c, wanted, party, recommendation)
                if match(fact)
            ]
        yield from found

    def facts_page(
        self,
        types: Sequence[str],
        first: date | None,
        last: date | None,
        offset: int,
        limit: int,
        party: str | None = None,
    ) -> list[Fact]:
        """The facts of `types` from `offset` (at most `limit`), in log order, reading
        no further than the page needs."""
        match = self._matcher(sorted(types), first, last, party, None)
        page: list[Fact] = []
        skipped = 0
        with self.sql.transaction(write=False) as c:
            for fact in self._standing_facts(c, sorted(types), party, None):
                if not match(fact):
                    continue
                if skipped < offset:
                    skipped += 1
                    continue
                page.append(fact)
                if len(page) >= limit:
                    break
        return page

    def _standing_facts(
        self,
        c: Cursor,
        types: Sequence[str] | None,
        party: str | None,
        recommendation: int | None,
    ) -> Iterator[Fact]:
        """Facts standing that may match, from the most selective posting list, or
        from every event in order when most are wanted."""
        candidates = self._candidates(c, types, party, recommendation)
        pairs = self.facts_of.scan(c) if candidates is None else self.facts_of.at(c, candidates)
        for _, standing in pairs:
            if standing is not None:
                yield standing[0]

    def _matcher(
        self,
        types: Sequence[str] | None,
        first: date | None,
        last: date | None,
        party: str | None,
        recommendation: int | None,
    ) -> Callable[[Fact], bool]:
        wanted = frozenset(types) if types is not None else None
        low = first.isoformat() if first is not None else ""
        high = last.isoformat() if last is not None else "9999-99-99"
        parties = self.facts_of.folds.parties

        def match(fact: Fact) -> bool:
            return (
                (wanted is None or fact.type in wanted)
                and low <= fact.occurred_on <= high
                and (party is None or party in parties(fact))
                and (recommendation is None or recommendation in fact.recommendations)
            )

        return match

    def _candidates(
        self,
        c: Cursor,
        types: Sequence[str] | None,
        party: str | None,
        recommendation: int | None,
    ) -> list[int] | None:
        """Positions that may match, from the most selective posting list; None: read
        every event in order instead (most of them are wanted)."""
        if party is not None:
            return postings(c, "party", [party], self.position)
        if recommendation is not None:
            return postings(c, "recommendation", [str(recommendation)], self.position)
        if types is not None:
            c.execute(
                "SELECT SUM(count) AS n FROM view_postings WHERE kind = 'type' "  # noqa: S608
                f"AND term IN ({','.join('?' * len(types))})",
                list(types),
            )
            row = c.fetchone()
            if row is not None and int(row["n"] or 0) * 8 < self.position:
                return postings(c, "type", types, self.position)
        return None


VERSION_COLUMNS = (
    "position, from_pos, levels, end_1, end_2, type, occurred_on, fact, counts, party_codes, "
    "recommendations"
)


def _holds(keys: Sequence[str], key: str) -> bool:
    """Whether keys in order hold `key`."""
    index = bisect.bisect_left(keys, key)
    return index < len(keys) and keys[index] == key


def postings(c: Cursor, kind: str, terms: Sequence[str], upto: int) -> list[int]:
    """Positions (at most `upto`) in the posting lists of some terms, in order."""
    c.execute(
        f"SELECT refs FROM view_postings WHERE kind = ? AND term IN ({','.join('?' * len(terms))})",  # noqa: S608
        [kind, *terms],
    )
    found: set[int] = set()
    for (refs,) in c.fetchrows():
        positions = array("q")
        positions.frombytes(bytes(refs))
        found.update(positions)
    return sorted(p for p in found if p <= upto)


def _sum_within(months: Mapping[str, int], low: str, high: str) -> int:
    """The sum of the months from `low` to `high` ("YYYY-MM")."""
    return sum([amount for month, amount in months.items() if low <= month <= high])


def _shown(
    last_day: str, visible: int, shown: str | None, data: str, on: date, present: Presenter
) -> Item | None:
    if last_day <= on.isoformat():
        return orjson.loads(shown) if visible and shown is not None else None
    return decoded.presented(data, on, present)


def _add(monthly: dict[str, dict[str, int]], counter: str, months: dict[str, int]) -> None:
    found = monthly.get(counter)
    if found is None:
        # The first months of a counter (most of them: a checkpoint's), copied at once.
        if 0 in months.values():
            first = {month: amount for month, amount in months.items() if amount}
        else:
            first = dict(months)
        if first:
            monthly[counter] = first
        return
    for month, amount in months.items():
        total = found.get(month, 0) + amount
        if total:
            found[month] = total
        else:
            found.pop(month, None)
    if not found:
        del monthly[counter]


@dataclass(frozen=True)
class _Span:
    """A range of days as whole months (``whole_low``..``whole_high``, "YYYY-MM") and
    the day ranges of the months it only cuts through."""

    whole_low: str
    whole_high: str
    cut: tuple[tuple[str, str], ...]

    @classmethod
    @functools.lru_cache(maxsize=256)
    def of(cls, first: date | None, last: date | None) -> _Span:
        if first is not None and last is not None and first > last:
            return cls("9999-99", "0000-00", ())  # an empty range
        low, high = "0000-00", "9999-99"
        cut: list[tuple[str, str]] = []
        if first is not None:
            low = first.isoformat()[:7]
            if first.day != 1:
                cut.append((first.isoformat(), _month_end(first).isoformat()))
                low = _next_month(low)
        if last is not None:
            high = last.isoformat()[:7]
            if last != _month_end(last):
                start = f"{high}-01"
                cut.append((start, last.isoformat()))
                high = _previous_month(high)
        if first is not None and last is not None and first.isoformat()[:7] == last.isoformat()[:7]:
            # A range inside one month: only its days count.
            return cls("9999-99", "0000-00", ((first.isoformat(), last.isoformat()),))
        return cls(low, high, tuple(cut))


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def _previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - (number == 1):04d}-{(number - 2) % 12 + 1:02d}"
