"""Clients that record events concurrently over real HTTP as a careful client does, and
the checks of what the log holds afterwards (tests/e2e/test_server_load.py and
test_server_crash.py).

Each client has its own token and sends its events one at a time, each with its own
`Idempotency-Key`. A connection error (the server gone, refused, reset, timed out) or a
503 (the store busy) is retried with the same key and body until the server answers;
anything else is the answer. So an event whose first attempt was recorded but whose
reply was lost is answered, on retry, with the original event: never recorded twice.
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from core.roles import FOCAL_POINT
from followup.bootstrap import bootstrap

RETRYABLE_STATUSES = frozenset({503})
PATH = "/api/v1/events"
HOSTS = ("KEN", "UGA", "NLD", "FRA", "DEU", "ETH", "COD", "SEN", "BRA", "JPN")


def planned_event(client: int, number: int) -> dict[str, Any]:
    """The `number`th event of a client: a signature, then that agreement's entry into
    force (a lifecycle, so a retry recorded twice would be refused with 409, not
    hidden), then events without lifecycle. Every summary is unique."""
    first_of_five = number - number % 5
    # The entry into force shares the signature's date (never before it).
    day = f"{2008 + first_of_five % 15}-{1 + first_of_five % 12:02d}-{1 + first_of_five % 28:02d}"
    summary = f"load client {client} event {number}"
    agreement = f"LOAD-{client}-{first_of_five}"
    host = HOSTS[(client + number) % len(HOSTS)]
    shapes: list[dict[str, Any]] = [
        {
            "type": "AgreementSigned",
            "agreement": agreement,
            "kind": "cooperation",
            "parties": [host],
            "title": f"Cooperation agreement {agreement}",
        },
        {"type": "AgreementEnteredIntoForce", "agreement": agreement},
        {"type": "HighLevelVisit", "organ": "registry", "host": host},
        {
            "type": "WorkshopHeld",
            "title": f"Seminar {client}-{number}",
            "organiser": "AU",
            "participants": [host, "UGA"],
            "attendees": number % 90,
            "topics": ["cooperation"],
            "recommendations": [4],
        },
        {
            "type": "StatementDelivered",
            "speaker": host,
            "forum": "general_assembly",
            "topic": "cooperation",
        },
    ]
    return {**shapes[number % 5], "occurred_on": day, "summary": summary}


@dataclass
class Client:
    """One client's plan and what happened to it."""

    number: int
    label: str
    token: str
    events: int
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> event
    retries: Counter[str] = field(default_factory=Counter)  # why -> how often
    refused: list[tuple[str, int, Any]] = field(default_factory=list)
    gave_up: str | None = None

    def key(self, number: int) -> str:
        return f"{self.label}-event-{number}"


def issue_client_tokens(url: str, count: int, events: int) -> list[Client]:
    """`count` clients, each a focal point with a token of its own, `events` to send."""
    services = bootstrap(url, load_entry_points=False)
    try:
        tokens = services.tokens
        return [
            Client(n, f"load-{n}", tokens.create(f"load-{n}", FOCAL_POINT, "load test"), events)
            for n in range(count)
        ]
    finally:
        services.close()


def post(port: int, token: str, key: str, body: dict[str, Any]) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            PATH,
            body=json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
        )
        response = connection.getresponse()
        data = response.read()
        try:
            return response.status, json.loads(data)
        except ValueError:
            return response.status, data[:300]
    finally:
        connection.close()


class Tally:
    """Events acknowledged so far, by all clients."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def add(self) -> None:
        with self.lock:
            self.count += 1


def run_client(client: Client, port: int, deadline: float, tally: Tally) -> None:
    for number in range(client.events):
        body = planned_event(client.number, number)
        key = client.key(number)
        while True:
            if time.monotonic() > deadline:
                client.gave_up = f"deadline passed at event {number}"
                return
            try:
                status, reply = post(port, client.token, key, body)
            except (OSError, http.client.HTTPException) as error:
                client.retries[type(error).__name__] += 1
                time.sleep(0.05)
                continue
            if status in RETRYABLE_STATUSES:
                client.retries[str(status)] += 1
                time.sleep(0.05)
                continue
            if status == 201:
                client.acknowledged[key] = reply
                tally.add()
            else:
                client.refused.append((key, status, reply))
            break


class Load:
    """Clients running in threads against `port` (which may go down and come back)."""

    def __init__(self, clients: list[Client], port: int, seconds: float) -> None:
        self.clients = clients
        self.tally = Tally()
        deadline = time.monotonic() + seconds
        self.threads = [
            threading.Thread(target=run_client, args=(c, port, deadline, self.tally), daemon=True)
            for c in clients
        ]

    def start(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def acknowledged(self) -> int:
        return self.tally.count

    def wait_for(self, count: int, seconds: float) -> None:
        """Until `count` events are acknowledged in all (or every client stopped)."""
        deadline = time.monotonic() + seconds
        while self.acknowledged() < count and any(t.is_alive() for t in self.threads):
            if time.monotonic() > deadline:
                raise AssertionError(f"only {self.acknowledged()} of {count} acknowledged")
            time.sleep(0.02)

    def join(self) -> None:
        for thread in self.threads:
            thread.join()

    def retries(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for client in self.clients:
            total.update(client.retries)
        return total


def assert_every_event_acknowledged(clients: list[Client]) -> None:
    for client in clients:
        assert client.gave_up is None, (client.label, client.gave_up)
        assert client.refused == [], (client.label, client.refused[:3])
        assert len(client.acknowledged) == client.events, client.label


def assert_log_holds_exactly(url: str, clients: list[Client]) -> int:
    """The log holds every acknowledged event once, as acknowledged, nothing else from
    these clients; positions strictly increase; the chain verifies (`followup verify`).
    Returns the number of events in the log."""
    labels = {client.label: client for client in clients}
    services = bootstrap(url, load_entry_points=False)
    try:
        log = list(services.app.read_log())
        verdict = services.app.verify()
    finally:
        services.close()
    positions = [event.position for event in log]
    assert all(a < b for a, b in pairwise(positions)), "positions"
    assert len({event.id for event in log}) == len(log)
    ours = [event for event in log if event.recorded_by in labels]
    expected = sum(client.events for client in clients)
    summaries = Counter(event.summary for event in ours)
    doubled = [summary for summary, n in summaries.items() if n > 1]
    assert doubled == [], f"recorded more than once: {doubled[:5]}"
    assert len(ours) == expected, (len(ours), expected)
    stored = {str(event.id): event for event in ours}
    for client in clients:
        for number in range(client.events):
            reply = client.acknowledged[client.key(number)]
            event = stored.get(reply["id"])
            assert event is not None, ("acknowledged, not stored", reply)
            assert event.position == reply["position"]
            assert event.recorded_by == client.label
            assert event.summary == planned_event(client.number, number)["summary"]
    assert verdict.ok, verdict.describe()
    assert verdict.count == len(log)
    # And as the operator checks it: the command line.
    result = subprocess.run(
        [sys.executable, "-m", "cli", "verify", "--database-url", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.match(rf"OK {len(log)} events, head [0-9a-f]+", result.stdout), result.stdout
    return len(log)
