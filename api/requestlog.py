"""One JSON line per request on the ``followup.requests`` logger: method, path, status,
duration and the caller's label. Never the token, the Authorization header or a body."""

from __future__ import annotations

import json
import logging
import os
import time

from flask import Flask, Response, g, request

from core.clock import format_timestamp, utc_now

log = logging.getLogger("followup.requests")


def install(app: Flask) -> None:
    @app.before_request
    def start_clock() -> None:
        g.followup_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        if log.isEnabledFor(logging.INFO):
            started = g.get("followup_started")
            caller = g.get("followup_caller")
            entry = {
                "time": format_timestamp(utc_now()),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": (
                    round((time.perf_counter() - started) * 1000, 3) if started else None
                ),
                "label": caller.label if caller is not None else None,
                "pid": os.getpid(),
            }
            log.info(json.dumps(entry))
        return response


def log_to_stderr() -> None:
    """Send the request log to stderr as bare JSON lines (for `followup serve`)."""
    if any(getattr(h, "_followup", False) for h in log.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler._followup = True  # type: ignore[attr-defined]
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
