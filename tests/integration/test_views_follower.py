"""Views kept current off the request path, on SQLite and PostgreSQL: a follower folds
what another process records, woken by the store; one follower per store holds the
lease; a request far behind the log answers at once, saying how far behind (in the
API's answers too), and a caller reads its own writes, a little behind or far."""

from __future__ import annotations

import threading
import time

import pytest

from api import create_app
from core.views import service, writing
from core.views.follower import LEASE, Follower
from core.views.model import Level
from core.views.tables import END
from followup.bootstrap import bootstrap
from tests.integration.test_projection import (
    answers,
    correct_title,
    sign_agreement,
    with_every_type,
)
from tests.server import store_url_for
from tests.storelog import extra_events


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    return store_url_for(request, tmp_path)


def record(services, count, seed=0, by="writer"):
    app = services.app
    events = [app.validate(e) for e in extra_events(count, seed)]
    return app.record_batch(events, by, None)


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


def test_a_follower_on_current_views_gets_its_fold_ready_while_it_waits(url):
    writer = bootstrap(url, load_entry_points=False)
    record(writer, 40)
    writer.views.projection.catch_up()
    reader = bootstrap(url, load_entry_points=False)
    projection = reader.views.projection
    assert projection.ready_at is None
    follower = Follower(projection).start()
    try:
        head = writer.app.head().position
        assert until(lambda: projection.ready_at == head)  # nothing folded: made ready
        record(writer, 40, seed=1)
        head = writer.app.head().position
        assert until(lambda: projection.position() == head)
        followed = answers(reader)
    finally:
        follower.close()
    writer.views.projection.rebuild()  # the same log folded from nothing
    assert answers(writer) == followed
    writer.close()
    reader.close()


PARTIES = ["FRA", "DEU", "ITA", "ESP", "NLD", "BEL", "PRT"]


def test_a_fold_made_ready_holds_the_items_changed_last(url, monkeypatch):
    writer = with_every_type(url)
    signed = [sign_agreement(writer.app, f"AGR-{n}", party) for n, party in enumerate(PARTIES)]
    writer.views.projection.catch_up()
    reader = bootstrap(url, load_entry_points=False)
    projection = reader.views.projection
    monkeypatch.setattr(writing, "WARM_ITEMS", 5)
    head = writer.app.head().position
    projection.ready(head)
    assert projection.ready_at == head
    assert projection._book is not None
    held = set(projection._book.items)
    changed: dict[tuple[str, str], int] = {}
    with reader.sql.transaction(write=False) as c:
        c.execute(
            f"SELECT view, key, from_pos FROM view_items WHERE end_1 = {END} OR end_2 = {END}"
        )
        for view, key, from_pos in c.fetchrows():
            changed[(view, key)] = max(from_pos, changed.get((view, key), 0))
    assert len(held) == 5 and len(changed) > 5
    assert min(changed[k] for k in held) >= max(v for k, v in changed.items() if k not in held)

    for event_id in signed:  # the items changed last, changed again
        correct_title(writer.app, event_id, "Agreement on sentences")
    projection.catch_up()  # from the Book made ready
    followed = answers(reader)
    writer.views.projection.rebuild()
    assert answers(writer) == followed
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


def test_a_caller_far_behind_waits_for_its_own_writes_only(url, monkeypatch):
    services = bootstrap(url, load_entry_points=False)
    follower = bootstrap(url, load_entry_points=False)
    services.views.projection.catch_up()
    own = record(services, 4, by="writer")[-1].position
    record(services, 30, seed=1, by="someone-else")
    head = services.app.head().position
    monkeypatch.setattr(service, "SMALL_LAG", 10)  # 34 events is "far"; the own writes near
    monkeypatch.setattr(service, "OWN_WRITES_WAIT", 10.0)  # a loaded machine folds slowly
    go = threading.Event()

    def slowly():  # a follower at work, folding slowly: it reaches the caller's last
        go.wait(10)  # write 0.3 s after the caller asks, and stops there
        time.sleep(0.3)
        follower.views.projection.catch_up(upto=own)

    with services.sql.lease(LEASE) as held:
        assert held
        folding = threading.Thread(target=slowly)
        folding.start()
        try:
            others = services.views.reading(Level.ALL, caller="someone-else")
            assert (others.position, others.behind) == (0, head)
            go.set()
            started = time.monotonic()
            mine = services.views.reading(Level.ALL, caller="writer")
            waited = time.monotonic() - started
        finally:
            go.set()
            folding.join()
    assert (mine.position, mine.behind) == (own, head - own)
    assert 0.2 < waited < 10.0
    follower.close()
    services.close()


def test_the_api_says_how_far_behind_it_answers(url, monkeypatch):
    services = bootstrap(url, load_entry_points=False)
    token = services.tokens.create("reader", "auditor", "tests")
    client = create_app(services=services).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/summary", headers=headers).get_json()["behind"] == 0
    folded = services.views.projection.position()
    record(services, 30)
    head = services.app.head().position
    monkeypatch.setattr(service, "SMALL_LAG", 10)
    with services.sql.lease(LEASE) as held:
        assert held
        for path in ("/api/v1/summary", "/api/v1/agreements", "/api/v1/parties"):
            answer = client.get(path, headers=headers).get_json()
            assert (answer["position"], answer["behind"]) == (folded, head - folded), path
            assert answer["final"] is False, path  # asked again later, it will differ
    # The follower gone, the next request is answered at the head.
    answer = client.get("/api/v1/summary", headers=headers).get_json()
    assert (answer["position"], answer["behind"], answer["final"]) == (head, 0, True)
    services.close()
