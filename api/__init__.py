"""The HTTP API: a Flask application factory. Views load, call core, dump.

Each resource is a flask-smorest blueprint in its own module, listed in BLUEPRINTS and
mounted under /api/v1. Every endpoint declares its roles with ``api.auth.allow`` (or
``api.auth.public``); errors go through ``api.errors``; the OpenAPI document is at
/api/openapi.json and its interactive page at /api/docs.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Flask, Response
from flask_smorest import Api

from api import auth, console, errors, openapi, requestlog
from followup.bootstrap import Services, bootstrap

#: Modules with a flask-smorest `blueprint`, mounted under /api/v1 in this order.
BLUEPRINTS = (
    "api.health",
    "api.events",
    "api.views",
    "api.audit",
    "api.reports",
    "api.transparency",
)
URL_PREFIX = "/api/v1"

#: Endpoints of the OpenAPI document and its page: they need no token.
DOC_ENDPOINTS = ("api-docs.openapi_json", "api-docs.openapi_swagger_ui")

DEFAULTS: dict[str, Any] = {
    "FOLLOWUP_DATABASE_URL": None,
    "LOAD_ENTRY_POINTS": True,
    # Keep the views current in a background thread (`followup serve` does; one
    # worker at a time folds, core/views/follower.py).
    "VIEWS_FOLLOWER": False,
    # Larger bodies get 413 before they are read.
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "API_TITLE": "followup",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
    "OPENAPI_SWAGGER_UI_CONFIG": {"tryItOutEnabled": True},
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "The follow-up of cooperation with the International Criminal "
            "Court: the focal point's record of every action, as events. Authenticate "
            "with `Authorization: Bearer <token>` (tokens from `followup token create`)."
        }
    },
}


class FollowupApi(Api):
    """flask-smorest's Api, documenting our error body. The document is complete once
    the app is built and never changes after: it is rendered once, on first request."""

    ERROR_SCHEMA = errors.ErrorSchema
    _document: str | None = None

    def _openapi_json(self) -> Response:
        if self._document is None:
            self._document = json.dumps(self.spec.to_dict(), indent=1)
        return Response(self._document, mimetype="application/json")


def _version() -> str:
    try:
        return version("followup")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


def create_app(config: Mapping[str, Any] | None = None, services: Services | None = None) -> Flask:
    """Build the app. `config` may set FOLLOWUP_DATABASE_URL (else the environment's) and
    LOAD_ENTRY_POINTS (tests turn installed plugins off)."""
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(DEFAULTS, API_VERSION=_version())
    if config:
        app.config.from_mapping(config)
    if services is None:
        services = bootstrap(
            app.config["FOLLOWUP_DATABASE_URL"],
            load_entry_points=app.config["LOAD_ENTRY_POINTS"],
        )
    app.extensions["followup"] = services
    # Events keep the order of Event.to_flat (system fields first), not sorted keys.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    tokens = services.tokens
    app.extensions["followup.tokens"] = tokens

    requestlog.install(app)
    # The console (/console) signs people in with its own sessions, not bearer tokens.
    console.install(app)
    own_endpoints = (*DOC_ENDPOINTS, *console.access.endpoints(app))
    auth.install(app, tokens, own_endpoints)
    api = FollowupApi(app)
    errors.register_error_handlers(app)
    openapi.install(api, services.catalogue)
    app.register_blueprint(openapi.assets, url_prefix="/api")
    for name in BLUEPRINTS:
        api.register_blueprint(importlib.import_module(name).blueprint, url_prefix=URL_PREFIX)
    auth.check_declared(app, own_endpoints)
    if app.config["VIEWS_FOLLOWER"]:
        from core.views.follower import Follower

        app.extensions["followup.follower"] = Follower(services.views.projection).start()
    return app
