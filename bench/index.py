"""Filtered reads of the log (`GET /events?type=...&party=...`) through the event index,
against reading the whole log and filtering it (how they were answered before the
index), on the same synthetic log in the same run.

    python -m bench.index [--events N] [--rounds R]

Figures: the first catch-up of the index (it reads the whole log once), and, for each
filter, the median time of its first page (up to 100 events) both ways.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date

from bench.common import Figure, publish
from bench.history import build
from core import event_index
from core.application import FollowUp
from core.queries import EventFilter, find_events
from followup.bootstrap import bootstrap

FULL_ARGS = ("--events", "50000")
QUICK_ARGS = ("--events", "5000", "--rounds", "1")
PAGE = 100

FILTERS = {
    "type AgreementSigned": EventFilter(types=frozenset({"AgreementSigned"})),
    "party KEN": EventFilter(party="KEN"),
    "type WorkshopHeld in 2010": EventFilter(
        types=frozenset({"WorkshopHeld"}),
        occurred_from=date(2010, 1, 1),
        occurred_to=date(2010, 12, 31),
    ),
    "a type never recorded": EventFilter(types=frozenset({"WithdrawalNotified"})),
}


def by_scanning(app: FollowUp, where: EventFilter) -> list[int]:
    """The first page as a scan of the whole log answers it."""
    found: list[int] = []
    for event in app.read_log():
        if where.matches(event, app):
            found.append(event.position)
            if len(found) == PAGE:
                break
    return found


def median_seconds(action: Callable[[], object], rounds: int) -> float:
    durations = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations)


def main(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(prog="python -m bench.index", description=__doc__)
    parser.add_argument("--events", type=int, default=50_000, help="size of the log")
    parser.add_argument("--rounds", type=int, default=3, help="timings per figure")
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="followup-bench-") as tmp:
        services = bootstrap(f"sqlite:///{tmp}/index.sqlite", load_entry_points=False)
        try:
            app = services.app
            count = build(app, args.events, batch=5000)
            start = time.perf_counter()
            event_index.catch_up(app)
            seconds = time.perf_counter() - start
            figures.append(Figure(f"first catch-up of the index, {count:,} events", seconds, "s"))
            for label, where in FILTERS.items():

                def indexed(where: EventFilter = where) -> list[int]:
                    return [e.position for e in find_events(app, where, limit=PAGE).events]

                assert indexed() == by_scanning(app, where), label  # same answer both ways
                value = median_seconds(indexed, args.rounds) * 1000
                baseline = median_seconds(lambda w=where: by_scanning(app, w), args.rounds)
                figures.append(
                    Figure(f"filtered page, {label}", value, "ms", baseline=baseline * 1000)
                )
        finally:
            services.close()
    return figures


if __name__ == "__main__":
    publish("index", main())
