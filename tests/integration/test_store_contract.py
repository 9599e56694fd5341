"""Our contract for every store, beside eventsourcing's: the hash chain, the
transaction-time index, lookups by event id, idempotency keys, the raw scan behind
`verify`, and the Sql port, the same on the in-memory store, SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import DatabaseError, IntegrityError, StoredEvent

from core.clock import format_timestamp, parse_timestamp
from core.errors import IdempotencyMismatch
from core.integrity import GENESIS, canonical_bytes, event_id, link
from core.ports import IdempotencyKey
from core.verification import verify_log
from followup.bootstrap import Services, bootstrap
from tests.samples import every_type

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


class StoreContract:
    """Subclasses provide `services`: a fresh, empty store."""

    @pytest.fixture
    def services(self) -> Services:
        raise NotImplementedError

    def record_samples(self, services: Services, count: int | None = None):
        app = services.app
        samples = every_type()[:count] if count else every_type()
        return app.record_batch([app.validate(e) for e in samples], "tester", None)

    # -- the chain ----------------------------------------------------------------

    def test_an_empty_store_has_the_genesis_head_and_verifies(self, services):
        head = services.app.head()
        assert (head.position, head.recorded_at, head.digest) == (0, None, GENESIS)
        verdict = verify_log(services.app.recorder)
        assert verdict.ok and verdict.count == 0 and verdict.digest == GENESIS

    def test_every_event_is_linked_to_the_one_before(self, services):
        events = self.record_samples(services)
        records = services.app.log.select_records(limit=10_000)
        assert [r.position for r in records] == [e.position for e in events]
        digest = GENESIS
        for record in records:
            digest = link(
                digest,
                canonical_bytes(
                    record.originator_id,
                    record.originator_version,
                    record.topic,
                    record.state,
                    record.recorded_at,
                ),
            )
            assert record.hash == digest
            assert record.event_id == event_id(record.originator_id, record.originator_version)
        head = services.app.head()
        assert head.digest == digest and head.position == records[-1].position
        verdict = verify_log(services.app.recorder, page=7)
        assert verdict.ok, verdict.describe()
        assert (verdict.count, verdict.digest) == (len(records), digest)
        assert len(verdict.hexdigest) == 64

    def test_transaction_times_are_utc_microseconds_and_never_go_back(self, services):
        self.record_samples(services, 5)
        services.app.record_raw(every_type()[0] | {"state": "FRA"}, "tester", None)
        times = [r.recorded_at for r in services.app.log.select_records()]
        assert all(TIMESTAMP.fullmatch(t) for t in times), times
        assert times == sorted(times)
        # One transaction, one time.
        assert len(set(times[:5])) == 1

    def test_a_failed_append_leaves_the_chain_whole(self, services):
        self.record_samples(services, 3)
        recorder = services.app.recorder
        stored = recorder.select_events(services.app.log.select_records(limit=1)[0].originator_id)
        with pytest.raises(IntegrityError):
            recorder.insert_events([stored[0]])
        services.app.record_raw(every_type()[0] | {"state": "FRA"}, "tester", None)
        verdict = verify_log(recorder)
        assert verdict.ok and verdict.count == 4

    def test_a_preserved_link_that_does_not_match_appends_nothing(self, services):
        recorder = services.app.recorder
        new = StoredEvent(uuid4(), 1, "topic", b"state")
        with pytest.raises(IntegrityError):
            recorder.insert_events(
                [new], recorded_at=["2020-01-01T00:00:00.000000Z"], expected_hashes=[bytes(32)]
            )
        assert services.app.head().position == 0
        assert recorder.select_notifications(start=None, limit=10) == []

    def test_preserved_times_and_links_are_kept(self, services):
        recorder = services.app.recorder
        new = StoredEvent(uuid4(), 1, "topic", b"state")
        moment = "2020-01-01T00:00:00.000000Z"
        expected = link(GENESIS, canonical_bytes(new.originator_id, 1, "topic", b"state", moment))
        (position,) = recorder.insert_events(
            [new], recorded_at=[moment], expected_hashes=[expected]
        )
        head = services.app.head()
        assert (head.position, head.recorded_at, head.digest) == (position, moment, expected)

    def test_concurrent_writers_never_fork_the_chain(self, services):
        recorder = services.app.recorder
        errors: list[BaseException] = []

        def write() -> None:
            try:
                for _ in range(10):
                    recorder.insert_events(
                        [StoredEvent(uuid4(), 1, "t", b"s"), StoredEvent(uuid4(), 1, "t", b"s")]
                    )
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=write) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors
        verdict = verify_log(recorder)
        assert verdict.ok, verdict.describe()
        assert verdict.count == 80

    # -- the time index and lookups ----------------------------------------------------

    def test_position_at_a_time_is_the_prefix_known_then(self, services):
        first = services.app.record_raw(every_type()[0], "tester", None)
        second = services.app.record_raw(every_type()[1], "tester", None)
        log = services.app.log
        assert log.position_at("2000-01-01T00:00:00.000000Z") == 0
        assert log.position_at(first.recorded_at) == first.position
        assert log.position_at(second.recorded_at) == second.position
        assert log.position_at("9999-12-31T23:59:59.999999Z") == second.position

    def test_position_at_any_time_is_the_last_event_recorded_by_then(self, services):
        recorder = services.app.recorder
        for size in (1, 3, 1, 5, 2, 1, 7, 1):
            recorder.insert_events([StoredEvent(uuid4(), 1, "T", b"{}") for _ in range(size)])
        records = services.app.log.select_records(limit=100)
        assert [r.position for r in records] == list(range(1, 22))
        log = services.app.log
        for record in records:
            t = record.recorded_at
            assert log.position_at(t) == max(r.position for r in records if r.recorded_at <= t)
            before = format_timestamp(parse_timestamp(t) - timedelta(microseconds=1))
            expected = max((r.position for r in records if r.recorded_at <= before), default=0)
            assert log.position_at(before) == expected

    def test_find_record_by_event_id(self, services):
        events = self.record_samples(services, 4)
        for event in events:
            record = services.app.log.find_record(event.id)
            assert record is not None and record.position == event.position
            assert services.app.get_event(event.id) == event
        assert services.app.log.find_record(uuid4()) is None

    def test_select_records_pages_by_position(self, services):
        events = self.record_samples(services, 10)
        log = services.app.log
        positions = [e.position for e in events]
        assert [r.position for r in log.select_records(after=positions[2], limit=3)] == positions[
            3:6
        ]
        assert [r.position for r in log.select_records(upto=positions[1])] == positions[:2]
        assert [e.position for e in services.app.read_log(page=3)] == positions

    # -- idempotency keys -----------------------------------------------------------

    def test_idempotency_keys_replay_and_refuse_another_request(self, services):
        app = services.app
        key = IdempotencyKey("client", "k1", "request-a")
        drafts = [app.validate(e) for e in every_type()[:2]]
        first = app.record_batch(drafts, "tester", None, idempotency=key)
        again = app.record_batch(drafts, "tester", None, idempotency=key)
        assert again == first
        assert app.head().position == first[-1].position
        kept = app.log.find_idempotent("client", "k1")
        assert kept is not None and (kept.first_position, kept.count) == (first[0].position, 2)
        with pytest.raises(IdempotencyMismatch):
            other = IdempotencyKey("client", "k1", "request-b")
            app.record_batch(drafts, "tester", None, idempotency=other)
        assert app.log.find_idempotent("other", "k1") is None

    def test_an_idempotency_key_used_twice_appends_nothing_the_second_time(self, services):
        recorder = services.app.recorder
        key = IdempotencyKey("client", "k", "h")
        recorder.insert_events([StoredEvent(uuid4(), 1, "t", b"s")], idempotency=key)
        with pytest.raises(IntegrityError):
            recorder.insert_events([StoredEvent(uuid4(), 1, "t", b"s")], idempotency=key)
        assert services.app.head().position == 1
        assert verify_log(recorder).count == 1

    # -- the raw scan ---------------------------------------------------------------

    def test_the_raw_scan_reads_each_event_with_its_link_in_order(self, services):
        events = self.record_samples(services, 7)
        recorder = services.app.recorder
        rows = []
        after = None
        while batch := recorder.scan_log(after=after, limit=3):
            rows.extend(batch)
            after = batch[-1].position
        assert [r.position for r in rows] == [e.position for e in events]
        for row, event in zip(rows, events, strict=True):
            assert UUID(bytes=row.originator_id) == event.stream
            assert row.hash.hex() == event.hash and row.recorded_at == event.recorded_at
        assert [r.previous_position for r in rows] == [0] + [e.position for e in events[:-1]]
        assert recorder.event_position(events[3].stream, events[3].version) == events[3].position
        assert recorder.event_position(uuid4(), 1) is None
        keys = [(e.stream, e.version) for e in events[1:4]]
        assert recorder.event_positions([*keys, (uuid4(), 1)]) == {
            key: e.position for key, e in zip(keys, events[1:4], strict=True)
        }

    # -- the Sql port ---------------------------------------------------------------

    def test_the_sql_port_writes_reads_and_rolls_back(self, services):
        sql = services.sql
        with sql.transaction(write=True) as c:
            c.execute("CREATE TABLE probe (k TEXT PRIMARY KEY, v INTEGER, note TEXT)")
            c.executemany(
                "INSERT INTO probe (k, v, note) VALUES (?, ?, ?)",
                [["a", 1, "50% done?"], ["b", 2, None]],
            )
            assert c.rowcount in (1, 2, -1)
        with pytest.raises(RuntimeError), sql.transaction(write=True) as c:
            c.execute("INSERT INTO probe (k, v) VALUES (?, ?)", ["c", 3])
            raise RuntimeError("boom")
        with sql.transaction(write=False) as c:
            c.execute(
                "SELECT k, v, note FROM probe WHERE note LIKE '%?%' OR k = ? ORDER BY k", ["b"]
            )
            assert c.fetchall() == [
                {"k": "a", "v": 1, "note": "50% done?"},
                {"k": "b", "v": 2, "note": None},
            ]
            c.execute("SELECT count(*) AS n FROM probe")
            assert c.fetchone() == {"n": 2}
            c.execute("SELECT k FROM probe WHERE k = ?", ["zz"])
            assert c.fetchone() is None
        with sql.transaction(write=True) as c:
            c.execute("UPDATE probe SET v = v + 10 WHERE k = ?", ["a"])
            assert c.rowcount == 1
        with sql.transaction(write=False) as c:
            c.execute("SELECT v FROM probe WHERE k = ?", ["a"])
            assert c.fetchone() == {"v": 11}

    def test_the_sql_port_refuses_a_duplicate_key(self, services):
        sql = services.sql
        with sql.transaction(write=True) as c:
            c.execute("CREATE TABLE probe2 (k TEXT PRIMARY KEY)")
            c.execute("INSERT INTO probe2 (k) VALUES (?)", ["a"])
        # The same error on every backend, so code written once catches it.
        with pytest.raises(IntegrityError), sql.transaction(write=True) as c:
            c.execute("INSERT INTO probe2 (k) VALUES (?)", ["b"])
            c.execute("INSERT INTO probe2 (k) VALUES (?)", ["a"])
        with pytest.raises(DatabaseError), sql.transaction(write=False) as c:
            c.execute("SELECT nothing FROM no_such_table")
        with sql.transaction(write=False) as c:
            c.execute("SELECT k FROM probe2")
            assert c.fetchall() == [{"k": "a"}]


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def services(self, memory_services):
        return memory_services


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def services(self, sqlite_services):
        return sqlite_services


@pytest.mark.postgres
class TestPostgresStore(StoreContract):
    @pytest.fixture
    def services(self, postgres_services):
        return postgres_services


def test_the_postgres_url_names_everything_but_logs_no_password(postgres_url):
    from plugins.builtin.stores import postgres_environment

    environment = postgres_environment(postgres_url + "?schema=public&pool_size=2")
    assert environment["PERSISTENCE_MODULE"] == "adapters.postgres_store:Factory"
    assert environment["POSTGRES_HOST"] == "127.0.0.1"
    assert environment["POSTGRES_SCHEMA"] == "public"
    assert environment["POSTGRES_POOL_SIZE"] == "2"
    services = bootstrap(postgres_url, load_entry_points=False)
    assert services.app.head().position == 0
    services.close()


def test_a_postgres_store_that_is_not_there_is_a_clear_error(postgres_cluster):
    from core.errors import StoreError

    url = postgres_cluster.url("no_such_database").replace(
        postgres_cluster.password, "s3cret-password"
    )
    with pytest.raises(StoreError) as caught:
        bootstrap(url, load_entry_points=False)
    assert "s3cret-password" not in str(caught.value)
    assert "***" in str(caught.value)
    assert "no_such_database" in str(caught.value)


def test_init_never_prints_the_password(postgres_url):
    from click.testing import CliRunner

    from cli import main

    password = postgres_url.split(":")[2].split("@")[0]
    result = CliRunner().invoke(main, ["init", "--database-url", postgres_url])
    assert result.exit_code == 0, result.output
    assert password not in result.output and ":***@" in result.output


def test_many_workers_can_open_a_new_postgres_store_at_once(postgres_url):
    """gunicorn starts its workers together; each creates the tables if needed."""
    opened: list[object] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            services = bootstrap(postgres_url, load_entry_points=False)
            opened.append(services.app.head())
            services.close()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(opened) == 6


def test_a_store_of_the_earlier_layout_is_refused_and_left_untouched(sqlite_url):
    import sqlite3

    path = Path(sqlite_url.removeprefix("sqlite:///"))

    def contents() -> list[object]:
        with sqlite3.connect(path) as db:
            return db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() + (
                db.execute("SELECT * FROM stored_events").fetchall()
            )

    with sqlite3.connect(path) as db:  # events without links in their rows
        db.execute(
            "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
            "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
        )
        db.execute("INSERT INTO stored_events VALUES ('ab', 1, 't', x'00')")
    before = contents()
    with pytest.raises(Exception, match="earlier development build"):
        bootstrap(sqlite_url, load_entry_points=False)
    assert contents() == before
