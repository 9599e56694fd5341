"""The focal point's and the Bureau's own record: assessments of the 66
recommendations, narrative for the annual report, and corrections and retractions of
earlier events (the log never changes; these say how to read it)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core import fields as f
from core.eventtypes import Effect, EventType
from plugins import hookimpl

AREA = "record_keeping"

#: Sections of the annual report that take the Bureau's narrative, in report order.
REPORT_SECTIONS = (
    "executive_summary",
    "introduction",
    "I.A",
    "I.B",
    "I.C",
    "I.D",
    "I.E",
    "I.F",
    "I.G",
    "II.A",
    "II.B",
    "III",
    "conclusion",
)


class RecommendationAssessed(Schema):
    recommendation = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=66)
    )
    status = f.choice(["not_started", "in_progress", "implemented", "ongoing"])
    rationale = f.text()


class ReportNarrativeDrafted(Schema):
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2002, max=2100))
    section = f.choice(REPORT_SECTIONS)
    text = f.text(max_length=f.MAX_LONG_TEXT)


class EventCorrected(Schema):
    corrects = fields.UUID(required=True, metadata={"description": "Id of the event corrected."})
    changes = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "Payload fields of the corrected event and their new values."},
    )


class EventRetracted(Schema):
    retracts = fields.UUID(required=True, metadata={"description": "Id of the event retracted."})
    reason = f.text()


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "RecommendationAssessed",
            RecommendationAssessed,
            AREA,
            "The focal point assessed the implementation of a recommendation.",
        ),
        EventType(
            "ReportNarrativeDrafted",
            ReportNarrativeDrafted,
            AREA,
            "The Bureau drafted the narrative of a section of its annual report.",
            writers=frozenset({"bureau"}),
        ),
        EventType(
            "EventCorrected",
            EventCorrected,
            AREA,
            "New values for payload fields of an earlier event.",
            writers=frozenset({"focal_point", "bureau"}),
            effect=Effect.CORRECT,
        ),
        EventType(
            "EventRetracted",
            EventRetracted,
            AREA,
            "An earlier event is withdrawn; it stays in the log.",
            writers=frozenset({"focal_point", "bureau"}),
            effect=Effect.RETRACT,
        ),
    ]
