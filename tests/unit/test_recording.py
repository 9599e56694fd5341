"""The application service over the in-memory store: lifecycle rules, batches,
corrections, retractions and roles."""

from __future__ import annotations

import itertools

import pytest

from core.errors import Forbidden, InvalidEvent, LifecycleConflict
from tests.samples import every_type


@pytest.fixture
def app(memory_services):
    return memory_services.app


def record(app, raw, role="focal_point"):
    return app.record_raw(raw, "tester", role)


SIGNED = {
    "type": "AgreementSigned",
    "occurred_on": "2005-10-27",
    "agreement": "ESA-AUT",
    "kind": "enforcement_of_sentences",
    "parties": ["AUT"],
    "title": "Agreement",
}
IN_FORCE = {
    "type": "AgreementEnteredIntoForce",
    "occurred_on": "2005-11-26",
    "agreement": "ESA-AUT",
}


def test_every_type_is_recorded_in_one_global_order(app):
    events = app.record_batch([app.validate(raw) for raw in every_type()], "tester", None)
    assert [e.position for e in events] == list(range(1, len(every_type()) + 1))
    assert [e.type for e in events] == [raw["type"] for raw in every_type()]
    stored = list(app.read_log())
    assert [e.id for e in stored] == [e.id for e in events]
    assert stored[0].recorded_by == "tester"
    assert all(a.recorded_at <= b.recorded_at for a, b in itertools.pairwise(stored))
    assert app.head().hexdigest == stored[-1].hash


def test_an_event_reads_back_as_it_was_sent(app):
    signed = {**SIGNED, "occurred_on": "2008-10-27"}
    event = record(app, {**signed, "summary": "Signed in Vienna", "recommendations": [5, 1]})
    again = app.get_event(event.id)
    flat = again.to_flat()
    assert {k: flat[k] for k in signed} == signed
    assert flat["recommendations"] == [5, 1]
    assert flat["summary"] == "Signed in Vienna"
    assert again == event


@pytest.mark.parametrize(
    ("history", "event", "fragment"),
    [
        ([], IN_FORCE, "has not been signed"),
        ([SIGNED], SIGNED, "already recorded as signed"),
        ([SIGNED], {**IN_FORCE, "occurred_on": "2005-10-26"}, "before its signature"),
        ([SIGNED, IN_FORCE], IN_FORCE, "already in force"),
        (
            [],
            {
                "type": "AssistanceRequestAnswered",
                "occurred_on": "2008-01-01",
                "request": "R1",
                "outcome": "granted",
            },
            "has not been sent",
        ),
        (
            [],
            {
                "type": "WithdrawalNotified",
                "occurred_on": "2016-01-01",
                "state": "BDI",
                "effective_on": "2017-01-01",
            },
            "not a party",
        ),
        (
            [],
            {
                "type": "ArrestFacilitated",
                "occurred_on": "2006-01-01",
                "warrant": "W1",
                "arresting_state": "COD",
            },
            "has not been issued",
        ),
        (
            [],
            {
                "type": "AssetsFrozen",
                "occurred_on": "2008-01-01",
                "state": "BEL",
                "warrant": "W1",
                "description": "x",
            },
            "no warrant W1",
        ),
        (
            [],
            {
                "type": "WitnessRelocated",
                "occurred_on": "2008-01-01",
                "application": "A1",
                "state": "GBR",
                "persons": 1,
            },
            "has not been received",
        ),
    ],
)
def test_lifecycle_conflicts_record_nothing(app, history, event, fragment):
    for raw in history:
        record(app, raw)
    before = app.head()
    with pytest.raises(LifecycleConflict) as caught:
        record(app, event)
    assert fragment in str(caught.value)
    assert app.head() == before


def test_a_state_may_become_party_again_after_withdrawal(app):
    joined = {
        "type": "StateBecameParty",
        "occurred_on": "2004-01-01",
        "state": "BDI",
        "instrument": "ratification",
        "in_force_on": "2004-12-01",
    }
    record(app, joined)
    with pytest.raises(LifecycleConflict):
        record(app, {**joined, "occurred_on": "2005-01-01"})
    record(
        app,
        {
            "type": "WithdrawalNotified",
            "occurred_on": "2016-10-27",
            "state": "BDI",
            "effective_on": "2017-10-27",
        },
    )
    record(app, {**joined, "occurred_on": "2020-01-01", "in_force_on": "2020-04-01"})
    assert app.head().position == 3


def test_a_batch_is_all_or_nothing_and_names_the_failing_event(app):
    drafts = [app.validate(SIGNED), app.validate(IN_FORCE), app.validate(IN_FORCE)]
    with pytest.raises(LifecycleConflict) as caught:
        app.record_batch(drafts, "tester")
    assert caught.value.index == 2
    assert app.head().position == 0
    # Later events of a batch build on earlier ones.
    events = app.record_batch(drafts[:2], "tester")
    assert [e.type for e in events] == ["AgreementSigned", "AgreementEnteredIntoForce"]


def test_a_dry_run_checks_everything_and_records_nothing(app):
    drafts = [app.validate(SIGNED), app.validate(IN_FORCE)]
    assert app.record_batch(drafts, "tester", dry_run=True) == []
    assert app.head().position == 0
    with pytest.raises(LifecycleConflict):
        app.record_batch([drafts[1]], "tester", dry_run=True)


def test_a_correction_changes_how_the_event_reads_not_the_event(app):
    signed = record(app, SIGNED)
    correction = record(
        app,
        {
            "type": "EventCorrected",
            "reason": "The figure was wrong.",
            "occurred_on": "2006-01-01",
            "corrects": str(signed.id),
            "changes": {"title": "Agreement on enforcement", "occurred_on": "2005-10-28"},
        },
    )
    assert correction.payload["changes"] == {
        "occurred_on": "2005-10-28",
        "title": "Agreement on enforcement",
    }
    member = app.dossier("agreement:ESA-AUT").member(signed.id, app.catalogue)
    assert member.payload["title"] == "Agreement on enforcement"
    assert member.occurred_on.isoformat() == "2005-10-28"
    assert app.get_event(signed.id).payload["title"] == "Agreement"
    # The corrected date now constrains what follows.
    with pytest.raises(LifecycleConflict):
        record(app, {**IN_FORCE, "occurred_on": "2005-10-27"})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "nonsense"}, "kind"),
        ({"colour": "blue"}, "colour"),
        ({"agreement": "OTHER"}, "agreement"),
        ({"parties": ["XXX"]}, "parties"),
    ],
)
def test_invalid_corrections_are_rejected_field_by_field(app, changes, field):
    signed = record(app, SIGNED)
    before = app.head()
    with pytest.raises(InvalidEvent) as caught:
        record(
            app,
            {
                "type": "EventCorrected",
                "reason": "The figure was wrong.",
                "occurred_on": "2006-01-01",
                "corrects": str(signed.id),
                "changes": changes,
            },
        )
    assert field in caught.value.messages["changes"]
    assert app.head() == before


def test_a_correction_that_breaks_the_lifecycle_is_a_conflict(app):
    signed = record(app, SIGNED)
    record(app, IN_FORCE)
    with pytest.raises(LifecycleConflict):
        record(
            app,
            {
                "type": "EventCorrected",
                "reason": "The figure was wrong.",
                "occurred_on": "2006-01-01",
                "corrects": str(signed.id),
                "changes": {"occurred_on": "2005-12-01"},
            },
        )


def test_retraction_rules(app):
    signed = record(app, SIGNED)
    in_force = record(app, IN_FORCE)
    # The signature cannot go while the entry into force stands on it.
    with pytest.raises(LifecycleConflict):
        record(
            app,
            {
                "type": "EventRetracted",
                "occurred_on": "2006-01-01",
                "retracts": str(signed.id),
                "reason": "wrong",
            },
        )
    retract = {
        "type": "EventRetracted",
        "occurred_on": "2006-01-01",
        "retracts": str(in_force.id),
        "reason": "recorded too early",
    }
    retraction = record(app, retract)
    with pytest.raises(LifecycleConflict, match="has been retracted"):
        record(app, retract)
    with pytest.raises(LifecycleConflict, match="original event"):
        record(app, {**retract, "retracts": str(retraction.id)})
    # Entry into force can be recorded again once the mistaken one is retracted.
    record(app, {**IN_FORCE, "occurred_on": "2006-02-01"})
    with pytest.raises(InvalidEvent):
        record(app, {**retract, "retracts": "00000000-0000-0000-0000-000000000000"})


def test_roles_may_write_only_their_types(app):
    narrative = {
        "type": "ReportNarrativeDrafted",
        "occurred_on": "2010-10-01",
        "year": 2010,
        "section": "I.A",
        "text": "Narrative",
    }
    with pytest.raises(Forbidden):
        record(app, narrative, role="focal_point")
    with pytest.raises(Forbidden):
        record(app, SIGNED, role="auditor")
    record(app, narrative, role="bureau")
    signed = record(app, SIGNED)
    with pytest.raises(Forbidden):
        record(
            app,
            {
                "type": "EventRetracted",
                "occurred_on": "2006-01-01",
                "retracts": str(signed.id),
                "reason": "x",
            },
            role="bureau",
        )
    assert app.head().position == 2


def test_an_idempotent_retry_returns_the_original_and_appends_nothing(app):
    from core.errors import IdempotencyMismatch
    from core.ports import IdempotencyKey

    drafts = [app.validate(SIGNED), app.validate(IN_FORCE)]
    key = IdempotencyKey("client", "key-1", "hash-a")
    first = app.record_batch(drafts, "tester", idempotency=key)
    again = app.record_batch(drafts, "tester", idempotency=key)
    assert again == first
    assert app.head().position == 2
    with pytest.raises(IdempotencyMismatch):
        app.record_batch(drafts, "tester", idempotency=IdempotencyKey("client", "key-1", "hash-b"))
    # Keys are per scope (the token's label).
    other = app.validate({**SIGNED, "agreement": "OTHER"})
    app.record_batch([other], "tester", idempotency=IdempotencyKey("someone", "key-1", "h"))
    assert app.head().position == 3


def test_a_retry_racing_the_original_gets_the_original(app, monkeypatch):
    """Another worker records the same request between the retry's first look for its
    key and its lifecycle checks: the retry returns the original, not a conflict."""
    from core.ports import IdempotencyKey

    drafts = [app.validate(SIGNED), app.validate(IN_FORCE)]
    key = IdempotencyKey("client", "key-1", "hash-a")
    first = app.record_batch(drafts, "tester", idempotency=key)
    real = app.log.find_idempotent
    looks = []

    def late(scope, name):
        looks.append(name)
        return None if len(looks) == 1 else real(scope, name)

    monkeypatch.setattr(app.log, "find_idempotent", late)
    assert app.record_batch(drafts, "tester", idempotency=key) == first
    assert len(looks) == 2
    assert app.head().position == 2
    with pytest.raises(LifecycleConflict):
        app.record_batch(drafts, "tester", idempotency=IdempotencyKey("client", "key-2", "h"))
