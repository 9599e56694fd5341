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
from core.words import Phrase
from plugins import hookimpl

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
        Tally(
            frozenset({"ResolutionAdopted"}),
            lambda f: {"resolutions.mentioning_court": 1 if f.payload["mentions_court"] else 0},
        )
    ]


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
    ]


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
        ),
    ]
