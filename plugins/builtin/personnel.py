"""Part I, cluster 7 (personnel): rosters of experts and gratis personnel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType
from core.views.figures import tally_figure
from core.views.model import Indicator, SummaryFigure, Tally
from core.words import MONTH, PERSON, Noun, Phrase, Text, Words
from plugins import hookimpl
from plugins.builtin.report_words import one_count
from reports.sections import ProseContext, ReportProse

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
            reads=lambda value, w: one_count(
                value["experts"],
                w,
                en="Experts rostered in the period",
                fr="Experts inscrits sur les listes pendant la période",
            ),
        ),
        Indicator(
            (30,),
            "gratis_personnel",
            "Gratis personnel provided in the period.",
            lambda r: {
                "persons": r.tally("personnel.gratis_persons"),
                "person_months": r.tally("personnel.gratis_person_months"),
            },
            reads=gratis_words,
        ),
    ]


def gratis_words(value: Mapping[str, Any], w: Words) -> str:
    """'Gratis personnel provided in the period: three persons, for 14 person-months.'
    ('none' when no one was)."""
    label = w.say(
        en="Gratis personnel provided in the period",
        fr="Personnel fourni à titre gracieux pendant la période",
    )
    persons, months = value["persons"], value["person_months"]
    if not persons:
        return w.sentence(f"{label}: " + w.say(en="none.", fr="néant."))
    said = w.count(persons, PERSON)
    if months:
        said += w.say(en=", for ", fr=", pour ") + w.count(months, PERSON_MONTH)
    return w.sentence(f"{label}: {said}.")


# -- the annual report ----------------------------------------------------------------

PERSON_MONTH = Noun(("person-month", "person-months"), ("mois-personne", "mois-personnes"))


def personnel_said(p: ProseContext) -> list[str]:
    w = p.words
    experts = p.now("personnel.experts") or 0
    persons = p.now("personnel.gratis_persons") or 0
    months = p.now("personnel.gratis_person_months") or 0
    clauses = []
    if experts:
        clauses.append(
            w.say(
                en=f"States added {w.count(experts, EXPERT)} to the Court's rosters of experts "
                f"{p.compared('personnel.experts')}",
                fr=f"les États ont inscrit {w.count(experts, EXPERT)} sur les listes d’experts "
                f"de la Cour {p.compared('personnel.experts')}",
            )
        )
    if persons:
        clauses.append(
            w.say(
                en=f"{w.count(persons, PERSON)} {w.agree(persons, one='was', other='were')} "
                f"provided as gratis personnel, for {w.count(months, PERSON_MONTH)} in all",
                fr=f"{w.count(persons, PERSON)} "
                f"{w.agree(persons, one='a été fournie', other='ont été fournies')} à titre "
                f"gracieux, pour {w.count(months, PERSON_MONTH)} au total",
            )
        )
    if not clauses:
        return []
    return [p.sentence(f"{p.during}, " + w.listing(clauses) + ".")]


@hookimpl
def followup_report_prose() -> list[ReportProse]:
    return [
        ReportProse(
            "personnel",
            "I.G",
            figures=(
                ("personnel.experts", Text("Experts rostered", "Experts inscrits sur les listes")),
                (
                    "personnel.gratis_persons",
                    Text("Gratis personnel provided", "Personnel fourni à titre gracieux"),
                ),
                (
                    "personnel.gratis_person_months",
                    Text(
                        "Person-months of gratis personnel",
                        "Mois-personnes de personnel fourni à titre gracieux",
                    ),
                ),
            ),
            done=personnel_said,
        )
    ]
