"""Situations (Part I, cluster 3; Part II; recommendations 12-15, 51): how a situation
came before the Court — referred by a State Party (article 13(a)) or by the Security
Council (13(b)), or taken up by the Prosecutor proprio motu (13(c), 15) — its
preliminary examination, the opening of an investigation, and requests under article 16
that the Court defer an investigation or prosecution."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.parties import PartyKind, is_state
from core.views.figures import dated, events_of, tally_figure
from core.views.itemfigures import InPeriod, ItemFigures, OnDate
from core.views.model import Indicator, Item, ItemHandler, SummaryFigure, Tally, ViewFact
from core.words import Phrase, Terms
from plugins import hookimpl
from plugins.builtin.item_dates import hide_later_with_details
from plugins.builtin.party_items import happened_by
from plugins.builtin.report_words import counted

AREA = "situations"
VIEW = "situations"

TRIGGERS = ("state_referral", "security_council_referral", "proprio_motu")
PE_BASES = ("communications", "referral", "article_12_3_declaration")
PE_OUTCOMES = ("investigation", "no_investigation")


def situation_ref(*, required: bool = True) -> fields.String:
    return f.reference("situation", required=required)


def codes() -> fields.List:
    return fields.List(
        f.PartyCode(kinds={PartyKind.STATE}),
        required=True,
        validate=validate.Length(min=1, max=200),
    )


class SituationReferred(Schema):
    situation = situation_ref()
    title = f.text(max_length=200)
    by = fields.List(
        f.PartyCode(kinds={PartyKind.STATE, PartyKind.UNITED_NATIONS}),
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The referring States Parties, or UNSC alone."},
    )
    resolution = fields.String(load_default=None, validate=validate.Length(min=1, max=200))

    @validates_schema
    def council_alone(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        by = data.get("by") or []
        if any(code != "UNSC" and not is_state(code) for code in by):
            raise ValidationError("Only States and the Security Council (UNSC) refer.", "by")
        if "UNSC" in by and len(by) > 1:
            raise ValidationError("The Security Council refers alone (article 13(b)).", "by")
        if "UNSC" in by and not data.get("resolution"):
            raise ValidationError(
                "A Security Council referral is a resolution: give its symbol.", "resolution"
            )


class PreliminaryExaminationOpened(Schema):
    situation = situation_ref()
    title = f.text(max_length=200)
    states = codes()
    basis = f.choice(PE_BASES)


class PreliminaryExaminationConcluded(Schema):
    situation = situation_ref()
    outcome = f.choice(PE_OUTCOMES)


class InvestigationOpened(Schema):
    situation = situation_ref()
    title = f.text(max_length=200)
    trigger = f.choice(TRIGGERS)
    authorisation = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "The Pre-Trial Chamber's decision authorising it (article 15(4))."
        },
    )

    @validates_schema
    def authorised(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if data.get("trigger") == "proprio_motu" and not data.get("authorisation"):
            raise ValidationError(
                "A proprio motu investigation needs a Pre-Trial Chamber's authorisation "
                "(article 15(4)): give the decision.",
                "authorisation",
            )


class DeferralRequested(Schema):
    situation = situation_ref(required=False)
    requested_by = f.party()
    resolution = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    details = fields.String(load_default=None, validate=validate.Length(min=1, max=2000))


# -- rules ---------------------------------------------------------------------------


def _begun(state: LifecycleState) -> dict[str, Any]:
    return dict(state) if state is not None else {"referrals": []}


def referred(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _begun(state)
    if found.get("investigation_on") and "UNSC" in fact.payload["by"]:
        raise conflict(
            f"Situation {fact.payload['situation']} is already under investigation; a "
            "Security Council referral comes before."
        )
    kind = "security_council" if fact.payload["by"] == ["UNSC"] else "state"
    return {**found, "referrals": [*found["referrals"], kind]}


def examination_opened(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _begun(state)
    if found.get("examination_on"):
        raise conflict(
            f"A preliminary examination of situation {fact.payload['situation']} was already "
            f"opened on {found['examination_on']}."
        )
    return {**found, "examination_on": fact.occurred_on.isoformat()}


def examination_concluded(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["situation"]
    if state is None or not state.get("examination_on"):
        raise conflict(f"No preliminary examination of situation {name} was opened.")
    if state.get("examination_concluded_on"):
        raise conflict(f"The preliminary examination of situation {name} is already concluded.")
    if fact.occurred_on.isoformat() < state["examination_on"]:
        raise conflict("A preliminary examination cannot end before it was opened.")
    return {**state, "examination_concluded_on": fact.occurred_on.isoformat()}


def investigation_opened(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    found = _begun(state)
    name, trigger = fact.payload["situation"], fact.payload["trigger"]
    if found.get("investigation_on"):
        raise conflict(f"An investigation of situation {name} was already opened.")
    needed = {"state_referral": "state", "security_council_referral": "security_council"}
    if trigger in needed and needed[trigger] not in found["referrals"]:
        who = "a State Party" if trigger == "state_referral" else "the Security Council"
        raise conflict(f"Situation {name} was not referred by {who}: record the referral first.")
    if found.get("examination_on") and fact.occurred_on.isoformat() < found["examination_on"]:
        raise conflict("An investigation cannot be opened before the preliminary examination.")
    return {**found, "investigation_on": fact.occurred_on.isoformat()}


def deferral(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if fact.payload.get("situation") and state is None:
        raise conflict(f"There is no situation {fact.payload['situation']} in the log.")
    return dict(state or {"referrals": []})


# -- how the events read -----------------------------------------------------------

TRIGGER_TERMS = Terms(
    {
        "state_referral": ("a referral by States Parties", "renvoi par des États Parties"),
        "security_council_referral": (
            "a referral by the Security Council",
            "renvoi par le Conseil de sécurité",
        ),
        "proprio_motu": ("the Prosecutor's own initiative", "initiative du Procureur"),
    }
)
BASIS_TERMS = Terms(
    {
        "communications": ("communications", "communications"),
        "referral": ("a referral", "renvoi"),
        "article_12_3_declaration": (
            "a declaration under article 12(3)",
            "déclaration au titre de l’article 12-3",
        ),
    }
)
OUTCOME_TERMS = Terms(
    {
        "investigation": ("an investigation to follow", "ouverture d’une enquête"),
        "no_investigation": ("no investigation", "pas d’enquête"),
    }
)

REFERRED = Phrase(
    en="The situation in {title} was referred to the Prosecutor by {by}{resolution}.",
    fr="Renvoi de la situation : {title} ; auteur : {by}{resolution}.",
    values=lambda p, w: {
        "title": w.place(p["title"]),
        "by": w.say(en="the Security Council", fr=w.party("UNSC"))
        if p["by"] == ["UNSC"]
        else w.parties(p["by"]),
        "resolution": f" ({p['resolution']})" if p.get("resolution") else "",
    },
)
EXAMINATION_OPENED = Phrase(
    en="Preliminary examination of the situation in {title} opened on {basis}.",
    fr="Ouverture d’un examen préliminaire : {title} ; fondement : {basis}.",
    values=lambda p, w: {"title": w.place(p["title"]), "basis": w.term(p["basis"], BASIS_TERMS)},
)
EXAMINATION_CONCLUDED = Phrase(
    en="Preliminary examination {situation} concluded: {outcome}.",
    fr="Clôture de l’examen préliminaire {situation} : {outcome}.",
    values=lambda p, w: {
        "situation": w.place(p["situation"]),
        "outcome": w.term(p["outcome"], OUTCOME_TERMS),
    },
)
INVESTIGATION_OPENED = Phrase(
    en="Investigation of the situation in {title} opened on {trigger}{authorisation}.",
    fr="Ouverture d’une enquête : {title} ; saisine : {trigger}{authorisation}.",
    values=lambda p, w: {
        "title": w.place(p["title"]),
        "trigger": w.term(p["trigger"], TRIGGER_TERMS),
        "authorisation": f" ({p['authorisation']})" if p.get("authorisation") else "",
    },
)
DEFERRAL = Phrase(
    en="Deferral under article 16 requested by {by}{resolution}.",
    fr="Sursis à enquêter au titre de l’article 16 demandé ; auteur : {by}{resolution}.",
    values=lambda p, w: {
        "by": w.party(p["requested_by"]),
        "resolution": f" ({p['resolution']})" if p.get("resolution") else "",
    },
)


situation = lifecycle("situation", "situation")


def referral_section(payload: Mapping[str, Any]) -> str:
    """A Security Council referral is cooperation in the United Nations context."""
    return "II.A" if payload.get("by") == ["UNSC"] else "I.C"


def situation_if_named(payload: Mapping[str, Any]) -> str | None:
    return f"situation:{payload['situation']}" if payload.get("situation") else None


@hookimpl
def followup_event_types() -> list[EventType]:
    def area(name: str, schema: type[Schema], description: str, **kwargs: Any) -> EventType:
        return EventType(name, schema, AREA, description, **kwargs)

    return [
        area(
            "SituationReferred",
            SituationReferred,
            "A situation was referred to the Prosecutor by States Parties (article 13(a)) or "
            "by the Security Council (article 13(b)).",
            sentence=REFERRED,
            cluster=referral_section,
            subject=situation,
            rule=referred,
            party_fields=("by",),
        ),
        area(
            "PreliminaryExaminationOpened",
            PreliminaryExaminationOpened,
            "The Prosecutor opened a preliminary examination of a situation.",
            sentence=EXAMINATION_OPENED,
            cluster="I.C",
            subject=situation,
            rule=examination_opened,
            party_fields=("states",),
        ),
        area(
            "PreliminaryExaminationConcluded",
            PreliminaryExaminationConcluded,
            "The Prosecutor concluded a preliminary examination.",
            sentence=EXAMINATION_CONCLUDED,
            cluster="I.C",
            subject=situation,
            rule=examination_concluded,
        ),
        area(
            "InvestigationOpened",
            InvestigationOpened,
            "An investigation of a situation was opened: on a referral, or proprio motu "
            "with a Pre-Trial Chamber's authorisation.",
            sentence=INVESTIGATION_OPENED,
            cluster="I.C",
            subject=situation,
            rule=investigation_opened,
        ),
        area(
            "DeferralRequested",
            DeferralRequested,
            "A deferral under article 16 was requested: by the Security Council in a "
            "resolution, or of the Council by a State or an organisation.",
            sentence=DEFERRAL,
            cluster="II.A",
            activity=True,
            subject=situation_if_named,
            rule=deferral,
            party_fields=("requested_by",),
        ),
    ]


# -- the situations view ----------------------------------------------------------------


def fold_situation(item: Item | None, fact: ViewFact) -> Item | None:
    p = fact.payload
    if item is None:
        item = {
            "situation": p["situation"],
            "title": p.get("title") or p["situation"],
            "states": [],
            "referrals": [],
            "examination_on": None,
            "examination_basis": None,
            "examination_concluded_on": None,
            "examination_outcome": None,
            "investigation_on": None,
            "trigger": None,
            "authorisation": None,
            "deferrals": [],
        }
    if p.get("title"):
        item = {**item, "title": p["title"]}
    if fact.type == "SituationReferred":
        referral = {
            "on": fact.occurred_on,
            "by": list(p["by"]),
            "resolution": p.get("resolution"),
            "event": fact.id,
        }
        return {**item, "referrals": [*item["referrals"], referral]}
    if fact.type == "PreliminaryExaminationOpened":
        states = sorted({*item["states"], *p["states"]})
        return dated(item, fact, "examination_on", examination_basis=p["basis"], states=states)
    if fact.type == "PreliminaryExaminationConcluded":
        return dated(item, fact, "examination_concluded_on", examination_outcome=p["outcome"])
    if fact.type == "InvestigationOpened":
        return dated(
            item,
            fact,
            "investigation_on",
            trigger=p["trigger"],
            authorisation=p.get("authorisation"),
        )
    request = {
        "on": fact.occurred_on,
        "requested_by": p["requested_by"],
        "resolution": p.get("resolution"),
        "event": fact.id,
    }
    return {**item, "deferrals": [*item["deferrals"], request]}


def present_situation(item: Item, on: date) -> Item | None:
    shown = hide_later_with_details(
        item,
        on,
        {
            "examination_on": ("examination_basis",),
            "examination_concluded_on": ("examination_outcome",),
            "investigation_on": ("trigger", "authorisation"),
        },
    )
    shown["referrals"] = happened_by(item["referrals"], on)
    shown["deferrals"] = happened_by(item["deferrals"], on)
    if not (shown["referrals"] or shown["examination_on"] or shown["investigation_on"]):
        return None
    shown["referring_states"] = sorted(
        {code for r in shown["referrals"] for code in r["by"] if code != "UNSC"}
    )
    shown["status"] = situation_status(shown)
    return shown


def situation_status(item: Item) -> str:
    if item["investigation_on"]:
        return "investigation"
    if item["examination_on"] and not item["examination_concluded_on"]:
        return "preliminary_examination"
    if item["examination_concluded_on"]:
        return "examination_concluded"
    return "referred"


def opened_with(trigger: str) -> InPeriod:
    return InPeriod(
        f"situations.investigations_opened.{trigger}",
        f"Investigations opened in the period on a {trigger.replace('_', ' ')}.",
        VIEW,
        "investigation_on",
        lambda item: item["trigger"] == trigger,
        events_of("investigation_on"),
    )


SITUATION_FIGURES = ItemFigures(
    (
        InPeriod(
            "situations.preliminary_examinations_opened",
            "Preliminary examinations opened in the period.",
            VIEW,
            "examination_on",
            contributing=events_of("examination_on"),
        ),
        OnDate(
            "situations.preliminary_examinations",
            "Preliminary examinations under way on the reading's date.",
            VIEW,
            lambda item: item["status"] == "preliminary_examination",
            events_of("examination_on"),
        ),
        InPeriod(
            "situations.investigations_opened",
            "Investigations opened in the period.",
            VIEW,
            "investigation_on",
            contributing=events_of("investigation_on"),
        ),
        *(opened_with(trigger) for trigger in TRIGGERS),
        OnDate(
            "situations.investigations",
            "Situations under investigation on the reading's date.",
            VIEW,
            lambda item: item["status"] == "investigation",
            events_of("investigation_on"),
        ),
    )
)


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view=VIEW,
            types=frozenset(
                {
                    "SituationReferred",
                    "PreliminaryExaminationOpened",
                    "PreliminaryExaminationConcluded",
                    "InvestigationOpened",
                    "DeferralRequested",
                }
            ),
            keys=lambda fact: [fact.payload["situation"]] if fact.payload.get("situation") else [],
            fold=fold_situation,
            present=present_situation,
            counts=SITUATION_FIGURES.counts,
        )
    ]


@hookimpl
def followup_tallies() -> list[Tally]:
    return [
        Tally(
            frozenset({"SituationReferred"}),
            lambda fact: {
                "situations.referrals_by_security_council": int(fact.payload["by"] == ["UNSC"]),
                "situations.referrals_by_states": int(fact.payload["by"] != ["UNSC"]),
                "situations.referring_states": sum(1 for c in fact.payload["by"] if c != "UNSC"),
            },
        ),
        Tally(
            frozenset({"DeferralRequested"}),
            lambda fact: {
                "situations.deferrals_requested_by_security_council": int(
                    fact.payload["requested_by"] == "UNSC"
                )
            },
        ),
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        *SITUATION_FIGURES.summary(),
        tally_figure(
            "situations.referrals_by_states",
            "Referrals of situations by States Parties in the period (one per referral, "
            "however many States joined it).",
            "situations.referrals_by_states",
            ["SituationReferred"],
            counted=lambda fact: fact.payload["by"] != ["UNSC"],
            events_counter="situations.referrals_by_states",
        ),
        tally_figure(
            "situations.referrals_by_security_council",
            "Referrals of situations by the Security Council in the period.",
            "situations.referrals_by_security_council",
            ["SituationReferred"],
            counted=lambda fact: fact.payload["by"] == ["UNSC"],
            events_counter="situations.referrals_by_security_council",
        ),
        tally_figure(
            "situations.deferral_requests",
            "Requests for a deferral under article 16 in the period (by the Council, or of it).",
            "events.DeferralRequested",
            ["DeferralRequested"],
        ),
    ]


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (12, 13, 14, 15),
            "situations",
            "Preliminary examinations under way and investigations on the date; referrals "
            "and investigations opened in the period.",
            lambda reading: {
                "preliminary_examinations": reading.tally(
                    "situations.preliminary_examinations", cumulative=True
                ),
                "investigations": reading.tally("situations.investigations", cumulative=True),
                "referrals_by_states": reading.tally("situations.referrals_by_states"),
                "referrals_by_security_council": reading.tally(
                    "situations.referrals_by_security_council"
                ),
                "investigations_opened": reading.tally("situations.investigations_opened"),
            },
            reads=lambda value, w: counted(
                value,
                w,
                SITUATION_TERMS,
                en="Situations",
                fr="Situations",
            ),
        ),
        Indicator(
            (51,),
            "security_council",
            "Referrals by the Security Council and article 16 deferrals it requested in "
            "the period.",
            lambda reading: {
                "referrals": reading.tally("situations.referrals_by_security_council"),
                "deferrals": reading.tally("situations.deferrals_requested_by_security_council"),
            },
            reads=lambda value, w: counted(
                value,
                w,
                SITUATION_TERMS,
                en="Security Council in the period",
                fr="Conseil de sécurité pendant la période",
            ),
        ),
    ]


#: The words of the situations' indicators.
SITUATION_TERMS = Terms(
    {
        "preliminary_examinations": (
            "preliminary examinations under way",
            "examens préliminaires en cours",
        ),
        "investigations": ("investigations under way", "enquêtes en cours"),
        "referrals_by_states": ("referrals by States in the period", "renvois par des États"),
        "referrals_by_security_council": (
            "referrals by the Security Council in the period",
            "renvois par le Conseil de sécurité",
        ),
        "investigations_opened": ("investigations opened in the period", "enquêtes ouvertes"),
        "referrals": ("referrals", "renvois"),
        "deferrals": (
            "deferrals requested under article 16",
            "sursis à enquêter demandés en vertu de l’article 16",
        ),
    }
)
