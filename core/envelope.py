"""The event envelope of the catalogue (DESIGN.md §4): the fields every event carries
beside its payload, as the client sends them and as the system records them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from marshmallow import Schema, ValidationError, fields, validate

from core.fields import MAX_ITEMS, MAX_TEXT


class Classification(StrEnum):
    PUBLIC = "public"
    RESTRICTED = "restricted"
    CONFIDENTIAL = "confidential"


CLASSIFICATION_RANK = {"public": 0, "restricted": 1, "confidential": 2}


def stricter(a: str, b: str) -> str:
    """The stricter of two classifications (an unknown one counts as the strictest)."""
    return a if CLASSIFICATION_RANK.get(a, 2) >= CLASSIFICATION_RANK.get(b, 2) else b


ENVELOPE_FIELDS = ("type", "occurred_on", "summary", "recommendations", "sources", "classification")
SYSTEM_FIELDS = ("id", "position", "recorded_at", "recorded_by", "hash")
#: Where eventsourcing keeps an event, written by `events export` so that
#: `events import --preserve` can re-create the stored event byte for byte.
STORAGE_FIELDS = ("stream", "version", "timestamp", "subject")


def _repeated() -> bool:
    raise ValidationError("A recommendation is listed more than once.")


class EnvelopeSchema(Schema):
    """Envelope fields; each event type's schema adds its payload fields to these."""

    type = fields.String(required=True, metadata={"description": "A registered event type."})
    occurred_on = fields.Date(
        required=True,
        metadata={
            "description": "When the action happened: not before 1998-07-17, not after today (UTC)."
        },
    )
    summary = fields.String(load_default=None, validate=validate.Length(max=MAX_TEXT))
    recommendations = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=66)),
        load_default=list,
        validate=[validate.Length(max=66), lambda ns: len(set(ns)) == len(ns) or _repeated()],
        metadata={"description": "The recommendations (1-66) this action advances."},
    )
    sources = fields.List(
        fields.String(validate=validate.Length(min=1, max=MAX_TEXT)),
        load_default=list,
        validate=validate.Length(max=MAX_ITEMS),
        metadata={"description": "Document symbols or URLs."},
    )
    classification = fields.String(
        load_default=Classification.PUBLIC.value,
        validate=validate.OneOf([c.value for c in Classification]),
    )


@dataclass(frozen=True)
class Draft:
    """A validated event, not yet recorded. `payload` is in its JSON form, keys sorted,
    so the stored bytes do not depend on how the client ordered its fields."""

    type: str
    occurred_on: date
    payload: Mapping[str, Any]
    summary: str | None = None
    recommendations: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    classification: str = Classification.PUBLIC.value
    #: Whether the client gave the classification (else it may be inherited from the
    #: lifecycle the event continues).
    classification_given: bool = field(default=False, compare=False)

    def envelope(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "occurred_on": self.occurred_on.isoformat(),
            "summary": self.summary,
            "recommendations": list(self.recommendations),
            "sources": list(self.sources),
            "classification": self.classification,
        }


@dataclass(frozen=True)
class Event:
    """A recorded event: the draft as stored, with the fields the system set."""

    id: UUID
    position: int
    recorded_at: str
    recorded_by: str
    type: str
    occurred_on: date
    payload: Mapping[str, Any]
    summary: str | None = None
    recommendations: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    classification: str = Classification.PUBLIC.value
    hash: str | None = None
    #: Where eventsourcing keeps it: the dossier (aggregate) id and version.
    stream: UUID | None = field(default=None, compare=False)
    version: int | None = field(default=None, compare=False)
    #: eventsourcing's own creation time of the stored event (part of its stored state).
    timestamp: str | None = field(default=None, compare=False)
    #: The dossier's subject, stored with its first event (version 1) only.
    subject: str | None = field(default=None, compare=False)

    def to_flat(self, *, with_storage: bool = False) -> dict[str, Any]:
        """One flat JSON object: envelope and payload side by side, plus system fields."""
        flat: dict[str, Any] = {
            "id": str(self.id),
            "position": self.position,
            "recorded_at": self.recorded_at,
            "recorded_by": self.recorded_by,
            "type": self.type,
            "occurred_on": self.occurred_on.isoformat(),
            "summary": self.summary,
            "recommendations": list(self.recommendations),
            "sources": list(self.sources),
            "classification": self.classification,
        }
        flat.update(self.payload)
        if self.hash is not None:
            flat["hash"] = self.hash
        if with_storage:
            flat["stream"] = str(self.stream)
            flat["version"] = self.version
            flat["timestamp"] = self.timestamp
            flat["subject"] = self.subject
        return flat
