"""What every store and view table can hold, checked once for every event a client
sends, whatever its type's schema says (a plugin's too).

Found by the hostile-input tests: text with NUL (PostgreSQL text columns refuse it) or
an unpaired surrogate (not encodable as UTF-8), integers beyond what JSON carries
exactly (2^53 - 1; the views' JSON refuses those past 64 bits) and non-finite numbers
were accepted, and then broke every later read of the views. Refused here, they are a
422 like any invalid field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

#: The largest integer JSON carries exactly between systems (RFC 7493, I-JSON).
MAX_SAFE_INTEGER = 2**53 - 1

TEXT = "Text must not contain NUL characters or unpaired surrogates."
INTEGER = f"Integers must lie between -{MAX_SAFE_INTEGER} and {MAX_SAFE_INTEGER}."
NUMBER = "Numbers must be finite."


def _bad_text(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _problem(value: Any) -> str | None:
    if isinstance(value, str):
        return TEXT if _bad_text(value) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return INTEGER if abs(value) > MAX_SAFE_INTEGER else None
    if isinstance(value, float):
        return None if math.isfinite(value) else NUMBER
    return None


def _first_problem(value: Any) -> str | None:
    """The first problem found in a value and everything nested in it. Iterative, so
    a deeply nested value cannot exhaust the stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Mapping):
            for key, inner in item.items():
                if isinstance(key, str) and _bad_text(key):
                    return "A field name: " + TEXT
                pending.append(inner)
        elif isinstance(item, list | tuple):
            pending.extend(item)
        else:
            problem = _problem(item)
            if problem is not None:
                return problem
    return None


def unstorable(raw: Mapping[Any, Any]) -> dict[str, list[str]]:
    """Field-level messages for what no store could keep, by top-level field (or
    `_schema` for a field name that is not valid text); empty if all is well."""
    messages: dict[str, list[str]] = {}
    for key, value in raw.items():
        if isinstance(key, str) and _bad_text(key):
            messages.setdefault("_schema", []).append("A field name: " + TEXT)
            continue
        problem = _first_problem(value)
        if problem is not None:
            messages[str(key)] = [problem]
    return messages
