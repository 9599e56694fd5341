"""Checking that the views kept in the store are what the log gives: the log is folded
again, from its first event, into a scratch database, and every row of the stored
tables up to the views' position is compared with the fresh fold's. The first row that
differs is named: an item's version, a tally of an item, an event as the views read
it, a posting, or a checkpoint of the summed figures. (`followup views verify`; the
nightly integrity job calls `verify_views`.)

The fold that checks is the same code that keeps the views, run afresh: it finds
tables changed by hand (a figure altered in place), rows lost or added, and a log
that no longer gives what was folded (it refuses a log whose chain does not verify).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from core.sql import Sql
from core.views.feed import LogDamaged
from core.views.follower import LEASE
from core.views.projection import Projection
from core.views.tables import END

#: Rows read per query while comparing.
CHUNK = 5000


@dataclass(frozen=True)
class ViewsVerdict:
    """What checking the views found: `difference` names the first row that differs
    (None: the stored views equal the fold), `compared` how many rows of each table
    were compared."""

    position: int
    difference: str | None = None
    compared: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.difference is None

    def describe(self) -> str:
        counts = ", ".join(f"{n:,} {name}" for name, n in self.compared.items())
        if self.ok:
            return (
                f"OK the views at position {self.position} equal a fold of the log "
                f"({counts} compared)"
            )
        return f"DIFFERENT the views at position {self.position}: {self.difference}"


@dataclass(frozen=True)
class _Table:
    name: str
    what: str
    columns: str
    order: str
    describe: Callable[[Sequence[Any]], str]


def _levels(levels: int) -> str:
    return {1: "RESTRICTED", 2: "ALL", 3: "both levels"}.get(levels, f"levels {levels}")


TABLES = (
    _Table(
        "view_versions",
        "versions of events",
        "position, from_pos, levels, end_1, end_2, type, occurred_on, fact, counts, party_codes, "
        "recommendations",
        "position, from_pos, levels",
        lambda r: (
            f"the event at position {r[0]} ({r[5]}) as read from position {r[1]} at {_levels(r[2])}"
        ),
    ),
    _Table(
        "view_items",
        "item versions",
        "view, key, from_pos, levels, end_1, end_2, last_day, visible, shown, data",
        "view, key, from_pos, levels",
        lambda r: f"item {r[0]}/{r[1]}, its version from position {r[2]} at {_levels(r[3])}",
    ),
    _Table(
        "view_item_tallies",
        "item tallies",
        "source, counter, day, from_pos, levels, end_1, end_2, amount",
        "source, counter, day, from_pos, levels",
        lambda r: (
            f"tally {r[1]} of item {r[0]} on {r[2]} (from position {r[3]}, "
            f"{_levels(r[4])}): amount {r[7]}"
        ),
    ),
    _Table(
        "view_checkpoints",
        "checkpoints",
        "level, family, position, whole, counters, totals, last_month",
        "level, position, family",
        lambda r: (
            f"the summed figures {r[1] or '(marker)'}.* at position {r[2]} at {_levels(r[0])}"
        ),
    ),
)


def verify_views(
    stored: Projection, *, progress: Callable[[int], None] | None = None
) -> ViewsVerdict:
    """Fold the log again into a scratch database and compare, row by row, with the
    views `stored` keeps (at their position). Holds the follower's lease meanwhile, so
    that the views stay where they are; raises LogDamaged if the log does not chain,
    and ViewsOutOfStep if it no longer holds what the views were folded from."""
    sql = stored.sql
    with sql.lease(LEASE) as held, sql.scratch() as scratch:
        position = stored.check()
        fresh = Projection(
            stored.app,
            scratch,
            stored.folds,
            delta_every=stored.delta_every,
            full_every=stored.full_every,
            page=stored.page,
        )
        try:
            fresh.catch_up(upto=position, progress=progress)
        finally:
            fresh.close()
        if fresh.position() != position:
            raise LogDamaged(fresh.position() + 1, "the log ends before the views' position")
        compared: dict[str, int] = {}
        for table in TABLES:
            difference, count = _compare(table, sql, scratch, position)
            compared[table.what] = count
            if difference is not None:
                return ViewsVerdict(position, difference, compared)
        for kind, difference, count in _compare_sets(sql, scratch, position):
            compared[kind] = count
            if difference is not None:
                return ViewsVerdict(position, difference, compared)
        if not held and stored.position() != position:
            return ViewsVerdict(
                position,
                "the views moved on while they were checked (another process folded): check again",
                compared,
            )
        return ViewsVerdict(position, None, compared)


def _rows(sql: Sql, table: _Table, position: int) -> Iterator[tuple[Any, ...]]:
    """The table's rows as of `position` (ends after it read as standing), in order."""
    where = "from_pos <= ?" if table.name != "view_checkpoints" else "position <= ?"
    with sql.transaction(write=False) as c:
        c.execute(
            f"SELECT {table.columns} FROM {table.name} WHERE {where} "  # noqa: S608
            f"ORDER BY {table.order}",
            [position],
        )
        while rows := c.fetchmany(CHUNK):
            for row in rows:
                yield _normal(table, tuple(row), position)


def _normal(table: _Table, row: tuple[Any, ...], position: int) -> tuple[Any, ...]:
    if table.name == "view_checkpoints":
        return (*row[:4], orjson.loads(row[4]), orjson.loads(row[5]), row[6])
    ends = {"view_versions": (3, 4), "view_items": (4, 5), "view_item_tallies": (5, 6)}[table.name]
    values = list(row)
    for index in ends:
        if values[index] > position:
            values[index] = END
    return tuple(values)


def _compare(table: _Table, stored: Sql, fresh: Sql, position: int) -> tuple[str | None, int]:
    count = 0
    kept, folded = _rows(stored, table, position), _rows(fresh, table, position)
    while True:
        a, b = next(kept, None), next(folded, None)
        if a is None and b is None:
            return None, count
        count += 1
        if a == b:
            continue
        if b is None or (a is not None and _key(table, a) < _key(table, b)):
            assert a is not None
            return f"{table.describe(a)}: kept in the views, not given by the log", count
        if a is None or _key(table, b) < _key(table, a):
            return f"{table.describe(b)}: given by the log, missing from the views", count
        return f"{table.describe(a)}: {_what_differs(table, a, b)}", count


def _key(table: _Table, row: tuple[Any, ...]) -> tuple[Any, ...]:
    size = len(table.order.split(","))
    if table.name == "view_checkpoints":
        return (row[0], row[2], row[1])
    return row[:size]


def _what_differs(table: _Table, kept: tuple[Any, ...], folded: tuple[Any, ...]) -> str:
    names = [name.strip() for name in table.columns.split(",")]
    for name, a, b in zip(names, kept, folded, strict=True):
        if a != b:
            return f"{name} is {_short(a)} in the views, {_short(b)} by the log"
    return "differs"  # pragma: no cover - rows differ in some column


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else orjson.dumps(value, default=str).decode()
    return text if len(text) <= 120 else text[:117] + "..."


def _compare_sets(stored: Sql, fresh: Sql, position: int) -> Iterator[tuple[str, str | None, int]]:
    """Postings and members: what they hold, whatever blocks the folds made."""
    kept, folded = _postings(stored, position), _postings(fresh, position)
    for name in sorted(set(kept) | set(folded)):
        a, b = kept.get(name, set()), folded.get(name, set())
        if a != b:
            extra, lost = sorted(a - b)[:3], sorted(b - a)[:3]
            yield (
                "postings",
                f"the {name[0]} posting list {name[1]!r}: kept {extra} not given by the log; "
                f"missing {lost}",
                len(kept),
            )
            return
    yield "postings", None, len(kept)
    members = [_members(sql, position) for sql in (stored, fresh)]
    if members[0] != members[1]:
        more, fewer = sorted(members[0] - members[1])[:3], sorted(members[1] - members[0])[:3]
        yield "members", f"members of items: kept {more} not given by the log; missing {fewer}", 0
        return
    yield "members", None, len(members[0])


def _postings(sql: Sql, position: int) -> dict[tuple[str, str], set[int]]:
    found: dict[tuple[str, str], set[int]] = {}
    with sql.transaction(write=False) as c:
        c.execute("SELECT kind, term, refs FROM view_postings")
        for kind, term, refs in c.fetchrows():
            positions = array("q")
            positions.frombytes(bytes(refs))
            found.setdefault((kind, term), set()).update(p for p in positions if p <= position)
    return found


def _members(sql: Sql, position: int) -> set[tuple[str, str, int]]:
    with sql.transaction(write=False) as c:
        c.execute("SELECT view, key, position FROM view_members WHERE position <= ?", [position])
        return {(v, k, p) for v, k, p in c.fetchrows()}
