"""Validation of client events against the catalogue the built-in plugins contribute."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import InvalidEvent
from tests.samples import every_type

TODAY = date(2026, 11, 27)
DESIGN_TYPES = {
    "StateBecameParty",
    "WithdrawalNotified",
    "ImplementingLegislationEnacted",
    "ImplementingLegislationReviewed",
    "APICRatified",
    "AgreementSigned",
    "AgreementEnteredIntoForce",
    "AgreementTerminated",
    "TechnicalAssistanceProvided",
    "FocalPointDesignated",
    "ContactPointDesignated",
    "CoordinatingMechanismEstablished",
    "HighLevelVisit",
    "StatementDelivered",
    "ResolutionAdopted",
    "WorkingGroupEstablished",
    "AssistanceRequestSent",
    "AssistanceRequestAnswered",
    "EmergencyVisaIssued",
    "ArrestWarrantIssued",
    "ArrestFacilitated",
    "SurrenderCompleted",
    "WarrantClosed",
    "AssetsFrozen",
    "WitnessProtectionApplicationReceived",
    "WitnessRelocated",
    "OperationalSupportProvided",
    "ConfidentialityProcedureEstablished",
    "ExpertsRostered",
    "GratisPersonnelProvided",
    "WorkshopHeld",
    "RecommendationAssessed",
    "ReportNarrativeDrafted",
    "EventCorrected",
    "EventRetracted",
}


@pytest.fixture
def catalogue(memory_services):
    return memory_services.catalogue


#: Types added to the design catalogue since (add, never rename).
ADDED_TYPES = {
    "TokenIssued",
    "TokenRevoked",
    # What the scheduler records of its own runs (plugins/builtin/scheduled_jobs.py).
    "ReportGenerated",
    "ReminderSent",
    "IntegrityVerified",
    # Unsealing: lowering an event's classification is an act of its own.
    "ClassificationLowered",
    # What the log records of proving itself (plugins/builtin/transparency.py).
    "LogKeyActivated",
    "CheckpointCosigned",
    # The console's accounts, opened and changed by the operator (plugins/builtin/access.py).
    "AccountOpened",
    "AccountReset",
    "AccountDisabled",
    "AccountEnabled",
    # The real record of cooperation (issue 15): organisations, membership.
    "OrganisationRegistered",
    "WithdrawalRevoked",
    "JurisdictionAcceptedByDeclaration",
    "AmendmentRatified",
    # Non-cooperation, custody and appearance, situations, money, the Court's outputs.
    "SuspectTravelled",
    "ArrestRequestTransmitted",
    "ArrestNotExecuted",
    "NonComplianceFound",
    "NonComplianceReferred",
    "NonComplianceAppealDecided",
    "NonCooperationFollowedUp",
    "NonCooperationMatterClosed",
    "PersonHeldInNationalCustody",
    "PersonSurrenderedVoluntarily",
    "ArrestAttemptFailed",
    "WarrantUnsealed",
    "SentenceEnforcementTransferred",
    "PersonReleasedToState",
    "SummonsToAppearIssued",
    "PersonAppearedOnSummons",
    "SituationReferred",
    "PreliminaryExaminationOpened",
    "PreliminaryExaminationConcluded",
    "InvestigationOpened",
    "DeferralRequested",
    "ContributionPledged",
    "ContributionReceived",
    "GuidanceIssued",
    "BriefingGiven",
    "ReportTransmitted",
}
#: The follow-up of the recommendations (issue 16: actions, indicators, questionnaires).
FOLLOW_UP_TYPES = {
    "ActionPlanned",
    "ActionProgressReported",
    "ActionRescheduled",
    "ActionCompleted",
    "ActionAbandoned",
    "IndicatorDefined",
    "IndicatorTargetChanged",
    "QuestionnaireSent",
    "QuestionnaireAnswered",
}


def test_the_plugins_contribute_the_design_catalogue_and_the_added_types(catalogue):
    assert set(catalogue.names()) >= DESIGN_TYPES
    assert set(catalogue.names()) == DESIGN_TYPES | ADDED_TYPES | FOLLOW_UP_TYPES


def test_token_events_name_the_label_and_role_only(catalogue):
    draft = catalogue.validate(
        {"type": "TokenIssued", "occurred_on": "2020-01-01", "label": "fp-1", "role": "bureau"},
        today=TODAY,
    )
    assert draft.payload == {"label": "fp-1", "role": "bureau"}
    assert catalogue["TokenIssued"].writers == {"admin"}
    assert "token" in messages(
        catalogue,
        {
            "type": "TokenIssued",
            "occurred_on": "2020-01-01",
            "label": "x",
            "role": "admin",
            "token": "fu_secret",
        },
    )
    assert "label" in messages(
        catalogue,
        {"type": "TokenRevoked", "occurred_on": "2020-01-01", "label": "a b", "role": "admin"},
    )


def test_the_samples_cover_every_type_and_validate(catalogue):
    samples = every_type()
    # The system's own types, and the administrator's (at the command line), have none.
    system = {name for name, t in catalogue.types.items() if t.writers <= {"admin"}}
    assert {s["type"] for s in samples} == DESIGN_TYPES | FOLLOW_UP_TYPES | (ADDED_TYPES - system)
    for sample in samples:
        draft = catalogue.validate(sample, today=TODAY)
        assert draft.type == sample["type"]
        assert draft.occurred_on.isoformat() == sample["occurred_on"]


def test_payload_is_stored_in_json_form_with_sorted_keys(catalogue):
    draft = catalogue.validate(
        {
            "type": "StateBecameParty",
            "state": "NLD",
            "occurred_on": "2002-07-01",
            "in_force_on": "2002-07-01",
            "instrument": "ratification",
        },
        today=TODAY,
    )
    assert list(draft.payload) == ["in_force_on", "instrument", "state"]
    assert draft.payload["in_force_on"] == "2002-07-01"
    assert draft.classification == "public"


def messages(catalogue, raw):
    with pytest.raises(InvalidEvent) as caught:
        catalogue.validate(raw, today=TODAY)
    return caught.value.messages


def visit(**changes):
    return {
        "type": "HighLevelVisit",
        "occurred_on": "2009-04-01",
        "organ": "presidency",
        "host": "KEN",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"colour": "blue"}, "colour", "Unknown field"),
        ({"host": "XXX"}, "host", "Unknown party code"),
        ({"organ": "parliament"}, "organ", "Must be one of"),
        ({"occurred_on": "1998-07-16"}, "occurred_on", "not be before 1998-07-17"),
        ({"occurred_on": "2026-11-28"}, "occurred_on", "not be after today"),
        ({"occurred_on": "0000-00-00"}, "occurred_on", "Not a valid date"),
        ({"recommendations": [0]}, "recommendations", "greater than or equal to 1"),
        ({"recommendations": [67]}, "recommendations", "less than or equal to 66"),
        ({"recommendations": ["7"]}, "recommendations", "Not a valid integer"),
        ({"recommendations": [7, 7]}, "recommendations", "more than once"),
        ({"summary": "x" * 2001}, "summary", "Longer than maximum"),
        ({"classification": "secret"}, "classification", "Must be one of"),
    ],
)
def test_invalid_fields_are_named(catalogue, changes, field, fragment):
    problems = messages(catalogue, visit(**changes))
    assert field in problems
    assert fragment in str(problems[field])


def test_missing_required_payload_field_is_named(catalogue):
    raw = visit()
    del raw["host"]
    assert "host" in messages(catalogue, raw)


def test_unknown_type_and_non_objects_are_rejected(catalogue):
    assert "type" in messages(catalogue, {"type": "Nonsense", "occurred_on": "2009-01-01"})
    assert "_schema" in messages(catalogue, ["not", "an", "object"])


def test_state_fields_take_only_states(catalogue):
    problems = messages(
        catalogue,
        {"type": "APICRatified", "occurred_on": "2004-02-10", "state": "AU"},
    )
    assert "not a state" in str(problems["state"])


def test_counts_are_strict_integers_within_bounds(catalogue):
    base = {
        "type": "WitnessProtectionApplicationReceived",
        "occurred_on": "2007-03-01",
        "application": "WPA-1",
    }
    assert "persons" in messages(catalogue, {**base, "persons": 0})
    assert "persons" in messages(catalogue, {**base, "persons": 101})
    assert "persons" in messages(catalogue, {**base, "persons": "5"})
    assert catalogue.validate({**base, "persons": 100}, today=TODAY).payload["persons"] == 100
