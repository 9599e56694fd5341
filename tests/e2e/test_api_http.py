"""The API end to end: `followup serve` with several gunicorn workers on loopback, tokens
from `followup token create`, real HTTP."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.roles import ROLES
from tests.samples import every_type
from tests.server import followup, serve

EVENTS = "/api/v1/events"
BATCH = "/api/v1/events/batch"
VISIT = {"type": "HighLevelVisit", "occurred_on": "2009-04-01", "organ": "registry", "host": "UGA"}


def writer(raw):
    return "bureau" if raw["type"] == "ReportNarrativeDrafted" else "focal_point"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api")
    url = f"sqlite:///{folder}/followup.sqlite"
    followup("init", url=url)
    tokens = {}
    for role in ROLES:
        tokens[role] = followup("token", "create", "--role", role, "--label", role, url=url).strip()
    tokens["focal_point_2"] = followup(
        "token", "create", "--role", "focal_point", "--label", "focal_point_2", url=url
    ).strip()
    with serve(url, folder / "server.log", workers=3) as running:
        running.tokens = tokens
        yield running


def read_all(server, who, query="limit=1000"):
    items, url = [], f"{EVENTS}?{query}"
    while url:
        page = server.get(url, who)
        assert page.status == 200, page.body
        items += page.body["items"]
        url = page.body["next"]
    return items


def test_one_event_of_every_type_is_recorded_and_read_back(server):
    stored = []
    for raw in every_type():
        reply = server.post(EVENTS, raw, who=writer(raw))
        assert reply.status == 201, (raw["type"], reply.body)
        assert reply.body["recorded_by"] == writer(raw)
        assert {k: reply.body[k] for k in raw if k != "changes"} == {
            k: v for k, v in raw.items() if k != "changes"
        }
        stored.append(reply.body)
    for event in stored:
        again = server.get(f"{EVENTS}/{event['id']}", "auditor")
        assert again.status == 200 and again.body == event
    by_id = {e["id"]: e for e in read_all(server, "auditor")}
    assert all(by_id[e["id"]] == e for e in stored)


def test_idempotent_retries_across_workers_record_once(server):
    before = server.position()
    key = {"Idempotency-Key": "e2e-visit"}
    # Sent at once on several connections: the workers race, one request records.
    with ThreadPoolExecutor(6) as pool:
        replies = list(
            pool.map(lambda _: server.post(EVENTS, VISIT, "focal_point", **key), range(12))
        )
    assert {r.status for r in replies} == {201}
    assert len({json.dumps(r.body, sort_keys=True) for r in replies}) == 1
    assert server.position() == before + 1
    different = server.post(EVENTS, {**VISIT, "host": "KEN"}, "focal_point", **key)
    assert different.status == 422
    assert server.position() == before + 1


def test_errors_append_nothing(server):
    before = server.position()
    assert server.post(EVENTS, {**VISIT, "host": "XXX"}, "focal_point").status == 422
    assert server.post(EVENTS, VISIT, "auditor").status == 403
    assert server.post(EVENTS, VISIT).status == 401
    raw = server.request(
        "POST",
        EVENTS,
        raw=b"{not json",
        who="focal_point",
        headers={"Content-Type": "application/json"},
    )
    assert raw.status == 400
    big = server.announce_oversized(EVENTS, 5 * 1024 * 1024, who="focal_point")
    assert big == 413
    assert server.position() == before


def test_request_log_is_json_without_tokens(server):
    server.get(EVENTS + "?limit=1", "auditor")
    lines = [line for line in server.log.read_text().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    assert any(
        e["method"] == "GET"
        and e["path"] == EVENTS
        and e["label"] == "auditor"
        and e["status"] == 200
        and e["duration_ms"] >= 0
        for e in entries
    )
    text = server.log.read_text()
    for token in server.tokens.values():
        assert token not in text
    assert "Bearer" not in text
