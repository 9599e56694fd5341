"""Time as the system sees it. One place to read the clock, so tests and the scheduler
can pass their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

Clock = Callable[[], datetime]

#: The Rome Statute was adopted on 17 July 1998: nothing the follow-up records happened before.
EARLIEST = date(1998, 7, 17)


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """The one textual form of a transaction time: UTC, microseconds, sortable as text
    (``YYYY-MM-DDTHH:MM:SS.ffffffZ``; isoformat, a fraction of strftime's cost on
    every append)."""
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"


def parse_timestamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
