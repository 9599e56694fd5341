"""Reminders of the follow-up, on a real SQLite store with a controllable clock and a
real SMTP server (aiosmtpd) and webhook receiver on loopback: actions due soon and
overdue, indicators whose target date passed unmet, questionnaires unanswered. Each is
recorded once per due time and interval; the person responsible (found by their token
when no address is given) and the focal point who planned it get a personal email of
their own actions only; the webhook gets the list, never a personal notice; nothing
confidential is reminded of."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.jobs import run
from core.notifying import build_targets
from followup.bootstrap import bootstrap
from tests.receivers import smtp_server, webhook_receiver

ANA = "Ana Focal <ana@example.org>"
SECRET = "reminder-secret"


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def start() -> datetime:
    """Now: what is recorded is recorded now, and the jobs run for due times after."""
    return datetime.now(UTC)


@pytest.fixture
def clock(start):
    return Clock(start)


@pytest.fixture
def services(sqlite_url, clock):
    services = bootstrap(sqlite_url, load_entry_points=False, clock=clock)
    yield services
    services.close()


def day(start: datetime, days: int) -> str:
    return (start + timedelta(days=days)).date().isoformat()


def at(clock: Clock, start: datetime, days: int) -> datetime:
    clock.now = start + timedelta(days=days)
    return clock.now


def record(services, *raws: dict[str, Any], by: str = ANA):
    app = services.app
    return app.record_batch([app.validate(r) for r in raws], by, None)


def action(start: datetime, name: str, due: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "ActionPlanned",
        "occurred_on": day(start, 0),
        "action": name,
        "recommendations": [5],
        "description": f"Work for {name}",
        "lead": "AUT",
        "responsible": "Bo Lead",
        "due_on": day(start, due),
        **extra,
    }


def indicator(start: datetime, target_on: int) -> dict[str, Any]:
    return {
        "type": "IndicatorDefined",
        "occurred_on": day(start, 0),
        "indicator": "esa",
        "recommendation": 5,
        "description": "Enforcement agreements signed",
        "figure": "agreements.enforcement_of_sentences.signed",
        "baseline": 0,
        "baseline_on": day(start, 0),
        "target": 1,
        "target_on": day(start, target_on),
    }


def questionnaire(
    start: datetime, name: str = "Q-1", states: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    """A questionnaire on recommendation 5, sent on the first day, due on the third."""
    return {
        "type": "QuestionnaireSent",
        "occurred_on": day(start, 0),
        "questionnaire": name,
        "title": "Implementation",
        "states": states or ["AUT", "NLD"],
        "asked": [5],
        "due_on": day(start, 3),
        **extra,
    }


def answered(start: datetime, state: str, **extra: Any) -> dict[str, Any]:
    """The State's answer to Q-1 on the second day."""
    return {
        "type": "QuestionnaireAnswered",
        "occurred_on": day(start, 2),
        "questionnaire": "Q-1",
        "state": state,
        "answers": [{"recommendation": 5, "status": "implemented", "text": "Done."}],
        **extra,
    }


def sent(run_) -> list[tuple[str, str, int]]:
    return [
        (e.payload["reference"], e.payload["stage"], e.payload["reminder"]) for e in run_.events
    ]


def test_actions_are_reminded_due_soon_and_overdue_to_the_persons_concerned(services, clock, start):
    services.tokens.create("bo", "focal_point", "admin", person="Bo Lead", email="bo@example.org")
    record(
        services,
        action(start, "ACT-1", 20),
        action(start, "ACT-2", 5, responsible="Cy", responsible_email="cy@example.org"),
        action(start, "ACT-3", 5, classification="confidential"),
        action(start, "ACT-4", 100),
    )
    job = services.jobs["action_reminders"]
    options = {"days_before": 14, "days": 7}
    with smtp_server() as box, webhook_receiver(SECRET.encode()) as hook:
        configured = {
            "mail": {
                "kind": "smtp",
                "host": "127.0.0.1",
                "port": box.port,
                "security": "none",
                "from": "followup@example.org",
                "to": ["bureau@example.org"],
            },
            "dashboard": {"kind": "webhook", "url": hook.url, "secret_env": "SECRET"},
        }
        targets = list(
            build_targets(configured, services.notifier_kinds, {"SECRET": SECRET}).values()
        )
        first = run(services, job, at(clock, start, 7), options, targets)
        assert sent(first) == [("ACT-1", "due_soon", 1), ("ACT-2", "overdue", 1)]
        assert {e.classification for e in first.events} == {"restricted"}
        assert all(d.delivered for d in first.deliveries)
        # The list to the bureau's address; each person their own actions.
        to = {
            tuple(recipients): message
            for (_, recipients), message in zip(box.envelopes, box.messages, strict=True)
        }
        assert set(to) == {
            ("bureau@example.org",),
            ("ana@example.org",),
            ("bo@example.org",),
            ("cy@example.org",),
        }
        bureau = to[("bureau@example.org",)].get_content()
        assert "ACT-1" in bureau and "ACT-2" in bureau and "ACT-3" not in bureau
        bo = to[("bo@example.org",)].get_content()
        assert "ACT-1" in bo and "due on" in bo and "ACT-2" not in bo
        cy = to[("cy@example.org",)]
        assert "ACT-2" in cy.get_content() and "overdue" in cy["Subject"]
        ana = to[("ana@example.org",)].get_content()
        assert "ACT-1" in ana and "ACT-2" in ana
        assert all("ACT-3" not in m.get_content() for m in box.messages)
        assert len(hook.requests) == 1 and hook.verified == [True]
        assert hook.requests[0]["body"]["data"]["about"] == "actions"

        # The same due time again records nothing and sends nothing.
        again = run(services, job, clock.now, options, targets)
        assert again.status == "already done" and len(box.messages) == 4
        # The next day: each was reminded at its stage already.
        assert run(services, job, at(clock, start, 8), options, targets).status == ("nothing to do")
        # Seven days past due and more: the overdue action again.
        assert sent(run(services, job, at(clock, start, 13), options, targets)) == [
            ("ACT-2", "overdue", 2)
        ]
    # Rescheduled, it is due soon again (about its new date); completed, never again.
    at(clock, start, 15)
    record(
        services,
        {
            "type": "ActionRescheduled",
            "occurred_on": day(start, 15),
            "action": "ACT-2",
            "due_on": day(start, 25),
            "reason": "Waiting for comments",
        },
        {
            "type": "ActionCompleted",
            "occurred_on": day(start, 15),
            "action": "ACT-1",
            "documents": ["ICC-ASP/23/1"],
        },
    )
    moved = run(services, job, at(clock, start, 16), options)
    assert sent(moved) == [("ACT-2", "due_soon", 3)]
    assert moved.events[0].payload["since"] == day(start, 25)
    late = run(services, job, at(clock, start, 26), options)
    assert sent(late) == [("ACT-2", "overdue", 4)]
    reminded = {e.payload["reference"] for e in services.app.read_log() if e.type == "ReminderSent"}
    assert reminded == {"ACT-1", "ACT-2"}  # never ACT-3 (confidential), nor ACT-4 (later)


def test_indicators_whose_target_date_passed_unmet_are_reminded(services, clock, start):
    record(
        services,
        indicator(start, 10),
    )
    job = services.jobs["indicator_reminders"]
    assert run(services, job, at(clock, start, 10), {"days": 30}).status == "nothing to do"
    missed = run(services, job, at(clock, start, 11), {"days": 30})
    assert sent(missed) == [("esa", "target_missed", 1)]
    assert missed.events[0].payload["since"] == day(start, 10)
    assert run(services, job, at(clock, start, 12), {"days": 30}).status == "nothing to do"
    # Met (an agreement signed, back-dated into the period): no more reminders.
    at(clock, start, 45)
    record(
        services,
        {
            "type": "AgreementSigned",
            "occurred_on": day(start, 40),
            "agreement": "ESA-1",
            "kind": "enforcement_of_sentences",
            "parties": ["AUT"],
            "title": "ESA",
        },
    )
    assert run(services, job, at(clock, start, 46), {"days": 30}).status == "nothing to do"


def test_states_that_have_not_answered_by_the_due_date_are_reminded(services, clock, start):
    record(
        services,
        questionnaire(start),
        questionnaire(
            start, "Q-secret", ["AUT"], title="Confidential", classification="confidential"
        ),
    )
    at(clock, start, 2)
    record(services, answered(start, "NLD"))
    job = services.jobs["questionnaire_reminders"]
    assert run(services, job, at(clock, start, 3), {"days": 14}).status == "nothing to do"
    late = run(services, job, at(clock, start, 4), {"days": 14})
    assert sent(late) == [("Q-1/AUT", "unanswered", 1)]
    assert sent(run(services, job, at(clock, start, 18), {"days": 14})) == [
        ("Q-1/AUT", "unanswered", 2)
    ]


def test_what_confidential_events_settled_is_not_reminded_of(services, clock, start):
    """Reminders are read without confidential events, but what those settled is not
    due any more: an action completed, another moved, an indicator's target met, and a
    State's answer, each by a confidential event, are never reminded of (and nothing
    in a reminder tells why)."""
    secret = {"classification": "confidential"}
    record(
        services,
        action(start, "ACT-DONE", 5),
        action(start, "ACT-MOVED", 5),
        action(start, "ACT-OPEN", 5),
        indicator(start, 3),
        questionnaire(start),
    )
    at(clock, start, 2)
    record(
        services,
        {
            "type": "ActionCompleted",
            "occurred_on": day(start, 2),
            "action": "ACT-DONE",
            "documents": ["REF/1"],
            **secret,
        },
        {
            "type": "ActionRescheduled",
            "occurred_on": day(start, 2),
            "action": "ACT-MOVED",
            "due_on": day(start, 60),
            "reason": "Later",
            **secret,
        },
        {
            "type": "AgreementSigned",
            "occurred_on": day(start, 2),
            "agreement": "ESA-1",
            "kind": "enforcement_of_sentences",
            "parties": ["AUT"],
            "title": "ESA",
            **secret,
        },
        answered(start, "NLD", **secret),
    )
    when = at(clock, start, 10)
    reminded = [
        sent(run(services, services.jobs[name], when, options))
        for name, options in (
            ("action_reminders", {"days_before": 14, "days": 7}),
            ("indicator_reminders", {"days": 30}),
            ("questionnaire_reminders", {"days": 14}),
        )
    ]
    assert reminded == [[("ACT-OPEN", "overdue", 1)], [], [("Q-1/AUT", "unanswered", 1)]]


def test_the_reminders_options_are_checked(services):
    from core.jobs import configured
    from core.notifying import ConfigError

    with pytest.raises(ConfigError, match="days_before: a whole number of days"):
        configured({"action_reminders": {"days_before": -1}}, [], services.jobs)
    [entry] = [
        e
        for e in configured({"action_reminders": {"days_before": 0}}, [], services.jobs)
        if e.job.name == "action_reminders"
    ]
    assert entry.options == {"days_before": 0}
