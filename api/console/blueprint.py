"""The console's one blueprint: its templates and static files live beside it."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint(
    "console",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
