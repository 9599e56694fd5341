"""Part I, cluster 5 (witness protection and support): protection applications and
relocations of witnesses to States."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.parties import PartyKind
from core.views.figures import tally_figure
from core.views.itemfigures import InPeriod, ItemFigures, Timeline
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
from core.words import PERSON, Noun, Phrase, Text, Words
from plugins import hookimpl
from reports.annual import charts
from reports.sections import ProseContext, ReportChart, ReportProse, SectionContext, Series

AREA = "witness_protection"


class WitnessProtectionApplicationReceived(Schema):
    application = f.reference("application")
    persons = f.count(minimum=1, maximum=100)


class WitnessRelocated(Schema):
    application = f.reference("application")
    state = f.PartyCode(
        kinds={PartyKind.STATE},
        metadata={"description": "The State of relocation; leave it out to keep it undisclosed."},
    )
    persons = f.count()


def received(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(
            f"Application {fact.payload['application']} is already recorded; "
            "choose a new identifier."
        )
    return {"received_on": fact.occurred_on.isoformat(), "relocations": 0}


def relocated(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["application"]
    if state is None:
        raise conflict(f"Application {name} has not been received.")
    if fact.occurred_on.isoformat() < state["received_on"]:
        raise conflict(
            f"Witnesses of application {name} cannot be relocated before it was received."
        )
    return {**state, "relocations": state["relocations"] + 1}


application = lifecycle("application", "application")


# -- how the events read -----------------------------------------------------------

APPLICATION = Phrase(
    en="Application {application} for the protection of {persons} received.",
    fr="Demande de protection {application} reçue, pour {persons}.",
    values=lambda p, w: {"application": p["application"], "persons": w.count(p["persons"], PERSON)},
)
RELOCATION = Phrase(
    en="Relocation to {state} of {persons} (application {application}).",
    fr="Réinstallation {persons} ; État d’accueil : {state} (demande {application}).",
    values=lambda p, w: {
        # The State may be left out, to keep it undisclosed.
        "state": w.party(p["state"])
        if p.get("state")
        else w.say(en="a State not disclosed", fr="non divulgué"),
        "persons": w.say(en=w.count(p["persons"], PERSON), fr=w.of(w.count(p["persons"], PERSON))),
        "application": p["application"],
    },
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "WitnessProtectionApplicationReceived",
            WitnessProtectionApplicationReceived,
            AREA,
            "The Court received an application for the protection of witnesses.",
            subject=application,
            rule=received,
            sentence=APPLICATION,
            cluster="I.E",
        ),
        EventType(
            "WitnessRelocated",
            WitnessRelocated,
            AREA,
            "Witnesses of an application were relocated to a State.",
            subject=application,
            rule=relocated,
            party_fields=("state",),
            sentence=RELOCATION,
            cluster="I.E",
        ),
    ]


# -- views -------------------------------------------------------------------------


def fold_application(item: Item | None, fact: ViewFact) -> Item | None:
    p = fact.payload
    if fact.type == "WitnessProtectionApplicationReceived":
        return {
            "application": p["application"],
            "persons": p["persons"],
            "received_on": fact.occurred_on,
            "relocations": [],
        }
    if item is None:
        return None
    relocation = {"on": fact.occurred_on, "state": p.get("state"), "persons": p["persons"]}
    return {**item, "relocations": [*item["relocations"], relocation]}


def present_application(item: Item, on: date) -> Item | None:
    if item["received_on"] > on.isoformat():
        return None
    relocations = [r for r in item["relocations"] if r["on"] <= on.isoformat()]
    return {
        **item,
        "relocations": relocations,
        "relocated_persons": sum(r["persons"] for r in relocations),
    }


APPLICATION_FIGURES = ItemFigures(
    (
        InPeriod(
            "witness_protection.applications",
            "Applications for protection received in the period.",
            "witness_protection",
            "received_on",
        ),
    )
)


def application_counts(timeline: Timeline) -> list[ItemCount]:
    """The figures, and applications per year of receipt (for the indicator)."""
    item = timeline.item
    return [
        *APPLICATION_FIGURES.counts(timeline),
        (f"witness_protection.applications.{item['received_on'][:4]}", item["received_on"], 1),
        (
            f"witness_protection.persons.{item['received_on'][:4]}",
            item["received_on"],
            item["persons"],
        ),
    ]


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view="witness_protection",
            types=frozenset({"WitnessProtectionApplicationReceived", "WitnessRelocated"}),
            keys=lambda fact: [fact.payload["application"]],
            fold=fold_application,
            present=present_application,
            counts=application_counts,
        )
    ]


@hookimpl
def followup_tallies() -> list[Tally]:
    return [
        Tally(
            frozenset({"WitnessProtectionApplicationReceived"}),
            lambda f: {"witness_protection.persons": f.payload["persons"]},
        ),
        Tally(
            frozenset({"WitnessRelocated"}),
            lambda f: {"witness_protection.relocated_persons": f.payload["persons"]},
        ),
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        *APPLICATION_FIGURES.summary(),
        tally_figure(
            "witness_protection.persons",
            "Persons covered by the applications received in the period.",
            "witness_protection.persons",
            ["WitnessProtectionApplicationReceived"],
        ),
        tally_figure(
            "witness_protection.relocations",
            "Relocations of witnesses in the period.",
            "events.WitnessRelocated",
            ["WitnessRelocated"],
        ),
        tally_figure(
            "witness_protection.relocated_persons",
            "Persons relocated in the period.",
            "witness_protection.relocated_persons",
            ["WitnessRelocated"],
        ),
    ]


def per_year(reading: Reading) -> dict[str, dict[str, int]]:
    """Applications and persons per year of receipt, up to the reading's date."""
    applications = reading.histogram("witness_protection.applications", cumulative=True)
    persons = reading.histogram("witness_protection.persons", cumulative=True)
    return {
        str(year): {"applications": count, "persons": persons.get(year, 0)}
        for year, count in applications.items()
    }


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (22, 23, 24),
            "witness_protection",
            "Applications for protection and persons covered, per year of receipt.",
            lambda reading: {"per_year": per_year(reading)},
            reads=applications_words,
        )
    ]


APPLICATION_NOUN = Noun(
    ("application for protection", "applications for protection"),
    ("demande de protection", "demandes de protection"),
    feminine=True,
)


def applications_words(value: Mapping[str, Any], w: Words) -> str:
    """'Applications for protection received to date: 61, covering 412 persons; the
    latest year: 25 (2024).'"""
    years = value["per_year"]
    applications = sum(entry["applications"] for entry in years.values())
    persons = sum(entry["persons"] for entry in years.values())
    text = w.say(
        en=f"Applications for protection received to date: {w.cardinal(applications)}, "
        f"covering {w.count(persons, PERSON)}",
        fr="Demandes de protection reçues à ce jour : "
        f"{w.cardinal(applications, feminine=True)}, visant {w.count(persons, PERSON)}",
    )
    if years:
        latest = max(years)
        text += w.say(
            en=f"; in {latest}: {w.cardinal(years[latest]['applications'])}",
            fr=f" ; en {latest} : {w.cardinal(years[latest]['applications'], feminine=True)}",
        )
    return w.sentence(text + ".")


def protection_said(p: ProseContext) -> list[str]:
    w = p.words
    applications = p.now("witness_protection.applications") or 0
    persons = p.now("witness_protection.persons") or 0
    relocated = p.now("witness_protection.relocated_persons") or 0
    if not applications and not relocated:
        return [
            p.sentence(
                w.say(
                    en="No application for the protection of witnesses was received and no "
                    f"witness was relocated {p.during}.",
                    fr="Aucune demande de protection de témoins n’a été reçue et aucun témoin "
                    f"n’a été réinstallé {p.during}.",
                )
            )
        ]
    clauses = []
    if applications:
        clauses.append(
            w.say(
                en=f"the Court received {w.count(applications, APPLICATION_NOUN)} of witnesses "
                f"{p.compared('witness_protection.applications', feminine=True)}, covering "
                f"{w.count(persons, PERSON)}",
                fr=f"la Cour a reçu {w.count(applications, APPLICATION_NOUN)} de témoins "
                f"{p.compared('witness_protection.applications', feminine=True)}, visant "
                f"{w.count(persons, PERSON)}",
            )
        )
    if relocated:
        clauses.append(
            w.say(
                en=f"{w.count(relocated, PERSON)} {w.agree(relocated, one='was', other='were')} "
                f"relocated {p.compared('witness_protection.relocated_persons', feminine=True)}",
                fr=f"{w.count(relocated, PERSON)} "
                f"{w.agree(relocated, one='a été réinstallée', other='ont été réinstallées')} "
                f"{p.compared('witness_protection.relocated_persons', feminine=True)}",
            )
        )
    return [p.sentence(f"{p.during}, " + "; ".join(clauses) + ".")]


@hookimpl
def followup_report_prose() -> list[ReportProse]:
    return [
        ReportProse(
            "witness_protection",
            "I.E",
            figures=(
                (
                    "witness_protection.applications",
                    Text(
                        "Applications for witness protection", "Demandes de protection de témoins"
                    ),
                ),
                (
                    "witness_protection.persons",
                    Text(
                        "Persons covered by the applications", "Personnes visées par les demandes"
                    ),
                ),
                ("witness_protection.relocations", Text("Relocations", "Réinstallations")),
                (
                    "witness_protection.relocated_persons",
                    Text("Persons relocated", "Personnes réinstallées"),
                ),
                (
                    "agreements.witness_relocation.in_force",
                    Text(
                        "Witness relocation agreements in force",
                        "Accords de réinstallation des témoins en vigueur",
                    ),
                ),
            ),
            done=protection_said,
            summary=protection_said,
        )
    ]


# -- the annual report ----------------------------------------------------------------


def protection_series(context: SectionContext) -> Series:
    """Applications received and persons relocated, per year of the chart."""
    received: Counter[int] = Counter()
    relocated: Counter[int] = Counter()
    for item in context.cumulative.items("witness_protection"):
        received[int(item["received_on"][:4])] += 1
        for relocation in item["relocations"]:
            relocated[int(relocation["on"][:4])] += relocation["persons"]
    years = context.chart_years
    return {
        "applications": [received.get(y, 0) for y in years],
        "relocated_persons": [relocated.get(y, 0) for y in years],
    }


def draw_protection(series: Series, years: Sequence[int], w: Words) -> str:
    return charts.bars(
        "witness_protection",
        w.say(en="Witness protection, per year", fr="Protection des témoins, par année"),
        years,
        {
            w.say(en="Applications received", fr="Demandes reçues"): series["applications"],
            w.say(en="Persons relocated", fr="Personnes réinstallées"): series["relocated_persons"],
        },
    )


@hookimpl
def followup_report_charts() -> list[ReportChart]:
    return [
        ReportChart(
            "witness_protection",
            "I.E",
            Text(
                "Applications for witness protection received and persons relocated, per year.",
                "Demandes de protection de témoins reçues et personnes réinstallées, par année.",
            ),
            protection_series,
            draw_in=draw_protection,
            empty=Text(
                "No application for witness protection was received and no person was "
                "relocated from {first} to {last}.",
                "Aucune demande de protection de témoins n’a été reçue et aucune personne n’a "
                "été réinstallée de {first} à {last}.",
            ),
        )
    ]
