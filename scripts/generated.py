"""What the scripts that generate committed files share: write the fresh text, or with
--check say whether the committed file is still exactly what the sources give."""

from __future__ import annotations

import sys
from pathlib import Path


def write_or_check(output: Path, fresh: str, *, check: bool) -> int:
    """Write `fresh` to `output` (0), or with `check` compare them: 0 if equal, else 1
    with a line on stderr saying how to regenerate."""
    if check:
        try:
            committed = output.read_text(encoding="utf-8")
        except FileNotFoundError:
            committed = None
        if committed != fresh:
            print(f"{output} is stale: regenerate it with {sys.argv[0]}", file=sys.stderr)
            return 1
        return 0
    output.write_text(fresh, encoding="utf-8", newline="\n")
    return 0
