"""JSON Lines: one flat JSON object per line (an event as a client sends it to the
API). Blank lines are skipped."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import orjson

from core.catalogue import Catalogue
from core.importing import Importer, ImportProblem, Numbered


def parse(lines: Iterable[str], catalogue: Catalogue) -> Iterator[Numbered]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as error:
            raise ImportProblem(number, f"not valid JSON ({error.msg})") from None


IMPORTER = Importer(
    "jsonl",
    (".jsonl", ".ndjson"),
    "JSON Lines: one flat JSON object per line, as the API takes it.",
    parse,
)
