"""Who may see which events (DESIGN.md §4), including corrections of hidden events."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from core.envelope import Event
from core.visibility import Visibility, may_see


@pytest.mark.parametrize(
    ("role", "label", "classification", "recorded_by", "seen"),
    [
        (None, None, "confidential", "someone", True),
        ("auditor", "aud", "confidential", "someone", True),
        ("auditor", "aud", "public", "someone", True),
        ("bureau", "b", "public", "fp", True),
        ("bureau", "b", "restricted", "fp", True),
        ("bureau", "b", "confidential", "fp", False),
        ("bureau", "b", "confidential", "b", False),
        ("focal_point", "fp", "public", "x", True),
        ("focal_point", "fp", "restricted", "x", True),
        ("focal_point", "fp", "confidential", "fp", True),
        ("focal_point", "fp", "confidential", "fp2", False),
        ("admin", "adm", "public", "x", False),
        ("stranger", "s", "public", "x", False),
        ("focal_point", "fp", "unheard-of", "fp", False),
    ],
)
def test_the_rule_for_one_event(role, label, classification, recorded_by, seen):
    assert may_see(role, label, classification, recorded_by) is seen


def event(type_, classification="public", recorded_by="fp", **payload):
    return Event(
        id=uuid4(),
        position=1,
        recorded_at="2020-01-01T00:00:00.000000Z",
        recorded_by=recorded_by,
        type=type_,
        occurred_on=date(2010, 1, 1),
        payload=payload,
        classification=classification,
    )


def test_a_correction_is_hidden_with_its_target(memory_services):
    secret = event("AgreementSigned", "confidential", "fp")
    public = event("AgreementSigned", "public", "fp")
    events = {e.id: e for e in (secret, public)}
    lookups = []

    def find(event_id):
        lookups.append(event_id)
        return events.get(event_id)

    correction = event("EventCorrected", corrects=str(secret.id), changes={"title": "x"})
    retraction = event("EventRetracted", retracts=str(public.id), reason="r")
    dangling = event("EventRetracted", retracts=str(uuid4()), reason="r")
    catalogue = memory_services.catalogue
    bureau = Visibility("bureau", "b", catalogue, find)
    assert not bureau.sees(correction)
    assert bureau.sees(retraction)
    assert not bureau.sees(dangling)
    assert bureau.sees(correction) is False  # asked again: remembered, not looked up
    assert lookups.count(secret.id) == 1
    owner = Visibility("focal_point", "fp", catalogue, find)
    assert owner.sees(correction)
    assert Visibility("auditor", "a", catalogue, find).sees(correction)
