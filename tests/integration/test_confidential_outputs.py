"""Every output applies the views' visibility to an event and to its target: a public
correction or retraction of a confidential event (as a log written before
classifications were inherited may hold) is in no list, diff, digest, notice or
replay for a reader without clearance. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import core.application
from cli import main
from core.envelope import Draft
from plugins.builtin.scheduled_jobs import digest
from tests.apiclient import Api

EVENTS = "/api/v1/events"


def post(api: Api, body: dict[str, Any], who: str = "focal_point") -> dict[str, Any]:
    response = api.post(EVENTS, body, who=who)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


@pytest.fixture
def legacy(store_api: Api, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A sealed warrant, and a public correction and retraction of confidential events
    recorded as earlier versions did (no inheritance)."""
    api = store_api
    start = datetime.now(UTC) - timedelta(seconds=1)
    sealed = post(
        api,
        {
            "type": "ArrestWarrantIssued",
            "occurred_on": "2020-05-05",
            "warrant": "W-SEALED",
            "situation": "Situation X",
            "person": "A. Person",
            "classification": "confidential",
        },
    )
    visit = post(
        api,
        {
            "type": "HighLevelVisit",
            "occurred_on": "2020-05-06",
            "organ": "registry",
            "host": "KEN",
            "classification": "confidential",
        },
    )

    def as_before(draft: Draft, inherited: str, what: str, lowering: str | None) -> Draft:
        return draft

    with monkeypatch.context() as patched:
        patched.setattr(core.application, "_classified", as_before)
        fix = post(
            api,
            {
                "type": "EventCorrected",
                "occurred_on": "2020-06-01",
                "corrects": sealed["id"],
                "changes": {"person": "THE-SEALED-NAME"},
                "reason": "A mistake",
                "classification": "public",
            },
        )
        retraction = post(
            api,
            {
                "type": "EventRetracted",
                "occurred_on": "2020-06-02",
                "retracts": visit["id"],
                "reason": "THE-SEALED-REASON",
                "classification": "public",
            },
        )
    assert fix["classification"] == retraction["classification"] == "public"
    hidden = {sealed["id"], visit["id"], fix["id"], retraction["id"]}
    return {"api": api, "start": start, "hidden": hidden}


def leaks(text: str, hidden: set[str]) -> list[str]:
    found = [marker for marker in ("THE-SEALED", "W-SEALED") if marker in text]
    return found + [i for i in hidden if i in text]


def test_lists_diff_and_digest_leave_out_changes_of_hidden_events(legacy):
    api, hidden = legacy["api"], legacy["hidden"]
    listed = api.get(EVENTS, "bureau", query_string={"limit": 1000}).get_json()
    assert not leaks(json.dumps(listed), hidden)
    for event_id in hidden:
        assert api.get(f"{EVENTS}/{event_id}", "bureau").status_code == 404
    now = datetime.now(UTC) + timedelta(seconds=1)
    query = {"from": legacy["start"].isoformat(), "to": now.isoformat()}
    diff = api.get("/api/v1/audit/diff", "bureau", query_string=query)
    assert diff.status_code == 200
    assert not leaks(json.dumps(diff.get_json()), hidden)
    audited = api.get("/api/v1/audit/diff", "auditor", query_string=query).get_json()
    assert {e["id"] for e in audited["events"]} >= hidden  # the auditor sees them all
    work = digest(api.services, now, {"days": 7})
    assert work is not None
    sent = work.text + json.dumps(work.data) + work.attachments[0].data.decode()
    assert not leaks(sent, hidden)


def test_the_restricted_replay_and_state_leave_them_out(legacy, tmp_path: Path):
    api, hidden = legacy["api"], legacy["hidden"]
    runner = CliRunner()
    url = {"FOLLOWUP_DATABASE_URL": api.services.database_url}
    now = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    out = tmp_path / "replay"
    args = ["replay", "--as-of", now, "-o", str(out), "--clearance", "restricted"]
    result = runner.invoke(main, args, env=url, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not leaks((out / "events.jsonl").read_text(), hidden)
    assert not leaks((out / "views.json").read_text(), hidden)
    state = runner.invoke(main, ["state", "--clearance", "restricted"], env=url)
    assert state.exit_code == 0, state.output
    types = json.loads(state.output)["types"]
    assert "EventCorrected" not in types and "EventRetracted" not in types
    everything = json.loads(runner.invoke(main, ["state"], env=url).output)["types"]
    assert everything["EventCorrected"] == everything["EventRetracted"] == 1
