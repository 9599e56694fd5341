"""Helpers for API tests through Flask's test client over a real SQLite file (the
`api_client` fixture in conftest.py builds one)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from core.roles import ROLES
from followup.bootstrap import Services, bootstrap


@dataclass
class Api:
    """A test client with one token per role (labels: the role's name) plus a second
    focal point, ``focal_point_2``."""

    app: Flask
    client: FlaskClient
    services: Services
    tokens: dict[str, str]

    def headers(self, who: str | None, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return headers

    def post(self, path: str, body: Any, who: str | None = "focal_point", **headers: str):
        return self.client.post(path, json=body, headers=self.headers(who, **headers))

    def get(self, path: str, who: str | None = "focal_point", **kwargs: Any):
        return self.client.get(path, headers=self.headers(who), **kwargs)

    def head_position(self) -> int:
        return self.services.app.head().position


def issue_tokens(services: Services) -> dict[str, str]:
    tokens = services.tokens
    issued = {role: tokens.create(role, role, "tests") for role in ROLES}
    issued["focal_point_2"] = tokens.create("focal_point_2", "focal_point", "tests")
    return issued


def open_api(sqlite_url: str) -> Iterator[Api]:
    services = bootstrap(sqlite_url, load_entry_points=False)
    tokens = issue_tokens(services)
    app = create_app(services=services)
    yield Api(app, app.test_client(), services, tokens)
    services.close()
