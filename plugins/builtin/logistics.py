"""Part I, cluster 6 (logistics and security): operational support and procedures for
exchanging confidential information."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType
from core.views.figures import tally_figure
from core.views.itemfigures import ItemFigures, OnDate
from core.views.model import Indicator, Item, Reading, SummaryFigure, Tally, ViewFact
from core.words import STATE_PARTY, Noun, Phrase, Terms, Text, Words
from plugins import hookimpl
from plugins.builtin.membership_state import as_state_party
from plugins.builtin.party_items import (
    party_handler,
    party_with_days,
    share_of_states_parties,
    share_sentence,
)
from plugins.builtin.report_words import counted_by
from reports.sections import ProseContext, ReportProse

AREA = "logistics"


class OperationalSupportProvided(Schema):
    provider = f.party()
    beneficiary = f.choice(["defence", "victims_and_witnesses", "staff", "suspects"])
    kind = f.choice(
        ["transit", "communications", "meeting_facilities", "pouch", "visas", "security", "other"]
    )


class ConfidentialityProcedureEstablished(Schema):
    state = f.state()


# -- how the events read -----------------------------------------------------------

SUPPORT_KINDS = Terms(
    {
        "transit": ("transit", "transit"),
        "communications": ("communications", "communications"),
        "meeting_facilities": ("meeting facilities", "locaux de réunion"),
        "pouch": ("pouch", "valise diplomatique"),
        "visas": ("visas", "visas"),
        "security": ("security", "sécurité"),
        "other": ("other", "autre"),
    }
)
#: With the article: "to the defence", "à la défense".
BENEFICIARIES = Terms(
    {
        "defence": ("the defence", "la défense"),
        "victims_and_witnesses": ("the victims and witnesses", "les victimes et témoins"),
        "staff": ("the staff", "le personnel"),
        "suspects": ("the suspects", "les suspects"),
    }
)

SUPPORT = Phrase(
    en="{provider} provided support ({kind}) to {beneficiary}.",
    fr="{provider} : appui ({kind}) apporté à {beneficiary}.",
    values=lambda p, w: {
        "provider": w.party(p["provider"]),
        "kind": w.term(p["kind"], SUPPORT_KINDS),
        "beneficiary": w.term(p["beneficiary"], BENEFICIARIES),
    },
)
PROCEDURE = Phrase(
    en="{state} established a procedure for confidential information.",
    fr="{state} : mise en place d’une procédure pour les informations confidentielles.",
    values=lambda p, w: {"state": w.party(p["state"])},
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "OperationalSupportProvided",
            OperationalSupportProvided,
            AREA,
            "Practical support for defence, victims and witnesses, staff or suspects.",
            party_fields=("provider",),
            sentence=SUPPORT,
            cluster="I.F",
            activity=True,
        ),
        EventType(
            "ConfidentialityProcedureEstablished",
            ConfidentialityProcedureEstablished,
            AREA,
            "A State set up a procedure for exchanging confidential information (rec. 26).",
            party_fields=("state",),
            sentence=PROCEDURE,
            cluster="I.F",
            checks=as_state_party(),
        ),
    ]


# -- views -------------------------------------------------------------------------


def fold_procedure(item: Item, fact: ViewFact) -> Item:
    if "confidentiality_procedure_on" in item:
        return item
    return {
        **item,
        "confidentiality_procedure_on": fact.occurred_on,
        "confidentiality_event": fact.id,
    }


def present_procedure(item: Item, on: date) -> Item:
    if item.get("confidentiality_procedure_on", "") > on.isoformat():
        return {k: v for k, v in item.items() if not k.startswith("confidentiality_")}
    return item


def procedure_by(item: Item, days: Sequence[str]) -> list[int]:
    established = item.get("confidentiality_procedure_on")
    return [int(established is not None and established <= day) for day in days]


PROCEDURE_FIGURES = ItemFigures(
    (
        OnDate(
            "parties.with_confidentiality_procedure",
            "States Parties with a procedure for exchanging confidential information.",
            "parties",
            lambda item: bool(item.get("is_party")) and "confidentiality_procedure_on" in item,
            lambda item: [item["confidentiality_event"]],
            party_with_days(
                procedure_by,
                lambda item: [d] if (d := item.get("confidentiality_procedure_on")) else [],
            ),
        ),
    )
)


@hookimpl
def followup_view_handlers() -> list[Any]:
    return [
        party_handler(
            frozenset({"ConfidentialityProcedureEstablished"}),
            fold_procedure,
            present_procedure,
            counts=PROCEDURE_FIGURES.counts,
        )
    ]


@hookimpl
def followup_tallies() -> list[Tally]:
    return [
        Tally(
            frozenset({"OperationalSupportProvided"}),
            lambda f: {f"operational_support.{f.payload['beneficiary']}": 1},
        )
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        tally_figure(
            "activities.operational_support",
            "Operational support provided in the period.",
            "events.OperationalSupportProvided",
            ["OperationalSupportProvided"],
        ),
        *PROCEDURE_FIGURES.summary(),
    ]


def support_by_beneficiary(reading: Reading) -> dict[str, int]:
    return {
        who: reading.tally(f"operational_support.{who}")
        for who in ("defence", "victims_and_witnesses", "staff", "suspects")
    }


def procedures(reading: Reading) -> dict[str, Any]:
    return share_of_states_parties(reading, "parties.with_confidentiality_procedure")


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (26,),
            "confidentiality_procedures",
            "Share of States Parties with a procedure for confidential information.",
            procedures,
            reads=lambda value, w: share_sentence(
                value,
                w,
                en="States Parties with a procedure for confidential information",
                fr="États Parties dotés d’une procédure d’échange d’informations confidentielles",
            ),
        ),
        Indicator(
            (27, 28),
            "operational_support",
            "Operational support in the period, by beneficiary.",
            support_by_beneficiary,
            reads=support_words,
        ),
    ]


# -- the annual report ----------------------------------------------------------------

SUPPORT_ACT = Noun(
    ("act of operational support", "acts of operational support"),
    ("acte d’appui opérationnel", "actes d’appui opérationnel"),
)


def support_words(value: Mapping[str, Any], w: Words) -> str:
    """'Operational support in the period: three for the defence and one for the
    staff.'"""
    return counted_by(
        value,
        w,
        BENEFICIARIES,
        en="Operational support in the period",
        fr="Appui opérationnel pendant la période",
        en_by="for",
        fr_by="pour",
    )


def logistics_said(p: ProseContext) -> list[str]:
    w = p.words
    support = p.now("activities.operational_support") or 0
    procedures = p.now("parties.with_confidentiality_procedure") or 0
    said = []
    if support:
        said.append(
            p.sentence(
                w.say(
                    en=f"{p.during}, {w.count(support, SUPPORT_ACT)} to the Court "
                    f"{w.agree(support, one='was', other='were')} recorded "
                    f"{p.compared('activities.operational_support')}.",
                    fr=f"{p.during}, {w.count(support, SUPPORT_ACT)} à la Cour "
                    f"{w.agree(support, one='a été enregistré', other='ont été enregistrés')} "
                    f"{p.compared('activities.operational_support')}.",
                )
            )
        )
    if procedures:
        said.append(
            p.sentence(
                w.say(
                    en=f"{p.at_end}, {w.count(procedures, STATE_PARTY)} had a procedure for "
                    "exchanging confidential information with the Court "
                    f"{p.compared('parties.with_confidentiality_procedure', stock=True)}.",
                    fr=f"{p.at_end}, {w.count(procedures, STATE_PARTY)} "
                    f"{w.agree(procedures, one='disposait', other='disposaient')} d’une procédure "
                    "d’échange d’informations confidentielles avec la Cour "
                    f"{p.compared('parties.with_confidentiality_procedure', stock=True)}.",
                )
            )
        )
    return said


@hookimpl
def followup_report_prose() -> list[ReportProse]:
    return [
        ReportProse(
            "logistics",
            "I.F",
            figures=(
                (
                    "activities.operational_support",
                    Text("Operational support provided", "Appui opérationnel fourni"),
                ),
                (
                    "parties.with_confidentiality_procedure",
                    Text(
                        "States Parties with a procedure for confidential information",
                        "États Parties dotés d’une procédure d’échange d’informations "
                        "confidentielles",
                    ),
                ),
            ),
            done=logistics_said,
        )
    ]
