"""The Bureau's annual report as a PDF (DESIGN.md §5): the same document as
`followup report --year Y [--as-of T]`, byte for byte."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from api.auth import allow
from api.events import AsOf
from api.openapi import response
from core.roles import AUDITOR, BUREAU
from followup.bootstrap import Services

blueprint = Blueprint(
    "reports", __name__, description="The Bureau's annual report to the Assembly."
)


class ReportQuery(Schema):
    class Meta:
        unknown = RAISE

    as_of = AsOf(
        metadata={
            "type": "string",
            "maxLength": 40,
            "description": "The log as the system knew it then (RFC 3339 or a date: the end "
            "of that day, UTC); not in the future. Default: the log's last event.",
        }
    )
    lang = fields.String(
        load_default="en",
        validate=validate.OneOf(("en", "fr")),
        metadata={"description": "The language of the report: en (default) or fr."},
    )
    draft = fields.Boolean(
        load_default=False,
        metadata={
            "description": "A draft: DRAFT on every page, and the heading's settings may be "
            "missing (a final report needs them: 400 otherwise)."
        },
    )


def services() -> Services:
    found: Services = current_app.extensions["followup"]
    return found


PDF = {
    "description": "The report (PDF/A-3), with its data attached (report-data.json). The "
    "headers X-Followup-Position, X-Followup-As-Of and X-Followup-Digest say what log "
    "position it is of.",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


@blueprint.route("/reports/annual/<int:year>.pdf", methods=["GET"])
@allow(BUREAU, AUDITOR)
@blueprint.arguments(ReportQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(
    responses={
        "200": PDF,
        "400": response(
            "Nothing to report on (an empty log), or the report's settings are bad or, for a "
            "final report, incomplete."
        ),
    }
)
def annual_report(year: int, **query: Any) -> Response:
    """The annual report for a calendar year

    The report on `year` as the log stood at `as_of` (default: its last event). The same
    year, `as_of` and `lang` always give the same bytes. Restricted events are counted
    but not itemised; confidential events are left out, whoever asks."""
    from reports.annual import produce

    produced = produce(
        services(),
        year=year,
        as_of=query.get("as_of"),
        lang=query["lang"],
        draft=True if query["draft"] else None,
    )
    return pdf_response(produced, year, query["lang"])


def pdf_response(produced: Any, year: int, lang: str) -> Response:
    """A report's PDF to download, with the log position it is of (the API's answer,
    and the console's download)."""
    return Response(
        produced.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="report-of-the-bureau-{year}-{lang}.pdf"'
            ),
            "Content-Language": lang,
            "X-Followup-Position": str(produced.position),
            "X-Followup-As-Of": produced.as_of,
            "X-Followup-Digest": produced.head,
        },
    )
