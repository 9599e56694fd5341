"""Classification along a lifecycle: what continues a confidential lifecycle (an arrest
on a sealed warrant, the entry into force of a confidential agreement, a correction of
a confidential event, a freeze of assets naming a sealed warrant) is confidential too
unless it says stricter; asking for less is refused; lowering (unsealing) is an act of
its own, ClassificationLowered, from which on the event reads as lowered, everywhere
(events, views, the public report) and only from then on. SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from cli.state import every_view
from core.views.memory import fold
from core.views.model import Level, Period
from core.views.reading import ViewReading
from reports.annual import gather_data
from tests.apiclient import Api

EVENTS = "/api/v1/events"
SEALED = {
    "type": "ArrestWarrantIssued",
    "occurred_on": "2020-05-05",
    "warrant": "W-SEALED",
    "situation": "Situation X",
    "person": "A. Person",
    "classification": "confidential",
}
ARREST = {
    "type": "ArrestFacilitated",
    "occurred_on": "2020-06-01",
    "warrant": "W-SEALED",
    "arresting_state": "AUT",
}
SIGNED = {
    "type": "AgreementSigned",
    "occurred_on": "2020-01-10",
    "agreement": "AGR-1",
    "kind": "cooperation",
    "parties": ["AUT"],
    "title": "A confidential agreement",
    "classification": "confidential",
}
IN_FORCE = {"type": "AgreementEnteredIntoForce", "occurred_on": "2020-02-10", "agreement": "AGR-1"}


def post(api: Api, body: dict[str, Any], who: str = "focal_point") -> dict[str, Any]:
    response = api.post(EVENTS, body, who=who)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def warrants(api: Api, who: str, **query: str) -> list[dict[str, Any]]:
    response = api.get("/api/v1/warrants", who, query_string={"on": "2021-12-31", **query})
    assert response.status_code == 200, response.get_json()
    return list(response.get_json()["items"])


def test_followers_inherit_the_lifecycles_classification(store_api):
    api = store_api
    post(api, SEALED)
    arrest = post(api, ARREST)
    assert arrest["classification"] == "confidential"
    post(api, SIGNED)
    assert post(api, IN_FORCE)["classification"] == "confidential"
    frozen = post(
        api,
        {
            "type": "AssetsFrozen",
            "occurred_on": "2020-07-01",
            "state": "AUT",
            "warrant": "W-SEALED",
            "description": "Accounts",
        },
    )
    assert frozen["classification"] == "confidential"
    fix = post(
        api,
        {
            "type": "EventCorrected",
            "occurred_on": "2020-07-02",
            "corrects": arrest["id"],
            "changes": {"arresting_state": "NLD"},
            "reason": "A mistake",
        },
    )
    assert fix["classification"] == "confidential"
    # None of it reaches the bureau, nor the public report's figures.
    listed = api.get(EVENTS, "bureau", query_string={"limit": 1000}).get_json()["items"]
    assert {e["type"] for e in listed} == {"TokenIssued"}
    assert warrants(api, "bureau") == []
    assert [w["warrant"] for w in warrants(api, "auditor")] == ["W-SEALED"]
    data = gather_data(api.services, year=2020, draft=True)
    assert data["figures"]["warrants.arrests"]["value"] == 0
    assert data["figures"]["agreements.all.entered_into_force"]["value"] == 0
    assert "W-SEALED" not in str(data) and "AGR-1" not in str(data)


def test_asking_for_less_than_the_lifecycle_is_refused_and_more_is_kept(store_api):
    api = store_api
    post(api, SEALED)
    before = api.head_position()
    refused = api.post(EVENTS, {**ARREST, "classification": "public"})
    assert refused.status_code == 409
    assert refused.get_json()["message"] == (
        "Warrant W-SEALED is confidential: what continues it is confidential too, unless "
        "ClassificationLowered lowers it first."
    )
    assert api.head_position() == before
    post(api, {**SEALED, "warrant": "W-OPEN", "classification": "public"})
    raised = post(api, {**ARREST, "warrant": "W-OPEN", "classification": "restricted"})
    assert raised["classification"] == "restricted"
    surrender = post(
        api,
        {
            "type": "SurrenderCompleted",
            "occurred_on": "2020-07-01",
            "warrant": "W-OPEN",
            "surrendering_state": "AUT",
        },
    )
    assert surrender["classification"] == "restricted"  # the strictest that stands


def lowering(target: dict[str, Any], day: str = "2021-01-01", **extra: Any) -> dict[str, Any]:
    return {
        "type": "ClassificationLowered",
        "occurred_on": day,
        "lowers": target["id"],
        "lowered_to": "public",
        "reason": "Unsealed by the Chamber",
        **extra,
    }


def same_as_a_fold(api: Api, level: Level) -> None:
    """The views' tables answer as a plain fold of the log does."""
    services = api.services
    views = services.views
    reading = views.reading(level, on=__import__("datetime").date(2021, 12, 31))
    naive = ViewReading(
        fold(views.folds, services.app.read_log(), level, reading.position),
        views.folds,
        Period(on=reading.period.on),
    )
    assert every_view(services.views, naive) == every_view(services.views, reading)


def test_unsealing_is_recorded_and_reveals_the_event_as_it_reads_from_then_on(store_api):
    api = store_api
    issued = post(api, SEALED)
    arrest = post(api, ARREST)
    post(
        api,
        {
            "type": "EventCorrected",
            "occurred_on": "2020-07-02",
            "corrects": issued["id"],
            "changes": {"person": "B. Person"},
            "reason": "A mistake",
        },
    )
    sealed_until = api.services.app.head().recorded_at
    assert api.get(f"{EVENTS}/{issued['id']}", "bureau").status_code == 404
    assert api.get(f"{EVENTS}/{issued['id']}", "focal_point_2").status_code == 404
    # Only the one who sees it may lower it; to another it does not exist.
    assert api.post(EVENTS, lowering(issued), who="focal_point_2").status_code == 422
    # A lowering lowers, and has the classification it lowers to.
    not_lower = api.post(EVENTS, lowering(issued, lowered_to="restricted", classification="public"))
    assert not_lower.status_code == 422
    # The warrant is unsealed in one batch: its events lowered, then WarrantUnsealed,
    # which inherits the lowered classification and so is public too.
    unsealing = {"type": "WarrantUnsealed", "occurred_on": "2021-01-01", "warrant": "W-SEALED"}
    unsealed = api.post(
        "/api/v1/events/batch", {"events": [lowering(issued), lowering(arrest), unsealing]}
    ).get_json()["items"]
    assert [e["classification"] for e in unsealed] == ["public", "public", "public"]
    again = api.post(EVENTS, lowering(issued, day="2021-01-02"))
    assert again.status_code == 409
    assert again.get_json()["message"].endswith("is public: public is not lower.")
    # From then on: the bureau sees the warrant as it reads, correction included...
    shown = warrants(api, "bureau")
    assert [(w["warrant"], w["person"], w["status"], w["unsealed_on"]) for w in shown] == [
        ("W-SEALED", "B. Person", "arrested", "2021-01-01")
    ]
    assert api.get(f"{EVENTS}/{issued['id']}", "bureau").status_code == 200
    listed = api.get(EVENTS, "bureau", query_string={"limit": 1000}).get_json()["items"]
    assert {e["type"] for e in listed} >= {
        "ArrestWarrantIssued",
        "ArrestFacilitated",
        "EventCorrected",
        "ClassificationLowered",
        "WarrantUnsealed",
    }
    # ...but not as of before the unsealing.
    assert warrants(api, "bureau", as_of=sealed_until) == []
    before = api.get(EVENTS, "bureau", query_string={"as_of": sealed_until}).get_json()["items"]
    assert {e["type"] for e in before} == {"TokenIssued"}
    # What continues it now is public by default, and reaches the public report.
    surrender = post(
        api,
        {
            "type": "SurrenderCompleted",
            "occurred_on": "2021-02-01",
            "warrant": "W-SEALED",
            "surrendering_state": "AUT",
        },
    )
    assert surrender["classification"] == "public"
    data = gather_data(api.services, year=2020, draft=True)
    assert data["figures"]["warrants.issued"]["value"] == 1
    assert data["figures"]["warrants.arrests"]["value"] == 1
    same_as_a_fold(api, Level.RESTRICTED)
    same_as_a_fold(api, Level.ALL)
    # A lowering is final: it cannot be corrected or retracted.
    undo = {
        "type": "EventRetracted",
        "occurred_on": "2021-03-01",
        "retracts": unsealed[0]["id"],
        "reason": "Oops",
    }
    refused = api.post(EVENTS, undo)
    assert refused.status_code == 409 and "ClassificationLowered" in refused.get_json()["message"]
