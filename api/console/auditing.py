"""The auditor's pages: a time machine (a transaction time and a valid date, then every
page as then), the events recorded between two times with who and why, what changed
between two times, a figure explained down to its events, the log and a kept checkpoint
verified, and a report PDF verified against the log."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, request

from api.console.access import page, services
from api.console.blueprint import blueprint
from api.console.reading import about, reading
from api.console.rendering import level, render, sentence, time_query, transaction_time
from auditor.tlog import NoteError, VerifierKey
from core.errors import FollowupError
from core.people import trail
from core.roles import AUDITOR, BUREAU

#: Rows of the trail shown at once (narrow the period for more).
TRAIL_ROWS = 500


def _times(*names: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Transaction times from the query (`from`, `to`...), in the API's words."""
    found: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in names:
        text = request.args.get(name, "").strip()
        moment = transaction_time(name, text, errors) if text else None
        if moment is not None:
            found[name] = moment
    return found, errors


@blueprint.route("/audit", methods=["GET"])
@page(AUDITOR, BUREAU)
def time_machine() -> Response:
    """Pick a transaction time and a valid date: every page then reads as of them."""
    time = time_query()
    app = services().app
    read = reading(time, period=False)
    return render(
        "audit.html",
        time=time,
        errors=time.errors,
        about=about(read, time),
        head=app.head().position,
    )


@blueprint.route("/audit/trail", methods=["GET"])
@page(AUDITOR)
def audit_trail() -> Response:
    """Who recorded what, when and why, between two transaction times."""
    times, errors = _times("from", "to")
    after = request.args.get("after", "")
    if after and not (after.isdigit() and len(after) <= 12):
        errors["after"] = ["Not a page of the trail."]
    rows: list[dict[str, Any]] = []
    truncated = False
    if not errors and (request.args.get("run") or times):
        after_position = int(after) if after else 0
        for row in trail(
            services().app, times.get("from"), times.get("to"), after_position=after_position
        ):
            if len(rows) == TRAIL_ROWS:
                truncated = True
                break
            rows.append(row)
    return render(
        "trail.html",
        errors=errors,
        rows=rows,
        truncated=truncated,
        after=after,
        ran=not errors and (bool(times) or bool(request.args.get("run"))),
        first=request.args.get("from", ""),
        last=request.args.get("to", ""),
    )


@blueprint.route("/audit/diff", methods=["GET"])
@page(AUDITOR, BUREAU)
def audit_diff() -> Response:
    times, errors = _times("from", "to")
    result = None
    if not errors and "from" in times and "to" in times:
        try:
            result = services().views.diff(level(), times["from"], times["to"])
        except FollowupError as error:
            errors["to"] = [str(error)]
    elif not errors and request.args:
        errors.update(
            {n: ["Missing data for required field."] for n in ("from", "to") if n not in times}
        )
    return render(
        "diff.html",
        errors=errors,
        result=result,
        first=request.args.get("from", ""),
        last=request.args.get("to", ""),
    )


@blueprint.route("/audit/explain", methods=["GET"])
@page(AUDITOR, BUREAU)
def explain() -> Response:
    """A figure, down to the events that make it (as of the page's time)."""
    time = time_query()
    views = services().views
    name = request.args.get("figure", "").strip()[:200]
    read = reading(time)
    explained = views.explain(read, name) if name else None
    # Each event as it reads (the API's answer names them only).
    reads = {
        e["id"]: sentence(services().app.get_event(UUID(e["id"])))
        for e in (explained or {}).get("items", [])
    }
    return render(
        "explain.html",
        reads=reads,
        time=time,
        about=about(read, time),
        figure=name,
        figures=sorted(views.figures),
        explained=explained,
    )


@blueprint.route("/audit/verify", methods=["GET", "POST"])
@page(AUDITOR)
def verify_log() -> Response:
    """Recompute the hash chain (and the Merkle tree), and check a kept checkpoint
    against the log with the public key the auditor kept (or those the log knows)."""
    from core.checkpoints import against_log, known_keys, tree_problem

    app = services().app
    result: dict[str, Any] | None = None
    checkpoint: dict[str, Any] | None = None
    errors: dict[str, list[str]] = {}
    text = request.form.get("checkpoint", "")[:20_000]
    key_text = request.form.get("key", "").strip()[:2000]
    if request.method == "POST":
        verdict = app.verify()
        tree = tree_problem(app) if verdict.ok else None
        result = {
            "ok": verdict.ok and tree is None,
            "lines": [verdict.describe(), *([f"TREE DAMAGED: {tree}"] if tree else [])],
        }
        if text.strip():
            try:
                keys = (
                    [VerifierKey.parse(k) for k in key_text.splitlines() if k.strip()]
                    if key_text
                    else known_keys(app)
                )
                agreement = against_log(app, text.replace("\r\n", "\n"), keys)
                checkpoint = {"ok": agreement.ok, "lines": [agreement.describe()]}
            except NoteError as error:
                errors["key"] = [str(error)]
            except FollowupError as error:
                errors["checkpoint"] = [str(error)]
    return render(
        "verify.html",
        result=result,
        checkpoint=checkpoint,
        errors=errors,
        checkpoint_text=text,
        key=key_text,
    )


@blueprint.route("/audit/report", methods=["GET", "POST"])
@page(AUDITOR, BUREAU)
def verify_report() -> Response:
    """Upload a report PDF: the checks of `followup report verify`."""
    from reports.annual.verify import verify

    result = None
    error = None
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            error, status = "Choose a PDF file.", 422
        else:
            try:
                verdict = verify(services(), upload.read(), redraw=True)
                result = {
                    "ok": verdict.ok,
                    "lines": verdict.describe().splitlines(),
                    "file": upload.filename[:200],
                }
            except FollowupError as problem:
                error, status = str(problem), 422
    return render("verify_report.html", status=status, result=result, error=error)
