"""`followup serve` runs a real WSGI server on loopback; health needs no token."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(sqlite_url):
    port = free_port()
    env = {**os.environ, "FOLLOWUP_DATABASE_URL": sqlite_url}
    subprocess.run([sys.executable, "-m", "cli", "init"], env=env, check=True, timeout=60)
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/api/v1/health", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield base, process
    process.terminate()
    process.wait(timeout=10)


def test_health_is_served_by_gunicorn(server):
    base, process = server
    with urllib.request.urlopen(base + "/api/v1/health", timeout=5) as response:
        assert response.status == 200
        assert json.load(response) == {"status": "ok"}
    process.terminate()
    output = process.communicate(timeout=10)[0].decode()
    assert "gunicorn" in output.lower()
