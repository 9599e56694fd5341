"""Views at scale: a synthetic log of N events (default 1,000,000 for `make bench`,
`--events` for a quick run), then, in one run:

- full replay (the projection rebuilt from zero) throughput, and its peak RSS, measured
  in a child process that does only that;
- as-of queries (the headline summary as the system knew it at random times): p50/p99,
  and how much faster they are than replaying the log to the same point;
- current-state reads (summary, agreements) at a tenth of the log and at all of it:
  they should not grow with the log.

    python -m bench.views --events 100000
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import Figure, publish
from bench.history import build
from core.bootstrap import Services, bootstrap
from core.clock import parse_timestamp
from core.views import queries
from core.views.model import Level

#: How `make bench` drives it (bench/__main__.py): the million events issue 5 asks for,
#: and a quick run (under a minute).
FULL_ARGS = ("--events", "1000000")
QUICK_ARGS = ("--events", "20000", "--queries", "30")


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call, `repeat` times."""
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        durations.append(time.perf_counter() - start)
    return durations


def current_state(services: Services) -> tuple[float, float]:
    """Median seconds of current-state reads: the summary (headline figures), and the
    agreements list (which, being a list of every agreement, grows with them)."""
    views = services.views

    def summary() -> None:
        views.summary(views.reading(Level.RESTRICTED))

    def agreements() -> None:
        queries.agreements(views.reading(Level.RESTRICTED))

    summary()  # warm up caches and the projection
    return statistics.median(timed(summary, 9)), statistics.median(timed(agreements, 5))


def replay_in_child(url: str) -> tuple[float, float]:
    """Rebuild the views from zero in a fresh process: (seconds, peak RSS in MB)."""
    code = (
        "import time,sys,resource\n"
        "from core.bootstrap import bootstrap\n"
        f"s = bootstrap({url!r}, load_entry_points=False)\n"
        "t = time.perf_counter(); s.views.projection.rebuild()\n"
        "print(time.perf_counter() - t)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    seconds, peak_kb = result.stdout.split()
    return float(seconds), float(peak_kb) / 1024


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="log size (default 100,000)")
    parser.add_argument("--queries", type=int, default=50, help="as-of queries timed")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-views-") as folder:
        # The same years of history, a tenth as dense: current-state reads should cost
        # the same on both (they depend on what the views hold, not on the log's length).
        small_url = f"sqlite:///{Path(folder)}/small.sqlite"
        services = bootstrap(small_url, load_entry_points=False)
        print(f"building {args.events // 10:,} events ...", file=sys.stderr, flush=True)
        build(services.app, args.events // 10, seed=args.seed)
        services.views.projection.catch_up()
        small = services.app.head().position
        small_read, _ = current_state(services)
        services.close()

        url = f"sqlite:///{Path(folder)}/views.sqlite"
        services = bootstrap(url, load_entry_points=False)
        print(f"building {args.events:,} events ...", file=sys.stderr, flush=True)
        build(services.app, args.events, seed=args.seed)
        size = services.app.head().position
        services.close()

        # The views of the big log are made by the replay itself, from zero.
        print("replaying ...", file=sys.stderr, flush=True)
        replay_seconds, replay_rss = replay_in_child(url)
        throughput = size / replay_seconds

        services = bootstrap(url, load_entry_points=False)
        app = services.app
        large_read, agreements_read = current_state(services)
        rng = random.Random(args.seed)
        records = [
            app.log.select_records(after=p - 1, upto=p, limit=1)[0]
            for p in sorted(rng.randint(1, size) for _ in range(args.queries))
        ]
        durations, speedups = [], []
        for sample in records:
            at = parse_timestamp(sample.recorded_at)
            start = time.perf_counter()
            reading = services.views.reading(Level.RESTRICTED, as_of=at)
            services.views.summary(reading)
            took = time.perf_counter() - start
            durations.append(took)
            speedups.append((reading.position / throughput) / took)
        services.close()

    p50 = statistics.median(durations) * 1000
    p99 = sorted(durations)[max(0, int(len(durations) * 0.99) - 1)] * 1000
    speedup = statistics.median(speedups)
    figures = [
        Figure("log size", size, "events"),
        Figure("full replay throughput", throughput, "events/s"),
        Figure("full replay peak RSS", replay_rss, "MB", target="<= 300 MB", met=replay_rss <= 300),
        Figure("as-of summary p50", p50, "ms", target="<= 50 ms", met=p50 <= 50),
        Figure("as-of summary p99", p99, "ms"),
        Figure(
            "as-of vs replay to the same point", speedup, "x", target=">= 100x", met=speedup >= 100
        ),
        Figure(
            f"current summary at {size:,} vs at {small:,}",
            large_read * 1000,
            "ms",
            baseline=small_read * 1000,
            target="<= 1.5x (independent of length)",
            met=large_read <= 1.5 * small_read,
        ),
        Figure("current agreements list (every agreement)", agreements_read * 1000, "ms"),
    ]
    return figures


if __name__ == "__main__":
    publish("views", main())
