"""Views at scale: a synthetic log of N events (default 100,000; 1,000,000 for `make
bench`, `--events` for any size), then, in one run:

- full replay (the projection rebuilt from zero) throughput, and its peak RSS, measured
  in a child process that does only that, noting the time at which each page of the
  log was folded; against eventsourcing's decoding of the same events (its mapper
  alone, the rows read untimed: the target's baseline), and, for reference, against
  eventsourcing reading and decoding them (its recorder and its mapper);
- as-of queries (the headline summary as the system knew it at random times): p50/p99,
  and how much faster they are than replaying the log to the same point — the time the
  full replay above took to reach that point, read from its own progress (measured,
  not extrapolated);
- current-state reads (summary, agreements) on the log and on one a tenth as dense
  over the same years, whose views are caught up page by page after it is recorded
  (as the running system does before it reads): they should not grow with the log;
- the first page of each list endpoint, through the API.

The small log is built in another process while this one builds the big one (they
are independent; nothing is timed then but the build itself). Everything timed
afterwards runs alone, one thing at a time.

    python -m bench.views --events 200000

With `--stores SMALL LARGE` (two stores whose views are folded, e.g. by an earlier
run: the same years of history, the small one a tenth as dense), only the
current-state reads are timed, on copies of them (opening a store writes to it), in
seconds instead of the minutes of building a million events:

    python -m bench.views --stores sqlite:///v100k.db sqlite:///v1m.db

The first pages alone, on a store already built (a copy: a token is issued and revoked
in it), without the build and the replay:

    python -m bench.views --pages-of sqlite:///COPY
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from adapters.sqlite_store import copy_read_only
from api import create_app
from bench.common import Figure, publish
from bench.history import Drafting, History, record
from core.application import FollowUp
from core.clock import parse_timestamp
from core.ports import LogScanner
from core.views.model import Level
from followup.bootstrap import Services, bootstrap
from plugins.builtin import follow_up, queries

#: How `make bench` drives it (bench/__main__.py): the million events issue 5 asks for,
#: and a quick run (under a minute).
FULL_ARGS = ("--events", "1000000", "--import", "100000", "--postgres", "100000")
QUICK_ARGS = ("--events", "20000", "--queries", "30", "--import", "5000", "--postgres", "5000")


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call, `repeat` times."""
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        durations.append(time.perf_counter() - start)
    return durations


def summary_read(services: Services) -> Callable[[], object]:
    """A current-state read of the headline figures."""
    views = services.views
    return lambda: views.summary(views.reading(Level.RESTRICTED))


def current_summaries(small: Services, large: Services, rounds: int = 15) -> tuple[float, float]:
    """Median seconds of the current summary on each log, read in turns (one after the
    other, `rounds` times) so that a change in the machine's load weighs on both alike."""
    reads = summary_read(small), summary_read(large)
    for read in reads:
        read()  # warm up caches and the projection
    durations: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for read, found in zip(reads, durations, strict=True):
            found.extend(timed(read, 1))
    return statistics.median(durations[0]), statistics.median(durations[1])


def agreements_list(services: Services, on: date | None = None) -> Callable[[], object]:
    """A read of the agreements list (every agreement: it grows with them)."""
    views = services.views
    return lambda: queries.agreements(views.reading(Level.RESTRICTED, on=on))


def agreements_read(services: Services) -> float:
    """Median seconds of the agreements list, read again and again."""
    return statistics.median(timed(agreements_list(services), 5))


#: Events recorded per transaction while building the logs.
BATCH = 5_000

#: Build a log and catch its views up (as the running system does), in a child.
BUILD_KEPT_CURRENT = f"""
import sys
from followup.bootstrap import bootstrap
from bench.history import build
url, events, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
services = bootstrap(url, load_entry_points=False)
build(services.app, events, seed=seed, batch={BATCH})
services.views.projection.catch_up()
services.close()
"""


class Replay:
    """What the full replay measured, and the time it took to reach any position."""

    def __init__(self, seconds: float, peak_mb: float, progress: list[tuple[int, float]]):
        self.seconds = seconds
        self.peak_mb = peak_mb
        self.positions = [p for p, _ in progress]
        self.times = [t for _, t in progress]

    def time_to(self, position: int) -> float:
        """Seconds the replay took to fold the log up to `position` (linear between the
        pages it reported)."""
        i = bisect.bisect_left(self.positions, position)
        if i >= len(self.positions):
            return self.times[-1]
        if self.positions[i] == position or i == 0:
            return self.times[i]
        p0, p1 = self.positions[i - 1], self.positions[i]
        t0, t1 = self.times[i - 1], self.times[i]
        return t0 + (t1 - t0) * (position - p0) / (p1 - p0)


def replay_in_child(url: str) -> Replay:
    """The full replay alone, in a fresh process (bench/_replay.py)."""
    result = subprocess.run(
        [sys.executable, "-m", "bench._replay", url], capture_output=True, text=True, check=True
    )
    data = json.loads(result.stdout)
    return Replay(data["seconds"], data["peak_kb"] / 1024, [tuple(p) for p in data["progress"]])


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def decode_rate(app: FollowUp, upto: int) -> float:
    """eventsourcing's own decoding of the stored events (its mapper, from the stored
    rows to domain events), events per second: the baseline of the full replay. The
    rows are read a page at a time; only the decoding is timed."""
    scanner = cast(LogScanner, app.recorder)
    mapper = app.mapper
    seconds, after = 0.0, 0
    while after < upto:
        rows = scanner.scan_log(after=after, limit=10_000)
        if not rows:
            break
        stored = [
            StoredEvent(UUID(bytes=r.originator_id), r.originator_version, r.topic, r.state)
            for r in rows
            if r.originator_id is not None
        ]
        start = time.perf_counter()
        for event in stored:
            mapper.to_domain_event(event)
        seconds += time.perf_counter() - start
        after = rows[-1].position
    return after / seconds


def read_and_decode_rate(app: FollowUp, upto: int) -> float:
    """eventsourcing reading and decoding the stored events, as an application of its
    own reads its log (its recorder's `select_notifications`, a page at a time, then
    its mapper), events per second: the replay, which reads too, against the same
    work done by eventsourcing (printed beside the baseline, which times its mapper
    alone; the issue's "about 150,000 events/s" may have been either)."""
    recorder = app.recorder
    mapper = app.mapper
    start, read = time.perf_counter(), 0
    after = 0
    while read < upto:
        found = recorder.select_notifications(start=after + 1, limit=min(10_000, upto - read))
        if not found:
            break
        for notification in found:
            mapper.to_domain_event(notification)
        read += len(found)
        after = found[-1].id
    return read / (time.perf_counter() - start)


#: List endpoints whose first page is timed (their whole view, no filter).
LISTS = (
    "/agreements",
    "/warrants",
    "/requests",
    "/witness-protection",
    "/activities",
    "/parties",
    "/recommendations",
    "/views/assessments",
    "/views/narratives",
)


def first_pages(url: str, rounds: int) -> dict[str, tuple[float, float]]:
    """Each list endpoint's first page (100 items), through the API (Flask's test
    client: routing, token, reading, JSON), as the Bureau: the median milliseconds of
    reading it again and again, and of its first read in the process (nothing kept
    from an earlier one). The token is revoked after (a store may be measured again)."""
    app = create_app({"FOLLOWUP_DATABASE_URL": url, "LOAD_ENTRY_POINTS": False})
    services = app.extensions["followup"]
    label = f"bench-pages-{secrets.token_hex(4)}"
    token = services.tokens.create(label, "bureau", "bench")
    services.views.projection.catch_up()  # the token's event
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/health").status_code == 200  # Flask's own first request
    found = {}
    try:
        for path in LISTS:

            def get(path: str = path) -> None:
                reply = client.get(f"/api/v1{path}?limit=100", headers=headers)
                assert reply.status_code == 200, reply.get_data(as_text=True)

            first = timed(get, 1)[0]
            found[path] = statistics.median(timed(get, rounds)) * 1000, first * 1000
    finally:
        services.tokens.revoke(label, "bench")
        services.close()
    return found


def page_figures(pages: dict[str, tuple[float, float]]) -> list[Figure]:
    figures = []
    for path, (again, first) in pages.items():
        figures += [
            Figure(
                f"GET {path} first page (100) p50", again, "ms", target="<= 20 ms", met=again <= 20
            ),
            Figure("  its first read in the process", first, "ms"),
        ]
    return figures


#: Follow the log (`followup views follow`) until stopped, in a child process.
FOLLOW = [sys.executable, "-m", "cli", "views", "follow", "--database-url"]


def follower_lag(url: str, app: FollowUp, record_import: Callable[[], int]) -> tuple[float, int]:
    """Seconds from an import's commit until a follower (another process, woken by
    the store) has the views at the log's head, with no request doing it; and how far
    behind the views were when a request read them just after the commit. Says, too,
    what the lag is made of: when the follower wrote its first page after the commit,
    how long each page took, and how long the import took to return after its commit
    (making its events for the caller, on the same cores)."""
    follower = subprocess.Popen(
        [*FOLLOW, url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    pages = written_pages(follower)
    try:
        services = bootstrap(url, load_entry_points=False)
        projection = services.views.projection
        head = app.head().position
        while projection.position() < head:  # the follower is caught up first
            time.sleep(0.05)
        say(f"follower at {head:,}; importing ...")
        # The import's transaction commits as the store's insert returns; the recording
        # then makes its events for the caller: the lag counts from the commit.
        commits: list[float] = []
        insert = app.recorder.insert_events

        def stamped(*args: Any, **kwargs: Any) -> Any:
            try:
                return insert(*args, **kwargs)
            finally:
                commits.append(time.perf_counter())

        app.recorder.insert_events = stamped  # type: ignore[method-assign]
        try:
            record_import()
            returned = time.perf_counter()
        finally:
            del app.recorder.insert_events
        committed = commits[-1]
        head = app.head().position
        reading = services.views.reading(Level.RESTRICTED, caller="bench-reader")
        behind = reading.behind
        while projection.position() < head:
            time.sleep(0.01)
        lag = time.perf_counter() - committed
        services.close()
    finally:
        follower.terminate()
        follower.wait(30)
    after = [stamp - committed for stamp in pages if stamp > committed]
    if after:
        steps = [b - a for a, b in pairwise(after)] or [after[0]]
        say(
            f"follower: first page written {after[0]:.2f} s after the commit, then a page "
            f"every {statistics.median(steps):.2f} s (longest {max(steps):.2f} s); the "
            f"import returned {returned - committed:.2f} s after its commit"
        )
    return lag, behind


def written_pages(follower: subprocess.Popen[str]) -> list[float]:
    """When the follower said it had written each page (`views at position N`), as
    perf_counter readings: filled by a thread of its own while the follower runs."""
    stamps: list[float] = []

    def listen() -> None:
        assert follower.stdout is not None
        for line in follower.stdout:
            if line.startswith("views at position"):
                stamps.append(time.perf_counter())

    threading.Thread(target=listen, daemon=True).start()
    return stamps


def postgres_replay(events: int, seed: int, imported: int = 0) -> tuple[float, float, float | None]:
    """The full replay on PostgreSQL (a throwaway cluster on loopback) of a log of
    `events`, events/s; eventsourcing's decode rate there; and, after an import of
    `imported` more (0: none), the seconds a follower took to have the views current
    from its commit (the views just rebuilt, as after `followup views rebuild`)."""
    from tests.postgres import running_cluster

    with running_cluster() as cluster:
        url = cluster.url(cluster.create_database())
        services = bootstrap(url, load_entry_points=False)
        history = History(events + imported, seed)
        stream = history.events()
        drafting = Drafting(services.app)
        record(services.app, history, stream, events, batch=BATCH, drafting=drafting)
        size = services.app.head().position
        start = time.perf_counter()
        services.views.projection.rebuild()
        seconds = time.perf_counter() - start
        baseline = decode_rate(services.app, size)
        lag = None
        if imported:
            say(f"PostgreSQL: following an import of {imported:,} events ...")
            lag, _ = follower_lag(
                url,
                services.app,
                lambda: record(
                    services.app, history, stream, imported, batch=imported, drafting=drafting
                ),
            )
        services.close()
    return size / seconds, baseline, lag


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="log size (default 100,000)")
    parser.add_argument("--queries", type=int, default=50, help="as-of queries timed")
    parser.add_argument(
        "--import",
        dest="imported",
        type=int,
        default=10_000,
        help="events of the import a follower folds (default 10,000)",
    )
    parser.add_argument(
        "--postgres", type=int, default=10_000, help="log size of the PostgreSQL replay (0: none)"
    )
    parser.add_argument(
        "--postgres-import",
        type=int,
        default=0,
        help="events imported after the PostgreSQL replay, for a follower (default 0: none)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--stores",
        nargs=2,
        metavar=("SMALL", "LARGE"),
        help="time only the current-state reads, on copies of these stores (views folded)",
    )
    parser.add_argument(
        "--pages-of",
        metavar="URL",
        help="only time the list endpoints' first pages, on this store (a copy)",
    )
    args = parser.parse_args(argv)
    if args.stores:
        return stored_reads(*args.stores)
    if args.pages_of:
        return page_figures(first_pages(args.pages_of, rounds=15))

    with tempfile.TemporaryDirectory(prefix="bench-views-") as folder:
        # The same years of history, a tenth as dense: current-state reads should cost
        # the same on both (they depend on what the views hold, not on the log's length).
        small_url = f"sqlite:///{Path(folder)}/small.sqlite"
        say(f"building {args.events // 10:,} events (views caught up), in another process")
        small_build = subprocess.Popen(
            [
                sys.executable,
                "-c",
                BUILD_KEPT_CURRENT,
                small_url,
                str(args.events // 10),
                str(args.seed),
            ]
        )

        url = f"sqlite:///{Path(folder)}/views.sqlite"
        services = bootstrap(url, load_entry_points=False)
        say(f"building {args.events:,} events ...")
        history = History(args.events + args.imported, args.seed)
        stream = history.events()
        drafting = Drafting(services.app)
        start = time.perf_counter()
        record(services.app, history, stream, args.events, batch=BATCH, drafting=drafting)
        build_seconds = time.perf_counter() - start
        size = services.app.head().position
        if small_build.wait() != 0:
            raise RuntimeError(f"building the small log failed ({small_build.returncode})")

        # The views of the big log are made by the replay itself, from zero.
        say(f"built in {build_seconds:.0f} s; replaying {size:,} events ...")
        replay = replay_in_child(url)
        throughput = size / replay.seconds
        say(f"replayed in {replay.seconds:.0f} s; eventsourcing decoding it ...")
        decoding = decode_rate(services.app, size)
        reading_and_decoding = read_and_decode_rate(services.app, size)
        say("reading ...")

        small_services = bootstrap(small_url, load_entry_points=False)
        small = small_services.app.head().position
        reader = bootstrap(url, load_entry_points=False)
        app = reader.app
        small_read, large_read = current_summaries(small_services, reader)
        small_services.close()
        agreements = agreements_read(reader)
        rng = random.Random(args.seed)
        records = [
            app.log.select_records(after=p - 1, upto=p, limit=1)[0]
            for p in sorted(rng.randint(1, size) for _ in range(args.queries))
        ]
        durations, speedups = [], []
        for sample in records:
            at = parse_timestamp(sample.recorded_at)
            start = time.perf_counter()
            reading = reader.views.reading(Level.RESTRICTED, as_of=at)
            reader.views.summary(reading)
            took = time.perf_counter() - start
            durations.append(took)
            speedups.append(replay.time_to(reading.position) / took)
        overview = overview_reads(reader, records)
        reader.close()
        pages = first_pages(url, rounds=15)

        say(f"following an import of {args.imported:,} events ...")
        lag, behind = follower_lag(
            url,
            services.app,
            lambda: record(
                services.app, history, stream, args.imported, batch=args.imported, drafting=drafting
            ),
        )
        services.close()

    postgres = None
    if args.postgres:
        say(f"PostgreSQL: building and replaying {args.postgres:,} events ...")
        postgres = postgres_replay(args.postgres, args.seed, args.postgres_import)

    p50 = statistics.median(durations) * 1000
    p99 = sorted(durations)[max(0, int(len(durations) * 0.99) - 1)] * 1000
    speedup = statistics.median(speedups)
    figures = [
        Figure("log size", size, "events"),
        Figure(f"building the log ({BATCH:,} a transaction)", size / build_seconds, "events/s"),
        Figure(
            "full replay throughput (baseline: eventsourcing decoding the same events)",
            throughput,
            "events/s",
            baseline=decoding,
            target=">= 30,000 events/s and >= 0.2x",
            met=throughput >= 30_000 and throughput >= 0.2 * decoding,
        ),
        Figure(
            "  against eventsourcing reading and decoding them (not the target's baseline)",
            throughput,
            "events/s",
            baseline=reading_and_decoding,
        ),
        Figure(
            "full replay peak RSS",
            replay.peak_mb,
            "MB",
            target="<= 300 MB",
            met=replay.peak_mb <= 300,
        ),
        Figure("as-of summary p50", p50, "ms", target="<= 50 ms", met=p50 <= 50),
        Figure("as-of summary p99", p99, "ms"),
        Figure(
            "as-of vs the replay's time to the same point (median)",
            speedup,
            "x",
            target=">= 100x",
            met=speedup >= 100,
        ),
        *current_figures((small, size), (small_read, large_read), agreements),
        *page_figures(pages),
        Figure(
            f"views current after an import of {args.imported:,} (follower)",
            lag,
            "s",
            target="<= 5 s",
            met=lag <= 5,
        ),
        Figure("a request just after that import: events behind", behind, "events"),
        *overview_figures(overview),
    ]
    if postgres is not None:
        figures.append(
            Figure(
                f"PostgreSQL full replay, {args.postgres:,} events",
                postgres[0],
                "events/s",
                baseline=postgres[1],
            )
        )
    if postgres is not None and postgres[2] is not None:
        figures.append(
            Figure(
                f"PostgreSQL: views current after an import of {args.postgres_import:,} "
                "(follower, the views just rebuilt)",
                postgres[2],
                "s",
            )
        )
    return figures


def copied(url: str, folder: str, name: str) -> str:
    """A copy of a SQLite store in `folder` (SQLite's backup API, read-only), or the
    URL of any other store as it is."""
    if not url.startswith("sqlite:"):
        return url
    from plugins.builtin.stores import sqlite_path

    target = Path(folder) / f"{name}.sqlite"
    copy_read_only(sqlite_path(url), target)
    return f"sqlite:///{target}"


def stored_reads(small_url: str, large_url: str) -> list[Figure]:
    """The current summary on both stores, and the agreements list on the large one:
    its first read in the process, read again (the views standing still), and read
    after the views move on by a new agreement (which rows stand is read from the
    index again, and the new agreement's row; core/views/standing.py)."""
    with tempfile.TemporaryDirectory(prefix="bench-reads-") as folder:
        say("copying the stores ...")
        small = bootstrap(copied(small_url, folder, "small"), load_entry_points=False)
        large = bootstrap(copied(large_url, folder, "large"), load_entry_points=False)
        sizes = small.views.projection.position(), large.views.projection.position()
        say("reading ...")
        small_read, large_read = current_summaries(small, large)
        first = timed(agreements_list(large), 1)[0]
        again = agreements_read(large)
        moved = []
        for n in range(7):  # the views move on by an agreement, then the list is read
            large.app.record_raw(bench_agreement(n), "bench", None)
            large.views.projection.catch_up()
            moved.extend(timed(agreements_list(large), 1))
        small.close()
        large.close()
    return [
        *current_figures(sizes, (small_read, large_read), again),
        Figure("  its first read in the process", first * 1000, "ms"),
        Figure(
            "  read after each new agreement (the views moved on)",
            statistics.median(moved) * 1000,
            "ms",
        ),
    ]


def current_figures(
    sizes: tuple[int, int], summaries: tuple[float, float], agreements: float
) -> list[Figure]:
    """The current-state targets: the summary on the large log against the small one
    (seconds of each), the list of every agreement."""
    small_read, large_read = summaries
    return [
        Figure(
            f"current summary at {sizes[1]:,} vs at {sizes[0]:,}",
            large_read * 1000,
            "ms",
            baseline=small_read * 1000,
            target="<= 1.5x (independent of length)",
            met=large_read <= 1.5 * small_read,
        ),
        Figure(
            "current agreements list (every agreement)",
            agreements * 1000,
            "ms",
            target="<= 50 ms",
            met=agreements <= 0.05,
        ),
    ]


def bench_agreement(number: int) -> dict[str, Any]:
    """An agreement signed today, recorded between reads."""
    return {
        "type": "AgreementSigned",
        "occurred_on": "2026-01-02",
        "agreement": f"BENCH-{number}",
        "kind": "enforcement_of_sentences",
        "parties": ["AUT"],
        "title": f"Agreement {number} recorded by the benchmark",
    }


def overview_reads(services: Services, records: list[Any]) -> list[float]:
    """Seconds of each read of the recommendations' overview as GET /recommendations
    answers it (the 66 with status, actions, evidence counts, the plugins' indicators
    and those defined with targets, and the dashboard), as of the same random times as
    the summary."""
    views = services.views
    durations = []
    for sample in records:
        at = parse_timestamp(sample.recorded_at)
        start = time.perf_counter()
        reading = views.reading(Level.RESTRICTED, as_of=at)
        overview = follow_up.Overview(reading, views.indicators, views.figures)
        follow_up.dashboard(overview, overview.rows())
        durations.append(time.perf_counter() - start)
    return durations


def overview_figures(durations: list[float]) -> list[Figure]:
    p50 = statistics.median(durations) * 1000
    p99 = sorted(durations)[max(0, int(len(durations) * 0.99) - 1)] * 1000
    return [
        Figure(
            "as-of recommendations overview p50 (66 + dashboard)",
            p50,
            "ms",
            target="<= 50 ms",
            met=p50 <= 50,
        ),
        Figure("as-of recommendations overview p99", p99, "ms"),
    ]


if __name__ == "__main__":
    publish("views --pages-of" if "--pages-of" in sys.argv else "views", main())
