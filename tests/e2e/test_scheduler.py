"""`followup scheduler` as operators run it: one real process (APScheduler's
BlockingScheduler) over a SQLite store. A job whose due time passed while the scheduler
was down runs once at start, and not again after a restart; its notice reaches a real
webhook receiver, signed; an unreachable receiver leaves the record in place and the
scheduler running. `--once JOB` runs one job; configuration mistakes are one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from click.testing import CliRunner

from cli import main
from cli.scheduler import latest_due
from core.jobs import system_types
from followup.bootstrap import bootstrap
from tests.receivers import free_port, webhook_receiver
from tests.samples import every_type

SECRET = "scheduler-test-secret"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("cron", "now", "grace", "due"),
    [
        # The annual report, a scheduler down from 14 to 20 January: runs for the 15th.
        ("0 6 15 1 *", "2027-01-20T00:00:00", 7 * 86400, "2027-01-15T06:00:00"),
        # ... but not when the grace time is shorter than the downtime.
        ("0 6 15 1 *", "2027-01-20T00:00:00", 86400, None),
        # A nightly job down for three nights: runs once, for the last night.
        ("30 2 * * *", "2027-01-20T10:00:00", 3 * 86400, "2027-01-20T02:30:00"),
        # Exactly at the due time.
        ("30 2 * * *", "2027-01-20T02:30:00", 60, "2027-01-20T02:30:00"),
    ],
)
def test_the_due_time_a_late_start_runs_for(cron, now, grace, due):
    trigger = CronTrigger.from_crontab(cron, timezone=UTC)
    assert latest_due(trigger, utc(now), grace) == (utc(due) if due else None)


def system_events(url):
    services = bootstrap(url, load_entry_points=False)
    try:
        return [e for e in services.app.read_log() if e.type in system_types(services.catalogue)]
    finally:
        services.close()


def start(url, config, log_path, **env):
    bootstrap(url, load_entry_points=False).close()  # as `followup init` does
    with log_path.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "cli", "scheduler"],
            env={
                **os.environ,
                "FOLLOWUP_DATABASE_URL": url,
                "FOLLOWUP_CONFIG": json.dumps(config),
                **env,
            },
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def wait_for(condition, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def stop(process) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


@pytest.mark.slow
def test_a_job_missed_while_down_runs_once_and_is_delivered_signed(sqlite_url, tmp_path):
    services = bootstrap(sqlite_url, load_entry_points=False)
    services.app.record_batch([services.app.validate(e) for e in every_type()[:4]], "t", None)
    services.close()
    # The nightly verification was due two minutes ago, while the scheduler was down.
    missed = (datetime.now(UTC) - timedelta(minutes=2)).replace(second=0, microsecond=0)
    log = tmp_path / "scheduler.log"
    with webhook_receiver(SECRET.encode()) as hook:
        config = {
            "notifiers": {
                "ops": {"kind": "webhook", "url": hook.url, "secret_env": "OPS_HOOK_SECRET"}
            },
            "jobs": {
                "integrity": {
                    "cron": f"{missed.minute} {missed.hour} * * *",
                    "misfire_grace_time": 3600,
                    "notify": ["ops"],
                },
                # Everything else out of the way for this test.
                **{
                    name: {"enabled": False}
                    for name in ("annual_report", "request_reminders", "agreement_reminders")
                },
                "digest": {"enabled": False},
            },
        }
        env = {"OPS_HOOK_SECRET": SECRET}
        first = start(sqlite_url, config, log, **env)
        try:
            assert wait_for(lambda: len(hook.requests) == 1), log.read_text()
        finally:
            assert stop(first) == 0, log.read_text()
        # Started again for the same missed time: it finds its record, records nothing.
        second = start(sqlite_url, config, log, **env)
        try:
            assert wait_for(lambda: "already done" in log.read_text()), log.read_text()
        finally:
            assert stop(second) == 0
    [verified] = system_events(sqlite_url)
    assert verified.type == "IntegrityVerified" and verified.payload["ok"] is True
    assert verified.recorded_by == "scheduler"
    assert len(hook.requests) == 1 and hook.verified == [True]
    assert hook.requests[0]["headers"]["X-Followup-Delivery"] == (
        f"integrity@{missed.strftime('%Y-%m-%dT%H:%M:%S')}.000000Z"
    )
    text = log.read_text()
    assert SECRET not in text and hook.url not in text


@pytest.mark.slow
def test_an_unreachable_receiver_neither_loses_the_record_nor_stops_the_scheduler(
    sqlite_url, tmp_path
):
    missed = (datetime.now(UTC) - timedelta(minutes=3)).replace(second=0, microsecond=0)
    config = {
        "notifiers": {
            "gone": {
                "kind": "webhook",
                "url": f"http://127.0.0.1:{free_port()}/gone",
                "secret_env": "S",
                "retries": 1,
                "backoff_seconds": 0.1,
            }
        },
        "jobs": {
            "integrity": {"cron": f"{missed.minute} {missed.hour} * * *", "notify": ["gone"]},
            "annual_report": {"enabled": False},
            "request_reminders": {"enabled": False},
            "agreement_reminders": {"enabled": False},
            "digest": {"enabled": False},
        },
    }
    log = tmp_path / "scheduler.log"
    process = start(sqlite_url, config, log, S=SECRET)
    try:
        assert wait_for(lambda: "NOT delivered to gone" in log.read_text()), log.read_text()
        assert process.poll() is None  # still running
    finally:
        assert stop(process) == 0
    assert [e.type for e in system_events(sqlite_url)] == ["IntegrityVerified"]


@pytest.fixture
def runner(sqlite_url, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("FOLLOWUP_CONFIG", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0  # only init creates a store
    return runner


def test_once_runs_one_job_for_a_due_time_once(runner, sqlite_url):
    due = datetime.now(UTC).replace(microsecond=0).isoformat()
    result = runner.invoke(main, ["scheduler", "--once", "integrity", "--due", due])
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert outcome["status"] == "done" and outcome["events"][0]["type"] == "IntegrityVerified"
    again = runner.invoke(main, ["scheduler", "--once", "integrity", "--due", due])
    assert json.loads(again.output)["status"] == "already done"
    assert len(system_events(sqlite_url)) == 1
    listed = runner.invoke(main, ["scheduler", "--list"])
    assert listed.exit_code == 0
    for name in (
        "annual_report",
        "request_reminders",
        "agreement_reminders",
        "integrity",
        "digest",
    ):
        assert name in listed.output


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"jobs": {"payroll": {}}}, "jobs.payroll: no such job"),
        ({"jobs": {"digest": {"notify": ["nobody"]}}}, "no notifier named 'nobody'"),
        ({"jobs": {"digest": {"cron": "every monday"}}}, "jobs.digest.cron"),
        ({"jobs": {"digest": {"cron": "0 6 * * funday"}}}, "jobs.digest.cron"),
        ({"jobs": {"request_reminders": {"days": 0}}}, "jobs.request_reminders.days"),
        ({"jobs": {"integrity": {"days": 3}}}, "jobs.integrity.days: not a setting"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ],
)
def test_configuration_mistakes_are_one_line(runner, config, message):
    result = runner.invoke(
        main, ["scheduler", "--list"], env={"FOLLOWUP_CONFIG": json.dumps(config)}
    )
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
