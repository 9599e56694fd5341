"""Part I, cluster 1 (general legal mechanisms): becoming party to the Statute,
implementing legislation, the APIC, and supplementary agreements with the Court."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.jobs import Job
from core.views.figures import dated, events_of, hide_later, tally_figure
from core.views.itemfigures import InPeriod, ItemFigures, OnDate, Timeline
from core.views.model import (
    Indicator,
    Item,
    ItemCount,
    ItemHandler,
    Period,
    SummaryFigure,
    Tally,
    ViewFact,
)
from core.words import STATE, STATE_PARTY, Noun, Phrase, Terms, Text, Words
from plugins import hookimpl
from plugins.builtin.diplomatic_support import PLACES
from plugins.builtin.membership_state import (
    as_state_party,
    instrument_dates,
    joined,
    withdrawal_dates,
    withdrawal_notified,
)
from plugins.builtin.membership_state import membership as membership_lifecycle
from plugins.builtin.party_items import (
    dates_of_records,
    happened_by,
    happened_counts,
    party_handler,
    party_steps,
    party_with_days,
    share_of_states_parties,
    share_sentence,
)
from plugins.builtin.report_words import by_topic, were
from plugins.builtin.scheduled_jobs import Overdue, reminders
from reports.annual import charts
from reports.sections import (
    ProseContext,
    ReportChart,
    ReportData,
    ReportProse,
    SectionContext,
    Series,
    tidy,
)

AREA = "legal_framework"

AGREEMENT_KINDS = (
    "enforcement_of_sentences",
    "witness_relocation",
    "interim_release",
    "release_of_persons",
    "cooperation",
    "memorandum_of_understanding",
    "transfer",
    "other",
)


class StateBecameParty(Schema):
    state = f.state()
    instrument = f.choice(["ratification", "accession", "acceptance", "approval"])
    in_force_on = f.day()


class WithdrawalNotified(Schema):
    state = f.state()
    effective_on = f.day()


class ImplementingLegislationEnacted(Schema):
    state = f.state()
    title = f.text(max_length=500)
    scope = f.choice(["cooperation", "crimes", "both"])


class ImplementingLegislationReviewed(Schema):
    state = f.state()
    title = f.text(max_length=500)
    outcome = f.choice(["amended", "no_change_needed", "under_revision"])


class APICRatified(Schema):
    state = f.state()


class AgreementSigned(Schema):
    agreement = f.reference("agreement")
    kind = f.choice(AGREEMENT_KINDS)
    parties = f.parties(min_items=1)
    title = f.text(max_length=500)


class AgreementEnteredIntoForce(Schema):
    agreement = f.reference("agreement")


class AgreementTerminated(Schema):
    agreement = f.reference("agreement")
    reason = f.text()


class TechnicalAssistanceProvided(Schema):
    provider = f.party()
    recipient = f.party()
    topic = f.choice(
        [
            "implementing_legislation",
            "witness_protection",
            "enforcement",
            "law_enforcement_training",
            "other",
        ]
    )


def ratified_apic(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(f"{fact.payload['state']} has already ratified the APIC.")
    return {"ratified_on": fact.occurred_on.isoformat()}


def signed(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(
            f"Agreement {fact.payload['agreement']} is already recorded as signed; "
            "choose a new identifier."
        )
    return {"signed_on": fact.occurred_on.isoformat()}


def entered_into_force(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["agreement"]
    if state is None:
        raise conflict(f"Agreement {name} has not been signed.")
    if state.get("terminated_on"):
        raise conflict(f"Agreement {name} has been terminated.")
    if state.get("in_force_on"):
        raise conflict(f"Agreement {name} is already in force.")
    if fact.occurred_on.isoformat() < state["signed_on"]:
        raise conflict(
            f"Agreement {name} cannot enter into force before its signature "
            f"on {state['signed_on']}."
        )
    return {**state, "in_force_on": fact.occurred_on.isoformat()}


def terminated(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["agreement"]
    if state is None:
        raise conflict(f"Agreement {name} has not been signed.")
    if state.get("terminated_on"):
        raise conflict(f"Agreement {name} is already terminated.")
    if fact.occurred_on.isoformat() < state["signed_on"]:
        raise conflict(f"Agreement {name} cannot be terminated before its signature.")
    if state.get("in_force_on") and fact.occurred_on.isoformat() < state["in_force_on"]:
        raise conflict(f"Agreement {name} cannot be terminated before it entered into force.")
    return {**state, "terminated_on": fact.occurred_on.isoformat()}


apic = lifecycle("apic", "state")
agreement = lifecycle("agreement", "agreement")

# -- how the events read -----------------------------------------------------------

INSTRUMENTS = Terms(
    {
        "ratification": ("ratification", "ratification"),
        "accession": ("accession", "adhésion"),
        "acceptance": ("acceptance", "acceptation"),
        "approval": ("approval", "approbation"),
    }
)
SCOPES = Terms(
    {
        "cooperation": ("cooperation", "coopération"),
        "crimes": ("crimes", "crimes"),
        "both": ("both", "coopération et crimes"),
    }
)
OUTCOMES = Terms(
    {
        "amended": ("amended", "modifiée"),
        "no_change_needed": ("no change needed", "aucune modification nécessaire"),
        "under_revision": ("under revision", "en cours de révision"),
    }
)
KINDS = Terms(
    {
        "enforcement_of_sentences": ("enforcement of sentences", "exécution des peines"),
        "witness_relocation": ("witness relocation", "réinstallation des témoins"),
        "interim_release": ("interim release", "mise en liberté provisoire"),
        "release_of_persons": ("release of persons", "mise en liberté de personnes"),
        "cooperation": ("cooperation", "coopération"),
        "memorandum_of_understanding": (
            "memorandum of understanding",
            "mémorandum d’accord",
        ),
        "transfer": ("transfer", "transfèrement"),
        "other": ("other", "autre"),
    }
)
TOPICS = Terms(
    {
        "implementing_legislation": ("implementing legislation", "législation d’application"),
        "witness_protection": ("witness protection", "protection des témoins"),
        "enforcement": ("enforcement", "exécution des peines"),
        "law_enforcement_training": (
            "law enforcement training",
            "formation des services de répression",
        ),
        "other": ("other", "autres questions"),
    }
)

BECAME_PARTY = Phrase(
    en="{state} deposited its instrument of {instrument}; the Statute enters into force "
    "for it on {in_force_on}.",
    fr="{state} : dépôt de l’instrument {instrument} ; le Statut entre en vigueur à son "
    "égard le {in_force_on}.",
    values=lambda p, w: {
        "state": w.party(p["state"]),
        "instrument": w.say(
            en=w.term(p["instrument"], INSTRUMENTS), fr=w.of(w.term(p["instrument"], INSTRUMENTS))
        ),
        "in_force_on": w.date(p["in_force_on"]),
    },
)
WITHDREW = Phrase(
    en="{state} notified its withdrawal, effective {effective_on}.",
    fr="{state} : notification de retrait, avec effet le {effective_on}.",
    values=lambda p, w: {"state": w.party(p["state"]), "effective_on": w.date(p["effective_on"])},
)
ENACTED = Phrase(
    en="{state} enacted implementing legislation ({scope}): {title}.",
    fr="{state} : adoption d’une législation d’application ({scope}) : {title}.",
    values=lambda p, w: {
        "state": w.party(p["state"]),
        "scope": w.term(p["scope"], SCOPES),
        "title": p["title"],
    },
)
REVIEWED = Phrase(
    en="{state} reviewed its implementing legislation ({title}): {outcome}.",
    fr="{state} : examen de la législation d’application ({title}) : {outcome}.",
    values=lambda p, w: {
        "state": w.party(p["state"]),
        "title": p["title"],
        "outcome": w.term(p["outcome"], OUTCOMES),
    },
)
APIC_RATIFIED = Phrase(
    en="{state} ratified the Agreement on the Privileges and Immunities of the Court.",
    fr="{state} : ratification de l’Accord sur les privilèges et immunités de la Cour.",
    values=lambda p, w: {"state": w.party(p["state"])},
)
SIGNED = Phrase(
    en="Agreement on {kind} signed with {parties}: {title} ({agreement}).",
    fr="Signature d’un accord ({kind}) ; parties : {parties} ; {title} ({agreement}).",
    values=lambda p, w: {
        "kind": w.term(p["kind"], KINDS),
        "parties": w.parties(p["parties"]),
        "title": p["title"],
        "agreement": p["agreement"],
    },
)
ENTERED_INTO_FORCE = Phrase(
    en="Agreement {agreement} entered into force.",
    fr="Entrée en vigueur de l’accord {agreement}.",
    values=lambda p, w: {"agreement": p["agreement"]},
)
TERMINATED = Phrase(
    en="Agreement {agreement} terminated: {reason}.",
    fr="Fin de l’accord {agreement} : {reason}.",
    values=lambda p, w: {"agreement": p["agreement"], "reason": p["reason"]},
)
ASSISTED = Phrase(
    en="{provider} provided technical assistance to {recipient} on {topic}.",
    fr="{provider} : assistance technique ({topic}) ; bénéficiaire : {recipient}.",
    values=lambda p, w: {
        "provider": w.party(p["provider"]),
        "recipient": w.party(p["recipient"]),
        "topic": w.term(p["topic"], TOPICS),
    },
)


@hookimpl
def followup_event_types() -> list[EventType]:
    def area(name: str, schema: type[Schema], **kwargs: Any) -> EventType:
        return EventType(name=name, schema=schema, area=AREA, cluster="I.A", **kwargs)

    return [
        area(
            "StateBecameParty",
            StateBecameParty,
            description="A State deposited its instrument of ratification or accession.",
            subject=membership_lifecycle,
            rule=joined,
            party_fields=("state",),
            checks=instrument_dates,
            sentence=BECAME_PARTY,
        ),
        area(
            "WithdrawalNotified",
            WithdrawalNotified,
            description="A State Party notified its withdrawal from the Statute.",
            subject=membership_lifecycle,
            rule=withdrawal_notified,
            party_fields=("state",),
            checks=withdrawal_dates,
            sentence=WITHDREW,
        ),
        area(
            "ImplementingLegislationEnacted",
            ImplementingLegislationEnacted,
            description="A State enacted legislation implementing the Statute (art. 88).",
            party_fields=("state",),
            sentence=ENACTED,
        ),
        area(
            "ImplementingLegislationReviewed",
            ImplementingLegislationReviewed,
            description="A State reviewed its implementing legislation (recommendation 3).",
            party_fields=("state",),
            checks=as_state_party(),
            sentence=REVIEWED,
        ),
        area(
            "APICRatified",
            APICRatified,
            description="A State ratified the Agreement on Privileges and Immunities of the Court.",
            subject=apic,
            rule=ratified_apic,
            party_fields=("state",),
            sentence=APIC_RATIFIED,
        ),
        area(
            "AgreementSigned",
            AgreementSigned,
            description="An agreement or arrangement with the Court was signed.",
            subject=agreement,
            rule=signed,
            party_fields=("parties",),
            sentence=SIGNED,
        ),
        area(
            "AgreementEnteredIntoForce",
            AgreementEnteredIntoForce,
            description="A signed agreement entered into force.",
            subject=agreement,
            rule=entered_into_force,
            sentence=ENTERED_INTO_FORCE,
        ),
        area(
            "AgreementTerminated",
            AgreementTerminated,
            description="An agreement was terminated.",
            subject=agreement,
            rule=terminated,
            sentence=TERMINATED,
        ),
        area(
            "TechnicalAssistanceProvided",
            TechnicalAssistanceProvided,
            description="One party gave another technical assistance (recommendations 5, 20).",
            party_fields=("provider", "recipient"),
            sentence=ASSISTED,
            activity=True,
        ),
    ]


# -- views -------------------------------------------------------------------------

AGREEMENT_EVENTS = frozenset(
    {"AgreementSigned", "AgreementEnteredIntoForce", "AgreementTerminated"}
)
PARTY_EVENTS = frozenset(
    {
        "StateBecameParty",
        "WithdrawalNotified",
        "ImplementingLegislationEnacted",
        "ImplementingLegislationReviewed",
        "APICRatified",
    }
)


def fold_agreement(item: Item | None, fact: ViewFact) -> Item | None:
    p = fact.payload
    if fact.type == "AgreementSigned":
        new = {
            "agreement": p["agreement"],
            "kind": p["kind"],
            "parties": list(p["parties"]),
            "title": p["title"],
            "in_force_on": None,
            "terminated_on": None,
        }
        return dated(new, fact, "signed_on")
    if item is None:
        return None  # its signature is not visible at this level
    if fact.type == "AgreementEnteredIntoForce":
        return dated(item, fact, "in_force_on")
    return dated(item, fact, "terminated_on", termination_reason=p["reason"])


def agreement_status(item: Item) -> str:
    if item.get("terminated_on"):
        return "terminated"
    return "in_force" if item.get("in_force_on") else "signed"


def present_agreement(item: Item, on: date) -> Item | None:
    if item["signed_on"] > on.isoformat():
        return None
    shown = hide_later(item, on, "in_force_on", "terminated_on")
    shown["status"] = agreement_status(shown)
    return shown


def fold_party(item: Item, fact: ViewFact) -> Item:
    p = fact.payload
    if fact.type == "StateBecameParty":
        memberships = [
            *item.get("memberships", []),
            {
                "on": fact.occurred_on,
                "instrument": p["instrument"],
                "in_force_on": p["in_force_on"],
                "event": fact.id,
            },
        ]
        return {**item, "memberships": memberships}
    if fact.type == "WithdrawalNotified":
        memberships = [dict(m) for m in item.get("memberships", [])]
        if memberships:
            memberships[-1].update(
                withdrawal_notified_on=fact.occurred_on,
                effective_on=p["effective_on"],
                withdrawal_event=fact.id,
            )
        return {**item, "memberships": memberships}
    if fact.type == "ImplementingLegislationEnacted":
        record = {
            "on": fact.occurred_on,
            "title": p["title"],
            "scope": p["scope"],
            "event": fact.id,
        }
        return {**item, "legislation": [*item.get("legislation", []), record]}
    if fact.type == "ImplementingLegislationReviewed":
        record = {
            "on": fact.occurred_on,
            "title": p["title"],
            "outcome": p["outcome"],
            "event": fact.id,
        }
        return {**item, "legislation_reviews": [*item.get("legislation_reviews", []), record]}
    return {**item, "apic_ratified_on": fact.occurred_on, "apic_event": fact.id}


def present_party(item: Item, on: date) -> Item:
    """Membership, legislation and APIC as they stood on `on`."""
    day = on.isoformat()
    shown = dict(item)
    memberships = []
    for membership in happened_by(item.get("memberships", []), on):
        if membership.get("withdrawal_notified_on", "9999") > day:
            membership = {k: v for k, v in membership.items() if not k.startswith("withdrawal")}
            membership.pop("effective_on", None)
        elif membership.get("withdrawal_revoked_on", "9999") > day:
            membership = {
                k: v
                for k, v in membership.items()
                if k not in ("withdrawal_revoked_on", "withdrawal_revocation_event")
            }
        else:
            # Revoked before it took effect: the notification stays on record, and
            # membership goes on unbroken (South Africa, The Gambia, 2017).
            membership = {
                **{k: v for k, v in membership.items() if k != "effective_on"},
                "withdrawal_would_have_taken_effect_on": membership.get("effective_on"),
            }
        memberships.append(membership)
    current = memberships[-1] if memberships else None
    shown["memberships"] = memberships
    shown["party_since"] = current["in_force_on"] if current else None
    shown["party_until"] = current.get("effective_on") if current else None
    shown["is_party"] = bool(
        current
        and current["in_force_on"] <= day
        and (current.get("effective_on") is None or current["effective_on"] > day)
    )
    shown["legislation"] = happened_by(item.get("legislation", []), on)
    shown["legislation_reviews"] = happened_by(item.get("legislation_reviews", []), on)
    if item.get("apic_ratified_on") and item["apic_ratified_on"] > day:
        shown.pop("apic_ratified_on")
        shown.pop("apic_event", None)
    return shown


def membership_events(item: Item) -> list[str]:
    return [m["event"] for m in item.get("memberships", [])]


def is_party(item: Item) -> bool:
    return bool(item.get("is_party"))


def records_by(field: str) -> Callable[[Item, Sequence[str]], list[int]]:
    return lambda item, days: happened_counts(item.get(field, []), days)


def apic_by(item: Item, days: Sequence[str]) -> list[int]:
    ratified: str = item.get("apic_ratified_on") or "9999"
    return [int(ratified <= day) for day in days]


# Each figure also says how it reads on many days in one pass (`on_days`): a State's
# record mentions many dates, and presenting it on each of them is a pass each.
PARTY_FIGURES = ItemFigures(
    (
        OnDate(
            "parties.states_parties",
            "States Parties to the Rome Statute on the reading's date.",
            "parties",
            is_party,
            membership_events,
            party_with_days(records_by("memberships"), dates_of_records("memberships")),
        ),
        OnDate(
            "parties.with_implementing_legislation",
            "States Parties with implementing legislation enacted.",
            "parties",
            lambda item: is_party(item) and bool(item.get("legislation")),
            lambda item: [r["event"] for r in item.get("legislation", [])],
            party_with_days(records_by("legislation"), dates_of_records("legislation")),
        ),
        OnDate(
            "parties.with_legislation_reviewed",
            "States Parties that have reviewed their implementing legislation.",
            "parties",
            lambda item: is_party(item) and bool(item.get("legislation_reviews")),
            lambda item: [r["event"] for r in item.get("legislation_reviews", [])],
            party_with_days(
                records_by("legislation_reviews"), dates_of_records("legislation_reviews")
            ),
        ),
        OnDate(
            "parties.with_apic",
            "States Parties that have ratified the APIC.",
            "parties",
            lambda item: is_party(item) and "apic_ratified_on" in item,
            lambda item: [item["apic_event"]],
            party_with_days(
                apic_by,
                lambda item: [item["apic_ratified_on"]] if item.get("apic_ratified_on") else [],
            ),
        ),
    )
)


def of_kind(kind: str | None) -> Callable[[Item], bool]:
    return lambda item: kind is None or item["kind"] == kind


def in_force_of(kind: str | None) -> Callable[[Item], bool]:
    return lambda item: of_kind(kind)(item) and item["status"] == "in_force"


def kind_figures(kind: str | None) -> list[OnDate | InPeriod]:
    """Signed, entered into force and terminated in the period, in force on the
    reading's date: of one kind, or of all (None)."""
    prefix, words = f"agreements.{kind or 'all'}", f"Agreements ({kind or 'all kinds'})"
    kind_of = of_kind(kind)
    return [
        InPeriod(
            f"{prefix}.signed",
            f"{words} signed in the period.",
            "agreements",
            "signed_on",
            kind_of,
            events_of("signed_on"),
        ),
        InPeriod(
            f"{prefix}.entered_into_force",
            f"{words} entered into force in the period.",
            "agreements",
            "in_force_on",
            kind_of,
            events_of("in_force_on"),
        ),
        OnDate(
            f"{prefix}.in_force",
            f"{words} in force on the reading's date.",
            "agreements",
            in_force_of(kind),
            events_of("signed_on", "in_force_on"),
        ),
        InPeriod(
            f"{prefix}.terminated",
            f"{words} terminated in the period.",
            "agreements",
            "terminated_on",
            kind_of,
            events_of("terminated_on"),
        ),
    ]


#: The figures of each kind (None: all kinds).
FIGURES_OF_KIND = {
    kind: ItemFigures(tuple(kind_figures(kind))) for kind in (None, *AGREEMENT_KINDS)
}
AGREEMENT_FIGURES = ItemFigures(
    tuple(figure for figures in FIGURES_OF_KIND.values() for figure in figures.figures)
)


def agreement_counts(timeline: Timeline) -> list[ItemCount]:
    """AGREEMENT_FIGURES' counts: an agreement counts only in the figures of all kinds
    and of its own kind (the others' conditions never hold for it), so only those are
    asked."""
    kind = timeline.item.get("kind")
    own = FIGURES_OF_KIND.get(kind) if kind is not None else None
    return [
        *FIGURES_OF_KIND[None].counts(timeline),
        *(own.counts(timeline) if own is not None else ()),
        # Per party (GET /parties): agreements of each kind signed, and in force.
        *party_steps(timeline, f"agreements.{kind}.signed", lambda shown: shown["parties"]),
        *party_steps(
            timeline,
            f"agreements.{kind}.in_force",
            lambda shown: shown["parties"] if shown["status"] == "in_force" else (),
        ),
    ]


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view="agreements",
            types=AGREEMENT_EVENTS,
            keys=lambda fact: [fact.payload["agreement"]],
            fold=fold_agreement,
            present=present_agreement,
            counts=agreement_counts,
        ),
        party_handler(PARTY_EVENTS, fold_party, present_party, counts=PARTY_FIGURES.counts),
    ]


@hookimpl
def followup_tallies() -> list[Tally]:
    return [
        Tally(
            frozenset({"TechnicalAssistanceProvided"}),
            lambda fact: {f"technical_assistance.{fact.payload['topic']}": 1},
        )
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        *PARTY_FIGURES.summary(),
        *AGREEMENT_FIGURES.summary(),
        tally_figure(
            "activities.technical_assistance",
            "Technical assistance provided in the period.",
            "events.TechnicalAssistanceProvided",
            ["TechnicalAssistanceProvided"],
        ),
    ]


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (1,),
            "legal_framework",
            "Share of States Parties with implementing legislation, and with the APIC ratified.",
            lambda reading: {
                "implementing_legislation": share_of_states_parties(
                    reading, "parties.with_implementing_legislation"
                ),
                "apic": share_of_states_parties(reading, "parties.with_apic"),
            },
            reads=lambda value, w: " ".join(
                (
                    share_sentence(
                        value["implementing_legislation"],
                        w,
                        en="States Parties with implementing legislation",
                        fr="États Parties dotés d’une législation de mise en œuvre",
                    ),
                    share_sentence(
                        value["apic"],
                        w,
                        en="States Parties that had ratified the APIC",
                        fr="États Parties ayant ratifié l’Accord sur les privilèges et immunités",
                    ),
                )
            ),
        ),
        Indicator(
            (3,),
            "legislation_reviewed",
            "Share of States Parties that have reviewed their implementing legislation.",
            lambda reading: share_of_states_parties(reading, "parties.with_legislation_reviewed"),
            reads=lambda value, w: share_sentence(
                value,
                w,
                en="States Parties that had reviewed their implementing legislation",
                fr="États Parties ayant réexaminé leur législation de mise en œuvre",
            ),
        ),
        Indicator(
            (5, 20),
            "technical_assistance",
            "Technical assistance provided in the period, by topic.",
            lambda reading: {
                topic: reading.tally(f"technical_assistance.{topic}")
                for topic in (
                    "implementing_legislation",
                    "witness_protection",
                    "enforcement",
                    "law_enforcement_training",
                    "other",
                )
            },
            reads=lambda value, w: by_topic(
                value,
                w,
                TOPICS,
                ASSISTANCE,
                en="Technical assistance in the period",
                fr="Assistance technique pendant la période",
            ),
        ),
    ]


@hookimpl
def followup_jobs() -> list[Job[Any]]:
    return [
        Job(
            "agreement_reminders",
            "Reminders of agreements signed but not in force after `days` days.",
            "0 7 * * *",
            24 * 3600,
            {"days": 180},
            reminders(
                Overdue(
                    "agreement",
                    "agreements",
                    "signed",
                    "signed_on",
                    lambda i: f"{i['agreement']} with {', '.join(i['parties'])}: {i['title']}",
                    ("agreements", "signed but not in force"),
                )
            ),
        )
    ]


# -- the annual report ----------------------------------------------------------------


AGREEMENT = Noun(("agreement", "agreements"), ("accord", "accords"))
ASSISTANCE = Noun(
    ("technical assistance activity", "technical assistance activities"),
    ("activité d’assistance technique", "activités d’assistance technique"),
    feminine=True,
)


def kinds_in_force(p: ProseContext) -> list[str]:
    """'one on the enforcement of sentences and two on the relocation of witnesses'."""
    w = p.words
    found = []
    for kind, en, fr in (
        (
            "enforcement_of_sentences",
            "on the enforcement of sentences",
            "sur l’exécution des peines",
        ),
        (
            "witness_relocation",
            "on the relocation of witnesses",
            "sur la réinstallation des témoins",
        ),
        ("interim_release", "on interim release", "sur la mise en liberté provisoire"),
    ):
        count = p.now(f"agreements.{kind}.in_force") or 0
        if count:
            found.append(f"{w.cardinal(count)} {w.say(en=en, fr=fr)}")
    return found


def agreements_said(p: ProseContext) -> list[str]:
    """Agreements signed and entered into force in the period, and those in force at its
    end (nothing when there were none at all)."""
    w = p.words
    signed = p.now("agreements.all.signed") or 0
    entered = p.now("agreements.all.entered_into_force") or 0
    in_force = p.now("agreements.all.in_force") or 0
    said = []
    if signed or entered:
        if signed and entered:
            text = w.say(
                en=f"{p.during}, {w.count(signed, AGREEMENT)} with the Court {were(signed, w)} "
                f"signed {p.compared('agreements.all.signed')} and {w.cardinal(entered)} "
                f"entered into force {p.compared('agreements.all.entered_into_force')}",
                fr=f"{p.during}, {w.count(signed, AGREEMENT)} avec la Cour "
                f"{w.agree(signed, one='a été signé', other='ont été signés')} "
                f"{p.compared('agreements.all.signed')} et {w.cardinal(entered)} "
                f"{w.agree(entered, one='est entré', other='sont entrés')} en vigueur "
                f"{p.compared('agreements.all.entered_into_force')}",
            )
        elif signed:
            text = w.say(
                en=f"{p.during}, {w.count(signed, AGREEMENT)} with the Court {were(signed, w)} "
                f"signed {p.compared('agreements.all.signed')}",
                fr=f"{p.during}, {w.count(signed, AGREEMENT)} avec la Cour "
                f"{w.agree(signed, one='a été signé', other='ont été signés')} "
                f"{p.compared('agreements.all.signed')}",
            )
        else:
            text = w.say(
                en=f"{p.during}, {w.count(entered, AGREEMENT)} with the Court entered into "
                f"force {p.compared('agreements.all.entered_into_force')}",
                fr=f"{p.during}, {w.count(entered, AGREEMENT)} avec la Cour "
                f"{w.agree(entered, one='est entré', other='sont entrés')} en vigueur "
                f"{p.compared('agreements.all.entered_into_force')}",
            )
        said.append(tidy(text, w.language) + ".")
    if in_force:
        kinds = kinds_in_force(p)
        text = w.say(
            en=f"{p.at_end}, {w.count(in_force, AGREEMENT)} {were(in_force, w)} in force "
            f"{p.compared('agreements.all.in_force', stock=True)}",
            fr=f"{p.at_end}, {w.count(in_force, AGREEMENT)} "
            f"{w.agree(in_force, one='était', other='étaient')} en vigueur "
            f"{p.compared('agreements.all.in_force', stock=True)}",
        )
        if kinds:
            text = tidy(text, w.language) + w.say(en=", of which ", fr=", dont ") + w.listing(kinds)
        said.append(tidy(text, w.language) + ".")
    return [w.sentence(s) for s in said]


def parties_said(p: ProseContext) -> list[str]:
    w = p.words
    parties = p.now("parties.states_parties") or 0
    if not parties:
        return []
    legislation = p.now("parties.with_implementing_legislation") or 0
    apic = p.now("parties.with_apic") or 0
    text = w.say(
        en=f"{p.at_end}, {w.count(parties, STATE)} {were(parties, w)} parties to the Rome "
        f"Statute {p.compared('parties.states_parties', stock=True)}; "
        f"{w.cardinal(legislation)} of them had enacted implementing legislation and "
        f"{w.cardinal(apic)} had ratified the Agreement on the Privileges and Immunities of "
        "the Court",
        fr=f"{p.at_end}, {w.count(parties, STATE)} "
        f"{w.agree(parties, one='était partie', other='étaient parties')} au Statut de Rome "
        f"{p.compared('parties.states_parties', stock=True)} ; "
        f"{w.cardinal(legislation)} "
        f"{w.agree(legislation, one='avait', other='avaient')} adopté une législation de mise en "
        f"œuvre et {w.cardinal(apic)} {w.agree(apic, one='avait', other='avaient')} ratifié "
        "l’Accord sur les privilèges et immunités de la Cour",
    )
    return [w.sentence(tidy(text, w.language) + ".")]


def legal_framework_done(p: ProseContext) -> list[str]:
    w = p.words
    said = [*agreements_said(p), *parties_said(p)]
    assistance = p.now("activities.technical_assistance") or 0
    if assistance:
        said.append(
            w.sentence(
                tidy(
                    w.say(
                        en=f"{p.during}, {w.count(assistance, ASSISTANCE)} {were(assistance, w)} "
                        f"recorded {p.compared('activities.technical_assistance', feminine=True)}.",
                        fr=f"{p.during}, {w.count(assistance, ASSISTANCE)} "
                        + w.agree(assistance, one="a été enregistrée", other="ont été enregistrées")
                        + f" {p.compared('activities.technical_assistance', feminine=True)}.",
                    )
                )
            )
        )
    return said


def legal_framework_outstanding(p: ProseContext) -> list[str]:
    """States Parties without implementing legislation or the APIC, and agreements
    signed that are not yet in force, at the period's end."""
    w = p.words
    said = []
    parties = p.now("parties.states_parties") or 0
    if parties:
        without_legislation = parties - (p.now("parties.with_implementing_legislation") or 0)
        without_apic = parties - (p.now("parties.with_apic") or 0)
        # Where none had (the paragraph before says 'none of them had'), nothing to add.
        without_legislation = 0 if without_legislation == parties else without_legislation
        without_apic = 0 if without_apic == parties else without_apic
        if without_legislation or without_apic:
            clauses = []
            if without_legislation:
                clauses.append(
                    w.say(
                        en=f"{w.cardinal(without_legislation)} had not enacted implementing "
                        "legislation",
                        fr=f"{w.cardinal(without_legislation)} "
                        f"{w.agree(without_legislation, one='n’avait', other='n’avaient')} pas "
                        "adopté de législation de mise en œuvre",
                    )
                )
            if without_apic:
                clauses.append(
                    w.say(
                        en=f"{w.cardinal(without_apic)} had not ratified the Agreement on the "
                        "Privileges and Immunities of the Court",
                        fr=f"{w.cardinal(without_apic)} "
                        f"{w.agree(without_apic, one='n’avait', other='n’avaient')} pas ratifié "
                        "l’Accord sur les privilèges et immunités de la Cour",
                    )
                )
            said.append(
                w.sentence(
                    w.say(
                        en=f"{p.at_end}, of the {w.count(parties, STATE_PARTY)}, ",
                        fr=f"{p.at_end}, sur les {w.count(parties, STATE_PARTY)}, ",
                    )
                    + w.listing(clauses)
                    + "."
                )
            )
    pending = (
        (p.total("agreements.all.signed") or 0)
        - (p.total("agreements.all.entered_into_force") or 0)
        - (p.total("agreements.all.terminated") or 0)
    )
    if pending > 0:
        said.append(
            w.sentence(
                w.say(
                    en=f"{w.count(pending, AGREEMENT)} signed with the Court "
                    "had not yet entered into force.",
                    fr=f"{w.count(pending, AGREEMENT)} signé{'' if pending == 1 else 's'} avec la "
                    f"Cour {w.agree(pending, one='n’était', other='n’étaient')} pas encore "
                    f"{w.agree(pending, one='entré', other='entrés')} en vigueur.",
                )
            )
        )
    return said


def legal_framework_summary(p: ProseContext) -> list[str]:
    return [*agreements_said(p)[:1], *parties_said(p)]


def legal_framework_omnibus(p: ProseContext) -> list[tuple[str, str]]:
    w = p.words
    found = []
    signed = p.now("agreements.all.signed") or 0
    entered = p.now("agreements.all.entered_into_force") or 0
    if signed or entered:
        found.append(
            (
                w.say(en="Welcomes", fr="Se félicite"),
                w.say(
                    en=f"the agreements with the Court signed or entered into force {p.during};",
                    fr=f"des accords avec la Cour signés ou entrés en vigueur {p.during} ;",
                ),
            )
        )
    found.append(
        (
            w.say(en="Calls upon", fr="Demande"),
            w.say(
                en="States Parties that have not yet done so to enact implementing legislation, "
                "to ratify the Agreement on the Privileges and Immunities of the Court and to "
                "consider concluding agreements with the Court on the enforcement of sentences, "
                "the relocation of witnesses and interim release;",
                fr="aux États Parties qui ne l’ont pas encore fait d’adopter une législation de "
                "mise en œuvre, de ratifier l’Accord sur les privilèges et immunités de la Cour "
                "et d’envisager de conclure avec la Cour des accords relatifs à l’exécution des "
                "peines, à la réinstallation des témoins et à la mise en liberté provisoire ;",
            ),
        )
    )
    return found


@hookimpl
def followup_report_prose() -> list[ReportProse]:
    return [
        ReportProse(
            "legal_framework",
            "I.A",
            figures=(
                (
                    "parties.states_parties",
                    Text("States Parties to the Rome Statute", "États Parties au Statut de Rome"),
                ),
                (
                    "parties.with_implementing_legislation",
                    Text(
                        "States Parties with implementing legislation",
                        "États Parties dotés d’une législation de mise en œuvre",
                    ),
                ),
                (
                    "parties.with_apic",
                    Text(
                        "States Parties that have ratified the APIC",
                        "États Parties ayant ratifié l’Accord sur les privilèges et immunités",
                    ),
                ),
                (
                    "agreements.all.signed",
                    Text("Agreements with the Court signed", "Accords avec la Cour signés"),
                ),
                (
                    "agreements.all.entered_into_force",
                    Text("Agreements entered into force", "Accords entrés en vigueur"),
                ),
                (
                    "agreements.all.in_force",
                    Text(
                        "Agreements in force at the end of the period",
                        "Accords en vigueur à la fin de la période",
                    ),
                ),
                (
                    "agreements.enforcement_of_sentences.in_force",
                    Text(
                        "of which on the enforcement of sentences",
                        "dont sur l’exécution des peines",
                    ),
                ),
                (
                    "agreements.witness_relocation.in_force",
                    Text(
                        "of which on the relocation of witnesses",
                        "dont sur la réinstallation des témoins",
                    ),
                ),
                (
                    "agreements.interim_release.in_force",
                    Text("of which on interim release", "dont sur la mise en liberté provisoire"),
                ),
                (
                    "activities.technical_assistance",
                    Text("Technical assistance provided", "Assistance technique fournie"),
                ),
            ),
            done=legal_framework_done,
            outstanding=legal_framework_outstanding,
            summary=legal_framework_summary,
            omnibus=legal_framework_omnibus,
        )
    ]


def agreements_series(context: SectionContext) -> Series:
    """Agreements signed in each year and in force at its end: this area's own figures
    (``agreements.all.signed``, ``agreements.all.in_force``) read for each year, up to
    the period's last day."""
    assert context.for_period is not None
    signed, in_force = [], []
    for year in context.chart_years:
        end = min(date(year, 12, 31), context.last)
        signed.append(
            context.for_period(Period(on=end, first=date(year, 1, 1), last=end)).tally(
                "agreements.all.signed"
            )
        )
        in_force.append(
            context.for_period(Period(on=end)).tally("agreements.all.in_force", cumulative=True)
        )
    return {"signed": signed, "in_force": in_force}


def draw_agreements(series: Series, years: Sequence[int], w: Words) -> str:
    return charts.bars(
        "agreements",
        w.say(en="Agreements with the Court, per year", fr="Accords avec la Cour, par année"),
        years,
        {
            w.say(en="Signed in the year", fr="Signés dans l’année"): series["signed"],
            w.say(en="In force at the end of the year", fr="En vigueur à la fin de l’année"): (
                series["in_force"]
            ),
        },
    )


@hookimpl
def followup_report_charts() -> list[ReportChart]:
    return [
        ReportChart(
            "agreements",
            "I.A",
            Text(
                "Agreements with the Court signed per year and in force at the end of each year.",
                "Accords avec la Cour signés chaque année et en vigueur à la fin de chaque année.",
            ),
            agreements_series,
            draw_in=draw_agreements,
            empty=Text(
                "No agreement with the Court was signed or in force from {first} to {last}.",
                "Aucun accord avec la Cour n’a été signé ni n’était en vigueur "
                "de {first} à {last}.",
            ),
        )
    ]


#: The records annex III shows, each only when public.
ANNEX_TYPES = (
    "StateBecameParty",
    "WithdrawalNotified",
    "ImplementingLegislationEnacted",
    "APICRatified",
    "FocalPointDesignated",
    "ContactPointDesignated",
)


def states_parties(context: SectionContext) -> dict[str, Any]:
    """Annex III: each State Party whose membership is public, with only the public
    records of its legislation, APIC, focal and contact points and agreements (codes
    and dates: `states_parties_words` words them)."""
    assert context.recorded is not None
    visible = {
        fact.id: fact.classification
        for fact in context.recorded.facts(ANNEX_TYPES, cumulative=True)
    }

    def public(record: Mapping[str, Any] | None, key: str = "event") -> bool:
        return record is not None and visible.get(str(record.get(key, ""))) == "public"

    agreements: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in context.reading.items("agreements"):
        if item["classification"] != "public":
            continue
        for code in item["parties"]:
            agreements[code][0] += 1
            agreements[code][1] += item["status"] == "in_force"
    rows, withheld = [], 0
    for item in context.reading.items("parties"):
        if not item.get("is_party"):
            continue
        membership = item["memberships"][-1]
        if not public(membership):
            withheld += 1
            continue
        legislation = [r for r in item.get("legislation", []) if public(r)]
        focal = item.get("focal_point")
        contacts = [c for c in item.get("contact_points", []) if public(c)]
        code = item["party"]
        rows.append(
            {
                "code": code,
                "party_since": item["party_since"],
                "legislation": (
                    {"scope": legislation[-1]["scope"], "year": int(legislation[-1]["on"][:4])}
                    if legislation
                    else None
                ),
                "apic": (
                    item["apic_ratified_on"]
                    if item.get("apic_ratified_on") and public(item, "apic_event")
                    else None
                ),
                "focal_point": focal["on"] if focal is not None and public(focal) else None,
                "contact_points": [c["location"] for c in contacts],
                "agreements_signed": agreements[code][0] if code in agreements else 0,
                "agreements_in_force": agreements[code][1] if code in agreements else 0,
            }
        )
    rows.sort(key=lambda row: row["code"])
    return {"rows": rows, "withheld": withheld}


def states_parties_words(data: Mapping[str, Any], w: Words) -> dict[str, Any]:
    """Annex III in a language: names (the United Nations' short forms), dates, the
    legislation's scope and the contact points' places, sorted as the language sorts."""
    rows = []
    for row in data["rows"]:
        legislation = row["legislation"]
        rows.append(
            {
                **row,
                "name": w.party(row["code"]),
                "party_since": w.short_date(row["party_since"]) if row["party_since"] else None,
                "legislation": (
                    f"{w.term(legislation['scope'], SCOPES)} ({legislation['year']})"
                    if legislation
                    else None
                ),
                "apic": w.short_date(row["apic"]) if row["apic"] else None,
                "focal_point": w.short_date(row["focal_point"]) if row["focal_point"] else None,
                "contact_points": [w.term(place, PLACES) for place in row["contact_points"]],
            }
        )
    rows.sort(key=lambda row: sort_key(row["name"]))
    return {"rows": rows, "withheld": data["withheld"]}


def sort_key(name: str) -> str:
    """Names sorted as a reader expects: accents after their letter ('Égypte' among
    the E), case ignored."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@hookimpl
def followup_report_data() -> list[ReportData]:
    return [ReportData("states_parties", states_parties, words=states_parties_words)]
