"""The log's events: record one, record a batch (all or nothing), read them by filter
with stable pages, read one by id. Views load, call core, dump; validation is the
core's (`FollowUp.validate`), the same for the API, the command line and importers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from flask import Response, current_app, jsonify, request
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from api.auth import allow, current_caller, current_visibility
from api.errors import ApiError
from api.openapi import MAX_BATCH, json_content, ref, response
from core.envelope import Draft, Event
from core.errors import InvalidEvent, LifecycleConflict, NotFound
from core.fields import PartyCode
from core.ports import IdempotencyKey
from core.queries import EventFilter, as_of_moment, find_events, settled_as_of
from core.roles import BUREAU, FOCAL_POINT, READERS
from followup.bootstrap import Services

blueprint = Blueprint(
    "events",
    __name__,
    description="The log: record events, read them back.",
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": IDEMPOTENCY_HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": "A key of your choice for this request. Sent again with the same body, "
    "the request returns the original response and records nothing more; with a "
    "different body it is refused (422). Keys are kept per token label, for good.",
}

WRITE_RESPONSES = {
    "400": response("The body is not JSON."),
    "415": response("The body is not declared as JSON in UTF-8 (Content-Type)."),
    "409": response("The event contradicts the log (a lifecycle rule); nothing was recorded."),
    "413": response("The body is too large."),
    "422": response("Invalid event: field-level messages; nothing was recorded."),
}


def services() -> Services:
    services: Services = current_app.extensions["followup"]
    return services


def json_body() -> Any:
    """The request body as JSON, or 400. It must say it is JSON in UTF-8 (415 if not:
    a form or text is not read as JSON). Oversized bodies stop at 413
    (MAX_CONTENT_LENGTH), whether announced by Content-Length or sent in chunks. JSON
    between systems is UTF-8 (RFC 8259; a byte-order mark is tolerated), and an object
    naming a field twice is refused rather than read one way or the other."""
    _check_media_type()
    data = _body_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(400, "The body is not valid JSON (not UTF-8).") from None
    try:
        return json.loads(text, parse_constant=_no_constants, object_pairs_hook=_unique_fields)
    except (ValueError, RecursionError) as error:
        detail = error.msg if isinstance(error, json.JSONDecodeError) else str(error) or "malformed"
        raise ApiError(400, f"The body is not valid JSON ({detail}).") from None


def _check_media_type() -> None:
    mimetype = request.mimetype
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if (mimetype == "application/json" or mimetype.endswith("+json")) and charset in (
        "utf-8",
        "utf8",
    ):
        return
    sent = request.content_type or "nothing"
    raise ApiError(
        415,
        f"The body must be JSON in UTF-8 (Content-Type: application/json), not {sent[:100]}.",
    )


def _body_bytes() -> bytes:
    """The whole body, at most MAX_CONTENT_LENGTH bytes (413 beyond, chunked or not)."""
    if request.content_length is not None:
        return request.get_data(cache=True)  # already checked against the limit
    limit = int(current_app.config["MAX_CONTENT_LENGTH"])
    if "wsgi.input_terminated" not in request.environ:
        return request.get_data(cache=True)  # werkzeug reads nothing it cannot bound
    # The server ends the chunked stream: read one byte past the limit to know.
    data = request.environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, f"The body is larger than {limit // (1024 * 1024)} MiB.")
    return data


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _unique_fields(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"the field {key[:60]!r} is given twice")
            seen.add(key)
    return result


def idempotency_key(body: Any) -> IdempotencyKey | None:
    """The request's idempotency key, scoped to the caller's label. The request hash
    covers the method, the path and the body in canonical JSON (keys sorted), so the
    same event sent with its fields in another order is the same request."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise ApiError(
            422,
            f"The {IDEMPOTENCY_HEADER} header must be 1 to {MAX_KEY_LENGTH} printable characters.",
            {IDEMPOTENCY_HEADER: ["Must be 1 to 255 printable characters."]},
        )
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    request_hash = hashlib.sha256(
        f"{request.method}\n{request.path}\n{canonical}".encode()
    ).hexdigest()
    return IdempotencyKey(current_caller().label, key, request_hash)


def record(drafts: Sequence[Draft], key: IdempotencyKey | None) -> list[Event]:
    caller = current_caller()
    return services().app.record_batch(
        drafts, caller.recorded_by, caller.role, idempotency=key, also=(caller.label,)
    )


def created(body: Any) -> Response:
    result = jsonify(body)
    result.status_code = 201
    return result


@blueprint.route("/events", methods=["POST"])
@allow(FOCAL_POINT, BUREAU)
@blueprint.doc(
    parameters=[IDEMPOTENCY_PARAMETER],
    requestBody={"required": True, "content": json_content(ref("NewEvent"))},
    responses={"201": response("The event as stored.", ref("RecordedEvent")), **WRITE_RESPONSES},
)
def post_event() -> Response:
    """Record one event

    The body is one flat JSON object: envelope and payload fields side by side. The
    response is the stored event with its `id`, `position`, `recorded_at` and
    `recorded_by` (your token's label)."""
    body = json_body()
    draft = services().app.validate(body)
    key = idempotency_key(body)
    try:
        event = record([draft], key)[0]
    except InvalidEvent as error:
        raise InvalidEvent(error.messages) from None
    except LifecycleConflict as error:
        raise LifecycleConflict(error.message) from None
    return created(event.to_flat())


@blueprint.route("/events/batch", methods=["POST"])
@allow(FOCAL_POINT, BUREAU)
@blueprint.doc(
    parameters=[IDEMPOTENCY_PARAMETER],
    requestBody={"required": True, "content": json_content(ref("NewEventBatch"))},
    responses={
        "201": response("The events as stored, in the order sent.", ref("RecordedEvents")),
        **WRITE_RESPONSES,
    },
)
def post_batch() -> Response:
    """Record a batch of events, all or nothing

    `{"events": [...]}`, recorded in the order given in one transaction; later events
    may build on earlier ones (sign, then enter into force). If one is refused, none is
    recorded and the error gives its `index` (from 0)."""
    body = json_body()
    if not isinstance(body, Mapping) or set(body) != {"events"}:
        raise ApiError(
            422,
            'A batch is an object with one field, "events": a list of events.',
            {"events": ['Required: {"events": [...]}, and nothing else.']},
        )
    raw_events = body["events"]
    if not isinstance(raw_events, list) or not 1 <= len(raw_events) <= MAX_BATCH:
        raise ApiError(
            422,
            f"events must be a list of 1 to {MAX_BATCH} events.",
            {"events": [f"Must be a list of 1 to {MAX_BATCH} events."]},
        )
    app = services().app
    drafts = []
    for index, raw in enumerate(raw_events):
        try:
            drafts.append(app.validate(raw))
        except InvalidEvent as error:
            raise error.at(index) from None
    events = record(drafts, idempotency_key(body))
    return created({"items": [event.to_flat() for event in events]})


class AsOf(fields.Field):
    """RFC 3339 timestamp, or a date meaning the end of that day (UTC)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> datetime:
        try:
            if not isinstance(value, str) or len(value) > 40:
                raise ValueError(value)
            return as_of_moment(value)
        except ValueError:
            raise ValidationError(
                "Not an RFC 3339 timestamp (2010-12-31T12:00:00Z) or a date (2010-12-31)."
            ) from None


class EventQuery(Schema):
    class Meta:
        unknown = RAISE

    # Bounds keep every valid query well within the server's request-line limit.
    type = fields.List(
        fields.String(
            validate=[
                validate.Length(min=1, max=60),
                validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]*$", error="Not an event type name."),
            ]
        ),
        validate=validate.Length(max=40),
        metadata={"description": "Only events of these types (repeat for several)."},
    )
    party = PartyCode(
        registrable=True, metadata={"description": "Only events that name this party."}
    )
    from_ = fields.Date(
        data_key="from", metadata={"description": "Only events that occurred on or after."}
    )
    to = fields.Date(metadata={"description": "Only events that occurred on or before."})
    as_of = AsOf(
        metadata={
            "maxLength": 40,
            "description": "The log as the system knew it then: an RFC 3339 timestamp, "
            "or a date (the end of that day, UTC).",
            "type": "string",
        },
    )
    recorded_by = fields.String(
        validate=validate.Length(min=1, max=300),
        metadata={
            "description": "Only events recorded by this person (their email, or the "
            "whole `Name <email>`) or token label."
        },
    )
    after = fields.Integer(
        validate=validate.Range(min=0, max=2**53),
        metadata={"description": "Only events after this position (the next page's cursor)."},
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=1000),
        metadata={"description": "At most this many events (1-1000, default 100)."},
    )

    @validates_schema
    def period(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        start: date | None = data.get("from_")
        end: date | None = data.get("to")
        if start is not None and end is not None and start > end:
            raise ValidationError("Must not be before from.", "to")


@blueprint.route("/events", methods=["GET"])
@allow(*sorted(READERS))
@blueprint.arguments(EventQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(
    responses={
        "200": response("Events in log order, and the next page's URL.", ref("EventPage")),
        "422": response("Invalid parameters."),
    }
)
def list_events(**query: Any) -> Response:
    """Read events

    Events you may see, in log order, filtered; at most `limit` per page. Follow `next`
    until it is null: pages are cut by position, so they never shift."""
    app = services().app
    types = frozenset(query.get("type") or ())
    unknown = sorted(types - set(app.catalogue.types))
    if unknown:
        raise ApiError(
            422,
            "Unknown event type: " + ", ".join(repr(t[:100]) for t in unknown),
            {"type": [f"Unknown event type; known types: {', '.join(app.catalogue.names())}."]},
        )
    where = EventFilter(
        types=types,
        party=query.get("party"),
        occurred_from=query.get("from_"),
        occurred_to=query.get("to"),
        recorded_by=query.get("recorded_by"),
    )
    settled = settled_as_of(app, query["as_of"]) if "as_of" in query else None
    upto = settled.position if settled is not None else None
    page = find_events(
        app,
        where,
        after=query.get("after", 0),
        upto=upto,
        limit=query["limit"],
        visible=current_visibility().at(upto),
    )
    next_url = None
    if page.next_after is not None:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "after"]
        next_url = request.path + "?" + urlencode([*args, ("after", str(page.next_after))])
    answer: dict[str, Any] = {"items": [event.to_flat() for event in page.events], "next": next_url}
    if settled is not None:
        # False: as_of is later than the log has reached; later events may join.
        answer["final"] = settled.final
    return jsonify(answer)


@blueprint.route("/events/<uuid:event_id>", methods=["GET"])
@allow(*sorted(READERS))
@blueprint.doc(
    responses={
        "200": response("The event as stored.", ref("RecordedEvent")),
        "404": response("No such event (or not one you may see)."),
    }
)
def get_event(event_id: UUID) -> Response:
    """Read one event

    An event you may not see is not found, as if it did not exist."""
    event = services().app.get_event(event_id)
    if not current_visibility().sees(event):
        raise NotFound(f"No event {event_id}.")
    return jsonify(event.to_flat())
