"""Custody and appearance (Part I, cluster 4; recommendations 17-21): what happens to a
person sought besides arrest and surrender (arrest_and_surrender) — already held by a
State when the warrant issues (Germain Katanga, 2007), surrendering of their own accord
(Dominic Ongwen, 2015), a failed attempt to arrest, the unsealing of a warrant, transfer
to a State to serve a sentence, release to a State — and summonses to appear.

These belong to the warrant's lifecycle (``warrant:<id>``), so its item in the
``warrants`` view says where the person is: a person in national custody is not at
large. Summonses have a lifecycle and a view of their own (``summonses``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import Schema, fields, validate

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.views.figures import dated, events_of, hide_later, tally_figure
from core.views.itemfigures import InPeriod, ItemFigures, OnDate
from core.views.model import Indicator, Item, ItemHandler, SummaryFigure, ViewFact
from core.words import Phrase, Terms
from plugins import hookimpl
from plugins.builtin.arrest_and_surrender import issued_and_open, not_surrendered
from plugins.builtin.item_dates import hide_later_with_details
from plugins.builtin.party_items import happened_by
from plugins.builtin.report_words import counted

AREA = "custody"

RELEASE_REASONS = (
    "acquitted",
    "charges_not_confirmed",
    "proceedings_terminated",
    "interim_release",
    "sentence_served",
    "other",
)


def details() -> fields.String:
    return fields.String(load_default=None, validate=validate.Length(min=1, max=2000))


class PersonHeldInNationalCustody(Schema):
    warrant = f.reference("warrant")
    state = f.state()
    details = details()


class PersonSurrenderedVoluntarily(Schema):
    warrant = f.reference("warrant")
    state = f.state()
    details = details()


class ArrestAttemptFailed(Schema):
    warrant = f.reference("warrant")
    state = f.state()
    details = details()


class WarrantUnsealed(Schema):
    warrant = f.reference("warrant")
    decision = fields.String(load_default=None, validate=validate.Length(min=1, max=200))


class SentenceEnforcementTransferred(Schema):
    warrant = f.reference("warrant")
    state = f.state()
    agreement = f.reference("enforcement agreement", required=False)


class PersonReleasedToState(Schema):
    warrant = f.reference("warrant")
    state = f.state()
    reason = f.choice(RELEASE_REASONS)
    details = details()


class SummonsToAppearIssued(Schema):
    summons = f.reference("summons")
    situation = f.text(max_length=200)
    person = f.text(max_length=200)


class PersonAppearedOnSummons(Schema):
    summons = f.reference("summons")


# -- rules of the warrant's lifecycle ----------------------------------------------------


def _issued(state: LifecycleState, fact: Fact) -> dict[str, Any]:
    return dict(issued_and_open(state, fact.payload["warrant"]))


def _at_large(state: LifecycleState, fact: Fact) -> dict[str, Any]:
    name = fact.payload["warrant"]
    found = dict(not_surrendered(state, name))
    if found.get("arrested_on") or found.get("custody_since"):
        raise conflict(f"The person sought by warrant {name} is already in custody.")
    return found


def held(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    """In a State's custody (national proceedings) before or when the warrant issues:
    may be dated before the warrant."""
    found = _at_large(state, fact)
    return {**found, "custody_since": fact.occurred_on.isoformat()}


def _at_large_under_warrant(state: LifecycleState, fact: Fact, what: str) -> dict[str, Any]:
    found = _at_large(state, fact)
    if fact.occurred_on.isoformat() < found["issued_on"]:
        raise conflict(
            f"{what} under warrant {fact.payload['warrant']} cannot precede the warrant."
        )
    return found


def gave_up(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _at_large_under_warrant(state, fact, "A surrender")
    return {**found, "custody_since": fact.occurred_on.isoformat()}


def attempt_failed(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    return _at_large_under_warrant(state, fact, "An attempt to arrest")


def unsealed(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _issued(state, fact)
    name = fact.payload["warrant"]
    if found.get("unsealed_on"):
        raise conflict(f"Warrant {name} was already unsealed on {found['unsealed_on']}.")
    if fact.occurred_on.isoformat() < found["issued_on"]:
        raise conflict(f"Warrant {name} cannot be unsealed before it was issued.")
    return {**found, "unsealed_on": fact.occurred_on.isoformat()}


def _in_the_courts_custody(state: LifecycleState, fact: Fact) -> dict[str, Any]:
    found = _issued(state, fact)
    name = fact.payload["warrant"]
    if not found.get("surrendered_on"):
        raise conflict(
            f"The person sought by warrant {name} has not been surrendered to the Court."
        )
    if found.get("released_on"):
        raise conflict(
            f"The person sought by warrant {name} was released on {found['released_on']}."
        )
    if fact.occurred_on.isoformat() < found["surrendered_on"]:
        raise conflict(
            f"This cannot precede the surrender under warrant {name} ({found['surrendered_on']})."
        )
    return found


def transferred(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _in_the_courts_custody(state, fact)
    if found.get("transferred_on"):
        raise conflict(
            f"The person sentenced under warrant {fact.payload['warrant']} was already "
            f"transferred on {found['transferred_on']}."
        )
    return {**found, "transferred_on": fact.occurred_on.isoformat()}


def released(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _in_the_courts_custody(state, fact)
    if fact.payload["reason"] != "sentence_served" and found.get("transferred_on"):
        raise conflict(
            "A person serving a sentence in a State is released when the sentence is served."
        )
    return {**found, "released_on": fact.occurred_on.isoformat()}


def summoned(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(
            f"Summons {fact.payload['summons']} is already recorded; choose a new identifier."
        )
    return {"issued_on": fact.occurred_on.isoformat()}


def appeared(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["summons"]
    if state is None:
        raise conflict(f"Summons {name} has not been issued.")
    if state.get("appeared_on"):
        raise conflict(f"The person summoned by {name} already appeared on {state['appeared_on']}.")
    if fact.occurred_on.isoformat() < state["issued_on"]:
        raise conflict(f"An appearance on summons {name} cannot precede it.")
    return {**state, "appeared_on": fact.occurred_on.isoformat()}


# -- how the events read -----------------------------------------------------------

RELEASE_TERMS = Terms(
    {
        "acquitted": ("acquitted", "acquittement"),
        "charges_not_confirmed": ("charges not confirmed", "charges non confirmées"),
        "proceedings_terminated": ("proceedings terminated", "procédure close"),
        "interim_release": ("interim release", "mise en liberté provisoire"),
        "sentence_served": ("sentence served", "peine purgée"),
        "other": ("other reason", "autre motif"),
    }
)

HELD = Phrase(
    en="The person sought by warrant {warrant} was in the custody of {state}.",
    fr="La personne visée par le mandat {warrant} était détenue ; État : {state}.",
    values=lambda p, w: {"warrant": p["warrant"], "state": w.party(p["state"])},
)
GAVE_UP = Phrase(
    en="The person sought by warrant {warrant} gave themselves up in {state}.",
    fr="La personne visée par le mandat {warrant} s’est rendue ; État : {state}.",
    values=lambda p, w: {"warrant": p["warrant"], "state": w.party(p["state"])},
)
ATTEMPT = Phrase(
    en="An attempt by {state} to arrest the person sought by warrant {warrant} failed.",
    fr="Échec d’une tentative d’arrestation en vertu du mandat {warrant} ; État : {state}.",
    values=lambda p, w: {"warrant": p["warrant"], "state": w.party(p["state"])},
)
UNSEALED = Phrase(
    en="Warrant {warrant} unsealed{decision}.",
    fr="Levée des scellés du mandat d’arrêt {warrant}{decision}.",
    values=lambda p, w: {
        "warrant": p["warrant"],
        "decision": f" ({p['decision']})" if p.get("decision") else "",
    },
)
TRANSFERRED = Phrase(
    en="The person sentenced under warrant {warrant} was transferred to {state} to serve the "
    "sentence.",
    fr="Transfèrement de la personne condamnée en vertu du mandat {warrant} pour "
    "l’exécution de sa peine ; État : {state}.",
    values=lambda p, w: {"warrant": p["warrant"], "state": w.party(p["state"])},
)
RELEASED = Phrase(
    en="The person under warrant {warrant} was released to {state} ({reason}).",
    fr="Mise en liberté de la personne visée par le mandat {warrant} ; État : {state} ({reason}).",
    values=lambda p, w: {
        "warrant": p["warrant"],
        "state": w.party(p["state"]),
        "reason": w.term(p["reason"], RELEASE_TERMS),
    },
)
SUMMONED = Phrase(
    en="Summons to appear {summons} issued in the situation in {situation}.",
    fr="Citation à comparaître {summons} délivrée ; situation : {situation}.",
    values=lambda p, w: {"summons": p["summons"], "situation": w.place(p["situation"])},
)
APPEARED = Phrase(
    en="The person summoned by {summons} appeared before the Court.",
    fr="Comparution devant la Cour de la personne citée ({summons}).",
    values=lambda p, w: {"summons": p["summons"]},
)


warrant = lifecycle("warrant", "warrant")
summons = lifecycle("summons", "summons")


@hookimpl
def followup_event_types() -> list[EventType]:
    def area(name: str, schema: type[Schema], description: str, **kwargs: Any) -> EventType:
        return EventType(name, schema, AREA, description, **kwargs)

    return [
        area(
            "PersonHeldInNationalCustody",
            PersonHeldInNationalCustody,
            "The person sought was in a State's custody (national proceedings) when the "
            "warrant issued, or came to be: not at large. Dated from when custody began.",
            sentence=HELD,
            cluster="I.D",
            subject=warrant,
            rule=held,
            party_fields=("state",),
        ),
        area(
            "PersonSurrenderedVoluntarily",
            PersonSurrenderedVoluntarily,
            "The person sought gave themselves up to a State's authorities.",
            sentence=GAVE_UP,
            cluster="I.D",
            subject=warrant,
            rule=gave_up,
            party_fields=("state",),
        ),
        area(
            "ArrestAttemptFailed",
            ArrestAttemptFailed,
            "An attempt to arrest the person sought failed; the warrant stands.",
            sentence=ATTEMPT,
            cluster="I.D",
            subject=warrant,
            rule=attempt_failed,
            party_fields=("state",),
        ),
        area(
            "WarrantUnsealed",
            WarrantUnsealed,
            "A warrant issued under seal was made public (lower the classification of its "
            "sealed events with ClassificationLowered).",
            sentence=UNSEALED,
            cluster="I.D",
            subject=warrant,
            rule=unsealed,
        ),
        area(
            "SentenceEnforcementTransferred",
            SentenceEnforcementTransferred,
            "A sentenced person was transferred to a State to serve the sentence.",
            sentence=TRANSFERRED,
            cluster="I.D",
            subject=warrant,
            rule=transferred,
            references={"agreement": "agreement"},
            party_fields=("state",),
        ),
        area(
            "PersonReleasedToState",
            PersonReleasedToState,
            "A person was released from the Court's custody (or at the end of a sentence) "
            "to a State.",
            sentence=RELEASED,
            cluster="I.D",
            subject=warrant,
            rule=released,
            party_fields=("state",),
        ),
        area(
            "SummonsToAppearIssued",
            SummonsToAppearIssued,
            "The Court summoned a person to appear (article 58(7)) instead of a warrant.",
            sentence=SUMMONED,
            cluster="I.D",
            subject=summons,
            rule=summoned,
        ),
        area(
            "PersonAppearedOnSummons",
            PersonAppearedOnSummons,
            "The person summoned appeared before the Court.",
            sentence=APPEARED,
            cluster="I.D",
            subject=summons,
            rule=appeared,
        ),
    ]


# -- the warrants view learns custody ---------------------------------------------------

WARRANT_TYPES = frozenset(
    {
        "PersonHeldInNationalCustody",
        "PersonSurrenderedVoluntarily",
        "ArrestAttemptFailed",
        "WarrantUnsealed",
        "SentenceEnforcementTransferred",
        "PersonReleasedToState",
    }
)
#: Dates of the warrant's item this area sets, with the details each brings.
DATES = {
    "custody_since": ("custody_state", "surrendered_voluntarily"),
    "transferred_on": ("enforcement_state",),
    "released_on": ("released_to", "release_reason"),
    "unsealed_on": (),
}


def fold_custody(item: Item | None, fact: ViewFact) -> Item | None:
    if item is None:
        return None  # the warrant is not visible at this level
    p = fact.payload
    if fact.type in ("PersonHeldInNationalCustody", "PersonSurrenderedVoluntarily"):
        voluntarily = fact.type == "PersonSurrenderedVoluntarily"
        return dated(
            item,
            fact,
            "custody_since",
            custody_state=p["state"],
            surrendered_voluntarily=voluntarily,
        )
    if fact.type == "ArrestAttemptFailed":
        attempt = {"on": fact.occurred_on, "state": p["state"], "event": fact.id}
        return {**item, "failed_attempts": [*item.get("failed_attempts", []), attempt]}
    if fact.type == "WarrantUnsealed":
        return dated(item, fact, "unsealed_on")
    if fact.type == "SentenceEnforcementTransferred":
        return dated(item, fact, "transferred_on", enforcement_state=p["state"])
    return dated(item, fact, "released_on", released_to=p["state"], release_reason=p["reason"])


def present_custody(item: Item, on: date) -> Item:
    """Where the person was on `on`. Runs after the warrant's own presentation, which
    knows arrests and surrenders: custody refines "at large", enforcement and release
    follow the surrender."""
    shown = hide_later_with_details(item, on, DATES)
    shown["failed_attempts"] = happened_by(item.get("failed_attempts", []), on)
    status = shown.get("status")
    if status == "at_large" and shown["custody_since"]:
        shown["status"] = "in_national_custody"
    elif status == "surrendered" and shown["released_on"]:
        shown["status"] = "released"
    elif status == "surrendered" and shown["transferred_on"]:
        shown["status"] = "serving_sentence"
    return shown


CUSTODY_FIGURES = ItemFigures(
    (
        OnDate(
            "warrants.in_national_custody",
            "Persons sought held by a State (national custody, or given themselves up), "
            "not yet arrested under the warrant or surrendered, on the reading's date.",
            "warrants",
            lambda item: item["status"] == "in_national_custody",
            events_of("issued_on", "custody_since"),
        ),
        InPeriod(
            "warrants.voluntary_surrenders",
            "Persons sought who gave themselves up in the period.",
            "warrants",
            "custody_since",
            lambda item: bool(item.get("surrendered_voluntarily")),
            events_of("custody_since"),
        ),
        InPeriod(
            "warrants.transfers_for_enforcement",
            "Sentenced persons transferred to a State to serve their sentence in the period.",
            "warrants",
            "transferred_on",
            contributing=events_of("transferred_on"),
        ),
        InPeriod(
            "warrants.releases",
            "Persons released to a State in the period.",
            "warrants",
            "released_on",
            contributing=events_of("released_on"),
        ),
        InPeriod(
            "warrants.unsealed",
            "Warrants unsealed in the period.",
            "warrants",
            "unsealed_on",
            contributing=events_of("unsealed_on"),
        ),
    )
)

# -- summonses -------------------------------------------------------------------------


def fold_summons(item: Item | None, fact: ViewFact) -> Item | None:
    p = fact.payload
    if fact.type == "SummonsToAppearIssued":
        new = {
            "summons": p["summons"],
            "situation": p["situation"],
            "person": p["person"],
            "appeared_on": None,
        }
        return dated(new, fact, "issued_on")
    return dated(item, fact, "appeared_on") if item is not None else None


def present_summons(item: Item, on: date) -> Item | None:
    if item["issued_on"] > on.isoformat():
        return None
    shown = hide_later(item, on, "appeared_on")
    shown["status"] = "appeared" if shown["appeared_on"] else "pending"
    return shown


SUMMONS_FIGURES = ItemFigures(
    (
        InPeriod(
            "summonses.issued",
            "Summonses to appear issued in the period.",
            "summonses",
            "issued_on",
            contributing=events_of("issued_on"),
        ),
        InPeriod(
            "summonses.appearances",
            "Persons who appeared on a summons in the period.",
            "summonses",
            "appeared_on",
            contributing=events_of("appeared_on"),
        ),
        OnDate(
            "summonses.pending",
            "Summonses not yet answered by an appearance on the reading's date.",
            "summonses",
            lambda item: item["status"] == "pending",
            events_of("issued_on"),
        ),
    )
)


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view="warrants",
            types=WARRANT_TYPES,
            keys=lambda fact: [fact.payload["warrant"]],
            fold=fold_custody,
            present=present_custody,
            counts=CUSTODY_FIGURES.counts,
        ),
        ItemHandler(
            view="summonses",
            types=frozenset({"SummonsToAppearIssued", "PersonAppearedOnSummons"}),
            keys=lambda fact: [fact.payload["summons"]],
            fold=fold_summons,
            present=present_summons,
            counts=SUMMONS_FIGURES.counts,
        ),
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        *CUSTODY_FIGURES.summary(),
        *SUMMONS_FIGURES.summary(),
        tally_figure(
            "warrants.failed_arrest_attempts",
            "Attempts to arrest persons sought that failed in the period.",
            "events.ArrestAttemptFailed",
            ["ArrestAttemptFailed"],
        ),
    ]


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (17, 19, 20, 21),
            "custody_and_appearance",
            "Persons sought in national custody on the date; voluntary surrenders, failed "
            "arrest attempts, transfers for enforcement, releases and appearances on "
            "summons in the period.",
            lambda reading: {
                "in_national_custody": reading.tally(
                    "warrants.in_national_custody", cumulative=True
                ),
                "voluntary_surrenders": reading.tally("warrants.voluntary_surrenders"),
                "failed_arrest_attempts": reading.tally("events.ArrestAttemptFailed"),
                "transfers_for_enforcement": reading.tally("warrants.transfers_for_enforcement"),
                "releases": reading.tally("warrants.releases"),
                "appearances_on_summons": reading.tally("summonses.appearances"),
            },
            reads=lambda value, w: counted(
                value,
                w,
                CUSTODY_TERMS,
                en="Custody and appearance",
                fr="Détention et comparution",
            ),
        )
    ]


#: The words of the custody indicator.
CUSTODY_TERMS = Terms(
    {
        "in_national_custody": (
            "persons sought in national custody",
            "personnes recherchées détenues par un État",
        ),
        "voluntary_surrenders": ("voluntary surrenders", "remises volontaires"),
        "failed_arrest_attempts": ("failed arrest attempts", "tentatives d’arrestation échouées"),
        "transfers_for_enforcement": (
            "transfers for the enforcement of a sentence",
            "transfèrements pour l’exécution d’une peine",
        ),
        "releases": ("releases", "mises en liberté"),
        "appearances_on_summons": ("appearances on summons", "comparutions sur citation"),
    }
)
