"""Part I, cluster 3 (cooperation in support of investigations and proceedings):
requests for assistance and their answers, emergency visas for witnesses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.views.figures import dated, days_between, events_of, hide_later, tally_figure
from core.views.itemfigures import (
    InPeriod,
    ItemFigures,
    OnDate,
    Timeline,
    histogram,
    median_of,
)
from core.views.model import (
    Indicator,
    Item,
    ItemCount,
    ItemHandler,
    Measure,
    Reading,
    SummaryFigure,
    Tally,
    ViewFact,
)
from plugins import hookimpl
from plugins.builtin.party_items import party_steps

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


def answers(outcome: str | None = None) -> InPeriod:
    name = f"requests.{outcome or 'answered'}"
    words = f": {outcome.replace('_', ' ')}" if outcome else ""
    return InPeriod(
        name,
        f"Requests answered in the period{words}.",
        "requests",
        "answered_on",
        lambda item: outcome is None or item["outcome"] == outcome,
        events_of("sent_on", "answered_on"),
    )


REQUEST_FIGURES = ItemFigures(
    (
        InPeriod(
            "requests.sent",
            "Requests for assistance sent in the period.",
            "requests",
            "sent_on",
            contributing=events_of("sent_on"),
        ),
        answers(),
        *(answers(outcome) for outcome in OUTCOMES),
        OnDate(
            "requests.open",
            "Requests unanswered on the reading's date.",
            "requests",
            lambda item: item["status"] == "open",
            events_of("sent_on"),
        ),
    )
)

#: Days to answer, counted on the day of the answer, for medians over any period.
TURNAROUND = "requests.days_to_answer"


def request_counts(timeline: Timeline) -> list[ItemCount]:
    item = timeline.item
    days = days_between(item["sent_on"], item["answered_on"]) if item["answered_on"] else None
    answered = lambda shown: [shown["addressee"]] if shown["status"] == "answered" else []  # noqa: E731
    return [
        *REQUEST_FIGURES.counts(timeline),
        *histogram(TURNAROUND, item["answered_on"], days),
        # Per addressee (GET /parties): answered, open, and days to answer (medians).
        *party_steps(timeline, "requests.answered", answered),
        *party_steps(
            timeline,
            "requests.open",
            lambda shown: [shown["addressee"]] if shown["status"] == "open" else [],
        ),
        *party_steps(timeline, f"requests.days.{days}", answered),
    ]


def median_turnaround(reading: Reading) -> Measure:
    days = reading.histogram(TURNAROUND)
    return Measure(median_of(days.items()), reading.tally("requests.answered#events"))


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view="requests",
            types=frozenset({"AssistanceRequestSent", "AssistanceRequestAnswered"}),
            keys=lambda fact: [fact.payload["request"]],
            fold=fold_request,
            present=present_request,
            counts=request_counts,
        )
    ]


@hookimpl
def followup_tallies() -> list[Tally]:
    return [
        Tally(frozenset({"EmergencyVisaIssued"}), lambda f: {"visas.persons": f.payload["persons"]})
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        *REQUEST_FIGURES.summary(),
        SummaryFigure(
            "requests.median_days_to_answer",
            "Median days from sending to answer, of requests answered in the period.",
            median_turnaround,
            lambda reading: [
                e
                for item in answers().chosen(reading)
                for e in events_of("sent_on", "answered_on")(item)
            ],
        ),
        tally_figure(
            "activities.emergency_visas",
            "Persons given emergency visas in the period.",
            "visas.persons",
            ["EmergencyVisaIssued"],
        ),
    ]


@hookimpl
def followup_indicators() -> list[Indicator]:
    def turnaround(reading: Reading) -> dict[str, Any]:
        return {
            "answered": reading.tally("requests.answered"),
            "open": reading.tally("requests.open", cumulative=True),
            "median_days_to_answer": median_of(reading.histogram(TURNAROUND).items()),
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
