"""Filtered reads of the log: filters, stable pages, as-of positions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.queries import EventFilter, as_of_moment, find_events, position_as_of
from tests.samples import every_type


@pytest.fixture
def app(memory_services):
    app = memory_services.app
    app.record_batch([app.validate(raw) for raw in every_type()], "tester", None)
    return app


def positions(page):
    return [e.position for e in page.events]


def test_without_filter_pages_cover_the_log_once(app):
    seen = []
    after = 0
    while True:
        page = find_events(app, EventFilter(), after=after, limit=7)
        seen += positions(page)
        if page.next_after is None:
            break
        assert page.next_after == page.events[-1].position
        after = page.next_after
    assert seen == list(range(1, len(every_type()) + 1))


def test_the_last_full_page_says_there_is_no_next(app):
    total = len(every_type())
    page = find_events(app, EventFilter(), limit=total)
    assert len(page.events) == total
    assert page.next_after is None


def test_filters_by_type_party_and_period(app):
    signed = find_events(app, EventFilter(types=frozenset({"AgreementSigned"})))
    assert [e.payload["agreement"] for e in signed.events] == ["ESA-AUT-2005", "WRA-X-2006"]
    nld = find_events(app, EventFilter(party="NLD"))
    assert nld.events and all("NLD" in str(e.payload) for e in nld.events)
    assert {e.type for e in nld.events} >= {"StateBecameParty", "TechnicalAssistanceProvided"}
    period = find_events(
        app, EventFilter(occurred_from=date(2009, 1, 1), occurred_to=date(2009, 12, 31))
    )
    assert period.events
    assert all(date(2009, 1, 1) <= e.occurred_on <= date(2009, 12, 31) for e in period.events)


def test_visibility_is_applied_while_paging(app):
    page = find_events(
        app, EventFilter(), limit=1000, visible=lambda e: e.classification == "public"
    )
    assert all(e.classification == "public" for e in page.events)
    # A confidential agreement, its termination (which inherits its classification),
    # one restricted event, and a confidential application (lowered later: the lowering
    # is an event of its own, the application stays recorded as it was).
    assert len(page.events) == len(every_type()) - 4


def test_upto_limits_to_what_was_known(app):
    page = find_events(app, EventFilter(), upto=3)
    assert positions(page) == [1, 2, 3]


def test_as_of(app):
    assert as_of_moment("2010-12-31") == datetime(2010, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert as_of_moment("2010-12-31T12:00:00+01:00") == datetime(2010, 12, 31, 11, tzinfo=UTC)
    for bad in ("yesterday", "2010-13-01", "2010-12-31X", "12:00"):
        with pytest.raises(ValueError):
            as_of_moment(bad)
    assert position_as_of(app, datetime(2001, 1, 1, tzinfo=UTC)) == 0
    assert position_as_of(app, datetime.now(UTC)) == len(every_type())
