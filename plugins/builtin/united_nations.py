"""Part II (cooperation in the United Nations context): resolutions that keep the Court
in view. Statements and visits in New York use the diplomatic-support types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields

from core import fields as f
from core.eventtypes import EventType
from core.parties import ORGANISATIONS
from core.views.figures import tally_figure
from core.views.model import Indicator, SummaryFigure, Tally
from core.words import Noun, Phrase, Text, Words
from plugins import hookimpl
from reports.sections import ProseContext, ReportProse

AREA = "united_nations"


class ResolutionAdopted(Schema):
    body = f.party()
    symbol = f.text(max_length=200)
    mentions_court = fields.Boolean(required=True)


# -- how the events read -----------------------------------------------------------


def resolution_cluster(payload: Mapping[str, Any]) -> str:
    """The United Nations' resolutions are Part II's, organisations' Part III's; the
    others (a State's parliament...) cluster 2's."""
    body = payload.get("body")
    if body == "UN":
        return "II.A"
    return "III" if body in ORGANISATIONS else "I.B"


RESOLUTION = Phrase(
    en="{body} adopted resolution {symbol}{mention}.",
    fr="{body} : adoption de la résolution {symbol}{mention}.",
    values=lambda p, w: {
        "body": w.party(p["body"]),
        "symbol": p["symbol"],
        "mention": w.say(en=", which mentions the Court", fr=", qui mentionne la Cour")
        if p["mentions_court"]
        else "",
    },
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "ResolutionAdopted",
            ResolutionAdopted,
            AREA,
            "A resolution was adopted by the United Nations or another body (recs. 45, 46, 62).",
            party_fields=("body",),
            sentence=RESOLUTION,
            cluster=resolution_cluster,
            activity=True,
        ),
    ]


# -- views -------------------------------------------------------------------------


@hookimpl
def followup_tallies() -> list[Tally]:
    return [
        Tally(frozenset({"ResolutionAdopted"}), resolution_counts),
    ]


def resolution_counts(fact: Any) -> dict[str, int]:
    """Those that mention the Court, and both counts by the section of the report the
    adopting body belongs to."""
    mentions = 1 if fact.payload["mentions_court"] else 0
    section = resolution_cluster(fact.payload)
    return {
        "resolutions.mentioning_court": mentions,
        f"resolutions.in.{section}": 1,
        f"resolutions.in.{section}.mentioning_court": mentions,
    }


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        tally_figure(
            "activities.resolutions",
            "Resolutions adopted in the period.",
            "events.ResolutionAdopted",
            ["ResolutionAdopted"],
        ),
        tally_figure(
            "activities.resolutions_mentioning_court",
            "Resolutions adopted in the period that mention the Court.",
            "resolutions.mentioning_court",
            ["ResolutionAdopted"],
            counted=lambda fact: bool(fact.payload["mentions_court"]),
            events_counter="resolutions.mentioning_court",
        ),
        tally_figure(
            "activities.resolutions_of_the_united_nations",
            "Resolutions adopted by the United Nations in the period.",
            "resolutions.in.II.A",
            ["ResolutionAdopted"],
            counted=lambda fact: resolution_cluster(fact.payload) == "II.A",
            events_counter="resolutions.in.II.A",
        ),
        tally_figure(
            "activities.resolutions_of_the_united_nations_mentioning_court",
            "Resolutions adopted by the United Nations in the period that mention the Court.",
            "resolutions.in.II.A.mentioning_court",
            ["ResolutionAdopted"],
            counted=lambda fact: (
                resolution_cluster(fact.payload) == "II.A" and bool(fact.payload["mentions_court"])
            ),
            events_counter="resolutions.in.II.A.mentioning_court",
        ),
        tally_figure(
            "activities.resolutions_of_organisations",
            "Resolutions adopted by international and regional organisations in the period.",
            "resolutions.in.III",
            ["ResolutionAdopted"],
            counted=lambda fact: resolution_cluster(fact.payload) == "III",
            events_counter="resolutions.in.III",
        ),
    ]


def resolution_words(value: Mapping[str, Any], w: Words) -> str:
    """'Resolutions adopted in the period: 12, of which three mention the Court.'
    ('none' when none was; 'none of which' never said)."""
    label = w.say(
        en="Resolutions adopted in the period", fr="Résolutions adoptées pendant la période"
    )
    adopted, mentioning = value["resolutions"], value["mentioning_court"]
    if not adopted:
        return w.sentence(f"{label}: " + w.say(en="none.", fr="néant."))
    said = w.cardinal(adopted, feminine=True)
    if mentioning == adopted and adopted > 1:
        said += w.say(en=", all of which mention the Court", fr=", qui mentionnent toutes la Cour")
    elif mentioning == adopted:
        said += w.say(en=", which mentions the Court", fr=", qui mentionne la Cour")
    elif mentioning:
        said += w.say(
            en=f", of which {w.cardinal(mentioning)} "
            f"{w.agree(mentioning, one='mentions', other='mention')} the Court",
            fr=f", dont {w.cardinal(mentioning, feminine=True)} "
            f"{w.agree(mentioning, one='mentionne', other='mentionnent')} la Cour",
        )
    else:
        said += w.say(
            en=", none of which mentions the Court", fr=", dont aucune ne mentionne la Cour"
        )
    return w.sentence(f"{label}: {said}.")


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (45, 46, 62),
            "resolutions",
            "Resolutions in the period mentioning the Court.",
            lambda r: {
                "resolutions": r.tally("events.ResolutionAdopted"),
                "mentioning_court": r.tally("resolutions.mentioning_court"),
            },
            reads=resolution_words,
        ),
    ]


# -- the annual report ----------------------------------------------------------------

RESOLUTION_NOUN = Noun(("resolution", "resolutions"), ("résolution", "résolutions"), feminine=True)


def resolutions_said(p: ProseContext, figure: str, *, en: str, fr: str) -> list[str]:
    """'In 2024, the United Nations adopted three resolutions of interest to the Court,
    two of which mention it.'"""
    w = p.words
    count = p.now(figure) or 0
    if not count:
        return []
    mentioning = p.now(f"{figure}_mentioning_court")
    text = w.say(
        en=f"{p.during}, {en} adopted {w.count(count, RESOLUTION_NOUN)} of interest to the Court "
        f"{p.compared(figure)}",
        fr=f"{p.during}, {fr} {w.count(count, RESOLUTION_NOUN)} intéressant la Cour "
        f"{p.compared(figure, feminine=True)}",
    )
    if mentioning:
        text += w.say(
            en=f", {w.cardinal(mentioning)} of which "
            f"{w.agree(mentioning, one='mentions', other='mention')} it",
            fr=f", dont {w.cardinal(mentioning, feminine=True)} "
            f"{w.agree(mentioning, one='la mentionne', other='la mentionnent')}",
        )
    return [p.sentence(text + ".")]


@hookimpl
def followup_report_prose() -> list[ReportProse]:
    return [
        ReportProse(
            "united_nations",
            "II.A",
            figures=(
                (
                    "activities.resolutions_of_the_united_nations",
                    Text(
                        "Resolutions adopted by the United Nations",
                        "Résolutions adoptées par l’Organisation des Nations Unies",
                    ),
                ),
                (
                    "activities.resolutions_of_the_united_nations_mentioning_court",
                    Text("of which mentioning the Court", "dont mentionnant la Cour"),
                ),
            ),
            done=lambda p: resolutions_said(
                p,
                "activities.resolutions_of_the_united_nations",
                en="the United Nations",
                fr="l’Organisation des Nations Unies a adopté",
            ),
        ),
        ReportProse(
            "united_nations.organisations",
            "III",
            figures=(
                (
                    "activities.resolutions_of_organisations",
                    Text(
                        "Resolutions adopted by international and regional organisations",
                        "Résolutions adoptées par des organisations internationales et régionales",
                    ),
                ),
            ),
            done=lambda p: resolutions_said(
                p,
                "activities.resolutions_of_organisations",
                en="international and regional organisations",
                fr="des organisations internationales et régionales ont adopté",
            ),
            order=20,
        ),
    ]
