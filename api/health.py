"""Liveness and the log's head; needs no token."""

from __future__ import annotations

from flask import Response, current_app, jsonify
from flask_smorest import Blueprint

from api.auth import public

blueprint = Blueprint("health", __name__, description="Is the service up?")

HEALTH = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ok"]},
        "position": {"type": "integer", "minimum": 0, "description": "The log's last position."},
    },
    "required": ["status", "position"],
}


@blueprint.route("/health", methods=["GET"])
@public
@blueprint.doc(
    responses={"200": {"description": "Up.", "content": {"application/json": {"schema": HEALTH}}}}
)
def health() -> Response:
    """Is the service up?

    Needs no token. `position` is the log's last position."""
    head = current_app.extensions["followup"].app.head()
    return jsonify({"status": "ok", "position": head.position})
