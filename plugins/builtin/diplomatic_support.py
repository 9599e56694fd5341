"""Part I, cluster 2 (diplomatic and public support): national focal points, embassy
contact points, coordinating mechanisms, high-level visits and statements."""

from __future__ import annotations

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType
from plugins import hookimpl

AREA = "diplomatic_support"

FORUMS = (
    "general_assembly",
    "security_council",
    "human_rights_council",
    "regional_organisation",
    "bilateral",
    "other",
)


class FocalPointDesignated(Schema):
    state = f.state()
    office = f.text(max_length=500)


class ContactPointDesignated(Schema):
    state = f.state()
    location = f.choice(["the_hague", "brussels", "new_york"])
    office = f.text(max_length=500)


class CoordinatingMechanismEstablished(Schema):
    state = f.state()
    form = f.choice(["task_force", "working_group", "inter_institutional", "other"])


class HighLevelVisit(Schema):
    organ = f.choice(["presidency", "prosecutor", "registry", "assembly"])
    host = f.party()


class StatementDelivered(Schema):
    speaker = f.party()
    forum = f.choice(FORUMS)
    topic = f.choice(
        ["general_support", "arrest_and_surrender", "cooperation", "universality", "other"]
    )


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "FocalPointDesignated",
            FocalPointDesignated,
            AREA,
            "A State designated its national focal point (replaces an earlier one).",
            party_fields=("state",),
        ),
        EventType(
            "ContactPointDesignated",
            ContactPointDesignated,
            AREA,
            "A State designated a contact point at an embassy in The Hague, Brussels or New York.",
            party_fields=("state",),
        ),
        EventType(
            "CoordinatingMechanismEstablished",
            CoordinatingMechanismEstablished,
            AREA,
            "A State set up a coordinating mechanism for Court issues (recommendation 8).",
            party_fields=("state",),
        ),
        EventType(
            "HighLevelVisit",
            HighLevelVisit,
            AREA,
            "A high-level visit by an organ of the Court or the Assembly.",
            party_fields=("host",),
        ),
        EventType(
            "StatementDelivered",
            StatementDelivered,
            AREA,
            "A statement supporting the Court was delivered in a forum.",
            party_fields=("speaker",),
        ),
    ]
