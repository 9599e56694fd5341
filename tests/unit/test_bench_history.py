"""The benchmarks' synthetic history (bench/history.py) and how bench/views reads its
replay's progress: the shortcuts they take must not change what is measured."""

from __future__ import annotations

import pytest

from bench.history import Drafting, History, build
from bench.views import Replay
from followup.bootstrap import bootstrap


@pytest.fixture
def app():
    services = bootstrap("memory://", load_entry_points=False)
    yield services.app
    services.close()


def test_a_history_has_exactly_the_events_asked_for():
    assert sum(1 for _ in History(3_000, seed=3).events()) == 3_000


def test_drafting_directly_gives_what_validation_gives(app):
    """Every event of a history, drafted directly, is the draft the catalogue's
    validation makes of it — so no type needs validating after its first checks."""
    drafting = Drafting(app)
    for raw in History(3_000, seed=5).events():
        assert drafting(raw) == app.validate(raw), raw["type"]
    assert drafting.always == set()
    assert drafting.validated > 0


def test_a_type_whose_direct_draft_differs_is_validated_from_then_on(app):
    drafting = Drafting(app, first=1, every=10**9)
    # No `warrant`: validation adds it (null), the direct draft does not.
    raw = {"type": "AssetsFrozen", "occurred_on": "2010-05-01", "state": "FRA"}
    raw["description"] = "Accounts"
    assert drafting(raw) == app.validate(raw)
    assert drafting.always == {"AssetsFrozen"}
    assert drafting(dict(raw)) == app.validate(raw)


def test_build_records_the_history_through_the_application(app):
    assert build(app, 1_200, seed=2, batch=500) == 1_200
    assert app.head().position == 1_200


def test_the_replays_time_to_a_position_is_read_from_its_progress():
    replay = Replay(10.0, 100.0, [(0, 0.0), (100, 2.0), (200, 6.0), (250, 10.0)])
    assert replay.time_to(100) == 2.0
    assert replay.time_to(150) == pytest.approx(4.0)
    assert replay.time_to(50) == pytest.approx(1.0)
    assert replay.time_to(250) == 10.0
    assert replay.time_to(300) == 10.0  # past the end: the whole replay
