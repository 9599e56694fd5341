"""A two-year follow-up of the recommendations, end to end over real HTTP against
`followup serve`: actions planned on several recommendations, progress reported, a
deadline missed (the scheduler's reminder recorded and delivered to a real SMTP server
on loopback), actions completed with evidence, recommendations reassessed with
reasons, an indicator defined with a target and met. The recommendations' view as of
times inside that history shows exactly what was known then: the same answer,
whenever it is asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from plugins.builtin.follow_up import year_before
from tests.receivers import smtp_server
from tests.server import followup, serve

V1 = "/api/v1"
ANA = "Ana Focal <ana@example.org>"
TODAY = datetime.now(UTC).date()
#: Two years ago: the follow-up's first day.
T0 = TODAY - timedelta(days=730)


def day(offset: int) -> str:
    return (T0 + timedelta(days=offset)).isoformat()


def query(path: str, **params: Any) -> str:
    return f"{V1}{path}?{urlencode(params)}" if params else f"{V1}{path}"


def assessed(number: int, offset: int, status: str, why: str) -> dict[str, Any]:
    return {
        "type": "RecommendationAssessed",
        "occurred_on": day(offset),
        "recommendation": number,
        "status": status,
        "rationale": why,
    }


def planned(name: str, numbers: list[int], due: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "ActionPlanned",
        "occurred_on": day(5),
        "action": name,
        "recommendations": numbers,
        "description": f"The work of {name}",
        "lead": "AUT",
        "responsible": "Bo Lead",
        "due_on": day(due),
        **extra,
    }


FIRST_MONTH = [
    assessed(5, 1, "not_started", "No State has been offered support yet."),
    assessed(22, 1, "not_started", "No regional seminar yet."),
    assessed(33, 1, "not_started", "Nothing done."),
    planned("ACT-1", [5, 33], 200),
    planned(
        "ACT-2",
        [22],
        120,
        lead="AU",
        responsible="Cy Liaison",
        responsible_email="cy@example.org",
        description="Regional seminar on witness protection",
    ),
    planned("ACT-3", [5], 400, lead="NLD"),
    {
        "type": "IndicatorDefined",
        "occurred_on": day(10),
        "indicator": "esa-signed",
        "recommendation": 5,
        "description": "Enforcement agreements signed since the baseline",
        "figure": "agreements.enforcement_of_sentences.signed",
        "period": "since_baseline",
        "baseline": 0,
        "baseline_on": day(0),
        "target": 1,
        "target_on": day(600),
    },
    {
        "type": "QuestionnaireSent",
        "occurred_on": day(20),
        "questionnaire": "Q-1",
        "title": "Support for enforcement",
        "states": ["AUT", "NLD"],
        "asked": [5, 33],
        "due_on": day(90),
    },
]
SPRING = [
    {
        "type": "ActionProgressReported",
        "occurred_on": day(60),
        "action": "ACT-1",
        "text": "Model agreement drafted",
        "percent": 40,
    },
    {
        "type": "QuestionnaireAnswered",
        "occurred_on": day(70),
        "questionnaire": "Q-1",
        "state": "AUT",
        "answers": [{"recommendation": 5, "status": "in_progress", "text": "In talks."}],
    },
    assessed(5, 80, "in_progress", "A model agreement has been drafted (ACT-1)."),
]
YEAR_ONE = [
    {
        "type": "ActionRescheduled",
        "occurred_on": day(190),
        "action": "ACT-1",
        "due_on": day(800),
        "reason": "Negotiations take longer",
    },
    {
        "type": "ActionCompleted",
        "occurred_on": day(300),
        "action": "ACT-3",
        "documents": ["ICC-ASP/NLD/1"],
        "text": "Support offered",
    },
]


@pytest.fixture(scope="module")
def follow_up(tmp_path_factory):
    """The history recorded in sittings; each sitting's time, and what the views said
    right after it."""
    folder = tmp_path_factory.mktemp("follow-up")
    url = f"sqlite:///{folder}/followup.sqlite"
    followup("init", url=url)
    tokens = {
        "focal_point": followup(
            "token",
            "create",
            "--role",
            "focal_point",
            "--label",
            "ana",
            "--person",
            "Ana Focal",
            "--email",
            "ana@example.org",
            url=url,
        ).strip(),
        "bureau": followup(
            "token", "create", "--role", "bureau", "--label", "bureau", url=url
        ).strip(),
        "auditor": followup(
            "token", "create", "--role", "auditor", "--label", "audit", url=url
        ).strip(),
    }
    with serve(url, folder / "server.log", workers=2) as server, smtp_server() as box:
        server.tokens = tokens
        record = Recorder(server)
        record.sitting("first month", FIRST_MONTH)
        record.sitting("spring", SPRING)
        record.sitting("year one", YEAR_ONE)
        # A deadline missed: ACT-2 was due on day 120 and is still open. The scheduler's
        # reminder, for a due time now, reaches the persons concerned.
        reminder = remind(url, box.port)
        record.after("reminder")
        evidence = record.sitting(
            "year two",
            [
                {
                    "type": "AgreementSigned",
                    "occurred_on": day(440),
                    "agreement": "ESA-AUT-1",
                    "kind": "enforcement_of_sentences",
                    "parties": ["AUT"],
                    "title": "Enforcement of sentences",
                    "recommendations": [5],
                },
                {
                    "type": "WorkshopHeld",
                    "occurred_on": day(510),
                    "title": "Regional seminar on witness protection",
                    "organiser": "AU",
                    "host": "ETH",
                    "participants": ["KEN", "UGA"],
                    "attendees": 30,
                    "topics": ["witness_protection"],
                    "recommendations": [22],
                },
            ],
        )
        record.sitting(
            "completion",
            [
                {
                    "type": "ActionCompleted",
                    "occurred_on": day(450),
                    "action": "ACT-1",
                    "evidence": [evidence[0]["id"]],
                    "documents": ["ICC-PRES/ESA-AUT-1"],
                },
                {
                    "type": "ActionCompleted",
                    "occurred_on": day(520),
                    "action": "ACT-2",
                    "evidence": [evidence[1]["id"]],
                },
                assessed(5, 460, "implemented", "An enforcement agreement was signed."),
                assessed(22, 530, "implemented", "The regional seminar took place."),
            ],
        )
        yield server, record, reminder, box.messages


class Recorder:
    """Records sittings over HTTP; keeps each one's time and what the views said then."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.times: dict[str, str] = {}
        self.seen: dict[str, dict[str, Any]] = {}

    def sitting(self, name: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        reply = self.server.post(f"{V1}/events/batch", {"events": events}, who="focal_point")
        assert reply.status == 201, reply.body
        assert {e["recorded_by"] for e in reply.body["items"]} == {ANA}
        self.after(name)
        return list(reply.body["items"])

    def after(self, name: str) -> None:
        time.sleep(0.01)
        self.times[name] = last_time(self.server)
        self.seen[name] = {
            "list": self.get("/recommendations"),
            "one": self.get("/recommendations/5"),
            "actions": self.get("/actions"),
        }

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        # The reading's date is the test's today, not the server's: a run that passes
        # midnight would otherwise read its sittings on two different days.
        params.setdefault("on", TODAY.isoformat())
        reply = self.server.get(query(path, **params), who="bureau")
        assert reply.status == 200, reply.body
        return dict(reply.body)


def last_time(server: Any) -> str:
    position = server.position()
    [event] = server.get(f"{V1}/events?after={position - 1}", who="auditor").body["items"]
    return str(event["recorded_at"])


def remind(url: str, port: int) -> dict[str, Any]:
    config = {
        "notifiers": {
            "mail": {
                "kind": "smtp",
                "host": "127.0.0.1",
                "port": port,
                "security": "none",
                "from": "followup@example.org",
                "to": ["bureau@example.org"],
            }
        },
        "jobs": {"action_reminders": {"notify": ["mail"], "days_before": 14, "days": 7}},
    }
    # The job's due time is now to the second: let the second the last sitting was
    # recorded in pass, or the job reads the log as it stood before that sitting.
    time.sleep(1.05 - time.time() % 1)
    result = subprocess.run(
        [sys.executable, "-m", "cli", "scheduler", "--once", "action_reminders"],
        env={**os.environ, "FOLLOWUP_DATABASE_URL": url, "FOLLOWUP_CONFIG": json.dumps(config)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def by_number(body: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {item["number"]: item for item in body["items"]}


def test_a_missed_deadline_is_reminded_once_recorded_and_delivered(follow_up):
    server, record, reminder, messages = follow_up
    assert reminder["status"] == "done"
    assert [e["type"] for e in reminder["events"]] == ["ReminderSent"]
    assert all(d["delivered"] for d in reminder["deliveries"])
    [recorded] = server.get(query("/events", type="ReminderSent"), who="bureau").body["items"]
    assert (recorded["about"], recorded["reference"], recorded["stage"]) == (
        "action",
        "ACT-2",
        "overdue",
    )
    assert recorded["since"] == day(120) and recorded["recorded_by"] == "scheduler"
    addressed = {message["To"]: message for message in messages}
    assert set(addressed) == {"bureau@example.org", "cy@example.org", "ana@example.org"}
    for message in messages:
        text = message.get_content()
        assert "ACT-2" in text and "overdue since " + day(120) in text
        assert "ACT-1" not in text and "ACT-3" not in text  # completed or not yet due
    # As the system knew it just before the reminder, ACT-2 was overdue; after the
    # reminder, nothing changed in the views (the system's own record).
    assert (
        record.seen["reminder"]["actions"]["items"] == record.seen["year one"]["actions"]["items"]
    )


def test_the_views_as_of_each_sitting_are_what_was_known_then(follow_up):
    _, record, _, _ = follow_up
    for name, seen in record.seen.items():
        as_of = record.times[name]
        for key, path in (
            ("list", "/recommendations"),
            ("one", "/recommendations/5"),
            ("actions", "/actions"),
        ):
            again = record.get(path, as_of=as_of, on=TODAY.isoformat())
            then = seen[key]
            assert again["position"] == then["position"], (name, key)
            for field in ("items", "item", "dashboard", "total"):
                assert again.get(field) == then.get(field), (name, key, field)


def test_the_first_month_as_known_then(follow_up):
    _, record, _, _ = follow_up
    first = record.get("/recommendations", as_of=record.times["first month"], on=day(30))
    five = by_number(first)[5]
    assert (five["status"], five["assessed_by"], five["status_since"]) == (
        "not_started",
        ANA,
        day(1),
    )
    assert five["actions"] == {"open": 2, "overdue": 0, "completed": 0, "abandoned": 0}
    indicator = five["tracked_indicators"]["esa-signed"]
    assert (indicator["value"], indicator["target"]["value"], indicator["status"]) == (
        0,
        1,
        "behind",
    )
    assert first["dashboard"]["overall"]["actions"] == {"open": 3, "overdue": 0}


def test_spring_progress_a_reassessment_and_a_states_answer(follow_up):
    _, record, _, _ = follow_up
    spring = record.get("/recommendations/5", as_of=record.times["spring"], on=day(130))["item"]
    assert (spring["status"], spring["status_since"], spring["previous_status"]) == (
        "in_progress",
        day(80),
        "not_started",
    )
    assert spring["rationale"] == "A model agreement has been drafted (ACT-1)."
    assert spring["self_assessed"] == 1
    assert [(a["state"], a["status"]) for a in spring["self_assessments"]] == [
        ("AUT", "in_progress")
    ]
    act1 = {a["action"]: a for a in spring["planned_actions"]}["ACT-1"]
    assert (act1["percent"], act1["status"], act1["overdue"]) == (40, "open", False)
    overdue = record.get("/actions", as_of=record.times["spring"], on=day(130), status="overdue")
    assert [a["action"] for a in overdue["items"]] == ["ACT-2"]
    # What was known at spring, on today: the indicator was missed (nothing signed yet).
    then = record.get("/recommendations/5", as_of=record.times["spring"])["item"]
    assert then["tracked_indicators"]["esa-signed"]["status"] == "missed"


def test_two_years_on_actions_done_with_evidence_reassessed_and_the_target_met(follow_up):
    _, record, _, _ = follow_up
    now = record.get("/recommendations")
    rows = by_number(now)
    assert (rows[5]["status"], rows[5]["previous_status"], rows[5]["status_since"]) == (
        "implemented",
        "in_progress",
        day(460),
    )
    assert rows[5]["rationale"] == "An enforcement agreement was signed."
    assert rows[5]["actions"] == {"open": 0, "overdue": 0, "completed": 2, "abandoned": 0}
    assert rows[33]["actions"]["completed"] == 1 and rows[33]["status"] == "not_started"
    met = rows[5]["tracked_indicators"]["esa-signed"]
    assert (met["value"], met["status"], met["on_track"]) == (1, "met", True)
    five = record.get("/recommendations/5")["item"]
    assert [c["type"] for c in five["cited_by"]] == [
        "ActionPlanned",
        "ActionPlanned",
        "AgreementSigned",
    ]
    trend = five["tracked_indicators"]["esa-signed"]["trend"]
    assert trend[0] == {"on": day(0), "value": 0} and trend[-1]["value"] == 1
    act1 = {a["action"]: a for a in five["planned_actions"]}["ACT-1"]
    assert act1["evidence"]["documents"] == ["ICC-PRES/ESA-AUT-1"]
    assert act1["first_due_on"] == day(200) and act1["due_on"] == day(800)
    board = now["dashboard"]
    assert board["before"] == year_before(TODAY).isoformat()
    changed = {c["number"]: (c["from"], c["to"]) for c in board["changed"]}
    assert changed == {5: ("in_progress", "implemented"), 22: ("not_started", "implemented")}
    cluster_e = {c["cluster"]: c for c in board["clusters"]}["I.E"]
    assert cluster_e["status"]["implemented"] == 1
    assert board["overall"]["actions"] == {"open": 0, "overdue": 0}
    done = record.get("/actions", status="completed", **{"from": day(440), "to": day(530)})
    assert sorted(a["action"] for a in done["items"]) == ["ACT-1", "ACT-2"]
    assert [a["action"] for a in record.get("/actions", person="cy@example.org")["items"]] == [
        "ACT-2"
    ]
    assert record.get("/actions", lead="NLD")["items"][0]["action"] == "ACT-3"


def test_the_actions_endpoint_refuses_bad_filters_and_an_unknown_action(follow_up):
    server, _, _, _ = follow_up
    for bad in ("recommendation=67", "status=late", "lead=XXX", "person=", "colour=red"):
        reply = server.get(f"{V1}/actions?{bad}", who="bureau")
        assert reply.status == 422, (bad, reply.body)
    assert server.get(f"{V1}/actions/ACT-9", who="bureau").status == 404
    assert server.get(f"{V1}/actions/ACT-1", who="bureau").body["item"]["status"] == "completed"
    assert server.get(f"{V1}/actions").status == 401
    document = server.get("/api/openapi.json").body
    assert "/api/v1/actions" in document["paths"]
    recommendations = document["paths"]["/api/v1/recommendations"]["get"]
    assert "dashboard" in json.dumps(recommendations["responses"]["200"])


def test_the_command_line_answers_as_the_api_did_at_each_sitting(follow_up):
    """`followup status` and `followup actions` (--json) are the API's answers; their
    tables say the same for a person at a terminal."""
    server, record, _, _ = follow_up
    restricted = ("--clearance", "restricted")
    today = ("--on", TODAY.isoformat())  # the day the sittings were read on
    for name in ("spring", "completion"):
        as_of = record.times[name]
        seen = record.seen[name]
        listed = json.loads(
            followup("status", "--json", "--as-of", as_of, *restricted, *today, url=server.url)
        )
        one = json.loads(
            followup("status", "5", "--json", "--as-of", as_of, *restricted, *today, url=server.url)
        )
        actions = json.loads(
            followup("actions", "--json", "--as-of", as_of, *restricted, *today, url=server.url)
        )
        for answer, then, field in (
            (listed, seen["list"], "items"),
            (listed, seen["list"], "dashboard"),
            (one, seen["one"], "item"),
            (actions, seen["actions"], "items"),
        ):
            assert answer["position"] == then["position"], (name, field)
            assert answer[field] == then[field], (name, field)
    spring = followup(
        "status", "--as-of", record.times["spring"], "--on", day(130), *restricted, url=server.url
    )
    five = next(line for line in spring.splitlines() if line.startswith("5 "))
    assert five.split()[2:5] == ["in", "progress", day(80)]
    assert f" 5: not assessed -> in progress on {day(80)} by {ANA}: A model" in spring
    story = followup(
        "status", "5", "--on", day(130), "--as-of", record.times["spring"], url=server.url
    )
    assert f"{day(80)} in progress by {ANA}: A model agreement has been drafted (ACT-1)." in story
    assert f"Status: in progress since {day(80)} (before: not started since {day(1)})" in story
    assert f"{day(70)} AUT (Q-1): in progress. In talks." in story
    overdue = followup(
        "actions",
        "--status",
        "overdue",
        "--on",
        day(130),
        "--as-of",
        record.times["spring"],
        url=server.url,
    )
    assert overdue.splitlines()[0] == (
        f"ACT-2 (overdue by 10 days) due {day(120)}, recommendations 22"
    )
    assert "responsible Cy Liaison <cy@example.org>" in overdue and "ACT-1" not in overdue
