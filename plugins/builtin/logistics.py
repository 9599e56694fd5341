"""Part I, cluster 6 (logistics and security): operational support and procedures for
exchanging confidential information."""

from __future__ import annotations

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType
from plugins import hookimpl

AREA = "logistics"


class OperationalSupportProvided(Schema):
    provider = f.party()
    beneficiary = f.choice(["defence", "victims_and_witnesses", "staff", "suspects"])
    kind = f.choice(
        ["transit", "communications", "meeting_facilities", "pouch", "visas", "security", "other"]
    )


class ConfidentialityProcedureEstablished(Schema):
    state = f.state()


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "OperationalSupportProvided",
            OperationalSupportProvided,
            AREA,
            "Practical support for defence, victims and witnesses, staff or suspects.",
            party_fields=("provider",),
        ),
        EventType(
            "ConfidentialityProcedureEstablished",
            ConfidentialityProcedureEstablished,
            AREA,
            "A State set up a procedure for exchanging confidential information (rec. 26).",
            party_fields=("state",),
        ),
    ]
