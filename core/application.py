"""The application service: the verbs of the focal point's record (record, record a
batch, correct, retract) and the reads of the log, over one eventsourcing Application
so that every event has its place in one global order."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, JSONTranscoder, StoredEvent, Transcoding

from core.catalogue import Catalogue
from core.clock import Clock, utc_now
from core.dossier import CORRECTABLE_ENVELOPE, Dossier, dossier_id, record_args
from core.envelope import ENVELOPE_FIELDS, Draft, Event
from core.errors import (
    Forbidden,
    IdempotencyMismatch,
    InvalidEvent,
    LifecycleConflict,
    NotFound,
)
from core.eventtypes import Effect, EventType, Fact, LifecycleState
from core.fields import unregistered_codes
from core.parties import registered_subject
from core.ports import Head, IdempotencyKey, LogRecorder, LogScanner, StoredRecord
from core.verification import Published, Verification, verify_log

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


class FollowUp(Application[UUID]):
    """The focal point's record. Everything the system knows is in this one log."""

    name = "FollowUp"

    def __init__(
        self, env: Mapping[str, str], catalogue: Catalogue, clock: Clock = utc_now
    ) -> None:
        super().__init__(dict(env))
        self.catalogue = catalogue
        self.clock = clock

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
    ) -> list[Event]:
        """Record all the drafts in one transaction, in the order given, or none of them.
        Later drafts may build on earlier ones (sign, then enter into force). `role`
        None is the local operator, who may write every type. A dry run checks every
        rule and records nothing. With an idempotency key already used for the same
        request, the events it recorded are returned and nothing is appended."""
        if not drafts:
            return []
        if idempotency is not None and (replayed := self._replay(idempotency)) is not None:
            return replayed
        for attempt in range(CONCURRENT_RETRIES):
            batch = _Batch(self, recorded_by, role)
            for index, draft in enumerate(drafts):
                try:
                    batch.add(draft)
                except (InvalidEvent, LifecycleConflict) as error:
                    # The same request may have been recorded by another worker since
                    # the check above: its events now break the rules for ours.
                    if idempotency is not None and (replayed := self._replay(idempotency)):
                        return replayed
                    raise error.at(index) from None
            if dry_run:
                return []
            try:
                positions = batch.save(idempotency)
            except IntegrityError:
                if idempotency is not None and (replayed := self._replay(idempotency)):
                    return replayed  # the same request, sent twice at once
                # Another writer extended one of our dossiers first: check again.
                if attempt == CONCURRENT_RETRIES - 1:
                    raise LifecycleConflict(
                        "Another writer changed the same records at the same moment; "
                        "nothing was recorded, try again."
                    ) from None
                continue
            return self._read_range(positions[0], positions[-1])
        raise AssertionError("unreachable")

    def _replay(self, idempotency: IdempotencyKey) -> list[Event] | None:
        done = self.log.find_idempotent(idempotency.scope, idempotency.key)
        if done is None:
            return None
        if done.request_hash != idempotency.request_hash:
            raise IdempotencyMismatch(
                f"Idempotency key {idempotency.key!r} was already used for a different request."
            )
        return self._read_range(done.first_position, done.last_position)

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
        domain_event = self.mapper.to_domain_event(
            StoredEvent(
                originator_id=record.originator_id,
                originator_version=record.originator_version,
                topic=record.topic,
                state=record.state,
            )
        )
        fields = vars(domain_event)
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
            timestamp=fields["timestamp"].isoformat(),
            subject=fields.get("subject"),
        )

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
    """Dossiers changed by one batch, and its new events in the order given."""

    def __init__(self, app: FollowUp, recorded_by: str, role: str | None) -> None:
        self.app = app
        self.catalogue = app.catalogue
        self.recorded_by = recorded_by
        self.role = role
        self.dossiers: dict[UUID, Dossier] = {}
        self.events: list[Any] = []
        #: Which dossier holds each event recorded in this batch.
        self.homes: dict[UUID, UUID] = {}

    def add(self, draft: Draft) -> None:
        event_type = self.catalogue[draft.type]
        self._check_writer(event_type)
        if event_type.effect is Effect.RECORD:
            dossier = self._record(event_type, draft)
        else:
            dossier = self._amend(event_type, draft)
        self.dossiers[dossier.id] = dossier
        self.events.append(dossier.pending_events[-1])
        self.homes[dossier.last_event_id()] = dossier.id

    def _check_writer(self, event_type: EventType) -> None:
        if self.role is not None and self.role not in event_type.writers:
            raise Forbidden(f"The {self.role} role may not record {event_type.name} events.")

    def save(self, idempotency: IdempotencyKey | None = None) -> list[int]:
        processing = ProcessingEvent[UUID]()
        if idempotency is not None:
            processing.saved_kwargs["idempotency"] = idempotency
        processing.events.extend(self.events)
        recordings = self.app._record(processing)
        for dossier in self.dossiers.values():
            dossier.collect_events()
        return [recording.notification.id for recording in recordings]

    # -- the three effects -------------------------------------------------------

    def _record(self, event_type: EventType, draft: Draft) -> Dossier:
        self._check_references(event_type, draft.payload)
        self._check_registered(event_type, draft.payload)
        subject = event_type.subject_of(draft.payload)
        dossier = self._load(dossier_id(subject)) if subject is not None else None
        if dossier is None:
            dossier = Dossier(subject=subject, **record_args(draft, self.recorded_by))
        else:
            dossier.record(**record_args(draft, self.recorded_by))
        dossier.check_lifecycle(self.catalogue)
        self._check_context(event_type, dossier.members[-1].fact())
        return dossier

    def _amend(self, event_type: EventType, draft: Draft) -> Dossier:
        field = str(event_type.target)
        target_id = UUID(str(event_type.target_of(draft.payload)))
        dossier = self._home_of(target_id, field)
        target = dossier.member(target_id, self.catalogue)
        target_type = self.catalogue.types.get(target.type)
        if target_type is None or target_type.effect is not Effect.RECORD:
            raise LifecycleConflict(
                f"Event {target_id} is a {target.type}; correct or retract the original event."
            )
        if target.retracted:
            raise LifecycleConflict(f"Event {target_id} has been retracted.")
        self._check_writer(target_type)
        if event_type.effect is Effect.CORRECT:
            changes = str(event_type.changes)
            payload = dict(draft.payload)
            payload[changes] = self._checked_changes(
                target_type, target, draft.payload[changes], changes
            )
            draft = Draft(**{**vars(draft), "payload": dict(sorted(payload.items()))})
        dossier.record(**record_args(draft, self.recorded_by))
        dossier.check_lifecycle(self.catalogue)
        if event_type.effect is Effect.CORRECT:
            corrected = dossier.member(target_id, self.catalogue)
            self._check_references(target_type, corrected.payload)
            self._check_registered(target_type, corrected.payload)
            self._check_context(target_type, corrected.fact())
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

    def _check_references(self, event_type: EventType, payload: Mapping[str, Any]) -> None:
        for field, kind in event_type.references.items():
            value = payload.get(field)
            if value is None:
                continue
            dossier = self._load(dossier_id(f"{kind}:{value}"))
            if dossier is None or not dossier.exists(self.catalogue):
                raise LifecycleConflict(f"There is no {kind} {value} in the log.")

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
        """A lifecycle's state as this batch leaves it (None: not begun)."""
        dossier = self._load(dossier_id(subject))
        return dossier.lifecycle(self.catalogue) if dossier is not None else None

    # -- loading -----------------------------------------------------------------

    def _load(self, dossier: UUID) -> Dossier | None:
        if dossier in self.dossiers:
            return self.dossiers[dossier]
        return self.app.dossier(None, dossier)

    def _home_of(self, target_id: UUID, field: str) -> Dossier:
        home = self.homes.get(target_id)
        if home is None:
            record = self.app.log.find_record(target_id)
            if record is None:
                raise InvalidEvent({field: [f"No event {target_id} in the log."]})
            home = record.originator_id
        dossier = self._load(home)
        if dossier is None:  # pragma: no cover - the log and its index disagree
            raise InvalidEvent({field: [f"No event {target_id} in the log."]})
        return dossier
