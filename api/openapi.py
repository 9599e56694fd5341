"""The OpenAPI document's event schemas, derived from the catalogue the plugins
contribute: one component per type as a client sends it (``AgreementSigned``) and as
the store returns it (``RecordedAgreementSigned``), and bodies that are a ``oneOf`` of
them with ``type`` as discriminator. A new plugin type appears here without a change to
``api/``. The interactive page (Swagger UI) is served from the assets shipped in the
flask-swagger-ui package, so it works without a network."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, send_from_directory
from flask_smorest import Api
from marshmallow import fields

from api.auth import SECURITY_SCHEME, public
from core.catalogue import Catalogue
from core.envelope import SYSTEM_FIELDS
from core.fields import PartyCode
from core.parties import REGISTRABLE_PATTERN, PartyKind, registry

#: Most events one batch may carry (the body limit, MAX_CONTENT_LENGTH, applies too).
MAX_BATCH = 1000

#: Envelope fields the store always returns (with their defaults when not sent).
ALWAYS_RETURNED = ("type", "occurred_on", "summary", "recommendations", "sources", "classification")

SYSTEM_PROPERTIES: dict[str, Any] = {
    "id": {"type": "string", "format": "uuid", "description": "The event's id."},
    "position": {
        "type": "integer",
        "minimum": 1,
        "description": "Its place in the one global order of the log.",
    },
    "recorded_at": {
        "type": "string",
        "format": "date-time",
        "description": "Transaction time: when the store recorded it (UTC).",
    },
    "recorded_by": {"type": "string", "description": "The label of the token that recorded it."},
    "hash": {
        "type": "string",
        "pattern": "^[0-9a-f]{64}$",
        "description": "The hash chain's link at this event (SHA-256, hex).",
    },
}
assert set(SYSTEM_PROPERTIES) == set(SYSTEM_FIELDS)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def response(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": json_content(schema or ref("Error"))}


def party_codes(converter: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """apispec attribute function: a party code field lists the codes it accepts (built-in
    ones; a field that also takes organisations registered in the log gives their shape
    instead, since the registry grows without a release)."""
    if not isinstance(field, PartyCode):
        return {}
    codes = sorted(
        code
        for code, party in registry().items()
        if party.kind is not PartyKind.TERRITORY
        and (field.kinds is None or party.kind in field.kinds)
    )
    if field.registrable:
        return {"anyOf": [{"enum": codes}, {"pattern": REGISTRABLE_PATTERN}]}
    return {"enum": codes}


def _fix_object_lengths(schema: dict[str, Any]) -> None:
    """apispec writes a Length validator on a Dict field as minLength/maxLength, which
    JSON Schema applies to strings only; an object's bounds are min/maxProperties."""
    for prop in schema.get("properties", {}).values():
        if prop.get("type") == "object":
            for old, new in (("minLength", "minProperties"), ("maxLength", "maxProperties")):
                if old in prop:
                    prop[new] = prop.pop(old)


def event_components(api: Api, catalogue: Catalogue) -> None:
    """Register the catalogue's components in the document."""
    spec = api.spec
    converter = api.ma_plugin.converter
    sent: dict[str, str] = {}
    stored: dict[str, str] = {}
    for name in catalogue.names():
        event_type = catalogue[name]
        schema = converter.schema2jsonschema(catalogue.schema(name))
        _fix_object_lengths(schema)
        schema["properties"]["type"] = {
            "type": "string",
            "enum": [name],
            "description": "The event type.",
        }
        # No writer role: only the system records it (the scheduler, the operator).
        roles = ", ".join(sorted(event_type.writers)) or "the system only"
        schema["description"] = f"{event_type.description} Recorded by: {roles}.".strip()
        spec.components.schema(name, schema)
        sent[name] = f"#/components/schemas/{name}"

        returned = copy.deepcopy(schema)
        returned["properties"] = {**SYSTEM_PROPERTIES, **returned["properties"]}
        returned["required"] = sorted(
            {*returned.get("required", []), *SYSTEM_PROPERTIES, *ALWAYS_RETURNED}
        )
        # What the store returns is what was accepted then; stay open to fields that
        # a later version of the type may add.
        returned.pop("additionalProperties", None)
        returned["description"] = f"A recorded {name} event, with the fields the system set."
        spec.components.schema(f"Recorded{name}", returned)
        stored[name] = f"#/components/schemas/Recorded{name}"

    def one_of(mapping: dict[str, str], description: str) -> dict[str, Any]:
        return {
            "oneOf": [{"$ref": target} for target in mapping.values()],
            "discriminator": {"propertyName": "type", "mapping": mapping},
            "description": description,
        }

    spec.components.schema(
        "NewEvent",
        one_of(
            sent,
            "An event as a client sends it: one flat object, envelope and payload fields "
            "side by side; `type` says which.",
        ),
    )
    spec.components.schema(
        "RecordedEvent", one_of(stored, "An event as stored, with the fields the system set.")
    )
    spec.components.schema(
        "NewEventBatch",
        {
            "type": "object",
            "properties": {
                "events": {
                    "type": "array",
                    "items": ref("NewEvent"),
                    "minItems": 1,
                    "maxItems": MAX_BATCH,
                }
            },
            "required": ["events"],
            "additionalProperties": False,
        },
    )
    spec.components.schema(
        "RecordedEvents",
        {
            "type": "object",
            "properties": {"items": {"type": "array", "items": ref("RecordedEvent")}},
            "required": ["items"],
        },
    )
    spec.components.schema(
        "EventPage",
        {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": ref("RecordedEvent")},
                "next": {
                    "type": "string",
                    "nullable": True,
                    "description": "The URL of the next page; null on the last page.",
                },
                "final": {
                    "type": "boolean",
                    "description": "With as_of: false when as_of is later than the log has "
                    "reached (later events may join the answer).",
                },
            },
            "required": ["items", "next"],
        },
    )


def install(api: Api, catalogue: Catalogue) -> None:
    # flask-smorest registers ErrorSchema (FollowupApi.ERROR_SCHEMA) as "Error".
    api.spec.components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `followup token create`.",
        },
    )
    api.ma_plugin.converter.add_attribute_function(party_codes)
    event_components(api, catalogue)


def swagger_ui_assets() -> Path:
    spec = importlib.util.find_spec("flask_swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("flask-swagger-ui (which ships Swagger UI's assets) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "dist"


assets = Blueprint("docs_assets", __name__)


@assets.get("/docs/assets/<path:filename>")
@public
def asset(filename: str) -> Response:
    return send_from_directory(swagger_ui_assets(), filename, max_age=3600)
