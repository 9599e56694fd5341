"""Reading the views at their own position, as the present is read (issue 19): whole
lists keep the text of their standing rows between readings (core/views/standing.py)
and still equal a naive fold as the views move on, on every store; kept texts are
forgotten when the log under them changed; a summary reads a family's checkpoint
documents when a figure needs them, and says so if the views were folded again from
zero in between rather than mix two folds."""

from __future__ import annotations

import itertools
import threading
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.views.memory import fold
from core.views.model import Level, Period
from core.views.projection import Projection
from core.views.reading import ViewReading
from core.views.snapshot import ViewsChanged
from core.views.standing import Stamp, StandingTexts, WholeList
from followup.bootstrap import bootstrap
from tests.integration.test_views_stores import on_postgresql, on_sqlite
from tests.storelog import fill
from tests.unit.test_views_against_fold import on_memory
from tests.views_history import record_history

#: Tallies read as histograms (the medians and series of the plugins' figures).
HISTOGRAMS = (
    "requests.days_to_answer",
    "witness_protection.applications",
    "witness_protection.persons",
    "non_cooperation.travels_in",
    "non_cooperation.findings_in",
    "non_cooperation.referrals_in",
)
#: Few dates, so that a list is read again on the same date as often as on another.
DATES = [date(2004, 1, 1), date(2008, 6, 30), date(2016, 1, 1)]


def check_lists_as_the_views_move(services, data):
    """Record a random history in steps; after each, read every view's whole list at
    the views' position, at both levels, on a few dates (again and again, in the same
    process: the texts kept serve), and the histograms over a random period or up to
    the date, and compare with a naive fold of the log."""
    app, views = services.app, services.views
    views.projection = Projection(app, services.sql, views.folds, delta_every=3, full_every=8)
    for _ in range(3):
        record_history(data, app, size=data.draw(st.integers(4, 20)))
        head = views.projection.catch_up()
        log = list(app.read_log())
        for level in Level:
            for on in data.draw(st.lists(st.sampled_from(DATES), min_size=1, max_size=4)):
                first = data.draw(st.none() | st.dates(date(2002, 1, 1), on))
                reading = views.reading(level, on=on, first=first)
                assert reading.position == head
                period = Period(on=on, first=first)
                naive = ViewReading(fold(views.folds, log, level, head), views.folds, period)
                for view in views.folds.views:
                    assert reading.items(view) == naive.items(view), (view, level, on)
                for prefix, cumulative in itertools.product(HISTOGRAMS, (False, True)):
                    assert reading.histogram(prefix, cumulative=cumulative) == naive.histogram(
                        prefix, cumulative=cumulative
                    ), (prefix, cumulative)


EXAMPLES = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))


def test_whole_lists_equal_a_naive_fold_as_the_views_move_on_sqlite(tmp_path):
    on_sqlite(tmp_path, check_lists_as_the_views_move, EXAMPLES)


def test_whole_lists_equal_a_naive_fold_as_the_views_move_on_postgresql(postgres_cluster):
    few = settings(EXAMPLES, max_examples=3)
    on_postgresql(postgres_cluster, check_lists_as_the_views_move, few)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_whole_lists_equal_a_naive_fold_as_the_views_move_on_the_memory_store(data):
    on_memory(check_lists_as_the_views_move, data)


def sign(app, title, agreement="AG-1"):
    return app.record_raw(
        {
            "type": "AgreementSigned",
            "occurred_on": "2005-10-27",
            "agreement": agreement,
            "kind": "enforcement_of_sentences",
            "parties": ["AUT"],
            "title": title,
        },
        "tester",
        None,
    )


@pytest.mark.parametrize("store", ["sqlite", "memory"])
def test_an_item_gone_since_the_list_was_read_is_gone_from_it(store, tmp_path):
    """Its first event retracted, an item leaves no row standing to say so; the list
    read again on the same date (brought up to date by the rows written since) must
    not show it."""
    url = f"sqlite:///{tmp_path}/gone.sqlite" if store == "sqlite" else "memory://"
    services = bootstrap(url, load_entry_points=False)
    app, views = services.app, services.views
    first = sign(app, "First", "AG-1")
    sign(app, "Second", "AG-2")
    assert [i["title"] for i in views.reading(Level.ALL).items("agreements")] == [
        "First",
        "Second",
    ]
    app.record_raw(
        {
            "type": "EventRetracted",
            "occurred_on": "2006-01-01",
            "retracts": str(first.id),
            "reason": "recorded by mistake",
        },
        "tester",
        None,
    )
    sign(app, "Third", "AG-3")
    assert [i["title"] for i in views.reading(Level.ALL).items("agreements")] == [
        "Second",
        "Third",
    ]
    services.close()


def test_texts_kept_are_forgotten_when_the_log_under_them_changed(tmp_path):
    """The log cut and written again (then the views rebuilt): the same agreement at
    the same position now says something else, and the list says it too."""
    services = bootstrap(f"sqlite:///{tmp_path}/cut.sqlite", load_entry_points=False)
    app, views = services.app, services.views
    sign(app, "First")
    views.projection.catch_up()
    assert [i["title"] for i in views.reading(Level.ALL).items("agreements")] == ["First"]
    with services.sql.transaction(write=True) as c:
        c.execute("DELETE FROM stored_events WHERE rowid = 1")
    views.projection.rebuild()
    assert sign(app, "Second").position == 1
    views.projection.catch_up()
    assert [i["title"] for i in views.reading(Level.ALL).items("agreements")] == ["Second"]
    services.close()


def test_texts_kept_hold_while_the_log_under_them_is_the_same(tmp_path):
    services = bootstrap(f"sqlite:///{tmp_path}/kept.sqlite", load_entry_points=False)
    app = services.app
    fill(app, extra=4)
    head = app.head().position
    position, digest = services.views.projection.catch_up(), services.views.projection.tracking()[1]
    assert position == head
    kept = WholeList(
        Stamp(head, digest, "plugins"), {"AG-1": (3, "{}")}, "2020-01-01", ["AG-1"], []
    )
    texts = StandingTexts()
    texts.keep(1, "agreements", kept)
    assert texts.held(1, "agreements", Stamp(head, digest, "plugins"), app) is kept
    assert texts.held(2, "agreements", Stamp(head, digest, "plugins"), app) is None
    # The views moved on over the same log: still valid (the log's hash where kept).
    sign(app, "Later")
    assert texts.held(1, "agreements", Stamp(head + 1, "", "plugins"), app) is kept
    # Other plugins, or another log where they were kept: forgotten.
    assert texts.held(1, "agreements", Stamp(head + 1, "", "others"), app) is None
    texts.keep(1, "agreements", WholeList(Stamp(head, "00" * 32, "plugins"), {}, "", [], []))
    assert texts.held(1, "agreements", Stamp(head + 1, "", "plugins"), app) is None
    texts.keep(1, "agreements", WholeList(Stamp(head + 5, digest, "plugins"), {}, "", [], []))
    assert texts.held(1, "agreements", Stamp(head + 1, "", "plugins"), app) is None
    services.close()


def test_readers_in_threads_read_the_same_lists(tmp_path):
    """The server reads in threads: each reading makes its own texts and rows; the
    lists read at once on several dates equal those read one after the other."""
    services = bootstrap(f"sqlite:///{tmp_path}/threads.sqlite", load_entry_points=False)
    fill(services.app, extra=30)
    views = services.views
    views.projection.catch_up()
    wanted = ("agreements", "warrants", "requests", "witness_protection")
    alone = {
        (on, level): [views.reading(level, on=on).items(v) for v in wanted]
        for on in DATES
        for level in Level
    }
    found, failures = [], []

    def read(on, level):
        try:
            for _ in range(5):
                found.append(((on, level), [views.reading(level, on=on).items(v) for v in wanted]))
        except Exception as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=read, args=key) for key in alone for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert len(found) == len(threads) * 5
    assert all(items == alone[key] for key, items in found)
    services.close()


@pytest.fixture
def folded(tmp_path):
    services = bootstrap(f"sqlite:///{tmp_path}/checkpoints.sqlite", load_entry_points=False)
    fill(services.app, extra=30)
    views = services.views
    views.projection = Projection(
        services.app, services.sql, views.folds, delta_every=5, full_every=20
    )
    views.projection.catch_up()
    yield services
    services.close()


def test_a_summary_read_while_the_views_are_folded_again_says_so(folded):
    views = folded.views
    reading = views.reading(Level.ALL)
    reading.snapshot._load()  # the checkpoints found, their documents not read yet
    with folded.sql.transaction(write=True) as c:
        Projection._forget(c, views.folds.fingerprint())  # as `views rebuild` begins
    with pytest.raises(ViewsChanged, match="folded again while being read"):
        views.summary(reading)


def test_a_summary_read_across_a_rebuild_of_the_same_log_answers_as_before(folded):
    views = folded.views
    before = views.summary(views.reading(Level.ALL))
    reading = views.reading(Level.ALL)
    reading.snapshot._load()
    views.projection.rebuild()
    assert views.summary(reading) == before
