"""The scheduled jobs on a real SQLite store, driven by a controllable clock: each job
run for a due time records what it did once, however often it runs for that due time;
reminders come after N days and every N days after; the integrity check raises the
alarm on a damaged log; the digest says what changed; a notifier that fails never
costs a run its record; and the system's own events leave the views untouched."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from core.errors import Forbidden
from core.jobs import RECORDED_BY, run, system_types
from core.notifying import Target, build_targets
from core.views.model import Level
from followup.bootstrap import bootstrap
from tests.receivers import free_port, webhook_receiver
from tests.samples import every_type

SECRET = "digest-secret"


class Clock:
    """The application's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, moment: datetime) -> datetime:
        self.now = moment
        return moment


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def services(sqlite_url, clock):
    services = bootstrap(sqlite_url, load_entry_points=False, clock=clock)
    yield services
    services.close()


def record(services, *raws):
    app = services.app
    return app.record_batch([app.validate(r) for r in raws], "focal-point", None)


def system_events(services):
    return [e for e in services.app.read_log() if e.type in system_types(services.catalogue)]


def days_after(start: datetime, days: int, hour: int = 7) -> datetime:
    return (start + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def request(name: str, sent: datetime, **extra):
    return {
        "type": "AssistanceRequestSent",
        "occurred_on": sent.date().isoformat(),
        "request": name,
        "addressee": "NLD",
        "category": "evidence",
        "on_behalf_of": "prosecution",
        **extra,
    }


def test_reminders_come_after_n_days_then_every_n_days_and_once_per_due_time(services, clock):
    start = clock.now
    sent = start - timedelta(days=10)
    record(
        services,
        request("R-1", sent),
        request("R-2", start),
        request("R-secret", sent, classification="confidential"),
    )
    job = services.jobs["request_reminders"]

    # 25 days on: R-1 is 35 days old (one reminder), R-2 25 days (none yet).
    due = clock.at(days_after(start, 25))
    first = run(services, job, due, {"days": 30})
    assert first.status == "done"
    [reminder] = first.events
    assert reminder.type == "ReminderSent" and reminder.recorded_by == RECORDED_BY
    assert reminder.classification == "restricted"
    assert reminder.payload == {
        "about": "request",
        "reference": "R-1",
        "since": sent.date().isoformat(),
        "days": 30,
        "reminder": 1,
    }
    assert reminder.occurred_on == due.date()

    # The same due time again (a restart, an operator's --once): recorded once.
    again = run(services, job, due, {"days": 30})
    assert again.status == "already done" and again.events == []
    # The next day: nothing new to remind of.
    assert run(services, job, clock.at(days_after(start, 26)), {"days": 30}).status == (
        "nothing to do"
    )
    # 31 days on: R-2 reaches 30 days; R-1 (41 days) was reminded already.
    later = run(services, job, clock.at(days_after(start, 31)), {"days": 30})
    assert [(e.payload["reference"], e.payload["reminder"]) for e in later.events] == [("R-2", 1)]
    # Once answered, never again; R-1 unanswered gets its second reminder at 60 days.
    clock.at(days_after(start, 40))
    record(
        services,
        {
            "type": "AssistanceRequestAnswered",
            "occurred_on": days_after(start, 40).date().isoformat(),
            "request": "R-2",
            "outcome": "granted",
        },
    )
    second = run(services, job, clock.at(days_after(start, 61)), {"days": 30})
    assert [(e.payload["reference"], e.payload["reminder"]) for e in second.events] == [("R-1", 2)]
    # A confidential request is never reminded of (a reminder travels by email).
    assert all(e.payload["reference"] != "R-secret" for e in system_events(services))
    assert len(system_events(services)) == 3


def test_agreements_signed_but_not_in_force_are_reminded_of(services, clock):
    start = clock.now
    signed = every_type()[6]  # ESA-AUT-2005, signed
    record(services, {**signed, "occurred_on": (start - timedelta(days=200)).date().isoformat()})
    outcome = run(
        services, services.jobs["agreement_reminders"], clock.at(days_after(start, 1)), {}
    )
    [reminder] = outcome.events
    assert reminder.payload["about"] == "agreement"
    assert reminder.payload["reference"] == "ESA-AUT-2005"
    assert reminder.payload["days"] == 180


def test_the_annual_report_draft_reads_the_year_as_of_its_due_time(services, clock):
    last_year = clock.now.year - 1
    record(
        services,
        {**every_type()[6], "occurred_on": f"{last_year}-03-01"},
        {**every_type()[7], "occurred_on": f"{last_year}-04-01"},
    )
    # Due now (a report is of a time the log has reached: it could not be reproduced
    # of a later one).
    due = clock.at(datetime.now(UTC))
    with webhook_receiver(SECRET.encode()) as hook:
        targets = build(services, {"d": {"kind": "webhook", "url": hook.url, "secret_env": "S"}})
        outcome = run(services, services.jobs["annual_report"], due, {}, targets)
        # Recorded after the due time: not in this draft, nor in a rerun's.
        record(services, {**every_type()[8], "occurred_on": f"{last_year}-05-01"})
        assert (
            run(services, services.jobs["annual_report"], due, {}, targets).status == "already done"
        )
    [generated] = outcome.events
    assert generated.type == "ReportGenerated"
    assert generated.payload["report"] == "annual_report"
    assert generated.payload["year"] == last_year
    assert generated.payload["log_position"] == 2
    [delivery] = outcome.deliveries
    assert delivery.delivered and hook.verified == [True]
    [attachment] = hook.requests[0]["body"]["attachments"]
    assert attachment["content_type"] == "application/pdf"
    content = base64.b64decode(attachment["content_base64"])
    assert hashlib.sha256(content).hexdigest() == generated.payload["sha256"]
    # The PDF carries its data: the log position and figures it was drawn from.
    data = json.loads(PdfReader(io.BytesIO(content)).attachments["report-data.json"][0])
    assert data["log"]["position"] == 2
    assert data["figures"]["agreements.all.signed"]["value"] == 1
    assert data["figures"]["agreements.all.entered_into_force"]["value"] == 1


def test_no_annual_report_on_an_empty_log(services, clock):
    due = clock.at(clock.now + timedelta(hours=1))
    assert run(services, services.jobs["annual_report"], due, {}).status == "nothing to do"
    assert system_events(services) == []


def build(services, notifiers) -> list[Target]:
    return list(build_targets(notifiers, services.notifier_kinds, {"S": SECRET}).values())


def test_integrity_is_recorded_and_a_damaged_log_raises_the_alarm(services, clock, sqlite_url):
    fifth = record(services, *every_type()[:5])[-1]
    ok = run(services, services.jobs["integrity"], clock.at(clock.now + timedelta(hours=1)), {})
    [verified] = ok.events
    assert verified.payload["ok"] is True and verified.payload["events"] == 5
    assert verified.payload["head"] == fifth.hash and verified.payload["log_position"] == 5

    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        (state,) = db.execute("SELECT state FROM stored_events WHERE rowid = 1").fetchone()
        db.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = 1",
            (bytes(state).replace(b"NLD", b"AUT", 1),),
        )
    damaged = run(services, services.jobs["integrity"], clock.at(clock.now + timedelta(days=1)), {})
    [alarm] = damaged.events
    assert alarm.payload["ok"] is False
    assert alarm.payload["damaged_at"] == 1 and "changed" in alarm.payload["problem"]
    assert damaged.alarm


def test_the_digest_lists_what_changed_and_is_silent_when_only_the_system_acted(services, clock):
    start = clock.now
    record(services, {**every_type()[6], "occurred_on": "2010-01-01"})
    monday = clock.at(start + timedelta(days=2))
    work = services.jobs["digest"].work(services, monday, {"days": 7})
    assert "  AgreementSigned: 1" in work.text  # counted by type, and said in words:
    assert "  2010-01-01  Agreement on enforcement of sentences signed with Austria" in work.text
    outcome = run(services, services.jobs["digest"], monday, {})
    [generated] = outcome.events
    assert generated.payload["report"] == "weekly_digest"
    assert generated.payload["since"] < generated.payload["as_of"]
    # A week in which only the scheduler recorded (its own digest, a verification).
    run(services, services.jobs["integrity"], clock.at(monday + timedelta(hours=1)), {})
    quiet = run(services, services.jobs["digest"], clock.at(monday + timedelta(days=7)), {})
    assert quiet.status == "nothing to do"


def test_a_failing_receiver_never_costs_a_run_its_record(services, clock):
    record(services, *every_type()[:3])
    url = f"http://127.0.0.1:{free_port()}/nobody-listens"
    notifiers = {"d": {"kind": "webhook", "url": url, "secret_env": "S", "retries": 2}}
    waits: list[float] = []
    outcome = run(
        services,
        services.jobs["integrity"],
        clock.at(clock.now + timedelta(hours=1)),
        {},
        build(services, notifiers),
        sleep=waits.append,
    )
    assert outcome.status == "done" and len(outcome.events) == 1
    [delivery] = outcome.deliveries
    assert not delivery.delivered and delivery.attempts == 3 and waits == [2.0, 4.0]
    assert [e.type for e in system_events(services)] == ["IntegrityVerified"]


def test_system_events_leave_the_views_as_they_were(services, clock):
    start = clock.now
    record(services, *every_type(), request("R-9", start - timedelta(days=5)))
    views = services.views

    def summary():
        """The figures at the head of the log, on a day after every job's run."""
        reading = views.reading(Level.ALL, on=(start + timedelta(days=10)).date())
        return views.summary(reading)

    before = summary()
    for days, name in enumerate(services.jobs, start=1):
        # A report is of a time the log has reached (the others may look ahead).
        later = datetime.now(UTC) if name == "annual_report" else start + timedelta(days=days)
        clock.at(later)
        run(
            services,
            services.jobs[name],
            clock.now,
            {"days": 1} if "days" in services.jobs[name].options else {},
        )
    recorded = {e.type for e in system_events(services)}
    assert recorded == {"ReportGenerated", "ReminderSent", "IntegrityVerified"}
    assert recorded <= system_types(services.catalogue)
    assert summary() == before
    reading = views.reading(Level.ALL, on=clock.now.date())
    for view in views.folds.views:
        assert all(
            not set(item.get("events", [])) & {str(e.id) for e in system_events(services)}
            for item in reading.items(view)
        )


def test_no_role_may_record_system_events_through_the_api(api_client):
    body = {
        "type": "IntegrityVerified",
        "occurred_on": "2020-01-01",
        "ok": True,
        "events": 0,
        "log_position": 0,
    }
    for role in ("focal_point", "bureau", "auditor", "admin"):
        response = api_client.post("/api/v1/events", body, who=role)
        assert response.status_code == 403, (role, response.json)
    assert api_client.head_position() == len(api_client.tokens)
    with pytest.raises(Forbidden):
        services = api_client.services
        services.app.record_raw(body, "someone", "focal_point")


def test_the_nightly_integrity_job_sends_witnesses_a_signed_checkpoint(
    services, clock, monkeypatch
):
    from auditor import tlog
    from core.checkpoints import SigningKey

    key = SigningKey.generate("icc.example/followup")
    monkeypatch.setenv("FOLLOWUP_LOG_KEY", key.text)
    record(services, *every_type()[:5])
    with webhook_receiver(SECRET.encode()) as hook:
        targets = build(services, {"w": {"kind": "webhook", "url": hook.url, "secret_env": "S"}})
        outcome = run(
            services,
            services.jobs["integrity"],
            clock.at(clock.now + timedelta(hours=1)),
            {},
            targets,
        )
    [verified] = outcome.events
    point = tlog.verify_checkpoint(verified.payload["checkpoint"], [key.verifier]).checkpoint
    assert point.size == verified.payload["log_position"] == 5
    body = hook.requests[0]["body"]
    [attachment] = body["attachments"]
    assert attachment["filename"] == "checkpoint.txt"
    sent = base64.b64decode(attachment["content_base64"]).decode()
    assert sent == verified.payload["checkpoint"] and sent in body["text"]
