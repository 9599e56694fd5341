"""People, not labels: a token issued to a person records as that person; tokens issued
before keep their label; corrections and retractions need a reason; GET /events filters
by who recorded; diff, explain and the audit trail say who and why."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from api import create_app
from cli import main
from followup.bootstrap import bootstrap


def workshop(n: int, classification: str = "public") -> dict:
    return {
        "type": "WorkshopHeld",
        "occurred_on": "2010-05-05",
        "title": f"Workshop {n}",
        "organiser": "ICC",
        "participants": ["KEN"],
        "attendees": n,
        "topics": [],
        "classification": classification,
    }


def test_people_record_and_say_why(sqlite_url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--database-url", sqlite_url]).exit_code == 0
    made = runner.invoke(
        main,
        ["token", "create", "--person", "Amina Diallo", "--email", "amina@icc.example",
         "--role", "focal_point", "--database-url", sqlite_url],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    person_token = made.stdout.strip()
    services = bootstrap(sqlite_url, load_entry_points=False)
    try:
        old_token = services.tokens.create("focal-point-1", "focal_point", "tests")
        auditor = services.tokens.create("auditor-1", "auditor", "tests")
        client = create_app(services=services).test_client()

        def call(method: str, path: str, token: str, body: object = None):
            return client.open(
                path, method=method, json=body, headers={"Authorization": f"Bearer {token}"}
            )

        mine = call("POST", "/api/v1/events", person_token, workshop(1)).get_json()
        assert mine["recorded_by"] == "Amina Diallo <amina@icc.example>"
        secret = call("POST", "/api/v1/events", person_token, workshop(2, "confidential"))
        assert secret.status_code == 201
        labelled = call("POST", "/api/v1/events", old_token, workshop(3)).get_json()
        assert labelled["recorded_by"] == "focal-point-1"
        # The person sees their own confidential event; the other focal point does not.
        assert (
            call("GET", f"/api/v1/events/{secret.get_json()['id']}", person_token).status_code
            == 200
        )
        assert (
            call("GET", f"/api/v1/events/{secret.get_json()['id']}", old_token).status_code == 404
        )

        # A correction and a retraction without a reason are refused.
        no_reason = {"type": "EventCorrected", "occurred_on": "2010-05-06",
                     "corrects": mine["id"], "changes": {"attendees": 12}}  # fmt: skip
        answer = call("POST", "/api/v1/events", person_token, no_reason)
        assert answer.status_code == 422 and "reason" in answer.get_json()["errors"]
        corrected = call("POST", "/api/v1/events", person_token,
                         {**no_reason, "reason": "Twelve attended, not one."})  # fmt: skip
        assert corrected.status_code == 201
        retraction = {"type": "EventRetracted", "occurred_on": "2010-05-06",
                      "retracts": labelled["id"]}  # fmt: skip
        assert call("POST", "/api/v1/events", old_token, retraction).status_code == 422
        retraction["reason"] = "Recorded twice."
        assert call("POST", "/api/v1/events", old_token, retraction).status_code == 201

        by_email = call("GET", "/api/v1/events?recorded_by=amina@icc.example", auditor).get_json()
        assert [e["title"] if "title" in e else e["type"] for e in by_email["items"]] == [
            "Workshop 1", "Workshop 2", "EventCorrected",
        ]  # fmt: skip
        by_label = call("GET", "/api/v1/events?recorded_by=focal-point-1", auditor).get_json()
        assert [e["type"] for e in by_label["items"]] == ["WorkshopHeld", "EventRetracted"]

        diff = call("GET", "/api/v1/audit/diff?from=2000-01-01&to=2100-01-01", auditor).get_json()
        said = {e["type"]: e for e in diff["events"]}
        assert said["EventCorrected"]["recorded_by"] == "Amina Diallo <amina@icc.example>"
        assert said["EventCorrected"]["reason"] == "Twelve attended, not one."
        assert said["EventCorrected"]["changed"] == ["attendees"]
        assert said["EventRetracted"]["reason"] == "Recorded twice."

        trail = call("GET", "/api/v1/audit/trail", auditor).get_json()["items"]
        assert trail[-1]["reason"] == "Recorded twice." and trail[-1]["retracts"] == labelled["id"]
        assert call("GET", "/api/v1/audit/trail", person_token).status_code == 403
    finally:
        services.close()

    out = runner.invoke(main, ["audit", "trail", "--database-url", sqlite_url])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows[-2]["reason"] == "Twelve attended, not one." and rows[-2]["changed"] == "attendees"
    assert rows[-2]["recorded_by"] == "Amina Diallo <amina@icc.example>"
    first_time = rows[-2]["recorded_at"]
    out = runner.invoke(
        main, ["audit", "trail", "--from", first_time, "--format", "jsonl",
               "--database-url", sqlite_url],
    )  # fmt: skip
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["type"] for line in lines] == ["EventCorrected", "EventRetracted"]
    listed = runner.invoke(main, ["token", "list", "--json", "--database-url", sqlite_url])
    people = {t["label"]: t["person"] for t in json.loads(listed.stdout)}
    assert people["amina@icc.example"] == "Amina Diallo" and people["focal-point-1"] is None


def test_a_token_table_from_before_gets_the_person_columns(tmp_path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE api_tokens (label TEXT PRIMARY KEY, role TEXT NOT NULL, "
            "token_sha256 TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT)"
        )
        db.execute("INSERT INTO api_tokens VALUES ('fp', 'focal_point', 'x', '2020', NULL)")
    services = bootstrap(f"sqlite:///{path}", load_entry_points=False)
    try:
        tokens = services.tokens
        assert [(i.label, i.person) for i in tokens.list()] == [("fp", None)]
        tokens.create("ana@icc.example", "bureau", "tests", person="Ana", email="ana@icc.example")
        assert [(i.label, i.person) for i in services.tokens.list()][-1] == (
            "ana@icc.example",
            "Ana",
        )
    finally:
        services.close()
