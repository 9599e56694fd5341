"""What the Court itself owes the follow-up (recommendations 13, 19, 36, 40, 53, 55, 57):
guidance documents, checklists and model agreements for States, briefings of the
Security Council, the Group of Friends and States, and reports transmitted to the United
Nations and the Assembly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from core import fields as f
from core.eventtypes import EventType
from core.parties import PartyKind, lookup
from core.views.figures import tally_figure
from core.views.model import Indicator, Reading, SummaryFigure, Tally
from core.words import Phrase, Terms
from plugins import hookimpl
from plugins.builtin.report_words import counted

AREA = "court_outputs"

ORGANS = ("presidency", "prosecutor", "registry", "liaison_office")
GUIDANCE_KINDS = ("guidance", "checklist", "model_agreement", "overview_of_needs")
#: What the guidance is about; the free text `topic_text` is kept beside.
TOPICS = (
    "requests_for_assistance",
    "arrest_and_surrender",
    "transfers",
    "witness_protection",
    "enforcement_of_sentences",
    "interim_release",
    "implementing_legislation",
    "financial_investigations",
    "other",
)
AUDIENCES = (
    "incoming_security_council_members",
    "security_council",
    "group_of_friends",
    "states_parties",
    "united_nations_staff",
    "regional_organisation",
    "other",
)
REPORT_KINDS = (
    "annual_report_to_the_united_nations",
    "prosecutor_report_to_the_security_council",
    "report_to_the_assembly",
    "other",
)


def free_text() -> fields.String:
    return fields.String(load_default=None, validate=validate.Length(min=1, max=500))


class GuidanceIssued(Schema):
    kind = f.choice(GUIDANCE_KINDS)
    title = f.text(max_length=500)
    topic = f.choice(TOPICS)
    topic_text = free_text()
    organ = f.choice(ORGANS)
    addressees = f.parties(required=False)


class BriefingGiven(Schema):
    organ = f.choice(ORGANS)
    audience = f.choice(AUDIENCES)
    audience_parties = f.parties(required=False)
    topic = f.text(max_length=500)


class ReportTransmitted(Schema):
    kind = f.choice(REPORT_KINDS)
    symbol = f.text(max_length=200)
    title = f.text(max_length=500)
    to = f.party()


# -- how the events read -----------------------------------------------------------

KIND_TERMS = Terms(
    {
        "guidance": ("guidance", "document d’orientation"),
        "checklist": ("a checklist", "liste de contrôle"),
        "model_agreement": ("a model agreement", "accord type"),
        "overview_of_needs": ("an overview of its needs", "aperçu de ses besoins"),
    }
)
ORGAN_TERMS = Terms(
    {
        "presidency": ("Presidency", "Présidence"),
        "prosecutor": ("Prosecutor", "Procureur"),
        "registry": ("Registry", "Greffe"),
        "liaison_office": ("liaison office", "bureau de liaison"),
    }
)
AUDIENCE_TERMS = Terms(
    {
        "incoming_security_council_members": (
            "incoming members of the Security Council",
            "membres entrants du Conseil de sécurité",
        ),
        "security_council": ("the Security Council", "Conseil de sécurité"),
        "group_of_friends": ("the Group of Friends of the Court", "Groupe des amis de la Cour"),
        "states_parties": ("States Parties", "États Parties"),
        "united_nations_staff": (
            "United Nations staff",
            "personnel de l’Organisation des Nations Unies",
        ),
        "regional_organisation": ("a regional organisation", "organisation régionale"),
        "other": ("others", "autres destinataires"),
    }
)
GUIDANCE = Phrase(
    en="The {organ} issued {kind}: {title}.",
    fr="{organ} : {kind} ; {title}.",
    values=lambda p, w: {
        "organ": w.term(p["organ"], ORGAN_TERMS),
        "kind": w.term(p["kind"], KIND_TERMS),
        "title": p["title"],
    },
)
BRIEFING = Phrase(
    en="The {organ} briefed {audience}: {topic}.",
    fr="{organ} : exposé ; destinataires : {audience} ; {topic}.",
    values=lambda p, w: {
        "organ": w.term(p["organ"], ORGAN_TERMS),
        "audience": w.term(p["audience"], AUDIENCE_TERMS),
        "topic": p["topic"],
    },
)
REPORT = Phrase(
    en="Report {symbol} transmitted to the {to}: {title}.",
    fr="Rapport {symbol} transmis ; destinataire : {to} ; {title}.",
    values=lambda p, w: {"symbol": p["symbol"], "to": w.party(p["to"]), "title": p["title"]},
)
UN_AUDIENCES = frozenset(
    {"incoming_security_council_members", "security_council", "united_nations_staff"}
)


def guidance_section(payload: Mapping[str, Any]) -> str:
    return "I.D" if payload.get("topic") in ("transfers", "arrest_and_surrender") else "I.C"


def briefing_section(payload: Mapping[str, Any]) -> str:
    return "II.A" if payload.get("audience") in UN_AUDIENCES else "II.B"


def report_section(payload: Mapping[str, Any]) -> str:
    party = lookup(str(payload.get("to")))
    return "II.A" if party is not None and party.kind is PartyKind.UNITED_NATIONS else "I.B"


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "GuidanceIssued",
            GuidanceIssued,
            AREA,
            "The Court issued guidance to States: a guidance document, a checklist, a model "
            "agreement or an overview of its needs (recommendations 4, 13, 19, 53).",
            sentence=GUIDANCE,
            cluster=guidance_section,
            activity=True,
            party_fields=("addressees",),
        ),
        EventType(
            "BriefingGiven",
            BriefingGiven,
            AREA,
            "An organ of the Court briefed the Security Council, its incoming members, the "
            "Group of Friends or States (recommendations 36, 55, 57, 58).",
            sentence=BRIEFING,
            cluster=briefing_section,
            activity=True,
            party_fields=("audience_parties",),
        ),
        EventType(
            "ReportTransmitted",
            ReportTransmitted,
            AREA,
            "The Court transmitted a report: its yearly report to the United Nations, the "
            "Prosecutor's to the Security Council, one to the Assembly (recommendations 36, 40).",
            sentence=REPORT,
            cluster=report_section,
            activity=True,
            party_fields=("to",),
        ),
    ]


# -- figures --------------------------------------------------------------------------


@hookimpl
def followup_tallies() -> list[Tally]:
    return [
        Tally(
            frozenset({"GuidanceIssued"}), lambda fact: {f"court_outputs.{fact.payload['kind']}": 1}
        ),
        Tally(
            frozenset({"GuidanceIssued"}),
            lambda fact: {f"court_outputs.topic.{fact.payload['topic']}": 1},
        ),
        Tally(
            frozenset({"BriefingGiven"}),
            lambda fact: {f"court_outputs.briefings.{fact.payload['audience']}": 1},
        ),
        Tally(
            frozenset({"ReportTransmitted"}),
            lambda fact: {f"court_outputs.reports.{fact.payload['kind']}": 1},
        ),
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        tally_figure(
            "court_outputs.guidance",
            "Guidance documents, checklists, model agreements and overviews of needs the "
            "Court issued in the period.",
            "events.GuidanceIssued",
            ["GuidanceIssued"],
        ),
        tally_figure(
            "court_outputs.briefings",
            "Briefings by the Court in the period.",
            "events.BriefingGiven",
            ["BriefingGiven"],
        ),
        tally_figure(
            "court_outputs.reports_transmitted",
            "Reports the Court transmitted in the period.",
            "events.ReportTransmitted",
            ["ReportTransmitted"],
        ),
    ]


def counts(reading: Reading, prefix: str, names: tuple[str, ...]) -> dict[str, int]:
    return {name: reading.tally(f"{prefix}.{name}") for name in names}


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (13, 53),
            "guidance_on_needs",
            "Overviews of needs and guidance documents the Court issued in the period.",
            lambda r: counts(r, "court_outputs", ("overview_of_needs", "guidance")),
            reads=lambda value, w: counted(
                value,
                w,
                OUTPUT_TERMS,
                en="Guidance the Court issued in the period",
                fr="Orientations publiées par la Cour pendant la période",
            ),
        ),
        Indicator(
            (19,),
            "transfer_tools",
            "Checklists and model agreements the Court issued in the period, and guidance "
            "on transfers.",
            lambda r: {
                **counts(r, "court_outputs", ("checklist", "model_agreement")),
                "on_transfers": r.tally("court_outputs.topic.transfers"),
            },
            reads=lambda value, w: counted(
                value,
                w,
                OUTPUT_TERMS,
                en="Tools for transfers the Court issued in the period",
                fr="Outils pour les transfèrements publiés par la Cour pendant la période",
            ),
        ),
        Indicator(
            (36, 55, 57, 58),
            "briefings",
            "Briefings by the Court in the period, by audience.",
            lambda r: counts(r, "court_outputs.briefings", AUDIENCES),
            reads=lambda value, w: counted(
                value,
                w,
                AUDIENCE_TERMS,
                en="Briefings in the period, by audience",
                fr="Exposés pendant la période, par auditoire",
            ),
        ),
        Indicator(
            (36, 40),
            "reports_transmitted",
            "Reports the Court transmitted in the period, by kind.",
            lambda r: counts(r, "court_outputs.reports", REPORT_KINDS),
            reads=lambda value, w: counted(
                value,
                w,
                REPORT_TERMS,
                en="Reports transmitted in the period",
                fr="Rapports transmis pendant la période",
            ),
        ),
    ]


#: The words of the Court's outputs in its indicators.
OUTPUT_TERMS = Terms(
    {
        "overview_of_needs": ("overviews of needs", "aperçus des besoins"),
        "guidance": ("guidance documents", "documents d’orientation"),
        "checklist": ("checklists", "listes de contrôle"),
        "model_agreement": ("model agreements", "accords types"),
        "on_transfers": ("guidance on transfers", "orientations sur les transfèrements"),
    }
)
REPORT_TERMS = Terms(
    {
        "annual_report_to_the_united_nations": (
            "annual reports to the United Nations",
            "rapports annuels à l’Organisation des Nations Unies",
        ),
        "prosecutor_report_to_the_security_council": (
            "reports of the Prosecutor to the Security Council",
            "rapports du Procureur au Conseil de sécurité",
        ),
        "report_to_the_assembly": ("reports to the Assembly", "rapports à l’Assemblée"),
        "other": ("other reports", "autres rapports"),
    }
)
