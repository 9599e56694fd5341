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

import calendar
import functools
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson

from core.facts import Fact
from core.sql import Cursor, Sql
from core.views.items import Item, Presenter
from core.views.model import Level
from core.views.tables import END, TRACKING_NAME, family
from core.views.writing import Sums, fact_from_values

#: Positions fetched per query when reading candidates found in posting lists.
CHUNK = 500

#: Monthly sums by counter: {counter: {"YYYY-MM": amount}}.
Monthly = dict[str, dict[str, int]]


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


def checkpoint_rows(
    c: Cursor, level: int, position: int, families: Iterable[str] | None = None
) -> tuple[int, dict[str, list[str]]]:
    """The last checkpoint at or before `position` (0: none), and for each family the
    counters JSON of its last whole checkpoint and the changes after it, in order."""
    c.execute(
        "SELECT MAX(position) AS position FROM view_checkpoints WHERE level = ? AND position <= ?",
        [level, position],
    )
    row = c.fetchone()
    last = int(row["position"] or 0) if row else 0
    if last == 0:
        return 0, {}
    c.execute(
        "SELECT position FROM view_checkpoints WHERE level = ? AND position <= ? AND whole = 1 "
        "ORDER BY position DESC LIMIT 1",
        [level, position],
    )
    row = c.fetchone()
    since = int(row["position"]) if row else 0
    c.execute(
        "SELECT family, counters FROM view_checkpoints WHERE level = ? AND position >= ? "
        "AND position <= ? AND family <> '' ORDER BY position",
        [level, since, last],
    )
    found: dict[str, list[str]] = {}
    wanted = set(families) if families is not None else None
    for row in c.fetchall():
        if wanted is None or row["family"] in wanted:
            found.setdefault(row["family"], []).append(row["counters"])
    return last, found


def rows_delta(c: Cursor, level: int, after: int, upto: int) -> Sums:
    """The change of every monthly sum between two positions, from the rows that began
    or ended in (after, upto] at the level (entries of the log count once, forever)."""
    sums: Sums = {}
    if upto <= after:
        return sums
    end = f"end_{level}"
    c.execute(
        "SELECT position, from_pos, levels, type, occurred_on, counts, "  # noqa: S608
        f"{end} AS ends FROM view_facts WHERE position > ? AND position <= ? AND from_pos <= ? "
        "UNION ALL SELECT position, from_pos, levels, type, occurred_on, counts, "
        f"{end} AS ends FROM view_facts WHERE from_pos <> position AND from_pos > ? "
        "AND from_pos <= ? AND position <= ?",
        [after, upto, upto, after, upto, after],
    )
    for row in c.fetchall():
        if not row["levels"] & level:
            continue
        month = row["occurred_on"][:7]
        if row["from_pos"] == row["position"]:
            add(sums, f"log.{row['type']}", month, 1)
        if row["counts"] is not None and row["ends"] > row["from_pos"]:
            for counter, amount in orjson.loads(row["counts"]).items():
                add(sums, counter, month, amount)
    c.execute(
        "SELECT from_pos, occurred_on, counts FROM view_facts "  # noqa: S608
        f"WHERE {end} <> {END} AND {end} > ? AND {end} <= ? AND {end} > from_pos "
        "AND counts IS NOT NULL",
        [after, upto],
    )
    for row in c.fetchall():
        month = row["occurred_on"][:7]
        for counter, amount in orjson.loads(row["counts"]).items():
            add(sums, counter, month, -amount)
    c.execute(
        f"SELECT counter, day, amount FROM view_item_tallies WHERE from_pos > ? "  # noqa: S608
        f"AND from_pos <= ? AND {end} > from_pos",
        [after, upto],
    )
    for row in c.fetchall():
        add(sums, row["counter"], row["day"][:7], row["amount"])
    c.execute(
        "SELECT counter, day, amount FROM view_item_tallies "  # noqa: S608
        f"WHERE {end} <> {END} AND {end} > ? AND {end} <= ? AND {end} > from_pos",
        [after, upto],
    )
    for row in c.fetchall():
        add(sums, row["counter"], row["day"][:7], -row["amount"])
    return sums


def monthly_at(c: Cursor, level: int, position: int) -> Sums:
    """Every monthly sum at a position (what a fold that stopped there goes on from)."""
    last, found = checkpoint_rows(c, level, position)
    sums: Sums = {}
    for documents in found.values():
        for document in documents:
            for counter, months in orjson.loads(document).items():
                for month, amount in months.items():
                    add(sums, counter, month, amount)
    for key, amount in rows_delta(c, level, last, position).items():
        sums[key] = sums.get(key, 0) + amount
    return {key: amount for key, amount in sums.items() if amount}


# -- the snapshot ------------------------------------------------------------------


class SqlSnapshot:
    """The views as of one position at one level, read from the tables."""

    def __init__(self, sql: Sql, position: int, level: Level) -> None:
        self.sql = sql
        self.position = position
        self.level = level
        self._end = f"end_{int(level)}"
        self._families: dict[str, dict[str, dict[str, int]]] = {}
        self._checkpoints: tuple[int, dict[str, list[str]]] | None = None
        self._delta: Monthly | None = None
        self._partial: dict[tuple[str, str], dict[str, int]] = {}

    # -- standing rows ----------------------------------------------------------------

    def _standing(self, c: Cursor) -> tuple[str, list[Any]]:
        """Where-clause and parameters of the rows standing at the position: through
        the index of standing rows when the views are at it (read in the same
        transaction as the rows), else over every version."""
        c.execute("SELECT position FROM view_tracking WHERE name = ?", [TRACKING_NAME])
        row = c.fetchone()
        if row is not None and row["position"] == self.position:
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

    def shown_items(self, view: str, on: date, present: Presenter) -> list[Item]:
        """Every item of the view as presented on `on`, in key order."""
        with self.sql.transaction(write=False) as c:
            where, params = self._standing(c)
            c.execute(
                "SELECT last_day, visible, shown, data FROM view_items "  # noqa: S608
                f"WHERE view = ? AND {where} ORDER BY key",
                [view, *params],
            )
            rows = c.fetchrows()
        found = []
        for last_day, visible, shown, data in rows:
            item = _shown(last_day, visible, shown, data, on, present)
            if item is not None:
                found.append(item)
        return found

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
                if (shown := present(orjson.loads(data), on)) is not None
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

    def _monthly(self, name: str) -> dict[str, dict[str, int]]:
        """The monthly sums of one family of counters at this position."""
        if self._checkpoints is None:
            with self.sql.transaction(write=False) as c:
                self._checkpoints = checkpoint_rows(c, int(self.level), self.position)
                delta = rows_delta(c, int(self.level), self._checkpoints[0], self.position)
            self._delta = by_counter(delta)
        if name not in self._families:
            monthly: dict[str, dict[str, int]] = {}
            for document in self._checkpoints[1].get(name, ()):
                for counter, months in orjson.loads(document).items():
                    _add(monthly, counter, months)
            assert self._delta is not None
            for counter, months in self._delta.items():
                if family(counter) == name:
                    _add(monthly, counter, months)
            self._families[name] = monthly
        return self._families[name]

    def monthly(self) -> dict[str, dict[str, int]]:
        """Every tally per month at this position."""
        self._monthly("")
        assert self._checkpoints is not None and self._delta is not None
        names = set(self._checkpoints[1]) | {family(c) for c in self._delta}
        found: dict[str, dict[str, int]] = {}
        for name in sorted(names):
            found.update(self._monthly(name))
        return found

    def entries(self) -> dict[str, int]:
        """How many events of each type the log holds at this position (visible at the
        level), corrections, retractions and retracted events included."""
        counts = {
            name[4:]: sum(months.values())
            for name, months in self._monthly("log").items()
            if name.startswith("log.")
        }
        return {name: amount for name, amount in sorted(counts.items()) if amount}

    def counters(self, prefix: str) -> list[str]:
        return sorted(name for name in self._monthly(family(prefix)) if name.startswith(prefix))

    def tally(self, counter: str, first: date | None, last: date | None) -> int:
        """Whole months inside [first, last] from the monthly sums; the days of a month
        cut by the range from the rows (one query per such range, for every counter)."""
        span = _Span.of(first, last)
        total = 0
        for month, amount in self._monthly(family(counter)).get(counter, {}).items():
            if span.whole_low <= month <= span.whole_high:
                total += amount
        for low, high in span.cut:
            total += self._partial_sums(low, high).get(counter, 0)
        return total

    def _partial_sums(self, low: str, high: str) -> dict[str, int]:
        """Every counter over the days low..high (within one month) at this position."""
        if (low, high) in self._partial:
            return self._partial[(low, high)]
        sums: dict[str, int] = {}
        level, position = int(self.level), self.position
        with self.sql.transaction(write=False) as c:
            candidates = postings(c, "month", [low[:7]], position)
            for row in fact_rows(c, candidates):
                p, from_pos, levels, ends, type_, day, counts = (
                    row[0],
                    row[1],
                    row[2],
                    row[2 + level],
                    row[5],
                    row[6],
                    row[8],
                )
                if not (low <= day <= high) or not levels & level or from_pos > position:
                    continue
                if from_pos == p:
                    name = f"log.{type_}"
                    sums[name] = sums.get(name, 0) + 1
                if counts is not None and ends > position:
                    for counter, amount in orjson.loads(counts).items():
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
        match = _matcher(self, wanted, first, last, party, recommendation)
        with self.sql.transaction(write=False) as c:
            candidates = self._candidates(c, wanted, party, recommendation)
            if candidates is None:
                rows: Iterable[Sequence[Any]] = self._scan(c, wanted, first, last)
            else:
                rows = fact_rows(c, candidates)
            found = [row for row in rows if match(row)]
        for row in found:
            yield fact_from_values(row[0], row[5], row[6], row[7])

    def count_facts(self, types: Sequence[str], first: date | None, last: date | None) -> int:
        """How many facts of `types` stand, dated in [first, last]: their tallies."""
        return sum(self.tally(f"events.{name}", first, last) for name in types)

    def facts_page(
        self,
        types: Sequence[str],
        first: date | None,
        last: date | None,
        offset: int,
        limit: int,
    ) -> list[Fact]:
        """The facts of `types` from `offset` (at most `limit`), in log order, reading
        the rows in order until the page is full."""
        match = _matcher(self, sorted(types), first, last, None, None)
        page: list[Fact] = []
        with self.sql.transaction(write=False) as c:
            skipped = 0
            for row in self._scan(c, sorted(types), first, last):
                if not match(row):
                    continue
                if skipped < offset:
                    skipped += 1
                    continue
                page.append(fact_from_values(row[0], row[5], row[6], row[7]))
                if len(page) >= limit:
                    break
        return page

    def _candidates(
        self,
        c: Cursor,
        types: Sequence[str] | None,
        party: str | None,
        recommendation: int | None,
    ) -> list[int] | None:
        """Positions that may match, from the most selective posting list; None: read
        the rows in order instead (most of them are wanted)."""
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

    def _scan(
        self, c: Cursor, types: Sequence[str] | None, first: date | None, last: date | None
    ) -> Iterator[Sequence[Any]]:
        clauses = ["fact IS NOT NULL", "from_pos <= ?", f"{self._end} > ?"]
        params: list[Any] = [self.position, self.position]
        if types is not None:
            clauses.append(f"type IN ({','.join('?' * len(types))})")
            params.extend(types)
        if first is not None:
            clauses.append("occurred_on >= ?")
            params.append(first.isoformat())
        if last is not None:
            clauses.append("occurred_on <= ?")
            params.append(last.isoformat())
        c.execute(
            f"SELECT {FACT_COLUMNS} FROM view_facts WHERE {' AND '.join(clauses)} "  # noqa: S608
            "ORDER BY position",
            params,
        )
        while rows := c.fetchmany(1000):
            yield from rows


FACT_COLUMNS = (
    "position, from_pos, levels, end_1, end_2, type, occurred_on, fact, counts, parties, "
    "recommendations"
)


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


def fact_rows(c: Cursor, positions: Sequence[int]) -> Iterator[Sequence[Any]]:
    """Every row of the facts at some positions, in log order."""
    for start in range(0, len(positions), CHUNK):
        chunk = positions[start : start + CHUNK]
        c.execute(
            f"SELECT {FACT_COLUMNS} FROM view_facts "  # noqa: S608
            f"WHERE position IN ({','.join('?' * len(chunk))}) ORDER BY position",
            list(chunk),
        )
        yield from c.fetchrows()


def _matcher(
    snapshot: SqlSnapshot,
    types: Sequence[str] | None,
    first: date | None,
    last: date | None,
    party: str | None,
    recommendation: int | None,
) -> Callable[[Sequence[Any]], bool]:
    """Whether a row of FACT_COLUMNS is a fact standing at the snapshot that matches."""
    position, level = snapshot.position, int(snapshot.level)
    wanted = frozenset(types) if types is not None else None
    low = first.isoformat() if first is not None else ""
    high = last.isoformat() if last is not None else "9999-99-99"
    party_tag = f"|{party}|" if party is not None else None
    number_tag = f"|{recommendation}|" if recommendation is not None else None

    def match(row: Sequence[Any]) -> bool:
        return (
            row[7] is not None
            and row[1] <= position < row[2 + level]
            and (wanted is None or row[5] in wanted)
            and low <= row[6] <= high
            and (party_tag is None or (row[9] is not None and party_tag in row[9]))
            and (number_tag is None or (row[10] is not None and number_tag in row[10]))
        )

    return match


def _shown(
    last_day: str, visible: int, shown: str | None, data: str, on: date, present: Presenter
) -> Item | None:
    if last_day <= on.isoformat():
        return orjson.loads(shown) if visible and shown is not None else None
    return present(orjson.loads(data), on)


def _add(monthly: dict[str, dict[str, int]], counter: str, months: dict[str, int]) -> None:
    found = monthly.setdefault(counter, {})
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
