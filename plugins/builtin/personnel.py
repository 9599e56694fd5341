"""Part I, cluster 7 (personnel): rosters of experts and gratis personnel."""

from __future__ import annotations

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType
from plugins import hookimpl

AREA = "personnel"


class ExpertsRostered(Schema):
    state = f.state()
    experts = f.count()
    field = f.text(max_length=200)


class GratisPersonnelProvided(Schema):
    state = f.state()
    persons = f.count()
    months = f.count()


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "ExpertsRostered",
            ExpertsRostered,
            AREA,
            "A State contributed experts to a roster (recommendation 29).",
            party_fields=("state",),
        ),
        EventType(
            "GratisPersonnelProvided",
            GratisPersonnelProvided,
            AREA,
            "A State provided government officials to the Court (recommendation 30).",
            party_fields=("state",),
        ),
    ]
