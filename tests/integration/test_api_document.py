"""The OpenAPI document is derived from the catalogue: a plugin's new type appears in
it, and in what the API accepts, without a change to api/."""

from __future__ import annotations

from marshmallow import Schema

from api import create_app
from core import fields as f
from core.eventtypes import EventType
from followup.bootstrap import bootstrap
from plugins import hookimpl
from tests.apiclient import issue_tokens


class PressReleaseIssued(Schema):
    issuer = f.party()
    title = f.text()


class PressPlugin:
    @hookimpl
    def followup_event_types(self):
        return [EventType("PressReleaseIssued", PressReleaseIssued, "press", "A press release.")]


def test_a_plugin_type_appears_in_the_document_and_the_api(sqlite_url):
    services = bootstrap(sqlite_url, load_entry_points=False, extra_plugins=[PressPlugin()])
    try:
        tokens = issue_tokens(services)
        client = create_app(services=services).test_client()
        document = client.get("/api/openapi.json").get_json()
        schemas = document["components"]["schemas"]
        component = schemas["PressReleaseIssued"]
        assert component["properties"]["type"]["enum"] == ["PressReleaseIssued"]
        assert component["additionalProperties"] is False
        assert {"issuer", "title", "occurred_on", "type"} <= set(component["required"])
        built_in, registered = component["properties"]["issuer"]["anyOf"]
        assert "NLD" in built_in["enum"] and "ATA" not in built_in["enum"]
        assert "pattern" in registered  # organisations registered in the log
        mapping = schemas["NewEvent"]["discriminator"]["mapping"]
        assert mapping["PressReleaseIssued"] == "#/components/schemas/PressReleaseIssued"
        assert set(mapping) == set(services.catalogue.names())
        assert len(schemas["NewEvent"]["oneOf"]) == len(mapping)
        recorded = schemas["RecordedPressReleaseIssued"]
        assert {"id", "position", "recorded_at", "recorded_by"} <= set(recorded["required"])

        response = client.post(
            "/api/v1/events",
            json={
                "type": "PressReleaseIssued",
                "occurred_on": "2020-01-01",
                "issuer": "ICC",
                "title": "Arrest",
            },
            headers={"Authorization": f"Bearer {tokens['focal_point']}"},
        )
        assert response.status_code == 201
        assert response.get_json()["issuer"] == "ICC"
    finally:
        services.close()


def test_every_endpoint_is_documented_with_its_security(sqlite_url):
    services = bootstrap(sqlite_url, load_entry_points=False)
    try:
        client = create_app(services=services).test_client()
        document = client.get("/api/openapi.json").get_json()
    finally:
        services.close()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert set(paths) >= {
        "/api/v1/events",
        "/api/v1/events/batch",
        "/api/v1/events/{event_id}",
        "/api/v1/health",
    }
    assert paths["/api/v1/health"]["get"]["security"] == []
    for path in ("/api/v1/events", "/api/v1/events/batch", "/api/v1/events/{event_id}"):
        for method, operation in paths[path].items():
            if method not in ("get", "post"):
                continue
            assert operation["security"] == [{"bearerAuth": []}]
            assert {"401", "403"} <= set(operation["responses"])
    post = paths["/api/v1/events"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewEvent"
    }
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    get = paths["/api/v1/events"]["get"]
    assert {p["name"] for p in get["parameters"]} == {
        "type",
        "party",
        "from",
        "to",
        "as_of",
        "after",
        "limit",
        "recorded_by",
    }


def test_the_docs_page_is_served_without_a_network(sqlite_url):
    services = bootstrap(sqlite_url, load_entry_points=False)
    try:
        client = create_app(services=services).test_client()
        page = client.get("/api/docs").get_data(as_text=True)
        assert "/api/openapi.json" in page
        assert "http://" not in page and "https://" not in page
        for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
            assert f"/api/docs/assets/{asset}" in page
            response = client.get(f"/api/docs/assets/{asset}")
            assert response.status_code == 200 and len(response.data) > 1000
        assert client.get("/api/docs/assets/../../setup.cfg").status_code == 404
    finally:
        services.close()


def test_an_endpoint_without_roles_stops_the_app(sqlite_url):
    import pytest
    from flask_smorest import Blueprint

    import api as api_package

    blueprint = Blueprint("careless", __name__)

    @blueprint.route("/careless")
    def careless():
        return {}

    module = type("Module", (), {"blueprint": blueprint})
    services = bootstrap(sqlite_url, load_entry_points=False)
    original = api_package.BLUEPRINTS
    try:
        import sys

        sys.modules["tests_careless_blueprint"] = module  # type: ignore[assignment]
        api_package.BLUEPRINTS = (*original, "tests_careless_blueprint")
        with pytest.raises(RuntimeError, match="GET /api/v1/careless"):
            create_app(services=services)
    finally:
        api_package.BLUEPRINTS = original
        services.close()


def test_method_views_declare_roles_per_method(sqlite_url):
    """A MethodView's methods carry their own roles; HEAD follows GET."""
    import sys

    from flask.views import MethodView
    from flask_smorest import Blueprint

    import api as api_package
    from api.auth import allow

    blueprint = Blueprint("things", __name__)

    @blueprint.route("/things")
    class Things(MethodView):
        @allow("auditor")
        def get(self):
            return {"things": []}

        @allow("focal_point")
        def post(self):
            return {"made": True}, 201

    sys.modules["tests_things_blueprint"] = type("Module", (), {"blueprint": blueprint})
    services = bootstrap(sqlite_url, load_entry_points=False)
    original = api_package.BLUEPRINTS
    try:
        api_package.BLUEPRINTS = (*original, "tests_things_blueprint")
        tokens = issue_tokens(services)
        client = create_app(services=services).test_client()

        def status(method, who):
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            return client.open("/api/v1/things", method=method, headers=headers).status_code

        assert status("GET", "auditor") == 200
        assert status("HEAD", "auditor") == 200
        assert status("GET", "focal_point") == 403
        assert status("POST", "focal_point") == 201
        assert status("POST", "auditor") == 403
    finally:
        api_package.BLUEPRINTS = original
        services.close()
