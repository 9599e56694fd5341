"""A plugin defined here, as a third party would write one, is accepted end to end."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from marshmallow import Schema

from core import fields as f
from core.errors import LifecycleConflict
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from followup.bootstrap import bootstrap
from plugins import hookimpl


class TrainingCourseSchema(Schema):
    course = f.reference("course")
    provider = f.party()


def opened(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(f"Course {fact.payload['course']} already exists.")
    return {"opened_on": fact.occurred_on.isoformat()}


class TrainingPlugin:
    @hookimpl
    def followup_event_types(self) -> list[EventType]:
        return [
            EventType(
                "TrainingCourseOpened",
                TrainingCourseSchema,
                area="training",
                subject=lifecycle("course", "course"),
                rule=opened,
                party_fields=("provider",),
            )
        ]


@pytest.fixture
def services():
    services = bootstrap("memory://", load_entry_points=False, extra_plugins=[TrainingPlugin()])
    yield services
    services.close()


def test_a_plugin_type_is_validated_recorded_and_read_back(services):
    raw = {
        "type": "TrainingCourseOpened",
        "occurred_on": "2012-01-01",
        "course": "C-1",
        "provider": "NLD",
    }
    event = services.app.record_raw(raw, "tester")
    assert services.app.get_event(event.id).payload == {"course": "C-1", "provider": "NLD"}
    with pytest.raises(LifecycleConflict, match="already exists"):
        services.app.record_raw(raw, "tester")


def test_without_the_plugin_the_type_is_unknown(memory_services):
    assert "TrainingCourseOpened" not in memory_services.catalogue


def test_a_plugin_may_not_redefine_envelope_fields():
    class Clashing(Schema):
        summary = f.text()

    class Bad:
        @hookimpl
        def followup_event_types(self):
            return [EventType("Clash", Clashing, area="x")]

    with pytest.raises(ValueError, match="redefines envelope fields"):
        bootstrap("memory://", load_entry_points=False, extra_plugins=[Bad()])
