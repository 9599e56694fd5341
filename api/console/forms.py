"""Forms made from the catalogue: each event type's schema (envelope and payload, as the
API validates it) gives the fields of its form, so a type a plugin adds has a form at
once. What a person types is turned into the flat JSON object a client would send
(the API's body), validated by the same `FollowUp.validate`, and its messages are put
back beside the fields they are about, in the API's words."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, fields, validate

from core.catalogue import Catalogue
from core.fields import PartyCode

#: Envelope fields, shown after the type's own fields (type is the form's own).
ENVELOPE_ORDER = ("occurred_on", "summary", "recommendations", "sources", "classification")


@dataclass(frozen=True)
class FormField:
    """One field of a form: its name, how it is typed, whether it must be given, its
    choices (for a choice), and what the schema says about it."""

    name: str
    widget: str  # text, textarea, date, number, email, choice, yesno, party, list, json
    required: bool
    choices: tuple[str, ...] = ()
    description: str = ""
    item: str = "text"  # for lists: text, number, party
    envelope: bool = False


@dataclass
class Submission:
    """What was typed (as text, to show again), and the object it makes."""

    values: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


def choices(field_: fields.Field) -> tuple[str, ...]:
    """The values a field takes, when it names them (OneOf)."""
    validators = field_.validators if isinstance(field_.validators, list | tuple) else ()
    for validator in validators:
        if isinstance(validator, validate.OneOf):
            return tuple(str(c) for c in validator.choices)
    return ()


def _max_length(field_: fields.Field) -> int | None:
    validators = field_.validators if isinstance(field_.validators, list | tuple) else ()
    for validator in validators:
        if isinstance(validator, validate.Length) and validator.max is not None:
            return int(validator.max)
    return None


def describe(name: str, field_: fields.Field, envelope: bool = False) -> FormField:
    """How a schema field is typed in a form."""
    required = bool(field_.required)
    description = str((field_.metadata or {}).get("description", ""))
    listed = choices(field_)
    if isinstance(field_, fields.List):
        inner = field_.inner
        item = (
            "number"
            if isinstance(inner, fields.Integer)
            else "party"
            if isinstance(inner, PartyCode)
            else "text"
        )
        return FormField(name, "list", required, choices(inner), description, item, envelope)
    if isinstance(field_, fields.Boolean):
        return FormField(name, "yesno", required, ("true", "false"), description, envelope=envelope)
    if isinstance(field_, fields.Date):
        return FormField(name, "date", required, description=description, envelope=envelope)
    if isinstance(field_, fields.Integer):
        return FormField(name, "number", required, description=description, envelope=envelope)
    if isinstance(field_, fields.Dict | fields.Nested):
        return FormField(name, "json", required, description=description, envelope=envelope)
    if isinstance(field_, PartyCode):
        return FormField(name, "party", required, description=description, envelope=envelope)
    if listed:
        return FormField(name, "choice", required, listed, description, envelope=envelope)
    if isinstance(field_, fields.Email):
        return FormField(name, "email", required, description=description, envelope=envelope)
    long = (_max_length(field_) or 0) > 300
    return FormField(
        name, "textarea" if long else "text", required, (), description, envelope=envelope
    )


def form_fields(catalogue: Catalogue, type_name: str) -> list[FormField]:
    """The fields of a type's form: its payload's, then the envelope's."""
    schema: type[Schema] = catalogue.schema_class(type_name)
    declared = schema._declared_fields
    payload = [n for n in catalogue[type_name].schema._declared_fields if n in declared]
    listed = [describe(name, declared[name]) for name in payload]
    listed += [describe(name, declared[name], True) for name in ENVELOPE_ORDER if name in declared]
    return listed


def split_items(text: str) -> list[str]:
    """A list typed as lines or separated by semicolons (as a CSV cell holds it)."""
    return [item.strip() for line in text.splitlines() for item in line.split(";") if item.strip()]


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        return text  # the schema says "Not a valid integer." beside the field


def parse(type_name: str, described: Iterable[FormField], form: Mapping[str, str]) -> Submission:
    """The flat object a form makes. An empty field is a field not given (its default
    applies, or the schema says it is required), as an empty CSV cell is."""
    submission = Submission(body={"type": type_name})
    for each in described:
        raw = form.get(each.name, "")
        raw = raw if isinstance(raw, str) else ""
        submission.values[each.name] = raw
        text = raw.strip()
        if not text:
            continue
        value: Any
        if each.widget == "list":
            items = split_items(text)
            value = [_number(i) for i in items] if each.item == "number" else items
            if each.item == "party":
                value = [str(i).upper() for i in value]
        elif each.widget == "number":
            value = _number(text)
        elif each.widget == "yesno":
            value = {"true": True, "false": False}.get(text, text)
        elif each.widget == "json":
            try:
                value = json.loads(text)
            except ValueError:
                value = text
        elif each.widget == "party":
            value = text.upper()
        else:
            value = raw if each.widget == "textarea" else text
        submission.body[each.name] = value
    return submission


def shown(value: Any, widget: str) -> str:
    """A stored value as typed in a form (to correct an event)."""
    if value is None:
        return ""
    if widget == "list":
        return "; ".join(str(v) for v in value)
    if widget == "yesno":
        return "true" if value else "false"
    if widget == "json":
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def field_errors(messages: Mapping[str, Any]) -> dict[str, list[str]]:
    """The API's 422 messages as one list of sentences per field (a list's item errors
    say which item: "item 2: Not a valid integer.")."""
    found: dict[str, list[str]] = {}
    for name, problems in messages.items():
        found[str(name)] = list(_sentences(problems))
    return found


def _sentences(problems: Any) -> Iterable[str]:
    if isinstance(problems, str):
        yield problems
    elif isinstance(problems, Mapping):
        for key, inner in problems.items():
            where = f"item {int(key) + 1}" if str(key).isdigit() else str(key)
            for sentence in _sentences(inner):
                yield f"{where}: {sentence}"
    elif isinstance(problems, list | tuple):
        for problem in problems:
            yield from _sentences(problem)
    else:
        yield str(problems)
