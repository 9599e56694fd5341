"""Scheduled jobs: what the system does on its own, as thin functions over the log and
its views. The scheduler (``followup scheduler``, APScheduler) only decides when; the
jobs, which plugins contribute (hook ``followup_jobs``), decide what; this module runs
them, and imports no scheduling library.

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
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from core.catalogue import Catalogue
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

if TYPE_CHECKING:
    from core.application import FollowUp
    from core.views.service import Views

#: Idempotency keys of scheduled runs live in this scope; it cannot be a token's label
#: (labels have no colon), so no API client can take a run's key.
SCOPE = "system:scheduler"
#: `recorded_by` of what the scheduler records.
RECORDED_BY = "scheduler"


def system_types(catalogue: Catalogue) -> frozenset[str]:
    """The types only the system records (no role may write them): what jobs record."""
    return frozenset(name for name, t in catalogue.types.items() if not t.writers)


class Workplace(Protocol):
    """What a job works with: the log and its views (the composition root's services
    are one). A job that needs more says so by its own protocol (``Job[ItsNeeds]``)."""

    @property
    def app(self) -> FollowUp: ...

    @property
    def views(self) -> Views: ...


#: What a job's work is given: a Workplace, or more for jobs that need more.
W = TypeVar("W", contravariant=True)


@dataclass(frozen=True)
class PersonalNotice:
    """A notice to some persons alone (email addresses): the reminder of the actions
    one person is responsible for. It goes through the job's notifiers that write to
    persons (email), never to the others (a dashboard's webhook)."""

    recipients: tuple[str, ...]
    subject: str
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Work:
    """What a job found to do: events to record, and the notice that tells about it
    (and, for reminders, the personal notices to the persons concerned)."""

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
    personal: tuple[PersonalNotice, ...] = ()


@dataclass(frozen=True)
class Job(Generic[W]):
    """A kind of scheduled job, with its defaults. `options` are the job's own settings
    (``days``...) with their default values; `work` returns None when there is
    nothing to do."""

    name: str
    description: str
    cron: str
    grace: int
    options: Mapping[str, Any]
    work: Callable[[W, datetime, Mapping[str, Any]], Work | None]


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
    workplace: Workplace,
    job: Job[Any],
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
    app = workplace.app
    if app.log.find_idempotent(SCOPE, key) is not None:
        return Run(job.name, due, key, "already done")
    work = job.work(workplace, due, {**job.options, **options})
    if work is None or not work.events:
        return Run(job.name, due, key, "nothing to do")
    drafts = [app.validate(raw) for raw in work.events]
    idempotency = IdempotencyKey(SCOPE, key, hashlib.sha256(key.encode()).hexdigest())
    events = app.record_batch(drafts, RECORDED_BY, role=None, idempotency=idempotency)
    deliveries: list[Delivery] = []
    if work.notify and targets:
        notice = Notice(job.name, work.subject, work.text, key, work.data, work.attachments)
        deliveries = deliver(notice, targets, sleep=sleep)
        for number, personal in enumerate(work.personal, 1):
            addressed = Notice(
                job.name,
                personal.subject,
                personal.text,
                f"{key}/{number}",
                personal.data,
                recipients=personal.recipients,
            )
            deliveries += deliver(addressed, targets, sleep=sleep)
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


@dataclass(frozen=True)
class Scheduled:
    """A job as configured: when (crontab, in the configuration's time zone), how late
    it may still run, its options and who is told."""

    job: Job[Any]
    cron: str
    grace: int
    options: Mapping[str, Any]
    notify: tuple[str, ...]
    enabled: bool = True


#: Settings every job takes, besides its own options.
COMMON = ("cron", "misfire_grace_time", "notify", "enabled")


def configured(
    jobs: Mapping[str, Mapping[str, Any]],
    notifiers: Sequence[str],
    known: Mapping[str, Job[Any]],
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
        for key, least in (("days", 1), ("days_before", 0)):
            if key in options and (
                not isinstance(options[key], int)
                or isinstance(options[key], bool)
                or options[key] < least
            ):
                raise ConfigError(f"{where}.{key}: a whole number of days (at least {least})")
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
