"""Python's cyclic garbage collector paused around work that makes many objects
without cycles (decoded JSON, events): left running, it walks the process's every
object again and again as they accumulate."""

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
