"""What every benchmark reports: figures measured against a baseline taken in the same
run (these machines are noisy, so only ratios travel), and a readable table."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    """One measured figure. `ratio` is value / baseline when there is a baseline.
    `target` says in words what the ratio (or value) should be, e.g. ">= 0.8x"."""

    name: str
    value: float
    unit: str
    baseline: float | None = None
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        assert self.baseline is not None
        return self.value / self.baseline


def table(figures: Sequence[Figure]) -> str:
    rows = [("figure", "value", "baseline", "ratio", "target", "met")]
    for f in figures:
        rows.append(
            (
                f.name,
                f"{f.value:,.2f} {f.unit}",
                "" if f.baseline is None else f"{f.baseline:,.2f} {f.unit}",
                "" if f.ratio is None else f"{f.ratio:.2f}x",
                f.target,
                "" if f.met is None else ("yes" if f.met else "NO"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows
    )


def publish(benchmark: str, figures: Sequence[Figure], results: Path | None = None) -> None:
    """Print the table; merge the figures into bench/results.json under `benchmark`."""
    print(table(figures))
    sys.stdout.flush()
    path = results or Path(__file__).with_name("results.json")
    data = json.loads(path.read_text()) if path.exists() else {}
    data[benchmark] = [{**asdict(f), "ratio": f.ratio} for f in figures]
    path.write_text(json.dumps(data, indent=2) + "\n")
