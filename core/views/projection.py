"""The projection: the views kept in bitemporal tables beside the log, so that the
views as of any position are a few indexed queries, not a replay.

Every row carries the range of log positions in which it stood: ``from_pos <= P <
to_pos`` selects the views as of position P (``to_pos`` is END while a row stands).

- ``view_events``: each event as it currently reads (corrected), one version per change;
  with its parties (``view_event_parties``) and recommendations
  (``view_event_recommendations``), and its tally contributions (``view_tallies``).
- ``view_items``: the items of every view, one version per change.
- ``view_members``: which events each item is folded from (to refold on corrections).
- ``view_tally_checkpoints``: all tallies summed per month, in full every FULL_EVERY
  positions and as the change since the previous checkpoint every DELTA_EVERY; tallies
  as of P are the full checkpoint before P, the changes after it, and the rows that
  started or ended since the last of them, so their cost does not grow with the log.
- ``view_tracking``: the last position applied, updated in the same transaction as
  the rows, so every event is applied exactly once even across restarts and workers.

Rows exist once per clearance level (core.views.model.Level).
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import orjson

from core.application import FollowUp
from core.envelope import Event
from core.sql import Cursor, Sql
from core.views.engine import Engine, Folds, ItemKey, Shared
from core.views.model import Item, Level, ViewFact

#: ``to_pos`` of a row that still stands.
END = 2**62
TRACKING_NAME = "views"
DELTA_EVERY = 2_000
FULL_EVERY = 20_000
PAGE = 5_000

TABLES = (
    # `folds` fingerprints the plugins' contributions the rows were folded with.
    "CREATE TABLE IF NOT EXISTS view_tracking ("
    "name TEXT PRIMARY KEY, position BIGINT NOT NULL, folds TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS view_events ("
    "level INTEGER NOT NULL, position BIGINT NOT NULL, from_pos BIGINT NOT NULL, "
    "to_pos BIGINT NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL, "
    "occurred_on TEXT NOT NULL, fact TEXT NOT NULL, "
    "PRIMARY KEY (level, position, from_pos))",
    "CREATE INDEX IF NOT EXISTS view_events_by_type ON view_events (level, type, occurred_on)",
    "CREATE TABLE IF NOT EXISTS view_event_parties ("
    "level INTEGER NOT NULL, party TEXT NOT NULL, position BIGINT NOT NULL, "
    "from_pos BIGINT NOT NULL, PRIMARY KEY (level, party, position, from_pos))",
    "CREATE TABLE IF NOT EXISTS view_event_recommendations ("
    "level INTEGER NOT NULL, recommendation INTEGER NOT NULL, position BIGINT NOT NULL, "
    "from_pos BIGINT NOT NULL, PRIMARY KEY (level, recommendation, position, from_pos))",
    # `source` says whose contribution a row is: an event version ("e<position>"), an item
    # version ("i<view>/<key>") or an entry of the log ("l<position>", never undone).
    "CREATE TABLE IF NOT EXISTS view_tallies ("
    "level INTEGER NOT NULL, source TEXT NOT NULL, from_pos BIGINT NOT NULL, "
    "to_pos BIGINT NOT NULL, counter TEXT NOT NULL, day TEXT NOT NULL, "
    "amount BIGINT NOT NULL, PRIMARY KEY (level, source, from_pos, counter, day))",
    "CREATE INDEX IF NOT EXISTS view_tallies_by_start ON view_tallies (level, from_pos)",
    "CREATE INDEX IF NOT EXISTS view_tallies_by_end ON view_tallies (level, to_pos)",
    "CREATE INDEX IF NOT EXISTS view_tallies_by_date ON view_tallies (level, day)",
    "CREATE TABLE IF NOT EXISTS view_tally_checkpoints ("
    "level INTEGER NOT NULL, position BIGINT NOT NULL, whole INTEGER NOT NULL, "
    "counters TEXT NOT NULL, PRIMARY KEY (level, position))",
    "CREATE TABLE IF NOT EXISTS view_items ("
    "level INTEGER NOT NULL, view TEXT NOT NULL, key TEXT NOT NULL, "
    "from_pos BIGINT NOT NULL, to_pos BIGINT NOT NULL, data TEXT NOT NULL, "
    "PRIMARY KEY (level, view, key, from_pos))",
    "CREATE TABLE IF NOT EXISTS view_members ("
    "level INTEGER NOT NULL, view TEXT NOT NULL, key TEXT NOT NULL, position BIGINT NOT NULL, "
    "PRIMARY KEY (level, view, key, position))",
    "CREATE INDEX IF NOT EXISTS view_members_by_event ON view_members (level, position, view, key)",
)

#: Tables that are nothing but their primary key: on SQLite, kept as that key alone
#: (WITHOUT ROWID), one B-tree to write instead of a table and its index.
KEY_ONLY = ("view_event_parties", "view_event_recommendations", "view_members")


def create_statements(dialect: str) -> list[str]:
    statements = list(TABLES)
    if dialect == "sqlite":
        statements = [
            f"{s} WITHOUT ROWID" if any(f"EXISTS {t} (" in s for t in KEY_ONLY) else s
            for s in statements
        ]
    return statements


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


#: A row inserted in the current page, as the values of its INSERT with `to_pos` last
#: (END until the row is closed in the same page).
_Row = list[Any]


@dataclass
class _Tally:
    """A standing tally row of an item: in the tables (`row` None) or in this page."""

    amount: int
    from_pos: int
    row: _Row | None = None


@dataclass
class SqlFacts:
    """FactStore over the tables, for one level, buffering a page of changes. Reads see
    the buffered writes; `flush` writes them with a few bulk statements."""

    cursor: Cursor
    level: Level
    find_position: Callable[[str], int | None]
    #: Facts as JSON by position, shared by the levels' stores of a page (a fact read
    #: at both levels is one object, encoded once).
    encoded: dict[int, tuple[ViewFact, str]] = field(default_factory=dict)
    facts: dict[int, ViewFact | None] = field(default_factory=dict)
    event_positions: dict[str, int | None] = field(default_factory=dict)
    items: dict[ItemKey, Item | None] = field(default_factory=dict)
    members_cache: dict[ItemKey, set[int]] = field(default_factory=dict)
    memberships_cache: dict[int, set[ItemKey]] = field(default_factory=dict)
    new_events: list[_Row] = field(default_factory=list)
    new_tallies: list[_Row] = field(default_factory=list)
    new_parties: list[tuple[int, str, int, int]] = field(default_factory=list)
    new_recommendations: list[tuple[int, int, int, int]] = field(default_factory=list)
    new_items: list[_Row] = field(default_factory=list)
    #: Rows inserted in this page that still stand (and may be closed in it).
    open_events: dict[int, list[_Row]] = field(default_factory=dict)
    open_items: dict[ItemKey, _Row] = field(default_factory=dict)
    #: Rows in the tables to close: (position, at) and (at, view, key).
    closed_events: list[tuple[int, int, int]] = field(default_factory=list)
    closed_items: list[tuple[int, str, str, int]] = field(default_factory=list)
    #: `from_pos` of the standing row in the tables, to close it by primary key.
    fact_rows: dict[int, int] = field(default_factory=dict)
    item_rows: dict[ItemKey, int] = field(default_factory=dict)
    #: The tally rows of each item that stand, by (counter, day): an item's new version
    #: closes and opens only the rows that changed (a big item changes at a few dates).
    item_tallies: dict[ItemKey, dict[tuple[str, str], _Tally]] = field(default_factory=dict)
    closed_tallies: list[tuple[int, int, str, int, str, str]] = field(default_factory=list)
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
        # The log indexes event ids already; whether the event stands here is fact()'s.
        if event_id not in self.event_positions:
            self.event_positions[event_id] = self.find_position(event_id)
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
        encoded = self.encoded.get(fact.position)
        if encoded is None or encoded[0] is not fact:
            encoded = (fact, fact_json(fact))
            self.encoded[fact.position] = encoded
        event = [level, fact.position, at, fact.id, fact.type, fact.occurred_on, encoded[1], END]
        source, day = f"e{fact.position}", fact.occurred_on
        tallies = [
            [level, source, at, counter, day, amount, END] for counter, amount in counts.items()
        ]
        self.new_events.append(event)
        self.new_tallies.extend(tallies)
        tallies.append(event)
        self.open_events[fact.position] = tallies
        position = fact.position
        self.new_parties.extend([(level, party, position, at) for party in parties])
        self.new_recommendations.extend(
            [(level, number, position, at) for number in fact.recommendations]
        )
        self.facts[fact.position] = fact
        self.event_positions[fact.id] = fact.position

    def count_entry(self, event: Event) -> None:
        self.new_tallies.append(
            [
                int(self.level),
                event.position,
                event.position,
                f"log.{event.type}",
                event.occurred_on.isoformat(),
                1,
                END,
            ]
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
                row[-1] = at
        elif self.fact(position) is not None:
            self.closed_events.append((position, self.fact_rows.pop(position), at))

    def put_item(
        self,
        view: str,
        key: str,
        item: Item | None,
        at: int,
        counts: Sequence[tuple[str, str, int]] = (),
    ) -> None:
        if self.item(view, key) == item:
            return
        buffered = self.open_items.pop((view, key), None)
        if buffered is not None:
            buffered[-1] = at
        elif self.item(view, key) is not None:
            self.closed_items.append((at, view, key, self.item_rows.pop((view, key))))
        level = int(self.level)
        if item is not None:
            version = [level, view, key, at, dumps(item), END]
            self.new_items.append(version)
            self.open_items[(view, key)] = version
        self._put_item_tallies(view, key, at, counts)
        self.items[(view, key)] = item

    def _put_item_tallies(
        self, view: str, key: str, at: int, counts: Sequence[tuple[str, str, int]]
    ) -> None:
        """Close the item's tally rows whose amount changed or went, open the new ones."""
        new: dict[tuple[str, str], int] = {}
        for counter, day, amount in counts:
            name = (counter, day)
            new[name] = new[name] + amount if name in new else amount
        standing = self._item_tallies(view, key)
        level, source = int(self.level), f"i{view}/{key}"
        for name in [name for name, old in standing.items() if new.get(name) != old.amount]:
            old = standing.pop(name)
            if old.row is not None:
                old.row[-1] = at
            else:
                self.closed_tallies.append((at, level, source, old.from_pos, *name))
        for (counter, day), amount in new.items():
            if amount and (counter, day) not in standing:
                row = [level, source, at, counter, day, amount, END]
                self.new_tallies.append(row)
                standing[(counter, day)] = _Tally(amount, at, row)

    def _item_tallies(self, view: str, key: str) -> dict[tuple[str, str], _Tally]:
        if (view, key) not in self.item_tallies and self.item(view, key) is None:
            # An item that does not stand has no tally rows standing either.
            self.item_tallies[(view, key)] = {}
        if (view, key) not in self.item_tallies:
            # `+to_pos`: by the primary key (the item's own rows), not the index of every
            # standing row.
            self.cursor.execute(
                "SELECT counter, day, amount, from_pos FROM view_tallies "
                "WHERE level = ? AND source = ? AND +to_pos = ?",
                [int(self.level), f"i{view}/{key}", END],
            )
            self.item_tallies[(view, key)] = {
                (row["counter"], row["day"]): _Tally(int(row["amount"]), int(row["from_pos"]))
                for row in self.cursor.fetchall()
            }
        return self.item_tallies[(view, key)]

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
                "WHERE level = ? AND source = ? AND from_pos = ?",
                [(at, level, f"e{position}", start) for position, start, at in self.closed_events],
            )
        if self.new_events:
            c.executemany(
                "INSERT INTO view_events (level, position, from_pos, event_id, type, "
                "occurred_on, fact, to_pos) VALUES (?,?,?,?,?,?,?,?)",
                self.new_events,
            )
        tallies = self.new_tallies
        if tallies:
            c.executemany(
                "INSERT INTO view_tallies (level, source, from_pos, counter, day, "
                "amount, to_pos) VALUES (?,?,?,?,?,?,?)",
                tallies,
            )
        if self.new_parties:
            c.executemany(
                "INSERT INTO view_event_parties (level, party, position, from_pos) "
                "VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
                self.new_parties,
            )
        if self.new_recommendations:
            c.executemany(
                "INSERT INTO view_event_recommendations (level, recommendation, position, "
                "from_pos) VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
                self.new_recommendations,
            )
        if self.closed_items:
            c.executemany(
                "UPDATE view_items SET to_pos = ? WHERE level = ? AND view = ? AND key = ? "
                "AND from_pos = ?",
                [(at, level, view, key, start) for at, view, key, start in self.closed_items],
            )
        if self.closed_tallies:
            c.executemany(
                "UPDATE view_tallies SET to_pos = ? WHERE level = ? AND source = ? "
                "AND from_pos = ? AND counter = ? AND day = ?",
                self.closed_tallies,
            )
        if self.new_items:
            c.executemany(
                "INSERT INTO view_items (level, view, key, from_pos, data, to_pos) "
                "VALUES (?,?,?,?,?,?)",
                self.new_items,
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
        delta_every: int = DELTA_EVERY,
        full_every: int = FULL_EVERY,
        page: int = PAGE,
    ) -> None:
        self.app = app
        self.sql = sql
        self.folds = folds
        self.delta_every = delta_every
        self.full_every = full_every
        self.page = page
        shared = Shared(folds)
        self.engines = {level: Engine(folds, level, shared) for level in Level}
        fingerprint = folds.fingerprint()
        with sql.transaction(write=True, derived=True) as c:
            for statement in create_statements(sql.dialect):
                c.execute(statement)
            c.execute(
                "INSERT INTO view_tracking (name, position, folds) VALUES (?, 0, ?) "
                "ON CONFLICT DO NOTHING",
                [TRACKING_NAME, fingerprint],
            )
            c.execute("SELECT folds FROM view_tracking WHERE name = ?", [TRACKING_NAME])
            row = c.fetchone()
            if row is not None and row["folds"] != fingerprint:
                # Plugins came or went since the views were folded: fold again.
                self._forget(c, fingerprint)

    @staticmethod
    def _forget(c: Cursor, fingerprint: str) -> None:
        for table in DATA_TABLES:
            c.execute(f"DELETE FROM {table}")  # noqa: S608 - names are constants
        c.execute(
            "UPDATE view_tracking SET position = 0, folds = ? WHERE name = ?",
            [fingerprint, TRACKING_NAME],
        )

    def _position_of(self, event_id: str) -> int | None:
        record = self.app.log.find_record(UUID(event_id))
        return record.position if record is not None else None

    def position(self) -> int:
        with self.sql.transaction(write=False) as c:
            c.execute("SELECT position FROM view_tracking WHERE name = ?", [TRACKING_NAME])
            row = c.fetchone()
        return int(row["position"]) if row else 0

    def catch_up(
        self, upto: int | None = None, progress: Callable[[int], None] | None = None
    ) -> int:
        """Apply the events recorded since the last call (up to `upto`), a page per
        transaction; returns the position the views are at. `progress` is told the
        position after each page."""
        target = self.app.head().position if upto is None else upto
        position = self.position()
        while position < target:
            position = self._apply_page(target)
            if progress is not None:
                progress(position)
        return position

    def _apply_page(self, target: int) -> int:
        with self.sql.transaction(write=True, derived=True) as c:
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
            encoded: dict[int, tuple[ViewFact, str]] = {}
            stores = {level: SqlFacts(c, level, self._position_of, encoded) for level in Level}
            for event in events:
                for level, engine in self.engines.items():
                    engine.apply(event, stores[level], stores[Level.ALL])
            for store in stores.values():
                store.flush()
            last = events[-1].position
            self._checkpoint(c, start, last)
            c.execute("UPDATE view_tracking SET position = ? WHERE name = ?", [last, TRACKING_NAME])
            return last

    def _checkpoint(self, c: Cursor, start: int, last: int) -> None:
        """At every multiple of delta_every in (start, last], keep the monthly tallies:
        whole where a multiple of full_every is crossed, else the change since the
        previous checkpoint. (Rows carry their positions, so a checkpoint can be taken
        at any position already written.)"""
        step = self.delta_every
        for boundary in range((start // step + 1) * step, last + 1, step):
            whole = boundary // self.full_every > (boundary - step) // self.full_every
            for level in Level:
                if whole:
                    counters = _monthly_at(c, level, boundary)
                else:
                    c.execute(
                        "SELECT MAX(position) AS position FROM view_tally_checkpoints "
                        "WHERE level = ? AND position < ?",
                        [int(level), boundary],
                    )
                    row = c.fetchone()
                    previous = int(row["position"] or 0) if row else 0
                    counters = {}
                    _add(counters, _delta(c, level, previous, boundary))
                c.execute(
                    "INSERT INTO view_tally_checkpoints (level, position, whole, counters) "
                    "VALUES (?,?,?,?)",
                    [int(level), boundary, int(whole), dumps(counters)],
                )

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Forget the views and fold the whole log again."""
        with self.sql.transaction(write=True, derived=True) as c:
            self._forget(c, self.folds.fingerprint())
        return self.catch_up(progress=progress)

    def snapshot(self, position: int, level: Level) -> SqlSnapshot:
        return SqlSnapshot(self.sql, position, level)


#: Monthly tallies: {counter: {"YYYY-MM": amount}}, months with a zero left out.
Monthly = dict[str, dict[str, int]]


def _checkpoints(c: Cursor, level: Level, position: int) -> list[tuple[int, str]]:
    """The last whole checkpoint at or before `position` and the changes after it:
    (position, counters JSON) in order; empty before the first checkpoint."""
    c.execute(
        "SELECT position FROM view_tally_checkpoints "
        "WHERE level = ? AND position <= ? AND whole = 1 ORDER BY position DESC LIMIT 1",
        [int(level), position],
    )
    row = c.fetchone()
    since = int(row["position"]) if row else 0
    c.execute(
        "SELECT position, counters FROM view_tally_checkpoints "
        "WHERE level = ? AND position >= ? AND position <= ? ORDER BY position",
        [int(level), since, position],
    )
    return [(int(r["position"]), r["counters"]) for r in c.fetchall()]


def _monthly_at(c: Cursor, level: Level, position: int) -> Monthly:
    """Every tally per month as of `position`."""
    checkpoints = _checkpoints(c, level, position)
    if not checkpoints:
        monthly: Monthly = {}
        _add(monthly, _delta(c, level, 0, position))
        return monthly
    monthly = orjson.loads(checkpoints[0][1])  # the whole one (or the first changes)
    for _, changes in checkpoints[1:]:
        for counter, months in orjson.loads(changes).items():
            _add(monthly, ((counter, month, amount) for month, amount in months.items()))
    _add(monthly, _delta(c, level, checkpoints[-1][0], position))
    return monthly


def _delta(c: Cursor, level: Level, after: int, upto: int) -> list[tuple[str, str, int]]:
    """Change of every monthly tally between two positions, as (counter, month,
    amount): rows that began in (after, upto] count, rows that ended in it no longer do."""
    delta: list[tuple[str, str, int]] = []
    if upto <= after:
        return delta
    for column, sign in (("from_pos", 1), ("to_pos", -1)):
        c.execute(
            "SELECT counter, substr(day, 1, 7) AS month, SUM(amount) AS amount "  # noqa: S608
            f"FROM view_tallies WHERE level = ? AND {column} > ? AND {column} <= ? "
            "GROUP BY counter, substr(day, 1, 7)",
            [int(level), after, upto],
        )
        delta.extend(
            (row["counter"], row["month"], sign * int(row["amount"])) for row in c.fetchall()
        )
    return delta


def _add(monthly: Monthly, delta: Iterable[tuple[str, str, int]]) -> None:
    for counter, month, amount in delta:
        months = monthly.setdefault(counter, {})
        total = months.get(month, 0) + amount
        if total:
            months[month] = total
        else:
            months.pop(month, None)
            if not months:
                del monthly[counter]


class SqlSnapshot:
    """The views as of one position at one level, read from the tables."""

    def __init__(self, sql: Sql, position: int, level: Level) -> None:
        self.sql = sql
        self.position = position
        self.level = level
        self._monthly: Monthly | None = None
        self._partial: dict[tuple[str, str], dict[str, int]] = {}

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
        counts = {
            name[4:]: sum(months.values())
            for name, months in self.monthly().items()
            if name.startswith("log.")
        }
        return {name: amount for name, amount in sorted(counts.items()) if amount}

    def monthly(self) -> Monthly:
        """Every tally per month as of this position: the checkpoint before it, plus
        what changed since."""
        if self._monthly is None:
            with self.sql.transaction(write=False) as c:
                self._monthly = _monthly_at(c, self.level, self.position)
        return self._monthly

    def counters(self, prefix: str) -> list[str]:
        return sorted(name for name in self.monthly() if name.startswith(prefix))

    def tally(self, counter: str, first: date | None, last: date | None) -> int:
        """Whole months inside [first, last] from the monthly sums; the days of a month
        cut by the range from the rows (one query per such range, for every counter)."""
        span = _Span.of(first, last)
        total = 0
        for month, amount in self.monthly().get(counter, {}).items():
            if span.whole_low <= month <= span.whole_high:
                total += amount
        for low, high in span.cut:
            total += self._partial_sums(low, high).get(counter, 0)
        return total

    def _partial_sums(self, low: str, high: str) -> dict[str, int]:
        if (low, high) not in self._partial:
            with self.sql.transaction(write=False) as c:
                c.execute(
                    "SELECT counter, SUM(amount) AS amount FROM view_tallies WHERE level = ? "
                    "AND day >= ? AND day <= ? AND from_pos <= ? AND to_pos > ? "
                    "GROUP BY counter",
                    [int(self.level), low, high, self.position, self.position],
                )
                self._partial[(low, high)] = {
                    row["counter"]: int(row["amount"]) for row in c.fetchall()
                }
        return self._partial[(low, high)]

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
