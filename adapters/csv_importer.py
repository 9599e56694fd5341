"""CSV, as a spreadsheet saves it: a header row of field names, then one event per row.

The convention (README, "Importing events"):

- UTF-8 (a byte-order mark is allowed), comma-separated, fields quoted with ``"`` where
  they hold commas, quotes or line breaks (RFC 4180).
- The header names fields of the catalogue: ``type``, ``occurred_on``, the envelope's
  other fields and the payload fields of the types in the file. One file may mix
  types: a row leaves empty the columns its type does not have.
- An empty cell is a field not given (the field's default applies, or the type's
  schema says it is required).
- List fields (``parties``, ``recommendations``, ``sources``, ``topics``,
  ``participants``, ``assisted_by``, ``transit_states``...) hold their items separated
  by ``;`` (spaces around items are ignored, empty items dropped: a lone ``;`` is an
  empty list).
- Integer and boolean fields, as the row's type declares them, are converted from
  their text (``3``; ``true``/``false``, ``yes``/``no``, ``1``/``0``); text that is no
  number is left for the schema to reject, naming the field.
- Numbers that may have decimals (an indicator's ``baseline`` and ``target``) are
  converted too (``12``, ``0.5``).
- Object fields (the ``changes`` of ``EventCorrected``) hold a JSON object, lists of
  objects (the ``answers`` of ``QuestionnaireAnswered``) a JSON array.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson
from marshmallow import fields

from core.catalogue import Catalogue
from core.importing import Importer, ImportProblem, Numbered

SEPARATOR = ";"
TRUE = frozenset({"true", "yes", "1"})
FALSE = frozenset({"false", "no", "0"})


def convert(field: fields.Field | None, text: str) -> Any:
    """A cell's text as the value the field takes (the text itself when it does not
    convert: the schema then names the field and what is wrong)."""
    if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
        return _json(text)  # a list of objects: a JSON array
    if isinstance(field, fields.List):
        items = [item.strip() for item in text.split(SEPARATOR)]
        return [convert(field.inner, item) for item in items if item]
    if isinstance(field, fields.Boolean):
        lowered = text.strip().lower()
        return True if lowered in TRUE else False if lowered in FALSE else text
    if isinstance(field, fields.Integer):
        stripped = text.strip()
        try:
            return int(stripped) if stripped.lstrip("+-").isdigit() else text
        except ValueError:  # digits of other kinds (superscripts) are no numbers
            return text
    if isinstance(field, fields.Number):
        return _number(text)
    if isinstance(field, fields.Dict):
        return _json(text)
    return text


def _number(text: str) -> Any:
    """A number's text as an integer or a decimal number (else the text itself)."""
    stripped = text.strip()
    if stripped.lstrip("+-").isdigit():
        try:
            return int(stripped)
        except ValueError:
            return text
    try:
        value = float(stripped)
    except ValueError:
        return text
    return value if stripped.lower().lstrip("+-") not in ("nan", "inf", "infinity") else text


def _json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def _record(header: list[str], row: list[str], catalogue: Catalogue, number: int) -> dict[str, Any]:
    if len(row) > len(header):
        raise ImportProblem(number, f"{len(row)} cells but the header names {len(header)} fields")
    cells = {name: cell for name, cell in zip(header, row, strict=False) if cell != ""}
    name = cells.get("type", "").strip()
    declared: Mapping[str, fields.Field] = {}
    if name in catalogue:
        cells["type"] = name
        declared = catalogue.schema(name).fields
    return {field: convert(declared.get(field), text) for field, text in cells.items()}


def parse(lines: Iterable[str], catalogue: Catalogue) -> Iterator[Numbered]:
    reader = csv.reader(iter(lines), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ImportProblem(1, f"not valid CSV ({error})") from None
    if header is None:
        return
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    header = [name.strip() for name in header]
    if "type" not in header:
        raise ImportProblem(1, "the header row has no `type` column")
    repeated = sorted({name for name in header if header.count(name) > 1 and name})
    if repeated:
        raise ImportProblem(1, f"the header names {', '.join(repeated)} more than once")
    if "" in header:
        raise ImportProblem(1, f"column {header.index('') + 1} of the header has no name")
    ended = reader.line_num
    while True:
        start = ended + 1
        try:
            row = next(reader, None)
        except csv.Error as error:
            raise ImportProblem(start, f"not valid CSV ({error})") from None
        if row is None:
            return
        ended = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        yield start, _record(header, row, catalogue, start)


IMPORTER = Importer(
    "csv",
    (".csv",),
    "CSV with a header row of field names; lists separated by ';'.",
    parse,
)
