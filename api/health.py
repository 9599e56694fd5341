"""Liveness and the log's head; needs no token."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

blueprint = Blueprint("health", __name__)


@blueprint.get("/health")
def health() -> dict[str, Any]:
    head = current_app.extensions["followup"].app.head()
    return {"status": "ok", "position": head.position}
