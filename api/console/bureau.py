"""The Bureau's report: generate the annual report (a year, as the log stood at a time),
download it, and see the checks `followup report verify` makes on it. The same bytes
as `followup report` and `GET /api/v1/reports/annual/{year}.pdf` for the same year and
time: the PDF is drawn again for a download rather than kept (it is reproducible)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from flask import Response, request

from api.console.access import page, services
from api.console.blueprint import blueprint
from api.console.rendering import TimeQuery, render
from core.clock import format_timestamp
from core.errors import FollowupError
from core.roles import AUDITOR, BUREAU

#: The last few reports drawn by this process (drawing one takes seconds).
_DRAWN: OrderedDict[tuple[int, str | None], Any] = OrderedDict()
KEPT = 4


def produced(year: int, as_of: datetime | None) -> Any:
    from reports.annual import produce

    key = (year, format_timestamp(as_of) if as_of else None)
    if key not in _DRAWN:
        _DRAWN[key] = produce(services(), year=year, as_of=as_of)
        while len(_DRAWN) > KEPT:
            _DRAWN.popitem(last=False)
    return _DRAWN[key]


def _year(errors: dict[str, list[str]]) -> int | None:
    text = request.values.get("year", "").strip()
    if text.isdigit() and 2002 <= int(text) <= 2100:
        return int(text)
    errors["year"] = ["A year from 2002 to 2100."]
    return None


def _as_of(errors: dict[str, list[str]]) -> datetime | None:
    text = request.values.get("as_of", "").strip()
    if not text:
        return None
    loaded = TimeQuery().validate({"as_of": text})
    if loaded:
        errors.update({k: list(v) for k, v in loaded.items()})
        return None
    result: datetime | None = TimeQuery().load({"as_of": text}).get("as_of")
    return result


@blueprint.route("/reports", methods=["GET", "POST"])
@page(BUREAU, AUDITOR)
def reports() -> Response:
    """Generate a report and verify it at once (as `report verify` would)."""
    today = services().app.clock()
    if request.method == "GET":
        return render("reports.html", year=str(today.year - 1), as_of="", errors={}, result=None)
    errors: dict[str, list[str]] = {}
    year, as_of = _year(errors), _as_of(errors)
    if errors or year is None:
        return render(
            "reports.html",
            status=422,
            year=request.form.get("year", ""),
            as_of=request.form.get("as_of", ""),
            errors=errors,
            result=None,
        )
    try:
        report = produced(year, as_of)
        verdict = _verify(report.pdf)
    except FollowupError as error:
        return render(
            "reports.html",
            status=400,
            year=str(year),
            as_of=request.form.get("as_of", ""),
            errors={"_": [str(error)]},
            result=None,
        )
    return render(
        "reports.html",
        year=str(year),
        as_of=request.form.get("as_of", ""),
        errors={},
        result={
            "year": year,
            "position": report.position,
            "as_of": report.as_of,
            "digest": report.head,
            "size": len(report.pdf),
            "verdict": verdict,
        },
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
    if errors or year is None:
        return render("reports.html", status=422, year="", as_of="", errors=errors, result=None)
    report = produced(year, as_of)
    return Response(
        report.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="report-of-the-bureau-{year}.pdf"',
            "X-Followup-Position": str(report.position),
            "X-Followup-As-Of": report.as_of,
            "X-Followup-Digest": report.head,
        },
    )
