"""The API end to end: `followup serve` with several gunicorn workers on loopback, tokens
from `followup token create`, real HTTP."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.roles import ROLES
from tests.samples import every_type
from tests.server import followup, serve, store_url_for

EVENTS = "/api/v1/events"
BATCH = "/api/v1/events/batch"
VISIT = {"type": "HighLevelVisit", "occurred_on": "2009-04-01", "organ": "registry", "host": "UGA"}


def writer(raw):
    return "bureau" if raw["type"] == "ReportNarrativeDrafted" else "focal_point"


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def server(request, tmp_path_factory):
    """The whole module runs against each store, with three workers."""
    folder = tmp_path_factory.mktemp("api")
    url = store_url_for(request, folder)
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


NARRATIVE = {
    "type": "ReportNarrativeDrafted",
    "occurred_on": "2010-10-01",
    "year": 2010,
    "section": "I.B",
    "text": "Narrative.",
}
CALLERS = ("nobody", "revoked", "focal_point", "bureau", "auditor", "admin")


@pytest.fixture(scope="module")
def secret_event(server):
    reply = server.post(
        EVENTS,
        {**VISIT, "classification": "confidential", "summary": "secret"},
        "focal_point",
    )
    assert reply.status == 201
    return reply.body


@pytest.fixture(scope="module")
def public_event(server):
    reply = server.post(EVENTS, VISIT, "focal_point")
    assert reply.status == 201
    return reply.body


def call(server, endpoint, who, public_event, secret_event):
    """One request of the matrix; returns the status."""
    token = None if who == "nobody" else who
    method, path, body = {
        "health": ("GET", "/api/v1/health", None),
        "openapi": ("GET", "/api/openapi.json", None),
        "docs": ("GET", "/api/docs", None),
        "post visit": ("POST", EVENTS, VISIT),
        "post narrative": ("POST", EVENTS, NARRATIVE),
        "post batch": ("POST", BATCH, {"events": [VISIT]}),
        "list": ("GET", f"{EVENTS}?limit=1", None),
        "public by id": ("GET", f"{EVENTS}/{public_event['id']}", None),
        "confidential by id": ("GET", f"{EVENTS}/{secret_event['id']}", None),
    }[endpoint]
    return server.request(method, path, body, who=token).status


#: endpoint -> the status each caller gets, in the order of CALLERS.
MATRIX = {
    "health": (200, 200, 200, 200, 200, 200),
    "openapi": (200, 200, 200, 200, 200, 200),
    "docs": (200, 200, 200, 200, 200, 200),
    "post visit": (401, 401, 201, 403, 403, 403),
    "post narrative": (401, 401, 403, 201, 403, 403),
    "post batch": (401, 401, 201, 403, 403, 403),
    "list": (401, 401, 200, 200, 200, 403),
    "public by id": (401, 401, 200, 200, 200, 403),
    "confidential by id": (401, 401, 200, 404, 200, 403),
}


@pytest.fixture(scope="module")
def revoked(server):
    """A token revoked while the server runs: every worker refuses it at once."""
    url = server.url
    token = followup(
        "token", "create", "--role", "focal_point", "--label", "revoked", url=url
    ).strip()
    server.tokens["revoked"] = token
    assert server.get(f"{EVENTS}?limit=1", "revoked").status == 200
    followup("token", "revoke", "revoked", url=url)
    return token


@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_every_role_against_every_endpoint(server, revoked, endpoint, public_event, secret_event):
    before = server.position()
    statuses = tuple(call(server, endpoint, who, public_event, secret_event) for who in CALLERS)
    assert statuses == MATRIX[endpoint], dict(zip(CALLERS, statuses, strict=True))
    appended = sum(1 for status in statuses if status == 201)
    assert server.position() == before + appended


def test_confidential_events_are_invisible_without_clearance(server, secret_event):
    correction = server.post(
        EVENTS,
        {
            "type": "EventCorrected",
            "reason": "The figure was wrong.",
            "occurred_on": "2010-01-01",
            "corrects": secret_event["id"],
            "changes": {"host": "KEN"},
        },
        "focal_point",
    )
    assert correction.status == 201
    hidden = {secret_event["id"], correction.body["id"]}
    for who, sees in (
        ("auditor", True),
        ("focal_point", True),
        ("focal_point_2", False),
        ("bureau", False),
    ):
        listed = {e["id"] for e in read_all(server, who)}
        assert (hidden <= listed) is sees and (hidden & listed == set()) is not sees, who
        for event_id in hidden:
            assert server.get(f"{EVENTS}/{event_id}", who).status == (200 if sees else 404)


def test_paging_through_a_thousand_events(server):
    posted = []
    for chunk in range(10):
        events = [
            {
                "type": "ExpertsRostered",
                "occurred_on": "2011-03-03",
                "state": "SWE",
                "experts": 1 + i,
                "field": f"paging {chunk}",
            }
            for i in range(100)
        ]
        reply = server.post(BATCH, {"events": events}, "focal_point")
        assert reply.status == 201
        posted += [e["id"] for e in reply.body["items"]]
    pages = 0
    items, url = [], f"{EVENTS}?limit=100&type=ExpertsRostered&from=2011-03-03&to=2011-03-03"
    while url:
        page = server.get(url, "auditor")
        assert page.status == 200 and len(page.body["items"]) <= 100
        items += page.body["items"]
        url = page.body["next"]
        pages += 1
    assert [e["id"] for e in items] == posted
    assert pages == 10
    everything = read_all(server, "auditor", "limit=250")
    positions = [e["position"] for e in everything]
    assert positions == sorted(set(positions))
    # PostgreSQL may leave gaps where a transaction rolled back; SQLite does not.
    assert positions[-1] == server.position()
    if server.url.startswith("sqlite"):
        assert positions == list(range(1, server.position() + 1))
