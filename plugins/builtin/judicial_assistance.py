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
from core.views.figures import dated, days_between, events_of, tally_figure
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
from core.words import DAY, PERSON, Noun, Phrase, Terms, Text, Words
from plugins import hookimpl
from plugins.builtin.item_dates import hide_later_with_details
from plugins.builtin.party_items import party_steps
from plugins.builtin.report_words import one_count
from plugins.builtin.scheduled_jobs import Overdue, reminders
from reports.annual import charts
from reports.sections import ProseContext, ReportChart, ReportProse, SectionContext, Series

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
    shown = hide_later_with_details(item, on, {"answered_on": ("outcome",)})
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
            reads=turnaround_words,
        ),
        Indicator(
            (16,),
            "emergency_visas",
            "Persons given emergency visas in the period.",
            lambda reading: {
                "persons": reading.tally("visas.persons"),
                "visas": reading.tally("events.EmergencyVisaIssued"),
            },
            reads=lambda value, w: one_count(
                value["persons"],
                w,
                en="Persons given emergency visas in the period",
                fr="Personnes ayant reçu un visa d’urgence pendant la période",
                feminine=True,
            ),
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


def draw_requests(series: Series, years: Sequence[int], w: Words) -> str:
    chart = pygal.Line(
        **charts.options(
            title=w.say(
                en="Requests for assistance, and median days to answer",
                fr="Demandes d’assistance et délai médian de réponse (jours)",
            ),
            dots_size=3,
            stroke_style={"width": 2},
        )
    )
    chart.x_labels = [str(year) for year in years]
    intervals = charts.whole_counts(chart, series["sent"], series["answered"])
    # The right scale's ticks fall on the left's: whole days as well.
    days = max(1, -(-charts.top(series["median_days"]) // intervals))
    chart.secondary_range = (0, intervals * days)
    chart.add(w.say(en="Sent", fr="Envoyées"), list(series["sent"]))
    chart.add(w.say(en="Answered", fr="Ayant reçu une réponse"), list(series["answered"]))
    if any(days is not None for days in series["median_days"]):
        # No right scale without a request answered in the years shown.
        chart.add(
            w.say(
                en="Median days to answer (right scale)",
                fr="Délai médian de réponse en jours (échelle de droite)",
            ),
            list(series["median_days"]),
            secondary=True,
        )
    return charts.svg(chart, "requests")


@hookimpl
def followup_report_charts() -> list[ReportChart]:
    return [
        ReportChart(
            "requests",
            "I.C",
            Text(
                "Requests for assistance sent and answered per year, and the median days "
                "to answer those answered in the year.",
                "Demandes d’assistance envoyées et ayant reçu une réponse chaque année, et "
                "délai médian de réponse, en jours, de celles qui ont reçu une réponse dans "
                "l’année.",
            ),
            requests_series,
            draw_in=draw_requests,
            empty=Text(
                "No request for assistance was sent or answered from {first} to {last}.",
                "Aucune demande d’assistance n’a été envoyée ni n’a reçu de réponse de {first} "
                "à {last}.",
            ),
        )
    ]


REQUEST = Noun(("request", "requests"), ("demande", "demandes"), feminine=True)


def days_text(days: float | None, w: Words) -> str:
    """'25 days', 'three days', '12.5 days'; none as 'less than a day'."""
    if days is None:
        return "—"
    if days == 0:
        return w.say(en="less than a day", fr="moins d’un jour")
    if float(days).is_integer():
        return w.count(int(days), DAY)
    return f"{w.number(days)} {w.plural(2, DAY)}"


def turnaround_words(value: Mapping[str, Any], w: Words) -> str:
    """'Requests answered in the period: 52; open at its end: six; median time to
    answer: 25 days.'"""
    answered, open_ = value["answered"], value["open"]
    text = w.say(
        en=f"Requests answered in the period: {w.cardinal(answered)}; open at its end: "
        f"{w.cardinal(open_)}",
        fr=f"Demandes ayant reçu une réponse pendant la période : "
        f"{w.cardinal(answered, feminine=True)} ; sans réponse à la fin de la période : "
        f"{w.cardinal(open_, feminine=True)}",
    )
    if value.get("median_days_to_answer") is not None:
        text += w.say(en="; median time to answer: ", fr=" ; délai médian de réponse : ")
        text += days_text(value["median_days_to_answer"], w)
    return w.sentence(text + ".")


def requests_said(p: ProseContext) -> list[str]:
    """Requests sent and answered in the period, how they were answered and how fast;
    said in one sentence when there were none (it matters: cooperation is requests)."""
    w = p.words
    sent = p.now("requests.sent") or 0
    answered = p.now("requests.answered") or 0
    open_ = p.now("requests.open") or 0
    if not sent and not answered:
        if open_:
            return []
        return [
            p.sentence(
                w.say(
                    en=f"No request for assistance was recorded {p.during}.",
                    fr=f"Aucune demande d’assistance n’a été enregistrée {p.during}.",
                )
            )
        ]
    said = []
    if sent:
        text = w.say(
            en=f"{p.during}, the Court sent {w.count(sent, REQUEST)} for assistance "
            f"{p.compared('requests.sent', feminine=True)}",
            fr=f"{p.during}, la Cour a envoyé {w.count(sent, REQUEST)} d’assistance "
            f"{p.compared('requests.sent', feminine=True)}",
        )
        if answered:
            text += w.say(
                en=f" and {w.cardinal(answered)} {w.agree(answered, one='was', other='were')} "
                f"answered {p.compared('requests.answered', feminine=True)}",
                fr=f" et {w.cardinal(answered, feminine=True)} "
                f"{w.agree(answered, one='a reçu', other='ont reçu')} une réponse "
                f"{p.compared('requests.answered', feminine=True)}",
            )
    else:
        text = w.say(
            en=f"{p.during}, {w.count(answered, REQUEST)} for assistance "
            f"{w.agree(answered, one='was', other='were')} answered "
            f"{p.compared('requests.answered', feminine=True)}",
            fr=f"{p.during}, {w.count(answered, REQUEST)} d’assistance "
            f"{w.agree(answered, one='a reçu', other='ont reçu')} une réponse "
            f"{p.compared('requests.answered', feminine=True)}",
        )
    outcomes = [
        w.say(en=f"{w.cardinal(n)} {en}", fr=f"{w.cardinal(n, feminine=True)} {fr(n)}")
        for n, en, fr in (
            (
                p.now("requests.granted") or 0,
                "granted in full",
                lambda n: w.agree(n, one="acceptée en totalité", other="acceptées en totalité"),
            ),
            (
                p.now("requests.partially_granted") or 0,
                "in part",
                lambda n: "en partie",
            ),
            (
                p.now("requests.refused") or 0,
                "refused",
                lambda n: w.agree(n, one="refusée", other="refusées"),
            ),
        )
        if n
    ]
    if answered and outcomes:
        text += w.say(en=": ", fr=" : ") + w.listing(outcomes)
    said.append(p.sentence(text + "."))
    median = p.now("requests.median_days_to_answer")
    if answered and median is not None:
        said.append(
            p.sentence(
                w.say(
                    en=f"The median time to answer was {days_text(median, w)} "
                    f"{p.compared('requests.median_days_to_answer', unit=DAY)}.",
                    fr=f"Le délai médian de réponse a été de {days_text(median, w)} "
                    f"{p.compared('requests.median_days_to_answer', unit=DAY)}.",
                )
            )
        )
    visas = p.now("activities.emergency_visas") or 0
    if visas:
        said.append(
            p.sentence(
                w.say(
                    en=f"{p.during}, {w.count(visas, PERSON)} "
                    f"{w.agree(visas, one='was', other='were')} given emergency visas "
                    f"{p.compared('activities.emergency_visas', feminine=True)}.",
                    fr=f"{p.during}, {w.count(visas, PERSON)} "
                    f"{w.agree(visas, one='a reçu', other='ont reçu')} un visa d’urgence "
                    f"{p.compared('activities.emergency_visas', feminine=True)}.",
                )
            )
        )
    return said


def requests_outstanding(p: ProseContext) -> list[str]:
    w = p.words
    open_ = p.now("requests.open") or 0
    if not open_:
        return []
    return [
        p.sentence(
            w.say(
                en=f"{p.at_end}, {w.count(open_, REQUEST)} for assistance "
                f"{w.agree(open_, one='was', other='were')} still awaiting an answer "
                f"{p.compared('requests.open', stock=True, feminine=True)}.",
                fr=f"{p.at_end}, {w.count(open_, REQUEST)} d’assistance "
                f"{w.agree(open_, one='était', other='étaient')} toujours en attente de réponse "
                f"{p.compared('requests.open', stock=True, feminine=True)}.",
            )
        )
    ]


def requests_summary(p: ProseContext) -> list[str]:
    said = requests_said(p)
    return [*said[:2], *requests_outstanding(p)]


@hookimpl
def followup_report_prose() -> list[ReportProse]:
    return [
        ReportProse(
            "judicial_assistance",
            "I.C",
            figures=(
                (
                    "requests.sent",
                    Text("Requests for assistance sent", "Demandes d’assistance envoyées"),
                ),
                ("requests.answered", Text("Requests answered", "Demandes ayant reçu une réponse")),
                (
                    "requests.granted",
                    Text("of which granted in full", "dont acceptées en totalité"),
                ),
                (
                    "requests.partially_granted",
                    Text("of which granted in part", "dont acceptées en partie"),
                ),
                ("requests.refused", Text("of which refused", "dont refusées")),
                (
                    "requests.open",
                    Text(
                        "Requests unanswered at the end of the period",
                        "Demandes sans réponse à la fin de la période",
                    ),
                ),
                (
                    "requests.median_days_to_answer",
                    Text("Median days to answer", "Délai médian de réponse (jours)"),
                ),
                (
                    "activities.emergency_visas",
                    Text("Persons given emergency visas", "Personnes ayant reçu un visa d’urgence"),
                ),
            ),
            done=requests_said,
            outstanding=requests_outstanding,
            summary=requests_summary,
        )
    ]
