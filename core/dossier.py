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
from core.eventtypes import Effect, LifecycleState
from core.facts import CORRECTABLE_ENVELOPE as CORRECTABLE_ENVELOPE  # for api.console
from core.facts import Day, Fact, corrected
from core.integrity import event_id

SUBJECT_NAMESPACE = uuid5(NAMESPACE_URL, "https://followup.invalid/subject")


def dossier_id(subject: str | None) -> UUID:
    """Dossiers of lifecycles have ids derived from their subject, so that any worker
    finds (and contends for) the same one; other events get a fresh dossier each."""
    return uuid5(SUBJECT_NAMESPACE, subject) if subject is not None else uuid4()


@dataclass(frozen=True)
class Member:
    """One event of a dossier, as it currently reads (corrections applied): its `fact`
    (core.facts: the event as lifecycle rules and checks read it), with what the write
    path needs besides: its id and version in the dossier, whether it stands, its
    lowerings."""

    event_id: UUID
    version: int
    fact: Fact
    retracted: bool = False
    #: Lowerings of its classification, in order: (the lowering event's id, the level).
    lowerings: tuple[tuple[UUID, str], ...] = ()

    @property
    def type(self) -> str:
        return self.fact.type

    @property
    def occurred_on(self) -> date:
        return self.fact.occurred_on.to_date()

    @property
    def payload(self) -> Mapping[str, Any]:
        return self.fact.payload

    @property
    def summary(self) -> str | None:
        return self.fact.summary

    @property
    def recommendations(self) -> tuple[int, ...]:
        return self.fact.recommendations

    @property
    def sources(self) -> tuple[str, ...]:
        return self.fact.sources

    @property
    def classification(self) -> str:
        return self.fact.classification

    @property
    def recorded_by(self) -> str:
        return self.fact.recorded_by


class Dossier(Aggregate):
    """Events about one subject; `members` reads each as corrected and retracted."""

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
        #: The events as recorded; `read` gives them as they now read.
        self.members: list[Member] = []
        self._read: tuple[tuple[int, int], list[Member]] | None = None
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
        self.members.append(
            self.draft_member(
                type=type,
                occurred_on=occurred_on,
                summary=summary,
                recommendations=recommendations,
                sources=sources,
                classification=classification,
                recorded_by=recorded_by,
                payload=payload,
            )
        )

    def draft_member(self, **args: Any) -> Member:
        """The member the next event would be (every event adds exactly one member,
        so its version is the count)."""
        version = len(self.members) + 1
        member_id = event_id(self.id, version)
        fact = Fact(
            type=args["type"],
            occurred_on=Day(args["occurred_on"]),
            payload=args["payload"],
            id=str(member_id),
            classification=args["classification"],
            recorded_by=args["recorded_by"],
            recommendations=tuple(args["recommendations"]),
            summary=args["summary"],
            sources=tuple(args["sources"]),
        )
        return Member(event_id=member_id, version=version, fact=fact)

    def read(self, catalogue: Catalogue) -> list[Member]:
        """The members as they now read: each correction applied to its target (in
        recording order), each retracted member marked, each lowering applied. Which
        types correct, retract or lower, and which payload field names their target,
        the catalogue says."""
        key = (id(catalogue), len(self.members))
        if self._read is not None and self._read[0] == key:
            return self._read[1]
        read = folded(self.members, catalogue)
        self._read = (key, read)
        return read

    def seen(self, flags: Sequence[bool], catalogue: Catalogue) -> list[Member]:
        """The members as a reader who sees only the flagged events reads them: the
        events hidden from it, and what they changed, left out."""
        return folded([m for m, shown in zip(self.members, flags, strict=True) if shown], catalogue)

    def visible(self, sees: Callable[[Member], bool], catalogue: Catalogue) -> list[bool]:
        """For each event (as recorded), whether a reader sees it: by its classification
        as it now reads (lowered) and, for a correction, retraction or lowering, by its
        target's too."""
        read = self.read(catalogue)
        flags: list[bool] = []
        for member, now in zip(self.members, read, strict=True):
            shown = sees(now)
            target = _target(member, catalogue)
            if shown and target is not None:
                shown = flags[_index(self.members, target)]
            flags.append(shown)
        return flags

    def classification(self, catalogue: Catalogue) -> str:
        """The lifecycle's classification: the strictest of the events that stand in
        it, as they read now (lowerings applied). What continues it inherits it."""
        found = "public"
        for member in self.read(catalogue):
            event_type = catalogue.types.get(member.type)
            if member.retracted or event_type is None or event_type.effect is not Effect.RECORD:
                continue
            found = stricter(found, member.classification)
        return found

    def member(self, target_id: UUID, catalogue: Catalogue) -> Member:
        read = self.read(catalogue)
        return read[_index(read, target_id)]

    def last_event_id(self) -> UUID:
        return self.members[-1].event_id

    def lifecycle(self, catalogue: Catalogue) -> LifecycleState:
        """The lifecycle's state (see `lifecycle_of`)."""
        return lifecycle_of(self.read(catalogue), catalogue)

    def check_lifecycle(self, catalogue: Catalogue) -> None:
        self.lifecycle(catalogue)

    def exists(self, catalogue: Catalogue) -> bool:
        """Whether the lifecycle has begun (and its beginning was not retracted)."""
        return self.lifecycle(catalogue) is not None


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
        state = event_type.rule(state, member.fact)
    return state


def folded(recorded: Sequence[Member], catalogue: Catalogue) -> list[Member]:
    """Events (as recorded) as they read: each correction applied to its target, each
    retraction marking it, each lowering lowering its classification, and that of
    the corrections made to it so far (it is lowered as it then reads)."""
    read = list(recorded)
    for member in recorded:
        event_type = catalogue.types.get(member.type)
        target = _target(member, catalogue)
        if event_type is None or target is None:
            continue
        index = _index(read, target)
        if event_type.effect is Effect.CORRECT:
            read[index] = _amended(read[index], member.payload[str(event_type.changes)])
        elif event_type.effect is Effect.RETRACT:
            read[index] = replace(read[index], retracted=True)
        else:
            level = str(member.payload[str(event_type.changes)])
            for at, other in enumerate(read):
                if other.event_id == member.event_id:
                    break  # what came after the lowering keeps its own
                amends = at == index or _target(recorded[at], catalogue) == target
                if (
                    amends
                    and CLASSIFICATION_RANK[other.classification] > CLASSIFICATION_RANK[level]
                ):
                    read[at] = replace(
                        other,
                        fact=other.fact._replace(classification=level),
                        lowerings=(*other.lowerings, (member.event_id, level)),
                    )
    return read


def _target(member: Member, catalogue: Catalogue) -> UUID | None:
    """The event of its dossier a correction, retraction or lowering changes."""
    event_type = catalogue.types.get(member.type)
    target = event_type.target_of(member.payload) if event_type is not None else None
    return UUID(target) if target is not None else None


def _index(members: Sequence[Member], target_id: UUID) -> int:
    for index, member in enumerate(members):
        if member.event_id == target_id:
            return index
    raise LifecycleConflict(f"Event {target_id} is not part of this dossier.")


def _amended(target: Member, changes: Mapping[str, Any]) -> Member:
    """A member with a correction's changes (core.facts.corrected)."""
    return replace(target, fact=corrected(target.fact, changes))


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
