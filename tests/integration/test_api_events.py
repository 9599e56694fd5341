"""The events API through Flask's test client over a real SQLite file: recording,
reading back, errors (and that no error appends anything), idempotency, visibility."""

from __future__ import annotations

import json

import pytest

from tests.samples import every_type, first_event_of

EVENTS = "/api/v1/events"
BATCH = "/api/v1/events/batch"

VISIT = {
    "type": "HighLevelVisit",
    "occurred_on": "2009-04-01",
    "organ": "presidency",
    "host": "KEN",
}
SIGNED = {
    "type": "AgreementSigned",
    "occurred_on": "2005-10-27",
    "agreement": "ESA-AUT-2005",
    "kind": "enforcement_of_sentences",
    "parties": ["AUT"],
    "title": "Agreement on the enforcement of sentences",
}
IN_FORCE = {
    "type": "AgreementEnteredIntoForce",
    "occurred_on": "2005-11-26",
    "agreement": "ESA-AUT-2005",
}


def writer(raw):
    return "bureau" if raw["type"] == "ReportNarrativeDrafted" else "focal_point"


def test_post_returns_the_stored_event_and_get_reads_it_back(api_client):
    api = api_client
    response = api.post(EVENTS, {**VISIT, "summary": "State visit", "recommendations": [10]})
    assert response.status_code == 201
    stored = response.get_json()
    assert stored["recorded_by"] == "focal_point"
    assert stored["position"] == api.head_position()
    assert {"id", "position", "recorded_at", "recorded_by", "hash"} <= set(stored)
    assert {k: stored[k] for k in VISIT} == VISIT
    assert stored["summary"] == "State visit" and stored["classification"] == "public"
    again = api.get(f"{EVENTS}/{stored['id']}")
    assert again.status_code == 200
    assert again.get_json() == stored
    assert (
        again.get_json()
        == api.services.app.get_event(
            api.services.app.head() and __import__("uuid").UUID(stored["id"])
        ).to_flat()
    )


def test_every_catalogue_type_can_be_recorded_and_read_back(api_client):
    api = api_client
    stored = []
    for raw in every_type():
        response = api.post(EVENTS, raw, who=writer(raw))
        assert response.status_code == 201, (raw["type"], response.get_json())
        stored.append(response.get_json())
    listed = api.get(EVENTS, "auditor", query_string={"limit": 1000}).get_json()
    mine = [e for e in listed["items"] if e["type"] not in ("TokenIssued",)]
    assert mine == stored


def test_batch_is_all_or_nothing_and_names_the_index(api_client):
    api = api_client
    before = api.head_position()
    bad = [SIGNED, {**IN_FORCE, "occurred_on": "2005-10-01"}, VISIT]
    response = api.post(BATCH, {"events": bad})
    assert response.status_code == 409
    body = response.get_json()
    assert body["index"] == 1 and "before its signature" in body["message"]
    invalid = api.post(BATCH, {"events": [SIGNED, VISIT, {**VISIT, "host": "XXX"}]})
    assert invalid.status_code == 422
    body = invalid.get_json()
    assert body["index"] == 2
    assert "host" in body["errors"]["events"]["2"]
    assert api.head_position() == before

    good = api.post(BATCH, {"events": [SIGNED, IN_FORCE]})
    assert good.status_code == 201
    items = good.get_json()["items"]
    assert [e["type"] for e in items] == ["AgreementSigned", "AgreementEnteredIntoForce"]
    assert items[1]["position"] == items[0]["position"] + 1 == api.head_position()


@pytest.mark.parametrize(
    "body",
    [{}, {"events": []}, {"events": "x"}, {"events": [VISIT], "extra": 1}, [VISIT]],
)
def test_malformed_batches_are_refused(api_client, body):
    api = api_client
    before = api.head_position()
    response = api.post(BATCH, body)
    assert response.status_code == 422
    assert response.get_json()["errors"]
    assert api.head_position() == before


def test_errors_map_to_statuses_and_append_nothing(api_client):
    api = api_client
    before = api.head_position()
    cases = [
        (api.post(EVENTS, {**VISIT, "colour": "blue"}), 422, "colour"),
        (api.post(EVENTS, {**VISIT, "occurred_on": "2999-01-01"}), 422, "occurred_on"),
        (api.post(EVENTS, {"type": "Nonsense"}), 422, "type"),
        (api.post(EVENTS, ["not", "an", "object"]), 422, "_schema"),
        (api.post(EVENTS, IN_FORCE), 409, None),
        (api.post(EVENTS, VISIT, who="auditor"), 403, None),
        (api.post(EVENTS, VISIT, who="admin"), 403, None),
        (api.post(EVENTS, VISIT, who="bureau"), 403, None),
        (api.post(EVENTS, every_type()[-3], who="focal_point"), 403, None),
        (
            api.post(
                EVENTS,
                {"type": "TokenIssued", "occurred_on": "2020-01-01", "label": "x", "role": "admin"},
            ),
            403,
            None,
        ),
        (api.post(EVENTS, VISIT, who=None), 401, None),
    ]
    for response, status, field in cases:
        body = response.get_json()
        assert response.status_code == status, body
        assert body["code"] == status and body["message"]
        if field:
            assert field in body["errors"]
    conflict = api.post(EVENTS, IN_FORCE).get_json()
    assert conflict["message"] == "Agreement ESA-AUT-2005 has not been signed."
    assert api.head_position() == before


def test_malformed_json_is_400_and_oversized_is_413(api_client):
    api = api_client
    before = api.head_position()
    headers = api.headers("focal_point", **{"Content-Type": "application/json"})
    for data in ("{bad", "", "NaN", '{"a": Infinity}', "[" * 100_000, b"\xff\xfe"):
        response = api.client.post(EVENTS, data=data, headers=headers)
        assert response.status_code == 400, (data[:10], response.get_json())
        assert "not valid JSON" in response.get_json()["message"]
    huge = json.dumps({**VISIT, "summary": "x" * (5 * 1024 * 1024)})
    response = api.client.post(EVENTS, data=huge, headers=headers)
    assert response.status_code == 413
    assert response.get_json()["code"] == 413
    assert api.head_position() == before


def test_tokens_are_checked(api_client):
    api = api_client
    for header in (
        "",
        "Bearer",
        "Bearer nonsense",
        f"Basic {api.tokens['auditor']}",
        "Bearer fu_" + "A" * 43,
    ):
        response = api.client.get(EVENTS, headers={"Authorization": header})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert (
        api.client.get(
            EVENTS, headers={"Authorization": f"bearer {api.tokens['auditor']}"}
        ).status_code
        == 200
    )
    api.app.extensions["followup.tokens"].revoke("auditor", "tests")
    assert api.get(EVENTS, "auditor").status_code == 401


def test_health_and_the_document_need_no_token(api_client):
    api = api_client
    assert api.client.get("/api/v1/health").status_code == 200
    assert api.client.get("/api/openapi.json").status_code == 200
    assert api.client.get("/api/docs").status_code == 200
    assert api.get(EVENTS, "admin").status_code == 403
    assert api.get(f"{EVENTS}/{first_event_of('x')}", "admin").status_code == 403


def test_idempotency_key_replays_the_original_response(api_client):
    api = api_client
    key = {"Idempotency-Key": "visit-1"}
    first = api.post(EVENTS, VISIT, **key)
    assert first.status_code == 201
    position = api.head_position()
    reordered = dict(reversed(list(VISIT.items())))
    retry = api.post(EVENTS, reordered, **key)
    assert retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert api.head_position() == position

    different = api.post(EVENTS, {**VISIT, "host": "UGA"}, **key)
    assert different.status_code == 422
    assert "Idempotency-Key" in different.get_json()["errors"]
    # The same key on another endpoint is another request.
    assert api.post(BATCH, {"events": [VISIT]}, **key).status_code == 422
    # Keys are per token label: another caller's key of the same name is its own.
    other = api.post(EVENTS, VISIT, who="focal_point_2", **key)
    assert other.status_code == 201
    assert other.get_json()["id"] != first.get_json()["id"]
    assert api.head_position() == position + 1

    batch_key = {"Idempotency-Key": "batch-1"}
    batch = api.post(BATCH, {"events": [SIGNED, IN_FORCE]}, **batch_key)
    assert batch.status_code == 201
    # Signing again would conflict; the retry gets the original answer instead.
    assert (
        api.post(BATCH, {"events": [SIGNED, IN_FORCE]}, **batch_key).get_json() == batch.get_json()
    )
    assert api.post(EVENTS, VISIT, **{"Idempotency-Key": "x" * 256}).status_code == 422


def test_a_failed_request_does_not_use_up_its_key(api_client):
    api = api_client
    key = {"Idempotency-Key": "k"}
    assert api.post(EVENTS, IN_FORCE, **key).status_code == 409
    assert api.post(EVENTS, SIGNED, **key).status_code == 201


def test_confidential_events_are_invisible_without_clearance(api_client):
    api = api_client
    secret = api.post(EVENTS, {**SIGNED, "classification": "confidential"}).get_json()
    restricted = api.post(EVENTS, {**VISIT, "classification": "restricted"}).get_json()
    correction = api.post(
        EVENTS,
        {
            "type": "EventCorrected",
            "reason": "The figure was wrong.",
            "occurred_on": "2010-01-01",
            "corrects": secret["id"],
            "changes": {"title": "Corrected title"},
        },
    ).get_json()
    sees = {
        "auditor": {secret["id"], restricted["id"], correction["id"]},
        "focal_point": {secret["id"], restricted["id"], correction["id"]},
        "focal_point_2": {restricted["id"]},
        "bureau": {restricted["id"]},
    }
    for who, visible in sees.items():
        listed = {
            e["id"] for e in api.get(EVENTS, who, query_string={"limit": 1000}).get_json()["items"]
        }
        for event in (secret, restricted, correction):
            by_id = api.get(f"{EVENTS}/{event['id']}", who)
            if event["id"] in visible:
                assert by_id.status_code == 200 and event["id"] in listed
            else:
                assert by_id.status_code == 404, (who, event["type"])
                assert event["id"] not in listed
                assert by_id.get_json()["message"] == f"No event {event['id']}."


def test_filters_and_pages(api_client):
    api = api_client
    api.post(BATCH, {"events": [raw for raw in every_type() if writer(raw) == "focal_point"]})
    signed = api.get(EVENTS, "auditor", query_string={"type": "AgreementSigned"}).get_json()
    assert [e["agreement"] for e in signed["items"]] == ["ESA-AUT-2005", "WRA-X-2006"]
    two = api.get(
        EVENTS, "auditor", query_string=[("type", "AgreementSigned"), ("type", "APICRatified")]
    ).get_json()
    assert len(two["items"]) == 3
    nld = api.get(EVENTS, "auditor", query_string={"party": "NLD"}).get_json()["items"]
    assert nld and all("NLD" in json.dumps(e) for e in nld)
    period = api.get(EVENTS, "auditor", query_string={"from": "2009-01-01", "to": "2009-12-31"})
    assert {e["occurred_on"][:4] for e in period.get_json()["items"]} == {"2009"}
    assert (
        api.get(EVENTS, "auditor", query_string={"as_of": "2001-01-01"}).get_json()["items"] == []
    )

    seen, url = (
        [],
        f"{EVENTS}?limit=5&type=AgreementSigned&type=StateBecameParty&type=WarrantClosed",
    )
    while url:
        page = api.get(url, "auditor").get_json()
        seen += page["items"]
        url = page["next"]
    assert [e["type"] for e in seen] == ["StateBecameParty"] * 2 + ["AgreementSigned"] * 2 + [
        "WarrantClosed",
        "StateBecameParty",  # South Africa's, among issue 15's samples
    ]

    everything, url = [], f"{EVENTS}?limit=4"
    while url:
        page = api.get(url, "auditor").get_json()
        assert len(page["items"]) <= 4
        everything += page["items"]
        url = page["next"]
    assert [e["position"] for e in everything] == list(range(1, api.head_position() + 1))


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 0},
        {"limit": 1001},
        {"limit": "x"},
        {"after": -1},
        {"after": 2**70},
        {"as_of": "yesterday"},
        {"from": "2010-13-01"},
        {"from": "2010-02-01", "to": "2010-01-01"},
        {"party": "XXX"},
        {"type": "Nonsense"},
        {"colour": "blue"},
    ],
)
def test_bad_parameters_are_422_with_the_field(api_client, query):
    api = api_client
    response = api.get(EVENTS, "auditor", query_string=query)
    assert response.status_code == 422
    body = response.get_json()
    name = next(iter(query)) if len(query) == 1 else "to"
    assert name in body["errors"], body


def test_unknown_urls_and_methods_are_json(api_client):
    api = api_client
    response = api.get("/api/v1/nothing")
    assert response.status_code == 404 and response.get_json()["code"] == 404
    assert api.get(f"{EVENTS}/not-a-uuid").status_code == 404
    assert api.get(f"{EVENTS}/{first_event_of('nothing')}").status_code == 404
    response = api.client.delete(EVENTS, headers=api.headers("auditor"))
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
