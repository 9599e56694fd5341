"""Crash: the load of test_server_load, while the whole server (gunicorn's master and
its workers, one process group) is killed with SIGKILL and started again, several
times, on SQLite and on PostgreSQL. Clients retry after a connection error with the
same Idempotency-Key. Every acknowledged event is in the log, none is there twice, and
the chain verifies."""

from __future__ import annotations

from tests.load import (
    Load,
    assert_every_event_acknowledged,
    assert_log_holds_exactly,
    issue_client_tokens,
)
from tests.server import free_port, start, stop

CLIENTS = 8
EVENTS = 500
WORKERS = 3
KILLS = 3
SECONDS = 300


def test_acknowledged_events_survive_kills_and_retries(store_url, tmp_path):
    clients = issue_client_tokens(store_url, CLIENTS, EVENTS)
    total = CLIENTS * EVENTS
    port = free_port()
    server = start(store_url, tmp_path / "server-0.log", WORKERS, port=port, own_group=True)
    try:
        load = Load(clients, port, SECONDS).start()
        for kill in range(1, KILLS + 1):
            # Kill in the thick of it: a share of the events in, requests in flight.
            load.wait_for(total * kill // (KILLS + 1), SECONDS)
            server.kill()
            server = start(
                store_url, tmp_path / f"server-{kill}.log", WORKERS, port=port, own_group=True
            )
        load.join()
    finally:
        stop(server)
    assert_every_event_acknowledged(clients)
    # The kills were felt: requests cut off or refused, then retried.
    retries = load.retries()
    assert sum(retries.values()) >= KILLS, retries
    assert set(retries) <= {
        "ConnectionRefusedError",
        "ConnectionResetError",
        "RemoteDisconnected",
        "BrokenPipeError",
        "IncompleteRead",
        "TimeoutError",
        "503",
    }, retries
    assert assert_log_holds_exactly(store_url, clients) == total + CLIENTS
