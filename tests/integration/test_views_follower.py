"""Views kept current off the request path, on SQLite and PostgreSQL: a follower folds
what another process records, woken by the store; one follower per store holds the
lease; a request far behind the log answers at once, saying how far behind, and a
caller a little behind reads its own writes."""

from __future__ import annotations

import time

import pytest

from core.views import service
from core.views.follower import LEASE, Follower
from core.views.model import Level
from followup.bootstrap import bootstrap
from tests.storelog import extra_events


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/follow.sqlite"
    cluster = request.getfixturevalue("postgres_cluster")
    return cluster.url(cluster.create_database())


def record(services, count, seed=0):
    app = services.app
    events = [app.validate(e) for e in extra_events(count, seed)]
    return app.record_batch(events, "writer", None)


def until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_follower_folds_what_another_process_records(url):
    writer = bootstrap(url, load_entry_points=False)
    reader = bootstrap(url, load_entry_points=False)
    follower = Follower(reader.views.projection).start()
    try:
        assert until(follower.leading.is_set)
        record(writer, 40)
        head = writer.app.head().position
        assert until(lambda: reader.views.projection.position() == head)
        reading = reader.views.reading(Level.ALL, caller="auditor")
        assert (reading.position, reading.behind) == (head, 0)
    finally:
        follower.close()
        writer.close()
        reader.close()


def test_one_follower_folds_the_others_wait(url):
    first = bootstrap(url, load_entry_points=False)
    second = bootstrap(url, load_entry_points=False)
    leader = Follower(first.views.projection, retry=0.1).start()
    other = Follower(second.views.projection, retry=0.1).start()
    try:
        assert until(lambda: leader.leading.is_set() or other.leading.is_set())
        time.sleep(0.3)
        assert leader.leading.is_set() != other.leading.is_set()
        was, waiting = (leader, other) if leader.leading.is_set() else (other, leader)
        was.close()  # its lease goes with it; the other takes over
        assert until(waiting.leading.is_set, 5)
        record(first, 10)
        head = first.app.head().position
        assert until(lambda: second.views.projection.position() == head)
    finally:
        leader.close()
        other.close()
        first.close()
        second.close()


def test_a_request_far_behind_answers_at_once_and_says_so(url, monkeypatch):
    services = bootstrap(url, load_entry_points=False)
    record(services, 5)
    services.views.projection.catch_up()
    folded = services.views.projection.position()
    record(services, 30, seed=1)
    head = services.app.head().position
    monkeypatch.setattr(service, "SMALL_LAG", 10)  # 30 events is "far" here
    with services.sql.lease(LEASE) as held:  # as if a follower were at work
        assert held
        started = time.monotonic()
        reading = services.views.reading(Level.ALL, caller="someone-else")
        assert time.monotonic() - started < 1.0
        assert (reading.position, reading.behind) == (folded, head - folded)
        assert services.views.envelope(reading, None)["behind"] == head - folded
    services.close()


def test_a_caller_reads_its_own_writes_while_a_slow_follower_holds_the_lease(url):
    services = bootstrap(url, load_entry_points=False)
    services.views.projection.catch_up()
    recorded = record(services, 3)
    with services.sql.lease(LEASE) as held:  # a follower that does not fold
        assert held
        reading = services.views.reading(Level.ALL, caller="writer")
    assert reading.position == recorded[-1].position and reading.behind == 0
    services.close()
