"""Scheduled jobs: what the system does on its own, as thin functions over the
services. The scheduler (``followup scheduler``, APScheduler) only decides when; this
module decides what, and imports no scheduling library.

Each job works for a *due time*: the moment it was scheduled for. It reads the views
as the system knew them then, so running it again for the same due time finds the same
work; and it records what it did in one batch under an idempotency key derived from
the job and the due time, so a second run for the same due time records nothing.
What it did is then delivered to the notifiers the configuration names for it;
delivery never fails the run (core.notifying)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from core.clock import format_timestamp
from core.envelope import Classification, Event
from core.notifying import (
    Attachment,
    ConfigError,
    Delivery,
    Notice,
    Target,
    deliver,
)
from core.ports import IdempotencyKey
from core.views.model import Item, Level

if TYPE_CHECKING:
    from core.bootstrap import Services

#: Idempotency keys of scheduled runs live in this scope; it cannot be a token's label
#: (labels have no colon), so no API client can take a run's key.
SCOPE = "system:scheduler"
#: `recorded_by` of what the scheduler records.
RECORDED_BY = "scheduler"
#: The event types jobs record (plugins/builtin/scheduled_jobs.py).
SYSTEM_TYPES = frozenset({"ReportGenerated", "ReminderSent", "IntegrityVerified"})


@dataclass(frozen=True)
class Work:
    """What a job found to do: events to record, and the notice that tells about it."""

    events: list[dict[str, Any]]
    subject: str
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    #: False: record, but tell nobody (e.g. an integrity check that found nothing wrong,
    #: when the configuration asks for failures only).
    notify: bool = True
    #: True: something is wrong that an operator must look at (a damaged log).
    alarm: bool = False


@dataclass(frozen=True)
class Job:
    """A kind of scheduled job, with its defaults. `options` are the job's own settings
    (``days``...) with their default values; `work` returns None when there is
    nothing to do."""

    name: str
    description: str
    cron: str
    grace: int
    options: Mapping[str, Any]
    work: Callable[[Services, datetime, Mapping[str, Any]], Work | None]


@dataclass(frozen=True)
class Run:
    """What one run did. `status`: ``done`` (recorded, then notified), ``nothing to
    do``, or ``already done`` (a run for this due time recorded before)."""

    job: str
    due: datetime
    key: str
    status: str
    events: list[Event] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    alarm: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "due": format_timestamp(self.due),
            "key": self.key,
            "status": self.status,
            "alarm": self.alarm,
            "events": [
                {k: e.to_flat()[k] for k in ("id", "position", "type")} for e in self.events
            ],
            "deliveries": [
                {"notifier": d.target, "delivered": d.delivered, "attempts": d.attempts}
                | ({"error": d.error} if d.error else {})
                for d in self.deliveries
            ],
        }


def run_key(job: str, due: datetime) -> str:
    return f"{job}@{format_timestamp(due)}"


def run(
    services: Services,
    job: Job,
    due: datetime,
    options: Mapping[str, Any],
    targets: Sequence[Target] = (),
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Run:
    """Run `job` for its due time: find the work, record it (once per due time), then
    notify. A failing notifier is retried and given up on; the record stays."""
    due = due.astimezone(UTC)
    key = run_key(job.name, due)
    app = services.app
    if app.log.find_idempotent(SCOPE, key) is not None:
        return Run(job.name, due, key, "already done")
    work = job.work(services, due, {**job.options, **options})
    if work is None or not work.events:
        return Run(job.name, due, key, "nothing to do")
    drafts = [app.validate(raw) for raw in work.events]
    idempotency = IdempotencyKey(SCOPE, key, hashlib.sha256(key.encode()).hexdigest())
    events = app.record_batch(drafts, RECORDED_BY, role=None, idempotency=idempotency)
    deliveries: list[Delivery] = []
    if work.notify and targets:
        notice = Notice(job.name, work.subject, work.text, key, work.data, work.attachments)
        deliveries = deliver(notice, targets, sleep=sleep)
    return Run(job.name, due, key, "done", events, deliveries, work.alarm)


def content_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def system_event(kind: str, due: datetime, **payload: Any) -> dict[str, Any]:
    """A raw event of one of the system's types, dated on the due day, restricted."""
    return {
        "type": kind,
        "occurred_on": due.date().isoformat(),
        "classification": Classification.RESTRICTED.value,
        **payload,
    }


def _json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)


# -- reminders ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Overdue:
    about: str  # request | agreement
    view: str
    status: str  # the status an item is overdue in
    since_field: str
    describe: Callable[[Item], str]


REQUESTS = _Overdue(
    "request",
    "requests",
    "open",
    "sent_on",
    lambda i: f"{i['request']} to {i['addressee']} ({i['category'].replace('_', ' ')})",
)
AGREEMENTS = _Overdue(
    "agreement",
    "agreements",
    "signed",
    "signed_on",
    lambda i: f"{i['agreement']} with {', '.join(i['parties'])}: {i['title']}",
)


def _reminders(overdue: _Overdue) -> Callable[[Services, datetime, Mapping[str, Any]], Work | None]:
    def work(services: Services, due: datetime, options: Mapping[str, Any]) -> Work | None:
        """Remind of each item still in `overdue.status` `days` after its date, once
        per `days` it stays so (after 30, 60, 90... days). Confidential items are left
        out: a reminder travels by email."""
        days = int(options["days"])
        today = due.date()
        reading = services.views.reading(Level.RESTRICTED, as_of=due, on=today)
        events, lines, listed = [], [], []
        for item in reading.items(overdue.view):
            if item["status"] != overdue.status or item["classification"] == "confidential":
                continue
            since = date.fromisoformat(item[overdue.since_field])
            age = (today - since).days
            number = age // days
            reference = item[overdue.about]
            if number < 1 or number <= _last_reminder(services, overdue.about, reference):
                continue
            events.append(
                system_event(
                    "ReminderSent",
                    due,
                    about=overdue.about,
                    reference=reference,
                    since=since.isoformat(),
                    days=days,
                    reminder=number,
                )
            )
            lines.append(f"- {overdue.describe(item)}: since {since.isoformat()}, {age} days")
            listed.append({"reference": reference, "since": since.isoformat(), "days": age})
        if not events:
            return None
        what = {
            "request": ("requests for assistance", "unanswered"),
            "agreement": ("agreements", "signed but not in force"),
        }[overdue.about]
        subject = f"{len(events)} {what[0]} {what[1]} after {days} days or more"
        text = "\n".join([f"{what[0].capitalize()} {what[1]} on {today.isoformat()}:", *lines])
        return Work(events, subject, text, {"about": overdue.about, "items": listed})

    return work


def _last_reminder(services: Services, about: str, reference: str) -> int:
    dossier = services.app.dossier(f"reminder:{about}:{reference}")
    state = dossier.lifecycle(services.catalogue) if dossier is not None else None
    return int(state["reminder"]) if state else 0


# -- integrity ---------------------------------------------------------------------


def integrity(services: Services, due: datetime, options: Mapping[str, Any]) -> Work:
    """Recompute the hash chain; record the verdict. (The verdict recorded on a damaged
    log is the scheduler's alarm: it names the first damaged position.)"""
    verdict = services.app.verify()
    payload: dict[str, Any] = {
        "ok": verdict.ok,
        "events": verdict.count,
        "log_position": verdict.position,
        "head": verdict.hexdigest if verdict.count else None,
    }
    if verdict.damage is not None:
        payload["damaged_at"] = verdict.damage.position
        payload["problem"] = str(verdict.damage)[:2000]
    subject = (
        f"Integrity verified: OK, {verdict.count} events"
        if verdict.ok
        else f"INTEGRITY FAILURE at position {verdict.damage.position if verdict.damage else '?'}"
    )
    text = verdict.describe()
    attachments: tuple[Attachment, ...] = ()
    if verdict.ok:  # a damaged log is never vouched for
        from core.witnesses import nightly_checkpoint

        signed = nightly_checkpoint(services.app, verdict.position)
        if signed is not None:
            payload["checkpoint"] = signed
            text += "\n\nThe log's signed checkpoint (keep it; witnesses, cosign it):\n\n" + signed
            attachments = (Attachment("checkpoint.txt", "text/plain", signed.encode()),)
    return Work(
        [system_event("IntegrityVerified", due, **payload)],
        subject,
        text,
        payload,
        attachments,
        notify=not (verdict.ok and options.get("notify_failures_only")),
        alarm=not verdict.ok,
    )


# -- the weekly digest ----------------------------------------------------------------


def digest(services: Services, due: datetime, options: Mapping[str, Any]) -> Work | None:
    """What changed in the views over the last `days` (transaction time), with the
    events recorded meanwhile; nothing when only the system itself recorded."""
    days = int(options["days"])
    since = due - timedelta(days=days)
    changes = services.views.diff(Level.RESTRICTED, since, due)
    events = [e for e in changes["events"] if e["type"] not in SYSTEM_TYPES]
    items = changes["items"]
    if not events and not changes["figures"] and not items:
        return None
    document = {**changes, "events": events, "report": "weekly_digest"}
    content = _json(document)
    name = f"digest-{due.date().isoformat()}.json"
    event = system_event(
        "ReportGenerated",
        due,
        report="weekly_digest",
        format="json",
        as_of=format_timestamp(due),
        since=format_timestamp(since),
        log_position=changes["to"]["position"],
        sha256=content_digest(content),
        size=len(content),
    )
    lines = [
        f"Between {format_timestamp(since)} and {format_timestamp(due)}: {len(events)} events "
        f"recorded, {len(items)} items of the views changed.",
    ]
    if changes["figures"]:
        lines += ["", "Figures that changed:"]
        lines += [f"  {n}: {f['before']} -> {f['after']}" for n, f in changes["figures"].items()]
    counts: dict[str, int] = {}
    for e in events:
        counts[e["type"]] = counts.get(e["type"], 0) + 1
    if counts:
        lines += ["", "Events recorded:"] + [f"  {t}: {n}" for t, n in sorted(counts.items())]
    return Work(
        [event],
        f"What changed in the week to {due.date().isoformat()}",
        "\n".join(lines),
        {"since": format_timestamp(since), "figures": changes["figures"], "events": counts},
        (Attachment(name, "application/json", content),),
    )


#: The jobs core knows; the entry point adds the annual report's (reports/annual/job.py).
CORE_JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "request_reminders",
            "Reminders of requests for assistance unanswered after `days` days.",
            "0 7 * * *",
            24 * 3600,
            {"days": 30},
            _reminders(REQUESTS),
        ),
        Job(
            "agreement_reminders",
            "Reminders of agreements signed but not in force after `days` days.",
            "0 7 * * *",
            24 * 3600,
            {"days": 180},
            _reminders(AGREEMENTS),
        ),
        Job(
            "integrity",
            "Nightly verification of the log's hash chain.",
            "30 2 * * *",
            24 * 3600,
            {"notify_failures_only": False},
            integrity,
        ),
        Job(
            "digest",
            "Weekly digest of what changed in the views over the last `days` days.",
            "0 6 * * 1",
            3 * 24 * 3600,
            {"days": 7},
            digest,
        ),
    )
}


@dataclass(frozen=True)
class Scheduled:
    """A job as configured: when (crontab, in the configuration's time zone), how late
    it may still run, its options and who is told."""

    job: Job
    cron: str
    grace: int
    options: Mapping[str, Any]
    notify: tuple[str, ...]
    enabled: bool = True


#: Settings every job takes, besides its own options.
COMMON = ("cron", "misfire_grace_time", "notify", "enabled")


def configured(
    jobs: Mapping[str, Mapping[str, Any]], notifiers: Sequence[str], known: Mapping[str, Job]
) -> list[Scheduled]:
    """Every known job with its configuration applied (jobs not mentioned keep their
    defaults)."""
    unknown = sorted(set(jobs) - set(known))
    if unknown:
        raise ConfigError(f"jobs.{unknown[0]}: no such job; jobs: {', '.join(known)}")
    schedule = []
    for name, job in known.items():
        settings = dict(jobs.get(name, {}))
        where = f"jobs.{name}"
        extra = sorted(set(settings) - set(COMMON) - set(job.options))
        if extra:
            settable = ", ".join([*COMMON, *job.options])
            raise ConfigError(
                f"{where}.{extra[0]}: not a setting of this job; settings: {settable}"
            )
        cron = settings.get("cron", job.cron)
        if not isinstance(cron, str) or len(cron.split()) != 5:
            raise ConfigError(f'{where}.cron: five crontab fields, e.g. "{job.cron}"')
        grace = settings.get("misfire_grace_time", job.grace)
        if not isinstance(grace, int) or isinstance(grace, bool) or grace < 1:
            raise ConfigError(f"{where}.misfire_grace_time: a number of seconds (at least 1)")
        notify = settings.get("notify", [])
        if isinstance(notify, str):
            notify = [notify]
        if not isinstance(notify, list) or not all(isinstance(n, str) for n in notify):
            raise ConfigError(f"{where}.notify: a list of notifier names")
        for target in notify:
            if target not in notifiers:
                raise ConfigError(f"{where}.notify: no notifier named {target!r} in [notifiers]")
        enabled = settings.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigError(f"{where}.enabled: true or false")
        options = {k: settings[k] for k in job.options if k in settings}
        for key in ("days",):
            if key in options and (
                not isinstance(options[key], int)
                or isinstance(options[key], bool)
                or options[key] < 1
            ):
                raise ConfigError(f"{where}.{key}: a whole number of days (at least 1)")
        if "year" in options and not (
            isinstance(options["year"], int) and 2002 <= options["year"] <= 2100
        ):
            raise ConfigError(f"{where}.year: a year from 2002")
        if "notify_failures_only" in options and not isinstance(
            options["notify_failures_only"], bool
        ):
            raise ConfigError(f"{where}.notify_failures_only: true or false")
        schedule.append(Scheduled(job, cron, grace, options, tuple(notify), enabled))
    return schedule
