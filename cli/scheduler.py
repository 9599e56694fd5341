"""`followup scheduler`: the one process that runs scheduled jobs (APScheduler's
BlockingScheduler). Never run it inside API workers: one scheduler per store.

The jobs themselves are in core/jobs.py; this module only decides when. Jobs are kept
in memory, so at start each job whose last due time passed less than its
`misfire_grace_time` ago is set to run at once, for that due time: a job due while
the scheduler was down still runs, once (`coalesce`), and a job that did run then
finds its record (idempotency key of job and due time) and records nothing again."""

from __future__ import annotations

import json
import logging
import signal
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from cli.common import database_url_option, open_services
from core.clock import format_timestamp, parse_timestamp, utc_now
from core.config import CONFIG_VARIABLE, Config, load_config
from core.jobs import Job, Scheduled, Workplace, configured, run
from core.notifying import ConfigError, Target

log = logging.getLogger("followup.scheduler")


def trigger_of(entry: Scheduled, timezone: Any) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(entry.cron, timezone=timezone)
    except ValueError as error:
        raise ConfigError(f"jobs.{entry.job.name}.cron: {error}") from None


def latest_due(trigger: CronTrigger, now: datetime, grace: int) -> datetime | None:
    """The last time `trigger` fired at or before `now`, if within `grace` seconds."""
    fire = trigger.get_next_fire_time(None, now - timedelta(seconds=grace))
    latest = None
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return latest


def timezone_of(config: Config) -> ZoneInfo:
    try:
        return ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{config.source}: unknown time zone {config.timezone!r}") from None


class Plan:
    """The configuration, checked once at start: the jobs and their notifiers."""

    def __init__(
        self, jobs: Mapping[str, Job[Any]], targets: Mapping[str, Target], config: Config
    ) -> None:
        self.config = config
        self.timezone = timezone_of(config)
        self.targets = targets
        self.schedule = {e.job.name: e for e in configured(config.jobs, list(self.targets), jobs)}
        self.triggers = {
            name: trigger_of(entry, self.timezone) for name, entry in self.schedule.items()
        }

    def targets_of(self, entry: Scheduled) -> Sequence[Target]:
        return [self.targets[name] for name in entry.notify]

    def run(self, workplace: Workplace, name: str, due: datetime) -> dict[str, Any]:
        entry = self.schedule[name]
        outcome = run(workplace, entry.job, due, entry.options, self.targets_of(entry))
        return outcome.to_json()


def scheduled_run(plan: Plan, workplace: Workplace, name: str) -> None:
    """What APScheduler calls: the job for its latest due time (the one it fired for,
    or the last one missed while the scheduler was down)."""
    entry = plan.schedule[name]
    now = utc_now()
    due = latest_due(plan.triggers[name], now, entry.grace) or now
    try:
        outcome = plan.run(workplace, name, due)
    except Exception:  # one job's failure must not stop the others
        log.exception("job %s for %s failed; nothing was recorded", name, format_timestamp(due))
        return
    (log.error if outcome["alarm"] else log.info)("job %s", json.dumps(outcome))


def build_scheduler(plan: Plan, workplace: Workplace, now: datetime) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=plan.timezone,
        # One job at a time: jobs are short, and they share the services.
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    for name, entry in plan.schedule.items():
        if not entry.enabled:
            continue
        trigger = plan.triggers[name]
        missed = latest_due(trigger, now, entry.grace)
        extra: dict[str, Any] = {"next_run_time": missed} if missed is not None else {}
        scheduler.add_job(
            partial(scheduled_run, plan, workplace, name),
            trigger,
            id=name,
            name=name,
            misfire_grace_time=entry.grace,
            coalesce=True,
            **extra,
        )
        if missed is not None:
            log.info("job %s was due at %s: running it now", name, format_timestamp(missed))
    return scheduler


def _due(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        raise click.BadParameter("an RFC 3339 time, e.g. 2026-01-15T06:00:00Z") from None


@click.command()
@click.option(
    "--config",
    "config_path",
    envvar=CONFIG_VARIABLE,
    metavar="FILE",
    help=f"Jobs and notifiers (TOML or JSON; or ${CONFIG_VARIABLE}). Default: every job "
    "on its default schedule, nobody notified.",
)
@click.option(
    "--once",
    metavar="JOB",
    help="Run one job now (for its due time, --due) and exit: 0 if it went well.",
)
@click.option(
    "--due",
    callback=_due,
    metavar="TIME",
    help="With --once: the due time to run the job for (default now). A job runs once "
    "per due time.",
)
@click.option("--list", "list_jobs", is_flag=True, help="Show the jobs and their next run.")
@database_url_option
def scheduler(
    config_path: str | None,
    once: str | None,
    due: datetime | None,
    list_jobs: bool,
    database_url: str,
) -> None:
    """Run the scheduled jobs (one process per store; never in API workers): the
    annual report's draft, reminders of unanswered requests and of agreements not in
    force, of actions due and overdue, of indicators' targets missed and of unanswered
    questionnaires, nightly integrity verification, the weekly digest. Each run that does
    something is recorded in the log (ReportGenerated, ReminderSent,
    IntegrityVerified) and sent to the notifiers configured for the job."""
    import os

    config = load_config(config_path)
    _log_to_stderr()
    with open_services(database_url) as services:
        targets = services.notifiers(config.notifiers, os.environ)
        plan = Plan(services.jobs, targets, config)
        if list_jobs:
            _print_jobs(plan)
            return
        if once is not None:
            if once not in plan.schedule:
                raise click.BadParameter(
                    f"no job {once!r}; jobs: {', '.join(sorted(plan.schedule))}",
                    param_hint="--once",
                )
            outcome = plan.run(services, once, due or utc_now().replace(microsecond=0))
            click.echo(json.dumps(outcome, indent=2))
            failed = any(not d["delivered"] for d in outcome["deliveries"])
            sys.exit(1 if failed or outcome["alarm"] else 0)
        if due is not None:
            raise click.UsageError("--due goes with --once")
        blocking = build_scheduler(plan, services, datetime.now(UTC))

        def stop(signum: int, frame: Any) -> None:
            log.info("stopping (signal %d)", signum)
            blocking.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("scheduler started with %s: %s", config.source, ", ".join(_summary(plan)))
        blocking.start()
        log.info("scheduler stopped")


def _summary(plan: Plan) -> list[str]:
    return [
        f"{name} ({entry.cron})" if entry.enabled else f"{name} (disabled)"
        for name, entry in plan.schedule.items()
    ]


def _print_jobs(plan: Plan) -> None:
    now = datetime.now(plan.timezone)
    for name, entry in plan.schedule.items():
        upcoming = plan.triggers[name].get_next_fire_time(None, now) if entry.enabled else None
        when = format_timestamp(upcoming) if upcoming else "disabled"
        notify = ", ".join(entry.notify) or "nobody"
        click.echo(f"{name:<20} {entry.cron:<14} next {when}  notify {notify}")
        click.echo(f"{'':<20} {entry.job.description}")


class _ToStderr(logging.Handler):
    """Log lines on whatever stderr is now (the command line's, or a test's)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


def _log_to_stderr() -> None:
    """The scheduler's and the notifiers' log, and APScheduler's, on stderr."""
    for name in ("followup", "apscheduler"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        if not any(isinstance(h, _ToStderr) for h in logger.handlers):
            handler = _ToStderr()
            handler.setFormatter(
                logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
            )
            logger.addHandler(handler)


COMMANDS = [scheduler]
