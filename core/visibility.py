"""Who may receive which events (DESIGN.md §4). A role never receives what it may not
see: not in a list, not by id (it is "not found" to them), not through a correction or
retraction of an event hidden from it. Every read path (API, views, reports) asks here,
and so does every write path (core.application): what a caller may not see behaves as
if it did not exist."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from core.catalogue import Catalogue
from core.envelope import Classification, Event
from core.roles import AUDITOR, BUREAU, FOCAL_POINT

#: The lowerings of an event's classification: (the level, the lowering's position).
Lowerings = Callable[[Event], Sequence[tuple[str, int]]]


def may_see(role: str | None, label: str | None, classification: str, recorded_by: str) -> bool:
    """The rule for one event on its own. `role` None is the local operator (sees all).
    `auditor` sees everything; `bureau` public and restricted; `focal_point` public,
    restricted and the confidential events recorded with its own label; anything else
    (admin, an unknown role) sees nothing."""
    if role is None or role == AUDITOR:
        return True
    if role not in (BUREAU, FOCAL_POINT):
        return False
    if classification in (Classification.PUBLIC, Classification.RESTRICTED):
        return True
    if classification == Classification.CONFIDENTIAL:
        return role == FOCAL_POINT and label is not None and recorded_by == label
    return False


class Visibility:
    """What one caller may see of the log. A correction, retraction or lowering is
    visible only if its target is visible too; an event whose classification was
    lowered (by an event of the lowering type) is judged by the lowered one from the lowering's
    position on. `upto` is the position the caller reads the log at (None: its head).
    Targets are looked up once and remembered."""

    def __init__(
        self,
        role: str | None,
        label: str | None,
        catalogue: Catalogue,
        find: Callable[[UUID], Event | None],
        also: tuple[str, ...] = (),
        lowerings: Lowerings | None = None,
        upto: int | None = None,
    ) -> None:
        self.role = role
        self.label = label
        self.also = also
        #: Other names the caller recorded under (a person's token label, whose events
        #: from before it named the person keep the label).
        self.identities = frozenset({*also, *([label] if label else [])})
        self.catalogue = catalogue
        self.find = find
        self.lowerings = lowerings
        self.upto = upto
        self._targets: dict[UUID, bool] = {}

    def at(self, upto: int | None) -> Visibility:
        """The same caller reading the log as it stood at position `upto`."""
        if upto == self.upto:
            return self
        return Visibility(
            self.role, self.label, self.catalogue, self.find, self.also, self.lowerings, upto
        )

    @property
    def sees_everything(self) -> bool:
        return self.role is None or self.role == AUDITOR

    def __call__(self, event: Event) -> bool:
        return self.sees(event)

    def _who(self, recorded_by: str) -> str | None:
        return recorded_by if recorded_by in self.identities else self.label

    def sees(self, event: Event) -> bool:
        if not self._sees_alone(event):
            return False
        target = self._target_of(event)
        return target is None or self._sees_target(target)

    def _sees_alone(self, event: Event) -> bool:
        who = self._who(event.recorded_by)
        if may_see(self.role, who, event.classification, event.recorded_by):
            return True
        if self.lowerings is None or event.classification != Classification.CONFIDENTIAL:
            return False  # only what a role cannot see can become visible to it
        level = event.classification
        for lowered, position in self.lowerings(event):
            if self.upto is None or position <= self.upto:
                level = lowered
        return may_see(self.role, who, level, event.recorded_by)

    def _target_of(self, event: Event) -> UUID | None:
        event_type = self.catalogue.types.get(event.type)
        value = event_type.target_of(event.payload) if event_type is not None else None
        if value is None:
            return None
        try:
            return UUID(value)
        except ValueError:
            return None

    def _sees_target(self, target_id: UUID) -> bool:
        if target_id not in self._targets:
            target = self.find(target_id)
            self._targets[target_id] = target is not None and self._sees_alone(target)
        return self._targets[target_id]
