"""A real `followup serve` (gunicorn, several workers) on a free loopback port, for
end-to-end tests that speak real HTTP."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def store_url_for(request: Any, folder: Path) -> str:
    """The store a parametrised fixture asks for (`request.param`: "sqlite" or
    "postgresql"): a file in `folder`, or a database of the test run's cluster that is
    dropped when the fixture ends."""
    if request.param == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        database = cluster.create_database()
        request.addfinalizer(lambda: cluster.drop_database(database))
        return str(cluster.url(database))
    return f"sqlite:///{folder}/followup.sqlite"


def initialise(url: str) -> None:
    """What `followup init` does (only it creates a store; `serve` refuses none)."""
    from followup.bootstrap import bootstrap

    bootstrap(url, load_entry_points=False).close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def followup(*args: str, url: str) -> str:
    """Run the followup command on the store at `url` (created first, as `followup
    init` would); return its stdout."""
    initialise(url)
    result = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        env={**os.environ, "FOLLOWUP_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class Server:
    base: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        who: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        parts = urlsplit(self.base)
        # A report's PDF takes seconds to draw, far more on a machine shared with others.
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        sent = dict(headers or {})
        if who is not None:
            sent["Authorization"] = f"Bearer {self.tokens[who]}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            payload = response.read()
        finally:
            connection.close()
        kind = response.getheader("Content-Type", "")
        parsed = json.loads(payload) if payload and kind.startswith("application/json") else None
        return Reply(response.status, dict(response.getheaders()), parsed)

    def announce_oversized(self, path: str, length: int, who: str | None = None) -> int:
        """POST headers announcing a body of `length` bytes, send none; the status. (A
        server refuses such a body before reading it, so sending it would hit a closed
        socket.)"""
        parts = urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.putrequest("POST", path)
            connection.putheader("Content-Type", "application/json")
            connection.putheader("Content-Length", str(length))
            if who is not None:
                connection.putheader("Authorization", f"Bearer {self.tokens[who]}")
            connection.endheaders()
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def get(self, path: str, who: str | None = None) -> Reply:
        return self.request("GET", path, who=who)

    def post(self, path: str, body: Any, who: str | None = None, **headers: str) -> Reply:
        return self.request("POST", path, body, who=who, headers=headers)

    def position(self) -> int:
        """The log's last position, read from the store (health says only "ok")."""
        from followup.bootstrap import bootstrap

        services = bootstrap(self.url, load_entry_points=False)
        try:
            return services.app.head().position
        finally:
            services.close()

    def kill(self) -> None:
        """SIGKILL gunicorn's master and every worker at once (a server started with
        `own_group`), as a power cut would, and wait until none is left."""
        group = self.process.pid
        os.killpg(group, signal.SIGKILL)
        self.process.wait(timeout=15)
        deadline = time.monotonic() + 15
        while group_alive(group):
            if time.monotonic() > deadline:
                raise RuntimeError(f"process group {group} outlived SIGKILL")
            time.sleep(0.02)


def group_alive(group: int) -> bool:
    """Whether a process of the group still runs (zombies waiting to be reaped by
    init hold nothing and do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # gone meanwhile
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after ')'.
        state, _ppid, pgrp = text.rpartition(")")[2].split()[:3]
        if int(pgrp) == group and state not in ("Z", "X"):
            return True
    return False


def start(
    url: str,
    log: Path,
    workers: int = 2,
    *,
    port: int | None = None,
    own_group: bool = False,
    options: tuple[str, ...] = (),
) -> Server:
    """Start `followup serve` (on `port`, or a free one) and wait until it answers.
    `own_group` puts gunicorn's master and workers in a process group of their own, so
    that `Server.kill` can stop them all at once, as a crash would."""
    port = port or free_port()
    initialise(url)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "cli", "serve", "--port", str(port), "--workers", str(workers)),
                *options,
            ],
            env={**os.environ, "FOLLOWUP_DATABASE_URL": url},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=own_group,
        )
    server = Server(f"http://127.0.0.1:{port}", url, process, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if server.get("/api/v1/health").status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start:\n" + log.read_text())
            time.sleep(0.1)
    except BaseException:
        stop(server)
        raise
    return server


def stop(server: Server) -> None:
    """Stop the server as an operator would (SIGTERM: gunicorn stops its workers)."""
    process = server.process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@contextmanager
def serve(url: str, log: Path, workers: int = 2) -> Iterator[Server]:
    """Start `followup serve` and wait until it answers; stop it afterwards."""
    server = start(url, log, workers)
    try:
        yield server
    finally:
        stop(server)
