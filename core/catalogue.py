"""The event catalogue as the running system knows it: every type the loaded plugins
contribute, and validation of a client's flat JSON object against it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import cached_property
from typing import Any

from marshmallow import RAISE, Schema, ValidationError

from core.clock import EARLIEST
from core.envelope import ENVELOPE_FIELDS, STORAGE_FIELDS, SYSTEM_FIELDS, Draft, EnvelopeSchema
from core.errors import InvalidEvent
from core.eventtypes import EventType
from core.recommendations import ADOPTED, ADOPTED_BY
from core.storable import unstorable

BEFORE_ADOPTION = (
    f"The 66 recommendations were adopted on {ADOPTED.isoformat()} ({ADOPTED_BY}); "
    "an action that occurred before cannot advance them. Leave them out."
)


class Catalogue:
    """Registered event types by name, with one combined (envelope + payload) schema each."""

    def __init__(self, event_types: Iterable[EventType]) -> None:
        self.types: dict[str, EventType] = {}
        for event_type in event_types:
            if event_type.name in self.types:
                raise ValueError(f"event type {event_type.name} is contributed twice")
            record = event_type.system_record
            if record is not None and any(t.system_record == record for t in self.types.values()):
                raise ValueError(f"two event types record {record!r}")
            reserved = set(ENVELOPE_FIELDS + SYSTEM_FIELDS + STORAGE_FIELDS)
            clash = set(event_type.schema._declared_fields) & reserved
            if clash:
                raise ValueError(f"{event_type.name} redefines envelope fields {sorted(clash)}")
            self.types[event_type.name] = event_type
        self._schemas: dict[str, Schema] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.types

    def __getitem__(self, name: str) -> EventType:
        return self.types[name]

    def names(self) -> list[str]:
        return sorted(self.types)

    def system_type(self, record: str) -> str:
        """The type that records one of the system's own records (`EventType.system_record`:
        a token issued, a log key activated...)."""
        for name, event_type in self.types.items():
            if event_type.system_record == record:
                return name
        raise KeyError(f"no event type records {record!r}: is its plugin loaded?")

    def schema_class(self, name: str) -> type[Schema]:
        """Envelope and payload fields of one type as one schema (for validation and
        for the OpenAPI document)."""
        event_type = self.types[name]
        return type(
            f"{name}Schema",
            (event_type.schema, EnvelopeSchema),
            {"Meta": type("Meta", (), {"unknown": RAISE})},
        )

    def schema(self, name: str) -> Schema:
        if name not in self._schemas:
            self._schemas[name] = self.schema_class(name)()
        return self._schemas[name]

    @cached_property
    def _payload_schemas(self) -> dict[str, Schema]:
        return {name: t.schema() for name, t in self.types.items()}

    def validate(self, raw: Any, *, today: date) -> Draft:
        """Turn a client's flat JSON object into a Draft, or raise InvalidEvent with
        field-level messages. Nothing else is looked at: lifecycle rules come later."""
        if not isinstance(raw, Mapping):
            raise InvalidEvent({"_schema": ["An event is a JSON object."]})
        name = raw.get("type")
        if not isinstance(name, str) or name not in self.types:
            known = ", ".join(self.names())
            shown = repr(name)[:60]
            raise InvalidEvent({"type": [f"Unknown event type {shown}; known types: {known}."]})
        problems = unstorable(raw)
        if problems:
            raise InvalidEvent(problems)
        try:
            loaded = self.schema(name).load(raw)
        except ValidationError as error:
            raise InvalidEvent(_as_mapping(error.messages)) from None
        occurred_on: date = loaded["occurred_on"]
        if occurred_on < EARLIEST:
            raise InvalidEvent({"occurred_on": [f"Must not be before {EARLIEST.isoformat()}."]})
        if occurred_on > today:
            raise InvalidEvent(
                {"occurred_on": [f"Must not be after today ({today.isoformat()}, UTC)."]}
            )
        if loaded["recommendations"] and occurred_on < ADOPTED:
            raise InvalidEvent({"recommendations": [BEFORE_ADOPTION]})
        payload_fields = self.types[name].schema._declared_fields
        payload = {k: v for k, v in loaded.items() if k in payload_fields}
        dumped = self._payload_schemas[name].dump(payload)
        return Draft(
            type=name,
            occurred_on=occurred_on,
            payload=dict(sorted(dumped.items())),
            summary=loaded["summary"],
            recommendations=tuple(loaded["recommendations"]),
            sources=tuple(loaded["sources"]),
            classification=loaded["classification"],
            classification_given=raw.get("classification") is not None,
        )

    def check_payload(self, name: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Validate a payload alone (a corrected event's new payload); returns its JSON form."""
        schema = self._payload_schemas[name]
        try:
            loaded = schema.load(dict(payload))
        except ValidationError as error:
            raise InvalidEvent(_as_mapping(error.messages)) from None
        return dict(sorted(schema.dump(loaded).items()))


def _as_mapping(messages: Any) -> Mapping[str, Any]:
    return messages if isinstance(messages, Mapping) else {"_schema": messages}
