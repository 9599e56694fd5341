"""Crash safety: a process appending events in a loop is killed (SIGKILL) many times,
at random moments, on SQLite and on PostgreSQL. After every kill, each event whose
append had returned is in the store, the chain verifies, and the store opens and takes
new events as usual."""

from __future__ import annotations

import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import pytest

from followup.bootstrap import bootstrap

KILLS = 20
CHILD = Path(__file__).resolve().parent.parent / "crash_child.py"


def appended_until_killed(url: str, seed: int, rng: random.Random) -> list[tuple[int, UUID]]:
    """Start the appender, kill it at a random moment, return what it acknowledged."""
    child = subprocess.Popen(
        [sys.executable, str(CHILD), url, str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 30)
        assert ready, "the appender did not start"
        assert child.stdout.readline() == b"ready\n", child.stderr.read() if child.stderr else ""
        time.sleep(rng.uniform(0.02, 0.4))
        child.send_signal(signal.SIGKILL)
        output, errors = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL, errors.decode(errors="replace")
    # A line cut by the kill (no newline yet) was not acknowledged.
    acknowledged = []
    for line in output.decode().split("\n")[:-1]:
        position, event = line.split()
        acknowledged.append((int(position), UUID(event)))
    return acknowledged


def assert_intact(url: str, acknowledged: list[tuple[int, UUID]]) -> int:
    services = bootstrap(url, load_entry_points=False)
    try:
        app = services.app
        for position, event in acknowledged:
            record = app.log.find_record(event)
            assert record is not None, f"acknowledged event {event} at {position} is lost"
            assert record.position == position
        verdict = app.verify()
        assert verdict.ok, verdict.describe()
        # The store opens normally and takes new events.
        app.record_raw(
            {
                "type": "EmergencyVisaIssued",
                "occurred_on": "2010-01-01",
                "state": "BEL",
                "persons": 1,
            },
            "after-crash",
            None,
        )
        return verdict.count + 1
    finally:
        services.close()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_killed_appenders_lose_nothing_acknowledged(backend, request, tmp_path):
    url = (
        f"sqlite:///{tmp_path}/crash.sqlite"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    rng = random.Random(20240501)
    total = 0
    acknowledged_total = 0
    for kill in range(KILLS):
        acknowledged = appended_until_killed(url, seed=kill, rng=rng)
        acknowledged_total += len(acknowledged)
        count = assert_intact(url, acknowledged)
        assert count > total
        total = count
    # The kills landed while appends were going on, not before the first one.
    assert acknowledged_total > KILLS
