"""Part II (cooperation in the United Nations context): resolutions that keep the Court
in view. Statements and visits in New York use the diplomatic-support types."""

from __future__ import annotations

from marshmallow import Schema, fields

from core import fields as f
from core.eventtypes import EventType
from plugins import hookimpl

AREA = "united_nations"


class ResolutionAdopted(Schema):
    body = f.party()
    symbol = f.text(max_length=200)
    mentions_court = fields.Boolean(required=True)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "ResolutionAdopted",
            ResolutionAdopted,
            AREA,
            "A resolution was adopted by the United Nations or another body (recs. 45, 46, 62).",
            party_fields=("body",),
        ),
    ]
