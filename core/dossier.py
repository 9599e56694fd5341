"""The aggregate: a dossier holds the events recorded about one thing with a lifecycle
(an agreement, a warrant, a request, a State's membership...), or a single event about
nothing that has one. Saving a dossier is atomic and fails if another writer extended
it meanwhile, so two workers can never both, say, answer the same request."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from core.catalogue import Catalogue
from core.envelope import CLASSIFICATION_RANK, Draft, stricter
from core.errors import LifecycleConflict
from core.eventtypes import Effect, Fact, LifecycleState
from core.integrity import event_id

SUBJECT_NAMESPACE = uuid5(NAMESPACE_URL, "https://followup.invalid/subject")


def dossier_id(subject: str | None) -> UUID:
    """Dossiers of lifecycles have ids derived from their subject, so that any worker
    finds (and contends for) the same one; other events get a fresh dossier each."""
    return uuid5(SUBJECT_NAMESPACE, subject) if subject is not None else uuid4()


@dataclass(frozen=True)
class Member:
    """One event of a dossier, as it currently reads (corrections applied)."""

    event_id: UUID
    version: int
    type: str
    occurred_on: date
    payload: Mapping[str, Any]
    summary: str | None
    recommendations: tuple[int, ...]
    sources: tuple[str, ...]
    classification: str
    recorded_by: str
    retracted: bool = False
    #: Lowerings of its classification, in order: (the lowering event's id, the level).
    lowerings: tuple[tuple[UUID, str], ...] = ()

    def fact(self) -> Fact:
        return Fact(self.type, self.occurred_on, self.payload)

    @property
    def amends(self) -> UUID | None:
        """The event of the dossier this one corrects, retracts or lowers."""
        field = AMENDING.get(self.type)
        return UUID(str(self.payload[field])) if field is not None else None


#: Envelope fields a correction may replace besides the payload.
CORRECTABLE_ENVELOPE = ("occurred_on", "summary", "recommendations", "sources")

#: The type that lowers an event's classification (plugins/builtin/record_keeping.py).
LOWERING = "ClassificationLowered"
#: Types that change another event of their dossier, with the payload field naming it.
AMENDING = {"EventCorrected": "corrects", "EventRetracted": "retracts", LOWERING: "lowers"}


def apply_entry(members: list[Member], entry: Member) -> None:
    """Add one event, as recorded, to a dossier's members as they read: a correction
    changes its target, a retraction withdraws it, a lowering lowers the target's
    classification (and that of the corrections made to it so far: it is lowered as
    it then reads)."""
    target = entry.amends
    if target is not None:
        index = _index(members, target)
        if entry.type == "EventCorrected":
            members[index] = _corrected(members[index], entry.payload["changes"])
        elif entry.type == "EventRetracted":
            members[index] = replace(members[index], retracted=True)
        else:
            level = str(entry.payload["lowered_to"])
            for at, member in enumerate(members):
                if (at == index or member.amends == target) and CLASSIFICATION_RANK[
                    member.classification
                ] > CLASSIFICATION_RANK.get(level, 2):
                    members[at] = replace(
                        member,
                        classification=level,
                        lowerings=(*member.lowerings, (entry.event_id, level)),
                    )
    members.append(entry)


def _corrected(target: Member, changes: Mapping[str, Any]) -> Member:
    envelope: dict[str, Any] = {}
    for name in CORRECTABLE_ENVELOPE:
        if name in changes:
            value = changes[name]
            if name == "occurred_on":
                value = date.fromisoformat(value)
            elif name in ("recommendations", "sources"):
                value = tuple(value)
            envelope[name] = value
    payload = {k: v for k, v in changes.items() if k not in CORRECTABLE_ENVELOPE}
    return replace(target, payload=dict(sorted({**target.payload, **payload}.items())), **envelope)


def _index(members: Sequence[Member], target_id: UUID) -> int:
    for index, member in enumerate(members):
        if member.event_id == target_id:
            return index
    raise LifecycleConflict(f"Event {target_id} is not part of this dossier.")


def lifecycle_of(members: Sequence[Member], catalogue: Catalogue) -> LifecycleState:
    """Fold the events that stand (not retracted, not corrections) through their
    types' rules, in recording order; raises LifecycleConflict if one breaks."""
    state: LifecycleState = None
    for member in members:
        if member.retracted or member.type not in catalogue:
            continue
        event_type = catalogue[member.type]
        if event_type.effect is not Effect.RECORD or event_type.rule is None:
            continue
        state = event_type.rule(state, member.fact())
    return state


class Dossier(Aggregate):
    """Events about one subject; `members` reads each as corrected and retracted,
    `entries` holds them as recorded."""

    @staticmethod
    def create_id(subject: str | None) -> UUID:
        return dossier_id(subject)

    @event("Opened")
    def __init__(
        self,
        subject: str | None,
        type: str,
        occurred_on: date,
        summary: str | None,
        recommendations: list[int],
        sources: list[str],
        classification: str,
        recorded_by: str,
        payload: dict[str, Any],
    ) -> None:
        self.subject = subject
        self.members: list[Member] = []
        self.entries: list[Member] = []
        self._take(
            type,
            occurred_on,
            summary,
            recommendations,
            sources,
            classification,
            recorded_by,
            payload,
        )

    @event("Recorded")
    def record(
        self,
        type: str,
        occurred_on: date,
        summary: str | None,
        recommendations: list[int],
        sources: list[str],
        classification: str,
        recorded_by: str,
        payload: dict[str, Any],
    ) -> None:
        self._take(
            type,
            occurred_on,
            summary,
            recommendations,
            sources,
            classification,
            recorded_by,
            payload,
        )

    def _take(
        self,
        type: str,
        occurred_on: date,
        summary: str | None,
        recommendations: list[int],
        sources: list[str],
        classification: str,
        recorded_by: str,
        payload: dict[str, Any],
    ) -> None:
        entry = self.draft_member(
            type=type,
            occurred_on=occurred_on,
            summary=summary,
            recommendations=recommendations,
            sources=sources,
            classification=classification,
            recorded_by=recorded_by,
            payload=payload,
        )
        self.entries.append(entry)
        apply_entry(self.members, entry)

    def draft_member(self, **args: Any) -> Member:
        """The member the next event would be (every event adds exactly one member,
        so its version is the count)."""
        version = len(self.members) + 1
        return Member(
            event_id=event_id(self.id, version),
            version=version,
            type=args["type"],
            occurred_on=args["occurred_on"],
            payload=args["payload"],
            summary=args["summary"],
            recommendations=tuple(args["recommendations"]),
            sources=tuple(args["sources"]),
            classification=args["classification"],
            recorded_by=args["recorded_by"],
        )

    def member(self, target_id: UUID) -> Member:
        return self.members[_index(self.members, target_id)]

    def last_event_id(self) -> UUID:
        return self.members[-1].event_id

    def lifecycle(self, catalogue: Catalogue) -> LifecycleState:
        """The lifecycle's state (see `lifecycle_of`)."""
        return lifecycle_of(self.members, catalogue)

    def check_lifecycle(self, catalogue: Catalogue) -> None:
        self.lifecycle(catalogue)

    def exists(self, catalogue: Catalogue) -> bool:
        """Whether the lifecycle has begun (and its beginning was not retracted)."""
        return self.lifecycle(catalogue) is not None

    def classification(self, catalogue: Catalogue) -> str:
        """The lifecycle's classification: the strictest of the events that stand in
        it, as they read now (lowerings applied). What continues it inherits it."""
        found = "public"
        for member in self.members:
            event_type = catalogue.types.get(member.type)
            if member.retracted or event_type is None or event_type.effect is not Effect.RECORD:
                continue
            found = stricter(found, member.classification)
        return found

    def visible(self, sees: Callable[[Member], bool]) -> list[bool]:
        """For each member, whether a reader sees it: by its own classification (as
        lowered) and, for a correction, retraction or lowering, its target's."""
        flags: list[bool] = []
        for member in self.members:
            shown = sees(member)
            target = member.amends
            if shown and target is not None:
                shown = flags[_index(self.members, target)]
            flags.append(shown)
        return flags

    def seen(self, flags: Sequence[bool]) -> list[Member]:
        """The members as a reader who sees only the flagged events reads them: the
        events hidden from it, and what they changed, left out."""
        members: list[Member] = []
        for entry, shown in zip(self.entries, flags, strict=True):
            if shown:
                apply_entry(members, entry)
        return members


def record_args(draft: Draft, recorded_by: str) -> dict[str, Any]:
    return {
        "type": draft.type,
        "occurred_on": draft.occurred_on,
        "summary": draft.summary,
        "recommendations": list(draft.recommendations),
        "sources": list(draft.sources),
        "classification": draft.classification,
        "recorded_by": recorded_by,
        "payload": dict(draft.payload),
    }
