"""Marshmallow fields for the domain's values, shared by every event type's schema."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError, fields, validate

from core.parties import PartyKind, lookup

#: Upper bounds that keep a hostile or mistaken request from bloating the log.
MAX_TEXT = 2000
MAX_LONG_TEXT = 100_000
MAX_ITEMS = 500
#: Counts of persons, attendees, experts, months: far above any real one, and low
#: enough that the views' sums over millions of events stay exact.
MAX_COUNT = 1_000_000


class PartyCode(fields.String):
    """A party code from the registries; optionally restricted to some kinds of party."""

    def __init__(self, *, kinds: Iterable[PartyKind] | None = None, **kwargs: Any) -> None:
        self.kinds = frozenset(kinds) if kinds is not None else None
        metadata = kwargs.pop("metadata", {})
        described = " or ".join(sorted(self.kinds)) if self.kinds else "any party"
        metadata.setdefault(
            "description",
            f"Party code ({described}): ISO 3166-1 alpha-3 for States, ICC, UN, "
            "or an organisation acronym of Annex II (AU, EU, OAS, ...).",
        )
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        code = super()._deserialize(value, attr, data, **kwargs)
        party = lookup(code)
        if party is None:
            raise ValidationError(
                f"Unknown party code {code[:20]!r}: use ISO 3166-1 alpha-3 for States, "
                "ICC, UN, or an organisation acronym of Annex II."
            )
        if self.kinds is not None and party.kind not in self.kinds:
            wanted = " or ".join(sorted(self.kinds))
            raise ValidationError(f"{code} is not a {wanted}.")
        return code


def state(**kwargs: Any) -> PartyCode:
    return PartyCode(kinds={PartyKind.STATE}, required=True, **kwargs)


def party(**kwargs: Any) -> PartyCode:
    kwargs.setdefault("required", True)
    return PartyCode(**kwargs)


def parties(*, required: bool = True, min_items: int = 0) -> fields.List:
    extra: dict[str, Any] = {"required": True} if required else {"load_default": list}
    return fields.List(PartyCode(), validate=validate.Length(min=min_items, max=MAX_ITEMS), **extra)


def text(*, required: bool = True, max_length: int = MAX_TEXT) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.Length(min=1, max=max_length),
    )


def reference(what: str, *, required: bool = True) -> fields.String:
    """An identifier chosen by the client for a thing with a lifecycle."""
    extra: dict[str, Any] = {"required": True} if required else {"load_default": None}
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
