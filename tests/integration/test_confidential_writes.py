"""Confidentiality on the write paths: what a caller may not see behaves exactly as
what does not exist, in status and in text, on every way of writing (one event, a
batch, an import under a person's label, corrections, retractions, lowerings, an
idempotent replay); a reference taken by a hidden lifecycle is refused with no more
than "this reference cannot be used". On SQLite and PostgreSQL.

The hidden world is recorded by a second focal point (``focal_point_2``), confidential;
the callers are the first focal point and the bureau. Every probe is sent twice: once
naming the hidden thing, once naming a thing that does not exist; the answers must be
the same once the two names are swapped."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from click.testing import CliRunner

from cli import main
from core.dossier import dossier_id
from core.integrity import event_id
from tests.apiclient import Api

EVENTS = "/api/v1/events"
BATCH = "/api/v1/events/batch"
SECRET = "confidential"
OWNER = "focal_point_2"


@pytest.fixture
def api(store_api: Api) -> Api:
    return store_api


def post(api: Api, body: dict[str, Any], who: str = OWNER) -> dict[str, Any]:
    response = api.post(EVENTS, body, who=who)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def warrant(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "ArrestWarrantIssued",
        "occurred_on": "2020-05-05",
        "warrant": name,
        "situation": "Situation X",
        "person": "A. Person",
        **extra,
    }


def agreement(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "AgreementSigned",
        "occurred_on": "2020-05-05",
        "agreement": name,
        "kind": "cooperation",
        "parties": ["AUT"],
        "title": "Cooperation agreement",
        **extra,
    }


def request_sent(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "AssistanceRequestSent",
        "occurred_on": "2020-05-05",
        "request": name,
        "addressee": "AUT",
        "category": "evidence",
        "on_behalf_of": "prosecution",
        **extra,
    }


def application(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "WitnessProtectionApplicationReceived",
        "occurred_on": "2020-05-05",
        "application": name,
        "persons": 2,
        **extra,
    }


def absent_id(subject: str | None = None) -> str:
    """An id shaped as a real one (a dossier's first event) that the log does not hold."""
    return str(event_id(dossier_id(subject or f"nothing:{uuid4()}"), 1))


class World:
    """The hidden things (recorded confidential by OWNER) and, for each, its name."""

    def __init__(self, api: Api) -> None:
        self.warrant = post(api, warrant("W-SEALED", classification=SECRET))
        self.agreement = post(api, agreement("AGR-SEALED", classification=SECRET))
        self.request = post(api, request_sent("REQ-SEALED", classification=SECRET))
        self.application = post(api, application("APP-SEALED", classification=SECRET))
        visit = {"type": "HighLevelVisit", "occurred_on": "2020-06-01", "organ": "registry"}
        self.visit = post(api, {**visit, "host": "KEN", "classification": SECRET})
        self.correction = post(
            api,
            {
                "type": "EventCorrected",
                "occurred_on": "2020-06-02",
                "corrects": self.visit["id"],
                "changes": {"host": "UGA"},
                "reason": "A mistake",
            },
        )
        # Partly hidden: a public warrant (seen by all) with a confidential arrest.
        self.open_warrant = post(api, warrant("W-PUBLIC"))
        self.arrest = post(
            api,
            {
                "type": "ArrestFacilitated",
                "occurred_on": "2020-06-01",
                "warrant": "W-PUBLIC",
                "arresting_state": "AUT",
                "classification": SECRET,
            },
        )
        # Its twin without the arrest: what the first focal point believes it sees.
        self.twin_warrant = post(api, warrant("W-TWIN"))


#: Follow-up events on hidden lifecycles: (name, raw event, the reference field).
def followers(reference: Callable[[str], str]) -> list[tuple[str, dict[str, Any]]]:
    day = "2021-01-01"
    return [
        (
            "ArrestFacilitated",
            {
                "type": "ArrestFacilitated",
                "occurred_on": day,
                "warrant": reference("W"),
                "arresting_state": "AUT",
            },
        ),
        (
            "SurrenderCompleted",
            {
                "type": "SurrenderCompleted",
                "occurred_on": day,
                "warrant": reference("W"),
                "surrendering_state": "AUT",
            },
        ),
        (
            "WarrantClosed",
            {
                "type": "WarrantClosed",
                "occurred_on": day,
                "warrant": reference("W"),
                "reason": "other",
            },
        ),
        (
            "AssetsFrozen (a reference)",
            {
                "type": "AssetsFrozen",
                "occurred_on": day,
                "state": "AUT",
                "warrant": reference("W"),
                "description": "Accounts",
            },
        ),
        (
            "PersonHeldInNationalCustody",
            {
                "type": "PersonHeldInNationalCustody",
                "occurred_on": day,
                "warrant": reference("W"),
                "state": "AUT",
            },
        ),
        (
            "ArrestAttemptFailed",
            {
                "type": "ArrestAttemptFailed",
                "occurred_on": day,
                "warrant": reference("W"),
                "state": "AUT",
            },
        ),
        (
            "PersonSurrenderedVoluntarily",
            {
                "type": "PersonSurrenderedVoluntarily",
                "occurred_on": day,
                "warrant": reference("W"),
                "state": "AUT",
            },
        ),
        (
            "WarrantUnsealed",
            {"type": "WarrantUnsealed", "occurred_on": day, "warrant": reference("W")},
        ),
        (
            "SuspectTravelled (a reference checked against the warrant's dates)",
            {
                "type": "SuspectTravelled",
                "occurred_on": day,
                "matter": "NC-PROBE",
                "warrant": reference("W"),
                "state": "KEN",
                "occasion": "Regional summit",
            },
        ),
        (
            "AgreementEnteredIntoForce",
            {
                "type": "AgreementEnteredIntoForce",
                "occurred_on": day,
                "agreement": reference("AGR"),
            },
        ),
        (
            "AgreementTerminated",
            {
                "type": "AgreementTerminated",
                "occurred_on": day,
                "agreement": reference("AGR"),
                "reason": "Ended",
            },
        ),
        (
            "AssistanceRequestAnswered",
            {
                "type": "AssistanceRequestAnswered",
                "occurred_on": day,
                "request": reference("REQ"),
                "outcome": "granted",
            },
        ),
        (
            "WitnessRelocated",
            {
                "type": "WitnessRelocated",
                "occurred_on": day,
                "application": reference("APP"),
                "state": "AUT",
                "persons": 1,
            },
        ),
    ]


def amendments(target: str) -> list[tuple[str, dict[str, Any]]]:
    day = "2021-01-01"
    return [
        (
            "EventCorrected",
            {
                "type": "EventCorrected",
                "occurred_on": day,
                "corrects": target,
                "changes": {"summary": "x"},
                "reason": "A mistake",
            },
        ),
        (
            "EventRetracted",
            {"type": "EventRetracted", "occurred_on": day, "retracts": target, "reason": "Wrong"},
        ),
        (
            "ClassificationLowered",
            {
                "type": "ClassificationLowered",
                "occurred_on": day,
                "lowers": target,
                "lowered_to": "public",
                "reason": "Unsealed",
            },
        ),
    ]


VISIBLE_VISIT = {"type": "HighLevelVisit", "occurred_on": "2020-01-01", "organ": "presidency"}


def answer(api: Api, path: str, raw: dict[str, Any], who: str, runner: CliRunner) -> Any:
    """(status, body) of one write path for one probe event. Paths: a single POST, the
    probe second in a batch, a POST with an Idempotency-Key, an import under the
    caller's label."""
    if path == "single":
        response = api.post(EVENTS, raw, who=who)
        return response.status_code, response.get_json()
    if path == "batch":
        response = api.post(BATCH, {"events": [{**VISIBLE_VISIT, "host": "KEN"}, raw]}, who=who)
        return response.status_code, response.get_json()
    if path == "idempotent":
        response = api.post(EVENTS, raw, who=who, **{"Idempotency-Key": str(uuid4())})
        return response.status_code, response.get_json()
    assert path == "import"
    # In the working folder (each test has its own: see `api`).
    Path("events.jsonl").write_text(json.dumps(raw) + "\n")
    result = runner.invoke(
        main,
        ["events", "import", "events.jsonl", "--recorded-by", who],
        env={"FOLLOWUP_DATABASE_URL": api.services.database_url},
        catch_exceptions=False,
    )
    return result.exit_code, result.output


def swapped(value: Any, hidden: str, absent: str) -> Any:
    """The answer about the absent thing, with its name replaced by the hidden one's
    (as JSON values: lists for tuples)."""
    text = json.dumps(value)
    return json.loads(text.replace(absent, hidden) if absent else text)


PATHS = ("single", "batch", "idempotent", "import")


def test_hidden_targets_and_lifecycles_behave_as_absent_ones_on_every_write_path(api):
    world = World(api)
    runner = CliRunner()
    before = api.head_position()
    auditor_view = api.get("/api/v1/warrants", "auditor").get_json()["items"]
    compared = 0
    hidden_names = {"W": "W-SEALED", "AGR": "AGR-SEALED", "REQ": "REQ-SEALED", "APP": "APP-SEALED"}
    absent_names = {
        "W": "W-NOWHERE",
        "AGR": "AGR-NOWHERE",
        "REQ": "REQ-NOWHERE",
        "APP": "APP-NOWHERE",
    }
    probes = []
    for (name, hidden), (_, absent) in zip(
        followers(hidden_names.__getitem__), followers(absent_names.__getitem__), strict=True
    ):
        pairs = list(zip(hidden_names.values(), absent_names.values(), strict=True))
        probes.append(("focal_point", name, hidden, absent, pairs))
    hidden_targets = [world.warrant["id"], world.visit["id"], world.correction["id"]]
    for target in hidden_targets:
        missing = absent_id()
        for (name, hidden), (_, absent) in zip(
            amendments(target), amendments(missing), strict=True
        ):
            for who in ("focal_point", "bureau"):
                probes.append(
                    (who, f"{name} of a hidden event", hidden, absent, [(target, missing)])
                )
    for who, name, hidden, absent, pairs in probes:
        for path in PATHS:
            got_hidden = swapped(answer(api, path, hidden, who, runner), "", "")
            got_absent = answer(api, path, absent, who, runner)
            for hidden_name, absent_name in pairs:
                got_absent = swapped(got_absent, hidden_name, absent_name)
            assert got_hidden == got_absent, (who, name, path)
            assert got_hidden[0] not in (201, 0), (who, name, path, got_hidden)
            compared += 1
    assert compared == len(probes) * len(PATHS) >= 80
    assert api.head_position() == before  # nothing recorded
    assert api.get("/api/v1/warrants", "auditor").get_json()["items"] == auditor_view


def test_a_reference_taken_by_a_hidden_lifecycle_says_only_that_it_cannot_be_used(api):
    World(api)
    runner = CliRunner()
    before = api.head_position()
    openings = [
        (warrant("W-SEALED"), "warrant W-SEALED"),
        (agreement("AGR-SEALED"), "agreement AGR-SEALED"),
        (request_sent("REQ-SEALED"), "request REQ-SEALED"),
        (application("APP-SEALED"), "application APP-SEALED"),
    ]
    for raw, reference in openings:
        for path in PATHS:
            status, body = answer(api, path, raw, "focal_point", runner)
            expected = f"This reference cannot be used: {reference}."
            if path == "import":
                assert status == 1
                assert body == f"error: events.jsonl, line 1: {expected} (nothing was imported)\n"
            else:
                assert status == 409
                message = body["message"]
                assert message == (f"event 2: {expected}" if path == "batch" else expected)
                assert set(body) <= {"code", "status", "message", "index"}
    assert api.head_position() == before


def test_a_partly_hidden_lifecycle_answers_as_the_part_the_caller_sees(api):
    """A public warrant with a confidential arrest: the surrender is refused as if the
    arrest did not exist (exactly as on a twin warrant without one); what the visible
    part allows is refused with "cannot be used", never with the hidden arrest's date."""
    world = World(api)
    before = api.head_position()
    surrender = {
        "type": "SurrenderCompleted",
        "occurred_on": "2021-01-01",
        "surrendering_state": "AUT",
    }
    on_public = api.post(EVENTS, {**surrender, "warrant": "W-PUBLIC"})
    on_twin = api.post(EVENTS, {**surrender, "warrant": "W-TWIN"})
    assert on_public.status_code == on_twin.status_code == 409
    assert swapped(on_twin.get_json(), "W-PUBLIC", "W-TWIN") == on_public.get_json()
    closing = {"type": "WarrantClosed", "occurred_on": "2020-05-06", "reason": "other"}
    refused = api.post(EVENTS, {**closing, "warrant": "W-PUBLIC"}).get_json()
    assert refused["message"] == "This reference cannot be used: warrant W-PUBLIC."
    issued = world.open_warrant["id"]
    for _, raw in amendments(issued)[:2]:  # (it is public: nothing to lower)
        refused = api.post(EVENTS, raw).get_json()
        assert refused["message"] == f"This reference cannot be used: event {issued}.", raw
    assert api.head_position() == before
    # The owner, who sees the whole lifecycle, gets the real answer.
    owner = api.post(EVENTS, {**closing, "warrant": "W-PUBLIC"}, who=OWNER)
    assert owner.status_code == 409 and "cannot be closed before" in owner.get_json()["message"]
    assert api.post(EVENTS, {**closing, "warrant": "W-TWIN"}).status_code == 201


def test_a_replay_is_checked_against_the_callers_role_and_clearance_now(api):
    """A token's label given again with another role replays nothing it could not
    record or see now."""
    from core.tokens import Tokens

    tokens = Tokens(api.services.app)
    key = {"Idempotency-Key": "sealed-1"}
    sealed = api.post(EVENTS, warrant("W-KEY", classification=SECRET), who="focal_point", **key)
    assert sealed.status_code == 201
    again = api.post(EVENTS, warrant("W-KEY", classification=SECRET), who="focal_point", **key)
    assert again.status_code == 201 and again.get_json() == sealed.get_json()
    tokens.revoke("focal_point", "tests")
    api.tokens["focal_point"] = tokens.create("focal_point", "bureau", "tests")
    replay = api.post(EVENTS, warrant("W-KEY", classification=SECRET), who="focal_point", **key)
    assert replay.status_code == 403
    assert "W-KEY" not in json.dumps(replay.get_json())
    assert replay.get_json()["message"] == (
        "The bureau role may not record ArrestWarrantIssued events."
    )
    # A correction the bureau could record, of an event it may not see: refused too.
    tokens.revoke("focal_point", "tests")
    api.tokens["focal_point"] = tokens.create("focal_point", "focal_point", "tests")
    fix = {
        "type": "EventCorrected",
        "occurred_on": "2021-01-01",
        "corrects": sealed.get_json()["id"],
        "changes": {"person": "B. Person"},
        "reason": "A mistake",
    }
    key = {"Idempotency-Key": "sealed-2"}
    assert api.post(EVENTS, fix, who="focal_point", **key).status_code == 201
    tokens.revoke("focal_point", "tests")
    api.tokens["focal_point"] = tokens.create("focal_point", "bureau", "tests")
    replay = api.post(EVENTS, fix, who="focal_point", **key)
    assert replay.status_code == 403
    assert "B. Person" not in json.dumps(replay.get_json())


def test_system_labels_cannot_be_given_to_a_token(api):
    from core.errors import InvalidEvent
    from core.tokens import Tokens

    tokens = Tokens(api.services.app)
    for label in ("import", "operator", "scheduler", "system", "Import"):
        with pytest.raises(InvalidEvent, match="a label the system records under"):
            tokens.create(label, "focal_point", "tests")
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["token", "create", "--role", "focal_point", "--label", "scheduler"],
        env={"FOLLOWUP_DATABASE_URL": api.services.database_url},
    )
    assert result.exit_code == 1
    assert result.output.startswith("error: label: 'scheduler' is a label the system")


def test_health_says_only_that_it_is_up(api):
    World(api)
    response = api.client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
