"""Idempotency keys live with the events in the store: a retry after a restart, or
through another worker, on SQLite and on PostgreSQL, gets the original answer."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.server import followup, serve

EVENTS = "/api/v1/events"
BATCH = "/api/v1/events/batch"
SIGNED = {
    "type": "AgreementSigned",
    "occurred_on": "2005-10-27",
    "agreement": "ESA-AUT-2005",
    "kind": "enforcement_of_sentences",
    "parties": ["AUT"],
    "title": "Agreement",
}
IN_FORCE = {
    "type": "AgreementEnteredIntoForce",
    "occurred_on": "2005-11-26",
    "agreement": "ESA-AUT-2005",
}


def retries_hold(url, folder):
    token = followup("token", "create", "--role", "focal_point", "--label", "fp", url=url).strip()
    key = {"Idempotency-Key": "sign-esa-aut"}
    with serve(url, folder / "first.log", workers=3) as server:
        server.tokens["fp"] = token
        with ThreadPoolExecutor(6) as pool:
            replies = list(
                pool.map(
                    lambda _: server.post(BATCH, {"events": [SIGNED, IN_FORCE]}, "fp", **key),
                    range(12),
                )
            )
        assert {r.status for r in replies} == {201}, [r.body for r in replies]
        first = replies[0].body
        assert all(r.body == first for r in replies)
        assert server.position() == 3  # the token, then the two events once
    with serve(url, folder / "second.log", workers=2) as server:
        server.tokens["fp"] = token
        again = server.post(BATCH, {"events": [SIGNED, IN_FORCE]}, "fp", **key)
        assert again.status == 201 and again.body == first
        other = server.post(BATCH, {"events": [SIGNED]}, "fp", **key)
        assert other.status == 422 and "Idempotency-Key" in other.body["errors"]
        # Without the key, the same batch is a new request, refused by the lifecycle.
        conflict = server.post(BATCH, {"events": [SIGNED, IN_FORCE]}, "fp")
        assert conflict.status == 409 and conflict.body["index"] == 0
        assert server.position() == 3
        logged = [
            json.loads(line) for line in server.log.read_text().splitlines() if line[:1] == "{"
        ]
        assert {e["label"] for e in logged if e["path"] == BATCH} == {"fp"}


def test_idempotency_across_workers_and_restarts_on_sqlite(tmp_path):
    retries_hold(f"sqlite:///{tmp_path}/followup.sqlite", tmp_path)


@pytest.mark.postgres
def test_idempotency_across_workers_and_restarts_on_postgresql(postgres_url, tmp_path):
    retries_hold(postgres_url, tmp_path)
