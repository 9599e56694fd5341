"""Tampering with a store behind the system's back is detected by `followup verify`,
which names the first damaged position and the kind of damage, on SQLite and
PostgreSQL: one byte of an event's state changed, an event deleted, two events'
contents swapped, a forged event inserted, an event's link altered or removed. Rows are chosen at
random (seeded: a failure names its seed)."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from click.testing import CliRunner

from cli import main
from followup.bootstrap import bootstrap
from tests.postgres import ThrowawayCluster
from tests.storelog import fill

CASES_PER_KIND = 5


@dataclass
class Log:
    """A filled store to copy for each case, and what it holds."""

    count: int
    head: str
    published: list[tuple[int, str]]  # (position, hex digest) of earlier heads


class Store:
    """Raw access to one copy of the store, as someone with the database would have."""

    url: str

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    events: str
    position: str
    mark: str  # the driver's placeholder
    time_index: bool  # whether the store keeps one apart from the rows

    def q(self, sql: str) -> str:
        return sql.format(events=self.events, pos=self.position).replace("?", self.mark)

    def state(self, position: int) -> bytes:
        return bytes(
            self.execute(self.q("SELECT state FROM {events} WHERE {pos} = ?"), (position,))[0][0]
        )

    def change_one_byte(self, position: int, rng: random.Random) -> None:
        state = bytearray(self.state(position))
        index = rng.randrange(len(state))
        state[index] = (state[index] + rng.randint(1, 255)) % 256
        self.execute(
            self.q("UPDATE {events} SET state = ? WHERE {pos} = ?"), (bytes(state), position)
        )

    def delete_event(self, position: int) -> None:
        self.execute(self.q("DELETE FROM {events} WHERE {pos} = ?"), (position,))

    def strip_link(self, position: int) -> None:
        self.execute(
            self.q(
                "UPDATE {events} SET recorded_at = NULL, hash = NULL, previous_position = NULL "
                "WHERE {pos} = ?"
            ),
            (position,),
        )

    def swap(self, first: int, second: int) -> None:
        columns = "originator_id, originator_version, topic, state"
        a = self.execute(self.q(f"SELECT {columns} FROM {{events}} WHERE {{pos}} = ?"), (first,))[0]
        b = self.execute(self.q(f"SELECT {columns} FROM {{events}} WHERE {{pos}} = ?"), (second,))[
            0
        ]
        update = self.q(
            "UPDATE {events} SET originator_id = ?, originator_version = ?, topic = ?, state = ? "
            "WHERE {pos} = ?"
        )
        self.execute(update, (self.new_id(), -1, a[2], a[3], first))
        self.execute(update, (*a, second))
        self.execute(update, (*b, first))

    def forged_row(self) -> tuple[Any, ...]:
        topic, state = self.execute(self.q("SELECT topic, state FROM {events} WHERE {pos} = 1"))[0]
        return (self.new_id(), 1, topic, bytes(state).replace(b"tester", b"forger"))

    def shift_and_insert(self, position: int) -> None:
        """Make room at `position` by moving every later event (with its link) one
        place down, and put a forged event, with no link, there."""
        self.execute(
            self.q("UPDATE {events} SET {pos} = {pos} + 1000000 WHERE {pos} >= ?"), (position,)
        )
        self.execute(self.q("UPDATE {events} SET {pos} = {pos} - 999999 WHERE {pos} >= 1000000"))
        self.insert_at(position)

    def insert_at(self, position: int) -> None:
        self.execute(
            self.q(
                "INSERT INTO {events} ({pos}, originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?, ?)"
            ),
            (position, *self.forged_row()),
        )

    def cut_marks_after(self, position: int) -> None:
        """What a careful forger does after cutting the log at `position`."""
        self.execute(self.q("DELETE FROM time_marks WHERE position > ?"), (position,))
        self.execute(
            self.q(
                "INSERT INTO time_marks (recorded_at, position) SELECT recorded_at, {pos} "
                "FROM {events} WHERE {pos} = ? ON CONFLICT DO NOTHING"
            ),
            (position,),
        )

    def move_mark(self, position: int, to: int) -> None:
        self.execute(
            self.q("UPDATE time_marks SET position = ? WHERE position = ?"), (to, position)
        )

    def marks(self) -> list[int]:
        return [row[0] for row in self.execute("SELECT position FROM time_marks ORDER BY position")]

    def alter_link(self, position: int, column: str, value: Any) -> None:
        self.execute(
            self.q(f"UPDATE {{events}} SET {column} = ? WHERE {{pos}} = ?"), (value, position)
        )

    def new_id(self) -> Any:
        raise NotImplementedError


class SQLiteStore(Store):
    events, position, mark = "stored_events", "rowid", "?"
    time_index = False  # the rows are their own

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.path) as db:
            return db.execute(sql, params).fetchall()

    def new_id(self) -> Any:
        return uuid4().hex


class PostgresStore(Store):
    events, position, mark = "followup_events", "notification_id", "%s"
    time_index = True  # time_marks

    def __init__(self, cluster: ThrowawayCluster, dbname: str) -> None:
        self.cluster = cluster
        self.dbname = dbname
        self.url = cluster.url(dbname)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.cluster.connect(self.dbname) as db, db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def new_id(self) -> Any:
        return uuid4()


def filled(url: str) -> Log:
    services = bootstrap(url, load_entry_points=False)
    app = services.app
    events = fill(app, extra=60)
    published = [(e.position, e.hash or "") for e in events[::10]]
    log = Log(len(events), app.head().hexdigest, published)
    services.close()
    return log


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory) -> tuple[Path, Log]:
    path = tmp_path_factory.mktemp("tamper") / "source.sqlite"
    return path, filled(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def postgres_source(postgres_cluster) -> Iterator[tuple[str, Log]]:
    name = postgres_cluster.create_database()
    yield name, filled(postgres_cluster.url(name))
    postgres_cluster.drop_database(name)


class Copies:
    def __init__(self, make, log: Log) -> None:
        self.make = make
        self.log = log

    def __call__(self) -> Store:
        return self.make()


@pytest.fixture(params=["sqlite", "postgresql"])
def copies(request, tmp_path) -> Iterator[Copies]:
    """Fresh copies of the filled store, each ready to be damaged."""
    if request.param == "sqlite":
        source, log = request.getfixturevalue("sqlite_source")
        count = iter(range(1000))

        def make_sqlite() -> Store:
            path = tmp_path / f"copy{next(count)}.sqlite"
            shutil.copy(source, path)
            return SQLiteStore(path)

        yield Copies(make_sqlite, log)
    else:
        cluster: ThrowawayCluster = request.getfixturevalue("postgres_cluster")
        source, log = request.getfixturevalue("postgres_source")
        made: list[str] = []

        def make_postgres() -> Store:
            name = f"{source}_copy{len(made)}"
            with cluster.connect() as admin:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            made.append(name)
            return PostgresStore(cluster, name)

        yield Copies(make_postgres, log)
        for name in made:
            cluster.drop_database(name)


def verify(store: Store, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["verify", "--database-url", store.url, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def assert_damage(store: Store, position: int, kind: str, note: str) -> None:
    code, output = verify(store)
    assert code == 1, f"{note}: not detected: {output}"
    assert f"DAMAGED at position {position}: {kind} " in output, f"{note}: {output}"


def test_an_untouched_store_verifies(copies):
    code, output = verify(copies())
    assert code == 0, output
    assert output.strip() == f"OK {copies.log.count} events, head {copies.log.head}"


@pytest.mark.parametrize("seed", range(CASES_PER_KIND))
def test_one_changed_byte_is_found(copies, seed):
    rng = random.Random(seed)
    store = copies()
    position = rng.randint(1, copies.log.count)
    store.change_one_byte(position, rng)
    assert_damage(store, position, "changed", f"seed {seed}, byte of {position}")


@pytest.mark.parametrize("seed", range(CASES_PER_KIND))
def test_a_deleted_event_is_found(copies, seed):
    rng = random.Random(100 + seed)
    store = copies()
    position = rng.randint(1, copies.log.count)
    store.delete_event(position)
    assert_damage(store, position, "missing", f"seed {seed}, event {position} deleted")


@pytest.mark.parametrize("seed", range(CASES_PER_KIND))
def test_an_event_stripped_of_its_link_is_found(copies, seed):
    rng = random.Random(200 + seed)
    store = copies()
    position = rng.randint(1, copies.log.count)
    store.strip_link(position)
    assert_damage(store, position, "inserted", f"seed {seed}, link of {position} removed")


@pytest.mark.parametrize("seed", range(CASES_PER_KIND))
def test_two_swapped_events_are_found(copies, seed):
    rng = random.Random(300 + seed)
    store = copies()
    first, second = sorted(rng.sample(range(1, copies.log.count + 1), 2))
    store.swap(first, second)
    assert_damage(store, first, "reordered", f"seed {seed}, swapped {first} and {second}")


@pytest.mark.parametrize("seed", range(CASES_PER_KIND))
def test_a_forged_event_inserted_is_found(copies, seed):
    rng = random.Random(400 + seed)
    store = copies()
    position = rng.randint(1, copies.log.count)
    store.shift_and_insert(position)
    assert_damage(store, position, "inserted", f"seed {seed}, forged at {position}")


def test_a_forged_event_appended_or_outside_the_log_is_found(copies):
    store = copies()
    store.insert_at(copies.log.count + 1)
    assert_damage(store, copies.log.count + 1, "inserted", "appended")
    store = copies()
    store.insert_at(0)
    assert_damage(store, 0, "inserted", "before the first")


def test_an_altered_link_is_found(copies):
    rng = random.Random(7)
    for column, value in [
        ("recorded_at", "2001-01-01T00:00:00.000000Z"),
        ("hash", bytes(32)),
        ("previous_position", 424242),
    ]:
        store = copies()
        position = rng.randint(2, copies.log.count)
        store.alter_link(position, column, value)
        assert_damage(store, position, "changed", f"{column} of {position}")


@pytest.mark.parametrize("copies", ["postgresql"], indirect=True)
def test_a_moved_time_mark_is_found(copies):
    """The time index places "the log as of T"; moving a mark would make as-of
    queries read too much or too little of the log."""
    store = copies()
    marks = store.marks()
    assert marks[-1] == copies.log.count
    mark = random.Random(9).choice(marks[:-1])
    store.move_mark(mark, mark - 1)
    code, output = verify(store)
    assert code == 1 and f"DAMAGED at position {mark}: changed (the time index" in output, output


def test_a_published_digest_is_checked_against_the_log(copies):
    log = copies.log
    store = copies()
    position, digest = log.published[3]
    code, output = verify(store, "--against", f"{digest}@{position}")
    assert code == 0, output
    assert f"published digest {digest}@{position} matches the log" in output
    code, output = verify(store, "--against", f"{'0' * 64}@{position}")
    assert code == 1 and "does NOT match" in output
    # Cutting the end off leaves a consistent, shorter chain: only a published
    # digest shows it.
    for cut in range(log.count, position, -1):
        store.delete_event(cut)
    last, last_digest = log.count, log.head
    if store.time_index:
        code, output = verify(store)  # the time index still records the cut events
        assert code == 1 and f"DAMAGED at position {position + 1}: missing" in output, output
        store.cut_marks_after(position)
    if log.count // 64 * 64 > position:
        # The Merkle tree's nodes over the cut events are still there: damage.
        code, output = verify(store)
        assert code == 1 and f"nodes beyond the log's {position} events" in output, output
    # The thorough insider builds the tree again for the shorter log.
    store.execute("DELETE FROM merkle_nodes")
    assert CliRunner().invoke(main, ["init", "--database-url", store.url]).exit_code == 0
    code, output = verify(store)
    assert code == 0 and output.startswith(f"OK {position} events"), output
    code, output = verify(store, "--against", f"{last_digest}@{last}")
    assert code == 1 and "NOT FOUND" in output, output


def test_a_malformed_published_digest_is_a_usage_error(copies):
    code, output = verify(copies(), "--against", "abc@1")
    assert code == 2 and "DIGEST@POSITION" in output
