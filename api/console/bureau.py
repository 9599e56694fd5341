"""The Bureau's report: generate the annual report (a year, as the log stood at a time),
download it, and see the checks `followup report verify` makes on it. The same bytes
as `followup report` and `GET /api/v1/reports/annual/{year}.pdf` for the same year and
time (the last few drawn are kept for their download)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from flask import Response, current_app, request

from api.console.access import page, services
from api.console.blueprint import blueprint
from api.console.language import current as current_language
from api.console.rendering import render, transaction_time
from api.reports import pdf_response
from core.clock import format_timestamp
from core.errors import FollowupError
from core.roles import AUDITOR, BUREAU

#: How many reports drawn an app keeps (drawing one takes seconds).
KEPT = 4
LANGUAGES = ("en", "fr")


def produced(year: int, as_of: datetime | None, lang: str, draft: bool) -> Any:
    """A draft says DRAFT on every page and may do without the heading's settings; a
    final report needs them (ReportError, shown, otherwise), as `followup report`.
    The last few drawn are kept, for the download that follows: each app its own,
    and a report of the log's last event by that event's position, so that an event
    recorded since draws it again."""
    from reports.annual import produce

    drawn: OrderedDict[tuple[Any, ...], Any] = current_app.extensions.setdefault(
        "followup.console.reports", OrderedDict()
    )
    when = format_timestamp(as_of) if as_of else services().app.head().position
    key = (year, when, lang, draft)
    if key not in drawn:
        drawn[key] = produce(
            services(), year=year, as_of=as_of, lang=lang, draft=True if draft else None
        )
        while len(drawn) > KEPT:
            drawn.popitem(last=False)
    return drawn[key]


def _year(errors: dict[str, list[str]]) -> int | None:
    text = request.values.get("year", "").strip()
    if text.isdigit() and 2002 <= int(text) <= 2100:
        return int(text)
    errors["year"] = ["A year from 2002 to 2100."]
    return None


def _lang() -> str:
    """The report's language: the one asked for, else the person's."""
    asked = request.values.get("lang", "")
    return asked if asked in LANGUAGES else current_language()


def _draft() -> bool:
    return request.values.get("draft") == "1"


def _as_of(errors: dict[str, list[str]]) -> datetime | None:
    text = request.values.get("as_of", "").strip()
    return transaction_time("as_of", text, errors) if text else None


def _page(status: int = 200, **context: Any) -> Response:
    """The report form, as filled in, with its errors or the report drawn."""
    return render("reports.html", status=status, **{"errors": {}, "result": None, **context})


@blueprint.route("/reports", methods=["GET", "POST"])
@page(BUREAU, AUDITOR)
def reports() -> Response:
    """Generate a report and verify it at once (as `report verify` would)."""
    today = services().app.clock()
    if request.method == "GET":
        return _page(year=str(today.year - 1), as_of="", lang=current_language(), draft=True)
    errors: dict[str, list[str]] = {}
    year, as_of = _year(errors), _as_of(errors)
    lang, draft = _lang(), _draft()
    asked: dict[str, Any] = {"as_of": request.form.get("as_of", ""), "lang": lang, "draft": draft}
    if errors or year is None:
        return _page(422, year=request.form.get("year", ""), errors=errors, **asked)
    try:
        report = produced(year, as_of, lang, draft)
        verdict = _verify(report.pdf)
    except FollowupError as error:
        return _page(400, year=str(year), errors={"_": [str(error)]}, **asked)
    return _page(
        year=str(year),
        result={
            "year": year,
            "lang": lang,
            "draft": draft,
            "position": report.position,
            "as_of": report.as_of,
            "digest": report.head,
            "size": len(report.pdf),
            "verdict": verdict,
        },
        **asked,
    )


def _verify(pdf: bytes) -> dict[str, Any]:
    from reports.annual.verify import verify

    verdict = verify(services(), pdf, redraw=True)
    return {"ok": verdict.ok, "lines": verdict.describe().splitlines()}


@blueprint.route("/reports/annual.pdf", methods=["GET"])
@page(BUREAU, AUDITOR)
def download() -> Response:
    errors: dict[str, list[str]] = {}
    year, as_of = _year(errors), _as_of(errors)
    lang = _lang()
    if errors or year is None:
        return _page(422, year="", as_of="", lang=lang, draft=True, errors=errors)
    return pdf_response(produced(year, as_of, lang, _draft()), year, lang)
