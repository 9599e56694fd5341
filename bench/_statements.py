"""What a full replay writes: the replay of `bench._replay` (a store's views forgotten
and its whole log folded again), counting, per kind of statement, the rows each page
hands to its write-behind process and their size (text and bytes by length, numbers as
8 bytes; checkpoints are counted apart: the writer makes them), and the item versions
of each view by the levels that wrote them (1 RESTRICTED, 2 ALL, 3 both: where the
levels' items differ, each event makes a version of each). Run by hand, on a copy:

    python -m bench._statements sqlite:///copy-of-a-store.sqlite

It rewrites the store's views (derived rows only; the log is read, never written).
Prints one line of JSON: {"statements": {statement: {"rows": n, "mb": size}}, largest
first, "item_versions": {view: {levels: n}}, "replay": what bench._replay prints}.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from bench._replay import replay
from core.views import behind
from core.views.writing import Statements, Window

ITEMS = "INSERT INTO view_items"


def statements(url: str) -> dict[str, Any]:
    found: dict[str, list[float]] = {}
    versions: dict[str, dict[int, int]] = {}
    submit = behind.WriteBehind.submit

    def counted(
        self: Any, start: int, digest: str, page: Statements, windows: list[Window]
    ) -> None:
        for sql, rows in page:
            kind = " ".join(sql.split()[:3])
            seen = found.setdefault(kind, [0, 0.0])
            seen[0] += len(rows)
            seen[1] += sum(_size(value) for row in rows for value in row) / 1e6
            if kind == ITEMS:  # (view, key, from_pos, levels, ...)
                for row in rows:
                    by_levels = versions.setdefault(row[0], {})
                    by_levels[row[3]] = by_levels.get(row[3], 0) + 1
        submit(self, start, digest, page, windows)

    behind.WriteBehind.submit = counted  # type: ignore[method-assign]
    try:
        replayed = replay(url)
    finally:
        behind.WriteBehind.submit = submit  # type: ignore[method-assign]
    ordered = sorted(found.items(), key=lambda item: -item[1][1])
    return {
        "statements": {k: {"rows": int(rows), "mb": round(mb, 1)} for k, (rows, mb) in ordered},
        "item_versions": {view: dict(sorted(n.items())) for view, n in sorted(versions.items())},
        "replay": {k: v for k, v in replayed.items() if k != "progress"},
    }


def _size(value: object) -> int:
    return len(value) if isinstance(value, str | bytes) else 8


if __name__ == "__main__":
    print(json.dumps(statements(sys.argv[1])))
