"""Write-behind for a long fold: a process of its own writes each page's rows, and
advances the views' tracking position, in one transaction, while the fold goes on
with the next pages in memory (up to IN_FLIGHT handed over and not yet written: a
commit that copies SQLite's write-ahead log into the file takes as long as folding a
few pages, and the fold need not wait for it). It also makes the page's checkpoints
(adding each level's changes to its monthly sums, and writing them out as JSON), the
fold's next largest cost after the database; it hands its sums back when the fold is
done.

A fold's own process spends about a quarter of its time in the database (inserting
the page's rows, committing them). SQLite gives the CPU back while it works, but a
thread of the same process would still take the interpreter's lock for each row it
binds, and slow the fold more than it helps; a process does not. The page's
statements are made by the fold (PageWriter.flush) and handed over as they are.

Each page is written only if the views are still where the fold left them (the
position and log hash it folded from): another process that folded meanwhile makes
the fold start again from where that one stopped. A database busy with the log's
writers is waited for, within the catch-up's patience. Whatever else goes wrong is
handed back as the error it is, and the fold stops there.
"""

from __future__ import annotations

import contextlib
import marshal
import multiprocessing
import queue
import time
from typing import Any, cast

from eventsourcing.persistence import OperationalError

from core.application import FollowUp
from core.errors import StoreError
from core.sql import Cursor, Sql
from core.views import writing
from core.views.helper import as_a_fork_of_the_fold, handed
from core.views.tables import TRACKING_NAME
from core.views.writing import Statements, Totals, Window, checkpoints_of

#: Seconds between attempts at a page while the log's writers hold the database.
BUSY_PAUSE = 0.05


class Moved(StoreError):
    """The views moved on (another process folded) under a page written behind."""


class Busy(StoreError):
    """The log's writers kept the database busy beyond the fold's patience."""


def tracked(c: Cursor, dialect: str) -> tuple[int, str]:
    """The views' tracking position and log hash there (hex), locked for this
    transaction where the database locks rows (PostgreSQL)."""
    lock = " FOR UPDATE" if dialect == "postgresql" else ""
    c.execute(
        f"SELECT position, hash FROM view_tracking WHERE name = ?{lock}",  # noqa: S608
        [TRACKING_NAME],
    )
    row = c.fetchone()
    return (int(row["position"]), row["hash"]) if row else (0, "")


def run(c: Cursor, statements: Statements) -> None:
    for sql, rows in statements:
        c.executemany(sql, rows)


def busy(error: OperationalError) -> bool:
    message = str(error).lower()
    return "locked" in message or "busy" in message


class WriteBehind:
    """The writing process of one fold: the pages handed over, written one at a time, in
    order."""

    def __init__(self, app: FollowUp, patience: float | None, totals: dict[int, Totals]) -> None:
        context = multiprocessing.get_context("fork")
        self._jobs: Any = context.Queue(maxsize=writing.IN_FLIGHT)
        self._results: Any = context.Queue(maxsize=writing.IN_FLIGHT)
        #: Requests handed over whose answer is not yet taken (`wait`).
        self.in_flight = 0
        self.process = context.Process(
            target=_run,
            args=(dict(app.env), app, patience, totals),
            kwargs={"jobs": self._jobs, "results": self._results},
            daemon=True,
            name="followup-views-writer",
        )
        self.process.start()

    def submit(
        self, start: int, digest: str, statements: Statements, windows: list[Window]
    ) -> None:
        """Write a page folded from `start` (where the log's hash is `digest`): its
        statements, which advance the tracking position, and its checkpoints."""
        assert self.in_flight < writing.IN_FLIGHT, "at most IN_FLIGHT pages at a time"
        # marshal: a page's rows (tuples of text, numbers and bytes) are three times
        # quicker to write out than with pickle, on the fold's own time.
        self._jobs.put(marshal.dumps((start, digest, statements, windows)))
        self.in_flight += 1

    def totals(self) -> dict[int, Totals]:
        """The monthly sums of each level, as of the last page written."""
        assert self.in_flight == 0, "every page written first"
        self._jobs.put("totals")
        self.in_flight += 1
        return cast(dict[int, Totals], self.wait())

    def answered(self) -> bool:
        """Whether the first request not yet answered has its answer waiting (`wait`
        then takes it at once)."""
        return self.in_flight > 0 and not self._results.empty()

    def wait(self) -> Any:
        """What the first request not yet answered gave: the position a page brought
        the views to, once written (Moved, Busy, or the error it met otherwise); the
        sums."""
        assert self.in_flight
        try:
            kind, detail = handed(self._results, self.process, "views' writing process")
        finally:
            self.in_flight -= 1
        if kind in ("written", "totals"):
            return detail
        if kind == "moved":
            raise Moved(detail)
        if kind == "busy":
            raise Busy(detail)
        raise RuntimeError(f"the views' writing process failed: {detail}")

    def close(self) -> None:
        """End the writing process: asked to, once every page is written; at once
        where pages are left unanswered (the fold stopped at an error: they cannot be
        written after the page that failed, and would each wait out the patience of a
        busy database). A transaction cut short is rolled back by the database."""
        if self.process.is_alive() and not self.in_flight:
            with contextlib.suppress(queue.Full):  # busy with a page: it is stopped below
                self._jobs.put_nowait(None)
            self.process.join(5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        self._jobs.close()
        self._results.close()


def _run(
    env: dict[str, str],
    app: FollowUp,
    patience: float | None,
    totals: dict[int, Totals],
    *,
    jobs: Any,
    results: Any,
) -> None:
    try:
        store = FollowUp(env, app.catalogue, app.clock)  # connections of its own
        sql = store.log.sql()
    except BaseException as error:
        results.put(("failed", f"{type(error).__name__}: {error}"))
        return
    as_a_fork_of_the_fold()
    while True:
        job = jobs.get()
        if job is None:
            break
        if job == "totals":
            results.put(("totals", totals))
            continue
        # The fold that forked this process made these bytes (WriteBehind.submit).
        start, digest, statements, windows = marshal.loads(job)  # noqa: S302
        try:
            checkpoints = checkpoints_of(totals, windows)
        except BaseException as error:
            results.put(("failed", f"{type(error).__name__}: {error}"))
            continue
        results.put(_write(sql, start, digest, statements + checkpoints, patience))


def _write(
    sql: Sql, start: int, digest: str, statements: Statements, patience: float | None
) -> tuple[str, object]:
    deadline = None if patience is None else time.monotonic() + patience
    while True:
        try:
            with sql.transaction(write=True, derived=True) as c:
                found = tracked(c, sql.dialect)
                if found != (start, digest):
                    return "moved", f"the views are at {found[0]}, not {start}"
                run(c, statements)
                position, _ = tracked(c, sql.dialect)
            return "written", position
        except OperationalError as error:
            if not busy(error):
                return "failed", f"{type(error).__name__}: {error}"
            if deadline is not None and time.monotonic() > deadline:
                return "busy", "The log's writers keep the database busy."
            time.sleep(BUSY_PAUSE)
        except BaseException as error:
            return "failed", f"{type(error).__name__}: {error}"
