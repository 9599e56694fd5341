"""The focal point's pages (and the Bureau's, for what it records): record an event with
a form made from its type's schema, see the sentence it will read as before saving it,
correct or retract an event from its page (with the reason), import a file (with its
dry run). Everything goes through `FollowUp.validate` and `record_batch` with the
person's role, as the API does; a refused event records nothing."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from flask import Response, abort, redirect, request

from api.console import access
from api.console.access import page, services
from api.console.blueprint import blueprint
from api.console.forms import FormField, field_errors, form_fields, parse, shown
from api.console.language import current as current_language
from api.console.language import gettext, words
from api.console.reading import changer, visible_event
from api.console.rendering import render
from core.dossier import CORRECTABLE_ENVELOPE
from core.envelope import Draft, Event
from core.errors import (
    FollowupError,
    Forbidden,
    IdempotencyMismatch,
    InvalidEvent,
    LifecycleConflict,
)
from core.eventtypes import Effect, EventType
from core.importing import check, importer_for
from core.importing import record as record_drafts
from core.ports import IdempotencyKey
from core.roles import RECORDERS

RECORD = sorted(RECORDERS)
IDEMPOTENCY_FIELD = "idempotency_key"
#: The submit buttons' name (check, record, import): not a word a type's field may be
#: named (ActionPlanned has an `action`), so a button never hides a field.
STEP = "_step"


def writable(role: str) -> dict[str, list[tuple[str, EventType]]]:
    """The types a role records, by area (corrections and retractions are made from an
    event's page)."""
    found: dict[str, list[tuple[str, EventType]]] = {}
    for name, event_type in sorted(services().catalogue.types.items()):
        if role in event_type.writers and event_type.effect is Effect.RECORD:
            found.setdefault(event_type.area, []).append((name, event_type))
    return dict(sorted(found.items()))


def _role() -> str:
    person = access.current_person()
    assert person is not None
    return person.role


def _type_for(role: str, name: str) -> EventType:
    event_type = services().catalogue.types.get(name)
    if event_type is None or event_type.effect is not Effect.RECORD:
        abort(404)
    if role not in event_type.writers:
        abort(403)
    return event_type


def _key(body: Mapping[str, Any]) -> IdempotencyKey | None:
    """The form's idempotency key: a second press of the button (or a reload of the
    POST) records nothing more. Scoped to the person, hashed with what was sent."""
    key = request.form.get(IDEMPOTENCY_FIELD, "")
    if not key or len(key) > 100 or not key.isprintable():
        return None
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(f"console\n{request.path}\n{canonical}".encode()).hexdigest()
    return IdempotencyKey(access.caller().label, key, digest)


@dataclass
class Outcome:
    """What became of a form: its errors (by field, and for the whole event), and the
    draft and sentence when it passed."""

    errors: dict[str, list[str]]
    problem: str | None = None
    draft: Draft | None = None
    reads: str | None = None

    @property
    def status(self) -> int:
        """The page's status: 422 for a field's error, 409 for a contradiction."""
        return 422 if self.errors else 409 if self.problem else 200


def attempt(body: Mapping[str, Any], *, record: bool) -> tuple[Outcome, str | None]:
    """Validate (and check every rule by a dry run), or record. Returns what happened,
    and the id of the recorded event."""
    app = services().app
    who = access.caller()
    try:
        draft = app.validate(dict(body))
        recorded = app.record_batch(
            [draft],
            who.recorded_by,
            who.role,
            dry_run=not record,
            idempotency=_key(body) if record else None,
        )
    except InvalidEvent as error:
        return Outcome(field_errors(error.messages)), None
    except (LifecycleConflict, Forbidden, IdempotencyMismatch) as error:
        message = error.message if isinstance(error, LifecycleConflict) else str(error)
        return Outcome({}, message), None
    event_type = app.catalogue[draft.type]
    reads = event_type.reads(draft.payload, words(current_language()))
    return Outcome({}, None, draft, reads), str(recorded[0].id) if record else None


@blueprint.route("/record", methods=["GET"])
@page(*RECORD)
def record_choose() -> Response:
    return render("record_choose.html", areas=writable(_role()))


@blueprint.route("/record/<string:name>", methods=["GET", "POST"])
@page(*RECORD)
def record_form(name: str) -> Response:
    """A type's form. "Check" shows the sentence the event will read as, with every
    rule checked; "Record" records it (and shows its page)."""
    event_type = _type_for(_role(), name)
    described = form_fields(services().catalogue, name)
    if request.method == "GET":
        values = {f.name: request.args.get(f.name, "") for f in described}
        return _form(name, event_type, described, values, Outcome({}))
    submission = parse(name, described, request.form)
    step = request.form.get(STEP, "check")
    outcome, recorded = attempt(submission.body, record=step == "record")
    if recorded is not None:
        return cast(Response, redirect(f"/console/events/{recorded}?recorded=1", 303))
    return _form(name, event_type, described, submission.values, outcome)


def _outcome_page(template: str, outcome: Outcome, **context: Any) -> Response:
    """A form's page with what became of it, and the idempotency key it carries (the
    one sent, so a second press records nothing more; a new one for a new form)."""
    return render(
        template,
        status=outcome.status,
        errors=outcome.errors,
        problem=outcome.problem,
        reads=outcome.reads,
        idempotency_key=request.form.get(IDEMPOTENCY_FIELD) or secrets.token_urlsafe(16),
        **context,
    )


def _form(
    name: str,
    event_type: EventType,
    described: list[FormField],
    values: Mapping[str, str],
    outcome: Outcome,
) -> Response:
    return _outcome_page(
        "record_form.html",
        outcome,
        name=name,
        event_type=event_type,
        fields=described,
        values=values,
    )


# -- corrections and retractions -------------------------------------------------------


def _changer(effect: Effect) -> tuple[str, EventType]:
    found = changer(effect, _role())
    if found is None:
        abort(403)
    return found


@blueprint.route("/events/<uuid:event_id>/correct", methods=["GET", "POST"])
@page(*RECORD)
def correct(event_id: UUID) -> Response:
    """Correct an event: its fields as they now read, to change; the reason is required.
    Only what changed is sent (the correction's `changes`)."""
    app = services().app
    event = visible_event(event_id)
    corrector, corrector_type = _changer(Effect.CORRECT)
    dossier = app.dossier(None, event.stream) if event.stream else None
    if dossier is None:
        abort(404)
    now = dossier.member(event.id, app.catalogue)
    if now.retracted or event.type not in app.catalogue:
        abort(409)
    described = [
        f
        for f in form_fields(app.catalogue, event.type)
        if not f.envelope or f.name in CORRECTABLE_ENVELOPE
    ]
    current = {**now.payload, **_envelope_of(now)}
    current_values = {f.name: shown(current.get(f.name), f.widget) for f in described}
    if request.method == "GET":
        return _correction(event, described, current_values, "", Outcome({}))
    submission = parse(event.type, described, request.form)
    changes = {
        f.name: submission.body.get(f.name)
        for f in described
        if submission.values.get(f.name, "").strip() != current_values.get(f.name, "").strip()
    }
    reason = request.form.get("reason", "")
    if not changes:
        outcome = Outcome({"changes": [gettext("Change at least one field.")]})
    else:
        body = _change(corrector, corrector_type, event, reason)
        body[str(corrector_type.changes)] = changes
        outcome, recorded = attempt(body, record=request.form.get(STEP) == "record")
        if recorded is not None:
            return _recorded(event)
        outcome.errors = _unwrapped(outcome.errors, str(corrector_type.changes))
    return _correction(event, described, submission.values, reason, outcome)


def _change(name: str, event_type: EventType, event: Event, reason: str) -> dict[str, Any]:
    """The body of a correction or retraction of `event`, occurring today."""
    return {
        "type": name,
        "occurred_on": services().app.clock().date().isoformat(),
        str(event_type.target): str(event.id),
        "reason": reason,
    }


def _recorded(event: Event) -> Response:
    """After a correction or retraction: the event's page, which says it was recorded."""
    return cast(Response, redirect(f"/console/events/{event.id}?recorded=1", 303))


def _envelope_of(member: Any) -> dict[str, Any]:
    return {
        "occurred_on": member.occurred_on.isoformat(),
        "summary": member.summary,
        "recommendations": list(member.recommendations),
        "sources": list(member.sources),
    }


def _unwrapped(errors: dict[str, list[str]], changes: str) -> dict[str, list[str]]:
    """A correction's messages about its changes, put beside the fields they are about
    ("changes: title: ..." -> title)."""
    found: dict[str, list[str]] = {}
    for name, messages in errors.items():
        if name != changes:
            found[name] = messages
            continue
        for message in messages:
            field, _, text = message.partition(": ")
            found.setdefault(field if text else name, []).append(text or message)
    return found


def _correction(
    event: Event,
    described: list[FormField],
    values: Mapping[str, str],
    reason: str,
    outcome: Outcome,
) -> Response:
    return _outcome_page(
        "correct.html", outcome, event=event, fields=described, values=values, reason=reason
    )


@blueprint.route("/events/<uuid:event_id>/retract", methods=["GET", "POST"])
@page(*RECORD)
def retract(event_id: UUID) -> Response:
    """Retract an event, with the reason (required)."""
    event = visible_event(event_id)
    retractor, retractor_type = _changer(Effect.RETRACT)
    reason = request.form.get("reason", "")
    outcome = Outcome({})
    if request.method == "POST":
        body = _change(retractor, retractor_type, event, reason)
        outcome, recorded = attempt(body, record=request.form.get(STEP) == "record")
        if recorded is not None:
            return _recorded(event)
    return _outcome_page("retract.html", outcome, event=event, reason=reason)


# -- importing a file ------------------------------------------------------------------


@blueprint.route("/import", methods=["GET", "POST"])
@page(*RECORD)
def import_file() -> Response:
    """A CSV or JSON Lines file, as `followup events import` reads it, all or nothing,
    at the person's role. "Check" is the dry run: every event checked, nothing recorded."""
    if request.method == "GET":
        return render("import.html", report=None)
    upload = request.files.get("file")
    dry_run = request.form.get(STEP) != "import"
    if upload is None or not upload.filename:
        return render(
            "import.html", status=422, report={"error": gettext("Choose a file to import.")}
        )
    app = services().app
    who = access.caller()
    name = upload.filename[:200]
    try:
        importer = importer_for(services().importers, name)
        text = io.TextIOWrapper(
            cast(Any, upload.stream), encoding="utf-8-sig", errors="strict", newline=""
        )
        drafts, numbers = check(app, importer, text)
        done = record_drafts(
            app, drafts, numbers, recorded_by=who.recorded_by, dry_run=dry_run, role=who.role
        )
    except FollowupError as error:
        return render("import.html", status=422, report={"error": str(error), "file": name})
    except UnicodeDecodeError:
        problem = gettext("The file is not UTF-8 text.")
        return render("import.html", status=422, report={"error": problem, "file": name})
    language = words(current_language())
    sentences = [app.catalogue[d.type].reads(d.payload, language) for d in drafts[:20]]
    return render(
        "import.html",
        report={
            "file": name,
            "count": done.count,
            "dry_run": dry_run,
            "position": done.last_position,
            "sentences": sentences,
        },
    )
