"""The one error handler: every failure is a JSON body
``{"code", "status", "message", "errors"?, "index"?}`` with the status that says what
went wrong. Domain errors map to statuses here and nowhere else; no request that fails
has appended anything (the core records all or nothing)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from eventsourcing.persistence import PersistenceError
from flask import Flask, Response, jsonify
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from core.errors import (
    DamagedLog,
    FollowupError,
    Forbidden,
    IdempotencyMismatch,
    InvalidEvent,
    LifecycleConflict,
    NotFound,
    StoreError,
    store_failure,
)

log = logging.getLogger("followup.api")


class ErrorSchema(Schema):
    """The body of every error response (documentation only)."""

    code = fields.Integer(required=True, metadata={"description": "The HTTP status."})
    status = fields.String(required=True, metadata={"description": "Its name."})
    message = fields.String(required=True, metadata={"description": "What is wrong, in words."})
    errors = fields.Dict(
        metadata={
            "description": "Field-level messages, as {field: [message, ...]}; for a batch, "
            'under {"events": {index: {field: [...]}}}.'
        }
    )
    index = fields.Integer(
        metadata={"description": "For a batch: the 0-based index of the event at fault."}
    )


class RequestTimeout(Exception):
    """The request (headers and body) did not arrive within the server's deadline
    (api.serving)."""

    def __str__(self) -> str:
        return "The request did not arrive in time (headers and body); send it again."


class ApiError(Exception):
    """An error raised by a view with its status and body parts."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: Mapping[str, Any] | None = None,
        index: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.index = index
        self.headers = dict(headers or {})


def error_response(
    status: int,
    message: str,
    errors: Mapping[str, Any] | None = None,
    index: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "message": message,
    }
    if errors is not None:
        body["errors"] = dict(errors)
    if index is not None:
        body["index"] = index
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _in_batch(messages: Mapping[str, Any], index: int | None) -> Mapping[str, Any]:
    return messages if index is None else {"events": {str(index): dict(messages)}}


def handle_api_error(error: ApiError) -> Response:
    return error_response(error.status, error.message, error.errors, error.index, error.headers)


def handle_followup_error(error: FollowupError) -> Response:
    if isinstance(error, InvalidEvent):
        return error_response(
            422, error.describe(), _in_batch(error.messages, error.index), error.index
        )
    if isinstance(error, LifecycleConflict):
        return error_response(409, str(error), index=error.index)
    if isinstance(error, IdempotencyMismatch):
        return error_response(422, str(error), {"Idempotency-Key": [str(error)]})
    if isinstance(error, Forbidden):
        return error_response(403, str(error))
    if isinstance(error, NotFound):
        return error_response(404, str(error))
    if isinstance(error, DamagedLog):
        # Logged as the alarm where it was found (core.intact); the position is named.
        return error_response(503, f"Refused: {error}.")
    if isinstance(error, StoreError):
        log.error("store error: %s", error)
        return error_response(503, "The store is not available; try again later.")
    return error_response(400, str(error))


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    # webargs (query parameters) puts field messages under data["messages"] by location.
    messages = data.get("messages")
    errors: dict[str, Any] | None = None
    if isinstance(messages, Mapping):
        errors = {}
        for by_location in messages.values():
            errors.update(by_location if isinstance(by_location, Mapping) else {})
    message = data.get("message") or error.description or HTTPStatus(status).phrase
    if errors and status == 422:
        message = "Invalid parameters: " + ", ".join(sorted(errors))
    headers = {}
    if status == 405 and error.get_response().headers.get("Allow"):
        headers["Allow"] = error.get_response().headers["Allow"]
    return error_response(status, str(message), errors, headers=headers)


def handle_unexpected(error: Exception) -> Response:
    if isinstance(error, RequestTimeout):
        return error_response(408, str(error), headers={"Connection": "close"})
    if isinstance(error, PersistenceError):
        # The store refused (a full disk, a read-only file, a lost connection): the
        # transaction was rolled back, and the client may try again later.
        log.error("store error: %s", error)
        return error_response(503, f"Not available: {store_failure(error)}; try again later.")
    log.exception("unexpected error")
    return error_response(500, "Internal error; it has been logged.")


def register_error_handlers(app: Flask) -> None:
    """Install the handlers (after flask-smorest's, which they replace)."""
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(FollowupError, handle_followup_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
