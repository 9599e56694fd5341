"""Telling people what the system did: the notifier port, and delivery that never
fails the job it reports on.

A job records what it did in the log first; then its notice goes to the notifiers the
configuration names for it. A notifier that fails (a receiver down, a mail server
refusing) is retried a bounded number of times with exponential backoff and then given
up on, with a line in the scheduler's log: the job's record is never lost or held up
beyond that bound. Notifier kinds (SMTP, webhook...) are plugins' contributions (hook
``followup_notifiers``); secrets reach them only from the environment."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.errors import FollowupError

log = logging.getLogger("followup.notify")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Notice:
    """A job's output, as notifiers send it. `key` is the same for every delivery of
    one job's run (job and due time), so a receiver can drop duplicates."""

    job: str
    subject: str
    text: str
    key: str
    data: Mapping[str, Any] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    #: A personal notice (a reminder to the person responsible for an action) is
    #: addressed to these email addresses instead of the notifier's own recipients;
    #: only notifiers that write to persons take it (see `Notifier`).
    recipients: tuple[str, ...] = ()


class NotifyError(Exception):
    """One attempt to deliver failed. `retry`: whether trying again may help (a server
    down or busy) or not (a refusal that will not change)."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


class Notifier(Protocol):
    """Delivers a notice once; raises NotifyError when that attempt fails. A notifier
    that can address a notice to persons (email) says so with a true attribute
    ``writes_to_persons`` and sends a notice with `recipients` to them alone; the
    others are never given one."""

    def send(self, notice: Notice) -> None: ...


def writes_to_persons(target: Target) -> bool:
    return bool(getattr(target.notifier, "writes_to_persons", False))


class ConfigError(FollowupError):
    """The configuration file or environment is not usable; the message says where."""


@dataclass(frozen=True)
class Retry:
    """How often, and how patiently, a delivery is tried: `retries` more times after
    the first, waiting `backoff` seconds, then twice as long each time (at most
    `max_backoff`)."""

    retries: int = 4
    backoff: float = 2.0
    max_backoff: float = 60.0

    def delays(self) -> list[float]:
        return [min(self.backoff * 2**n, self.max_backoff) for n in range(self.retries)]


@dataclass(frozen=True)
class NotifierKind:
    """A kind of notifier a plugin contributes. `build` gets the options of one
    configured notifier (its table in the configuration, without `kind`) and the
    environment (for secrets); it raises ConfigError naming what is wrong."""

    name: str
    description: str
    build: Callable[[str, Mapping[str, Any], Mapping[str, str]], Notifier]


@dataclass(frozen=True)
class Target:
    """A configured notifier: its name in the configuration and how to retry it."""

    name: str
    notifier: Notifier
    retry: Retry = Retry()


@dataclass(frozen=True)
class Delivery:
    """The outcome of delivering one notice to one target."""

    target: str
    delivered: bool
    attempts: int
    error: str | None = None


#: Option names that would hold a secret: the configuration names an environment
#: variable instead (``password_env = "FOLLOWUP_SMTP_PASSWORD"``).
SECRET_OPTIONS = frozenset({"password", "secret", "token", "api_key"})


def secret(where: str, options: Mapping[str, Any], name: str, environ: Mapping[str, str]) -> str:
    """The secret whose environment variable `options[name + '_env']` names."""
    variable = options.get(f"{name}_env")
    if not isinstance(variable, str) or not variable:
        raise ConfigError(f"{where}: {name}_env must name the environment variable of the {name}")
    value = environ.get(variable)
    if not value:
        raise ConfigError(f"{where}: the environment variable {variable} ({name}) is not set")
    return value


def retry_of(where: str, options: Mapping[str, Any]) -> Retry:
    defaults = Retry()
    retries = options.get("retries", defaults.retries)
    backoff = options.get("backoff_seconds", defaults.backoff)
    most = options.get("max_backoff_seconds", defaults.max_backoff)
    if not isinstance(retries, int) or isinstance(retries, bool) or not 0 <= retries <= 10:
        raise ConfigError(f"{where}.retries: a whole number from 0 to 10")
    for label, value in (("backoff_seconds", backoff), ("max_backoff_seconds", most)):
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 3600:
            raise ConfigError(f"{where}.{label}: a number of seconds from 0 to 3600")
    return Retry(retries, float(backoff), float(most))


def build_targets(
    configured: Mapping[str, Mapping[str, Any]],
    available: Mapping[str, NotifierKind],
    environ: Mapping[str, str],
) -> dict[str, Target]:
    """The configured notifiers, built (secrets read from `environ`)."""
    targets: dict[str, Target] = {}
    for name, options in configured.items():
        where = f"notifiers.{name}"
        if not isinstance(options, Mapping):
            raise ConfigError(f"{where}: a table of options")
        kind = options.get("kind")
        if not isinstance(kind, str) or kind not in available:
            known = ", ".join(sorted(available))
            raise ConfigError(f"{where}.kind: {kind!r} is not a notifier kind; known: {known}")
        held = sorted(SECRET_OPTIONS & set(options))
        if held:
            raise ConfigError(
                f"{where}.{held[0]}: secrets never go in the configuration; put it in an "
                f"environment variable and name it with {held[0]}_env"
            )
        rest = {k: v for k, v in options.items() if k != "kind"}
        retry = retry_of(where, rest)
        rest = {
            k: v
            for k, v in rest.items()
            if k not in ("retries", "backoff_seconds", "max_backoff_seconds")
        }
        targets[name] = Target(name, available[kind].build(where, rest, environ), retry)
    return targets


def deliver(
    notice: Notice,
    targets: Sequence[Target],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """Deliver a notice to each target, retrying with backoff; never raises. Failures
    are logged by the target's name (never its address or secrets)."""
    outcomes = []
    for target in targets:
        if notice.recipients and not writes_to_persons(target):
            continue  # a personal notice goes by email only
        outcome = _deliver_one(notice, target, sleep)
        if outcome.delivered:
            log.info(
                "notice %s delivered to %s (%d attempts)", notice.key, target.name, outcome.attempts
            )
        else:
            log.error(
                "notice %s NOT delivered to %s after %d attempts: %s",
                notice.key,
                target.name,
                outcome.attempts,
                outcome.error,
            )
        outcomes.append(outcome)
    return outcomes


def _deliver_one(notice: Notice, target: Target, sleep: Callable[[float], None]) -> Delivery:
    delays = target.retry.delays()
    attempts = 0
    while True:
        attempts += 1
        try:
            target.notifier.send(notice)
        except NotifyError as error:
            if not error.retry or attempts > len(delays):
                return Delivery(target.name, False, attempts, str(error))
            sleep(delays[attempts - 1])
        except Exception as error:  # a notifier's bug must not cost the job its run
            return Delivery(target.name, False, attempts, f"{type(error).__name__}: {error}")
        else:
            return Delivery(target.name, True, attempts)
