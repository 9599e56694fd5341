"""The log's proofs for outsiders: its signed checkpoint, an event's inclusion proof, the
consistency proof between two sizes, and witnesses' cosignatures coming back. A proof
reveals hashes, never an event's payload; an event the caller may not see has no proof
(404, as if absent)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, current_app, jsonify, request
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from api.auth import allow, current_visibility
from api.errors import ApiError
from api.openapi import response
from core import checkpoints, proofs
from core.errors import NotFound
from core.roles import AUDITOR, READERS
from followup.bootstrap import Services

blueprint = Blueprint("transparency", __name__, description="Checkpoints and proofs.")

MAX_NOTE = 64 * 1024
PROOF = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "format": "uuid"},
        "position": {"type": "integer"},
        "leaf_index": {"type": "integer"},
        "tree_size": {"type": "integer"},
        "leaf_hash": {"type": "string"},
        "root": {"type": "string"},
        "hashes": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["leaf_index", "tree_size", "leaf_hash", "hashes"],
}
CONSISTENCY = {
    "type": "object",
    "properties": {
        "from": {"type": "integer"},
        "to": {"type": "integer"},
        "from_root": {"type": "string"},
        "to_root": {"type": "string"},
        "hashes": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["from", "to", "hashes"],
}
SIZE = fields.Integer(
    validate=validate.Range(min=1, max=2**53),
    metadata={"description": "Tree size: the log's first SIZE events (default: all)."},
)


def services() -> Services:
    found: Services = current_app.extensions["followup"]
    return found


class SizeQuery(Schema):
    class Meta:
        unknown = RAISE

    size = SIZE


class ConsistencyQuery(Schema):
    class Meta:
        unknown = RAISE

    from_ = fields.Integer(
        data_key="from", required=True, validate=validate.Range(min=0, max=2**53)
    )
    to = fields.Integer(required=True, validate=validate.Range(min=0, max=2**53))

    @validates_schema
    def ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["from_"] > data["to"]:
            raise ValidationError("Must not be below from.", "to")


def _key() -> checkpoints.SigningKey:
    try:
        key = checkpoints.load_key()
    except checkpoints.SigningKeyError as error:
        raise ApiError(404, f"The log signs no checkpoints here: {error}.") from None
    assert key is not None
    return key


@blueprint.route("/audit/checkpoint", methods=["GET"])
@allow(*sorted(READERS))
@blueprint.arguments(SizeQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(
    responses={
        "200": {
            "description": "A C2SP signed checkpoint: origin, size, base64 root, then the "
            "log's signature line.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        "404": response("No signing key is configured, or the log has not reached that size."),
    }
)
def checkpoint(**query: Any) -> Response:
    """The log's signed checkpoint

    Keep it: `followup verify --checkpoint FILE` later proves the log still has the
    history it signs (and `checkpoint verify OLD NEW` that a later one extends it)."""
    key = _key()
    app = services().app
    size = query.get("size")
    if size is not None and size > app.head().position:
        raise NotFound(f"The log has {app.head().position} events: no checkpoint at {size}.")
    note = checkpoints.signed_checkpoint(app, key, size)
    return Response(note, mimetype="text/plain", headers={"Cache-Control": "no-store"})


@blueprint.route("/events/<uuid:event_id>/proof", methods=["GET"])
@allow(*sorted(READERS))
@blueprint.arguments(SizeQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(
    responses={
        "200": response("The inclusion proof (hashes in hex, RFC 9162).", PROOF),
        "404": response("No such event (or not one you may see), or no tree of that size."),
    }
)
def inclusion(event_id: UUID, **query: Any) -> Response:
    """An event's inclusion proof

    That the event is leaf `position - 1` of the log's tree of `size` (default: the
    log's head); check it against a signed checkpoint of that size."""
    app = services().app
    try:
        event = app.get_event(event_id)
    except NotFound:
        event = None
    if event is None or not current_visibility().sees(event):
        raise NotFound(f"No event {event_id}.")
    return jsonify(proofs.inclusion(app, event_id, query.get("size")))


@blueprint.route("/audit/consistency", methods=["GET"])
@allow(*sorted(READERS))
@blueprint.arguments(ConsistencyQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(
    responses={
        "200": response("The consistency proof (hashes in hex, RFC 9162).", CONSISTENCY),
        "404": response("The log has not reached that size."),
    }
)
def consistency(**query: Any) -> Response:
    """A consistency proof

    That the log's tree of `to` events extends its tree of `from` events: nothing
    recorded up to `from` was changed."""
    return jsonify(proofs.consistency(services().app, query["from_"], query["to"]))


@blueprint.route("/audit/cosignatures", methods=["POST"])
@allow(AUDITOR)
@blueprint.doc(
    requestBody={
        "required": True,
        "content": {"text/plain": {"schema": {"type": "string", "maxLength": MAX_NOTE}}},
    },
    responses={
        "201": response(
            "The cosignatures recorded.",
            {"type": "object", "properties": {"recorded": {"type": "array"}}},
        ),
        "422": response("Not the log's checkpoint, or no valid witness cosignature."),
    },
)
def cosignatures() -> Response:
    """Record witnesses' cosignatures

    The body is a checkpoint of this log as a witness returns it: the log's signature
    and the witness's cosignature lines (c2sp.org/tlog-cosignature), each checked
    with the witness keys configured ($FOLLOWUP_WITNESS_KEYS)."""
    from core.witnesses import record_cosignatures

    body = request.get_data(cache=False)
    if len(body) > MAX_NOTE:
        raise ApiError(413, "A cosigned checkpoint is at most 64 KiB.")
    try:
        text = body.decode("utf-8")
        recorded = record_cosignatures(services().app, text)
    except UnicodeDecodeError:
        raise ApiError(400, "The body is not UTF-8 text.") from None
    except checkpoints.CheckpointError as error:
        raise ApiError(422, str(error)) from None
    result = jsonify({"recorded": recorded})
    result.status_code = 201
    return result
