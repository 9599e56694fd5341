"""Load: 8 clients × 500 events at once over real HTTP against `followup serve` with
several workers, on SQLite and on PostgreSQL. Every event is acknowledged (201, or a
retryable error retried with the same Idempotency-Key), stored exactly once, in
strictly increasing positions, and the chain verifies."""

from __future__ import annotations

from tests.load import (
    Load,
    assert_every_event_acknowledged,
    assert_log_holds_exactly,
    issue_client_tokens,
)
from tests.server import serve

CLIENTS = 8
EVENTS = 500
WORKERS = 3
#: Far more than the run needs (about 30 s on 2 busy cores): a bound, not a target.
SECONDS = 240


def test_concurrent_clients_record_every_event_once(store_url, tmp_path):
    clients = issue_client_tokens(store_url, CLIENTS, EVENTS)
    with serve(store_url, tmp_path / "server.log", workers=WORKERS) as server:
        port = int(server.base.rsplit(":", 1)[1])
        load = Load(clients, port, SECONDS).start()
        load.join()
    assert_every_event_acknowledged(clients)
    assert load.acknowledged() == CLIENTS * EVENTS
    # Nothing went wrong on the way but, at worst, a busy store asking for a retry.
    assert set(load.retries()) <= {"503"}, load.retries()
    total = assert_log_holds_exactly(store_url, clients)
    assert total == CLIENTS * EVENTS + CLIENTS  # and the clients' tokens
