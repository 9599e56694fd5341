"""The one shape in which lifecycle rules and views read an event: a `Fact`, with its
date as a `Day`.

An event has three shapes in all: the `Draft` a client's input is validated into, the
recorded `Event` (core/envelope.py: the draft with what the system set, as the log
holds it), and the `Fact` (here: the event as it currently reads, corrections applied,
at one clearance level). Rules get facts from a dossier, views from the log; plugins
import `Fact` from `core.eventtypes` and, by its older name `ViewFact`, from
`core.views.model`.

A `Day` is the ISO text of a date and is a `str`: it compares and sorts as dates do
(ISO dates order as text), it goes into JSON items and out of them unchanged, and it
equals the text read back from a view's tables. It also answers what a date does
(`isoformat()`, `year`, `month`, `day`, `to_date()`), so a rule written for a
`datetime.date` (``fact.occurred_on.isoformat()``) and a view written for text
(``{"shared_on": fact.occurred_on}`` compared with ``on.isoformat()``) both read the
same fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple


class Day(str):
    """A calendar date as its ISO text (``"2005-10-27"``), made from a `date` or from
    such a text (not checked again: days come from validated events). Compare it with
    text, or with another day; a `datetime.date` compares with ``day.to_date()``."""

    __slots__ = ()

    def __new__(cls, value: str | date) -> Day:
        if isinstance(value, date):
            value = value.isoformat()
        return str.__new__(cls, value)

    def isoformat(self) -> str:
        return str(self)

    @property
    def year(self) -> int:
        return int(self[:4])

    @property
    def month(self) -> int:
        return int(self[5:7])

    @property
    def day(self) -> int:
        return int(self[8:10])

    def to_date(self) -> date:
        return date.fromisoformat(self)


class Fact(NamedTuple):
    """An event as rules and views read it: as corrected, visible at the level it is
    read at. `id` is the event's id as text; `position` its place in the log (0 while
    it is being recorded). Immutable: a correction makes a new fact."""

    type: str
    occurred_on: Day
    payload: Mapping[str, Any]
    id: str = ""
    position: int = 0
    classification: str = "public"
    recorded_by: str = ""
    recommendations: tuple[int, ...] = ()
    summary: str | None = None
    sources: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The fact as one flat JSON object: envelope, system fields and payload."""
        return {
            "id": self.id,
            "position": self.position,
            "type": self.type,
            "occurred_on": self.occurred_on,
            "classification": self.classification,
            "recorded_by": self.recorded_by,
            "summary": self.summary,
            "recommendations": list(self.recommendations),
            "sources": list(self.sources),
            **self.payload,
        }


#: Envelope fields a correction may replace besides the payload.
CORRECTABLE_ENVELOPE = ("occurred_on", "summary", "recommendations", "sources")


def corrected(target: Fact, changes: Mapping[str, Any]) -> Fact:
    """The fact as a correction's `changes` leave it (payload fields and the
    correctable envelope fields replaced; the payload kept in key order)."""
    envelope: dict[str, Any] = {}
    for name in CORRECTABLE_ENVELOPE:
        if name in changes:
            value = changes[name]
            if name == "occurred_on":
                value = Day(value)
            elif name in ("recommendations", "sources"):
                value = tuple(value)
            envelope[name] = value
    payload = {k: v for k, v in changes.items() if k not in CORRECTABLE_ENVELOPE}
    return target._replace(payload=dict(sorted({**target.payload, **payload}.items())), **envelope)
