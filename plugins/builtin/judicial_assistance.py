"""Part I, cluster 3 (cooperation in support of investigations and proceedings):
requests for assistance and their answers, emergency visas for witnesses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from statistics import median
from typing import Any

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.views.figures import (
    dated,
    days_between,
    events_of,
    hide_later,
    items_figure,
    median_figure,
    tally_figure,
)
from core.views.model import (
    Indicator,
    Item,
    ItemHandler,
    Period,
    Reading,
    SummaryFigure,
    Tally,
    ViewFact,
)
from plugins import hookimpl

AREA = "judicial_assistance"

CATEGORIES = (
    "background_information",
    "evidence",
    "witness_access",
    "forensics",
    "defence",
    "asset_tracing",
    "logistics",
    "other",
)


class AssistanceRequestSent(Schema):
    request = f.reference("request")
    addressee = f.party()
    category = f.choice(CATEGORIES)
    on_behalf_of = f.choice(["prosecution", "defence", "registry", "chambers"])


class AssistanceRequestAnswered(Schema):
    request = f.reference("request")
    outcome = f.choice(["granted", "partially_granted", "refused"])


class EmergencyVisaIssued(Schema):
    state = f.state()
    persons = f.count()


def sent(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(
            f"Request {fact.payload['request']} is already recorded as sent; "
            "choose a new identifier."
        )
    return {"sent_on": fact.occurred_on.isoformat()}


def answered(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    name = fact.payload["request"]
    if state is None:
        raise conflict(f"Request {name} has not been sent.")
    if state.get("answered_on"):
        raise conflict(f"Request {name} has already been answered.")
    if fact.occurred_on.isoformat() < state["sent_on"]:
        raise conflict(
            f"Request {name} cannot be answered before it was sent on {state['sent_on']}."
        )
    return {**state, "answered_on": fact.occurred_on.isoformat()}


request = lifecycle("request", "request")


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "AssistanceRequestSent",
            AssistanceRequestSent,
            AREA,
            "The Court sent a request for assistance.",
            subject=request,
            rule=sent,
            party_fields=("addressee",),
        ),
        EventType(
            "AssistanceRequestAnswered",
            AssistanceRequestAnswered,
            AREA,
            "A request for assistance was answered.",
            subject=request,
            rule=answered,
        ),
        EventType(
            "EmergencyVisaIssued",
            EmergencyVisaIssued,
            AREA,
            "A State issued emergency visas to witnesses (recommendation 16).",
            party_fields=("state",),
        ),
    ]


# -- views -------------------------------------------------------------------------

OUTCOMES = ("granted", "partially_granted", "refused")


def fold_request(item: Item | None, fact: ViewFact) -> Item | None:
    p = fact.payload
    if fact.type == "AssistanceRequestSent":
        new = {
            "request": p["request"],
            "addressee": p["addressee"],
            "category": p["category"],
            "on_behalf_of": p["on_behalf_of"],
            "answered_on": None,
            "outcome": None,
        }
        return dated(new, fact, "sent_on")
    if item is None:
        return None
    return dated(item, fact, "answered_on", outcome=p["outcome"])


def present_request(item: Item, on: date) -> Item | None:
    if item["sent_on"] > on.isoformat():
        return None
    shown = hide_later(item, on, "answered_on")
    if shown["answered_on"] is None:
        shown["outcome"] = None
    shown["days_to_answer"] = (
        days_between(shown["sent_on"], shown["answered_on"]) if shown["answered_on"] else None
    )
    shown["status"] = "answered" if shown["answered_on"] else "open"
    return shown


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view="requests",
            types=frozenset({"AssistanceRequestSent", "AssistanceRequestAnswered"}),
            keys=lambda fact: [fact.payload["request"]],
            fold=fold_request,
            present=present_request,
        )
    ]


@hookimpl
def followup_tallies() -> list[Tally]:
    return [
        Tally(frozenset({"EmergencyVisaIssued"}), lambda f: {"visas.persons": f.payload["persons"]})
    ]


def _answered(item: Item, period: Period) -> bool:
    return period.contains(item["answered_on"])


def answered_with(outcome: str) -> Callable[[Item, Period], bool]:
    return lambda item, period: _answered(item, period) and item["outcome"] == outcome


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    figures = [
        items_figure(
            "requests.sent",
            "Requests for assistance sent in the period.",
            "requests",
            lambda item, period: period.contains(item["sent_on"]),
        ),
        items_figure(
            "requests.answered", "Requests answered in the period.", "requests", _answered
        ),
        items_figure(
            "requests.open",
            "Requests unanswered on the reading's date.",
            "requests",
            lambda item, period: item["status"] == "open",
        ),
        median_figure(
            "requests.median_days_to_answer",
            "Median days from sending to answer, of requests answered in the period.",
            "requests",
            _answered,
            lambda item: float(item["days_to_answer"]),
        ),
        tally_figure(
            "activities.emergency_visas",
            "Persons given emergency visas in the period.",
            "visas.persons",
            ["EmergencyVisaIssued"],
        ),
    ]
    for outcome in OUTCOMES:
        figures.append(
            items_figure(
                f"requests.{outcome}",
                f"Requests answered in the period: {outcome.replace('_', ' ')}.",
                "requests",
                answered_with(outcome),
                events_of("sent_on", "answered_on"),
            )
        )
    return figures


@hookimpl
def followup_indicators() -> list[Indicator]:
    def turnaround(reading: Reading) -> dict[str, Any]:
        answered = [i for i in reading.items("requests") if _answered(i, reading.period)]
        return {
            "answered": len(answered),
            "open": sum(1 for i in reading.items("requests") if i["status"] == "open"),
            "median_days_to_answer": (
                median(i["days_to_answer"] for i in answered) if answered else None
            ),
        }

    return [
        Indicator(
            (12, 14, 15, 37),
            "requests",
            "Requests answered in the period, open requests and the median turnaround in days.",
            turnaround,
        ),
        Indicator(
            (16,),
            "emergency_visas",
            "Persons given emergency visas in the period.",
            lambda reading: {
                "persons": reading.tally("visas.persons"),
                "visas": reading.tally("events.EmergencyVisaIssued"),
            },
        ),
    ]
