"""Access to the system: issuing and revoking API tokens is part of the record, so an
auditor can tell who could act when. The events name the token's label and role, never
the token or its hash."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from core import fields as f
from core import tokens
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.roles import ADMIN, ROLES, SYSTEM_LABELS, is_system_label
from core.words import Phrase, Terms
from plugins import hookimpl

AREA = "access"

#: A label is what `recorded_by` shows for every event recorded with the token.
LABEL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]*$"


def label(*extra: Callable[[str], Any]) -> fields.String:
    return fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=100),
            validate.Regexp(
                LABEL_PATTERN,
                error="Use letters, digits and . _ @ - (for example focal-point-1).",
            ),
            *extra,
        ],
        metadata={"description": "The token's label: recorded_by of what it records."},
    )


def not_reserved(value: str) -> None:
    if is_system_label(value):
        reserved = ", ".join(sorted(SYSTEM_LABELS))
        raise ValidationError(
            f"{value!r} is a label the system records under ({reserved}); choose another."
        )


class TokenIssued(Schema):
    label = label(not_reserved)
    role = f.choice(ROLES)
    #: The person the token is issued to (tokens issued before named only a label).
    person = fields.String(
        validate=[validate.Length(min=1, max=200), validate.Regexp(r"^[^<>\n\r\t]+$")],
        metadata={"description": "The person who holds the token: what it records is theirs."},
    )
    email = fields.Email(
        validate=validate.Length(max=200),
        metadata={"description": "The person's email."},
    )


class TokenRevoked(Schema):
    label = label()
    role = f.choice(ROLES)


def issued(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    # A label may get a new token once its last one is revoked (rotation), so what
    # its holder records keeps the same recorded_by.
    if state is not None and not state.get("revoked"):
        raise conflict(
            f"The token labelled {fact.payload['label']} is in use; revoke it first "
            "to issue a new one under this label."
        )
    return {"role": fact.payload["role"], "revoked": False}


def revoked(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["label"]
    if state is None:
        raise conflict(f"No token labelled {name} was issued.")
    if state.get("revoked"):
        raise conflict(f"The token labelled {name} is already revoked.")
    return {**state, "revoked": True}


token = lifecycle("token", "label")


# -- how the events read -----------------------------------------------------------

ROLE_WORDS = Terms(
    {
        "focal_point": ("focal point", "point focal"),
        "bureau": ("Bureau", "Bureau"),
        "auditor": ("auditor", "auditeur"),
        "admin": ("administrator", "administrateur"),
    }
)

ISSUED = Phrase(
    en="API token issued to {label} ({role}).",
    fr="Jeton d’accès à l’API délivré à {label} ({role}).",
    values=lambda p, w: {"label": p["label"], "role": w.term(p["role"], ROLE_WORDS)},
)
REVOKED = Phrase(
    en="API token of {label} ({role}) revoked.",
    fr="Jeton d’accès à l’API de {label} ({role}) révoqué.",
    values=lambda p, w: {"label": p["label"], "role": w.term(p["role"], ROLE_WORDS)},
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "TokenIssued",
            TokenIssued,
            AREA,
            "An API token was issued to the holder of a label, with a role.",
            subject=token,
            rule=issued,
            writers=frozenset({ADMIN}),
            system_record=tokens.ISSUED,
            sentence=ISSUED,
        ),
        EventType(
            "TokenRevoked",
            TokenRevoked,
            AREA,
            "An API token was revoked; it no longer opens the API.",
            subject=token,
            rule=revoked,
            writers=frozenset({ADMIN}),
            system_record=tokens.REVOKED,
            sentence=REVOKED,
        ),
    ]
