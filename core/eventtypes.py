"""What a plugin declares for each event type of the catalogue: its payload schema, the
lifecycle it belongs to and the rule that keeps that lifecycle consistent, and how an
event of the type reads (its sentence, its place in the report)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from marshmallow import Schema

from core.errors import InvalidEvent, LifecycleConflict
from core.facts import Day, Fact
from core.words import Sentence, Words, fallback_sentence

#: Plugins import the fact a rule folds from here (core.facts defines it).
__all__ = [
    "Check",
    "Day",
    "Effect",
    "EventType",
    "Fact",
    "LifecycleState",
    "Lifecycles",
    "Rule",
    "conflict",
    "invalid",
    "lifecycle",
    "parties_in",
]


class Effect(StrEnum):
    """What recording an event of this type does to the log's other events."""

    RECORD = "record"  # an action of the focal point (nearly every type)
    CORRECT = "correct"  # replaces payload fields of an earlier event (`target`, `changes`)
    RETRACT = "retract"  # withdraws an earlier event (`target`)
    # Lowers an earlier event's classification, unsealing it (`target`; `changes`: the
    # field holding the level it is lowered to).
    LOWER = "lower"


#: State of one lifecycle (an agreement, a warrant, ...) as a JSON-like mapping; None
#: before its first event.
LifecycleState = Mapping[str, Any] | None

#: A rule folds one fact into a lifecycle's state, or raises LifecycleConflict.
Rule = Callable[[LifecycleState, Fact], Mapping[str, Any]]

#: The current state of any lifecycle of the log, by subject (``"warrant:W-1"``).
Lifecycles = Callable[[str], LifecycleState]

#: A check of an event against other lifecycles than its own (a travel cannot precede
#: the warrant; nothing is recorded of a State as a party after its withdrawal took
#: effect): raises LifecycleConflict or InvalidEvent. Run when the event is recorded or
#: corrected, never when the log is read, so events recorded before a check existed
#: keep reading as they did.
Check = Callable[[Fact, Lifecycles], None]


@dataclass(frozen=True)
class EventType:
    """One type of the event catalogue, as a plugin contributes it.

    `subject` names the lifecycle an event belongs to (``"agreement:ESA-AUT-2005"``):
    events of one lifecycle are checked together by `rule`, in recording order, and
    two writers can never both extend the same lifecycle. `references` maps payload
    fields to the lifecycle kind they must name an existing instance of, for events
    that refer to a lifecycle without being part of it. `checks` looks at other
    lifecycles (see `Check`).

    How it reads: `sentence` (``core.words``: payload and words -> one sentence, in
    English and French; default, the type's name in words); `cluster`, the section of
    the annual report that lists its events (``"I.A"`` ... ``"III"``, or a function of
    the payload for a type shared between sections; None: not listed); `activity`,
    listed by ``GET /activities``. A correction or retraction (`effect`) names the
    event it changes in the payload field `target`; a correction's new values are in
    the field `changes`.

    `by_recommendation`: with no `cluster`, the report lists an event in the cluster of
    the first recommendation it cites (its envelope's `recommendations`), or nowhere
    when it cites none (the follow-up of recommendations: an action belongs where the
    recommendation it advances does). `evidence` names payload fields that hold ids of
    earlier events the event cites (a completed action's proof): each must be in the
    log.

    `system_record` says which of the records the system keeps of itself this type is
    (core names what it needs, e.g. ``core.tokens.ISSUED``; the plugin says which of its
    types records it; ``Catalogue.system_type`` finds it).
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
    sentence: Sentence | None = None
    cluster: str | Callable[[Mapping[str, Any]], str | None] | None = None
    activity: bool = False
    target: str | None = None
    changes: str | None = None
    system_record: str | None = None
    checks: Check | None = None
    by_recommendation: bool = False
    evidence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.effect is not Effect.RECORD and not self.target:
            raise ValueError(f"{self.name}: a correction or retraction names its `target` field")
        if self.effect in (Effect.CORRECT, Effect.LOWER) and not self.changes:
            raise ValueError(f"{self.name}: a correction or lowering names its `changes` field")

    def subject_of(self, payload: Mapping[str, Any]) -> str | None:
        return self.subject(payload) if self.subject is not None else None

    def reads(self, payload: Mapping[str, Any], words: Words) -> str:
        """The event in one sentence, from its own payload only (so nothing from
        another, possibly restricted, event is shown with it)."""
        sentence = self.sentence or fallback_sentence(self.name)
        return sentence(payload, words)

    def cluster_of(
        self, payload: Mapping[str, Any], recommendations: Sequence[int] = ()
    ) -> str | None:
        """The report's section that lists an event of this type, if any (given the
        recommendations the event cites, for a type listed `by_recommendation`)."""
        if callable(self.cluster):
            return self.cluster(payload)
        if self.cluster is None and self.by_recommendation and recommendations:
            from core.recommendations import cluster_key

            return cluster_key(recommendations[0])
        return self.cluster

    def target_of(self, payload: Mapping[str, Any]) -> str | None:
        """The id of the event a correction, retraction or lowering changes (None for
        others)."""
        if self.effect is Effect.RECORD or self.target is None:
            return None
        value = payload.get(self.target)
        return None if value is None else str(value)


def conflict(message: str) -> LifecycleConflict:
    """Build the error a rule raises; the message says what is wrong, in a sentence."""
    return LifecycleConflict(message)


def invalid(field: str, message: str) -> InvalidEvent:
    """Build the error a check raises for a value that cannot be (422, naming the field)."""
    return InvalidEvent({field: [message]})


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
