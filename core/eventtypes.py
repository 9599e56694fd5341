"""What a plugin declares for each event type of the catalogue: its payload schema, the
lifecycle it belongs to and the rule that keeps that lifecycle consistent."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from marshmallow import Schema

from core.errors import LifecycleConflict
from core.facts import Day, Fact

#: Plugins import the fact a rule folds from here (core.facts defines it).
__all__ = [
    "Day",
    "Effect",
    "EventType",
    "Fact",
    "LifecycleState",
    "Rule",
    "conflict",
    "lifecycle",
    "parties_in",
]


class Effect(StrEnum):
    """What recording an event of this type does to the log's other events."""

    RECORD = "record"  # an action of the focal point (nearly every type)
    CORRECT = "correct"  # replaces payload fields of an earlier event
    RETRACT = "retract"  # withdraws an earlier event


#: State of one lifecycle (an agreement, a warrant, ...) as a JSON-like mapping; None
#: before its first event.
LifecycleState = Mapping[str, Any] | None

#: A rule folds one fact into a lifecycle's state, or raises LifecycleConflict.
Rule = Callable[[LifecycleState, Fact], Mapping[str, Any]]


@dataclass(frozen=True)
class EventType:
    """One type of the event catalogue, as a plugin contributes it.

    `subject` names the lifecycle an event belongs to (``"agreement:ESA-AUT-2005"``):
    events of one lifecycle are checked together by `rule`, in recording order, and
    two writers can never both extend the same lifecycle. `references` maps payload
    fields to the lifecycle kind they must name an existing instance of, for events
    that refer to a lifecycle without being part of it.
    """

    name: str
    schema: type[Schema]
    area: str
    description: str = ""
    subject: Callable[[Mapping[str, Any]], str | None] | None = None
    rule: Rule | None = None
    references: Mapping[str, str] = field(default_factory=dict)
    writers: frozenset[str] = frozenset({"focal_point"})
    party_fields: tuple[str, ...] = ()
    effect: Effect = Effect.RECORD

    def subject_of(self, payload: Mapping[str, Any]) -> str | None:
        return self.subject(payload) if self.subject is not None else None


def conflict(message: str) -> LifecycleConflict:
    """Build the error a rule raises; the message says what is wrong, in a sentence."""
    return LifecycleConflict(message)


def lifecycle(kind: str, key_field: str) -> Callable[[Mapping[str, Any]], str]:
    """The subject function for lifecycles keyed by one payload field."""

    def subject(payload: Mapping[str, Any]) -> str:
        return f"{kind}:{payload[key_field]}"

    return subject


def parties_in(event_type: EventType, payload: Mapping[str, Any]) -> list[str]:
    """The party codes an event names, in the order of its party fields."""
    found: list[str] = []
    for name in event_type.party_fields:
        value = payload.get(name)
        values: Iterable[Any] = value if isinstance(value, list | tuple) else [value]
        for code in values:
            if isinstance(code, str) and code not in found:
                found.append(code)
    return found
