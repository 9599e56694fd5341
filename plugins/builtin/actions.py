"""The follow-up of the 66 recommendations, part one: actions. The focal point plans an
action that advances some recommendations (what, who leads it, the person responsible,
by when), reports its progress, moves its date with a reason, and completes it with
evidence or abandons it, as recommendation-tracking tools do (OHCHR's National
Recommendations Tracking Database, IMPACT OSS). Each action is one lifecycle: its
events are dated in order, and nothing follows its completion or abandonment.

The view `actions` shows each action as it stood on any date (open, overdue, completed,
abandoned); counts per recommendation are kept as dated tallies
(``recommendation.<n>.actions.<state>``), so the recommendations' overview reads no
action. The job `action_reminders` reminds the person responsible (and the focal point
who planned it) of actions due soon and overdue."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core import fields as f
from core.eventtypes import (
    EventType,
    Fact,
    Lifecycles,
    LifecycleState,
    conflict,
    invalid,
    lifecycle,
)
from core.jobs import Job, Work, Workplace
from core.people import email_of
from core.recommendations import ADOPTED, ADOPTED_BY, cluster_key
from core.views.figures import events_of
from core.views.itemfigures import InPeriod, ItemFigures, OnDate, Timeline
from core.views.model import Item, ItemCount, ItemHandler, Level, SummaryFigure, ViewFact
from core.words import EVENT, Noun, Phrase, Words
from plugins import hookimpl
from plugins.builtin.scheduled_jobs import Due, follow_up_reminders

AREA = "actions"

PLANNED = "ActionPlanned"
PROGRESS = "ActionProgressReported"
RESCHEDULED = "ActionRescheduled"
COMPLETED = "ActionCompleted"
ABANDONED = "ActionAbandoned"
TYPES = frozenset({PLANNED, PROGRESS, RESCHEDULED, COMPLETED, ABANDONED})

#: What an action is on a date; `overdue` is an open action past its due date.
STATES = ("open", "overdue", "completed", "abandoned")


def _email() -> fields.Email:
    # Absent when not given (never null): the payload keeps only what was said.
    return fields.Email(
        validate=validate.Length(max=254),
        metadata={
            "description": "The email address reminders go to (else the address of the "
            "person's API token, if they hold one: followup token create --person)."
        },
    )


class ActionPlanned(Schema):
    action = f.reference("action")
    description = f.text()
    lead = f.party(
        metadata={"description": "The party or organisation that leads the action (a code)."}
    )
    responsible = f.text(max_length=200)
    responsible_email = _email()
    due_on = f.day()

    @validates_schema
    def advances_recommendations(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        """An action advances recommendations: the envelope must list them (checked
        where the envelope is loaded with the payload, as a client sends it)."""
        if "type" in data and not data.get("recommendations"):
            raise ValidationError(
                "An action advances one or more of the 66 recommendations: list them.",
                "recommendations",
            )


class ActionProgressReported(Schema):
    action = f.reference("action")
    text = f.text()
    percent = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=100),
        metadata={"description": "How much of the action is done, in per cent."},
    )
    milestone = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The milestone reached."},
    )


class ActionRescheduled(Schema):
    action = f.reference("action")
    due_on = f.day()
    reason = f.text()


class ActionCompleted(Schema):
    action = f.reference("action")
    evidence = fields.List(
        fields.UUID(),
        load_default=list,
        validate=validate.Length(max=f.MAX_ITEMS),
        metadata={"description": "Ids of events of the log that show the action done."},
    )
    documents = fields.List(
        fields.String(validate=validate.Length(min=1, max=f.MAX_TEXT)),
        load_default=list,
        validate=validate.Length(max=f.MAX_ITEMS),
        metadata={"description": "Document symbols or URLs that show the action done."},
    )
    text = fields.String(validate=validate.Length(min=1, max=f.MAX_TEXT))

    @validates_schema
    def with_evidence(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if not data.get("evidence") and not data.get("documents"):
            raise ValidationError(
                "An action is completed with evidence: events of the log or documents.",
                "evidence",
            )


class ActionAbandoned(Schema):
    action = f.reference("action")
    reason = f.text()


# -- the lifecycle ------------------------------------------------------------------


def action_rule(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    """One lifecycle per action: planned first, events dated in order, a due date not
    before the day it is set, nothing after completion or abandonment."""
    p = fact.payload
    name = p["action"]
    day = fact.occurred_on.isoformat()
    if fact.type == PLANNED:
        if state is not None:
            raise conflict(f"Action {name} is already planned; choose a new identifier.")
        if p["due_on"] < day:
            raise conflict(f"Action {name} cannot be due ({p['due_on']}) before it is planned.")
        return {"planned_on": day, "last_on": day, "due_on": p["due_on"], "status": "open"}
    if state is None:
        raise conflict(f"Action {name} has not been planned.")
    if state["status"] != "open":
        raise conflict(
            f"Action {name} was {state['status']} on {state['last_on']}: nothing can follow."
        )
    if day < state["last_on"]:
        raise conflict(
            f"Action {name} cannot have an event dated {day}, before its last one "
            f"({state['last_on']}): its events are dated in order."
        )
    found = {**state, "last_on": day}
    if fact.type == RESCHEDULED:
        if p["due_on"] < day:
            raise conflict(f"Action {name} cannot be rescheduled to {p['due_on']}, a past date.")
        if p["due_on"] == state["due_on"]:
            raise conflict(f"Action {name} is already due on {p['due_on']}.")
        found["due_on"] = p["due_on"]
    elif fact.type == COMPLETED:
        found["status"] = "completed"
    elif fact.type == ABANDONED:
        found["status"] = "abandoned"
    return found


action = lifecycle("action", "action")


def after_adoption(fact: Fact, lifecycles: Lifecycles) -> None:
    """Nothing follows the recommendations up before the Assembly adopted them (an
    action is refused earlier anyway: it cites them)."""
    if fact.occurred_on.isoformat() < ADOPTED.isoformat():
        raise invalid(
            "occurred_on",
            f"The 66 recommendations were adopted on {ADOPTED.isoformat()} ({ADOPTED_BY}): "
            "nothing can follow them up before.",
        )


# -- how the events read -----------------------------------------------------------

PER_CENT = Noun(("per cent", "per cent"), ("pour cent", "pour cent"))
DOCUMENT = Noun(("document", "documents"), ("document", "documents"))

ACTION_PLANNED = Phrase(
    en="Action {action} planned: {description} (lead: {lead}; responsible: {responsible}; "
    "due by {due_on}).",
    fr="Action {action} prévue : {description} (chef de file : {lead} ; responsable : "
    "{responsible} ; échéance : {due_on}).",
    values=lambda p, w: {
        "action": p["action"],
        "description": p["description"],
        "lead": w.party(p["lead"]),
        "responsible": p["responsible"],
        "due_on": w.date(p["due_on"]),
    },
)


def progress_reported(payload: Mapping[str, Any], words: Words) -> str:
    done = []
    if payload.get("percent") is not None:
        percent = payload["percent"]
        done.append(
            words.say(en="nothing done yet", fr="rien d’accompli encore")
            if percent == 0
            else words.say(en="{n} done", fr="{n} accomplis").format(
                n=words.count(percent, PER_CENT)
            )
        )
    if payload.get("milestone"):
        done.append(words.say(en="milestone: ", fr="étape : ") + payload["milestone"])
    said = f" ({'; '.join(done)})" if done else ""
    return words.sentence(
        words.say(
            en=f"Progress on action {payload['action']}{said}: {payload['text']}.",
            fr=f"Avancement de l’action {payload['action']}{said} : {payload['text']}.",
        )
    )


ACTION_RESCHEDULED = Phrase(
    en="Action {action} rescheduled to {due_on}: {reason}.",
    fr="Action {action} reportée au {due_on} : {reason}.",
    values=lambda p, w: {
        "action": p["action"],
        "due_on": w.date(p["due_on"]),
        "reason": p["reason"],
    },
)


def action_completed(payload: Mapping[str, Any], words: Words) -> str:
    shown = []
    if payload.get("evidence"):
        shown.append(words.count(len(payload["evidence"]), EVENT))
    if payload.get("documents"):
        shown.append(words.count(len(payload["documents"]), DOCUMENT))
    evidence = words.listing(shown) or words.count(0, EVENT)
    text = f": {payload['text']}" if payload.get("text") else ""
    return words.sentence(
        words.say(
            en=f"Action {payload['action']} completed, with {evidence} as evidence{text}.",
            fr=f"Action {payload['action']} achevée, preuves à l’appui : {evidence}{text}.",
        )
    )


ACTION_ABANDONED = Phrase(
    en="Action {action} abandoned: {reason}.",
    fr="Action {action} abandonnée : {reason}.",
    values=lambda p, w: {"action": p["action"], "reason": p["reason"]},
)


@hookimpl
def followup_event_types() -> list[EventType]:
    common: dict[str, Any] = {"subject": action, "rule": action_rule, "by_recommendation": True}
    return [
        EventType(
            PLANNED,
            ActionPlanned,
            AREA,
            "The focal point planned an action that advances some of the 66 "
            "recommendations (the envelope's `recommendations`, required): what, the "
            "party or organisation that leads it, the person responsible, the due date.",
            party_fields=("lead",),
            sentence=ACTION_PLANNED,
            **common,
        ),
        EventType(
            PROGRESS,
            ActionProgressReported,
            AREA,
            "Progress on a planned action: what was done, how much (per cent) or the "
            "milestone reached.",
            sentence=progress_reported,
            **common,
        ),
        EventType(
            RESCHEDULED,
            ActionRescheduled,
            AREA,
            "A planned action is given a new due date, for a reason.",
            sentence=ACTION_RESCHEDULED,
            **common,
        ),
        EventType(
            COMPLETED,
            ActionCompleted,
            AREA,
            "A planned action is done, with evidence: events of the log (their ids) or "
            "documents. Nothing follows.",
            sentence=action_completed,
            evidence=("evidence",),
            **common,
        ),
        EventType(
            ABANDONED,
            ActionAbandoned,
            AREA,
            "A planned action is given up, for a reason. Nothing follows.",
            sentence=ACTION_ABANDONED,
            **common,
        ),
    ]


# -- the view ----------------------------------------------------------------------


def next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def fold_action(item: Item | None, fact: ViewFact) -> Item | None:
    p = fact.payload
    if fact.type == PLANNED:
        return {
            "action": p["action"],
            "recommendations": sorted(fact.recommendations),
            "description": p["description"],
            "lead": p["lead"],
            "responsible": p["responsible"],
            "responsible_email": p.get("responsible_email"),
            "planned_on": fact.occurred_on,
            "planned_by": fact.recorded_by,
            "due_on": p["due_on"],
            # The day it becomes overdue is a day of the item, so figures step then.
            "overdue_from": next_day(p["due_on"]),
            "progress": [],
            "rescheduled": [],
            "completed_on": None,
            "evidence": None,
            "abandoned_on": None,
            "reason": None,
            "dated_events": {"planned_on": fact.id},
        }
    if item is None:
        return None  # its planning was retracted
    said = {"on": fact.occurred_on, "by": fact.recorded_by, "event": fact.id}
    if fact.type == PROGRESS:
        entry = {**said, "text": p["text"]}
        entry.update({k: p[k] for k in ("percent", "milestone") if p.get(k) is not None})
        return {**item, "progress": [*item["progress"], entry]}
    if fact.type == RESCHEDULED:
        entry = {
            **said,
            "due_on": p["due_on"],
            "overdue_from": next_day(p["due_on"]),
            "reason": p["reason"],
        }
        return {**item, "rescheduled": [*item["rescheduled"], entry]}
    dated_events = {**item["dated_events"]}
    if fact.type == COMPLETED:
        dated_events["completed_on"] = fact.id
        evidence = {
            "events": [str(e) for e in p.get("evidence") or ()],
            "documents": list(p.get("documents") or ()),
            "text": p.get("text"),
            "by": fact.recorded_by,
        }
        return {
            **item,
            "completed_on": fact.occurred_on,
            "evidence": evidence,
            "dated_events": dated_events,
        }
    dated_events["abandoned_on"] = fact.id
    return {
        **item,
        "abandoned_on": fact.occurred_on,
        "reason": p["reason"],
        "dated_events": dated_events,
    }


def present_action(item: Item, on: date) -> Item | None:
    """The action as it stood on `on`: its due date then, what was reported by then,
    and its state (open, completed, abandoned; overdue: open past its due date)."""
    day = on.isoformat()
    if item["planned_on"] > day:
        return None
    progress = [entry for entry in item["progress"] if entry["on"] <= day]
    moved = [entry for entry in item["rescheduled"] if entry["on"] <= day]
    shown = {**item, "progress": progress, "rescheduled": moved}
    shown["first_due_on"] = item["due_on"]
    shown["due_on"] = moved[-1]["due_on"] if moved else item["due_on"]
    shown["overdue_from"] = next_day(shown["due_on"])
    completed = item["completed_on"] is not None and item["completed_on"] <= day
    abandoned = item["abandoned_on"] is not None and item["abandoned_on"] <= day
    if not completed:
        shown["completed_on"] = shown["evidence"] = None
    if not abandoned:
        shown["abandoned_on"] = shown["reason"] = None
    shown["status"] = "completed" if completed else "abandoned" if abandoned else "open"
    shown["overdue"] = shown["status"] == "open" and shown["due_on"] < day
    percents = [entry["percent"] for entry in progress if "percent" in entry]
    shown["percent"] = 100 if completed else (percents[-1] if percents else None)
    return shown


def on_the_day(shown: Item, on: date) -> Item:
    """The action as shown on `on` with how many days it is overdue then. Not part of
    `present_action`: a presented item may change only on the dates it mentions, and
    this grows every day."""
    late = (on - date.fromisoformat(shown["due_on"])).days if shown["overdue"] else 0
    return {**shown, "days_overdue": late}


def state_of(shown: Item | None) -> set[str]:
    """The states an action shown on a date is in (an overdue action is open too)."""
    if shown is None:
        return set()
    if shown["status"] != "open":
        return {shown["status"]}
    return {"open", "overdue"} if shown["overdue"] else {"open"}


ACTION_FIGURES = ItemFigures(
    (
        OnDate(
            "actions.open",
            "Actions open on the date (planned, neither completed nor abandoned).",
            "actions",
            lambda item: item["status"] == "open",
            events_of("planned_on"),
        ),
        OnDate(
            "actions.overdue",
            "Open actions past their due date on the date.",
            "actions",
            lambda item: item["overdue"],
            events_of("planned_on"),
        ),
        InPeriod(
            "actions.planned",
            "Actions planned in the period.",
            "actions",
            "planned_on",
            contributing=events_of("planned_on"),
        ),
        InPeriod(
            "actions.completed",
            "Actions completed in the period.",
            "actions",
            "completed_on",
            contributing=events_of("planned_on", "completed_on"),
        ),
        InPeriod(
            "actions.abandoned",
            "Actions abandoned in the period.",
            "actions",
            "abandoned_on",
            contributing=events_of("planned_on", "abandoned_on"),
        ),
    )
)


def recommendation_counter(number: int, state: str) -> str:
    """The dated tally of a recommendation's actions in a state (summed up to a date:
    how many were in it then)."""
    return f"recommendation.{number}.actions.{state}"


def cluster_counter(key: str, state: str) -> str:
    """The dated tally of the actions in a state that advance recommendations of a
    cluster of the report (each action once)."""
    return f"cluster.{key}.actions.{state}"


def action_counts(timeline: Timeline) -> list[ItemCount]:
    """The figures' tallies, and +1/-1 for each recommendation the action advances
    (and once for each cluster they are in) on the days it enters and leaves each
    state."""
    counts = ACTION_FIGURES.counts(timeline)
    numbers = timeline.item["recommendations"]
    clusters = sorted({cluster_key(n) for n in numbers})
    before: set[str] = set()
    for day in timeline.days:
        now = state_of(timeline.on(day))
        for state in sorted(before ^ now):
            amount = 1 if state in now else -1
            counts.extend((recommendation_counter(n, state), day, amount) for n in numbers)
            if state in ("open", "overdue"):
                counts.extend((cluster_counter(key, state), day, amount) for key in clusters)
        before = now
    return counts


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view="actions",
            types=TYPES,
            keys=lambda fact: [fact.payload["action"]],
            fold=fold_action,
            present=present_action,
            counts=action_counts,
        )
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return ACTION_FIGURES.summary()


# -- what the API lists ------------------------------------------------------------


def person_matches(item: Item, person: str) -> bool:
    wanted = person.strip().lower()
    named = {item["responsible"].strip().lower(), (item.get("responsible_email") or "").lower()}
    return wanted in named


def actions(
    items: list[Item],
    period: Any,
    *,
    recommendation: int | None = None,
    lead: str | None = None,
    person: str | None = None,
    status: str | None = None,
) -> list[Item]:
    """Actions as shown on the reading's date, filtered: by a recommendation they
    advance, their lead, the person responsible (name or email), their state on the
    date (`open`, `overdue`, `completed`, `abandoned`). With a period (`period.first`
    or `period.last` given), `completed` and `abandoned` mean in the period, and
    without a state, actions with anything dated in it."""
    bounded = period.first is not None or period.last is not None
    found = []
    for item in items:
        if recommendation is not None and recommendation not in item["recommendations"]:
            continue
        if lead is not None and item["lead"] != lead:
            continue
        if person is not None and not person_matches(item, person):
            continue
        if status is not None and status not in state_of(item):
            continue
        if bounded:
            if status in ("completed", "abandoned"):
                if not period.contains(item[f"{status}_on"]):
                    continue
            elif status is None:
                days = [
                    item["planned_on"],
                    item["completed_on"],
                    item["abandoned_on"],
                    *(entry["on"] for entry in item["progress"]),
                    *(entry["on"] for entry in item["rescheduled"]),
                ]
                if not any(period.contains(day) for day in days):
                    continue
        found.append(on_the_day(item, period.on))
    return found


# -- reminders ---------------------------------------------------------------------


class People(Workplace, Protocol):
    """What the action reminders need besides the log and its views: who holds a token
    (``followup token create --person --email``), to find a responsible person's email."""

    @property
    def tokens(self) -> Any: ...


def emails_by_person(workplace: People) -> dict[str, str]:
    """Each person who holds a working token, by name (lower case), and their email;
    a name two persons with different addresses share is left out (never guess)."""
    found: dict[str, set[str]] = {}
    for token in workplace.tokens.list():
        if token.person and token.email and not token.revoked:
            found.setdefault(token.person.strip().lower(), set()).add(token.email)
    return {name: next(iter(emails)) for name, emails in found.items() if len(emails) == 1}


def persons_of(item: Item, known: Mapping[str, str]) -> tuple[str, ...]:
    """The email addresses an action's reminders go to: the person responsible (their
    address given, or that of their token), and the focal point who planned it."""
    found = []
    responsible = item.get("responsible_email") or email_of(item["responsible"])
    responsible = responsible or known.get(item["responsible"].strip().lower())
    if responsible:
        found.append(responsible)
    planner = email_of(item["planned_by"])
    if planner and planner.lower() not in {e.lower() for e in found}:
        found.append(planner)
    return tuple(found)


def action_line(item: Item, stage: str, today: date) -> str:
    numbers = ", ".join(str(n) for n in item["recommendations"])
    due = item["due_on"]
    when = (
        f"due on {due}"
        if stage == "due_soon"
        else f"overdue since {due} ({(today - date.fromisoformat(due)).days} days)"
    )
    return (
        f"{item['action']} (recommendations {numbers}; lead {item['lead']}; responsible "
        f"{item['responsible']}): {when}. {item['description']}"
    )


def action_reminders(workplace: People, due: datetime, options: Mapping[str, Any]) -> Work | None:
    """Remind of each open action due within `days_before` days (once per due date)
    and of each overdue one (the day after its due date, then every `days` days).
    Confidential actions are never reminded of: reminders travel by email."""
    days, before = int(options["days"]), int(options["days_before"])
    today = due.date()
    reading = workplace.views.reading(Level.RESTRICTED, as_of=due, on=today)
    # What is reminded of is read without confidential events; whether it is still
    # due, with them: an action completed, abandoned or moved by a confidential event
    # is not reminded of (and the reminder says nothing of why).
    truth = {
        item["action"]: item
        for item in workplace.views.reading(Level.ALL, as_of=due, on=today).items("actions")
    }
    known: dict[str, str] | None = None
    found = []
    for item in reading.items("actions"):
        if item["status"] != "open" or item["classification"] == "confidential":
            continue
        actual = truth.get(item["action"])
        if actual is None or actual["status"] != "open" or actual["due_on"] != item["due_on"]:
            continue
        due_on = date.fromisoformat(item["due_on"])
        if item["overdue"]:
            stage = "overdue"
        elif (due_on - today).days <= before:
            stage = "due_soon"
        else:
            continue
        if known is None:
            known = emails_by_person(workplace)
        found.append(
            Due(
                "action",
                item["action"],
                due_on,
                stage,
                action_line(item, stage, today),
                persons_of(item, known),
            )
        )
    return follow_up_reminders(workplace, due, days, found, "actions")


@hookimpl
def followup_jobs() -> list[Job[Any]]:
    return [
        Job(
            "action_reminders",
            "Reminders to the person responsible for each action (and the focal point "
            "who planned it) of actions due within `days_before` days and overdue "
            "(again every `days` days).",
            "0 7 * * *",
            24 * 3600,
            {"days_before": 14, "days": 7},
            action_reminders,
        )
    ]
