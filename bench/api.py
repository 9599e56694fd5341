"""POST /events over real HTTP against a direct call of the application service, in
the same run on the same kind of store (SQLite files in a temporary folder).

    python -m bench.api [--events N] [--workers W]

Figures: single-event throughput (target >= 0.3x direct), p50 (target <= 5 ms) and
p99 latency, and the per-event throughput of a batch of 100 (target >= 0.8x direct).
Throughputs are those of a typical call (1 / median time), with the mean-based ones
beside them. One client sends one request at a time, as the focal point does; every
request is a new connection (gunicorn's sync workers close each one). Direct and HTTP
calls alternate, so a busy moment of the machine weighs on both alike.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import Figure, publish
from followup.bootstrap import bootstrap

HOSTS = ("KEN", "UGA", "NLD", "FRA", "DEU", "ETH", "COD", "SEN", "BRA", "JPN")
BATCH = 100
#: How `make bench` drives it (bench/__main__.py): full, and quick (under a minute).
FULL_ARGS = ("--events", "1000")
QUICK_ARGS = ("--events", "300")


def sample_events(count: int, salt: str) -> list[dict[str, Any]]:
    """Events without lifecycles (each opens its own dossier), in a few shapes."""
    events: list[dict[str, Any]] = []
    for i in range(count):
        day = f"{2008 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}"  # recommendations: from 2008
        host = HOSTS[i % len(HOSTS)]
        shape = i % 3
        if shape == 0:
            event = {
                "type": "HighLevelVisit",
                "occurred_on": day,
                "organ": "registry",
                "host": host,
            }
        elif shape == 1:
            event = {
                "type": "StatementDelivered",
                "occurred_on": day,
                "speaker": host,
                "forum": "general_assembly",
                "topic": "cooperation",
            }
        else:
            event = {
                "type": "WorkshopHeld",
                "occurred_on": day,
                "title": f"Seminar {salt}-{i}",
                "organiser": "AU",
                "participants": [host, "UGA"],
                "attendees": 30,
                "topics": ["cooperation"],
                "recommendations": [4],
            }
        event["summary"] = f"{salt} {i}"
        events.append(event)
    return events


def timed(calls: list[Callable[[], Any]]) -> tuple[list[float], float]:
    """Latency of each call (seconds) and the total wall time."""
    latencies = []
    start = time.perf_counter()
    for call in calls:
        t0 = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - t0)
    return latencies, time.perf_counter() - start


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str, workers: int, log: Path) -> Iterator[int]:
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", str(workers)],
            env={**os.environ, "FOLLOWUP_DATABASE_URL": url},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if request(port, "GET", "/api/v1/health", None, "")[0] == 200:
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start:\n" + log.read_text()) from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


def request(port: int, method: str, path: str, body: Any, token: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        data = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def posted(port: int, path: str, body: Any, token: str) -> Callable[[], None]:
    """A POST ready to send: the request's bytes are prepared beforehand and the reply
    read off the socket, as a load generator does, so what is timed is the server and
    the loopback, not this client's JSON encoding or http.client's header parsing."""
    data = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    ).encode()
    message = head + data

    def call() -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            connection.sendall(message)
            reply = bytearray()
            while chunk := connection.recv(65536):
                reply += chunk
        status = bytes(reply[9:12])
        if status != b"201":
            raise RuntimeError(f"POST {path}: {bytes(reply[:300])!r}")

    return call


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", "--size", type=int, default=500, dest="events")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    count = max(args.events, 10)
    batches = max(10, count // BATCH)

    direct_latencies: list[float] = []
    http_latencies: list[float] = []
    direct_batches: list[float] = []
    http_batches: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-api-") as folder:
        # Direct: the application service in this process, on its own SQLite file.
        direct = bootstrap(f"sqlite:///{folder}/direct.sqlite", load_entry_points=False)
        app = direct.app
        # HTTP: `followup serve` on loopback, on another SQLite file.
        url = f"sqlite:///{folder}/http.sqlite"
        setup = bootstrap(url, load_entry_points=False)
        token = setup.tokens.create("bench", "focal_point", "bench")
        setup.close()
        with server(url, args.workers, Path(folder) / "server.log") as port:
            for raw in sample_events(20, "warm"):
                app.record_raw(raw, "bench", "focal_point")
                posted(port, "/api/v1/events", raw, token)()
            # Direct and HTTP calls alternate one by one, so a busy moment of the
            # machine (other processes, a slow disk sync) weighs on both alike.
            pairs = zip(sample_events(count, "direct"), sample_events(count, "http"), strict=True)
            for mine, theirs in pairs:
                direct_latencies += timed([lambda raw=mine: app.record_raw(raw, "bench")])[0]
                http_latencies += timed([posted(port, "/api/v1/events", theirs, token)])[0]
            for b in range(batches):
                chunk = sample_events(BATCH, f"direct-batch-{b}")
                direct_batches += timed(
                    [lambda chunk=chunk: app.record_batch([app.validate(r) for r in chunk], "b")]
                )[0]
                body = {"events": sample_events(BATCH, f"http-batch-{b}")}
                http_batches += timed([posted(port, "/api/v1/events/batch", body, token)])[0]
        direct.close()

    ms = 1000.0
    # Rates of a typical request (1 / median latency): one stall of this shared machine
    # does not decide. The mean-based rates follow, for comparison.
    direct_rate = 1 / statistics.median(direct_latencies)
    http_rate = 1 / statistics.median(http_latencies)
    http_p50 = percentile(http_latencies, 50) * ms
    direct_batch_rate = BATCH / statistics.median(direct_batches)
    http_batch_rate = BATCH / statistics.median(http_batches)
    figures = [
        Figure(
            "POST /events throughput",
            http_rate,
            "events/s",
            baseline=direct_rate,
            target=">= 0.3x direct",
            met=http_rate >= 0.3 * direct_rate,
        ),
        Figure(
            "POST /events p50 latency",
            http_p50,
            "ms",
            baseline=percentile(direct_latencies, 50) * ms,
            target="<= 5 ms",
            met=http_p50 <= 5,
        ),
        Figure(
            "POST /events p99 latency",
            percentile(http_latencies, 99) * ms,
            "ms",
            baseline=percentile(direct_latencies, 99) * ms,
        ),
        Figure(
            f"POST /events/batch ({BATCH}) per event",
            http_batch_rate,
            "events/s",
            baseline=direct_batch_rate,
            target=">= 0.8x direct",
            met=http_batch_rate >= 0.8 * direct_batch_rate,
        ),
        Figure(
            "POST /events throughput (mean)",
            len(http_latencies) / sum(http_latencies),
            "events/s",
            baseline=len(direct_latencies) / sum(direct_latencies),
        ),
        Figure(
            f"POST /events/batch ({BATCH}) per event (mean)",
            BATCH * len(http_batches) / sum(http_batches),
            "events/s",
            baseline=BATCH * len(direct_batches) / sum(direct_batches),
        ),
    ]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{count} events one at a time, {batches} batches of {BATCH}, "
        f"{args.workers} workers; load average {load} on {os.cpu_count()} CPUs"
    )
    return figures


def _chunks(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [events[i : i + BATCH] for i in range(0, len(events), BATCH)]


if __name__ == "__main__":
    publish("api", main())
