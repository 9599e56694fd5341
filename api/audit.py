"""For auditors: verify the chain, see what changed between two times, and explain
where a figure came from."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from api.auth import allow, current_caller
from api.events import AsOf
from api.openapi import response
from api.views import ViewQuery, answer, reading
from core.roles import AUDITOR, BUREAU
from core.verification import Published
from core.views.model import LEVEL_OF_ROLE
from followup.bootstrap import Services

blueprint = Blueprint("audit", __name__, description="Verification and explanation.")


def services() -> Services:
    found: Services = current_app.extensions["followup"]
    return found


class VerifyQuery(Schema):
    class Meta:
        unknown = RAISE

    against = fields.String(
        validate=validate.Regexp(r"^[0-9a-fA-F]{64}@[0-9]{1,18}$"),
        metadata={"description": "A digest published earlier: DIGEST@POSITION."},
    )


class DiffQuery(Schema):
    class Meta:
        unknown = RAISE

    from_ = AsOf(data_key="from", required=True, metadata={"type": "string", "maxLength": 40})
    to = AsOf(required=True, metadata={"type": "string", "maxLength": 40})
    on = fields.Date()


class ExplainQuery(ViewQuery):
    figure = fields.String(required=True, validate=validate.Length(min=1, max=200))


@blueprint.route("/audit/verify", methods=["GET"])
@allow(AUDITOR)
@blueprint.arguments(VerifyQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(
    responses={
        "200": response(
            "The verdict: ok, count, head digest or damage.",
            {
                "type": "object",
                "properties": {
                    "ok": {"type": "boolean"},
                    "count": {"type": "integer"},
                    "position": {"type": "integer"},
                    "head": {"type": "string"},
                    "damage": {"type": "object", "nullable": True},
                    "against": {"type": "string", "nullable": True},
                    "matches_published": {"type": "boolean", "nullable": True},
                    "verdict": {"type": "string"},
                },
                "required": ["ok", "count", "head", "verdict"],
            },
        )
    }
)
def verify(**query: Any) -> Response:
    """Verify the log

    Recompute the hash chain from the first event; optionally check a published digest."""
    against = Published.parse(query["against"]) if "against" in query else None
    verdict = services().app.verify(against=against)
    damage = verdict.damage
    return jsonify(
        {
            "ok": verdict.ok,
            "count": verdict.count,
            "position": verdict.position,
            "head": verdict.hexdigest,
            "damage": (
                {"position": damage.position, "kind": damage.kind, "detail": damage.detail}
                if damage
                else None
            ),
            "against": str(verdict.against) if verdict.against else None,
            "matches_published": verdict.matches_published,
            "verdict": verdict.describe(),
        }
    )


@blueprint.route("/audit/diff", methods=["GET"])
@allow(AUDITOR, BUREAU)
@blueprint.arguments(DiffQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(
    responses={
        "200": response(
            "Figures and items that changed, and the events.",
            {
                "type": "object",
                "properties": {
                    "from": {"type": "object"},
                    "to": {"type": "object"},
                    "on": {"type": "string", "format": "date"},
                    "figures": {"type": "object"},
                    "items": {"type": "array", "items": {"type": "object"}},
                    "events": {"type": "array", "items": {"type": "object"}},
                    "truncated": {"type": "boolean"},
                },
                "required": ["from", "to", "figures", "items", "events"],
            },
        )
    }
)
def diff(**query: Any) -> Response:
    """What changed between two times

    The views as known at `from` and at `to`: figures and items that differ, and the
    events recorded in between."""
    level = LEVEL_OF_ROLE[current_caller().role]
    return jsonify(services().views.diff(level, query["from_"], query["to"], query.get("on")))


class TrailQuery(Schema):
    class Meta:
        unknown = RAISE

    from_ = AsOf(data_key="from", metadata={"type": "string", "maxLength": 40})
    to = AsOf(metadata={"type": "string", "maxLength": 40})
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10000))


@blueprint.route("/audit/trail", methods=["GET"])
@allow(AUDITOR)
@blueprint.arguments(TrailQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(
    responses={
        "200": response(
            "Who recorded what, when and why.",
            {
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": {"type": "object"}},
                    "truncated": {"type": "boolean"},
                },
                "required": ["items", "truncated"],
            },
        )
    }
)
def audit_trail(**query: Any) -> Response:
    """The audit trail

    Every event recorded from `from` to `to` (transaction time): position, time, who
    recorded it, type and id; for a correction or retraction what it changes and the
    reason given. At most `limit` (then `truncated`; narrow the period)."""
    from core.people import trail

    rows: list[dict[str, Any]] = []
    for row in trail(services().app, query.get("from_"), query.get("to")):
        if len(rows) == query["limit"]:
            return jsonify({"items": rows, "truncated": True})
        rows.append(row)
    return jsonify({"items": rows, "truncated": False})


@blueprint.route("/audit/explain", methods=["GET"])
@allow(AUDITOR, BUREAU)
@blueprint.arguments(ExplainQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(
    responses={
        "200": response(
            "The events behind a figure.",
            answer(
                figure={"type": "string"},
                value={"nullable": True},
                events={"type": "integer"},
                items={"type": "array", "items": {"type": "object"}},
            ),
        ),
        "404": response("No such figure."),
    }
)
def explain(**query: Any) -> Response:
    """Explain a figure

    The events that produced a summary figure, as of a time, on a date, over a period."""
    read = reading(query)
    views = services().views
    return jsonify(
        {**views.envelope(read, query.get("as_of")), **views.explain(read, query["figure"])}
    )
