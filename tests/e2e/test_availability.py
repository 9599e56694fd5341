"""A real `followup serve` that slow or odd clients cannot hold up, and whose every
error is JSON:

- clients sending their headers a line at a time, or their body a few bytes at a time,
  never keep /health from answering; they get 408 (JSON) once the request deadline
  passes, and no worker dies;
- a chunked body over the limit gets 413; a body not declared as JSON in UTF-8 (text,
  a form, UTF-16) gets 415, and nothing is recorded;
- gunicorn's own errors (a malformed request line, headers too large) are JSON, and so
  is the 503 a request gets when its worker is stopped (a worker timeout);
- a request that takes longer than the worker timeout (a report's PDF) is answered."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server import Server, followup, start, stop

REQUEST_TIMEOUT = 4


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("availability")
    url = f"sqlite:///{folder}/followup.sqlite"
    token = followup("token", "create", "--role", "focal_point", "--label", "fp", url=url)
    options = ("--threads", "4", "--request-timeout", str(REQUEST_TIMEOUT))
    served = start(url, folder / "server.log", workers=2, options=options)
    served.tokens["fp"] = token.strip()
    try:
        yield served
    finally:
        stop(served)


def connect(server: Server) -> socket.socket:
    host, port = server.base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], Any]:
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        headers = dict(
            line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:] if ": " in line
        )
        length = int(headers.get("Content-Length", "-1"))
        if length >= 0 and len(body) >= length:
            break
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    parsed = (
        json.loads(body) if headers.get("Content-Type", "").startswith("application/json") else body
    )
    return status, headers, parsed


def health_times(server: Server, seconds: float) -> list[float]:
    """How long /health took to answer, asked every 0.2 s for `seconds`."""
    took = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        assert server.get("/api/v1/health").status == 200
        took.append(time.monotonic() - started)
        time.sleep(0.2)
    return took


def slow_headers(server: Server, results: list[Any]) -> None:
    sock = connect(server)
    try:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        for n in range(REQUEST_TIMEOUT * 3):
            time.sleep(1)
            sock.sendall(f"X-Slow-{n}: yes\r\n".encode())
    except OSError:
        pass  # cut off: the answer is waiting to be read
    try:
        results.append(read_response(sock))
    finally:
        sock.close()


def slow_body(server: Server, results: list[Any]) -> None:
    sock = connect(server)
    try:
        sock.sendall(
            b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {server.tokens['fp']}\r\n".encode()
            + b"Content-Length: 1000\r\n\r\n{"
        )
        for _ in range(REQUEST_TIMEOUT * 3):
            time.sleep(1)
            sock.sendall(b" ")
    except OSError:
        pass
    try:
        results.append(read_response(sock))
    finally:
        sock.close()


def workers_of(server: Server) -> set[int]:
    master = server.process.pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def test_slow_clients_never_keep_health_from_answering(server: Server):
    workers = workers_of(server)
    results: list[Any] = []
    clients = [
        threading.Thread(target=target, args=(server, results))
        for target in (slow_headers, slow_headers, slow_body, slow_body)
    ]
    for client in clients:
        client.start()
    time.sleep(0.5)
    took = health_times(server, REQUEST_TIMEOUT + 2)
    for client in clients:
        client.join(timeout=60)
    assert max(took) < 2.0, took  # never the request deadline (4 s); a busy machine is slow
    assert len(results) == 4
    for status, headers, body in results:
        assert status == 408 and headers["Content-Type"] == "application/json", body
        assert body["code"] == 408 and "did not arrive in time" in body["message"]
    assert workers_of(server) == workers  # none died, none was restarted


def chunked(server: Server, size: int, content_type: str = "application/json") -> Any:
    sock = connect(server)
    try:
        sock.sendall(
            b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            + f"Content-Type: {content_type}\r\n".encode()
            + f"Authorization: Bearer {server.tokens['fp']}\r\n\r\n".encode()
        )
        event = json.dumps(
            {
                "type": "HighLevelVisit",
                "occurred_on": "2020-01-01",
                "organ": "registry",
                "host": "KEN",
            }
        ).encode()
        body = event[:-1] + b" " * max(0, size - len(event)) + b"}"
        try:
            for start in range(0, len(body), 65536):
                piece = body[start : start + 65536]
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # refused before the end: the answer is waiting
        return read_response(sock)
    finally:
        sock.close()


def test_a_chunked_body_over_the_limit_gets_413(server: Server):
    before = server.position()
    status, headers, body = chunked(server, 6 * 1024 * 1024)
    assert status == 413 and headers["Content-Type"] == "application/json"
    assert body["code"] == 413
    assert server.position() == before
    status, _, body = chunked(server, 2000)
    assert status == 201, body
    assert server.position() == before + 1


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=utf-16",
        None,
    ],
)
def test_a_body_not_declared_as_json_in_utf8_gets_415(server: Server, content_type: str | None):
    before = server.position()
    event = {
        "type": "HighLevelVisit",
        "occurred_on": "2020-01-01",
        "organ": "registry",
        "host": "KEN",
    }
    raw = json.dumps(event).encode("utf-16" if content_type and "16" in content_type else "utf-8")
    headers = {"Content-Type": content_type} if content_type else {}
    reply = server.request("POST", "/api/v1/events", who="fp", headers=headers, raw=raw)
    assert reply.status == 415, reply.body
    assert reply.body["code"] == 415 and "application/json" in reply.body["message"]
    assert server.position() == before


def test_a_client_expecting_100_continue_is_told_to_go_on(server: Server):
    """As curl does for bodies over a kilobyte: headers, then wait for 100 Continue."""
    event = {"type": "HighLevelVisit", "occurred_on": "2020-01-01", "organ": "registry"}
    body = json.dumps({**event, "host": "KEN", "summary": "x" * 2000}).encode()
    sock = connect(server)
    try:
        sock.sendall(
            b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {server.tokens['fp']}\r\n".encode()
            + f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n".encode()
        )
        sock.settimeout(REQUEST_TIMEOUT - 1)
        assert sock.recv(25) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        sock.settimeout(30)
        data = b""
        while b"\r\n\r\n{" not in data or not data.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    final = data[data.index(b"HTTP/1.1 2") :]  # after any further 100 Continue
    assert final.startswith(b"HTTP/1.1 201"), data[:200]


def raw_exchange(server: Server, data: bytes) -> Any:
    sock = connect(server)
    try:
        sock.sendall(data)
        return read_response(sock)
    finally:
        sock.close()


def test_gunicorns_own_errors_are_json(server: Server):
    for data, status in [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", 431),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    ]:
        got, headers, body = raw_exchange(server, data)
        assert got == status, body
        assert headers["Content-Type"] == "application/json"
        assert body["code"] == status and body["message"]


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One worker with a 2-second worker timeout, over a log with a report to draw
    (which takes longer than that)."""
    from followup.bootstrap import bootstrap
    from tests.report_history import record

    folder = tmp_path_factory.mktemp("reporting")
    url = f"sqlite:///{folder}/followup.sqlite"
    token = followup("token", "create", "--role", "bureau", "--label", "bureau", url=url)
    services = bootstrap(url, load_entry_points=False)
    record(services.app)
    services.close()
    served = start(url, folder / "server.log", workers=1, options=("--worker-timeout", "2"))
    served.tokens["bureau"] = token.strip()
    try:
        yield served
    finally:
        stop(served)


REPORT = "/api/v1/reports/annual/2024.pdf?draft=true"  # a draft needs no heading settings


def test_a_request_longer_than_the_worker_timeout_is_answered(reporting: Server):
    workers = workers_of(reporting)
    started = time.monotonic()
    reply = reporting.request("GET", REPORT, who="bureau")
    assert reply.status == 200 and reply.headers["Content-Type"] == "application/pdf"
    assert time.monotonic() - started > 2  # longer than the worker timeout...
    assert workers_of(reporting) == workers  # ...and its worker was not stopped


def test_a_stopped_worker_answers_its_requests_503_json(reporting: Server):
    (worker,) = workers_of(reporting)
    sock = connect(reporting)
    sock.sendall(
        f"GET {REPORT} HTTP/1.1\r\nHost: x\r\n".encode()
        + f"Authorization: Bearer {reporting.tokens['bureau']}\r\n\r\n".encode()
    )
    time.sleep(1)  # the report is being drawn
    os.kill(worker, signal.SIGABRT)  # what the arbiter does on a worker timeout
    status, headers, body = read_response(sock)
    sock.close()
    assert status == 503 and headers["Content-Type"] == "application/json"
    assert "worker timeout" in body["message"]
