"""The embedded store on a real SQLite file."""

from __future__ import annotations

import sqlite3

from core.integrity import GENESIS, canonical_bytes, link
from followup.bootstrap import bootstrap
from tests.samples import every_type


def test_the_file_is_durable_wal_with_full_sync(sqlite_services):
    recorder = sqlite_services.app.recorder
    with recorder.datastore.transaction(commit=False) as c:
        c.execute("PRAGMA journal_mode")
        assert c.fetchone()[0] == "wal"
        c.execute("PRAGMA synchronous")
        assert c.fetchone()[0] == 2  # FULL


def test_chain_and_times_are_written_with_each_event(sqlite_services, sqlite_url):
    app = sqlite_services.app
    app.record_batch([app.validate(e) for e in every_type()[:5]], "tester", None)
    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT originator_id, originator_version, topic, state, recorded_at, hash "
            "FROM stored_events ORDER BY rowid"
        ).fetchall()
    assert len(rows) == 5
    digest = GENESIS
    from uuid import UUID

    for originator, version, topic, state, recorded_at, stored_hash in rows:
        digest = link(digest, canonical_bytes(UUID(originator), version, topic, state, recorded_at))
        assert digest == stored_hash
    assert app.head().digest == digest


def test_position_at_a_time_is_the_log_prefix_known_then(sqlite_services):
    app = sqlite_services.app
    first = app.record_raw(every_type()[0], "tester", None)
    second = app.record_raw(every_type()[1], "tester", None)
    assert app.log.position_at("2000-01-01T00:00:00.000000Z") == 0
    assert app.log.position_at(first.recorded_at) == 1
    assert app.log.position_at(second.recorded_at) == 2
    assert app.log.position_at("9999-01-01T00:00:00.000000Z") == 2


def test_the_store_reopens_with_its_events(sqlite_url):
    services = bootstrap(sqlite_url, load_entry_points=False)
    event = services.app.record_raw(every_type()[0], "tester", None)
    services.close()
    again = bootstrap(sqlite_url, load_entry_points=False)
    assert again.app.get_event(event.id) == event
    again.close()


def test_side_tables_share_the_store_and_roll_back_on_error(sqlite_services):
    sql = sqlite_services.sql
    with sql.transaction(write=True) as c:
        c.execute("CREATE TABLE IF NOT EXISTS probe (k TEXT PRIMARY KEY, v INTEGER)")
        c.execute("INSERT INTO probe VALUES (?, ?)", ["a", 1])
    try:
        with sql.transaction(write=True) as c:
            c.execute("INSERT INTO probe VALUES (?, ?)", ["b", 2])
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with sql.transaction(write=False) as c:
        c.execute("SELECT k, v FROM probe ORDER BY k")
        assert c.fetchall() == [{"k": "a", "v": 1}]


def test_idempotency_keys_are_kept_with_the_events(sqlite_url):
    from core.ports import IdempotencyKey

    services = bootstrap(sqlite_url, load_entry_points=False)
    key = IdempotencyKey("client", "k", "h")
    first = services.app.record_batch(
        [services.app.validate(e) for e in every_type()[:2]], "tester", None, idempotency=key
    )
    services.close()
    again = bootstrap(sqlite_url, load_entry_points=False)
    assert (
        again.app.record_batch([again.app.validate(every_type()[0])], "t", None, idempotency=key)
        == first
    )
    assert again.app.head().position == 2
    again.close()


def test_derived_writes_do_not_wait_for_the_disk_and_leave_full_sync_behind(sqlite_services):
    sql = sqlite_services.sql
    with sql.transaction(write=True, derived=True) as c:
        c.execute("PRAGMA synchronous")
        assert c.fetchone()["synchronous"] == 1  # NORMAL, for rows rebuilt from the log
        c.execute("CREATE TABLE IF NOT EXISTS derived_probe (k TEXT)")
    for _ in range(3):  # whichever pooled connection comes next syncs fully again
        with sql.transaction(write=True) as c:
            c.execute("PRAGMA synchronous")
            assert c.fetchone()["synchronous"] == 2
