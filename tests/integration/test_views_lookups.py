"""A fold's helper looks up, ahead of the fold, the targets of a page's corrections,
retractions and lowerings (their positions, and the log's own version of each), so the
fold does not ask the store for them one at a time; what it finds is what the fold
would have found."""

from __future__ import annotations

from uuid import UUID

from core.errors import LifecycleConflict
from core.eventtypes import Effect
from core.integrity import GENESIS
from core.views import helper, writing
from core.views.helper import _prepare, look_up
from core.views.writing import as_folded
from tests.integration.test_projection import answers, with_every_type


def with_changes_of_common_events(url):
    """Every type, and a correction of a statement (a type no item is made of: a
    helper folds it, so the fold does not know where it is)."""
    services = with_every_type(url)
    app = services.app
    records = app.log.select_records(after=0, upto=app.head().position, limit=10_000)
    statement = next(r for r in records if b'"type":"StatementDelivered"' in r.state)
    correction = {
        "type": "EventCorrected",
        "occurred_on": "2010-01-01",
        "corrects": str(statement.event_id),
        "reason": "The forum was wrong.",
        "changes": {"forum": "security_council"},
    }
    app.record_batch([app.validate(correction)], "tester", None)
    return services


def changes_and_targets(services, facts):
    """Each change event of the log and the position of the event it changes."""
    app, folds = services.app, services.views.folds
    found = []
    for fact in facts:
        event_type = folds.catalogue.types[fact.type]
        if event_type.effect is not Effect.RECORD:
            target = app.log.find_record(UUID(str(event_type.target_of(fact.payload))))
            found.append((fact, target.position))
    return found


def test_the_helper_finds_what_the_fold_would(sqlite_url):
    services = with_changes_of_common_events(sqlite_url)
    projection, folds = services.views.projection, services.views.folds
    feed = projection.feed
    page = feed.page(0, services.app.head().position, 10_000, GENESIS)
    prepared = _prepare(page.facts, page.streams, page.last_hash, folds, projection._simple, 2000)
    look_up(feed, folds, prepared, page.facts)

    expected = changes_and_targets(services, page.facts)
    assert len(expected) >= 3  # a correction, a retraction, a lowering at least
    for fact, position in expected:
        target = str(folds.catalogue.types[fact.type].target_of(fact.payload))
        assert prepared.targets[target] == position
        logged = feed.fact(feed.scanner.rows_at([position])[0])
        assert prepared.target_facts[position] == as_folded(folds, logged)
    services.close()


def test_a_fold_with_a_helper_asks_the_store_nothing_for_its_changes(sqlite_url, monkeypatch):
    services = with_changes_of_common_events(sqlite_url)
    projection = services.views.projection
    asked: list[str] = []  # the helper is a fork: its own calls are not counted here
    find, rows_at = writing.target_position, projection.feed.scanner.rows_at
    monkeypatch.setattr(writing, "target_position", lambda *a: asked.append("position") or find(*a))
    monkeypatch.setattr(
        projection.feed.scanner, "rows_at", lambda p: asked.append("rows") or rows_at(p)
    )

    projection.helper_min = 0  # a helper for any fold
    with monkeypatch.context() as patched:  # a helper that looks nothing up
        patched.setattr(helper, "look_up", lambda *a: None)
        projection.rebuild()
    assert "position" in asked  # the fold asked the store itself
    without = answers(services)

    asked.clear()
    projection.rebuild()
    assert asked == []
    assert answers(services) == without
    services.close()


def test_a_page_reads_the_events_its_changes_target_in_one_query(sqlite_url, monkeypatch):
    """Changes of events an earlier catch-up folded: the fold reads their targets'
    standing versions before the page, in one query, not one each as the changes
    come (each a round trip on PostgreSQL); and folds them as a full replay does."""
    services = with_every_type(sqlite_url)
    projection, app, folds = services.views.projection, services.app, services.views.folds
    projection.catch_up()
    page = projection.feed.page(0, app.head().position, 10_000, GENESIS)
    recorded = [f for f in page.facts if folds.catalogue.types[f.type].effect is Effect.RECORD]
    before = answers(services)
    targets = []  # four events whose retraction breaks no lifecycle rule
    for fact in recorded:
        retraction = {
            "type": "EventRetracted",
            "occurred_on": "2010-01-01",
            "retracts": str(fact.id),
            "reason": "Recorded twice.",
        }
        try:
            app.record_batch([app.validate(retraction)], "tester", None)
        except LifecycleConflict:
            continue
        targets.append(fact)
        if len(targets) == 4:
            break

    singles: list[int] = []
    batches: list[list[int]] = []
    one, many = writing.PageWriter._load_fact, writing.PageWriter._load_facts
    monkeypatch.setattr(
        writing.PageWriter, "_load_fact", lambda self, p: singles.append(p) or one(self, p)
    )
    monkeypatch.setattr(
        writing.PageWriter, "_load_facts", lambda self, ps: batches.append(ps) or many(self, ps)
    )
    projection.helper_min = 0  # a helper for any fold: it finds the targets' positions
    projection.catch_up()
    positions = sorted(f.position for f in targets)
    assert batches[0] == positions  # the first query, before the page
    assert not set(singles) & set(positions)  # (a refold still reads its members)
    caught_up = answers(services)
    assert caught_up != before  # the retractions were folded
    projection.rebuild()
    assert answers(services) == caught_up
    services.close()
