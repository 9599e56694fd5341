"""Keeping the views current off the request path: one follower per store folds what
the log gains, woken by the store's notifications (PostgreSQL's LISTEN/NOTIFY; on
SQLite, the writes of its own process, and a look every POLL seconds for those of
others).

One follower per store: it holds the store's lease ``views-follower`` (a file lock
beside a SQLite file, an advisory lock on PostgreSQL) for as long as it runs, so that
several API workers, each with a follower thread, do not all fold; the others wait
for the lease and take over if its holder dies. (Folding is safe without the lease:
every page is applied exactly once whoever applies it; the lease saves the work.)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from core.views.projection import Projection

log = logging.getLogger("followup.views")

LEASE = "views-follower"
#: Seconds between looks at the log when nothing woke the follower.
POLL = 0.05
#: Seconds between attempts at the lease while another follower holds it.
RETRY = 2.0
#: Seconds a follower woken by a write lets others come before folding.
GATHER = 0.02


class Follower:
    """Folds the log into the views as it grows, until `stop` is set."""

    def __init__(
        self,
        projection: Projection,
        *,
        poll: float = POLL,
        retry: float = RETRY,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.projection = projection
        self.poll = poll
        self.retry = retry
        self.progress = progress
        self.stop = threading.Event()
        #: Set while this follower holds the lease.
        self.leading = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        """Follow until stopped: hold the lease, or wait for it."""
        while not self.stop.is_set():
            with self.projection.sql.lease(LEASE) as held:
                if held:
                    self.leading.set()
                    try:
                        self._follow()
                    finally:
                        self.leading.clear()
                    continue
            self.stop.wait(self.retry)

    def _follow(self) -> None:
        recorder: Any = self.projection.app.recorder
        listen = getattr(recorder, "listen", None)
        if listen is not None:
            listen(self._wake)
        try:
            while not self.stop.is_set():
                self._wake.clear()
                try:
                    position = self.projection.catch_up(progress=self.progress)
                except Exception:
                    log.exception("the views could not be brought up to the log's head")
                    self.stop.wait(self.retry)
                    continue
                if self.progress is not None:
                    self.progress(position)
                if not self._wake.is_set():  # nothing new yet: make the next fold ready
                    self.projection.ready(position)
                if self._wake.wait(self.poll):
                    # Woken by a write: others may follow at once; fold them together.
                    self.stop.wait(GATHER)
        finally:
            unlisten = getattr(recorder, "unlisten", None)
            if unlisten is not None:
                unlisten(self._wake)

    # -- in the background ------------------------------------------------------------

    def start(self) -> Follower:
        """Run in a daemon thread (the API server's workers each start one)."""
        self._thread = threading.Thread(target=self.run, name="followup-views", daemon=True)
        self._thread.start()
        return self

    def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)


def wait_for(projection: Projection, position: int, timeout: float, step: float = 0.02) -> int:
    """Wait (at most `timeout` seconds) for the views to reach `position`; returns
    the position they are at."""
    deadline = time.monotonic() + timeout
    at = projection.position()
    while at < position and time.monotonic() < deadline:
        time.sleep(step)
        at = projection.position()
    return at
