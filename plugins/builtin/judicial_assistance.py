"""Part I, cluster 3 (cooperation in support of investigations and proceedings):
requests for assistance and their answers, emergency visas for witnesses."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from statistics import median
from typing import Any

import pygal
from marshmallow import Schema, fields, validate

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.jobs import Job
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
from core.words import PERSON, Phrase, Terms
from plugins import hookimpl
from plugins.builtin.party_items import party_steps
from plugins.builtin.scheduled_jobs import Overdue, reminders
from reports.annual import charts
from reports.sections import ReportChart, SectionContext, Series

AREA = "judicial_assistance"

CATEGORIES = (
    "arrest_and_surrender",
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
    # Added fields, left out of the payload when not given (as in earlier events).
    warrant = f.reference("warrant the request is about", required=False, omitted=True)
    details = fields.String(
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "What was asked, in words (the category is what counts)."},
    )


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


# -- how the events read -----------------------------------------------------------

CATEGORY_WORDS = Terms(
    {
        "background_information": ("background information", "informations générales"),
        "evidence": ("evidence", "éléments de preuve"),
        "witness_access": ("witness access", "accès aux témoins"),
        "forensics": ("forensics", "expertise médico-légale"),
        "defence": ("defence", "défense"),
        "asset_tracing": ("asset tracing", "recherche d’avoirs"),
        "logistics": ("logistics", "logistique"),
        "other": ("other", "autre"),
    }
)
#: On whose behalf, with the French article ("au nom du Greffe").
ON_BEHALF = Terms(
    {
        "prosecution": ("prosecution", "du Bureau du Procureur"),
        "defence": ("defence", "de la défense"),
        "registry": ("registry", "du Greffe"),
        "chambers": ("chambers", "des Chambres"),
    }
)
ANSWERS = Terms(
    {
        "granted": ("granted", "accordée"),
        "partially_granted": ("partially granted", "partiellement accordée"),
        "refused": ("refused", "refusée"),
    }
)

REQUEST_SENT = Phrase(
    en="Request {request} ({category}) sent to {addressee} on behalf of the {on_behalf_of}.",
    fr="Demande {request} ({category}) au nom {on_behalf_of} ; destinataire : {addressee}.",
    values=lambda p, w: {
        "request": p["request"],
        "category": w.term(p["category"], CATEGORY_WORDS),
        "addressee": w.party(p["addressee"]),
        "on_behalf_of": w.term(p["on_behalf_of"], ON_BEHALF),
    },
)
REQUEST_ANSWERED = Phrase(
    en="Request {request} answered: {outcome}.",
    fr="Réponse à la demande {request} : {outcome}.",
    values=lambda p, w: {"request": p["request"], "outcome": w.term(p["outcome"], ANSWERS)},
)
VISAS = Phrase(
    en="{state} issued emergency visas to {persons}.",
    fr="{state} : visas d’urgence délivrés à {persons}.",
    values=lambda p, w: {"state": w.party(p["state"]), "persons": w.count(p["persons"], PERSON)},
)


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
            references={"warrant": "warrant"},
            party_fields=("addressee",),
            sentence=REQUEST_SENT,
            cluster="I.C",
        ),
        EventType(
            "AssistanceRequestAnswered",
            AssistanceRequestAnswered,
            AREA,
            "A request for assistance was answered.",
            subject=request,
            rule=answered,
            sentence=REQUEST_ANSWERED,
            cluster="I.C",
        ),
        EventType(
            "EmergencyVisaIssued",
            EmergencyVisaIssued,
            AREA,
            "A State issued emergency visas to witnesses (recommendation 16).",
            party_fields=("state",),
            sentence=VISAS,
            cluster="I.C",
            activity=True,
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
            "warrant": p.get("warrant"),
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


def words(code: str) -> str:
    return code.replace("_", " ")


@hookimpl
def followup_jobs() -> list[Job[Any]]:
    return [
        Job(
            "request_reminders",
            "Reminders of requests for assistance unanswered after `days` days.",
            "0 7 * * *",
            24 * 3600,
            {"days": 30},
            reminders(
                Overdue(
                    "request",
                    "requests",
                    "open",
                    "sent_on",
                    lambda i: (
                        f"{i['request']} to {i['addressee']} ({i['category'].replace('_', ' ')})"
                    ),
                    ("requests for assistance", "unanswered"),
                )
            ),
        )
    ]


# -- the annual report ----------------------------------------------------------------


def requests_series(context: SectionContext) -> Series:
    """Requests sent and answered per year, and the median days to answer those
    answered in the year."""
    sent: Counter[int] = Counter()
    answered: dict[int, list[int]] = defaultdict(list)
    for item in context.cumulative.items("requests"):
        sent[int(item["sent_on"][:4])] += 1
        if item.get("answered_on"):
            answered[int(item["answered_on"][:4])].append(item["days_to_answer"])
    years = context.chart_years
    return {
        "sent": [sent.get(y, 0) for y in years],
        "answered": [len(answered.get(y, [])) for y in years],
        "median_days": [median(answered[y]) if answered.get(y) else None for y in years],
    }


def draw_requests(series: Series, years: Sequence[int]) -> str:
    chart = pygal.Line(
        **charts.options(
            title="Requests for assistance, and median days to answer",
            dots_size=3,
            stroke_style={"width": 2},
        )
    )
    chart.x_labels = [str(year) for year in years]
    intervals = charts.whole_counts(chart, series["sent"], series["answered"])
    # The right scale's ticks fall on the left's: whole days as well.
    days = max(1, -(-charts.top(series["median_days"]) // intervals))
    chart.secondary_range = (0, intervals * days)
    chart.add("Sent", list(series["sent"]))
    chart.add("Answered", list(series["answered"]))
    if any(days is not None for days in series["median_days"]):
        # No right scale without a request answered in the years shown.
        chart.add(
            "Median days to answer (right scale)", list(series["median_days"]), secondary=True
        )
    return charts.svg(chart, "requests")


@hookimpl
def followup_report_charts() -> list[ReportChart]:
    return [
        ReportChart(
            "requests",
            "I.C",
            "Requests for assistance sent and answered per year, and the median days "
            "to answer those answered in the year.",
            requests_series,
            draw_requests,
        )
    ]
