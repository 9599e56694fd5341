"""Part I, cluster 7 (personnel): rosters of experts and gratis personnel."""

from __future__ import annotations

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType
from core.views.figures import tally_figure
from core.views.model import Indicator, SummaryFigure, Tally
from core.words import MONTH, PERSON, Noun, Phrase
from plugins import hookimpl

AREA = "personnel"


class ExpertsRostered(Schema):
    state = f.state()
    experts = f.count()
    field = f.text(max_length=200)


class GratisPersonnelProvided(Schema):
    state = f.state()
    persons = f.count()
    months = f.count()


# -- how the events read -----------------------------------------------------------

EXPERT = Noun(("expert", "experts"), ("expert", "experts"))

ROSTERED = Phrase(
    en="{state} rostered {experts} ({field}).",
    fr="{state} : inscription {experts} sur la liste ({field}).",
    values=lambda p, w: {
        "state": w.party(p["state"]),
        "experts": w.say(en=w.count(p["experts"], EXPERT), fr=w.of(w.count(p["experts"], EXPERT))),
        "field": p["field"],
    },
)
GRATIS = Phrase(
    en="{state} provided {persons} as gratis personnel for {months}.",
    fr="{state} : mise à disposition {persons} à titre gracieux pendant {months}.",
    values=lambda p, w: {
        "state": w.party(p["state"]),
        "persons": w.say(en=w.count(p["persons"], PERSON), fr=w.of(w.count(p["persons"], PERSON))),
        "months": w.count(p["months"], MONTH),
    },
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "ExpertsRostered",
            ExpertsRostered,
            AREA,
            "A State contributed experts to a roster (recommendation 29).",
            party_fields=("state",),
            sentence=ROSTERED,
            cluster="I.G",
            activity=True,
        ),
        EventType(
            "GratisPersonnelProvided",
            GratisPersonnelProvided,
            AREA,
            "A State provided government officials to the Court (recommendation 30).",
            party_fields=("state",),
            sentence=GRATIS,
            cluster="I.G",
            activity=True,
        ),
    ]


# -- views -------------------------------------------------------------------------


@hookimpl
def followup_tallies() -> list[Tally]:
    return [
        Tally(
            frozenset({"ExpertsRostered"}), lambda f: {"personnel.experts": f.payload["experts"]}
        ),
        Tally(
            frozenset({"GratisPersonnelProvided"}),
            lambda f: {
                "personnel.gratis_persons": f.payload["persons"],
                "personnel.gratis_person_months": f.payload["persons"] * f.payload["months"],
            },
        ),
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        tally_figure(
            "personnel.experts",
            "Experts added to rosters in the period.",
            "personnel.experts",
            ["ExpertsRostered"],
        ),
        tally_figure(
            "personnel.gratis_persons",
            "Gratis personnel provided in the period.",
            "personnel.gratis_persons",
            ["GratisPersonnelProvided"],
        ),
        tally_figure(
            "personnel.gratis_person_months",
            "Person-months of gratis personnel.",
            "personnel.gratis_person_months",
            ["GratisPersonnelProvided"],
        ),
    ]


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (29,),
            "experts_rostered",
            "Experts rostered in the period.",
            lambda r: {
                "experts": r.tally("personnel.experts"),
                "contributions": r.tally("events.ExpertsRostered"),
            },
        ),
        Indicator(
            (30,),
            "gratis_personnel",
            "Gratis personnel provided in the period.",
            lambda r: {
                "persons": r.tally("personnel.gratis_persons"),
                "person_months": r.tally("personnel.gratis_person_months"),
            },
        ),
    ]
