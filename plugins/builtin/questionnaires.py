"""The follow-up of the 66 recommendations, part three: questionnaires, how the Bureau
gathers States' own account. A questionnaire goes to some States with a due date and
the recommendations it asks about; each State answers once, per recommendation, with
the status it reports and a text. Answers are evidence of the State's own view, kept
apart from the focal point's assessment (``RecommendationAssessed``). The job
`questionnaire_reminders` reminds of States that have not answered by the due date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.jobs import Job, Work, Workplace
from core.parties import PartyKind
from core.people import email_of
from core.recommendations import cluster_key
from core.views.model import Item, ItemHandler, Level, Tally, ViewFact
from core.words import STATE, Noun, Words
from plugins import hookimpl
from plugins.builtin.actions import after_adoption, next_day
from plugins.builtin.scheduled_jobs import Due, follow_up_reminders

AREA = "questionnaires"

SENT = "QuestionnaireSent"
ANSWERED = "QuestionnaireAnswered"
VIEW = "questionnaires"

#: What a State may report of a recommendation: the focal point's statuses, and that it
#: does not concern the State.
SELF_STATUSES = ("not_started", "in_progress", "implemented", "ongoing", "not_applicable")


def _recommendation() -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=66))


def _distinct(values: list[Any]) -> bool:
    if len(set(values)) != len(values):
        raise ValidationError("Listed more than once.")
    return True


class QuestionnaireSent(Schema):
    questionnaire = f.reference("questionnaire")
    title = f.text(max_length=300)
    states = fields.List(
        f.PartyCode(kinds={PartyKind.STATE}),
        required=True,
        validate=[validate.Length(min=1, max=f.MAX_ITEMS), _distinct],
        metadata={"description": "The States it is sent to."},
    )
    asked = fields.List(
        _recommendation(),
        required=True,
        validate=[validate.Length(min=1, max=66), _distinct],
        metadata={"description": "The recommendations (1-66) it asks about."},
    )
    due_on = f.day()


class Answer(Schema):
    recommendation = _recommendation()
    status = f.choice(SELF_STATUSES)
    text = f.text()


class QuestionnaireAnswered(Schema):
    questionnaire = f.reference("questionnaire")
    state = f.state()
    answers = fields.List(
        fields.Nested(Answer),
        required=True,
        validate=validate.Length(min=1, max=66),
        metadata={
            "description": "Per recommendation asked about: the status the State "
            "reports (self-assessed) and its text."
        },
    )

    @validates_schema
    def once_each(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        numbers = [answer["recommendation"] for answer in data["answers"]]
        if len(set(numbers)) != len(numbers):
            raise ValidationError("A recommendation is answered more than once.", "answers")


def questionnaire_rule(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    """Sent once, due on or after the day it is sent; answered by the States it was sent
    to, once each, not before it was sent, on the recommendations it asks about."""
    p = fact.payload
    name = p["questionnaire"]
    day = fact.occurred_on.isoformat()
    if fact.type == SENT:
        if state is not None:
            raise conflict(f"Questionnaire {name} is already sent; choose a new identifier.")
        if p["due_on"] < day:
            raise conflict(f"Questionnaire {name} cannot be due before it is sent.")
        return {
            "sent_on": day,
            "states": list(p["states"]),
            "asked": list(p["asked"]),
            "answered": [],
        }
    if state is None:
        raise conflict(f"Questionnaire {name} has not been sent.")
    if p["state"] not in state["states"]:
        raise conflict(f"Questionnaire {name} was not sent to {p['state']}.")
    if p["state"] in state["answered"]:
        raise conflict(
            f"{p['state']} has already answered questionnaire {name}; correct that answer."
        )
    if day < state["sent_on"]:
        raise conflict(f"Questionnaire {name} cannot be answered before it was sent.")
    unasked = sorted({a["recommendation"] for a in p["answers"]} - set(state["asked"]))
    if unasked:
        raise conflict(
            f"Questionnaire {name} does not ask about recommendation "
            f"{', '.join(str(n) for n in unasked)}."
        )
    return {**state, "answered": [*state["answered"], p["state"]]}


questionnaire = lifecycle("questionnaire", "questionnaire")


# -- how the events read -----------------------------------------------------------

RECOMMENDATION = Noun(
    ("recommendation", "recommendations"), ("recommandation", "recommandations"), feminine=True
)


def questionnaire_sent(payload: Mapping[str, Any], words: Words) -> str:
    states = words.count(len(payload["states"]), STATE)
    asked = words.count(len(payload["asked"]), RECOMMENDATION)
    numbers = words.listing(str(n) for n in payload["asked"])
    due = words.date(payload["due_on"])
    return words.sentence(
        words.say(
            en=f"Questionnaire {payload['questionnaire']} ({payload['title']}) sent to {states} "
            f"on {asked} ({numbers}); answers due by {due}.",
            fr=f"Questionnaire {payload['questionnaire']} ({payload['title']}) adressé à "
            f"{states} sur {asked} ({numbers}) ; réponses attendues le {due}.",
        )
    )


def questionnaire_answered(payload: Mapping[str, Any], words: Words) -> str:
    state = words.party(payload["state"])
    answered = words.count(len(payload["answers"]), RECOMMENDATION)
    return words.sentence(
        words.say(
            en=f"{state} answered questionnaire {payload['questionnaire']} on {answered}.",
            fr=f"{state} : réponse au questionnaire {payload['questionnaire']} sur {answered}.",
        )
    )


def sent_cluster(payload: Mapping[str, Any]) -> str:
    return cluster_key(int(payload["asked"][0]))


def answered_cluster(payload: Mapping[str, Any]) -> str:
    return cluster_key(int(payload["answers"][0]["recommendation"]))


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            SENT,
            QuestionnaireSent,
            AREA,
            "The Bureau or the focal point sent States a questionnaire on some of the "
            "recommendations, with a due date for the answers.",
            subject=questionnaire,
            rule=questionnaire_rule,
            checks=after_adoption,
            writers=frozenset({"focal_point", "bureau"}),
            party_fields=("states",),
            sentence=questionnaire_sent,
            cluster=sent_cluster,
        ),
        EventType(
            ANSWERED,
            QuestionnaireAnswered,
            AREA,
            "A State answered a questionnaire: per recommendation, the status it reports "
            "and its text (its own view, not the focal point's assessment).",
            subject=questionnaire,
            rule=questionnaire_rule,
            writers=frozenset({"focal_point", "bureau"}),
            party_fields=("state",),
            sentence=questionnaire_answered,
            cluster=answered_cluster,
        ),
    ]


# -- the view ----------------------------------------------------------------------


def fold_questionnaire(item: Item | None, fact: ViewFact) -> Item | None:
    p = fact.payload
    if fact.type == SENT:
        return {
            "questionnaire": p["questionnaire"],
            "title": p["title"],
            "states": list(p["states"]),
            "asked": list(p["asked"]),
            "sent_on": fact.occurred_on,
            "sent_by": fact.recorded_by,
            "due_on": p["due_on"],
            # The day it becomes overdue, as a date the item mentions: views present an
            # item anew only on the dates it mentions.
            "overdue_from": next_day(p["due_on"]),
            "answers": {},
        }
    if item is None:
        return None
    answer = {
        "on": fact.occurred_on,
        "by": fact.recorded_by,
        "event": fact.id,
        "answers": [dict(a) for a in p["answers"]],
    }
    return {**item, "answers": {**item["answers"], p["state"]: answer}}


def present_questionnaire(item: Item, on: date) -> Item | None:
    """The questionnaire on `on`: the answers in by then, the States yet to answer,
    and whether they are late."""
    day = on.isoformat()
    if item["sent_on"] > day:
        return None
    answers = {state: a for state, a in item["answers"].items() if a["on"] <= day}
    unanswered = [state for state in item["states"] if state not in answers]
    return {
        **item,
        "answers": answers,
        "unanswered": unanswered,
        "overdue": bool(unanswered) and item["overdue_from"] <= day,
    }


def answers_counter(number: int) -> str:
    """The tally of the States' answers about a recommendation."""
    return f"recommendation.{number}.self_assessed"


def self_assessed(fact: ViewFact) -> dict[str, int]:
    """Per recommendation, the answers received (their statuses are in the view)."""
    return {answers_counter(answer["recommendation"]): 1 for answer in fact.payload["answers"]}


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view=VIEW,
            types=frozenset({SENT, ANSWERED}),
            keys=lambda fact: [fact.payload["questionnaire"]],
            fold=fold_questionnaire,
            present=present_questionnaire,
        )
    ]


@hookimpl
def followup_tallies() -> list[Tally]:
    return [Tally(frozenset({ANSWERED}), self_assessed)]


def answers_on(reading: Any, number: int) -> list[dict[str, Any]]:
    """The States' answers about one recommendation by the reading's date, in the
    order they were given (by date, then questionnaire and State)."""
    found = []
    for item in reading.items(VIEW):
        for state, given in item["answers"].items():
            for answer in given["answers"]:
                if answer["recommendation"] == number:
                    found.append(
                        {
                            "questionnaire": item["questionnaire"],
                            "state": state,
                            "answered_on": given["on"],
                            "status": answer["status"],
                            "text": answer["text"],
                            "event": given["event"],
                        }
                    )
    return sorted(found, key=lambda a: (a["answered_on"], a["questionnaire"], a["state"]))


# -- reminders ---------------------------------------------------------------------


def questionnaire_reminders(
    workplace: Workplace, due: datetime, options: Mapping[str, Any]
) -> Work | None:
    """Remind of each State that has not answered a questionnaire by its due date, the
    day after and then every `days` days; the focal point who sent it is reminded
    personally. Confidential questionnaires are never reminded of."""
    today = due.date()
    reading = workplace.views.reading(Level.RESTRICTED, as_of=due, on=today)
    # A State whose answer is confidential has answered: not reminded of.
    truth = {
        item["questionnaire"]: item
        for item in workplace.views.reading(Level.ALL, as_of=due, on=today).items(VIEW)
    }
    found = []
    for item in reading.items(VIEW):
        if not item["overdue"] or item["classification"] == "confidential":
            continue
        actual = truth.get(item["questionnaire"])
        unanswered = set(actual["unanswered"]) if actual is not None else set()
        sender = email_of(item["sent_by"])
        for state in (s for s in item["unanswered"] if s in unanswered):
            found.append(
                Due(
                    "questionnaire",
                    f"{item['questionnaire']}/{state}",
                    date.fromisoformat(item["due_on"]),
                    "unanswered",
                    f"{item['questionnaire']} ({item['title']}) to {state}: no answer, "
                    f"due on {item['due_on']}.",
                    (sender,) if sender else (),
                )
            )
    return follow_up_reminders(workplace, due, int(options["days"]), found, "questionnaires")


@hookimpl
def followup_jobs() -> list[Job[Any]]:
    return [
        Job(
            "questionnaire_reminders",
            "Reminders of States that have not answered a questionnaire by its due date "
            "(again every `days` days).",
            "0 7 * * *",
            24 * 3600,
            {"days": 14},
            questionnaire_reminders,
        )
    ]
