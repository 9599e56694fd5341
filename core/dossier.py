"""The aggregate: a dossier holds the events recorded about one thing with a lifecycle
(an agreement, a warrant, a request, a State's membership...), or a single event about
nothing that has one. Saving a dossier is atomic and fails if another writer extended
it meanwhile, so two workers can never both, say, answer the same request."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from core.catalogue import Catalogue
from core.envelope import Draft
from core.errors import LifecycleConflict
from core.eventtypes import Effect, LifecycleState
from core.facts import CORRECTABLE_ENVELOPE, Day, Fact, corrected
from core.integrity import event_id

SUBJECT_NAMESPACE = uuid5(NAMESPACE_URL, "https://followup.invalid/subject")

#: Earlier code imported it from here.
__all__ = ["CORRECTABLE_ENVELOPE", "Dossier", "dossier_id", "record_args"]


def dossier_id(subject: str | None) -> UUID:
    """Dossiers of lifecycles have ids derived from their subject, so that any worker
    finds (and contends for) the same one; other events get a fresh dossier each."""
    return uuid5(SUBJECT_NAMESPACE, subject) if subject is not None else uuid4()


class Dossier(Aggregate):
    """Events about one subject. `members` are the events as recorded, as facts (the
    event's version is its index + 1); `read` gives them as they now read."""

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
        self.members: list[Fact] = []
        self._read: tuple[tuple[int, int], list[Fact], set[str]] | None = None
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
        # Every event adds exactly one member, so the event's version is the count.
        self.members.append(
            Fact(
                type=type,
                occurred_on=Day(occurred_on),
                payload=payload,
                id=str(event_id(self.id, len(self.members) + 1)),
                classification=classification,
                recorded_by=recorded_by,
                recommendations=tuple(recommendations),
                summary=summary,
                sources=tuple(sources),
            )
        )

    def read(self, catalogue: Catalogue) -> list[Fact]:
        """The members as they now read: each correction applied to its target (in
        recording order). Which types correct or retract, and which payload field
        names their target, the catalogue says."""
        return self._reading(catalogue)[0]

    def _reading(self, catalogue: Catalogue) -> tuple[list[Fact], set[str]]:
        key = (id(catalogue), len(self.members))
        if self._read is not None and self._read[0] == key:
            return self._read[1], self._read[2]
        read = list(self.members)
        retracted: set[str] = set()
        for member in self.members:
            event_type = catalogue.types.get(member.type)
            target = event_type.target_of(member.payload) if event_type is not None else None
            if event_type is None or target is None:
                continue
            index = _index(read, UUID(target))
            if event_type.effect is Effect.CORRECT:
                read[index] = corrected(read[index], member.payload[str(event_type.changes)])
            else:
                retracted.add(read[index].id)
        self._read = (key, read, retracted)
        return read, retracted

    def member(self, target_id: UUID, catalogue: Catalogue) -> Fact:
        """The event as it now reads (corrected)."""
        read = self.read(catalogue)
        return read[_index(read, target_id)]

    def is_retracted(self, target_id: UUID, catalogue: Catalogue) -> bool:
        return str(target_id) in self._reading(catalogue)[1]

    def last_event_id(self) -> UUID:
        return UUID(self.members[-1].id)

    def lifecycle(self, catalogue: Catalogue) -> LifecycleState:
        """Fold the events that stand (not retracted, not corrections) through their
        types' rules, in recording order; raises LifecycleConflict if one breaks."""
        state: LifecycleState = None
        read, retracted = self._reading(catalogue)
        for member in read:
            if member.id in retracted or member.type not in catalogue:
                continue
            event_type = catalogue[member.type]
            if event_type.effect is not Effect.RECORD or event_type.rule is None:
                continue
            state = event_type.rule(state, member)
        return state

    def check_lifecycle(self, catalogue: Catalogue) -> None:
        self.lifecycle(catalogue)

    def exists(self, catalogue: Catalogue) -> bool:
        """Whether the lifecycle has begun (and its beginning was not retracted)."""
        return self.lifecycle(catalogue) is not None


def _index(members: list[Fact], target_id: UUID) -> int:
    wanted = str(target_id)
    for index, member in enumerate(members):
        if member.id == wanted:
            return index
    raise LifecycleConflict(f"Event {target_id} is not part of this dossier.")


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
