"""The views end to end, over real HTTP against `followup serve`: a multi-year history
recorded in three sittings, then figures as the system knew them after each sitting
(`as_of`), on several dates (`on`), over periods, with a back-dated event, a correction,
a retraction and a confidential event."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest

from core.roles import ROLES
from tests.server import followup, serve

V1 = "/api/v1"

FIRST_SITTING = [
    {
        "type": "StateBecameParty",
        "occurred_on": "2002-04-11",
        "state": "NLD",
        "instrument": "acceptance",
        "in_force_on": "2002-07-01",
    },
    {
        "type": "StateBecameParty",
        "occurred_on": "2000-12-28",
        "state": "AUT",
        "instrument": "ratification",
        "in_force_on": "2002-07-01",
    },
    {
        "type": "ImplementingLegislationEnacted",
        "occurred_on": "2008-06-19",
        "state": "NLD",
        "title": "International Crimes Act",
        "scope": "both",
        "recommendations": [1],
    },
    {
        "type": "AgreementSigned",
        "occurred_on": "2005-10-27",
        "agreement": "ESA-AUT-2005",
        "kind": "enforcement_of_sentences",
        "parties": ["AUT"],
        "title": "Enforcement of sentences",
    },
    {
        "type": "ArrestWarrantIssued",
        "occurred_on": "2005-07-08",
        "warrant": "W-1",
        "situation": "Uganda",
        "person": "Person A",
    },
    {
        "type": "AssistanceRequestSent",
        "occurred_on": "2008-01-02",
        "request": "R-1",
        "addressee": "UGA",
        "category": "evidence",
        "on_behalf_of": "prosecution",
    },
    {
        "type": "WorkshopHeld",
        "occurred_on": "2009-05-12",
        "title": "Regional seminar",
        "organiser": "AU",
        "host": "ETH",
        "participants": ["KEN", "UGA"],
        "attendees": 40,
        "topics": ["implementing_legislation"],
        "recommendations": [4],
    },
]

SECOND_SITTING = [
    {"type": "AgreementEnteredIntoForce", "occurred_on": "2005-11-26", "agreement": "ESA-AUT-2005"},
    {
        "type": "ArrestFacilitated",
        "occurred_on": "2006-03-16",
        "warrant": "W-1",
        "arresting_state": "UGA",
        "assisted_by": [],
    },
    {
        "type": "AssistanceRequestAnswered",
        "occurred_on": "2008-02-11",
        "request": "R-1",
        "outcome": "granted",
    },
    # Back-dated: recorded now, it happened before everything above about agreements.
    {
        "type": "AgreementSigned",
        "occurred_on": "2004-06-01",
        "agreement": "WRA-DNK-2004",
        "kind": "witness_relocation",
        "parties": ["DNK"],
        "title": "Witness relocation",
    },
    {
        "type": "RecommendationAssessed",
        "occurred_on": "2009-12-01",
        "recommendation": 1,
        "status": "in_progress",
        "rationale": "Two States Parties have legislation.",
    },
]


def query(path: str, **params: str) -> str:
    return f"{V1}{path}?{urlencode(params)}" if params else f"{V1}{path}"


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    folder = tmp_path_factory.mktemp("views")
    url = f"sqlite:///{folder}/followup.sqlite"
    followup("init", url=url)
    tokens = {
        role: followup("token", "create", "--role", role, "--label", role, url=url).strip()
        for role in ROLES
    }
    with serve(url, folder / "server.log", workers=2) as server:
        server.tokens = tokens
        times = {}
        ids = {}

        def sitting(name, events):
            reply = server.post(f"{V1}/events/batch", {"events": events}, who="focal_point")
            assert reply.status == 201, reply.body
            for raw, stored in zip(events, reply.body["items"], strict=True):
                ids.setdefault(
                    raw.get("agreement") or raw.get("title") or raw["type"], stored["id"]
                )
            times[name] = reply.body["items"][-1]["recorded_at"]
            times[name + " position"] = reply.body["items"][-1]["position"]
            time.sleep(0.01)

        sitting("first", FIRST_SITTING)
        sitting("second", SECOND_SITTING)
        third = [
            {
                "type": "EventCorrected",
                "reason": "The figure was wrong.",
                "occurred_on": "2010-01-05",
                "corrects": ids["Regional seminar"],
                "changes": {"attendees": 45},
            },
            {
                "type": "EventRetracted",
                "occurred_on": "2010-01-06",
                "retracts": ids["WRA-DNK-2004"],
                "reason": "Never signed; recorded in error.",
            },
            {
                "type": "AgreementSigned",
                "occurred_on": "2009-09-09",
                "agreement": "CONF-1",
                "kind": "interim_release",
                "parties": ["BEL"],
                "title": "Interim release",
                "classification": "confidential",
            },
        ]
        sitting("third", third)
        yield server, times, ids


def figures(server, who="bureau", **params):
    reply = server.get(query("/summary", **params), who=who)
    assert reply.status == 200, reply.body
    return {name: figure["value"] for name, figure in reply.body["figures"].items()}, reply.body


def test_figures_as_the_system_knew_them_after_each_sitting(history):
    server, times, _ = history
    first, body = figures(server, as_of=times["first"])
    assert body["as_of"] == times["first"]
    assert body["position"] == times["first position"]
    assert first["agreements.all.signed"] == 1
    assert first["agreements.all.in_force"] == 0
    assert first["warrants.at_large"] == 1
    assert first["requests.open"] == 1
    assert first["activities.workshop_attendees"] == 40

    second, body = figures(server, as_of=times["second"])
    assert body["position"] == times["first position"] + len(SECOND_SITTING)
    assert second["agreements.all.signed"] == 2  # the back-dated signature counts now
    assert second["agreements.enforcement_of_sentences.in_force"] == 1
    assert second["warrants.at_large"] == 0
    assert second["warrants.arrests"] == 1
    assert second["requests.answered"] == 1
    assert second["requests.median_days_to_answer"] == 40
    assert second["recommendations.in_progress"] == 1

    third, _ = figures(server, as_of=times["third"])
    assert third["agreements.all.signed"] == 1  # retracted, and the new one is confidential
    assert third["activities.workshop_attendees"] == 45  # corrected
    now, _ = figures(server)
    assert now == third


def test_the_state_of_the_world_on_a_date(history):
    server, times, _ = history
    on_2004, _ = figures(server, as_of=times["second"], on="2004-12-31")
    assert on_2004["agreements.all.signed"] == 1  # only the back-dated one had happened
    assert on_2004["agreements.all.in_force"] == 0
    assert on_2004["parties.states_parties"] == 2
    on_2005, _ = figures(server, as_of=times["second"], on="2005-11-01")
    assert on_2005["agreements.all.signed"] == 2
    assert on_2005["agreements.all.in_force"] == 0  # in force from 2005-11-26
    assert on_2005["warrants.at_large"] == 1  # arrested in 2006
    on_2001, _ = figures(server, on="2001-06-01")
    assert on_2001["parties.states_parties"] == 0  # the Statute was not yet in force


def test_a_period_counts_what_occurred_in_it(history):
    server, _, _ = history
    in_2005, body = figures(server, **{"from": "2005-01-01", "to": "2005-12-31"})
    assert body["from"] == "2005-01-01" and body["to"] == "2005-12-31"
    assert in_2005["agreements.all.signed"] == 1
    assert in_2005["agreements.all.entered_into_force"] == 1
    assert in_2005["warrants.issued"] == 1
    assert in_2005["activities.workshops"] == 0
    in_2009, _ = figures(server, **{"from": "2009-01-01", "to": "2009-12-31"})
    assert in_2009["activities.workshops"] == 1


def test_confidential_events_count_only_for_the_auditor(history):
    server, _, _ = history
    auditor, _ = figures(server, who="auditor")
    bureau, _ = figures(server, who="bureau")
    focal, _ = figures(server, who="focal_point")
    assert auditor["agreements.all.signed"] == 2
    assert auditor["agreements.interim_release.signed"] == 1
    assert bureau["agreements.all.signed"] == focal["agreements.all.signed"] == 1
    agreements = server.get(query("/agreements"), who="bureau").body["items"]
    assert [a["agreement"] for a in agreements] == ["ESA-AUT-2005"]
    assert "CONF-1" in [
        a["agreement"] for a in server.get(query("/agreements"), who="auditor").body["items"]
    ]


def test_view_lists_and_items(history):
    server, times, _ = history
    agreements = server.get(
        query("/agreements", on="2005-11-01", as_of=times["second"]), who="bureau"
    ).body
    assert {a["agreement"]: a["status"] for a in agreements["items"]} == {
        "ESA-AUT-2005": "signed",
        "WRA-DNK-2004": "signed",
    }
    assert agreements["on"] == "2005-11-01"
    in_force = server.get(query("/agreements", status="in_force"), who="bureau").body["items"]
    assert [a["in_force_on"] for a in in_force] == ["2005-11-26"]
    warrant = server.get(query("/warrants"), who="bureau").body["items"][0]
    assert (warrant["status"], warrant["arrested_on"]) == ("arrested", "2006-03-16")
    request = server.get(query("/requests"), who="bureau").body["items"][0]
    assert (request["days_to_answer"], request["outcome"]) == (40, "granted")
    nld = server.get(query("/parties/NLD"), who="bureau").body["item"]
    assert nld["is_party"] and nld["party_since"] == "2002-07-01"
    assert [law["title"] for law in nld["legislation"]] == ["International Crimes Act"]
    uga = server.get(query("/parties/UGA"), who="bureau").body["item"]
    assert uga["arrests_facilitated"] == 1
    assert uga["requests"]["answered"] == 1
    assert uga["workshops_attended"] == 1
    rec = server.get(query("/recommendations/1"), who="bureau").body["item"]
    assert rec["status"] == "in_progress"
    assert [e["type"] for e in rec["cited_by"]] == ["ImplementingLegislationEnacted"]
    assert rec["indicators"]["legal_framework"]["implementing_legislation"]["with"] == 1
    listing = server.get(query("/recommendations"), who="bureau").body
    assert listing["total"] == 66
    assert server.get(query("/parties/XXX"), who="bureau").status == 404
    assert server.get(query("/recommendations/67"), who="bureau").status == 404


def test_explain_and_diff(history):
    server, times, ids = history
    explained = server.get(
        query("/audit/explain", figure="agreements.all.signed"), who="auditor"
    ).body
    assert explained["value"] == 2
    assert {e["id"] for e in explained["items"]} == {ids["ESA-AUT-2005"], ids["CONF-1"]}
    assert server.get(query("/audit/explain", figure="nonsense"), who="auditor").status == 404
    changed = server.get(
        query("/audit/diff", **{"from": times["second"], "to": times["third"]}), who="auditor"
    ).body
    assert changed["figures"]["activities.workshop_attendees"] == {"before": 40, "after": 45}
    assert [e["type"] for e in changed["events"]] == [
        "EventCorrected",
        "EventRetracted",
        "AgreementSigned",
    ]
    keys = {(i["view"], i["key"]) for i in changed["items"]}
    assert ("agreements", "WRA-DNK-2004") in keys
    bureau = server.get(
        query("/audit/diff", **{"from": times["second"], "to": times["third"]}), who="bureau"
    ).body
    assert [e["type"] for e in bureau["events"]] == ["EventCorrected", "EventRetracted"]


def test_roles_and_bad_parameters(history):
    server, _, _ = history
    assert server.get(query("/summary")).status == 401
    assert server.get(query("/summary"), who="admin").status == 403
    assert server.get(query("/audit/verify"), who="bureau").status == 403
    verdict = server.get(query("/audit/verify"), who="auditor").body
    assert verdict["ok"] and verdict["count"] == server.position()
    for bad in (
        {"as_of": "yesterday"},
        {"on": "2010-02-30"},
        {"from": "2010-01-01", "to": "2009-01-01"},
        {"colour": "red"},
    ):
        reply = server.get(query("/summary", **bad), who="bureau")
        assert reply.status == 422, (bad, reply.body)
