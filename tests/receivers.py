"""Real receivers on loopback for the notifiers' tests: an SMTP server (aiosmtpd) that
keeps the messages it accepts, and an HTTP server that checks each webhook's signature
on its own (not with our code) and answers with the statuses it is told to."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(*, password: str | None = None) -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1; with `password`, it requires AUTH LOGIN/PLAIN with
    user ``followup`` and that password (over plain text: loopback only)."""
    box = Mailbox(free_port())
    extra: dict[str, Any] = {}
    if password is not None:

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login == b"followup"
                and auth_data.password == password.encode()
            )
            if ok:
                box.logins.append(auth_data.login.decode())
            # handled=False: the server itself answers (535 when refused).
            return AuthResult(success=ok, handled=False)

        extra = {"authenticator": authenticate, "auth_require_tls": False, "auth_required": True}
    controller = Controller(box, hostname="127.0.0.1", port=box.port, **extra)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Hook:
    """What the webhook receiver saw. `answers` are the statuses of the next requests
    (then 200); `verified` says, per request, whether its signature held."""

    url: str
    secret: bytes
    answers: list[int] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    verified: list[bool] = field(default_factory=list)
    times: list[float] = field(default_factory=list)


def independent_check(secret: bytes, headers: Any, body: bytes) -> bool:
    """The receiver's side of the contract, written from the README, not our code."""
    timestamp = headers.get("X-Followup-Timestamp", "")
    given = headers.get("X-Followup-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
        return False
    expected = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, given)


@contextmanager
def webhook_receiver(secret: bytes) -> Iterator[Hook]:
    port = free_port()
    hook = Hook(f"http://127.0.0.1:{port}/hooks/followup", secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            hook.times.append(time.monotonic())
            hook.verified.append(independent_check(hook.secret, self.headers, body))
            hook.requests.append(
                {"headers": dict(self.headers), "body": json.loads(body), "raw": body}
            )
            status = hook.answers.pop(0) if hook.answers else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
