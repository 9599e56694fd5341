"""An index of the log by type, valid date and party, so that a filtered read of the
log (`GET /events?type=...`) reads the events it returns, not the whole log.

It is derived: kept beside the log in the store's own database, brought up to the
log's head before each use, rebuilt from the log when the catalogue's types or their
party fields change (a plugin installed or removed). It only ever proposes candidates:
each is read from the log and checked against the filter again, so a damaged index can
hide events from a listing but never show one that does not match (`verify` is what
proves the log)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from core.application import FollowUp
from core.eventtypes import parties_in
from core.sql import Cursor

#: Events read from the log per step of bringing the index up to date.
PAGE = 2000


def _schema(dialect: str) -> list[str]:
    position = "INTEGER" if dialect == "sqlite" else "BIGINT"
    return [
        f"CREATE TABLE IF NOT EXISTS event_index (position {position} PRIMARY KEY, "
        "type TEXT NOT NULL, occurred_on TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS event_index_by_type ON event_index (type, position)",
        f"CREATE TABLE IF NOT EXISTS event_index_parties (party TEXT NOT NULL, "
        f"position {position} NOT NULL, PRIMARY KEY (party, position))",
        "CREATE TABLE IF NOT EXISTS event_index_meta (name TEXT PRIMARY KEY, value TEXT)",
    ]


def _fingerprint(app: FollowUp) -> str:
    """What the index's rows depend on besides the log: each type's party fields."""
    described = sorted(
        f"{name}:{','.join(event_type.party_fields)}"
        for name, event_type in app.catalogue.types.items()
    )
    return hashlib.sha256("\n".join(described).encode()).hexdigest()


#: The apps whose store has the index's tables, with the fingerprint they were made for.
_ready: WeakKeyDictionary[FollowUp, str] = WeakKeyDictionary()


def _prepare(app: FollowUp) -> None:
    """Create the tables, and empty them if the catalogue changed; once per process."""
    fingerprint = _fingerprint(app)
    if _ready.get(app) == fingerprint:
        return
    sql = app.log.sql()
    with sql.transaction(write=True, derived=True) as c:
        for statement in _schema(sql.dialect):
            c.execute(statement)
        c.execute("SELECT value FROM event_index_meta WHERE name = 'fingerprint'")
        row = c.fetchone()
        if row is None or row["value"] != fingerprint:
            _reset(c, fingerprint)
    _ready[app] = fingerprint


def catch_up(app: FollowUp) -> int:
    """Index every event up to the log's head; returns the last position indexed."""
    _prepare(app)
    sql = app.log.sql()
    with sql.transaction(write=False) as c:
        c.execute("SELECT MAX(position) AS last FROM event_index")
        row = c.fetchone()
        done = int(row["last"]) if row and row["last"] is not None else 0
    while records := app.log.select_records(after=done, limit=PAGE):
        rows: list[tuple[int, str, str]] = []
        parties: list[tuple[str, int]] = []
        for record in records:
            event = app.to_event(record)
            rows.append((record.position, event.type, event.occurred_on.isoformat()))
            event_type = app.catalogue.types.get(event.type)
            if event_type is not None:
                parties += [(p, record.position) for p in parties_in(event_type, event.payload)]
        with sql.transaction(write=True, derived=True) as c:
            # Another worker may be indexing the same events: the rows are the same.
            c.executemany(
                "INSERT INTO event_index (position, type, occurred_on) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                rows,
            )
            c.executemany(
                "INSERT INTO event_index_parties (party, position) VALUES (?, ?) "
                "ON CONFLICT DO NOTHING",
                parties,
            )
        done = records[-1].position
    return done


def _reset(c: Cursor, fingerprint: str) -> None:
    c.execute("DELETE FROM event_index")
    c.execute("DELETE FROM event_index_parties")
    c.execute("DELETE FROM event_index_meta")
    c.execute("INSERT INTO event_index_meta (name, value) VALUES ('fingerprint', ?)", [fingerprint])


def candidates(
    app: FollowUp,
    *,
    types: Sequence[str],
    party: str | None,
    occurred_from: date | None,
    occurred_to: date | None,
    after: int,
    upto: int | None,
    limit: int,
) -> list[int]:
    """Positions > after (and <= upto) of events that may match, in log order."""
    conditions = ["i.position > ?"]
    params: list[Any] = [after]
    source = "event_index i"
    if party is not None:
        source += " JOIN event_index_parties p ON p.position = i.position AND p.party = ?"
        params.insert(0, party)
    if upto is not None:
        conditions.append("i.position <= ?")
        params.append(upto)
    if types:
        conditions.append(f"i.type IN ({', '.join('?' for _ in types)})")
        params += list(types)
    if occurred_from is not None:
        conditions.append("i.occurred_on >= ?")
        params.append(occurred_from.isoformat())
    if occurred_to is not None:
        conditions.append("i.occurred_on <= ?")
        params.append(occurred_to.isoformat())
    params.append(limit)
    statement = (
        f"SELECT i.position FROM {source} WHERE {' AND '.join(conditions)} "  # noqa: S608
        "ORDER BY i.position LIMIT ?"
    )
    with app.log.sql().transaction(write=False) as c:
        c.execute(statement, params)
        return [int(row["position"]) for row in c.fetchall()]
