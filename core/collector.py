"""Python's cyclic garbage collector paused, or made to run seldom, around work that
makes many objects without cycles (decoded JSON, events, a fold's pages): left as it
is, it walks the process's every object again and again as they accumulate."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No automatic collection inside the block: a whole view decoded (hundreds of
    thousands of dicts and lists would trigger full collections: a third of the time
    of a list of agreements), a fold, a batch's events made for its caller. The
    collector runs again after (if it ran before: a thread that found it paused leaves
    it to the one that paused it)."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


#: Allocations between collections of the youngest generation in `collect_seldom` (700
#: by default).
SELDOM = 100_000


def collect_seldom() -> None:
    """For the rest of a process that makes many objects without cycles and drops them
    soon (a fold's helper and writer, page after page): the youngest generation is
    collected every SELDOM allocations, not every 700, and cycles are still found. A
    300,000-event replay: the forks' CPU 9.2-9.4 s with the default, 8.4 s so."""
    gc.set_threshold(SELDOM, 50, 1000)
