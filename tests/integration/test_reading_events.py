"""Events are read back from the store the short way where its states are plain JSON
(core.application.plain_state: one orjson.loads) and through eventsourcing's mapper
otherwise (a compressed or encrypted store); both ways give the same events. A batch
gives back its events from the records its store wrote, not read again: as they read
back, every field."""

from __future__ import annotations

import dataclasses

import pytest

from core.application import FollowUp
from core.integrity import GENESIS
from core.views.feed import Feed
from followup.bootstrap import bootstrap, store_adapter
from tests.integration.test_projection import with_every_type
from tests.samples import every_type
from tests.server import store_url_for


def everything(event):
    """Every field of an event, those left out of its equality too."""
    return dataclasses.astuple(event)


def test_events_read_the_short_way_equal_the_mappers(sqlite_url):
    services = with_every_type(sqlite_url)
    app = services.app
    assert app.plain
    records = app.log.select_records(limit=10_000)
    rows = Feed(app).scanner.scan_log(after=0, limit=10_000)
    short = [everything(app.to_event(record)) for record in records]
    facts = [Feed(app).fact(row) for row in rows]
    app.plain = False
    assert [everything(app.to_event(record)) for record in records] == short
    assert [Feed(app).fact(row) for row in rows] == facts
    assert len(short) == len(records) > 30
    services.close()


def test_a_compressed_store_is_read_through_the_mapper(sqlite_url, tmp_path):
    plain = with_every_type(sqlite_url)
    url = f"sqlite:///{tmp_path}/compressed.sqlite"
    services = bootstrap(url, load_entry_points=False)
    environment = {
        **store_adapter(services.registry.stores, url).environment(url),
        "COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor",
    }
    app = FollowUp(environment, plain.app.catalogue)
    assert not app.plain
    drafts = [app.validate(raw) for raw in every_type()]
    recorded = app.record_batch(drafts, "tester", None)
    assert b'"payload"' not in app.log.select_records(limit=1)[0].state  # compressed
    read = list(app.read_log())
    assert [everything(event) for event in read] == [everything(event) for event in recorded]
    assert [(e.type, e.payload, e.occurred_on) for e in read] == [
        (d.type, d.payload, d.occurred_on) for d in drafts
    ]
    facts = Feed(app).page(0, len(read), 10_000, GENESIS)
    assert facts is not None
    assert [(f.type, f.payload) for f in facts.facts] == [(d.type, d.payload) for d in drafts]
    app.close()
    services.close()
    plain.close()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def any_store(request, tmp_path):
    return "memory://" if request.param == "memory" else store_url_for(request, tmp_path)


def test_a_batch_gives_back_its_events_as_they_read_back(any_store, monkeypatch):
    services = bootstrap(any_store, load_entry_points=False)
    app = services.app
    read_again = []
    monkeypatch.setattr(app, "_read_range", lambda *range: read_again.append(range))
    drafts = [app.validate(raw) for raw in every_type()]
    recorded = [*app.record_batch(drafts[:-1], "tester", None)]
    recorded.append(app.record(drafts[-1], "tester", None))  # a batch of one
    assert read_again == []
    read = [app.to_event(record) for record in app.log.select_records(limit=10_000)]
    assert [everything(event) for event in recorded] == [everything(event) for event in read]
    assert [e.position for e in recorded] == list(range(1, len(drafts) + 1))
    assert recorded[0].subject is not None and recorded[-1].hash == app.head().hexdigest
    services.close()


def test_a_store_that_gives_nothing_back_has_its_events_read_back(sqlite_url, monkeypatch):
    services = bootstrap(sqlite_url, load_entry_points=False)
    app = services.app
    monkeypatch.setattr("adapters.sqlite_store.written_records", lambda *written: [])
    recorded = app.record_batch([app.validate(raw) for raw in every_type()], "tester", None)
    read = [app.to_event(record) for record in app.log.select_records(limit=10_000)]
    assert [everything(event) for event in recorded] == [everything(event) for event in read]
    assert len(read) > 30
    services.close()
