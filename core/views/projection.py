"""The projection: the views kept in bitemporal tables beside the log, so that the
views as of any position are a few indexed queries, not a replay.

Every row carries the range of log positions in which it stood: ``from_pos <= P <
to_pos`` selects the views as of position P (``to_pos`` is END while a row stands).

- ``view_events``: each event as it currently reads (corrected), one version per change;
  with its parties (``view_event_parties``) and recommendations
  (``view_event_recommendations``), and its tally contributions (``view_tallies``).
- ``view_items``: the items of every view, one version per change.
- ``view_members``: which events each item is folded from (to refold on corrections).
- ``view_tally_checkpoints``: every CHECKPOINT_EVERY positions, all tallies summed per
  month; tallies as of P are the checkpoint before P plus the rows that started or
  ended in between, so their cost does not grow with the log.
- ``view_tracking``: the last position applied, updated in the same transaction as
  the rows, so every event is applied exactly once even across restarts and workers.

Rows exist once per clearance level (core.views.model.Level).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from core.application import FollowUp
from core.envelope import Event
from core.sql import Cursor, Sql
from core.views.engine import Engine, Folds, ItemKey
from core.views.model import Item, Level, ViewFact

#: ``to_pos`` of a row that still stands.
END = 2**62
TRACKING_NAME = "views"
CHECKPOINT_EVERY = 10_000
PAGE = 2_000

TABLES = (
    "CREATE TABLE IF NOT EXISTS view_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS view_events ("
    "level INTEGER NOT NULL, position BIGINT NOT NULL, from_pos BIGINT NOT NULL, "
    "to_pos BIGINT NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL, "
    "occurred_on TEXT NOT NULL, fact TEXT NOT NULL, "
    "PRIMARY KEY (level, position, from_pos))",
    "CREATE INDEX IF NOT EXISTS view_events_by_type ON view_events (level, type, occurred_on)",
    "CREATE INDEX IF NOT EXISTS view_events_by_id ON view_events (event_id, level)",
    "CREATE TABLE IF NOT EXISTS view_event_parties ("
    "level INTEGER NOT NULL, party TEXT NOT NULL, position BIGINT NOT NULL, "
    "from_pos BIGINT NOT NULL, PRIMARY KEY (level, party, position, from_pos))",
    "CREATE TABLE IF NOT EXISTS view_event_recommendations ("
    "level INTEGER NOT NULL, recommendation INTEGER NOT NULL, position BIGINT NOT NULL, "
    "from_pos BIGINT NOT NULL, PRIMARY KEY (level, recommendation, position, from_pos))",
    "CREATE TABLE IF NOT EXISTS view_tallies ("
    "level INTEGER NOT NULL, position BIGINT NOT NULL, from_pos BIGINT NOT NULL, "
    "to_pos BIGINT NOT NULL, counter TEXT NOT NULL, occurred_on TEXT NOT NULL, "
    "amount BIGINT NOT NULL, PRIMARY KEY (level, position, from_pos, counter))",
    "CREATE INDEX IF NOT EXISTS view_tallies_by_start ON view_tallies (level, from_pos)",
    "CREATE INDEX IF NOT EXISTS view_tallies_by_end ON view_tallies (level, to_pos)",
    "CREATE INDEX IF NOT EXISTS view_tallies_by_day ON view_tallies (level, counter, occurred_on)",
    "CREATE TABLE IF NOT EXISTS view_tally_checkpoints ("
    "level INTEGER NOT NULL, position BIGINT NOT NULL, counters TEXT NOT NULL, "
    "PRIMARY KEY (level, position))",
    "CREATE TABLE IF NOT EXISTS view_items ("
    "level INTEGER NOT NULL, view TEXT NOT NULL, key TEXT NOT NULL, "
    "from_pos BIGINT NOT NULL, to_pos BIGINT NOT NULL, data TEXT NOT NULL, "
    "PRIMARY KEY (level, view, key, from_pos))",
    "CREATE TABLE IF NOT EXISTS view_members ("
    "level INTEGER NOT NULL, view TEXT NOT NULL, key TEXT NOT NULL, position BIGINT NOT NULL, "
    "PRIMARY KEY (level, view, key, position))",
    "CREATE INDEX IF NOT EXISTS view_members_by_event ON view_members (level, position, view, key)",
)

DATA_TABLES = (
    "view_events",
    "view_event_parties",
    "view_event_recommendations",
    "view_tallies",
    "view_tally_checkpoints",
    "view_items",
    "view_members",
)


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def fact_from_row(row: Mapping[str, Any]) -> ViewFact:
    data = orjson.loads(row["fact"])
    return ViewFact(
        position=row["position"],
        id=row["event_id"],
        type=row["type"],
        occurred_on=row["occurred_on"],
        classification=data["classification"],
        recorded_by=data["recorded_by"],
        payload=data["payload"],
        recommendations=tuple(data["recommendations"]),
        summary=data["summary"],
        sources=tuple(data["sources"]),
    )


def fact_json(fact: ViewFact) -> str:
    return dumps(
        {
            "classification": fact.classification,
            "recorded_by": fact.recorded_by,
            "payload": fact.payload,
            "recommendations": list(fact.recommendations),
            "summary": fact.summary,
            "sources": list(fact.sources),
        }
    )


@dataclass
class _Version:
    """A row inserted in the current page, still open to being closed in it."""

    values: list[Any]
    to_pos: int = END


@dataclass
class SqlFacts:
    """FactStore over the tables, for one level, buffering a page of changes. Reads see
    the buffered writes; `flush` writes them with a few bulk statements."""

    cursor: Cursor
    level: Level
    facts: dict[int, ViewFact | None] = field(default_factory=dict)
    event_positions: dict[str, int | None] = field(default_factory=dict)
    items: dict[ItemKey, Item | None] = field(default_factory=dict)
    members_cache: dict[ItemKey, set[int]] = field(default_factory=dict)
    memberships_cache: dict[int, set[ItemKey]] = field(default_factory=dict)
    new_events: list[_Version] = field(default_factory=list)
    new_tallies: list[_Version] = field(default_factory=list)
    new_links: list[tuple[str, list[Any]]] = field(default_factory=list)
    new_items: list[_Version] = field(default_factory=list)
    #: Rows inserted in this page that still stand (and may be closed in it).
    open_events: dict[int, list[_Version]] = field(default_factory=dict)
    open_items: dict[ItemKey, _Version] = field(default_factory=dict)
    #: Rows in the tables to close: (position, at) and (at, view, key).
    closed_events: list[tuple[int, int, int]] = field(default_factory=list)
    closed_items: list[tuple[int, str, str, int]] = field(default_factory=list)
    #: `from_pos` of the standing row in the tables, to close it by primary key.
    fact_rows: dict[int, int] = field(default_factory=dict)
    item_rows: dict[ItemKey, int] = field(default_factory=dict)
    member_changes: dict[tuple[str, str, int], bool] = field(default_factory=dict)

    # -- reads -------------------------------------------------------------------

    def fact(self, position: int) -> ViewFact | None:
        if position not in self.facts:
            # The latest version of the event, by primary key; it stands if still open.
            self.cursor.execute(
                "SELECT position, event_id, type, occurred_on, fact, from_pos, to_pos "
                "FROM view_events WHERE level = ? AND position = ? "
                "ORDER BY from_pos DESC LIMIT 1",
                [int(self.level), position],
            )
            row = self.cursor.fetchone()
            if row is not None and row["to_pos"] == END:
                self.facts[position] = fact_from_row(row)
                self.fact_rows[position] = row["from_pos"]
            else:
                self.facts[position] = None
        return self.facts[position]

    def position_of(self, event_id: str) -> int | None:
        if event_id not in self.event_positions:
            self.cursor.execute(
                "SELECT position FROM view_events WHERE event_id = ? AND level = ? AND to_pos = ?",
                [event_id, int(self.level), END],
            )
            row = self.cursor.fetchone()
            self.event_positions[event_id] = row["position"] if row else None
        return self.event_positions[event_id]

    def item(self, view: str, key: str) -> Item | None:
        if (view, key) not in self.items:
            self.cursor.execute(
                "SELECT data, from_pos, to_pos FROM view_items "
                "WHERE level = ? AND view = ? AND key = ? ORDER BY from_pos DESC LIMIT 1",
                [int(self.level), view, key],
            )
            row = self.cursor.fetchone()
            if row is not None and row["to_pos"] == END:
                self.items[(view, key)] = orjson.loads(row["data"])
                self.item_rows[(view, key)] = row["from_pos"]
            else:
                self.items[(view, key)] = None
        return self.items[(view, key)]

    def members(self, view: str, key: str) -> list[int]:
        if (view, key) not in self.members_cache:
            self.cursor.execute(
                "SELECT position FROM view_members WHERE level = ? AND view = ? AND key = ?",
                [int(self.level), view, key],
            )
            found = {row["position"] for row in self.cursor.fetchall()}
            for (v, k, position), member in self.member_changes.items():
                if (v, k) == (view, key):
                    (found.add if member else found.discard)(position)
            self.members_cache[(view, key)] = found
        return sorted(self.members_cache[(view, key)])

    def memberships(self, position: int) -> list[ItemKey]:
        if position not in self.memberships_cache:
            self.cursor.execute(
                "SELECT view, key FROM view_members WHERE level = ? AND position = ?",
                [int(self.level), position],
            )
            found = {(row["view"], row["key"]) for row in self.cursor.fetchall()}
            for (v, k, p), member in self.member_changes.items():
                if p == position:
                    (found.add if member else found.discard)((v, k))
            self.memberships_cache[position] = found
        return sorted(self.memberships_cache[position])

    # -- writes ------------------------------------------------------------------

    def put_fact(
        self,
        fact: ViewFact,
        counts: Mapping[str, int],
        parties: Sequence[str],
        at: int,
        *,
        new: bool = False,
    ) -> None:
        if new:
            # A new event has no earlier version and belongs to no item yet.
            self.memberships_cache[fact.position] = set()
        else:
            self._close_fact(fact.position, at)
        level = int(self.level)
        event = _Version(
            [level, fact.position, at, fact.id, fact.type, fact.occurred_on, fact_json(fact)]
        )
        tallies = [
            _Version([level, fact.position, at, counter, fact.occurred_on, amount])
            for counter, amount in counts.items()
        ]
        self.new_events.append(event)
        self.new_tallies.extend(tallies)
        self.open_events[fact.position] = [event, *tallies]
        for party in parties:
            self.new_links.append(("view_event_parties", [level, party, fact.position, at]))
        for number in fact.recommendations:
            self.new_links.append(
                ("view_event_recommendations", [level, number, fact.position, at])
            )
        self.facts[fact.position] = fact
        self.event_positions[fact.id] = fact.position

    def count_entry(self, event: Event) -> None:
        self.new_tallies.append(
            _Version(
                [
                    int(self.level),
                    event.position,
                    event.position,
                    f"log.{event.type}",
                    event.occurred_on.isoformat(),
                    1,
                ]
            )
        )

    def drop_fact(self, position: int, at: int) -> None:
        fact = self.fact(position)
        self._close_fact(position, at)
        self.facts[position] = None
        if fact is not None:
            self.event_positions[fact.id] = None

    def _close_fact(self, position: int, at: int) -> None:
        buffered = self.open_events.pop(position, None)
        if buffered is not None:
            for row in buffered:
                row.to_pos = at
        elif self.fact(position) is not None:
            self.closed_events.append((position, self.fact_rows.pop(position), at))

    def put_item(self, view: str, key: str, item: Item | None, at: int) -> None:
        if self.item(view, key) == item:
            return
        buffered = self.open_items.pop((view, key), None)
        if buffered is not None:
            buffered.to_pos = at
        elif self.item(view, key) is not None:
            self.closed_items.append((at, view, key, self.item_rows.pop((view, key))))
        if item is not None:
            version = _Version([int(self.level), view, key, at, dumps(item)])
            self.new_items.append(version)
            self.open_items[(view, key)] = version
        self.items[(view, key)] = item

    def set_member(self, view: str, key: str, position: int, member: bool) -> None:
        self.member_changes[(view, key, position)] = member
        members = self.members_cache.get((view, key))
        if members is not None:
            (members.add if member else members.discard)(position)
        memberships = self.memberships_cache.get(position)
        if memberships is not None:
            (memberships.add if member else memberships.discard)((view, key))

    # -- flushing ----------------------------------------------------------------

    def flush(self) -> None:
        c = self.cursor
        level = int(self.level)
        if self.closed_events:
            rows = [(at, level, position, start) for position, start, at in self.closed_events]
            c.executemany(
                "UPDATE view_events SET to_pos = ? "
                "WHERE level = ? AND position = ? AND from_pos = ?",
                rows,
            )
            c.executemany(
                "UPDATE view_tallies SET to_pos = ? "
                "WHERE level = ? AND position = ? AND from_pos = ?",
                rows,
            )
        if self.new_events:
            c.executemany(
                "INSERT INTO view_events (level, position, from_pos, event_id, type, "
                "occurred_on, fact, to_pos) VALUES (?,?,?,?,?,?,?,?)",
                [[*v.values, v.to_pos] for v in self.new_events],
            )
        tallies = [[*t.values, t.to_pos] for t in self.new_tallies]
        if tallies:
            c.executemany(
                "INSERT INTO view_tallies (level, position, from_pos, counter, occurred_on, "
                "amount, to_pos) VALUES (?,?,?,?,?,?,?)",
                tallies,
            )
        links: dict[str, list[list[Any]]] = defaultdict(list)
        for table, values in self.new_links:
            links[table].append(values)
        if links["view_event_parties"]:
            c.executemany(
                "INSERT INTO view_event_parties (level, party, position, from_pos) "
                "VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
                links["view_event_parties"],
            )
        if links["view_event_recommendations"]:
            c.executemany(
                "INSERT INTO view_event_recommendations (level, recommendation, position, "
                "from_pos) VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
                links["view_event_recommendations"],
            )
        if self.closed_items:
            c.executemany(
                "UPDATE view_items SET to_pos = ? WHERE level = ? AND view = ? AND key = ? "
                "AND from_pos = ?",
                [(at, level, view, key, start) for at, view, key, start in self.closed_items],
            )
        if self.new_items:
            c.executemany(
                "INSERT INTO view_items (level, view, key, from_pos, data, to_pos) "
                "VALUES (?,?,?,?,?,?)",
                [[*v.values, v.to_pos] for v in self.new_items],
            )
        added = [(level, v, k, p) for (v, k, p), on in self.member_changes.items() if on]
        removed = [(level, v, k, p) for (v, k, p), on in self.member_changes.items() if not on]
        if removed:
            c.executemany(
                "DELETE FROM view_members WHERE level = ? AND view = ? AND key = ? "
                "AND position = ?",
                removed,
            )
        if added:
            c.executemany(
                "INSERT INTO view_members (level, view, key, position) VALUES (?,?,?,?) "
                "ON CONFLICT DO NOTHING",
                added,
            )


class Projection:
    """Keeps the views' tables up to date with the log, and reads them as of any
    position."""

    def __init__(
        self,
        app: FollowUp,
        sql: Sql,
        folds: Folds,
        *,
        checkpoint_every: int = CHECKPOINT_EVERY,
        page: int = PAGE,
    ) -> None:
        self.app = app
        self.sql = sql
        self.folds = folds
        self.checkpoint_every = checkpoint_every
        self.page = page
        self.engines = {level: Engine(folds, level) for level in Level}
        with sql.transaction(write=True) as c:
            for statement in TABLES:
                c.execute(statement)
            c.execute(
                "INSERT INTO view_tracking (name, position) VALUES (?, 0) ON CONFLICT DO NOTHING",
                [TRACKING_NAME],
            )

    def position(self) -> int:
        with self.sql.transaction(write=False) as c:
            c.execute("SELECT position FROM view_tracking WHERE name = ?", [TRACKING_NAME])
            row = c.fetchone()
        return int(row["position"]) if row else 0

    def catch_up(self, upto: int | None = None) -> int:
        """Apply the events recorded since the last call (up to `upto`), a page per
        transaction; returns the position the views are at."""
        target = self.app.head().position if upto is None else upto
        position = self.position()
        while position < target:
            position = self._apply_page(target)
        return position

    def _apply_page(self, target: int) -> int:
        with self.sql.transaction(write=True) as c:
            if self.sql.dialect == "postgresql":
                c.execute(
                    "SELECT position FROM view_tracking WHERE name = ? FOR UPDATE", [TRACKING_NAME]
                )
            else:
                c.execute("SELECT position FROM view_tracking WHERE name = ?", [TRACKING_NAME])
            row = c.fetchone()
            start = int(row["position"]) if row else 0
            if start >= target:
                return start  # another process got there first
            records = self.app.log.select_records(after=start, upto=target, limit=self.page)
            if not records:
                return target
            events = [self.app.to_event(record) for record in records]
            stores = {level: SqlFacts(c, level) for level in Level}
            for event in events:
                for level, engine in self.engines.items():
                    engine.apply(event, stores[level])
            for store in stores.values():
                store.flush()
            last = events[-1].position
            self._checkpoint(c, start, last)
            c.execute("UPDATE view_tracking SET position = ? WHERE name = ?", [last, TRACKING_NAME])
            return last

    def _checkpoint(self, c: Cursor, start: int, last: int) -> None:
        """Sum every tally per month at multiples of checkpoint_every crossed."""
        if last // self.checkpoint_every == start // self.checkpoint_every:
            return
        for level in Level:
            base_position, counters = _latest_checkpoint(c, level, last)
            for key, amount in _delta(c, level, base_position, last).items():
                counters[key] = counters.get(key, 0) + amount
            c.execute(
                "INSERT INTO view_tally_checkpoints (level, position, counters) VALUES (?,?,?)",
                [int(level), last, dumps({k: v for k, v in counters.items() if v})],
            )

    def rebuild(self) -> int:
        """Forget the views and fold the whole log again."""
        with self.sql.transaction(write=True) as c:
            for table in DATA_TABLES:
                c.execute(f"DELETE FROM {table}")  # noqa: S608 - names are constants
            c.execute("UPDATE view_tracking SET position = 0 WHERE name = ?", [TRACKING_NAME])
        return self.catch_up()

    def snapshot(self, position: int, level: Level) -> SqlSnapshot:
        return SqlSnapshot(self.sql, position, level)


def _latest_checkpoint(c: Cursor, level: Level, position: int) -> tuple[int, dict[str, int]]:
    c.execute(
        "SELECT position, counters FROM view_tally_checkpoints WHERE level = ? AND position <= ? "
        "ORDER BY position DESC LIMIT 1",
        [int(level), position],
    )
    row = c.fetchone()
    if row is None:
        return 0, {}
    return int(row["position"]), dict(orjson.loads(row["counters"]))


def _delta(c: Cursor, level: Level, after: int, upto: int) -> dict[str, int]:
    """Change of every monthly tally between two positions: rows that began in
    (after, upto] count, rows that ended in it no longer do."""
    delta: dict[str, int] = defaultdict(int)
    if upto <= after:
        return delta
    for column, sign in (("from_pos", 1), ("to_pos", -1)):
        c.execute(
            "SELECT counter, substr(occurred_on, 1, 7) AS month, SUM(amount) AS amount "  # noqa: S608
            f"FROM view_tallies WHERE level = ? AND {column} > ? AND {column} <= ? "
            "GROUP BY counter, substr(occurred_on, 1, 7)",
            [int(level), after, upto],
        )
        for row in c.fetchall():
            delta[f"{row['counter']}|{row['month']}"] += sign * int(row["amount"])
    return delta


class SqlSnapshot:
    """The views as of one position at one level, read from the tables."""

    def __init__(self, sql: Sql, position: int, level: Level) -> None:
        self.sql = sql
        self.position = position
        self.level = level
        self._monthly: dict[str, int] | None = None
        self._by_counter: dict[str, list[tuple[str, int]]] | None = None

    def items(self, view: str) -> list[Item]:
        with self.sql.transaction(write=False) as c:
            c.execute(
                "SELECT key, data FROM view_items WHERE level = ? AND view = ? "
                "AND to_pos > ? AND from_pos <= ? ORDER BY key",
                [int(self.level), view, self.position, self.position],
            )
            return [orjson.loads(row["data"]) for row in c.fetchall()]

    def item(self, view: str, key: str) -> Item | None:
        with self.sql.transaction(write=False) as c:
            c.execute(
                "SELECT data FROM view_items WHERE level = ? AND view = ? AND key = ? "
                "AND from_pos <= ? AND to_pos > ?",
                [int(self.level), view, key, self.position, self.position],
            )
            row = c.fetchone()
        return orjson.loads(row["data"]) if row else None

    def entries(self) -> dict[str, int]:
        """How many events of each type the log holds at this position (visible at the
        level), corrections, retractions and retracted events included."""
        counts: dict[str, int] = defaultdict(int)
        for key, amount in self.monthly().items():
            if key.startswith("log."):
                counts[key[4:].rpartition("|")[0]] += amount
        return {name: amount for name, amount in sorted(counts.items()) if amount}

    def monthly(self) -> dict[str, int]:
        """Every tally per month (``counter|YYYY-MM``) as of this position."""
        if self._monthly is None:
            with self.sql.transaction(write=False) as c:
                base, counters = _latest_checkpoint(c, self.level, self.position)
                for key, amount in _delta(c, self.level, base, self.position).items():
                    counters[key] = counters.get(key, 0) + amount
            self._monthly = counters
        return self._monthly

    def counter_months(self, counter: str) -> list[tuple[str, int]]:
        """(month, amount) of one counter, the months where it is not zero."""
        if self._by_counter is None:
            by_counter: dict[str, list[tuple[str, int]]] = defaultdict(list)
            for key, amount in self.monthly().items():
                if amount:
                    name, _, month = key.rpartition("|")
                    by_counter[name].append((month, amount))
            self._by_counter = dict(by_counter)
        return self._by_counter.get(counter, [])

    def tally(self, counter: str, first: date | None, last: date | None) -> int:
        total = 0
        partial: list[tuple[str, str]] = []
        for month, amount in self.counter_months(counter):
            inside = _month_inside(month, first, last)
            if inside is True:
                total += amount
            elif inside is None:
                partial.append(_clip(month, first, last))
        if partial:
            with self.sql.transaction(write=False) as c:
                for low, high in partial:
                    c.execute(
                        "SELECT SUM(amount) AS amount FROM view_tallies WHERE level = ? "
                        "AND counter = ? AND occurred_on >= ? AND occurred_on <= ? "
                        "AND from_pos <= ? AND to_pos > ?",
                        [int(self.level), counter, low, high, self.position, self.position],
                    )
                    row = c.fetchone()
                    total += int(row["amount"] or 0) if row else 0
        return total

    def facts(
        self,
        *,
        types: Iterable[str] | None = None,
        first: date | None = None,
        last: date | None = None,
        party: str | None = None,
        recommendation: int | None = None,
    ) -> list[ViewFact]:
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
    ) -> Iterator[ViewFact]:
        clauses = ["e.level = ?", "e.from_pos <= ?", "e.to_pos > ?"]
        params: list[Any] = [int(self.level), self.position, self.position]
        joins = ""
        if types is not None:
            wanted = sorted(set(types))
            if not wanted:
                return
            clauses.append(f"e.type IN ({','.join('?' * len(wanted))})")
            params.extend(wanted)
        if first is not None:
            clauses.append("e.occurred_on >= ?")
            params.append(first.isoformat())
        if last is not None:
            clauses.append("e.occurred_on <= ?")
            params.append(last.isoformat())
        if party is not None:
            joins += (
                " JOIN view_event_parties p ON p.level = e.level AND p.position = e.position "
                "AND p.from_pos = e.from_pos AND p.party = ?"
            )
            params.insert(0, party)
        if recommendation is not None:
            joins += (
                " JOIN view_event_recommendations r ON r.level = e.level "
                "AND r.position = e.position AND r.from_pos = e.from_pos AND r.recommendation = ?"
            )
            params.insert(1 if party is not None else 0, recommendation)
        statement = (
            "SELECT e.position, e.event_id, e.type, e.occurred_on, e.fact FROM view_events e"  # noqa: S608
            + joins
            + " WHERE "
            + " AND ".join(clauses)
            + " ORDER BY e.position"
        )
        with self.sql.transaction(write=False) as c:
            c.execute(statement, params)
            rows = c.fetchall()
        for row in rows:
            yield fact_from_row(row)


def _month_bounds(month: str) -> tuple[str, str]:
    year, number = int(month[:4]), int(month[5:7])
    return f"{month}-01", f"{month}-{calendar.monthrange(year, number)[1]:02d}"


def _month_inside(month: str, first: date | None, last: date | None) -> bool | None:
    """True if the whole month lies in [first, last], False if none of it, None if part."""
    start, end = _month_bounds(month)
    low = first.isoformat() if first else "0000-00-00"
    high = last.isoformat() if last else "9999-99-99"
    if end < low or start > high:
        return False
    if start >= low and end <= high:
        return True
    return None


def _clip(month: str, first: date | None, last: date | None) -> tuple[str, str]:
    start, end = _month_bounds(month)
    low = max(start, first.isoformat() if first else "")
    high = min(end, last.isoformat() if last else "9999")
    return low, high
