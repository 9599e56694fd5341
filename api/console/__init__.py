"""The console: the same Flask app, under /console, for people rather than programs.
Server-rendered pages (Jinja templates, no script needed), in English and French,
built on the same services and rules as the API: whatever it records goes through
`FollowUp.validate` and `record_batch` with the person's role, whatever it shows is
read at the person's clearance (core.visibility, the views' levels).

Every page declares who may open it (`access.page(*roles)` or `access.anonymous`), or
the app refuses to start, as the API's endpoints do."""

from __future__ import annotations

import importlib

from flask import Flask

from api.console import access, language, rendering  # noqa: F401 (pages, errors)
from api.console.blueprint import blueprint

#: The modules whose pages hang on the console's blueprint.
PAGES = (
    "api.console.signing_in",
    "api.console.reading",
    "api.console.recording",
    "api.console.bureau",
    "api.console.auditing",
)


def install(app: Flask) -> None:
    """Mount the console under /console (call once, from create_app)."""
    for name in PAGES:
        importlib.import_module(name)
    if "console" not in app.blueprints:
        app.register_blueprint(blueprint, url_prefix="/console")
    access.check_declared(app)
