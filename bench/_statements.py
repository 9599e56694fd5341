"""What a full replay writes: forget a store's views, fold its whole log again (as
`bench._replay` does) and count, per kind of statement, the rows each page hands to its
write-behind process and their size (text and bytes by length, numbers as 8 bytes);
checkpoints are counted apart (the writer makes them). Run by hand, on a copy:

    python -m bench._statements sqlite:///copy-of-a-store.sqlite

It rewrites the store's views (derived rows only; the log is read, never written).
Prints one line of JSON: {statement: {"rows": n, "mb": size}}, largest first.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from core.views import behind
from core.views.writing import Statements, Window
from followup.bootstrap import bootstrap


def statements(url: str) -> dict[str, dict[str, float]]:
    found: dict[str, list[float]] = {}
    submit = behind.WriteBehind.submit

    def counted(
        self: Any, start: int, digest: str, page: Statements, windows: list[Window]
    ) -> None:
        for sql, rows in page:
            kind = " ".join(sql.split()[:3])
            seen = found.setdefault(kind, [0, 0.0])
            seen[0] += len(rows)
            seen[1] += sum(_size(value) for row in rows for value in row) / 1e6
        submit(self, start, digest, page, windows)

    behind.WriteBehind.submit = counted  # type: ignore[method-assign]
    services = bootstrap(url, load_entry_points=False)
    try:
        services.views.projection.rebuild()
    finally:
        behind.WriteBehind.submit = submit  # type: ignore[method-assign]
        services.close()
    ordered = sorted(found.items(), key=lambda item: -item[1][1])
    return {kind: {"rows": int(rows), "mb": round(mb, 1)} for kind, (rows, mb) in ordered}


def _size(value: object) -> int:
    return len(value) if isinstance(value, str | bytes) else 8


if __name__ == "__main__":
    print(json.dumps(statements(sys.argv[1])))
