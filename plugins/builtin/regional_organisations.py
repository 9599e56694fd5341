"""Part III (international and regional organisations): working groups within
organisations, and workshops and seminars (recommendations 4, 59, 65)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core import fields as f
from core.eventtypes import EventType
from core.parties import PartyKind
from plugins import hookimpl

AREA = "regional_organisations"


class WorkingGroupEstablished(Schema):
    organisation = f.PartyCode(
        kinds={PartyKind.ORGANISATION, PartyKind.UNITED_NATIONS}, required=True
    )
    mandate = f.text()


class WorkshopHeld(Schema):
    title = f.text(max_length=500)
    organiser = f.party()
    host = f.PartyCode(load_default=None)
    participants = f.parties()
    attendees = f.count(minimum=0)
    topics = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        required=True,
        validate=validate.Length(max=50),
    )


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "WorkingGroupEstablished",
            WorkingGroupEstablished,
            AREA,
            "An organisation set up a working group on the Court (recommendation 64).",
            party_fields=("organisation",),
        ),
        EventType(
            "WorkshopHeld",
            WorkshopHeld,
            AREA,
            "A workshop or seminar on cooperation was held.",
            party_fields=("organiser", "host", "participants"),
        ),
    ]
