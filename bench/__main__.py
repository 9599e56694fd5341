"""Every benchmark under bench/, one after the other, and one table of what they found.

    python -m bench            # the full run (`make bench`)
    python -m bench --quick    # every benchmark at a small size, each under a minute
    python -m bench --only store,api

A benchmark is a module of this package with `main(argv) -> list[Figure]`. It may say
how the full and the quick run drive it (`FULL_ARGS`, `QUICK_ARGS`: its command-line
arguments); without them it runs with its own defaults, which are quick. Each runs in
a fresh process of its own, in turn: one never competes with another for the CPUs, and
none inherits another's memory (a child's peak RSS counts its parent's size when it was
forked, so a benchmark measuring one must start as it does alone). Its table is printed
as it finishes; a benchmark that fails is reported and the others still run.
The figures go to bench/results.json (under each benchmark's name, with `_run`: when,
how, and how long each took).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import bench
from bench.common import Figure, publish, table

RESULTS = Path(__file__).with_name("results.json")


@dataclass
class Outcome:
    """What one benchmark gave: its figures, or the error that stopped it."""

    name: str
    arguments: list[str]
    seconds: float = 0.0
    figures: list[Figure] = field(default_factory=list)
    error: str | None = None


def benchmarks() -> dict[str, ModuleType]:
    """The modules of this package that have a `main`, by name, in name order."""
    found = {}
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if callable(getattr(module, "main", None)):
            found[info.name] = module
    return found


def arguments(module: ModuleType, quick: bool) -> list[str]:
    return list(getattr(module, "QUICK_ARGS" if quick else "FULL_ARGS", ()))


#: Run in a fresh interpreter: bench.<name>.main(argv), its figures written as JSON.
CHILD = """
import json, sys
from dataclasses import asdict
from importlib import import_module
from bench.common import Figure
name, out, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
figures = import_module("bench." + name).main(argv)
if not isinstance(figures, list) or not all(isinstance(f, Figure) for f in figures):
    raise TypeError("bench." + name + ".main must return a list of Figure")
with open(out, "w") as file:
    json.dump([asdict(f) for f in figures], file)
"""


def run_one(name: str, argv: list[str]) -> Outcome:
    """Run one benchmark in a process of its own; its output goes to ours as it comes."""
    outcome = Outcome(name, argv)
    print(f"\n== {name} {' '.join(argv)}".rstrip(), flush=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-run-") as folder:
        out = Path(folder) / "figures.json"
        finished = subprocess.run(
            [sys.executable, "-c", CHILD, name, str(out), *argv],
            cwd=Path(__file__).resolve().parent.parent,
            check=False,
        )
        if finished.returncode == 0 and out.exists():
            outcome.figures = [Figure(**f) for f in json.loads(out.read_text())]
        else:
            outcome.error = f"exit status {finished.returncode} (its error is above)"
    outcome.seconds = time.perf_counter() - start
    return outcome


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def summary(outcomes: Sequence[Outcome], seconds: float, quick: bool) -> str:
    """The closing table: every figure, grouped by benchmark, with how long each took."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "",
        f"== make bench{' (quick)' if quick else ''}: {duration(seconds)} on "
        f"{os.cpu_count()} CPUs (load average now {load}), Python {platform.python_version()}",
    ]
    for outcome in outcomes:
        lines.append("")
        lines.append(f"{outcome.name} ({duration(outcome.seconds)}): {' '.join(outcome.arguments)}")
        if outcome.error is not None:
            lines.append("  FAILED: " + outcome.error)
        else:
            lines.append(table(outcome.figures))
    judged = [f.met for o in outcomes for f in o.figures if f.met is not None]
    failed = [o.name for o in outcomes if o.error is not None]
    lines.append("")
    lines.append(
        f"targets met: {sum(judged)} of {len(judged)}"
        + (f"; benchmarks that failed: {', '.join(failed)}" if failed else "")
    )
    return "\n".join(lines)


def record_run(path: Path, outcomes: Sequence[Outcome], seconds: float, quick: bool) -> None:
    data = json.loads(path.read_text()) if path.exists() else {}
    data["_run"] = {
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if quick else "full",
        "seconds": round(seconds, 1),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "benchmarks": {
            o.name: {
                "arguments": o.arguments,
                "seconds": round(o.seconds, 1),
                **({"error": o.error} if o.error else {}),
            }
            for o in outcomes
        },
    }
    path.write_text(json.dumps(data, indent=2) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: each under a minute")
    parser.add_argument("--only", help="comma-separated benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where figures go")
    args = parser.parse_args(argv)

    found = benchmarks()
    if args.list:
        for name, module in found.items():
            print(
                f"{name}: full {' '.join(arguments(module, False)) or '(defaults)'}; "
                f"quick {' '.join(arguments(module, True)) or '(defaults)'}"
            )
        return 0
    chosen = list(found)
    if args.only:
        chosen = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = sorted(set(chosen) - set(found))
        if unknown:
            parser.error(f"no benchmark {', '.join(unknown)} (there are: {', '.join(found)})")
    elif args.results.exists():
        args.results.unlink()  # a whole run writes a whole new file

    start = time.perf_counter()
    outcomes = []
    for name in chosen:
        outcome = run_one(name, arguments(found[name], args.quick))
        if outcome.error is None:
            publish(name, outcome.figures, args.results)
        outcomes.append(outcome)
        print(f"({name}: {duration(outcome.seconds)})", flush=True)
    seconds = time.perf_counter() - start
    record_run(args.results, outcomes, seconds, args.quick)
    print(summary(outcomes, seconds, args.quick))
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
