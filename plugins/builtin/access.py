"""Access to the system: issuing and revoking API tokens, and opening, resetting,
disabling and enabling the console's accounts, are part of the record, so an auditor
can tell who could act when. The events name the token's label or the account's email
and the role, never a token, password, secret or hash."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from core import accounts, tokens
from core import fields as f
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


# -- the console's accounts (core/accounts.py) ---------------------------------------


def email() -> fields.Email:
    return fields.Email(
        required=True,
        validate=validate.Length(max=320),
        metadata={"description": "The account's email: what the person signs in with."},
    )


class AccountOpened(Schema):
    email = email()
    person = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=200), validate.Regexp(r"^[^<>\n\r\t]+$")],
        metadata={"description": "The person's name: recorded_by of what they record."},
    )
    role = f.choice(ROLES)


class AccountReset(Schema):
    email = email()
    role = f.choice(ROLES)
    reset = fields.List(
        f.choice(("password", "second_factor")),
        required=True,
        validate=validate.Length(min=1, max=2),
        metadata={"description": "What was replaced: the password, the second factor."},
    )


class AccountChanged(Schema):
    email = email()
    role = f.choice(ROLES)


def account_opened(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(f"An account for {fact.payload['email']} is already open.")
    return {"role": fact.payload["role"], "disabled": False}


def account_follows(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    """Reset, disabled, enabled: the account exists, and is not already so."""
    who = fact.payload["email"]
    if state is None:
        raise conflict(f"No account for {who} was opened.")
    if fact.type.endswith("Disabled"):
        if state.get("disabled"):
            raise conflict(f"The account of {who} is already disabled.")
        return {**state, "disabled": True}
    if fact.type.endswith("Enabled"):
        if not state.get("disabled"):
            raise conflict(f"The account of {who} is not disabled.")
        return {**state, "disabled": False}
    return state


account = lifecycle("account", "email")


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


RESET_WORDS = Terms(
    {
        "password": ("password", "mot de passe"),
        "second_factor": ("second factor", "second facteur"),
    }
)


def _account(en: str, fr: str) -> Phrase:
    return Phrase(
        en=en,
        fr=fr,
        values=lambda p, w: {
            "email": p["email"],
            "role": w.term(p["role"], ROLE_WORDS),
            "person": p.get("person", ""),
            "reset": w.listing(w.term(r, RESET_WORDS) for r in p.get("reset", ())),
        },
    )


ACCOUNT_OPENED = _account(
    "Console account opened for {person} <{email}> ({role}).",
    "Compte de console ouvert pour {person} <{email}> ({role}).",
)
ACCOUNT_RESET = _account(
    "Console account of {email} ({role}) reset: new {reset}.",
    "Compte de console de {email} ({role}) réinitialisé : nouveau {reset}.",
)
ACCOUNT_DISABLED = _account(
    "Console account of {email} ({role}) disabled.",
    "Compte de console de {email} ({role}) désactivé.",
)
ACCOUNT_ENABLED = _account(
    "Console account of {email} ({role}) enabled again.",
    "Compte de console de {email} ({role}) réactivé.",
)


def _account_type(
    name: str, schema: type[Schema], description: str, record: str, sentence: Phrase
) -> EventType:
    return EventType(
        name,
        schema,
        AREA,
        description,
        subject=account,
        rule=account_opened if record == accounts.OPENED else account_follows,
        writers=frozenset({ADMIN}),
        system_record=record,
        sentence=sentence,
    )


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        _account_type(
            "AccountOpened",
            AccountOpened,
            "A person was given an account of the console, with a role.",
            accounts.OPENED,
            ACCOUNT_OPENED,
        ),
        _account_type(
            "AccountReset",
            AccountReset,
            "A console account's password or second factor was replaced.",
            accounts.RESET,
            ACCOUNT_RESET,
        ),
        _account_type(
            "AccountDisabled",
            AccountChanged,
            "A console account was disabled; it can no longer sign in.",
            accounts.DISABLED,
            ACCOUNT_DISABLED,
        ),
        _account_type(
            "AccountEnabled",
            AccountChanged,
            "A disabled console account was enabled again.",
            accounts.ENABLED,
            ACCOUNT_ENABLED,
        ),
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
