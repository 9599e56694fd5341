"""The follow-up of the recommendations keeps its lifecycles straight: an action is
planned once, its events are dated in order, nothing follows its completion or
abandonment, it advances recommendations and is completed with evidence that is in the
log; an indicator has one source and a target after its baseline; a questionnaire is
answered once by each State it was sent to, on what it asks. A refused event records
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import InvalidEvent, LifecycleConflict
from followup.bootstrap import Services

BY = "Ana Focal <ana@example.org>"

PLAN = {
    "type": "ActionPlanned",
    "occurred_on": "2024-01-15",
    "action": "ACT-1",
    "recommendations": [5, 33],
    "description": "Model agreement circulated",
    "lead": "AUT",
    "responsible": "Bo Lead",
    "due_on": "2024-06-30",
}


def record(services: Services, raw: dict[str, Any]) -> Any:
    return services.app.record_raw(raw, BY)


def refused(services: Services, raw: dict[str, Any], error: type[Exception], text: str) -> None:
    before = services.app.head().position
    with pytest.raises(error, match=text):
        record(services, raw)
    assert services.app.head().position == before


def test_an_action_is_planned_once_for_some_recommendations_due_after_it_is_planned(
    memory_services,
) -> None:
    refused(memory_services, {**PLAN, "recommendations": []}, InvalidEvent, "advances one or more")
    refused(memory_services, {**PLAN, "due_on": "2024-01-14"}, LifecycleConflict, "before it")
    refused(memory_services, {**PLAN, "lead": "XXX"}, InvalidEvent, "Unknown party code")
    refused(memory_services, {**PLAN, "responsible_email": "nobody"}, InvalidEvent, "email")
    refused(
        memory_services,
        {
            "type": "ActionProgressReported",
            "occurred_on": "2024-02-01",
            "action": "ACT-1",
            "text": "x",
        },
        LifecycleConflict,
        "has not been planned",
    )
    record(memory_services, PLAN)
    refused(memory_services, PLAN, LifecycleConflict, "already planned")


def test_the_events_of_an_action_are_dated_in_order_and_nothing_follows_its_end(
    memory_services,
) -> None:
    record(memory_services, PLAN)
    progress = {
        "type": "ActionProgressReported",
        "occurred_on": "2024-03-01",
        "action": "ACT-1",
        "text": "Draft circulated",
        "percent": 40,
    }
    record(memory_services, progress)
    refused(
        memory_services,
        {**progress, "occurred_on": "2024-02-28"},
        LifecycleConflict,
        "dated in order",
    )
    refused(memory_services, {**progress, "percent": 101}, InvalidEvent, "percent")
    move = {
        "type": "ActionRescheduled",
        "occurred_on": "2024-06-01",
        "action": "ACT-1",
        "due_on": "2024-05-01",
        "reason": "Late",
    }
    refused(memory_services, move, LifecycleConflict, "a past date")
    refused(memory_services, {**move, "due_on": "2024-06-30"}, LifecycleConflict, "already due")
    record(memory_services, {**move, "due_on": "2024-09-30"})
    done = {"type": "ActionCompleted", "occurred_on": "2024-09-01", "action": "ACT-1"}
    refused(memory_services, done, InvalidEvent, "with evidence")
    record(memory_services, {**done, "documents": ["ICC-ASP/23/1"]})
    for after in (
        {**progress, "occurred_on": "2024-10-01"},
        {**move, "occurred_on": "2024-10-01", "due_on": "2024-12-31"},
        {"type": "ActionAbandoned", "occurred_on": "2024-10-01", "action": "ACT-1", "reason": "x"},
        {**done, "occurred_on": "2024-10-01", "documents": ["x"]},
    ):
        refused(memory_services, after, LifecycleConflict, "was completed on 2024-09-01")


def test_nothing_follows_an_abandoned_action(memory_services) -> None:
    record(memory_services, PLAN)
    record(
        memory_services,
        {
            "type": "ActionAbandoned",
            "occurred_on": "2024-02-01",
            "action": "ACT-1",
            "reason": "No host",
        },
    )
    refused(
        memory_services,
        {
            "type": "ActionCompleted",
            "occurred_on": "2024-03-01",
            "action": "ACT-1",
            "documents": ["x"],
        },
        LifecycleConflict,
        "was abandoned",
    )


def test_evidence_must_be_events_of_the_log_and_not_corrections(memory_services) -> None:
    record(memory_services, PLAN)
    visit = record(
        memory_services,
        {"type": "HighLevelVisit", "occurred_on": "2024-02-01", "organ": "registry", "host": "AUT"},
    )
    correction = record(
        memory_services,
        {
            "type": "EventCorrected",
            "occurred_on": "2024-02-02",
            "corrects": str(visit.id),
            "changes": {"host": "NLD"},
            "reason": "Wrong host",
        },
    )
    done = {"type": "ActionCompleted", "occurred_on": "2024-03-01", "action": "ACT-1"}
    refused(
        memory_services,
        {**done, "evidence": ["00000000-0000-0000-0000-000000000001"]},
        InvalidEvent,
        "No event",
    )
    refused(
        memory_services, {**done, "evidence": [str(correction.id)]}, InvalidEvent, "cite that one"
    )
    refused(memory_services, {**done, "evidence": ["not-an-id"]}, InvalidEvent, "UUID")
    event = record(memory_services, {**done, "evidence": [str(visit.id)]})
    assert event.payload["evidence"] == [str(visit.id)]


def test_a_batch_may_cite_as_evidence_an_event_it_records_first(memory_services) -> None:
    app = memory_services.app
    record(memory_services, PLAN)
    signed = {
        "type": "AgreementSigned",
        "occurred_on": "2024-08-01",
        "agreement": "ESA-9",
        "kind": "enforcement_of_sentences",
        "parties": ["AUT"],
        "title": "ESA",
    }
    first = app.record_batch([app.validate(signed)], BY)[0]
    events = app.record_batch(
        [
            app.validate(
                {
                    "type": "ActionCompleted",
                    "occurred_on": "2024-08-02",
                    "action": "ACT-1",
                    "evidence": [str(first.id)],
                }
            )
        ],
        BY,
    )
    assert events[0].type == "ActionCompleted"


def test_evidence_the_writer_may_not_see_is_no_event_and_a_confidential_one_is_inherited(
    memory_services,
) -> None:
    """Another focal point's confidential event cannot be cited (it is "no event", as
    an id that is nowhere); its own can, and makes the completion confidential: the
    Bureau never reads an id it may not know of. A completion that asks to be public
    while citing it is refused."""
    app = memory_services.app
    bo = "Bo Focal <bo@example.org>"
    record(memory_services, PLAN)
    secret = {
        "type": "HighLevelVisit",
        "occurred_on": "2024-02-01",
        "organ": "registry",
        "host": "AUT",
        "classification": "confidential",
    }
    mine = app.record_raw(secret, BY)
    theirs = app.record_raw(secret, bo)
    done = {"type": "ActionCompleted", "occurred_on": "2024-03-01", "action": "ACT-1"}
    refused(memory_services, {**done, "evidence": [str(theirs.id)]}, InvalidEvent, "No event")
    refused(
        memory_services,
        {**done, "evidence": [str(mine.id)], "classification": "public"},
        LifecycleConflict,
        "confidential",
    )
    completed = record(memory_services, {**done, "evidence": [str(mine.id)]})
    assert completed.classification == "confidential"
    # The auditor (the operator here) may cite anything it sees.
    app.record_raw({**PLAN, "action": "ACT-2"}, "operator", None)
    cited = app.record_raw(
        {**done, "action": "ACT-2", "evidence": [str(theirs.id)]}, "operator", None
    )
    assert cited.classification == "confidential"


INDICATOR = {
    "type": "IndicatorDefined",
    "occurred_on": "2024-01-20",
    "indicator": "esa-in-force",
    "recommendation": 5,
    "description": "Enforcement agreements in force",
    "figure": "agreements.enforcement_of_sentences.in_force",
    "baseline": 0,
    "baseline_on": "2024-01-01",
    "target": 2,
    "target_on": "2025-12-31",
}


def test_an_indicator_has_one_source_and_a_target_after_its_baseline(memory_services) -> None:
    both = {**INDICATOR, "view": "agreements"}
    refused(memory_services, both, InvalidEvent, "not both")
    neither = {k: v for k, v in INDICATOR.items() if k != "figure"}
    refused(memory_services, neither, InvalidEvent, "not both")
    refused(memory_services, {**INDICATOR, "filter": {"kind": "x"}}, InvalidEvent, "filter")
    refused(memory_services, {**INDICATOR, "target_on": "2024-01-01"}, InvalidEvent, "after")
    for bad in (True, "12", float("nan"), 10**16):
        refused(memory_services, {**INDICATOR, "target": bad}, InvalidEvent, "target")
    change = {
        "type": "IndicatorTargetChanged",
        "occurred_on": "2024-06-01",
        "indicator": "esa-in-force",
        "target": 3,
        "target_on": "2026-12-31",
        "reason": "More negotiating",
    }
    refused(memory_services, change, LifecycleConflict, "has not been defined")
    assert record(memory_services, INDICATOR).payload["target"] == 2  # an integer stays one
    refused(memory_services, INDICATOR, LifecycleConflict, "already defined")
    refused(
        memory_services,
        {**change, "target_on": "2023-12-31"},
        LifecycleConflict,
        "after its baseline",
    )
    record(memory_services, change)
    refused(
        memory_services,
        {**change, "occurred_on": "2024-05-01"},
        LifecycleConflict,
        "before its last change",
    )


QUESTIONNAIRE = {
    "type": "QuestionnaireSent",
    "occurred_on": "2024-02-01",
    "questionnaire": "Q-2024",
    "title": "Implementation",
    "states": ["AUT", "NLD"],
    "asked": [5, 6],
    "due_on": "2024-04-30",
}
ANSWER = {
    "type": "QuestionnaireAnswered",
    "occurred_on": "2024-03-01",
    "questionnaire": "Q-2024",
    "state": "AUT",
    "answers": [{"recommendation": 5, "status": "in_progress", "text": "Drafting."}],
}


def test_a_questionnaire_is_answered_once_by_each_state_it_went_to(memory_services) -> None:
    refused(memory_services, {**QUESTIONNAIRE, "states": ["AUT", "AUT"]}, InvalidEvent, "more than")
    refused(memory_services, {**QUESTIONNAIRE, "states": ["AU"]}, InvalidEvent, "not a state")
    refused(
        memory_services,
        {**QUESTIONNAIRE, "due_on": "2024-01-01"},
        LifecycleConflict,
        "before it is sent",
    )
    refused(memory_services, ANSWER, LifecycleConflict, "has not been sent")
    record(memory_services, QUESTIONNAIRE)
    refused(memory_services, {**ANSWER, "state": "FRA"}, LifecycleConflict, "not sent to FRA")
    refused(
        memory_services,
        {**ANSWER, "occurred_on": "2024-01-31"},
        LifecycleConflict,
        "before it was sent",
    )
    unasked = {**ANSWER, "answers": [{"recommendation": 7, "status": "ongoing", "text": "x"}]}
    refused(memory_services, unasked, LifecycleConflict, "does not ask about recommendation 7")
    twice = {**ANSWER, "answers": [*ANSWER["answers"], *ANSWER["answers"]]}
    refused(memory_services, twice, InvalidEvent, "more than once")
    record(memory_services, ANSWER)
    refused(memory_services, ANSWER, LifecycleConflict, "already answered")


def test_the_follow_up_types_are_the_focal_points_and_questionnaires_the_bureaus_too(
    memory_services,
) -> None:
    catalogue = memory_services.catalogue
    for name in ("ActionPlanned", "ActionCompleted", "IndicatorDefined"):
        assert catalogue[name].writers == {"focal_point"}
    for name in ("QuestionnaireSent", "QuestionnaireAnswered"):
        assert catalogue[name].writers == {"focal_point", "bureau"}
    with pytest.raises(Exception, match="may not record"):
        memory_services.app.record_raw(PLAN, "bureau-1", "bureau")


def test_the_report_lists_follow_up_events_in_their_recommendations_cluster(
    memory_services,
) -> None:
    catalogue = memory_services.catalogue
    planned = catalogue["ActionPlanned"]
    assert planned.cluster_of({}, (33, 5)) == "II.A"
    assert planned.cluster_of({}, (5,)) == "I.A"
    assert planned.cluster_of({}) is None  # cites none: listed nowhere
    assert catalogue["IndicatorDefined"].cluster_of({"recommendation": 66}) == "III"
    assert catalogue["QuestionnaireSent"].cluster_of({"asked": [17, 1]}) == "I.D"
    answered = {"answers": [{"recommendation": 22}]}
    assert catalogue["QuestionnaireAnswered"].cluster_of(answered) == "I.E"
