"""What the system does on its own: the scheduler's jobs record every run that does
something (a report drafted, a reminder sent, the log's integrity verified), so the
log shows the system's actions beside the focal point's.

These are not actions of the focal point: no role may record them through the API
(`writers` is empty: only the operator's command line and the scheduler, role None),
they name no party and cite no recommendation, and no view or figure of the state of
cooperation counts them. The scheduler records them as restricted: they appear in
aggregate counts of the log, never itemised in the public report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict
from plugins import hookimpl

AREA = "scheduled_jobs"

#: Nobody records these through the API; the operator (role None) is not limited.
SYSTEM = frozenset[str]()

REPORTS = ("annual_report", "weekly_digest")
FORMATS = ("json", "pdf")
REMINDED = ("request", "agreement")


def _count(
    minimum: int = 0, *, required: bool = True, metadata: dict[str, str] | None = None
) -> fields.Integer:
    extra: dict[str, Any] = {"required": True} if required else {"load_default": None}
    return fields.Integer(
        strict=True, validate=validate.Range(min=minimum), metadata=metadata or {}, **extra
    )


def _digest(*, required: bool = True) -> fields.String:
    extra: dict[str, Any] = {"required": True} if required else {"load_default": None}
    return fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}$"), **extra)


class ReportGenerated(Schema):
    report = f.choice(REPORTS)
    format = f.choice(FORMATS)
    year = fields.Integer(
        strict=True, validate=validate.Range(min=2002, max=2100), load_default=None
    )
    as_of = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "The transaction time the report reads the log as of."},
    )
    log_position = _count(metadata={"description": "The last log position the report read."})
    since = fields.String(
        validate=validate.Length(min=1, max=40),
        load_default=None,
        metadata={"description": "For a digest: the transaction time it reports changes since."},
    )
    sha256 = _digest()
    size = _count()


class ReminderSent(Schema):
    about = f.choice(REMINDED)
    reference = f.reference("request or agreement reminded about")
    since = f.day()
    days = _count(1)
    reminder = _count(1)


class IntegrityVerified(Schema):
    ok = fields.Boolean(required=True)
    events = _count()
    log_position = _count()
    head = _digest(required=False)
    damaged_at = _count(1, required=False)
    problem = f.text(required=False)
    checkpoint = fields.String(
        validate=validate.Length(min=1, max=4000),
        load_default=None,
        metadata={"description": "The log's signed checkpoint at log_position, sent to witnesses."},
    )


def reminder_subject(payload: Mapping[str, Any]) -> str:
    return f"reminder:{payload['about']}:{payload['reference']}"


def reminded(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    """Reminders about one thing are numbered; a number is never sent twice."""
    number = fact.payload["reminder"]
    last = state["reminder"] if state is not None else 0
    if number <= last:
        raise conflict(
            f"Reminder {number} about {fact.payload['about']} {fact.payload['reference']} "
            f"was already sent (the last was {last})."
        )
    return {"reminder": number}


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "ReportGenerated",
            ReportGenerated,
            AREA,
            "The scheduler generated a report (the annual report's draft, the weekly "
            "digest); its digest identifies what was sent.",
            writers=SYSTEM,
        ),
        EventType(
            "ReminderSent",
            ReminderSent,
            AREA,
            "The scheduler reminded that a request is unanswered, or an agreement not in "
            "force, after the configured number of days.",
            subject=reminder_subject,
            rule=reminded,
            writers=SYSTEM,
        ),
        EventType(
            "IntegrityVerified",
            IntegrityVerified,
            AREA,
            "The scheduler recomputed the log's hash chain.",
            writers=SYSTEM,
        ),
    ]
