"""Liveness; needs no token, so it says nothing about the log (not even its length,
which would count the confidential events too)."""

from __future__ import annotations

from flask import Response, jsonify
from flask_smorest import Blueprint

from api.auth import public

blueprint = Blueprint("health", __name__, description="Is the service up?")

HEALTH = {
    "type": "object",
    "properties": {"status": {"type": "string", "enum": ["ok"]}},
    "required": ["status"],
    "additionalProperties": False,
}


@blueprint.route("/health", methods=["GET"])
@public
@blueprint.doc(
    responses={"200": {"description": "Up.", "content": {"application/json": {"schema": HEALTH}}}}
)
def health() -> Response:
    """Is the service up?

    Needs no token, and says only that the service answers."""
    return jsonify({"status": "ok"})
