"""A third-party plugin, for real: the package in tests/plugin_example, installed by the
Makefile into a folder of the test environment that these tests put on the path (its
`followup.plugins` entry point is all followup knows of it). Its event type is in the
OpenAPI document and accepted by the API; its view, figures and indicator show in the
views, and its section in the annual report; and with the plugin gone (not loaded, or a
process without it on its path: uninstalled) the events it recorded stay readable,
shown with their type and fields, in GET /events, the export and `followup state`,
never dropped."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from importlib.metadata import entry_points

import pytest
from pypdf import PdfReader

from api import create_app
from core.views.model import Level
from followup.bootstrap import bootstrap
from tests.apiclient import Api, issue_tokens

#: Every test here runs with the example plugin installed (conftest.py, example_plugin_on).
pytestmark = pytest.mark.usefixtures("example_plugin_on")

PLUGIN = "legislation_sharing"
TYPE = "ImplementingLegislationShared"

SHARED = {
    "type": TYPE,
    "occurred_on": "2008-03-10",
    "document": "NLD-ICA-2003",
    "state": "NLD",
    "title": "International Crimes Act",
    "stage": "enacted",
    "recommendations": [2],
}
DRAFT = {
    **SHARED,
    "document": "UGA-ICC-BILL",
    "state": "UGA",
    "title": "ICC Bill",
    "stage": "draft",
}


def test_an_operator_turns_an_installed_plugin_off(monkeypatch):
    monkeypatch.setenv("FOLLOWUP_DISABLE_PLUGINS", f"other, {PLUGIN}")
    services = bootstrap("memory://")
    try:
        assert TYPE not in services.catalogue
        assert "AgreementSigned" in services.catalogue
    finally:
        services.close()
    # Built-in plugins are part of the system: they cannot be turned off.
    monkeypatch.setenv("FOLLOWUP_DISABLE_PLUGINS", "plugins.builtin.legal_framework")
    services = bootstrap("memory://")
    try:
        assert "AgreementSigned" in services.catalogue and TYPE in services.catalogue
    finally:
        services.close()


def test_the_package_is_installed_as_a_plugin_would_be():
    found = {ep.name: ep.value for ep in entry_points(group="followup.plugins")}
    assert found.get(PLUGIN) == "followup_legislation_sharing", (
        "tests/plugin_example is not installed: run `make test` (the Makefile installs it)"
    )
    with_plugin = bootstrap("memory://")
    without = bootstrap("memory://", load_entry_points=False)
    try:
        assert TYPE in with_plugin.catalogue and TYPE not in without.catalogue
    finally:
        with_plugin.close()
        without.close()


@pytest.fixture
def installed(sqlite_url):
    """The API over a SQLite store, with the installed plugins loaded (as in production)."""
    services = bootstrap(sqlite_url)
    tokens = issue_tokens(services)
    app = create_app(services=services)
    yield Api(app, app.test_client(), services, tokens)
    services.close()


def test_its_type_is_documented_accepted_and_ruled_by_the_api(installed):
    document = installed.get("/api/openapi.json", who=None).json
    schemas = document["components"]["schemas"]
    assert schemas[TYPE]["properties"]["stage"]["enum"] == ["draft", "enacted"]
    assert f"Recorded{TYPE}" in schemas
    posted = installed.post("/api/v1/events", SHARED)
    assert posted.status_code == 201, posted.json
    assert posted.json["type"] == TYPE and posted.json["document"] == "NLD-ICA-2003"
    # Its lifecycle rule: a document is shared once.
    again = installed.post("/api/v1/events", {**SHARED, "occurred_on": "2009-01-01"})
    assert again.status_code == 409 and "already shared" in again.json["message"]
    invalid = installed.post("/api/v1/events", {**SHARED, "document": "X-2", "stage": "rumoured"})
    assert invalid.status_code == 422 and "stage" in invalid.json["errors"]


def test_it_shows_in_the_views_the_summary_and_an_indicator(installed):
    assert installed.post("/api/v1/events/batch", {"events": [SHARED, DRAFT]}).status_code == 201
    view = installed.get("/api/v1/views/shared_legislation").json
    assert [item["state"] for item in view["items"]] == ["NLD", "UGA"]
    assert view["items"][0]["documents"][0]["title"] == "International Crimes Act"
    # On a date before the sharing, no State had shared anything.
    earlier = installed.get("/api/v1/views/shared_legislation?on=2008-03-09").json
    assert earlier["items"] == []
    figures = installed.get("/api/v1/summary?from=2008-01-01&to=2008-12-31").json["figures"]
    assert figures["legislation_sharing.documents"] == {"value": 2, "events": 2}
    assert figures["legislation_sharing.states"]["value"] == 2
    recommendation = installed.get("/api/v1/recommendations/2?from=2008-01-01&to=2008-12-31")
    indicator = recommendation.json["item"]["indicators"]["legislation_sharing"]
    assert indicator["states"] == 2 and indicator["documents"] == 2 and indicator["drafts"] == 1


def test_it_adds_a_section_to_the_annual_report(installed):
    restricted = {
        **SHARED,
        "document": "KEN-ICA-2008",
        "state": "KEN",
        "title": "Kenyan draft",
        "classification": "restricted",
    }
    batch = {"events": [SHARED, DRAFT, restricted]}
    assert installed.post("/api/v1/events/batch", batch).status_code == 201
    response = installed.get("/api/v1/reports/annual/2008.pdf?draft=true", who="bureau")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Sharing of implementing legislation" in text
    # Counted with the restricted one, itemised without it (the report is public).
    assert "3 pieces of implementing legislation were shared" in text
    assert "International Crimes Act" in text and "ICC Bill" in text
    assert "Kenyan draft" not in text
    # The section sits in Part I, after cluster A, and is in the attached data.
    attached = json.loads(reader.attachments["report-data.json"][0])
    [section] = [s for s in attached["plugin_sections"] if s["key"].startswith(PLUGIN)]
    assert section["after"] == "I.A" and "ICC Bill" in section["html"]


def test_without_the_plugin_its_events_stay_readable(sqlite_url, tmp_path, example_plugin_on):
    services = bootstrap(sqlite_url)
    recorded = services.app.record_batch(
        [services.app.validate(e) for e in (SHARED, DRAFT)], "focal-point", None
    )
    services.close()

    # The same store, served without the plugin.
    bare = bootstrap(sqlite_url, load_entry_points=False)
    try:
        tokens = issue_tokens(bare)
        app = create_app(services=bare)
        api = Api(app, app.test_client(), bare, tokens)
        listed = api.get("/api/v1/events").json["items"]
        kept = [e for e in listed if e["type"] == TYPE]
        assert [e["id"] for e in kept] == [str(e.id) for e in recorded]
        assert kept[0]["title"] == "International Crimes Act" and kept[0]["stage"] == "enacted"
        one = api.get(f"/api/v1/events/{recorded[1].id}").json
        assert one["type"] == TYPE and one["state"] == "UGA"
        # Not in the views any more (no handler, no figure), and no error either.
        assert api.get("/api/v1/views/shared_legislation").status_code == 404
        summary = api.get("/api/v1/summary")
        assert summary.status_code == 200
        assert "legislation_sharing.documents" not in summary.json["figures"]
        # A new event of the type is refused: the catalogue does not know it.
        refused = api.post("/api/v1/events", {**SHARED, "document": "NEW-1"})
        assert refused.status_code == 422
    finally:
        bare.close()

    # Another process, the plugin uninstalled (not on its path): export, state and verify
    # keep its events.
    env = {**os.environ, "FOLLOWUP_DATABASE_URL": sqlite_url}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(example_plugin_on)
    )

    def followup(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    check = followup("state")
    assert check.returncode == 0, check.stderr
    state = json.loads(check.stdout)
    assert state["types"][TYPE] == 2  # counted as entries of the log...
    assert "legislation_sharing.documents" not in state["figures"]  # ...the plugin is gone
    exported = followup("events", "export")
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [(e["type"], e["document"]) for e in lines if e["type"] == TYPE] == [
        (TYPE, "NLD-ICA-2003"),
        (TYPE, "UGA-ICC-BILL"),
    ]
    verified = followup("verify")
    assert verified.returncode == 0 and verified.stdout.startswith("OK")
    # Restored elsewhere without the plugin, byte for byte (same head digest).
    path = tmp_path / "log.jsonl"
    path.write_text(exported.stdout, encoding="utf-8")
    copy = f"sqlite:///{tmp_path}/copy.sqlite"
    env["FOLLOWUP_DATABASE_URL"] = copy
    assert followup("init").returncode == 0
    restored = followup("events", "import", "--preserve", str(path))
    assert restored.returncode == 0, restored.stderr
    assert lines[-1]["hash"] in restored.stdout

    # Installed again: the views notice and fold its events again by themselves
    # (they were skipped while the plugin was away).
    again = bootstrap(sqlite_url)
    try:
        reading = again.views.reading(Level.RESTRICTED)
        assert [item["state"] for item in reading.items("shared_legislation")] == ["NLD", "UGA"]
    finally:
        again.close()
