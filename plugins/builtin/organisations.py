"""The registry of organisations beyond those built in (core/parties.py): a new NGO, a
national human rights institution, a regional body the Court starts working with is
registered with an event, by the administrator (``followup organisations register``),
and may be named in events from then on. No release is needed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.parties import REGISTERED, REGISTRABLE_CODE, REGISTRABLE_KINDS, PartyKind, lookup
from core.roles import ADMIN
from core.views.model import Item, ViewFact
from core.words import Phrase, Terms
from plugins import hookimpl
from plugins.builtin.party_items import party_handler

AREA = "organisations"

KINDS = sorted(kind.value for kind in REGISTRABLE_KINDS)


class OrganisationRegistered(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(
            REGISTRABLE_CODE,
            error="Use a capital, then capitals, digits and hyphens: 2, or 4 to 30 "
            "characters (3 is the length of a State's code): KNCHR, NHRI-KEN, UNODC.",
        ),
        metadata={"description": "The code events will name it by."},
    )
    name = f.text(max_length=300)
    name_fr = fields.String(load_default=None, validate=validate.Length(min=1, max=300))
    kind = f.choice(KINDS)
    state = f.PartyCode(
        kinds={PartyKind.STATE},
        load_default=None,
        metadata={"description": "The State a national institution belongs to, or the seat."},
    )

    @validates("code")
    def new_code(self, value: str, **kwargs: Any) -> None:
        known = lookup(value)
        if known is not None:
            raise ValidationError(f"{value} is built in ({known.name}).")

    @validates_schema
    def national_institution_of_a_state(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if data.get("kind") == PartyKind.NATIONAL_INSTITUTION and not data.get("state"):
            raise ValidationError("A national institution belongs to a State: name it.", "state")


def registered(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(
            f"An organisation is already registered under {fact.payload['code']} "
            f"({state['name']}); choose another code."
        )
    return {
        "kind": fact.payload["kind"],
        "name": fact.payload["name"],
        "registered_on": fact.occurred_on.isoformat(),
    }


# -- how the events read -----------------------------------------------------------

KIND_TERMS = Terms(
    {
        "organisation": ("an organisation", "organisation"),
        "ngo": ("a non-governmental organisation", "organisation non gouvernementale"),
        "national_institution": (
            "a national human rights institution",
            "institution nationale des droits de l’homme",
        ),
        "united_nations": ("a United Nations body", "organe des Nations Unies"),
        "assembly": ("a body of the Assembly", "organe de l’Assemblée"),
        "court": ("an office of the Court", "bureau de la Cour"),
    }
)
REGISTRATION = Phrase(
    en="{name} ({code}) registered as {kind}.",
    fr="{name} ({code}) : enregistrement ; catégorie : {kind}.",
    values=lambda p, w: {
        "name": w.say(en=p["name"], fr=p.get("name_fr") or p["name"]),
        "code": p["code"],
        "kind": w.term(p["kind"], KIND_TERMS),
    },
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "OrganisationRegistered",
            OrganisationRegistered,
            AREA,
            "The administrator registered an organisation, so that events may name it.",
            sentence=REGISTRATION,
            subject=lifecycle(REGISTERED, "code"),
            rule=registered,
            writers=frozenset({ADMIN}),
            party_fields=("code", "state"),
        )
    ]


# -- views -------------------------------------------------------------------------


def fold_registration(item: Item, fact: ViewFact) -> Item:
    p = fact.payload
    return {
        **item,
        "name": p["name"],
        "name_fr": p.get("name_fr"),
        "kind": p["kind"],
        "state": p.get("state"),
        "registered_on": fact.occurred_on,
    }


def present_registration(item: Item, on: date) -> Item:
    return item


@hookimpl
def followup_view_handlers() -> list[Any]:
    return [
        party_handler(
            frozenset({"OrganisationRegistered"}),
            fold_registration,
            present_registration,
            field="code",
        )
    ]
