"""What the system does on its own: the scheduler's jobs record every run that does
something (a report drafted, a reminder sent, the log's integrity verified), so the
log shows the system's actions beside the focal point's.

These are not actions of the focal point: no role may record them through the API
(`writers` is empty: only the operator's command line and the scheduler, role None),
they name no party and cite no recommendation, and no view or figure of the state of
cooperation counts them. The scheduler records them as restricted: they appear in
aggregate counts of the log, never itemised in the public report."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import orjson
from marshmallow import Schema, fields, validate

from core import fields as f
from core.application import FollowUp
from core.clock import format_timestamp
from core.eventtypes import EventType, Fact, LifecycleState, conflict
from core.jobs import (
    Job,
    PersonalNotice,
    Work,
    Workplace,
    content_digest,
    system_event,
    system_types,
)
from core.notifying import Attachment
from core.views.model import READER_OF_LEVEL, Item, Level
from core.words import ENGLISH, EVENT, Phrase, Terms, Words
from plugins import hookimpl
from reports.sections import ReportSources

AREA = "scheduled_jobs"

REPORT_GENERATED = "ReportGenerated"
REMINDER_SENT = "ReminderSent"
INTEGRITY_VERIFIED = "IntegrityVerified"

#: Nobody records these through the API; the operator (role None) is not limited.
SYSTEM = frozenset[str]()

REPORTS = ("annual_report", "weekly_digest")
FORMATS = ("json", "pdf")
REMINDED = ("request", "agreement", "action", "indicator", "questionnaire")
#: What a follow-up reminder says of the thing it is about (absent from the older
#: reminders of requests and agreements, which are all of things pending too long).
STAGES = ("due_soon", "overdue", "target_missed", "unanswered")


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
    reference = f.reference("request, agreement, action, indicator or questionnaire reminded about")
    since = f.day()
    days = _count(1)
    reminder = _count(1)
    stage = fields.String(
        validate=validate.OneOf(STAGES),
        metadata={
            "description": "due_soon (since: the due date), overdue (since: the due date "
            "passed), target_missed (since: the target date), unanswered (since: the "
            "questionnaire's due date). Absent from reminders of requests and agreements."
        },
    )


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
    """Reminders about one thing are numbered; a number is never sent twice. The state
    keeps what the last one was about (its stage, date and interval), so a follow-up
    reminder is sent once per due date and interval."""
    number = fact.payload["reminder"]
    last = state["reminder"] if state is not None else 0
    if number <= last:
        raise conflict(
            f"Reminder {number} about {fact.payload['about']} {fact.payload['reference']} "
            f"was already sent (the last was {last})."
        )
    p = fact.payload
    return {
        "reminder": number,
        "since": p["since"],
        "stage": p.get("stage"),
        "days": p["days"],
        "on": fact.occurred_on.isoformat(),
    }


# -- how the events read -----------------------------------------------------------

REPORT_WORDS = Terms(
    {
        "annual_report": ("annual report", "projet de rapport annuel"),
        "weekly_digest": ("weekly digest", "résumé hebdomadaire"),
    }
)
REMINDED_WORDS = Terms(
    {
        "request": ("request", "demande"),
        "agreement": ("agreement", "accord"),
        "action": ("action", "action"),
        "indicator": ("indicator", "indicateur"),
        "questionnaire": ("questionnaire", "questionnaire"),
    }
)

GENERATED = Phrase(
    en="The scheduler generated the {report} ({format}) of the log as of {as_of}.",
    fr="Le planificateur a produit le {report} ({format}) du journal au {as_of}.",
    values=lambda p, w: {
        "report": w.term(p["report"], REPORT_WORDS),
        "format": p["format"].upper(),
        "as_of": p["as_of"],
    },
)
#: What a reminder says of its thing's date, by stage (None: pending since then).
STAGE_WORDS = {
    None: ("pending since {since}", "en attente depuis le {since}"),
    "due_soon": ("due on {since}", "à échéance le {since}"),
    "overdue": ("overdue since {since}", "en retard depuis le {since}"),
    "target_missed": ("its target, due on {since}, not met", "cible du {since} non atteinte"),
    "unanswered": ("unanswered since {since}", "sans réponse depuis le {since}"),
}


def reminded_of(payload: Mapping[str, Any], words: Words) -> str:
    english, french = STAGE_WORDS[payload.get("stage")]
    state = words.say(en=english, fr=french).format(since=words.date(payload["since"]))
    about = words.term(payload["about"], REMINDED_WORDS)
    return words.sentence(
        words.say(
            en=f"Reminder number {payload['reminder']} about {about} {payload['reference']}, "
            f"{state}.",
            fr=f"Rappel n° {payload['reminder']} : {about} {payload['reference']}, {state}.",
        )
    )


def integrity_verified(payload: Mapping[str, Any], words: Words) -> str:
    events = words.count(payload["events"], EVENT)
    if payload["ok"]:
        return words.sentence(
            words.say(
                en=f"The log's hash chain verified: {events}, no damage.",
                fr=f"Chaîne d’empreintes du journal vérifiée : {events}, aucun dommage.",
            )
        )
    position = payload["damaged_at"]
    return words.sentence(
        words.say(
            en=f"The log's hash chain verified: {events}, damaged at position {position}.",
            fr=f"Chaîne d’empreintes du journal vérifiée : {events}, dommage à la position "
            f"{position}.",
        )
    )


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            REPORT_GENERATED,
            ReportGenerated,
            AREA,
            "The scheduler generated a report (the annual report's draft, the weekly "
            "digest); its digest identifies what was sent.",
            writers=SYSTEM,
            sentence=GENERATED,
        ),
        EventType(
            REMINDER_SENT,
            ReminderSent,
            AREA,
            "The scheduler reminded that a request is unanswered, or an agreement not in "
            "force, after the configured number of days.",
            subject=reminder_subject,
            rule=reminded,
            writers=SYSTEM,
            sentence=reminded_of,
        ),
        EventType(
            INTEGRITY_VERIFIED,
            IntegrityVerified,
            AREA,
            "The scheduler recomputed the log's hash chain.",
            writers=SYSTEM,
            sentence=integrity_verified,
        ),
    ]


# -- the jobs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    """Items of a view still in one status some days after a date of theirs: what a
    reminders job reminds of (areas contribute theirs through ``followup_jobs``).
    `about` names the kind of item in the ReminderSent events and is the item's field
    holding its reference; `what` is how the notice names them, e.g.
    ``("requests for assistance", "unanswered")``."""

    about: str
    view: str
    status: str
    since_field: str
    describe: Callable[[Item], str]
    what: tuple[str, str]


def reminders(overdue: Overdue) -> Callable[[Workplace, datetime, Mapping[str, Any]], Work | None]:
    """The work of a reminders job: remind of each item still in `overdue.status`
    `days` after its date, once per `days` it stays so (after 30, 60, 90... days).
    Confidential items are left out: a reminder travels by email."""

    def work(workplace: Workplace, due: datetime, options: Mapping[str, Any]) -> Work | None:
        days = int(options["days"])
        today = due.date()
        reading = workplace.views.reading(Level.RESTRICTED, as_of=due, on=today)
        events, lines, listed = [], [], []
        for item in reading.items(overdue.view):
            if item["status"] != overdue.status or item["classification"] == "confidential":
                continue
            since = date.fromisoformat(item[overdue.since_field])
            age = (today - since).days
            number = age // days
            reference = item[overdue.about]
            if number < 1 or number <= _last_reminder(workplace.app, overdue.about, reference):
                continue
            events.append(
                system_event(
                    REMINDER_SENT,
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
        kind, state = overdue.what
        subject = f"{len(events)} {kind} {state} after {days} days or more"
        text = "\n".join([f"{kind.capitalize()} {state} on {today.isoformat()}:", *lines])
        return Work(events, subject, text, {"about": overdue.about, "items": listed})

    return work


def _last_reminder(app: FollowUp, about: str, reference: str) -> int:
    state = _reminder_state(app, about, reference)
    return int(state["reminder"]) if state else 0


def _reminder_state(app: FollowUp, about: str, reference: str) -> LifecycleState:
    dossier = app.dossier(reminder_subject({"about": about, "reference": reference}))
    return dossier.lifecycle(app.catalogue) if dossier is not None else None


# -- reminders of the follow-up of recommendations ------------------------------------


@dataclass(frozen=True)
class Due:
    """Something of the follow-up a reminders job found to remind of on its day: an
    action due soon or overdue, an indicator's target missed, a questionnaire
    unanswered. `since` is the date the stage is about (the due or target date);
    `line` lists it in the notices; `persons` are the email addresses of the people
    reminded of it personally (the person responsible, the focal point who planned it)."""

    about: str
    reference: str
    since: date
    stage: str
    line: str
    persons: tuple[str, ...] = ()


def _slot(stage: str | None, since: date, day: date, days: int) -> int:
    """Which reminder of its stage one sent on `day` is: a reminder that something is
    due soon is sent once; the others the day after `since`, then every `days` days."""
    if stage == "due_soon":
        return 0
    return max(0, ((day - since).days - 1) // days)


def _already_reminded(state: LifecycleState, due: Due, today: date, days: int) -> bool:
    if state is None or state.get("stage") != due.stage:
        return False
    if state.get("since") != due.since.isoformat():
        return False
    sent = _slot(due.stage, due.since, date.fromisoformat(state["on"]), int(state["days"]))
    return sent >= _slot(due.stage, due.since, today, days)


def follow_up_reminders(
    workplace: Workplace, due_time: datetime, days: int, dues: list[Due], what: str
) -> Work | None:
    """The work of a follow-up reminders job: one ReminderSent per thing due that was
    not yet reminded of at this stage and interval (numbered per thing), one notice
    listing them all for the job's notifiers, and one personal notice per person
    concerned with the things that concern them (by email). `what` names the things
    (``actions``)."""
    today = due_time.date()
    app = workplace.app
    events, lines, listed = [], [], []
    by_person: dict[str, list[Due]] = {}
    for due in dues:
        state = _reminder_state(app, due.about, due.reference)
        if _already_reminded(state, due, today, days):
            continue
        number = int(state["reminder"]) + 1 if state else 1
        events.append(
            system_event(
                REMINDER_SENT,
                due_time,
                about=due.about,
                reference=due.reference,
                since=due.since.isoformat(),
                days=days,
                reminder=number,
                stage=due.stage,
            )
        )
        lines.append(f"- {due.line}")
        listed.append(
            {"reference": due.reference, "stage": due.stage, "since": due.since.isoformat()}
        )
        for person in due.persons:
            by_person.setdefault(person, []).append(due)
    if not events:
        return None
    subject = f"Follow-up of {what} on {today.isoformat()}: {_stages(listed)}"
    text = "\n".join([f"{what.capitalize()} to follow up on {today.isoformat()}:", *lines])
    personal = tuple(
        PersonalNotice(
            (person,),
            f"Follow-up of {what} on {today.isoformat()}: {_stages(mine)}",
            "\n".join(
                [
                    f"You are reminded of these {what} on {today.isoformat()}:",
                    *(f"- {due.line}" for due in mine),
                ]
            ),
            {"about": what, "items": [due.reference for due in mine]},
        )
        for person, mine in sorted(by_person.items())
    )
    return Work(events, subject, text, {"about": what, "items": listed}, personal=personal)


STAGE_NOTICE = {
    "due_soon": "due soon",
    "overdue": "overdue",
    "target_missed": "target missed",
    "unanswered": "unanswered",
}


def _stages(found: list[Any]) -> str:
    """'2 overdue, 1 due soon'."""
    counts: dict[str, int] = {}
    for entry in found:
        stage = entry["stage"] if isinstance(entry, dict) else entry.stage
        counts[stage] = counts.get(stage, 0) + 1
    return ", ".join(f"{n} {STAGE_NOTICE[stage]}" for stage, n in counts.items())


# -- integrity ---------------------------------------------------------------------


def integrity(workplace: Workplace, due: datetime, options: Mapping[str, Any]) -> Work:
    """Recompute the hash chain; record the verdict. (The verdict recorded on a damaged
    log is the scheduler's alarm: it names the first damaged position.)"""
    verdict = workplace.app.verify()
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

        signed = nightly_checkpoint(workplace.app, verdict.position)
        if signed is not None:
            payload["checkpoint"] = signed
            text += "\n\nThe log's signed checkpoint (keep it; witnesses, cosign it):\n\n" + signed
            attachments = (Attachment("checkpoint.txt", "text/plain", signed.encode()),)
    return Work(
        [system_event(INTEGRITY_VERIFIED, due, **payload)],
        subject,
        text,
        payload,
        attachments,
        notify=not (verdict.ok and options.get("notify_failures_only")),
        alarm=not verdict.ok,
    )


# -- the weekly digest ----------------------------------------------------------------


def digest(workplace: Workplace, due: datetime, options: Mapping[str, Any]) -> Work | None:
    """What changed in the views over the last `days` (transaction time), with the
    events recorded meanwhile; nothing when only the system itself recorded."""
    days = int(options["days"])
    since = due - timedelta(days=days)
    changes = workplace.views.diff(Level.RESTRICTED, since, due)
    system = system_types(workplace.app.catalogue)
    events = [e for e in changes["events"] if e["type"] not in system]
    items = changes["items"]
    if not events and not changes["figures"] and not items:
        return None
    document = {**changes, "events": events, "report": "weekly_digest"}
    content = orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    name = f"digest-{due.date().isoformat()}.json"
    event = system_event(
        REPORT_GENERATED,
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
        lines += ["", "What they say:", *recorded_sentences(workplace, changes, system)]
    return Work(
        [event],
        f"What changed in the week to {due.date().isoformat()}",
        "\n".join(lines),
        {"since": format_timestamp(since), "figures": changes["figures"], "events": counts},
        (Attachment(name, "application/json", content),),
    )


#: At most this many events are written out in a digest's notice (all are counted).
WRITTEN_OUT = 200


def recorded_sentences(
    workplace: Workplace, changes: Mapping[str, Any], system: frozenset[str]
) -> list[str]:
    """Each event a digest counts, as its type says it reads (dated, in log order)."""
    catalogue = workplace.app.catalogue
    # What the digest's readers may see: an event, and a change only with its target.
    sight = workplace.app.visibility(READER_OF_LEVEL[Level.RESTRICTED], None).at(
        changes["to"]["position"]
    )
    found = [
        event
        for event in workplace.app.read_log(
            after=changes["from"]["position"], upto=changes["to"]["position"]
        )
        if sight.sees(event) and event.type in catalogue and event.type not in system
    ]
    lines = [
        f"  {e.occurred_on.isoformat()}  {catalogue[e.type].reads(e.payload, ENGLISH)}"
        for e in found[:WRITTEN_OUT]
    ]
    if len(found) > WRITTEN_OUT:
        lines.append(f"  ... and {len(found) - WRITTEN_OUT} more (see the attached file)")
    return lines


def annual_report(sources: ReportSources, due: datetime, options: Mapping[str, Any]) -> Work | None:
    """The report on the year before the due date (or `year`), read as of the due
    time, as a PDF attached to the notice and recorded with its digest (so the log says
    which bytes the Bureau received); nothing to do while the log was empty then."""
    from reports.annual import produce

    if sources.views.position_as_of(due) == 0:
        return None
    year = int(options.get("year") or due.year - 1)
    report = produce(sources, year=year, as_of=due, draft=True)
    name = f"annual-report-{year}-draft.pdf"
    event = system_event(
        REPORT_GENERATED,
        due,
        report="annual_report",
        format="pdf",
        year=year,
        as_of=report.as_of,
        log_position=report.position,
        sha256=content_digest(report.pdf),
        size=len(report.pdf),
    )
    text = "\n".join(
        [
            f"The draft of the annual report on {year} is attached ({name}).",
            "",
            f"It is of the log as it stood at {report.as_of} (position {report.position}, "
            f"chain digest {report.head}). To check it against the log:",
            f"  followup report verify {name}",
        ]
    )
    return Work(
        [event],
        f"Annual report {year}: draft",
        text,
        {
            "year": year,
            "as_of": report.as_of,
            "log_position": report.position,
            "head": report.head,
            "sha256": event["sha256"],
        },
        (Attachment(name, "application/pdf", report.pdf),),
    )


@hookimpl
def followup_jobs() -> list[Job[Any]]:
    return [
        Job(
            "annual_report",
            "The annual report's draft (PDF) on the year before, on 15 January.",
            "0 6 15 1 *",
            7 * 24 * 3600,
            {"year": None},
            annual_report,
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
    ]
