"""What no store could keep is refused when an event is validated, whatever the type's
schema says: NUL and unpaired surrogates in text (field names too), integers beyond
2^53 - 1, non-finite numbers, however deeply nested."""

from __future__ import annotations

import math

import pytest

from core.errors import InvalidEvent
from core.fields import MAX_COUNT
from core.storable import INTEGER, MAX_SAFE_INTEGER, NUMBER, TEXT, unstorable

VISIT = {"type": "HighLevelVisit", "occurred_on": "2009-04-01", "organ": "registry", "host": "UGA"}


def test_clean_values_pass():
    assert unstorable({**VISIT, "summary": "Ω ≠ 😀 <b> '; --", "recommendations": [1, 66]}) == {}
    assert unstorable({"n": MAX_SAFE_INTEGER, "m": -MAX_SAFE_INTEGER, "b": True, "x": None}) == {}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"summary": "a\x00b"}, {"summary": [TEXT]}),
        ({"summary": "a\ud800"}, {"summary": [TEXT]}),
        ({"attendees": MAX_SAFE_INTEGER + 1}, {"attendees": [INTEGER]}),
        ({"attendees": -(2**64)}, {"attendees": [INTEGER]}),
        ({"x": math.nan}, {"x": [NUMBER]}),
        ({"x": [1.5, math.inf]}, {"x": [NUMBER]}),
        ({"changes": {"title": ["ok", {"deep": "\x00"}]}}, {"changes": [TEXT]}),
        ({"changes": {"ti\x00tle": "ok"}}, {"changes": ["A field name: " + TEXT]}),
        ({"\x00": 1}, {"_schema": ["A field name: " + TEXT]}),
    ],
)
def test_what_no_store_keeps_is_named_by_field(raw, expected):
    assert unstorable(raw) == expected


def test_deep_nesting_does_not_exhaust_the_stack():
    value: object = "\x00"
    for _ in range(100_000):
        value = [value]
    assert unstorable({"sources": value}) == {"sources": [TEXT]}


def test_validation_refuses_them_as_invalid_events(memory_services):
    app = memory_services.app
    with pytest.raises(InvalidEvent) as refused:
        app.validate({**VISIT, "summary": "a\x00b", "sources": ["\udfff"]})
    assert refused.value.messages == {"summary": [TEXT], "sources": [TEXT]}
    workshop = {
        "type": "WorkshopHeld",
        "occurred_on": "2010-06-01",
        "title": "Seminar",
        "organiser": "AU",
        "participants": ["KEN"],
        "topics": [],
    }
    with pytest.raises(InvalidEvent) as refused:
        app.validate({**workshop, "attendees": 2**63})
    assert refused.value.messages == {"attendees": [INTEGER]}
    # Counts have a ceiling, so that the views' sums over millions of events stay exact.
    with pytest.raises(InvalidEvent) as refused:
        app.validate({**workshop, "attendees": MAX_COUNT + 1})
    assert "attendees" in refused.value.messages
    assert app.validate({**workshop, "attendees": MAX_COUNT}).payload["attendees"] == MAX_COUNT
