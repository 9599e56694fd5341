"""Marshmallow fields for the domain's values, shared by every event type's schema."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from core.parties import REGISTRABLE_KINDS, PartyKind, lookup, may_be_registered

#: Upper bounds that keep a hostile or mistaken request from bloating the log.
MAX_TEXT = 2000
MAX_LONG_TEXT = 100_000
MAX_ITEMS = 500
#: Counts of persons, attendees, experts, months: far above any real one, and low
#: enough that the views' sums over millions of events stay exact.
MAX_COUNT = 1_000_000


class PartyCode(fields.String):
    """A party code from the registries; optionally restricted to some kinds of party.

    Territories (ISO 3166-1 codes that are not States) are refused everywhere. With
    `registrable`, a code that is not built in but has the shape of a registered
    organisation's code passes here and is checked against the log's registry when the
    event is recorded (``unregistered_codes``)."""

    def __init__(
        self,
        *,
        kinds: Iterable[PartyKind] | None = None,
        registrable: bool = False,
        **kwargs: Any,
    ) -> None:
        self.kinds = frozenset(kinds) if kinds is not None else None
        allowed = REGISTRABLE_KINDS if self.kinds is None else self.kinds & REGISTRABLE_KINDS
        self.registrable = registrable and bool(allowed)
        metadata = kwargs.pop("metadata", {})
        described = " or ".join(sorted(self.kinds)) if self.kinds else "any party"
        registered = ", or an organisation registered in the log" if self.registrable else ""
        metadata.setdefault(
            "description",
            f"Party code ({described}): ISO 3166-1 alpha-3 for States the United Nations "
            f"lists, ICC, UN, UNSC, ASP, or an organisation acronym (AU, EU, OAS, ...)"
            f"{registered}.",
        )
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        code = super()._deserialize(value, attr, data, **kwargs)
        party = lookup(code)
        if party is None:
            if self.registrable and may_be_registered(code):
                return code  # checked against the registry in the log when recorded
            raise ValidationError(
                f"Unknown party code {code[:20]!r}: use ISO 3166-1 alpha-3 for States, "
                "ICC, UN, or an organisation acronym of Annex II"
                + (" or one registered in the log." if self.registrable else ".")
            )
        if party.kind is PartyKind.TERRITORY:
            raise ValidationError(
                f"{code} ({party.name}) is a territory, not a State the United Nations "
                "lists; name the State concerned."
            )
        if self.kinds is not None and party.kind not in self.kinds:
            wanted = " or ".join(sorted(self.kinds))
            raise ValidationError(f"{code} is not a {wanted}.")
        return code


def unregistered_codes(
    schema: type[Schema], payload: Mapping[str, Any]
) -> list[tuple[str, str, frozenset[PartyKind] | None]]:
    """(field, code, kinds wanted) of every code in a payload that is not built in: each
    must name an organisation registered in the log, of a kind the field takes."""
    found: list[tuple[str, str, frozenset[PartyKind] | None]] = []
    for name, field in schema._declared_fields.items():
        inner = field.inner if isinstance(field, fields.List) else field
        if not isinstance(inner, PartyCode) or not inner.registrable:
            continue
        value = payload.get(name)
        values = value if isinstance(value, list | tuple) else [value]
        for code in values:
            if isinstance(code, str) and lookup(code) is None:
                found.append((name, code, inner.kinds))
    return found


def state(**kwargs: Any) -> PartyCode:
    return PartyCode(kinds={PartyKind.STATE}, required=True, **kwargs)


def party(**kwargs: Any) -> PartyCode:
    """Any party, registered organisations included."""
    kwargs.setdefault("required", True)
    kwargs.setdefault("registrable", True)
    return PartyCode(**kwargs)


def parties(*, required: bool = True, min_items: int = 0) -> fields.List:
    extra: dict[str, Any] = {"required": True} if required else {"load_default": list}
    return fields.List(
        PartyCode(registrable=True),
        validate=validate.Length(min=min_items, max=MAX_ITEMS),
        **extra,
    )


def text(*, required: bool = True, max_length: int = MAX_TEXT) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.Length(min=1, max=max_length),
    )


def reference(what: str, *, required: bool = True, omitted: bool = False) -> fields.String:
    """An identifier chosen by the client for a thing with a lifecycle. Not `required`,
    it is None when not given; `omitted`, it is then left out of the payload (for
    fields added to a type that events were recorded without)."""
    extra: dict[str, Any] = {"required": True} if required else {"load_default": None}
    if omitted:
        extra = {}
    return fields.String(
        **extra,
        validate=[
            validate.Length(min=1, max=100),
            validate.Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9._/:-]*$",
                error="Use letters, digits and . _ / : - (for example ESA-AUT-2005).",
            ),
        ],
        metadata={"description": f"Identifier of the {what}, chosen by the client."},
    )


def choice(options: Iterable[str], *, required: bool = True) -> fields.String:
    values = list(options)
    return fields.String(required=required, validate=validate.OneOf(values))


def count(*, minimum: int = 1, maximum: int = MAX_COUNT) -> fields.Integer:
    return fields.Integer(
        required=True, strict=True, validate=validate.Range(min=minimum, max=maximum)
    )


def day(*, required: bool = True) -> fields.Date:
    return fields.Date(required=required)
