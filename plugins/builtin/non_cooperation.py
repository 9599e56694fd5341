"""Non-cooperation (Part I, cluster 4; recommendations 17, 21, 48, 51, 66): one
lifecycle per matter, from a suspect's travel to a State or the Court's request for
arrest and surrender, through the request not executed, a Chamber's finding of
non-compliance under article 87(7) and its referral to the Assembly of States Parties
or the Security Council, to the Assembly's and the Bureau's follow-up (the procedures of
resolution ICC-ASP/10/Res.5, annex) and the matter's closure.

A matter is linked to the warrant and to the State: it shows in the ``non_cooperation``
view, in the warrant's item (``warrants``), in the State's profile and in the annual
report's section on non-cooperation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from marshmallow import Schema, fields, validate

from core import fields as f
from core.eventtypes import (
    EventType,
    Fact,
    Lifecycles,
    LifecycleState,
    conflict,
    invalid,
    lifecycle,
)
from core.parties import PartyKind
from core.views.figures import dated, events_of, tally_figure
from core.views.itemfigures import InPeriod, ItemFigures, OnDate, Timeline
from core.views.model import (
    Indicator,
    Item,
    ItemCount,
    ItemHandler,
    Reading,
    SummaryFigure,
    Tally,
    ViewFact,
)
from core.words import Noun, Phrase, Terms, Text, Words
from plugins import hookimpl
from plugins.builtin.item_dates import hide_later_with_details
from plugins.builtin.membership_state import name_of
from plugins.builtin.party_items import happened_by, party_steps
from plugins.builtin.report_words import counted
from reports.sections import Fragment, ReportSection, SectionContext, public

AREA = "non_cooperation"
VIEW = "non_cooperation"

#: Why a State said it did not arrest (the free text `explanation` is kept beside).
GROUNDS = (
    "head_of_state_immunity",
    "article_98_obligations",
    "regional_organisation_decision",
    "article_97_consultations",
    "no_explanation_given",
    "other",
    "not_recorded",
)
CHAMBERS = ("pre_trial_chamber", "trial_chamber", "appeals_chamber")
#: The organs a Chamber refers non-compliance to (article 87(7)).
ORGANS = ("ASP", "UNSC")
FOLLOWERS = ("ASP", "ASP-BUREAU", "ASP-SECRETARIAT", "UNSC", "UNGA")
#: What the Assembly, its President or Bureau, or the Council did (ICC-ASP/10/Res.5, annex).
ACTIONS = (
    "letter",
    "meeting_with_the_state",
    "public_meeting",
    "report_to_the_assembly",
    "plenary_debate",
    "statement",
    "resolution",
    "other",
)
CLOSE_REASONS = (
    "person_surrendered",
    "person_deceased",
    "warrant_withdrawn",
    "cooperation_resumed",
    "finding_reversed",
    "other",
)


def matter_ref() -> fields.String:
    return f.reference("non-cooperation matter")


class SuspectTravelled(Schema):
    matter = matter_ref()
    warrant = f.reference("warrant")
    state = f.state()
    occasion = fields.String(load_default=None, validate=validate.Length(min=1, max=500))
    departed_on = f.day(required=False)


class ArrestRequestTransmitted(Schema):
    matter = matter_ref()
    warrant = f.reference("warrant")
    state = f.state()


class ArrestNotExecuted(Schema):
    matter = matter_ref()
    grounds = f.choice(GROUNDS)
    explanation = fields.String(load_default=None, validate=validate.Length(min=1, max=2000))


class NonComplianceFound(Schema):
    matter = matter_ref()
    chamber = f.choice(CHAMBERS)
    decision = f.text(max_length=200)


class NonComplianceReferred(Schema):
    matter = matter_ref()
    to = fields.List(
        f.PartyCode(),
        required=True,
        validate=[validate.Length(min=1, max=2), validate.ContainsOnly(ORGANS)],
        metadata={"description": "ASP (the Assembly of States Parties) and/or UNSC."},
    )
    decision = fields.String(load_default=None, validate=validate.Length(min=1, max=200))


class NonComplianceAppealDecided(Schema):
    matter = matter_ref()
    decision = f.text(max_length=200)
    finding = f.choice(["confirmed", "reversed"])
    referral = f.choice(["confirmed", "reversed", "none"])


class NonCooperationFollowedUp(Schema):
    matter = matter_ref()
    by = f.PartyCode(
        kinds={PartyKind.ASSEMBLY, PartyKind.UNITED_NATIONS},
        required=True,
        validate=validate.OneOf(FOLLOWERS),
    )
    action = f.choice(ACTIONS)
    details = fields.String(load_default=None, validate=validate.Length(min=1, max=2000))


class NonCooperationMatterClosed(Schema):
    matter = matter_ref()
    reason = f.choice(CLOSE_REASONS)
    details = fields.String(load_default=None, validate=validate.Length(min=1, max=2000))


# -- rules ---------------------------------------------------------------------------


def _existing(state: LifecycleState, fact: Fact) -> dict[str, Any]:
    name = fact.payload["matter"]
    if state is None:
        raise conflict(
            f"There is no non-cooperation matter {name}: it opens with a travel of the "
            "suspect or a request for arrest and surrender."
        )
    if state.get("closed_on"):
        raise conflict(f"Non-cooperation matter {name} was closed on {state['closed_on']}.")
    return dict(state)


def _not_before(fact: Fact, day: str | None, what: str) -> None:
    if day and fact.occurred_on.isoformat() < day:
        raise conflict(f"This cannot precede {what} ({day}) in matter {fact.payload['matter']}.")


def _joined(state: LifecycleState, fact: Fact) -> dict[str, Any]:
    """Open the matter, or join it: a matter is about one warrant and one State."""
    p = fact.payload
    if state is None:
        return {"warrant": p["warrant"], "state": p["state"]}
    found = _existing(state, fact)
    if (found["warrant"], found["state"]) != (p["warrant"], p["state"]):
        raise conflict(
            f"Matter {p['matter']} is about warrant {found['warrant']} and "
            f"{name_of(found['state'])}; open another matter for {p['warrant']} and "
            f"{name_of(p['state'])}."
        )
    _before_finding(found, fact)
    return found


def _before_finding(state: Mapping[str, Any], fact: Fact) -> None:
    if state.get("found_on") and fact.occurred_on.isoformat() > state["found_on"]:
        raise conflict(
            f"Matter {fact.payload['matter']} already has a finding of non-compliance of "
            f"{state['found_on']}: a later travel or request is a new matter."
        )


def travelled(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _joined(state, fact)
    if found.get("travelled_on"):
        raise conflict(
            f"Matter {fact.payload['matter']} already records the travel of "
            f"{found['travelled_on']}: each visit is a matter of its own."
        )
    return {**found, "travelled_on": fact.occurred_on.isoformat()}


def requested(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _joined(state, fact)
    return {**found, "requests": [*found.get("requests", []), fact.occurred_on.isoformat()]}


def not_executed(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _existing(state, fact)
    if found.get("not_executed_on"):
        raise conflict(f"Matter {fact.payload['matter']} already records the request not executed.")
    _not_before(fact, found.get("travelled_on"), "the travel")
    _not_before(fact, min(found.get("requests", []), default=None), "the request")
    return {**found, "not_executed_on": fact.occurred_on.isoformat()}


def found_non_compliance(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _existing(state, fact)
    if found.get("found_on"):
        raise conflict(
            f"Matter {fact.payload['matter']} already has a finding of non-compliance of "
            f"{found['found_on']}."
        )
    for day, what in (
        (found.get("travelled_on"), "the travel"),
        (found.get("not_executed_on"), "the request not executed"),
        (min(found.get("requests", []), default=None), "the request"),
    ):
        _not_before(fact, day, what)
    return {**found, "found_on": fact.occurred_on.isoformat(), "referred": []}


def _with_finding(state: LifecycleState, fact: Fact) -> dict[str, Any]:
    found = _existing(state, fact)
    if not found.get("found_on"):
        raise conflict(
            f"Matter {fact.payload['matter']} has no standing finding of non-compliance "
            "(article 87(7))."
        )
    _not_before(fact, found["found_on"], "the finding")
    return found


def referred(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _with_finding(state, fact)
    again = sorted(set(fact.payload["to"]) & set(found["referred"]))
    if again:
        raise conflict(
            f"Matter {fact.payload['matter']} was already referred to "
            f"{' and '.join(name_of(code) for code in again)}."
        )
    return {**found, "referred": sorted({*found["referred"], *fact.payload["to"]})}


def appeal_decided(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _with_finding(state, fact)
    if found.get("appealed_on"):
        raise conflict(f"The appeal in matter {fact.payload['matter']} was already decided.")
    if fact.payload["referral"] != "none" and not found["referred"]:
        raise conflict(f"Matter {fact.payload['matter']} was not referred: no referral to decide.")
    changed = {**found, "appealed_on": fact.occurred_on.isoformat()}
    if fact.payload["finding"] == "reversed":
        changed.update(found_on=None, referred=[])
    elif fact.payload["referral"] == "reversed":
        changed["referred"] = []
    return changed


def followed_up(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    return _existing(state, fact)


def closed(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _existing(state, fact)
    days = [*found.get("requests", []), *filter(None, [found.get("travelled_on")])]
    _not_before(fact, min(days, default=None), "the matter's opening")
    return {**found, "closed_on": fact.occurred_on.isoformat()}


def after_the_warrant(fact: Fact, lifecycles: Lifecycles) -> None:
    """A travel or request under a warrant happens while the warrant stands: after it
    was issued, before the person was surrendered or the warrant closed."""
    p = fact.payload
    warrant = lifecycles(f"warrant:{p['warrant']}")
    day = fact.occurred_on.isoformat()
    if warrant is None:
        return  # `references` says there is none
    if day < warrant["issued_on"]:
        raise conflict(
            f"Warrant {p['warrant']} was issued on {warrant['issued_on']}: nothing on {day} "
            "can be a failure to execute it."
        )
    for key, what in (("surrendered_on", "surrendered"), ("closed_on", "closed")):
        if warrant.get(key) and warrant[key] <= day:
            raise conflict(
                f"Under warrant {p['warrant']}, the person was {what} on {warrant[key]}: "
                f"nothing on {day} can be a failure to execute it."
            )
    departed = p.get("departed_on")
    if departed and departed < day:
        raise invalid("departed_on", "Must not be before the arrival (occurred_on).")


# -- how the events read -----------------------------------------------------------

GROUND_TERMS = Terms(
    {
        "head_of_state_immunity": (
            "the immunity of a Head of State invoked",
            "immunité d’un chef d’État invoquée",
        ),
        "article_98_obligations": (
            "obligations under article 98 invoked",
            "obligations au titre de l’article 98 invoquées",
        ),
        "regional_organisation_decision": (
            "a regional organisation's decision invoked",
            "décision d’une organisation régionale invoquée",
        ),
        "article_97_consultations": (
            "consultations under article 97 requested",
            "consultations au titre de l’article 97 demandées",
        ),
        "no_explanation_given": ("no explanation given", "aucune explication donnée"),
        "other": ("other grounds", "autres motifs"),
        "not_recorded": ("grounds not recorded", "motifs non consignés"),
    }
)
CHAMBER_TERMS = Terms(
    {
        "pre_trial_chamber": ("A Pre-Trial Chamber", "Une Chambre préliminaire"),
        "trial_chamber": ("A Trial Chamber", "Une Chambre de première instance"),
        "appeals_chamber": ("The Appeals Chamber", "La Chambre d’appel"),
    }
)
ACTION_TERMS = Terms(
    {
        "letter": ("a letter", "lettre"),
        "meeting_with_the_state": ("a meeting with the State", "réunion avec l’État"),
        "public_meeting": ("a public meeting", "réunion publique"),
        "report_to_the_assembly": ("a report to the Assembly", "rapport à l’Assemblée"),
        "plenary_debate": ("a plenary debate", "débat en séance plénière"),
        "statement": ("a statement", "déclaration"),
        "resolution": ("a resolution", "résolution"),
        "other": ("other action", "autre mesure"),
    }
)
CLOSE_TERMS = Terms(
    {
        "person_surrendered": ("person surrendered", "personne remise"),
        "person_deceased": ("person deceased", "personne décédée"),
        "warrant_withdrawn": ("warrant withdrawn", "mandat retiré"),
        "cooperation_resumed": ("cooperation resumed", "coopération reprise"),
        "finding_reversed": ("finding reversed", "constatation infirmée"),
        "other": ("other reason", "autre motif"),
    }
)
APPEAL_TERMS = Terms(
    {
        "confirmed": ("confirmed", "confirmé"),
        "reversed": ("reversed", "infirmé"),
        "none": ("not at issue", "sans objet"),
    }
)


def _occasion(p: Mapping[str, Any]) -> str:
    return f" ({p['occasion']})" if p.get("occasion") else ""


TRAVEL = Phrase(
    en="The person sought by warrant {warrant} travelled to {state}{occasion}; matter {matter}.",
    fr="Déplacement de la personne visée par le mandat {warrant} ; État : {state}{occasion} ; "
    "dossier {matter}.",
    values=lambda p, w: {
        "warrant": p["warrant"],
        "state": w.party(p["state"]),
        "occasion": _occasion(p),
        "matter": p["matter"],
    },
)
REQUESTED = Phrase(
    en="Request for the arrest and surrender of the person sought by warrant {warrant} "
    "transmitted to {state}; matter {matter}.",
    fr="Demande d’arrestation et de remise de la personne visée par le mandat {warrant} "
    "transmise ; État : {state} ; dossier {matter}.",
    values=lambda p, w: {
        "warrant": p["warrant"],
        "state": w.party(p["state"]),
        "matter": p["matter"],
    },
)
NOT_EXECUTED = Phrase(
    en="Request not executed in matter {matter}: {grounds}.",
    fr="Demande non exécutée dans le dossier {matter} : {grounds}.",
    values=lambda p, w: {"matter": p["matter"], "grounds": w.term(p["grounds"], GROUND_TERMS)},
)
FOUND = Phrase(
    en="{chamber} found non-compliance under article 87(7) in matter {matter} ({decision}).",
    fr="{chamber} a constaté un manquement au titre de l’article 87-7 dans le dossier "
    "{matter} ({decision}).",
    values=lambda p, w: {
        "chamber": w.term(p["chamber"], CHAMBER_TERMS),
        "matter": p["matter"],
        "decision": p["decision"],
    },
)
REFERRED = Phrase(
    en="Matter {matter} referred to {organs}.",
    fr="Dossier {matter} renvoyé ; destinataires : {organs}.",
    values=lambda p, w: {
        "matter": p["matter"],
        "organs": w.listing(w.say(en=f"the {w.party(code)}", fr=w.party(code)) for code in p["to"]),
    },
)
APPEALED = Phrase(
    en="Appeal decided in matter {matter} ({decision}): finding {finding}, referral {referral}.",
    fr="Appel tranché dans le dossier {matter} ({decision}) : constatation {finding}, "
    "renvoi {referral}.",
    values=lambda p, w: {
        "matter": p["matter"],
        "decision": p["decision"],
        "finding": w.term(p["finding"], APPEAL_TERMS),
        "referral": w.term(p["referral"], APPEAL_TERMS),
    },
)
FOLLOWED_UP = Phrase(
    en="{body} followed matter {matter} up: {action}.",
    fr="{body} : suivi du dossier {matter} ({action}).",
    values=lambda p, w: {
        "body": w.party(p["by"]),
        "matter": p["matter"],
        "action": w.term(p["action"], ACTION_TERMS),
    },
)
CLOSED = Phrase(
    en="Matter {matter} closed ({reason}).",
    fr="Clôture du dossier {matter} ({reason}).",
    values=lambda p, w: {"matter": p["matter"], "reason": w.term(p["reason"], CLOSE_TERMS)},
)


matter = lifecycle("non_cooperation", "matter")


@hookimpl
def followup_event_types() -> list[EventType]:
    def chain(name: str, schema: type[Schema], description: str, **kwargs: Any) -> EventType:
        return EventType(name, schema, AREA, description, subject=matter, cluster="I.D", **kwargs)

    return [
        chain(
            "SuspectTravelled",
            SuspectTravelled,
            "A person sought by a warrant travelled to a State (opens a matter).",
            sentence=TRAVEL,
            rule=travelled,
            references={"warrant": "warrant"},
            party_fields=("state",),
            checks=after_the_warrant,
        ),
        chain(
            "ArrestRequestTransmitted",
            ArrestRequestTransmitted,
            "The Court transmitted to a State a request for the arrest and surrender of a "
            "person sought (opens a matter, or adds to it).",
            sentence=REQUESTED,
            rule=requested,
            references={"warrant": "warrant"},
            party_fields=("state",),
            checks=after_the_warrant,
        ),
        chain(
            "ArrestNotExecuted",
            ArrestNotExecuted,
            "The State did not execute the request: the person was not arrested.",
            sentence=NOT_EXECUTED,
            rule=not_executed,
        ),
        chain(
            "NonComplianceFound",
            NonComplianceFound,
            "A Chamber found that the State failed to comply with the request (article 87(7)).",
            sentence=FOUND,
            rule=found_non_compliance,
        ),
        chain(
            "NonComplianceReferred",
            NonComplianceReferred,
            "The Chamber referred the non-compliance to the Assembly of States Parties "
            "and/or the Security Council.",
            sentence=REFERRED,
            rule=referred,
            party_fields=("to",),
        ),
        chain(
            "NonComplianceAppealDecided",
            NonComplianceAppealDecided,
            "The Appeals Chamber confirmed or reversed the finding and the referral.",
            sentence=APPEALED,
            rule=appeal_decided,
        ),
        chain(
            "NonCooperationFollowedUp",
            NonCooperationFollowedUp,
            "The Assembly, its President or Bureau, or the Security Council followed the "
            "matter up.",
            sentence=FOLLOWED_UP,
            rule=followed_up,
            party_fields=("by",),
        ),
        chain(
            "NonCooperationMatterClosed",
            NonCooperationMatterClosed,
            "The matter was closed.",
            sentence=CLOSED,
            rule=closed,
        ),
    ]


# -- the non_cooperation view --------------------------------------------------------

TYPES = frozenset(
    {
        "SuspectTravelled",
        "ArrestRequestTransmitted",
        "ArrestNotExecuted",
        "NonComplianceFound",
        "NonComplianceReferred",
        "NonComplianceAppealDecided",
        "NonCooperationFollowedUp",
        "NonCooperationMatterClosed",
    }
)
OPENING = frozenset({"SuspectTravelled", "ArrestRequestTransmitted"})


def fold_matter(item: Item | None, fact: ViewFact) -> Item | None:
    folded = _fold_matter(item, fact)
    if folded is not None:
        folded["opened_on"] = opened_on(folded)
    return folded


def _fold_matter(item: Item | None, fact: ViewFact) -> Item | None:
    p = fact.payload
    if item is None:
        if fact.type not in OPENING:
            return None  # its opening is not visible at this level
        item = {
            "matter": p["matter"],
            "warrant": p["warrant"],
            "state": p["state"],
            "travelled_on": None,
            "departed_on": None,
            "occasion": None,
            "requests": [],
            "not_executed_on": None,
            "grounds": None,
            "explanation": None,
            "found_on": None,
            "chamber": None,
            "decision": None,
            "referrals": [],
            "appeal": None,
            "follow_ups": [],
            "closed_on": None,
            "close_reason": None,
        }
    if fact.type == "SuspectTravelled":
        return dated(
            item, fact, "travelled_on", departed_on=p.get("departed_on"), occasion=p.get("occasion")
        )
    if fact.type == "ArrestRequestTransmitted":
        request = {"on": fact.occurred_on, "event": fact.id}
        return {**item, "requests": [*item["requests"], request]}
    if fact.type == "ArrestNotExecuted":
        return dated(
            item, fact, "not_executed_on", grounds=p["grounds"], explanation=p.get("explanation")
        )
    if fact.type == "NonComplianceFound":
        return dated(item, fact, "found_on", chamber=p["chamber"], decision=p["decision"])
    if fact.type == "NonComplianceReferred":
        referrals = [
            *item["referrals"],
            *(
                {
                    "to": code,
                    "on": fact.occurred_on,
                    "decision": p.get("decision"),
                    "event": fact.id,
                }
                for code in p["to"]
            ),
        ]
        return {**item, "referrals": referrals}
    if fact.type == "NonComplianceAppealDecided":
        appeal = {
            "on": fact.occurred_on,
            "decision": p["decision"],
            "finding": p["finding"],
            "referral": p["referral"],
            "event": fact.id,
        }
        return {**item, "appeal": appeal}
    if fact.type == "NonCooperationFollowedUp":
        follow_up = {
            "on": fact.occurred_on,
            "by": p["by"],
            "action": p["action"],
            "details": p.get("details"),
            "event": fact.id,
        }
        return {**item, "follow_ups": [*item["follow_ups"], follow_up]}
    return dated(item, fact, "closed_on", close_reason=p["reason"])


def opened_on(item: Item) -> str | None:
    days = [r["on"] for r in item["requests"]]
    if item["travelled_on"]:
        days.append(item["travelled_on"])
    return min(days) if days else None


def present_matter(item: Item, on: date) -> Item | None:
    """The matter as it stood on `on`: later steps not yet taken; a finding reversed on
    appeal no longer stands, nor does a referral reversed."""
    day = on.isoformat()
    shown = hide_later_with_details(
        item,
        on,
        {
            "travelled_on": ("departed_on", "occasion"),
            "not_executed_on": ("grounds", "explanation"),
            "found_on": ("chamber", "decision"),
            "closed_on": ("close_reason",),
        },
    )
    shown["requests"] = happened_by(item["requests"], on)
    shown["opened_on"] = opened_on(shown)
    if shown["opened_on"] is None:
        return None
    shown["referrals"] = happened_by(item["referrals"], on)
    shown["follow_ups"] = happened_by(item["follow_ups"], on)
    appeal = item["appeal"] if item["appeal"] and item["appeal"]["on"] <= day else None
    shown["appeal"] = appeal
    standing_finding = shown["found_on"] is not None and not (
        appeal and appeal["finding"] == "reversed"
    )
    shown["finding_stands"] = standing_finding
    shown["referred_to"] = (
        sorted({r["to"] for r in shown["referrals"]})
        if standing_finding and not (appeal and appeal["referral"] == "reversed")
        else []
    )
    shown["status"] = matter_status(shown)
    return shown


def matter_status(item: Item) -> str:
    if item["closed_on"]:
        return "closed"
    if item["referred_to"]:
        return "referred"
    if item["finding_stands"]:
        return "non_compliance_found"
    if item["not_executed_on"]:
        return "not_executed"
    if item["requests"]:
        return "request_transmitted"
    return "travel_reported"


def opening_event(item: Item) -> list[str]:
    """The event that opened the matter: its earliest travel or request."""
    found = [(r["on"], r["event"]) for r in item["requests"]]
    if item["travelled_on"]:
        found.append((item["travelled_on"], item["dated_events"]["travelled_on"]))
    return [min(found)[1]] if found else []


def referred_to(organ: str) -> OnDate:
    words = "the Assembly of States Parties" if organ == "ASP" else "the Security Council"
    return OnDate(
        f"non_cooperation.referred_to_{'assembly' if organ == 'ASP' else 'security_council'}",
        f"Matters standing referred to {words} on the reading's date.",
        VIEW,
        lambda item: organ in item["referred_to"],
        lambda item: [r["event"] for r in item["referrals"] if r["to"] == organ],
    )


def referral_events(item: Item) -> list[str]:
    return [r["event"] for r in item["referrals"]]


MATTER_FIGURES = ItemFigures(
    (
        InPeriod(
            "non_cooperation.opened",
            "Non-cooperation matters opened in the period (a travel or a request).",
            VIEW,
            "opened_on",
            contributing=opening_event,
        ),
        InPeriod(
            "non_cooperation.findings",
            "Findings of non-compliance (article 87(7)) made in the period.",
            VIEW,
            "found_on",
            contributing=events_of("found_on"),
        ),
        InPeriod(
            "non_cooperation.not_executed",
            "Requests for arrest and surrender not executed in the period.",
            VIEW,
            "not_executed_on",
            contributing=events_of("not_executed_on"),
        ),
        InPeriod(
            "non_cooperation.closed",
            "Matters closed in the period.",
            VIEW,
            "closed_on",
            contributing=events_of("closed_on"),
        ),
        OnDate(
            "non_cooperation.open",
            "Non-cooperation matters open on the reading's date.",
            VIEW,
            lambda item: item["status"] != "closed",
        ),
        OnDate(
            "non_cooperation.referred",
            "Matters standing referred to the Assembly or the Security Council on the date.",
            VIEW,
            lambda item: bool(item["referred_to"]),
            referral_events,
        ),
        referred_to("ASP"),
        referred_to("UNSC"),
    )
)


#: What GET /parties counts of a State's matters, as presented on a date.
PER_STATE: dict[str, Callable[[Item], bool]] = {
    "matters": lambda shown: True,
    "open": lambda shown: shown["status"] != "closed",
    "findings": lambda shown: shown["found_on"] is not None,
    "referred": lambda shown: bool(shown["referred_to"]),
}


def state_if(counted: Callable[[Item], bool]) -> Callable[[Item], tuple[str, ...]]:
    return lambda shown: (shown["state"],) if counted(shown) else ()


def matter_counts(timeline: Timeline) -> list[ItemCount]:
    """The figures, and per year: findings (still standing) and referrals, for the
    indicator's table by year."""
    counts = MATTER_FIGURES.counts(timeline)
    item = timeline.item
    if item["found_on"]:
        counts.append((f"non_cooperation.findings_in.{item['found_on'][:4]}", item["found_on"], 1))
    for referral in item["referrals"]:
        counts.append((f"non_cooperation.referrals_in.{referral['on'][:4]}", referral["on"], 1))
    if item["travelled_on"]:
        counts.append(
            (f"non_cooperation.travels_in.{item['travelled_on'][:4]}", item["travelled_on"], 1)
        )
    # Per State (GET /parties): its matters, open, with a finding, referred.
    for what, counts_it in PER_STATE.items():
        counts.extend(party_steps(timeline, f"non_cooperation.{what}", state_if(counts_it)))
    return counts


# -- the warrant knows its matters ----------------------------------------------------


def fold_warrant_matters(item: Item | None, fact: ViewFact) -> Item | None:
    """A travel or a request under a warrant, on the warrant's item."""
    if item is None:
        return None  # the warrant is not visible at this level
    record = {
        "matter": fact.payload["matter"],
        "state": fact.payload["state"],
        "on": fact.occurred_on,
        "kind": "travel" if fact.type == "SuspectTravelled" else "request",
        "event": fact.id,
    }
    return {**item, "non_cooperation": [*item.get("non_cooperation", []), record]}


def present_warrant_matters(item: Item, on: date) -> Item:
    return {
        **item,
        "non_cooperation": happened_by(item.get("non_cooperation", []), on),
    }


def fold_warrant_requests(item: Item | None, fact: ViewFact) -> Item | None:
    """A request for assistance about a warrant (e.g. for arrest and surrender)."""
    if item is None:
        return None
    record = {
        "request": fact.payload["request"],
        "addressee": fact.payload["addressee"],
        "category": fact.payload["category"],
        "on": fact.occurred_on,
        "event": fact.id,
    }
    return {**item, "requests": [*item.get("requests", []), record]}


def present_warrant_requests(item: Item, on: date) -> Item:
    return {**item, "requests": happened_by(item.get("requests", []), on)}


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view=VIEW,
            types=TYPES,
            keys=lambda fact: [fact.payload["matter"]],
            fold=fold_matter,
            present=present_matter,
            counts=matter_counts,
        ),
        ItemHandler(
            view="warrants",
            types=OPENING,
            keys=lambda fact: [fact.payload["warrant"]],
            fold=fold_warrant_matters,
            present=present_warrant_matters,
        ),
        ItemHandler(
            view="warrants",
            types=frozenset({"AssistanceRequestSent"}),
            keys=lambda fact: [fact.payload["warrant"]] if fact.payload.get("warrant") else [],
            fold=fold_warrant_requests,
            present=present_warrant_requests,
        ),
    ]


@hookimpl
def followup_tallies() -> list[Tally]:
    return [
        Tally(
            frozenset({"NonComplianceReferred"}),
            lambda fact: {
                "non_cooperation.referrals": len(fact.payload["to"]),
                **{f"non_cooperation.referrals_to.{code}": 1 for code in fact.payload["to"]},
            },
        ),
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        *MATTER_FIGURES.summary(),
        tally_figure(
            "non_cooperation.referrals",
            "Referrals of non-compliance to the Assembly or the Security Council made in "
            "the period (one per organ; a referral later reversed on appeal still counts).",
            "non_cooperation.referrals",
            ["NonComplianceReferred"],
        ),
        tally_figure(
            "non_cooperation.follow_ups",
            "Follow-up by the Assembly, its Bureau or the Security Council in the period.",
            "events.NonCooperationFollowedUp",
            ["NonCooperationFollowedUp"],
        ),
        tally_figure(
            "non_cooperation.travels",
            "Travels of persons sought to States in the period.",
            "events.SuspectTravelled",
            ["SuspectTravelled"],
        ),
    ]


def by_year(reading: Reading) -> dict[str, dict[str, int]]:
    """Travels, findings and referrals per year, up to the reading's date."""
    series = {
        name: reading.histogram(f"non_cooperation.{name}_in", cumulative=True)
        for name in ("travels", "findings", "referrals")
    }
    years = sorted({year for counts in series.values() for year in counts})
    return {
        str(year): {name: counts.get(year, 0) for name, counts in series.items()} for year in years
    }


def non_cooperation(reading: Reading) -> dict[str, Any]:
    return {
        "open": reading.tally("non_cooperation.open", cumulative=True),
        "findings": reading.tally("non_cooperation.findings"),
        "referrals": reading.tally("non_cooperation.referrals"),
        "referred_to_assembly": reading.tally(
            "non_cooperation.referred_to_assembly", cumulative=True
        ),
        "referred_to_security_council": reading.tally(
            "non_cooperation.referred_to_security_council", cumulative=True
        ),
        "by_year": by_year(reading),
    }


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (17, 21, 48, 51, 66),
            "non_cooperation",
            "Non-cooperation matters open; findings of non-compliance and referrals in the "
            "period; matters standing referred; travels, findings and referrals by year.",
            non_cooperation,
            reads=lambda value, w: counted(
                {k: v for k, v in value.items() if k != "by_year"},
                w,
                NON_COOPERATION_TERMS,
                en="Non-cooperation",
                fr="Non-coopération",
            ),
        )
    ]


# -- the annual report ----------------------------------------------------------------

MATTER = Noun(
    ("matter of non-cooperation", "matters of non-cooperation"),
    ("affaire de non-coopération", "affaires de non-coopération"),
    feminine=True,
)
FINDING = Noun(
    ("finding of non-compliance", "findings of non-compliance"),
    ("constatation de manquement", "constatations de manquement"),
    feminine=True,
)
REFERRAL = Noun(("referral", "referrals"), ("renvoi", "renvois"))
STATUS_TERMS = Terms(
    {
        "travel_reported": ("travel reported", "déplacement signalé"),
        "request_transmitted": ("request transmitted", "demande transmise"),
        "not_executed": ("not executed", "demande non exécutée"),
        "non_compliance_found": ("non-compliance found", "manquement constaté"),
        "referred": ("referred", "renvoyée"),
        "closed": ("closed", "close"),
    }
)
ORGAN_TERMS = Terms(
    {
        "ASP": ("the Assembly", "l’Assemblée"),
        "UNSC": ("the Security Council", "le Conseil de sécurité"),
    }
)

TABLE = """
{% if rows %}
<table class="activities">
  <thead><tr><th>{{ head.state }}</th><th>{{ head.person }}</th>
  <th class="date">{{ head.travel }}</th>
  <th>{{ head.finding }}</th><th>{{ head.referred }}</th><th>{{ head.status }}</th></tr></thead>
  <tbody>
  {% for row in rows %}
    <tr><td>{{ row.state }}</td><td>{{ row.person }}</td><td class="date">{{ row.travel }}</td>
        <td>{{ row.finding }}</td><td>{{ row.referred }}</td><td>{{ row.status }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endif %}
{% for text in after %}<p class="para">{{ text }}</p>{% endfor %}
"""


def report_section(context: SectionContext) -> dict[str, Any]:
    """The figures of the period and the matters active in it (public ones itemised,
    others counted): codes, names of persons and dates, worded by `report_words`."""
    first, last = context.first.isoformat(), context.last.isoformat()
    persons = {w["warrant"]: w["person"] for w in public(context.cumulative.items("warrants"))}
    active = [
        item
        for item in context.cumulative.items(VIEW)
        if item["status"] != "closed" or (item["closed_on"] or "") >= first
    ]
    active = [
        item
        for item in active
        if any(
            first <= (day or "") <= last
            for day in (
                item["opened_on"],
                item["found_on"],
                item["closed_on"],
                *(r["on"] for r in item["referrals"]),
                *(u["on"] for u in item["follow_ups"]),
            )
        )
        or item["status"] != "closed"
    ]
    shown = public(active)
    figures = context.figures
    return {
        "first": first,
        "last": last,
        "figures": {
            name: figures.get(f"non_cooperation.{name}", 0) or 0
            for name in (
                "opened",
                "findings",
                "referrals",
                "open",
                "referred_to_assembly",
                "referred_to_security_council",
            )
        },
        "rows": [
            {
                "state": item["state"],
                "person": persons.get(item["warrant"], item["warrant"]),
                "travelled_on": item["travelled_on"],
                "found_on": item["found_on"],
                "decision": item["decision"] if item["found_on"] else None,
                "referred_to": list(item["referred_to"]),
                "status": item["status"],
            }
            for item in sorted(shown, key=lambda item: (item["opened_on"], item["matter"]))
        ],
        "withheld": len(active) - len(shown),
    }


def report_words(data: Mapping[str, Any], w: Words) -> Fragment:
    """The section in a language: what the period saw, what stands at its end, the
    matters (public ones), and how many more are counted but not listed."""
    f = data["figures"]
    p_during = w.period(data["first"], data["last"])
    year = data["last"][:4]
    during = (
        w.say(en=f"in {year}", fr=f"en {year}")
        if data["first"].endswith("-01-01") and data["last"].endswith("-12-31")
        else p_during
    )
    at_end = (
        w.say(en=f"at the end of {year}", fr=f"à la fin de {year}")
        if data["last"].endswith("-12-31")
        else w.say(en=f"on {w.date(data['last'])}", fr=f"au {w.date(data['last'])}")
    )
    said = []
    clauses = []
    if f["opened"]:
        clauses.append(
            w.say(
                en=f"{w.count(f['opened'], MATTER)} "
                f"{w.agree(f['opened'], one='was', other='were')} "
                "opened (a person sought travelling to a State, or a request for arrest and "
                "surrender not executed)",
                fr=f"{w.count(f['opened'], MATTER)} "
                f"{w.agree(f['opened'], one='a été ouverte', other='ont été ouvertes')} (une "
                "personne recherchée se rendant dans un État, ou une demande d’arrestation et de "
                "remise non exécutée)",
            )
        )
    if f["findings"]:
        clauses.append(
            w.say(
                en=f"{w.count(f['findings'], FINDING)} under article 87(7) "
                f"{w.agree(f['findings'], one='was', other='were')} made",
                fr=f"{w.count(f['findings'], FINDING)} au titre de l’article 87-7 "
                f"{w.agree(f['findings'], one='a été faite', other='ont été faites')}",
            )
        )
    if f["referrals"]:
        clauses.append(
            w.say(
                en=f"{w.count(f['referrals'], REFERRAL)} to the Assembly or the Security "
                f"Council {w.agree(f['referrals'], one='was', other='were')} made",
                fr=f"{w.count(f['referrals'], REFERRAL)} à l’Assemblée ou au Conseil de sécurité "
                f"{w.agree(f['referrals'], one='a été décidé', other='ont été décidés')}",
            )
        )
    if clauses:
        said.append(w.sentence(f"{during}, " + w.listing(clauses) + "."))
    if f["open"]:
        text = w.say(
            en=f"{at_end}, {w.count(f['open'], MATTER)} "
            f"{w.agree(f['open'], one='was', other='were')} open",
            fr=f"{at_end}, {w.count(f['open'], MATTER)} "
            f"{w.agree(f['open'], one='était', other='étaient')} en cours",
        )
        referred = []
        for organ, n in (
            ("ASP", f["referred_to_assembly"]),
            ("UNSC", f["referred_to_security_council"]),
        ):
            if n:
                sent = w.agree(n, one="renvoyée", other="renvoyées")
                to = "à l’Assemblée" if organ == "ASP" else "au Conseil de sécurité"
                referred.append(
                    w.say(
                        en=f"{w.cardinal(n)} referred to {w.term(organ, ORGAN_TERMS)}",
                        fr=f"{w.cardinal(n, feminine=True)} {sent} {to}",
                    )
                )
        if referred:
            text += w.say(en=", of which ", fr=", dont ") + w.listing(referred)
        said.append(w.sentence(text + "."))
    if not said and not data["rows"]:
        said.append(
            w.sentence(
                w.say(
                    en=f"No matter of non-cooperation was open or recorded {during}.",
                    fr=f"Aucune affaire de non-coopération n’était en cours ni n’a été "
                    f"enregistrée {during}.",
                )
            )
        )
    after = []
    if data["withheld"]:
        n = data["withheld"]
        after.append(
            w.sentence(
                w.say(
                    en=f"In addition, {w.count(n, MATTER)}, recorded as restricted, "
                    f"{w.agree(n, one='is', other='are')} counted but not listed.",
                    fr=f"En outre, {w.count(n, MATTER)} à diffusion restreinte "
                    f"{w.agree(n, one='est comptée', other='sont comptées')} mais non "
                    f"{w.agree(n, one='énumérée', other='énumérées')}.",
                )
            )
        )
    rows = [
        {
            "state": w.party(row["state"]),
            "person": row["person"],
            "travel": w.short_date(row["travelled_on"]) if row["travelled_on"] else "–",
            "finding": (
                f"{w.short_date(row['found_on'])} ({row['decision']})" if row["found_on"] else "–"
            ),
            "referred": w.listing(w.term(organ, ORGAN_TERMS) for organ in row["referred_to"])
            or "–",
            "status": w.term(row["status"], STATUS_TERMS),
        }
        for row in data["rows"]
    ]
    head = {
        "state": w.say(en="State", fr="État"),
        "person": w.say(en="Person sought", fr="Personne recherchée"),
        "travel": w.say(en="Travel", fr="Déplacement"),
        "finding": w.say(en="Finding", fr="Constatation"),
        "referred": w.say(en="Referred to", fr="Renvoi"),
        "status": w.say(en="Status", fr="État"),
    }
    source = "".join(f'<p class="para">{{{{ said[{i}] }}}}</p>' for i in range(len(said))) + TABLE
    return Fragment(source, {"said": said, "rows": rows, "head": head, "after": after})


@hookimpl
def followup_report_sections() -> list[ReportSection]:
    return [
        ReportSection(
            "non_cooperation.matters",
            Text("Non-cooperation", "Non-coopération"),
            after="I.D",
            gather=report_section,
            render=report_words,
        )
    ]


#: The words of the non-cooperation indicator.
NON_COOPERATION_TERMS = Terms(
    {
        "open": ("matters open", "affaires en cours"),
        "findings": (
            "findings of non-compliance in the period",
            "constatations de manquement pendant la période",
        ),
        "referrals": ("referrals in the period", "renvois pendant la période"),
        "referred_to_assembly": (
            "matters referred to the Assembly",
            "affaires renvoyées à l’Assemblée",
        ),
        "referred_to_security_council": (
            "matters referred to the Security Council",
            "affaires renvoyées au Conseil de sécurité",
        ),
    }
)
