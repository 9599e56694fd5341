"""The projection keeps up with the log exactly once: across several processes catching
up at the same time, across a failure in the middle of a page, and after a rebuild."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from core.views.model import Level
from core.views.writing import PageWriter
from followup.bootstrap import bootstrap
from tests.samples import every_type


def answers(services):
    views = services.views
    reading = views.reading(Level.ALL)
    return views.summary(reading), reading.items("agreements"), reading.snapshot.entries()


def record_samples(url):
    services = bootstrap(url, load_entry_points=False)
    app = services.app
    app.record_batch([app.validate(e) for e in every_type()[:8]], "tester", None)
    return services


def tables(services):
    with services.sql.transaction(write=False) as c:
        counts = {}
        for table in (
            "view_versions",
            "view_postings",
            "view_items",
            "view_item_tallies",
            "view_members",
            "view_checkpoints",
        ):
            c.execute(f"SELECT COUNT(*) AS n FROM {table}")
            counts[table] = c.fetchone()["n"]
        return counts


def store_url(store, sqlite_url, postgres_cluster):
    """A fresh store's URL on either backend."""
    if store == "sqlite":
        return sqlite_url
    return postgres_cluster.url(postgres_cluster.create_database())


def sign_agreement(app, agreement: str, party: str) -> str:
    """Record an agreement signed with one party; its event's id."""
    raw = {
        "type": "AgreementSigned",
        "occurred_on": "2005-10-27",
        "agreement": agreement,
        "kind": "enforcement_of_sentences",
        "parties": [party],
        "title": "Agreement on the enforcement of sentences",
    }
    return str(app.record_raw(raw, "tester", None).id)


def correct_title(app, event_id: str, title: str) -> None:
    """Record a correction of an agreement's title."""
    raw = {
        "type": "EventCorrected",
        "occurred_on": "2010-12-02",
        "corrects": event_id,
        "changes": {"title": title},
        "reason": "corrected",
    }
    app.record_raw(raw, "tester", None)


def with_every_type(url):
    """A store holding an event of every type, none folded yet."""
    services = bootstrap(url, load_entry_points=False)
    app = services.app
    app.record_batch([app.validate(e) for e in every_type()], "tester", None)
    return services


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_several_workers_catching_up_at_once_apply_each_event_once(
    store, sqlite_url, postgres_cluster
):
    url = store_url(store, sqlite_url, postgres_cluster)
    writer = with_every_type(url)
    workers = [bootstrap(url, load_entry_points=False) for _ in range(4)]
    for worker in workers:
        # Small pages: the workers interleave page by page.
        worker.views.projection.page = 3
    errors = []

    def catch_up(services):
        try:
            services.views.projection.catch_up()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=catch_up, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    shared = answers(workers[0])
    counts = tables(workers[0])
    workers[0].views.projection.rebuild()
    assert answers(workers[0]) == shared
    assert tables(workers[0]) == counts
    for services in (writer, *workers):
        services.close()


def test_a_failure_in_a_page_applies_none_of_it(sqlite_url, monkeypatch):
    services = record_samples(sqlite_url)
    projection = services.views.projection
    projection.page = 100
    original = PageWriter.begin
    calls = {"n": 0}

    def failing(writer, position):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("power cut")
        original(writer, position)

    # The fifth event of the page fails, after four were folded (in memory).
    monkeypatch.setattr(PageWriter, "begin", failing)
    with pytest.raises(RuntimeError):
        projection.catch_up()
    assert projection.position() == 0
    assert all(n == 0 for n in tables(services).values())
    monkeypatch.setattr(PageWriter, "begin", original)
    assert projection.catch_up() == services.app.head().position
    fresh = bootstrap(sqlite_url, load_entry_points=False)
    fresh.views.projection.rebuild()
    assert answers(fresh) == answers(services)
    fresh.close()
    services.close()


def test_views_pick_up_events_recorded_by_another_process(sqlite_url):
    reader = record_samples(sqlite_url)
    assert "HighLevelVisit" not in answers(reader)[2]
    writer = bootstrap(sqlite_url, load_entry_points=False)
    visit = {
        "type": "HighLevelVisit",
        "occurred_on": "2009-04-01",
        "organ": "registry",
        "host": "UGA",
    }
    writer.app.record_raw(visit, "tester", None)
    # Another connection pool (as another worker would have): caught up on read.
    assert answers(reader)[2]["HighLevelVisit"] == 1
    reader.close()
    writer.close()


def test_views_fold_again_when_plugins_come_or_go(sqlite_url):
    from core.views.model import ItemHandler
    from plugins import hookimpl
    from tests.unit.test_plugins import TrainingPlugin

    class WithView(TrainingPlugin):
        @hookimpl
        def followup_view_handlers(self):
            return [
                ItemHandler(
                    view="courses",
                    types=frozenset({"TrainingCourseOpened"}),
                    keys=lambda fact: [fact.payload["course"]],
                    fold=lambda item, fact: {"course": fact.payload["course"]},
                )
            ]

    course = {
        "type": "TrainingCourseOpened",
        "occurred_on": "2012-01-01",
        "course": "C-1",
        "provider": "NLD",
    }
    with_plugin = bootstrap(sqlite_url, load_entry_points=False, extra_plugins=[WithView()])
    with_plugin.app.record_raw(course, "tester", None)
    reading = with_plugin.views.reading(Level.ALL)
    assert [i["course"] for i in reading.items("courses")] == ["C-1"]
    with_plugin.close()

    without = bootstrap(sqlite_url, load_entry_points=False)
    reading = without.views.reading(Level.ALL)
    assert reading.items("courses") == []
    assert reading.snapshot.entries() == {"TrainingCourseOpened": 1}  # kept, not dropped
    without.close()

    again = bootstrap(sqlite_url, load_entry_points=False, extra_plugins=[WithView()])
    assert [i["course"] for i in again.views.reading(Level.ALL).items("courses")] == ["C-1"]
    again.close()


def test_setting_up_the_views_waits_for_a_busy_database(sqlite_url):
    """A server's workers boot beside a follower folding a page: the views' set-up
    waits for the database's write lock (longer than a page's short wait), or the
    worker would fail to boot and gunicorn stop the server."""
    bootstrap(sqlite_url, load_entry_points=False).close()
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # a writer holding the lock for a second
    release = threading.Timer(1.0, holder.rollback)
    release.start()
    try:
        services = bootstrap(sqlite_url, load_entry_points=False)
        assert services.views.projection.position() == 0
        services.close()
    finally:
        release.join()
        holder.close()
