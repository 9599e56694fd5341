"""How `followup serve` serves: gunicorn's threaded workers, made hard to hold up.

- A worker's main thread accepts connections and keeps its heartbeat; requests run on
  a pool of threads. A request is handed to a thread only once it has arrived whole,
  headers and body (`arrived`): until then the connection waits in the main loop,
  holding no thread, so clients sending a header line every few seconds, or a body a
  byte at a time, hold up nobody. Each request must arrive within `request_timeout`
  seconds of its first byte, or it gets 408 (a body too large to wait for is read
  within the same deadline: `DeadlineSocket`).
- Every error is JSON, the body of every other error of the API
  (``{"code", "status", "message"}``): those gunicorn writes itself (a malformed
  request line, headers too large, a request too slow) and, when the arbiter stops a
  worker that stopped answering (a worker timeout), a 503 to each request it was
  serving.

In production, put a reverse proxy in front (README, "Serving"): it buffers slow
clients before they reach a worker at all.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import threading
import time
from http import HTTPStatus
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import _DEFER, ThreadWorker

from api import DEFAULTS
from api.errors import RequestTimeout

#: Seconds a request may take to arrive, headers and body, from its first byte.
REQUEST_TIMEOUT = 30.0


#: Bytes of headers read before the request is handed on anyway (the parser then
#: refuses it: gunicorn's limits are far lower).
HEAD_LIMIT = 256 * 1024
#: A body is read in whole before the request is handed on up to this size (the API's
#: limit): a slow client never holds a thread; beyond, the API refuses it at once.
BODY_LIMIT = int(DEFAULTS["MAX_CONTENT_LENGTH"])

_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*([0-9]{1,12})[ \t]*\r\n")
_EXPECT_CONTINUE = re.compile(rb"(?i)\r\nexpect[ \t]*:[ \t]*100-continue[ \t]*\r\n")
_CHUNKED = re.compile(rb"\r\ntransfer-encoding[ \t]*:[^\r]*chunked")


def arrived(conn: Any) -> bool:
    """Read what the client has sent, without waiting, into the connection's parser;
    whether its request is there whole (headers, and a body of up to BODY_LIMIT
    bytes), or the client closed, or it is too large to wait for. Notes when the
    request's first bytes came (`request_started`)."""
    if not conn.initialized:
        conn.init()  # the parser, over the connection's socket; nothing read yet
    unreader = conn.parser.unreader
    buffered = bytearray(unreader.take_buffered())
    raw = conn.sock._sock
    closed = False
    raw.setblocking(False)
    try:
        while len(buffered) <= HEAD_LIMIT + BODY_LIMIT:
            data = raw.recv(65536)
            if not data:
                closed = True
                break
            buffered += data
    except (BlockingIOError, InterruptedError):
        pass
    except OSError:
        closed = True
    finally:
        raw.setblocking(True)
    unreader.unread(bytes(buffered))
    if buffered and getattr(conn, "request_started", None) is None:
        conn.request_started = time.monotonic()
    if closed or whole(buffered):
        return True
    end = buffered.find(b"\r\n\r\n")
    head = b"\r\n" + bytes(buffered[:end]) + b"\r\n"
    if end >= 0 and _EXPECT_CONTINUE.search(head) and not getattr(conn, "continued", False):
        # The client waits for this before it sends its body (gunicorn would send it
        # only once the body is read: too late; a client may see two, as HTTP allows).
        conn.continued = True
        with contextlib.suppress(OSError):
            raw.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    return False


def whole(buffered: bytes | bytearray) -> bool:
    """Whether the bytes hold a request's headers and body (or more than is worth
    waiting for: the parser and the API refuse those at once)."""
    end = buffered.find(b"\r\n\r\n")
    if end < 0:
        return len(buffered) > HEAD_LIMIT
    head = b"\r\n" + buffered[:end].lower() + b"\r\n"
    body = len(buffered) - end - 4
    length = _CONTENT_LENGTH.search(head)
    if _CHUNKED.search(head):
        return body > BODY_LIMIT or buffered.endswith(b"0\r\n\r\n")
    if length is not None:
        wanted = int(length.group(1))
        return wanted > BODY_LIMIT or body >= wanted
    return True


def json_error(status: int, message: str) -> bytes:
    """A whole HTTP response carrying the API's error body; the connection closes."""
    reason = HTTPStatus(status).phrase
    body = json.dumps({"code": status, "status": reason, "message": message}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own error page (util.write_error), as JSON."""
    util.write_nonblock(sock, json_error(status_int, mesg or reason))


class DeadlineSocket:
    """A client's socket whose reads wait at most until the current request's
    deadline; everything else is the socket's own."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline: float | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def recv(self, size: int, *flags: int) -> bytes:
        if self.deadline is None:
            return self._sock.recv(size, *flags)
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise RequestTimeout
        self._sock.settimeout(remaining)
        try:
            return self._sock.recv(size, *flags)
        except TimeoutError:
            raise RequestTimeout from None
        finally:
            self._sock.settimeout(None)


class Worker(ThreadWorker):
    """gunicorn's gthread worker with a deadline on reading each request and JSON
    errors (see the module's docstring)."""

    request_timeout = REQUEST_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._serving: set[Any] = set()
        self._serving_lock = threading.Lock()

    def init_process(self) -> None:
        util.write_error = write_json_error  # gunicorn's error pages, in this process
        super().init_process()

    def handle(self, conn: Any) -> Any:
        """Serve a request once it has arrived whole; until then, hand the
        connection back to the main loop (it waits there without a thread), and
        answer 408 when its deadline passes."""
        if not isinstance(conn.sock, DeadlineSocket):
            conn.sock = DeadlineSocket(conn.sock)
        now = time.monotonic()
        if not arrived(conn):
            started = getattr(conn, "request_started", None)
            if started is not None and now - started > self.request_timeout:
                self.handle_error(None, conn.sock, conn.client, RequestTimeout())
                return False
            return _DEFER
        started = getattr(conn, "request_started", None) or now
        conn.sock.deadline = started + self.request_timeout
        conn.continued = False
        with self._serving_lock:
            self._serving.add(conn)
        try:
            return super().handle(conn)
        finally:
            conn.sock.deadline = None
            conn.request_started = None
            with self._serving_lock:
                self._serving.discard(conn)

    def finish_request(self, conn: Any, fs: Any) -> None:
        super().finish_request(conn, fs)
        started = getattr(conn, "request_started", None)
        if started is not None and conn in self.pending_conns:
            # A request under way waits for the rest until its deadline (then 408),
            # not merely as long as an idle connection would be kept.
            conn.timeout = started + self.request_timeout

    def murder_pending(self) -> None:
        """Close the connections waiting too long: silently those that never sent
        anything, with a 408 those whose request did not arrive in time."""
        now = time.monotonic()
        for conn in [c for c in self.pending_conns if c.timeout <= now]:
            self.pending_conns.remove(conn)
            with contextlib.suppress(OSError, KeyError, ValueError):
                self.poller.unregister(conn.sock)
            if getattr(conn, "request_started", None) is not None:
                self.handle_error(None, conn.sock, conn.client, RequestTimeout())
            self.nr_conns -= 1
            conn.close()

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        if isinstance(exc, RequestTimeout):
            self.log.warning(
                "Request from %s did not arrive within %.0f s: closed",
                (addr or ("",))[0],
                self.request_timeout,
            )
            with contextlib.suppress(OSError):
                util.write_nonblock(client, json_error(408, str(exc)))
            return
        super().handle_error(req, client, addr, exc)

    def handle_abort(self, sig: int, frame: Any) -> None:
        """The arbiter stops a worker that stopped answering (a worker timeout): each
        request it was serving gets a 503, as JSON, before it goes."""
        self.alive = False
        with self._serving_lock:
            serving = list(self._serving)
        stopped = json_error(503, "The server stopped this request (worker timeout); try again.")
        for conn in serving:
            with contextlib.suppress(OSError):
                util.write_nonblock(conn.sock, stopped)
        self.cfg.worker_abort(self)
        sys.exit(1)


def worker_class(request_timeout: float) -> type[Worker]:
    """The worker, with this deadline for a request to arrive."""
    return type("Worker", (Worker,), {"request_timeout": request_timeout})
