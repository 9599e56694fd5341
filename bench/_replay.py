"""The full replay alone: forget a store's views and fold its whole log again, in this
process, timed. `bench.views` runs it in a fresh child for its replay figures; run by
hand it measures (or profiles) one store's replay at any commit:

    python -m bench._replay sqlite:///copy-of-a-store.sqlite
    py-spy record -o replay.txt -f raw -- python -m bench._replay sqlite:///copy.sqlite

It rewrites the store's views (derived rows only; the log is read, never written).
Prints one line of JSON: seconds, the fold's own CPU seconds, its forks' (the helper
and the write-behind of a long fold, core/views/helper.py and behind.py), the seconds
the fold waited for each of them (for a page from the helper, for a page to be written),
peak RSS in kB (the fold's own), events per second, and the position reached after each
page (with the seconds it took to get there).

`--in-flight N` folds with N pages handed to the writer before the fold waits for the
first (writing.IN_FLIGHT; 1 was the fold before 9fb46a4):

    python -m bench._replay --in-flight 1 sqlite:///copy.sqlite
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import time
from collections.abc import Iterator
from typing import Any

from core.views import behind, helper, writing
from followup.bootstrap import bootstrap


def replay(url: str) -> dict[str, object]:
    services = bootstrap(url, load_entry_points=False)
    waited = {"helper": 0.0, "writer": 0.0}
    try:
        progress = [(0, 0.0)]
        start, cpu, forks = time.perf_counter(), time.process_time(), _forks_cpu()
        with _timed_waits(waited):
            position = services.views.projection.rebuild(
                progress=lambda at: progress.append((at, time.perf_counter() - start))
            )
        seconds = time.perf_counter() - start
        return {
            "seconds": seconds,
            "cpu_seconds": time.process_time() - cpu,
            "forks_cpu_seconds": _forks_cpu() - forks,
            "waited_for_helper_seconds": waited["helper"],
            "waited_for_writer_seconds": waited["writer"],
            "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "events_per_second": position / seconds if seconds else 0.0,
            "progress": progress,
        }
    finally:
        services.close()


@contextlib.contextmanager
def _timed_waits(waited: dict[str, float]) -> Iterator[None]:
    """Add up, in `waited`, the fold's waits for its helper's pages (Helper.__iter__)
    and for its writer's answers (WriteBehind.wait), while in the block."""
    pages, answer = helper.Helper.__iter__, behind.WriteBehind.wait

    def timed_pages(fork: helper.Helper) -> Iterator[Any]:
        found = pages(fork)
        while True:
            began = time.perf_counter()
            page = next(found, None)
            waited["helper"] += time.perf_counter() - began
            if page is None:
                return
            yield page

    def timed_answer(writer: behind.WriteBehind) -> Any:
        began = time.perf_counter()
        try:
            return answer(writer)
        finally:
            waited["writer"] += time.perf_counter() - began

    helper.Helper.__iter__ = timed_pages  # type: ignore[method-assign]
    behind.WriteBehind.wait = timed_answer  # type: ignore[method-assign]
    try:
        yield
    finally:
        helper.Helper.__iter__ = pages  # type: ignore[method-assign]
        behind.WriteBehind.wait = answer  # type: ignore[method-assign]


def in_flight(pages: int) -> None:
    """Fold with `pages` handed to the writer before the fold waits."""
    writing.IN_FLIGHT = pages


def _forks_cpu() -> float:
    """CPU seconds of this process's children that have ended."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the store to replay (a copy: its views are rewritten)")
    parser.add_argument("--in-flight", type=int, help="pages in flight to the writer")
    args = parser.parse_args(argv)
    if args.in_flight:
        in_flight(args.in_flight)
    print(json.dumps(replay(args.url)))


if __name__ == "__main__":
    main()
