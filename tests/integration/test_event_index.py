"""Filtered reads go through the event index: they return exactly what reading the
whole log and filtering it would, page by page, on every store, as the log grows and
when the catalogue changes."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest

from core import event_index
from core.queries import EventFilter, find_events
from tests.samples import every_type


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def services(request):
    name = {"memory": "memory_services", "sqlite": "sqlite_services"}.get(
        request.param, "postgres_services"
    )
    return request.getfixturevalue(name)


def record_all(app) -> None:
    app.record_batch([app.validate(raw) for raw in every_type()], "tester", None)


def by_scanning(app, where: EventFilter, upto: int | None = None) -> list[int]:
    return [
        e.position
        for e in app.read_log()
        if where.matches(e, app) and (upto is None or e.position <= upto)
    ]


def paged(app, where: EventFilter, limit: int, upto: int | None = None) -> list[int]:
    seen: list[int] = []
    after = 0
    while True:
        page = find_events(app, where, after=after, upto=upto, limit=limit)
        seen += [e.position for e in page.events]
        if page.next_after is None:
            return seen
        after = page.next_after


def filters(app, rng: random.Random, count: int) -> list[EventFilter]:
    events = list(app.read_log())
    types = sorted({e.type for e in events})
    parties = ["NLD", "KEN", "UGA", "FRA", "COD", "AU"]
    made = []
    for _ in range(count):
        low = date(rng.randint(1999, 2012), 1, 1)
        made.append(
            EventFilter(
                types=frozenset(rng.sample(types, rng.randint(0, 3))),
                party=rng.choice([None, *parties]),
                occurred_from=rng.choice([None, low]),
                occurred_to=rng.choice([None, date(low.year + rng.randint(0, 8), 12, 31)]),
            )
        )
    return made


def test_indexed_reads_equal_a_filtered_scan(services):
    app = services.app
    record_all(app)
    rng = random.Random(3)
    for where in filters(app, rng, 40):
        expected = by_scanning(app, where)
        assert paged(app, where, limit=rng.randint(1, 5)) == expected, where
        upto = rng.randint(1, app.head().position)
        assert paged(app, where, limit=3, upto=upto) == by_scanning(app, where, upto), where


def test_the_index_follows_the_log_as_it_grows(services):
    app = services.app
    record_all(app)
    signed = EventFilter(types=frozenset({"AgreementSigned"}))
    first = paged(app, signed, limit=10)
    app.record_raw(
        {
            "type": "AgreementSigned",
            "occurred_on": "2011-03-01",
            "agreement": "ESA-GRC-2011",
            "kind": "enforcement_of_sentences",
            "parties": ["GRC"],
            "title": "Agreement on the enforcement of sentences",
        },
        "tester",
        None,
    )
    assert paged(app, signed, limit=10) == [*first, app.head().position]
    assert event_index.catch_up(app) == app.head().position


def test_a_changed_catalogue_reindexes(services, monkeypatch):
    """A plugin that changes a type's party fields changes which events name a party."""
    app = services.app
    record_all(app)
    workshop = app.catalogue.types["WorkshopHeld"]
    organiser = EventFilter(party="AU", types=frozenset({"WorkshopHeld"}))
    before = paged(app, organiser, limit=10)
    assert before and before == by_scanning(app, organiser)
    changed = replace(workshop, party_fields=("host", "participants"))
    monkeypatch.setitem(app.catalogue.types, "WorkshopHeld", changed)
    assert paged(app, organiser, limit=10) == by_scanning(app, organiser) == []
