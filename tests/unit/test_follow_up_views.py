"""What the follow-up of the recommendations shows, on any date and as of any time:
actions open, overdue, completed; counts per recommendation and per cluster (an action
once); each recommendation's status, since when, by whom and why, and the status
before; indicators' value, target and status; the States' answers apart from the
focal point's assessment; the dashboard."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from core.views.model import Level
from followup.bootstrap import Services
from plugins.builtin import actions, follow_up, queries
from plugins.builtin.indicators import status, trend_days

ANA = "Ana Focal <ana@example.org>"
BO = "Bo Focal <bo@example.org>"


def record(services: Services, raw: dict[str, Any], by: str = ANA) -> Any:
    return services.app.record_raw(raw, by)


def read(services: Services, on: str, as_of: datetime | None = None) -> Any:
    return services.views.reading(Level.RESTRICTED, as_of=as_of, on=date.fromisoformat(on))


def overview(services: Services, on: str, as_of: datetime | None = None) -> follow_up.Overview:
    reading = read(services, on, as_of)
    views = services.views
    return follow_up.Overview(reading, lambda n: views.indicators_for(reading, n), views.figures)


def row(services: Services, number: int, on: str, as_of: datetime | None = None) -> Any:
    return overview(services, on, as_of).rows()[number - 1]


def plan(services: Services, action: str = "ACT-1", **changes: Any) -> Any:
    return record(
        services,
        {
            "type": "ActionPlanned",
            "occurred_on": "2024-01-15",
            "action": action,
            "recommendations": [5, 6],
            "description": "Model agreement circulated",
            "lead": "AUT",
            "responsible": "Bo Lead",
            "due_on": "2024-06-30",
            **changes,
        },
    )


def test_an_action_is_open_then_overdue_then_rescheduled_then_completed(memory_services):
    plan(memory_services)
    record(
        memory_services,
        {
            "type": "ActionProgressReported",
            "occurred_on": "2024-03-01",
            "action": "ACT-1",
            "text": "Draft",
            "percent": 40,
        },
    )
    record(
        memory_services,
        {
            "type": "ActionRescheduled",
            "occurred_on": "2024-08-01",
            "action": "ACT-1",
            "due_on": "2024-12-31",
            "reason": "Late",
        },
    )
    record(
        memory_services,
        {
            "type": "ActionCompleted",
            "occurred_on": "2024-11-01",
            "action": "ACT-1",
            "documents": ["ICC-ASP/23/1"],
        },
    )
    expected = {
        "2024-01-14": None,
        "2024-02-01": ("open", False, "2024-06-30", None),
        "2024-06-30": ("open", False, "2024-06-30", 40),
        "2024-07-01": ("open", True, "2024-06-30", 40),
        "2024-08-01": ("open", False, "2024-12-31", 40),
        "2024-11-01": ("completed", False, "2024-12-31", 100),
    }
    for on, shown in expected.items():
        reading = read(memory_services, on)
        item = reading.item("actions", "ACT-1")
        if shown is None:
            assert item is None and reading.items("actions") == []
            continue
        assert (item["status"], item["overdue"], item["due_on"], item["percent"]) == shown, on
        figures = memory_services.views.summary(reading)
        assert figures["actions.open"]["value"] == int(shown[0] == "open")
        assert figures["actions.overdue"]["value"] == int(shown[1])
        counts = row(memory_services, 6, on)["actions"]
        assert counts == {
            "open": int(shown[0] == "open"),
            "overdue": int(shown[1]),
            "completed": int(shown[0] == "completed"),
            "abandoned": 0,
        }, on
    july = read(memory_services, "2024-07-15")
    assert "days_overdue" not in july.item("actions", "ACT-1")  # it grows every day
    [late] = actions.actions(july.items("actions"), july.period, status="overdue")
    assert late["days_overdue"] == 15
    assert actions.on_the_day(july.item("actions", "ACT-1"), date(2024, 8, 1))["days_overdue"] == 32
    assert [
        i["action"] for i in actions.actions(july.items("actions"), july.period, status="overdue")
    ] == ["ACT-1"]


def test_actions_filter_by_recommendation_lead_person_state_and_period(memory_services):
    plan(memory_services)
    plan(
        memory_services,
        "ACT-2",
        recommendations=[7],
        lead="AU",
        responsible="Cy",
        responsible_email="cy@example.org",
        due_on="2024-03-31",
    )
    record(
        memory_services,
        {
            "type": "ActionCompleted",
            "occurred_on": "2024-03-01",
            "action": "ACT-2",
            "documents": ["doc"],
        },
    )

    def names(first: date | None = None, **wanted: Any) -> list[str]:
        reading = memory_services.views.reading(
            Level.RESTRICTED, on=date(2024, 12, 31), first=first, last=first and date(2024, 3, 31)
        )
        return [
            i["action"] for i in actions.actions(reading.items("actions"), reading.period, **wanted)
        ]

    assert names(recommendation=6) == ["ACT-1"]
    assert names(lead="AU") == ["ACT-2"]
    assert names(person="bo lead") == ["ACT-1"] and names(person="CY@example.org") == ["ACT-2"]
    assert names(status="completed") == ["ACT-2"] and names(status="open") == ["ACT-1"]
    assert names(status="overdue") == ["ACT-1"]
    # With a period: completed in it; without a state, anything dated in it.
    assert names(date(2024, 2, 1), status="completed") == ["ACT-2"]
    assert names(date(2024, 3, 2), status="completed") == []
    assert names(date(2024, 2, 1)) == ["ACT-2"]  # ACT-1 has nothing dated in the period


def test_a_correction_moves_the_counts_and_a_retraction_removes_the_action(memory_services):
    planned = plan(memory_services)
    record(
        memory_services,
        {
            "type": "EventCorrected",
            "occurred_on": "2024-02-01",
            "corrects": str(planned.id),
            "changes": {"recommendations": [9]},
            "reason": "Wrong recommendation",
        },
    )
    on = "2024-03-01"
    assert row(memory_services, 5, on)["actions"]["open"] == 0
    assert row(memory_services, 9, on)["actions"]["open"] == 1
    record(
        memory_services,
        {
            "type": "EventRetracted",
            "occurred_on": "2024-02-02",
            "retracts": str(planned.id),
            "reason": "Never planned",
        },
    )
    assert row(memory_services, 9, on)["actions"]["open"] == 0
    assert read(memory_services, on).items("actions") == []


def test_the_dashboard_counts_an_action_once_per_cluster_and_overall(memory_services):
    plan(memory_services, recommendations=[5, 6, 33])  # I.A twice, II.A once
    board = follow_up.dashboard((o := overview(memory_services, "2024-02-01")), o.rows())
    clusters = {c["cluster"]: c for c in board["clusters"]}
    assert clusters["I.A"]["actions"] == {"open": 1, "overdue": 0}
    assert clusters["II.A"]["actions"] == {"open": 1, "overdue": 0}
    assert clusters["I.B"]["actions"] == {"open": 0, "overdue": 0}
    assert board["overall"]["actions"] == {"open": 1, "overdue": 0}
    assert sum(c["recommendations"] for c in board["clusters"]) == 66
    assert o.rows()[4]["actions"]["open"] == o.rows()[5]["actions"]["open"] == 1


@pytest.mark.parametrize(
    ("on", "before"),
    [
        ("2024-03-01", "2023-03-01"),
        ("2024-02-29", "2023-02-28"),
        ("0001-06-30", "0001-01-01"),  # no year 0: the first day there is
        ("9999-12-31", "9998-12-31"),
    ],
)
def test_the_dashboard_compares_with_a_year_before_on_any_date(memory_services, on, before):
    board = follow_up.dashboard((o := overview(memory_services, on)), o.rows())
    assert (board["on"], board["before"]) == (on, before)
    assert board["overall"]["status_before"]["not_assessed"] == 66


def assess(services: Services, number: int, on: str, status_: str, why: str, by: str = ANA):
    return record(
        services,
        {
            "type": "RecommendationAssessed",
            "occurred_on": on,
            "recommendation": number,
            "status": status_,
            "rationale": why,
        },
        by,
    )


def test_a_status_says_since_when_by_whom_why_and_what_it_was_before(memory_services):
    assess(memory_services, 5, "2023-01-10", "not_started", "Nothing yet.")
    assess(memory_services, 5, "2023-06-01", "in_progress", "Draft circulated.", BO)
    assess(memory_services, 5, "2024-02-01", "in_progress", "Comments received.")
    shown = row(memory_services, 5, "2024-03-01")
    assert (shown["status"], shown["rationale"], shown["assessed_on"]) == (
        "in_progress",
        "Comments received.",
        "2024-02-01",
    )
    assert shown["assessed_by"] == ANA  # the latest assessment's author
    assert shown["status_since"] == "2023-06-01"
    assert (shown["previous_status"], shown["previous_status_since"]) == (
        "not_started",
        "2023-01-10",
    )
    earlier = row(memory_services, 5, "2023-03-01")
    assert (earlier["status"], earlier["status_since"], earlier["previous_status"]) == (
        "not_started",
        "2023-01-10",
        None,
    )
    untouched = row(memory_services, 1, "2024-03-01")
    assert (untouched["status"], untouched["assessed_by"], untouched["status_since"]) == (
        "not_assessed",
        None,
        None,
    )
    detail = queries.recommendation(read(memory_services, "2024-03-01"), 5, lambda n: {}, {})
    assert [(a["status"], a["assessed_by"]) for a in detail["assessments"]] == [
        ("not_started", ANA),
        ("in_progress", BO),
        ("in_progress", ANA),
    ]
    board = follow_up.dashboard((o := overview(memory_services, "2024-03-01")), o.rows())
    assert board["before"] == "2023-03-01"
    assert board["changed"] == [
        {
            "number": 5,
            "cluster": "I.A",
            "from": "not_started",
            "to": "in_progress",
            "since": "2023-06-01",
            "by": ANA,
            "rationale": "Comments received.",
        }
    ]
    assert board["overall"]["status"]["in_progress"] == 1
    assert board["overall"]["status_before"]["not_started"] == 1


def test_as_of_a_time_the_recommendation_shows_what_was_known_then(memory_services):
    assess(memory_services, 5, "2023-01-10", "not_started", "Nothing yet.")
    known = datetime.now(UTC)
    assess(memory_services, 5, "2023-02-01", "implemented", "Back-dated news.")
    assert row(memory_services, 5, "2024-01-01", as_of=known)["status"] == "not_started"
    assert row(memory_services, 5, "2024-01-01")["status"] == "implemented"


@pytest.mark.parametrize(
    ("value", "on", "expected"),
    [
        (None, "2024-06-01", "unknown"),
        (0, "2023-12-31", "before_baseline"),
        (10, "2024-06-01", "met"),
        (12, "2026-01-01", "met"),
        (4, "2026-01-01", "missed"),
        (6, "2024-07-01", "on_track"),  # half-way through the year, half-way there
        (4, "2024-07-01", "behind"),
    ],
)
def test_an_indicators_status(value, on, expected):
    baseline = {"value": 0, "on": "2024-01-01"}
    target = {"value": 10, "on": "2024-12-31"}
    assert status(value, baseline, target, date.fromisoformat(on)) == expected


def test_a_falling_target_is_met_at_or_below_it():
    baseline, target = {"value": 100, "on": "2024-01-01"}, {"value": 20, "on": "2025-01-01"}
    assert status(20, baseline, target, date(2024, 3, 1)) == "met"
    assert status(40, baseline, target, date(2024, 10, 1)) == "on_track"
    assert status(90, baseline, target, date(2024, 10, 1)) == "behind"


def test_trend_days_are_the_baseline_each_years_end_and_the_date():
    assert trend_days(date(2022, 3, 1), date(2024, 6, 1)) == [
        date(2022, 3, 1),
        date(2022, 12, 31),
        date(2023, 12, 31),
        date(2024, 6, 1),
    ]
    assert trend_days(date(2024, 3, 1), date(2024, 1, 1)) == [date(2024, 1, 1)]
    assert len(trend_days(date(2000, 1, 1), date(2024, 6, 1))) == 12


def indicator(**changes: Any) -> dict[str, Any]:
    return {
        "type": "IndicatorDefined",
        "occurred_on": "2024-01-20",
        "indicator": "esa",
        "recommendation": 5,
        "description": "Enforcement agreements signed",
        "figure": "agreements.enforcement_of_sentences.signed",
        "baseline": 0,
        "baseline_on": "2024-01-01",
        "target": 2,
        "target_on": "2024-12-31",
        **changes,
    }


def sign(services: Services, name: str, on: str, kind: str = "enforcement_of_sentences") -> Any:
    return record(
        services,
        {
            "type": "AgreementSigned",
            "occurred_on": on,
            "agreement": name,
            "kind": kind,
            "parties": ["AUT"],
            "title": name,
        },
    )


def test_an_indicator_reads_its_figure_on_the_date_with_the_target_of_then(memory_services):
    record(memory_services, indicator())
    sign(memory_services, "ESA-1", "2024-03-01")
    record(
        memory_services,
        {
            "type": "IndicatorTargetChanged",
            "occurred_on": "2024-06-01",
            "indicator": "esa",
            "target": 1,
            "target_on": "2024-12-31",
            "reason": "One is enough",
        },
    )
    april = row(memory_services, 5, "2024-04-01")["tracked_indicators"]["esa"]
    assert (april["value"], april["target"]["value"], april["status"]) == (1, 2, "on_track")
    june = row(memory_services, 5, "2024-06-01")["tracked_indicators"]["esa"]
    assert (june["target"]["value"], june["status"], june["on_track"]) == (1, "met", True)
    assert row(memory_services, 5, "2024-01-19")["tracked_indicators"] == {}
    detail = queries.recommendation(
        read(memory_services, "2025-02-01"), 5, lambda n: {}, memory_services.views.figures
    )
    assert detail["tracked_indicators"]["esa"]["trend"] == [
        {"on": "2024-01-01", "value": 0},
        {"on": "2024-12-31", "value": 1},
        {"on": "2025-02-01", "value": 1},
    ]


def test_an_indicator_counts_a_views_items_matching_its_filter(memory_services):
    defined = indicator(view="agreements", filter={"kind": "cooperation", "parties": "AUT"})
    del defined["figure"]
    record(memory_services, defined)
    sign(memory_services, "C-1", "2024-02-01", "cooperation")
    sign(memory_services, "C-2", "2024-03-01", "cooperation")
    sign(memory_services, "E-1", "2024-03-01")
    shown = row(memory_services, 5, "2024-06-01")["tracked_indicators"]["esa"]
    assert (shown["value"], shown["status"]) == (2, "met")


def test_an_indicator_of_an_unknown_figure_says_so(memory_services):
    record(memory_services, indicator(figure="gone.with.its.plugin"))
    shown = row(memory_services, 5, "2024-06-01")["tracked_indicators"]["esa"]
    assert (shown["value"], shown["status"], shown["on_track"]) == (None, "unknown", False)
    assert "gone.with.its.plugin" in shown["problem"]


def test_states_answers_are_evidence_apart_from_the_focal_points_assessment(memory_services):
    assess(memory_services, 5, "2024-01-10", "not_started", "Nothing yet.")
    record(
        memory_services,
        {
            "type": "QuestionnaireSent",
            "occurred_on": "2024-02-01",
            "questionnaire": "Q-1",
            "title": "Implementation",
            "states": ["AUT", "NLD"],
            "asked": [5, 6],
            "due_on": "2024-04-30",
        },
    )
    answered = record(
        memory_services,
        {
            "type": "QuestionnaireAnswered",
            "occurred_on": "2024-03-01",
            "questionnaire": "Q-1",
            "state": "AUT",
            "answers": [{"recommendation": 5, "status": "implemented", "text": "Act adopted."}],
        },
    )
    may = read(memory_services, "2024-05-01")
    questionnaire = may.item("questionnaires", "Q-1")
    assert (questionnaire["unanswered"], questionnaire["overdue"]) == (["NLD"], True)
    shown = row(memory_services, 5, "2024-05-01")
    assert shown["status"] == "not_started"  # the focal point's own assessment
    assert shown["self_assessed"] == 1
    assert row(memory_services, 5, "2024-02-15")["self_assessed"] == 0
    detail = queries.recommendation(may, 5, lambda n: {}, {})
    assert detail["self_assessments"] == [
        {
            "questionnaire": "Q-1",
            "state": "AUT",
            "answered_on": "2024-03-01",
            "status": "implemented",
            "text": "Act adopted.",
            "event": str(answered.id),
        }
    ]
    # Events citing the recommendation are another kind of evidence: none here.
    assert detail["cited_by"] == []


def test_the_report_gets_the_follow_up_and_itemises_only_what_is_public(memory_services):
    from plugins.builtin.follow_up import report_follow_up
    from reports.annual.gather import LogPoint, ReportPeriod, read, section_context

    assess(memory_services, 5, "2023-06-01", "not_started", "Nothing yet.")
    assess(memory_services, 5, "2024-03-01", "in_progress", "Drafting.")
    # Recommendation 6's latest assessment is restricted: its status is not public.
    assess(memory_services, 6, "2023-01-01", "not_started", "Nothing yet.")
    record(
        memory_services,
        {
            "type": "RecommendationAssessed",
            "occurred_on": "2023-04-01",
            "recommendation": 6,
            "status": "not_started",
            "rationale": "Quiet talks.",
            "classification": "restricted",
        },
        ANA,
    )
    plan(memory_services, "ACT-1", occurred_on="2023-07-01")
    plan(memory_services, "ACT-2", classification="restricted", description="Quiet work")
    record(
        memory_services,
        {
            "type": "ActionCompleted",
            "occurred_on": "2024-05-01",
            "action": "ACT-1",
            "documents": ["ICC-ASP/23/1"],
        },
    )
    record(memory_services, indicator())
    record(memory_services, indicator(indicator="quiet", classification="restricted"))
    services = memory_services
    period = ReportPeriod.of(2024, None, None, 2024)
    position = services.app.head().position
    context = section_context(
        services,
        read(services, period, position),
        period,
        LogPoint(position, "", ""),
        {},
        {},
        {},
    )
    data = report_follow_up(context)
    five = data["recommendations"][5]
    assert (five["status"], five["status_since"], five["previous_status"], five["public"]) == (
        "in_progress",
        "2024-03-01",
        "not_started",
        True,
    )
    # Public when the latest assessment is: not 6's (restricted), nor 7's (none).
    assert [data["recommendations"][n]["public"] for n in (5, 6, 7)] == [True, False, False]
    assert five["actions"] == {"open": 1, "overdue": 1, "completed": 1, "abandoned": 0}
    assert [a["action"] for a in five["completed_actions"]] == ["ACT-1"]
    assert five["completed_actions"][0]["documents"] == ["ICC-ASP/23/1"]
    assert five["open_actions"] == []  # ACT-2 is restricted: counted, never listed
    assert list(five["tracked_indicators"]) == ["esa"]
    board = data["dashboard"]
    assert (board["on"], board["before"]) == ("2024-12-31", "2024-01-01")
    assert board["changed"] == [
        {
            "number": 5,
            "cluster": "I.A",
            "from": "not_started",
            "to": "in_progress",
            "since": "2024-03-01",
        }
    ]
