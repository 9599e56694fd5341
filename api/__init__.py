"""The HTTP API: a Flask application factory. Views load, call core, dump."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from core.bootstrap import Services, bootstrap


def create_app(config: Mapping[str, Any] | None = None, services: Services | None = None) -> Flask:
    """Build the app. `config` may set FOLLOWUP_DATABASE_URL (else the environment's) and
    LOAD_ENTRY_POINTS (tests turn installed plugins off)."""
    app = Flask(__name__)
    app.config.from_mapping(FOLLOWUP_DATABASE_URL=None, LOAD_ENTRY_POINTS=True)
    if config:
        app.config.from_mapping(config)
    if services is None:
        services = bootstrap(
            app.config["FOLLOWUP_DATABASE_URL"],
            load_entry_points=app.config["LOAD_ENTRY_POINTS"],
        )
    app.extensions["followup"] = services

    from api import health

    app.register_blueprint(health.blueprint, url_prefix="/api/v1")
    return app
