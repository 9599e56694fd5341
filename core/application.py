"""The application service: the verbs of the focal point's record (record, record a
batch, correct, retract) and the reads of the log, over one eventsourcing Application
so that every event has its place in one global order."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import cached_property
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, JSONTranscoder, StoredEvent, Transcoding

from core.catalogue import Catalogue
from core.clock import Clock, utc_now
from core.collector import collection_paused
from core.dossier import (
    Dossier,
    Member,
    dossier_id,
    folded,
    lifecycle_of,
    record_args,
)
from core.envelope import ENVELOPE_FIELDS, Classification, Draft, Event, stricter
from core.errors import (
    Forbidden,
    IdempotencyMismatch,
    InvalidEvent,
    LifecycleConflict,
    NotFound,
)
from core.eventtypes import Effect, EventType, LifecycleState
from core.facts import CORRECTABLE_ENVELOPE, Fact
from core.fields import unregistered_codes
from core.parties import registered_subject
from core.ports import Head, IdempotencyKey, LogRecorder, LogScanner, StoredRecord
from core.verification import Published, Verification, verify_log
from core.visibility import Visibility, may_see

#: How often a batch is re-checked and retried when another writer got there first.
CONCURRENT_RETRIES = 5


class DateAsISO(Transcoding):
    """eventsourcing's JSON transcoder knows datetimes, not dates; events carry dates."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


#: The topics of the events a dossier stores, which `plain_state` decodes.
DOSSIER_TOPICS = frozenset({"core.dossier:Dossier.Opened", "core.dossier:Dossier.Recorded"})
TYPE_MARK = b'"_type_"'


def plain_state(topic: str | None, state: bytes) -> dict[str, Any] | None:
    """An event's stored state decoded the short way, when it is what a dossier stores
    (JSON whose only encoded values are the two dates eventsourcing wraps: its
    `timestamp` and our `occurred_on`): one `orjson.loads`, a fifth of the mapper's
    time. None for anything else, which the mapper decodes. The dates stay as stored:
    ``{"_type_": ..., "_data_": ISO text}``."""
    if topic not in DOSSIER_TOPICS or state.count(TYPE_MARK) != 2:
        return None
    data = orjson.loads(state)
    day = data.get("occurred_on")
    if "class_version" in data or type(day) is not dict or day.get("_type_") != "date_iso":
        return None
    return cast(dict[str, Any], data)


class FollowUp(Application[UUID]):
    """The focal point's record. Everything the system knows is in this one log."""

    name = "FollowUp"

    def __init__(
        self, env: Mapping[str, str], catalogue: Catalogue, clock: Clock = utc_now
    ) -> None:
        super().__init__(dict(env))
        self.catalogue = catalogue
        self.clock = clock
        mapper = self.mapper
        #: Whether stored states are plain JSON (no cipher, no compression): then
        #: `plain_state` decodes what dossiers store.
        self.plain = (
            type(mapper.transcoder) is JSONTranscoder
            and not mapper.cipher
            and not mapper.compressor
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    @property
    def log(self) -> LogRecorder:  # type: ignore[override]
        return cast(LogRecorder, self.recorder)

    # -- verbs -------------------------------------------------------------------

    def validate(self, raw: Any) -> Draft:
        return self.catalogue.validate(raw, today=self.clock().date())

    def record(self, draft: Draft, recorded_by: str, role: str | None = "focal_point") -> Event:
        try:
            return self.record_batch([draft], recorded_by, role)[0]
        except InvalidEvent as error:
            raise InvalidEvent(error.messages) from None
        except LifecycleConflict as error:
            raise LifecycleConflict(error.message) from None

    def record_batch(
        self,
        drafts: Sequence[Draft],
        recorded_by: str,
        role: str | None = "focal_point",
        *,
        dry_run: bool = False,
        idempotency: IdempotencyKey | None = None,
        also: tuple[str, ...] = (),
    ) -> list[Event]:
        """Record all the drafts in one transaction, in the order given, or none of them.
        Later drafts may build on earlier ones (sign, then enter into force). `role`
        None is the local operator, who may write every type. A dry run checks every
        rule and records nothing. With an idempotency key already used for the same
        request, the events it recorded are returned and nothing is appended. `also`:
        other names the caller recorded under earlier (its token's label), whose
        confidential events it sees."""
        if not drafts:
            return []
        if (
            idempotency is not None
            and (replayed := self._replay(idempotency, role, recorded_by, also)) is not None
        ):
            return replayed
        # A batch makes many objects and keeps them to its end (drafts, dossiers, their
        # events), which the collector would walk again and again: an import of 100,000
        # events took 28% longer with it running. It runs again once the batch's own
        # objects are gone, and walks only the events given back.
        with collection_paused():
            return self._record_batch(drafts, recorded_by, role, dry_run, idempotency, also)

    def _record_batch(
        self,
        drafts: Sequence[Draft],
        recorded_by: str,
        role: str | None,
        dry_run: bool,
        idempotency: IdempotencyKey | None,
        also: tuple[str, ...],
    ) -> list[Event]:
        for attempt in range(CONCURRENT_RETRIES):
            batch = _Batch(self, recorded_by, role, also)
            for index, draft in enumerate(drafts):
                try:
                    batch.add(draft)
                except (InvalidEvent, LifecycleConflict) as error:
                    # The same request may have been recorded by another worker since
                    # the check above: its events now break the rules for ours.
                    if idempotency is not None and (
                        replayed := self._replay(idempotency, role, recorded_by, also)
                    ):
                        return replayed
                    raise error.at(index) from None
            if dry_run:
                return []
            try:
                positions, written = batch.save(idempotency)
            except IntegrityError:
                if idempotency is not None and (
                    replayed := self._replay(idempotency, role, recorded_by, also)
                ):
                    return replayed  # the same request, sent twice at once
                # Another writer extended one of our dossiers first: check again.
                if attempt == CONCURRENT_RETRIES - 1:
                    raise LifecycleConflict(
                        "Another writer changed the same records at the same moment; "
                        "nothing was recorded, try again."
                    ) from None
                continue
            if written:  # not read again: an import of 100,000 events took seconds
                return [self.to_event(record) for record in written]
            return self._read_range(positions[0], positions[-1])
        raise AssertionError("unreachable")

    def _replay(
        self,
        idempotency: IdempotencyKey,
        role: str | None,
        recorded_by: str,
        also: tuple[str, ...] = (),
    ) -> list[Event] | None:
        """The events a request with this key recorded, if one did. They are given
        back only to a caller who could make the request now and see what it
        recorded: the role and clearance are checked as for a new request (a label
        given again to someone with another role gets no more than that role may)."""
        done = self.log.find_idempotent(idempotency.scope, idempotency.key)
        if done is None:
            return None
        if done.request_hash != idempotency.request_hash:
            raise IdempotencyMismatch(
                f"Idempotency key {idempotency.key!r} was already used for a different request."
            )
        events = self._read_range(done.first_position, done.last_position)
        if role is not None:
            sight = self.visibility(role, recorded_by, also=also)
            for event in events:
                event_type = self.catalogue.types.get(event.type)
                if event_type is not None:
                    _check_writer(role, event_type)
                if not sight.sees(event):
                    raise Forbidden(
                        f"The {role} role may not see what this request recorded; "
                        "send it with a new idempotency key."
                    )
        return events

    def visibility(
        self, role: str | None, label: str | None, also: tuple[str, ...] = ()
    ) -> Visibility:
        """What one caller may see of the log (core.visibility)."""

        def find(event_id: UUID) -> Event | None:
            record = self.log.find_record(event_id)
            return self.to_event(record) if record is not None else None

        return Visibility(role, label, self.catalogue, find, also, self.lowerings_of)

    def lowerings_of(self, event: Event) -> list[tuple[str, int]]:
        """The lowerings of an event's classification: (the level, the position of
        the lowering), in log order."""
        dossier = self.dossier(None, event.stream) if event.stream is not None else None
        if dossier is None:
            return []
        try:
            member = dossier.member(event.id, self.catalogue)
        except LifecycleConflict:
            return []
        found = []
        for lowering, level in member.lowerings:
            record = self.log.find_record(lowering)
            if record is not None:
                found.append((level, record.position))
        return found

    def _read_range(self, first: int, last: int) -> list[Event]:
        """The events of one batch (one transaction holds consecutive positions)."""
        records = self.log.select_records(after=first - 1, upto=last, limit=last - first + 1)
        return [self.to_event(record) for record in records]

    def record_raw(self, raw: Any, recorded_by: str, role: str | None = "focal_point") -> Event:
        return self.record(self.validate(raw), recorded_by, role)

    # -- reads -------------------------------------------------------------------

    def head(self) -> Head:
        return self.log.head()

    def verify(
        self,
        *,
        against: Published | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Verification:
        """Recompute the hash chain from the first event (core/verification.py)."""
        return verify_log(cast(LogScanner, self.recorder), against=against, progress=progress)

    def to_event(self, record: StoredRecord) -> Event:
        fields = self._decoded(record)
        return Event(
            id=record.event_id,
            position=record.position,
            recorded_at=record.recorded_at,
            recorded_by=fields["recorded_by"],
            type=fields["type"],
            occurred_on=fields["occurred_on"],
            payload=fields["payload"],
            summary=fields["summary"],
            recommendations=tuple(fields["recommendations"]),
            sources=tuple(fields["sources"]),
            classification=fields["classification"],
            hash=record.hash.hex(),
            stream=record.originator_id,
            version=record.originator_version,
            timestamp=fields["timestamp"],
            subject=fields.get("subject"),
        )

    def _decoded(self, record: StoredRecord) -> dict[str, Any]:
        """The recorded event's fields, its dates decoded (`timestamp` as ISO text)."""
        data = plain_state(record.topic, record.state) if self.plain else None
        if data is not None:
            timestamp = data["timestamp"]
            if type(timestamp) is dict and timestamp.get("_type_") == "datetime_iso":
                data["timestamp"] = timestamp["_data_"]
                data["occurred_on"] = date.fromisoformat(data["occurred_on"]["_data_"])
                return data
        domain_event = self.mapper.to_domain_event(
            StoredEvent(
                originator_id=record.originator_id,
                originator_version=record.originator_version,
                topic=record.topic,
                state=record.state,
            )
        )
        fields = dict(vars(domain_event))
        fields["timestamp"] = fields["timestamp"].isoformat()
        return fields

    def read_log(
        self, *, after: int = 0, upto: int | None = None, page: int = 1000
    ) -> Iterator[Event]:
        """Every event in log order, read a page at a time (bounded memory)."""
        while True:
            records = self.log.select_records(after=after, limit=page, upto=upto)
            if not records:
                return
            for record in records:
                yield self.to_event(record)
            after = records[-1].position

    def get_event(self, event_id: UUID) -> Event:
        record = self.log.find_record(event_id)
        if record is None:
            raise NotFound(f"No event {event_id}.")
        return self.to_event(record)

    def dossier(self, subject: str | None, dossier: UUID | None = None) -> Dossier | None:
        try:
            return cast(Dossier, self.repository.get(dossier or dossier_id(subject)))
        except AggregateNotFoundError:
            return None


class _Batch:
    """Dossiers changed by one batch, and its new events in the order given.

    What the caller may not see behaves as if it did not exist: a hidden target is
    "no event", a lifecycle hidden from the caller is judged by the events it sees
    (a warrant it cannot see "has not been issued"), and a caller extends only a
    lifecycle it sees whole; anything else (a reference taken by a hidden lifecycle)
    is refused with no more than "this reference cannot be used". An event that
    continues a lifecycle inherits its classification unless it raises it."""

    def __init__(
        self, app: FollowUp, recorded_by: str, role: str | None, also: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.catalogue = app.catalogue
        self.recorded_by = recorded_by
        self.role = role
        self.also = also
        #: Every name the caller records or recorded under (core.visibility).
        self.identities = frozenset({recorded_by, *also})
        #: The type that lowers a classification, named in refusals.
        self.lowering = next(
            (t.name for t in self.catalogue.types.values() if t.effect is Effect.LOWER), None
        )
        self.dossiers: dict[UUID, Dossier] = {}
        #: Dossiers read (not changed) by this batch: a lifecycle named by many of
        #: its events (a referenced agreement, a registered organisation) is read once.
        self.read: dict[UUID, Dossier | None] = {}
        self.events: list[Any] = []
        #: Which dossier holds each event recorded in this batch.
        self.homes: dict[UUID, UUID] = {}

    def add(self, draft: Draft) -> None:
        event_type = self.catalogue[draft.type]
        _check_writer(self.role, event_type)
        if event_type.effect is Effect.RECORD:
            dossier = self._record(event_type, draft)
        else:
            dossier = self._amend(event_type, draft)
        self.dossiers[dossier.id] = dossier
        self.events.append(dossier.pending_events[-1])
        self.homes[dossier.last_event_id()] = dossier.id

    def save(
        self, idempotency: IdempotencyKey | None = None
    ) -> tuple[list[int], list[StoredRecord]]:
        """Record the batch: its positions, and the records written as the store gives
        them back (see `written_records`; none from a store that does not)."""
        processing = ProcessingEvent[UUID]()
        if idempotency is not None:
            processing.saved_kwargs["idempotency"] = idempotency
        written: list[StoredRecord] = []
        processing.saved_kwargs["written"] = written
        processing.events.extend(self.events)
        recordings = self.app._record(processing)
        for dossier in self.dossiers.values():
            dossier.collect_events()
        positions = [recording.notification.id for recording in recordings]
        if [record.position for record in written] != positions:
            written = []
        return positions, written

    # -- what the caller sees ----------------------------------------------------

    def _sees(self, member: Member) -> bool:
        who = member.recorded_by if member.recorded_by in self.identities else self.recorded_by
        if may_see(self.role, who, member.classification, member.recorded_by):
            return True
        # A role that reads no events (the administrator) still sees, when it writes, the
        # public records of the types it keeps (its registry of organisations): every
        # reader sees those.
        event_type = self.catalogue.types.get(member.type)
        return (
            member.classification == Classification.PUBLIC
            and event_type is not None
            and self.role in event_type.writers
        )

    def _sight(self, dossier: Dossier) -> list[bool] | None:
        """Which members the caller sees; None when it sees them all."""
        if self.role is None:
            return None  # the operator
        flags = dossier.visible(self._sees, self.catalogue)
        return None if all(flags) else flags

    # -- the three effects -------------------------------------------------------

    def _record(self, event_type: EventType, draft: Draft) -> Dossier:
        inherited, referred = self._check_references(event_type, draft.payload)
        cited, evidence = self._check_evidence(event_type, draft.payload)
        if stricter(inherited, cited) != inherited:
            inherited, referred = cited, evidence
        self._check_registered(event_type, draft.payload)
        subject = event_type.subject_of(draft.payload)
        dossier = self._load(dossier_id(subject)) if subject is not None else None
        if dossier is None:
            draft = _classified(draft, inherited, referred, self.lowering)
            dossier = Dossier(subject=subject, **record_args(draft, self.recorded_by))
        else:
            flags = self._sight(dossier)
            if flags is not None:
                # Judged by what the caller sees, as if the rest did not exist; if that
                # passes, the reference is taken by something hidden from it.
                seen = self._lifecycle_seen(dossier, flags, subject)
                new = dossier.draft_member(**record_args(draft, self.recorded_by))
                rule = event_type.rule
                if rule is not None:
                    rule(seen, new.fact)
                self._check_context(event_type, new.fact)
                raise _unusable(subject)
            inherited = stricter(inherited, dossier.classification(self.catalogue))
            draft = _classified(draft, inherited, _described(subject), self.lowering)
            dossier.record(**record_args(draft, self.recorded_by))
        dossier.check_lifecycle(self.catalogue)
        self._check_context(event_type, dossier.members[-1].fact)
        return dossier

    def _amend(self, event_type: EventType, draft: Draft) -> Dossier:
        field = str(event_type.target)
        target_id = UUID(str(event_type.target_of(draft.payload)))
        dossier = self._home_of(target_id, field)
        flags = self._sight(dossier)
        members = dossier.read(self.catalogue)
        if flags is not None:
            if not flags[[m.event_id for m in dossier.members].index(target_id)]:
                raise _no_event(field, target_id)
            members = dossier.seen(flags, self.catalogue)
        target = next(m for m in members if m.event_id == target_id)
        target_type = self.catalogue.types.get(target.type)
        if target_type is None or target_type.effect is not Effect.RECORD:
            raise LifecycleConflict(
                f"Event {target_id} is a {target.type}; correct or retract the original event."
            )
        if target.retracted:
            raise LifecycleConflict(f"Event {target_id} has been retracted.")
        _check_writer(self.role, target_type)
        if event_type.effect is Effect.CORRECT:
            changes = str(event_type.changes)
            payload = dict(draft.payload)
            payload[changes] = self._checked_changes(
                target_type, target, draft.payload[changes], changes
            )
            draft = Draft(**{**vars(draft), "payload": dict(sorted(payload.items()))})
        what = f"Event {target_id}"
        if event_type.effect is Effect.LOWER:
            draft = _lowering(draft, str(event_type.changes), target, what)
        else:
            draft = _classified(draft, target.classification, what, self.lowering)
        if flags is not None:
            # The change must hold in what the caller sees; it may still not be made
            # in a dossier holding events hidden from the caller.
            seen = [m for m, shown in zip(dossier.members, flags, strict=True) if shown]
            new = dossier.draft_member(**record_args(draft, self.recorded_by))
            lifecycle_of(folded([*seen, new], self.catalogue), self.catalogue)
            raise _unusable(None, target_id)
        dossier.record(**record_args(draft, self.recorded_by))
        dossier.check_lifecycle(self.catalogue)
        if event_type.effect is Effect.CORRECT:
            corrected = dossier.member(target_id, self.catalogue)
            self._check_references(target_type, corrected.payload)
            self._check_evidence(target_type, corrected.payload)
            self._check_registered(target_type, corrected.payload)
            self._check_context(target_type, corrected.fact)
        return dossier

    def _checked_changes(
        self, target_type: EventType, target: Any, changes: Mapping[str, Any], field: str
    ) -> dict[str, Any]:
        """Validate a correction (its payload `field`) against the target type's schema;
        return its JSON form."""
        payload_fields = set(target_type.schema._declared_fields)
        unknown = sorted(set(changes) - payload_fields - set(CORRECTABLE_ENVELOPE))
        if unknown:
            raise InvalidEvent(
                {
                    field: {
                        name: [f"Not a field of {target_type.name} that can be corrected."]
                        for name in unknown
                    }
                }
            )
        envelope_changes = {k: v for k, v in changes.items() if k in CORRECTABLE_ENVELOPE}
        checked: dict[str, Any] = {}
        if envelope_changes:
            trial = {**self._envelope_of(target), **target.payload, **envelope_changes}
            try:
                draft = self.app.validate(trial)
            except InvalidEvent as error:
                raise InvalidEvent({field: error.messages}) from None
            envelope = draft.envelope()
            checked.update({k: envelope[k] for k in envelope_changes})
        payload_changes = {k: v for k, v in changes.items() if k in payload_fields}
        if payload_changes:
            try:
                new_payload = self.catalogue.check_payload(
                    target_type.name, {**target.payload, **payload_changes}
                )
            except InvalidEvent as error:
                raise InvalidEvent({field: error.messages}) from None
            if target_type.subject_of(new_payload) != target_type.subject_of(target.payload):
                raise InvalidEvent(
                    {
                        field: {
                            name: [
                                "This field says which record the event belongs to; "
                                "retract the event and record it anew."
                            ]
                            for name in sorted(payload_changes)
                            if new_payload.get(name) != target.payload.get(name)
                        }
                    }
                )
            checked.update({k: new_payload[k] for k in payload_changes})
        return dict(sorted(checked.items()))

    @staticmethod
    def _envelope_of(member: Any) -> dict[str, Any]:
        envelope = {
            "type": member.type,
            "occurred_on": member.occurred_on.isoformat(),
            "summary": member.summary,
            "recommendations": list(member.recommendations),
            "sources": list(member.sources),
            "classification": member.classification,
        }
        assert set(envelope) == set(ENVELOPE_FIELDS)
        return envelope

    def _check_references(
        self, event_type: EventType, payload: Mapping[str, Any]
    ) -> tuple[str, str]:
        """Every lifecycle the event refers to exists, as far as the caller can see;
        returns the strictest of their classifications (the event inherits it) and
        which lifecycle has it."""
        strictest, which = Classification.PUBLIC.value, ""
        for field, kind in event_type.references.items():
            value = payload.get(field)
            if value is None:
                continue
            subject = f"{kind}:{value}"
            dossier = self._load(dossier_id(subject))
            missing = LifecycleConflict(f"There is no {kind} {value} in the log.")
            if dossier is None:
                raise missing
            flags = self._sight(dossier)
            if flags is not None:
                if self._lifecycle_seen(dossier, flags, subject) is None:
                    raise missing
                raise _unusable(subject)
            if not dossier.exists(self.catalogue):
                raise missing
            classification = dossier.classification(self.catalogue)
            if stricter(strictest, classification) != strictest:
                strictest, which = classification, _described(subject)
        return strictest, which

    def _check_evidence(self, event_type: EventType, payload: Mapping[str, Any]) -> tuple[str, str]:
        """Events cited as evidence must be in the log (or earlier in this batch) as
        far as the caller can see, and be what was done, not a correction or retraction
        of it; returns the strictest of their classifications (the event inherits it,
        so what cites a confidential event is confidential) and which event has it."""
        strictest, which = Classification.PUBLIC.value, ""
        for field in event_type.evidence:
            for index, cited in enumerate(payload.get(field) or ()):
                event_id = UUID(str(cited))
                classification = self._cited(event_id, field, str(index))
                if stricter(strictest, classification) != strictest:
                    strictest, which = classification, f"Event {event_id} (evidence)"
        return strictest, which

    def _cited(self, event_id: UUID, field: str, index: str) -> str:
        """The classification, as it now reads, of an event cited as evidence (the
        `index`th of `field`), checked as `_check_evidence` says."""
        if event_id in self.homes:
            dossier = self.dossiers[self.homes[event_id]]
            return next(m for m in dossier.members if m.event_id == event_id).classification
        record = self.app.log.find_record(event_id)
        event = self.app.to_event(record) if record is not None else None
        if event is None or not self._log_sight.sees(event):
            raise InvalidEvent({field: {index: [f"No event {event_id} in the log."]}})
        cited_type = self.catalogue.types.get(event.type)
        if cited_type is not None and cited_type.effect is not Effect.RECORD:
            raise InvalidEvent(
                {field: {index: [f"Event {event_id} corrects or retracts another: cite that one."]}}
            )
        classification = event.classification
        for lowered, _ in self.app.lowerings_of(event):
            classification = lowered
        return classification

    @cached_property
    def _log_sight(self) -> Visibility:
        """What the caller sees of the log (for events not in this batch)."""
        return self.app.visibility(self.role, self.recorded_by, self.also)

    def _check_registered(self, event_type: EventType, payload: Mapping[str, Any]) -> None:
        """Codes that are not built in must name organisations registered in the log."""
        for field, code, kinds in unregistered_codes(event_type.schema, payload):
            state = self._lifecycle(registered_subject(code))
            if state is None:
                raise InvalidEvent(
                    {
                        field: [
                            f"Unknown party code {code!r}: no organisation is registered "
                            "under it (followup organisations register)."
                        ]
                    }
                )
            if kinds is not None and state.get("kind") not in kinds:
                wanted = " or ".join(sorted(kinds))
                raise InvalidEvent({field: [f"{code} is not a {wanted}."]})

    def _check_context(self, event_type: EventType, fact: Fact) -> None:
        if event_type.checks is not None:
            event_type.checks(fact, self._lifecycle)

    def _lifecycle(self, subject: str) -> LifecycleState:
        """A lifecycle's state as this batch leaves it and as the caller sees it (None:
        not begun, or hidden from the caller whole)."""
        dossier = self._load(dossier_id(subject))
        if dossier is None:
            return None
        flags = self._sight(dossier)
        if flags is None:
            return dossier.lifecycle(self.catalogue)
        return self._lifecycle_seen(dossier, flags, subject)

    def _lifecycle_seen(
        self, dossier: Dossier, flags: Sequence[bool], subject: str | None
    ) -> LifecycleState:
        """The lifecycle as the caller sees it (the flagged events alone); if that does
        not hold together on its own (hidden events it rests on), the reference is
        unusable to it."""
        try:
            return lifecycle_of(dossier.seen(flags, self.catalogue), self.catalogue)
        except LifecycleConflict:
            raise _unusable(subject) from None

    # -- loading -----------------------------------------------------------------

    def _load(self, dossier: UUID) -> Dossier | None:
        if dossier in self.dossiers:
            return self.dossiers[dossier]
        if dossier not in self.read:
            self.read[dossier] = self.app.dossier(None, dossier)
        return self.read[dossier]

    def _home_of(self, target_id: UUID, field: str) -> Dossier:
        home = self.homes.get(target_id)
        if home is None:
            record = self.app.log.find_record(target_id)
            if record is None:
                raise _no_event(field, target_id)
            home = record.originator_id
        dossier = self._load(home)
        if dossier is None:  # pragma: no cover - the log and its index disagree
            raise _no_event(field, target_id)
        return dossier


def _check_writer(role: str | None, event_type: EventType) -> None:
    """A role records only the types that name it as a writer (None: the operator)."""
    if role is not None and role not in event_type.writers:
        raise Forbidden(f"The {role} role may not record {event_type.name} events.")


def _no_event(field: str, target_id: UUID) -> InvalidEvent:
    return InvalidEvent({field: [f"No event {target_id} in the log."]})


def _described(subject: str | None) -> str:
    if subject is None:
        return "The event it continues"
    kind, _, reference = subject.partition(":")
    return f"{kind.replace('_', ' ').capitalize()} {reference}"


def _unusable(subject: str | None, event: UUID | None = None) -> LifecycleConflict:
    """The one thing said of a reference taken by something the caller cannot see."""
    if event is not None:
        return LifecycleConflict(f"This reference cannot be used: event {event}.")
    kind, _, reference = (subject or "").partition(":")
    return LifecycleConflict(
        f"This reference cannot be used: {kind.replace('_', ' ')} {reference}."
    )


def _classified(draft: Draft, inherited: str, what: str, lowering: str | None) -> Draft:
    """The draft with the classification it inherits, unless it raises it. Lowering
    is an act of its own (the catalogue's `lowering` type): a client that asks for less
    is refused."""
    if stricter(draft.classification, inherited) == draft.classification:
        return draft
    if draft.classification_given:
        how = f"{lowering} lowers it" if lowering else "it is lowered"
        raise LifecycleConflict(
            f"{what} is {inherited}: what continues it is {inherited} too, unless {how} first."
        )
    return replace(draft, classification=inherited)


def _lowering(draft: Draft, field: str, target: Member, what: str) -> Draft:
    """A lowering lowers (to the level in `field`), and has the classification it
    lowers to."""
    level = str(draft.payload[field])
    if stricter(level, target.classification) == level:
        raise LifecycleConflict(f"{what} is {target.classification}: {level} is not lower.")
    if draft.classification_given and draft.classification != level:
        raise InvalidEvent(
            {"classification": [f"A lowering has the classification it lowers to ({level})."]}
        )
    return replace(draft, classification=level)
