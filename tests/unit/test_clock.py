"""The one textual form of transaction times: the chain hashes it and the time index
compares it as text, so it must never change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from core.clock import format_timestamp, parse_timestamp


@given(
    st.datetimes(min_value=datetime(1998, 7, 17), max_value=datetime(9999, 1, 1)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_a_time_is_written_as_utc_with_microseconds_whatever_its_zone(moment, offset):
    zoned = moment.replace(tzinfo=UTC).astimezone(timezone(timedelta(minutes=offset)))
    text = format_timestamp(zoned)
    assert text == moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert parse_timestamp(text) == moment.replace(tzinfo=UTC)


def test_text_order_is_time_order():
    early = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    late = early + timedelta(microseconds=1)
    assert format_timestamp(early) < format_timestamp(late)
    assert format_timestamp(early) == "2026-01-02T03:04:05.000000Z"
