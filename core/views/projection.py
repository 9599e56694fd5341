"""The runner: keeps the views' tables (tables.py) current with the log, a page of
events per transaction (writing.py), and hands out snapshots of them (snapshot.py).

Each page is folded and the tracking position advanced in one transaction, so every
event is applied exactly once, across restarts and processes. The views also remember
the log's hash at their position: a log that no longer reaches it, or holds another
event there, is refused (ViewsOutOfStep) until `followup views rebuild` folds the log
as it now is; and every page is checked against the chain as it is read (feed.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from eventsourcing.persistence import OperationalError

from core.application import FollowUp
from core.collector import collection_paused
from core.errors import StoreError
from core.eventtypes import Effect
from core.integrity import GENESIS
from core.sql import Cursor, Sql
from core.views import writing
from core.views.behind import BUSY_PAUSE, Busy, Moved, WriteBehind, busy, run, tracked
from core.views.engine import Engine, Folds, Shared
from core.views.feed import Feed, Page, hash_at
from core.views.helper import Helper, Prepared, usable
from core.views.model import Level
from core.views.snapshot import (
    Facts,
    SqlSnapshot,
    checkpoint_span,
    monthly_at,
    rows_delta,
)
from core.views.tables import (
    DATA_TABLES,
    LAYOUT,
    TRACKING_NAME,
    ensure_layout,
)
from core.views.writing import (
    LEVELS,
    Book,
    LevelStore,
    PageWriter,
    Sums,
    Totals,
    Window,
    checkpoints_of,
)

log = logging.getLogger("followup.views")

DELTA_EVERY = 2_000
FULL_EVERY = 20_000
PAGE = 5_000
HELPER_MIN = 20_000


class ViewsOutOfStep(StoreError):
    """The log no longer holds what the views were folded from."""


class ViewsBusy(StoreError):
    """The views could not be brought up to date in the time allowed."""


#: How long setting up the views' tables waits for a busy database, in seconds.
SET_UP_PATIENCE = 120.0


class Projection:
    """Keeps the views' tables up to date with the log, and reads them as of any
    position."""

    def __init__(
        self,
        app: FollowUp,
        sql: Sql,
        folds: Folds,
        *,
        delta_every: int = DELTA_EVERY,
        full_every: int = FULL_EVERY,
        page: int = PAGE,
    ) -> None:
        self.app = app
        self.sql = sql
        self.folds = folds
        self.delta_every = delta_every
        self.full_every = full_every
        self.page = page
        #: A catch-up at least this long is shared with a helper process (helper.py).
        self.helper_min = HELPER_MIN
        #: The fold reads the log through a pool of connections of its own: with the
        #: store's writing connection in hand, asking the same pool for a reading one
        #: waits behind whoever waits for the writing one (eventsourcing's pool serves
        #: in turn), and both would stall.
        self.reader = _reader_of(app)
        self.feed = Feed(self.reader)
        self.shared = Shared(folds)
        self.engines = {level: Engine(folds, level, self.shared) for level in LEVELS}
        #: Folds an event both levels see into items both have alike, once for both
        #: (its store writes rows of both levels; what it sees is what RESTRICTED sees).
        self.both = Engine(folds, Level.RESTRICTED, self.shared)
        #: Types recorded as they are and folded into no item: both levels' work on
        #: such an event is one row (the counter of its entries, by type).
        self._simple = {
            name: f"log.{name}"
            for name, event_type in folds.catalogue.types.items()
            if event_type.effect is Effect.RECORD and not folds.handlers_for(name)
        }
        self._records = {
            name
            for name, event_type in folds.catalogue.types.items()
            if event_type.effect is Effect.RECORD
        }
        #: One fold at a time in this process (a follower thread, a report...).
        self._folding = threading.RLock()
        #: What the fold remembers between pages, and the position it is of.
        self._book: Book | None = None
        self._book_position = -1
        # Workers booting together, beside a follower folding a page: the database
        # may be busy for a while; a worker that gave up here would fail to boot.
        deadline = time.monotonic() + SET_UP_PATIENCE
        while True:
            try:
                self._set_up(folds.fingerprint())
                break
            except OperationalError as error:
                if not busy(error) or time.monotonic() > deadline:
                    raise
                time.sleep(BUSY_PAUSE)

    def _set_up(self, fingerprint: str) -> None:
        """The views' tables, and their tracking row; all forgotten if the plugins
        changed since they were folded."""
        sql = self.sql
        with sql.transaction(write=True, derived=True) as c:
            ensure_layout(c, sql.dialect)
            c.execute(
                "INSERT INTO view_tracking (name, position, hash, folds, layout) "
                "VALUES (?, 0, '', ?, ?) ON CONFLICT DO NOTHING",
                [TRACKING_NAME, fingerprint, LAYOUT],
            )
            c.execute("SELECT folds, position FROM view_tracking WHERE name = ?", [TRACKING_NAME])
            row = c.fetchone()
            if row is not None and row["folds"] != fingerprint:
                log.warning(
                    "the plugins changed since the views were folded (to position %s): "
                    "folding the log again",
                    row["position"],
                )
                self._forget(c, fingerprint)

    @staticmethod
    def _forget(c: Cursor, fingerprint: str) -> None:
        for table in DATA_TABLES:
            c.execute(f"DELETE FROM {table}")  # noqa: S608 - names are constants
        c.execute(
            "UPDATE view_tracking SET position = 0, hash = '', folds = ? WHERE name = ?",
            [fingerprint, TRACKING_NAME],
        )

    def close(self) -> None:
        if self.reader is not self.app:
            self.reader.close()

    # -- where the views are ----------------------------------------------------------

    def tracking(self) -> tuple[int, str]:
        """The last position folded and the log's hash there (hex; "" at 0)."""
        with self.sql.transaction(write=False) as c:
            c.execute("SELECT position, hash FROM view_tracking WHERE name = ?", [TRACKING_NAME])
            row = c.fetchone()
        return (int(row["position"]), row["hash"]) if row else (0, "")

    def position(self) -> int:
        return self.tracking()[0]

    def check(self) -> int:
        """The position the views are at, after checking that the log still holds,
        there, the event they were folded with (ViewsOutOfStep otherwise)."""
        position, digest = self.tracking()
        if position == 0:
            return 0
        found = hash_at(self.reader, position)
        if found is None:
            head = self.app.head().position
            raise ViewsOutOfStep(
                f"The views were folded up to position {position}, but the log ends at "
                f"position {head}: events were removed from the log. Run `followup verify`; "
                "`followup views rebuild` folds the log as it now is."
            )
        if found.hex() != digest:
            raise ViewsOutOfStep(
                f"The event at position {position} is not the one the views were folded "
                f"with (its hash was {digest[:16]}..., it is now {found.hex()[:16]}...): the "
                "log was changed. Run `followup verify`; `followup views rebuild` folds the "
                "log as it now is."
            )
        return position

    # -- folding ----------------------------------------------------------------------

    def catch_up(
        self,
        upto: int | None = None,
        progress: Callable[[int], None] | None = None,
        *,
        patience: float | None = None,
    ) -> int:
        """Apply the events recorded since the last call (up to `upto`), a page per
        transaction; returns the position the views are at. `progress` is told the
        position after each page. A page that finds the database busy with the log's
        writers is tried again; after `patience` seconds of that (None: never) this
        gives up (ViewsBusy), having kept the pages it folded."""
        target = self.app.head().position if upto is None else upto
        position = self.check()
        if position >= target:
            return position
        deadline = None if patience is None else time.monotonic() + patience
        if not self._folding.acquire(timeout=-1 if patience is None else patience):
            raise ViewsBusy("Another fold of the views is under way in this process.")
        helper = self._helper(position, target)
        try:
            # No automatic collection while folding: a fold makes and keeps many
            # objects, which the collector would walk again and again (a third of the
            # fold's time, measured), though they form no cycles. Nor between pages: a
            # collection of the young generations there found nothing, page after
            # page of a 300,000-event replay, and took 4% of the fold's time.
            with collection_paused():
                if helper is not None:
                    try:
                        position = self._fold_behind(helper, position, target, progress, deadline)
                    except Moved:
                        position = self.tracking()[0]  # another process folded: on from there
                    finally:
                        helper.close()
                while position < target:
                    try:
                        position = self._apply_page(target)
                    except OperationalError as error:
                        if not busy(error):
                            raise
                        if deadline is not None and time.monotonic() > deadline:
                            raise ViewsBusy("The log's writers keep the database busy.") from None
                        time.sleep(BUSY_PAUSE)
                        continue
                    if progress is not None:
                        progress(position)
        finally:
            self._folding.release()
        self.sql.settle()
        analyze = getattr(self.sql, "analyze", None)  # a port of before it: not asked
        if helper is not None and analyze is not None:  # the views grew by 20,000 or more
            analyze(DATA_TABLES)
        return position

    def _fold_behind(
        self,
        helper: Helper,
        position: int,
        target: int,
        progress: Callable[[int], None] | None,
        deadline: float | None,
    ) -> int:
        """A long catch-up: the helper reads the pages ahead, this process folds them
        in memory, and another process writes each page while the next are folded
        (behind.py; up to IN_FLIGHT pages handed over and not yet written). Returns
        the position written; where the helper stopped short (the log moved under
        it), the caller goes on page by page."""
        patience = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        with self.sql.transaction(write=False) as c:
            book = self._book_at(c, position)
        assert book.totals is not None
        # It takes the monthly sums over (a copy, made by the fork) and hands them back.
        behind = WriteBehind(self.app, patience, book.totals)
        written = position
        # The pages handed over that may not be written yet, the nearest first.
        in_flight: deque[PageWriter] = deque(maxlen=writing.IN_FLIGHT)
        digest = self.tracking()[1]
        try:
            for prepared in helper:
                if prepared.first != position + 1:
                    break
                with self.sql.transaction(write=False) as c:
                    page = self._fold(c, position, target, prepared, in_flight)
                # Answers already there are taken now, so that progress is told as
                # pages are written; the fold waits only with IN_FLIGHT unanswered.
                while behind.answered() or behind.in_flight == writing.IN_FLIGHT:
                    written = self._written(behind, progress)
                assert page is not None and page.page is not None
                behind.submit(position, digest, page.statements, page.windows)
                page.handed_over()
                self._book_position = position = page.page.last
                digest = page.page.last_hash.hex()
                in_flight.appendleft(page)
            while behind.in_flight:
                written = self._written(behind, progress)
            book.totals = behind.totals()
        except Busy:
            self._book = None
            raise ViewsBusy("The log's writers keep the database busy.") from None
        except BaseException:
            self._book = None  # it may hold what no transaction kept
            raise
        finally:
            behind.close()
        return written

    @staticmethod
    def _written(behind: WriteBehind, progress: Callable[[int], None] | None) -> int:
        position = behind.wait()
        if progress is not None:
            progress(position)
        return position

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Forget the views and fold the whole log again."""
        with self._folding:
            with self.sql.transaction(write=True, derived=True) as c:
                self._forget(c, self.folds.fingerprint())
            self._book = None
            return self.catch_up(progress=progress)

    def _helper(self, position: int, target: int) -> Helper | None:
        """A helper process for a long catch-up, where one can be had."""
        if target - position < self.helper_min or not usable(self.reader, self.app):
            return None
        known, digest = self.tracking()
        if known != position:
            return None
        previous = bytes.fromhex(digest) if digest else GENESIS
        return Helper(
            self.app,
            self.folds,
            self._simple,
            position,
            previous,
            target,
            self.page,
            self.delta_every,
        )

    def _apply_page(self, target: int) -> int:
        """Fold the next page and write it, in one transaction."""
        try:
            with self.sql.transaction(write=True, derived=True) as c:
                start, digest = tracked(c, self.sql.dialect)
                if start >= target:
                    return start  # another process got there first
                previous = bytes.fromhex(digest) if digest else GENESIS
                page = self._fold(c, start, target, previous=previous)
                if page is None or page.page is None:
                    return start
                run(c, page.statements)
                assert self._book is not None and self._book.totals is not None
                run(c, checkpoints_of(self._book.totals, page.windows))
        except BaseException:
            self._book = None  # it may hold what the transaction did not keep
            raise
        self._book_position = page.page.last
        return page.page.last

    def _fold(
        self,
        c: Cursor,
        start: int,
        target: int,
        prepared: Prepared | None = None,
        earlier: Sequence[PageWriter] = (),
        *,
        previous: bytes = GENESIS,
    ) -> PageWriter | None:
        """The next page folded from `start` (the helper's, or read here after the
        log's hash `previous`), with its statements made, tracking included; None if
        the log has no more. `earlier`: the pages before that may still be being
        written, the nearest first."""
        pending: dict[int, dict[int, Sums]] = {}
        if prepared is not None:
            streams = [prepared.streams[fact.position] for fact in prepared.facts]
            page = Page(
                prepared.facts, streams, prepared.last_hash, prepared.last, prepared.streams
            )
            pending = prepared.sums
        else:
            found = self.feed.page(start, target, self.page, previous)
            if found is None:
                return None
            page = found
        book = self._book_at(c, start)
        writer = PageWriter(c, book, self.feed, self.folds, earlier=earlier)
        writer.page = page
        if prepared is not None:  # the targets of its changes, looked up by the helper
            writer.positions.update(prepared.targets)
            writer.targets = prepared.target_facts
            targets = (p for p in prepared.targets.values() if p is not None)
            writer.load_facts(targets, prepared.first)
        writer.prefetch(
            key
            for fact in page.facts
            if fact.type not in self._simple
            for key in self.folds.keys(fact)
        )
        windows: list[Window] = []
        simple, folds = self._simple, self.folds
        stores = [(e, LevelStore(writer, int(level))) for level, e in self.engines.items()]
        everything = next(store for e, store in stores if e.level is Level.ALL)
        both, both_store = self.both, LevelStore(writer, 3)
        records = self._records
        for fact in page.facts:
            if fact.position >= book.next_boundary:
                self._windows(book, fact.position, windows, pending)
            writer.begin(fact.position)
            if fact.classification != "confidential":
                log_counter = simple.get(fact.type)
                if log_counter is not None:
                    writer.record_shared(fact, folds.counts(fact), folds.parties(fact), log_counter)
                    continue
                if fact.type in records and writer.shares(folds.keys(fact)):
                    both.apply(fact, both_store)
                    continue
            for engine, store in stores:
                engine.apply(fact, store, everything)
        self._windows(book, page.last + 1, windows, pending)
        for window in pending.values():  # of the checkpoint after this page
            for levels, sums in window.items():
                _merge(book.changes[levels], sums)
        if prepared is not None:
            writer.merge_postings(prepared.postings)
        writer.flush()
        writer.windows = windows
        writer.write(
            "UPDATE view_tracking SET position = ?, hash = ? WHERE name = ?",
            [(page.last, page.last_hash.hex(), TRACKING_NAME)],
        )
        return writer

    @property
    def ready_at(self) -> int | None:
        """The position the fold's memory (its Book) is of, if it holds one."""
        return self._book_position if self._book is not None else None

    def ready(self, position: int) -> None:
        """Read now, while there is nothing to fold, what the next fold from `position`
        (where the views are) needs first: the monthly sums there (0.4 s at a million
        events) and the items changed last (writing.WARM_ITEMS, 0.3 s). A follower
        started on views already current is then woken by an import ready to fold."""
        book = self._book
        if self.ready_at == position and book is not None and book.warm:
            return  # ready already
        if not self._folding.acquire(blocking=False):
            return  # a fold under way makes its own
        try:
            with self.sql.transaction(write=False) as c:
                book = self._book_at(c, position)
                if not book.warm:
                    PageWriter(c, book, self.feed, self.folds).warm_up(writing.WARM_ITEMS)
            if self.tracking()[0] != position:  # another process folded meanwhile
                self._book = None
        finally:
            self._folding.release()

    def _book_at(self, c: Cursor, start: int) -> Book:
        """What the fold remembers, if it is of this position; else read anew."""
        book = self._book
        if book is not None and self._book_position == start:
            return book
        book = Book(fresh=start == 0)
        book.totals = {}
        for level in (1, 2):
            last, _ = checkpoint_span(c, level, start)
            book.totals[level] = Totals(monthly_at(c, Facts(self.feed, self.folds, last, level)))
            since = Facts(self.feed, self.folds, start, level)
            book.changes[level] = dict(rows_delta(c, since, last, start))
        book.next_boundary = (start // self.delta_every + 1) * self.delta_every
        self._book = book
        self._book_position = start
        return book

    def _windows(
        self,
        book: Book,
        before: int,
        windows: list[Window],
        pending: dict[int, dict[int, Sums]] | None = None,
    ) -> None:
        """The checkpoints due at every multiple of delta_every below `before` (all
        events up to it are applied), as the changes of each level since the one
        before (made into rows by `checkpoints_of`): whole where a multiple of
        full_every is crossed. `pending`: what a helper counted, by the checkpoint
        it falls before."""
        while book.next_boundary < before:
            boundary = book.next_boundary
            for levels, sums in (pending or {}).pop(boundary, {}).items():
                _merge(book.changes[levels], sums)
            whole = boundary // self.full_every > (boundary - self.delta_every) // self.full_every
            both = book.changes[3]
            book.changes[3] = {}
            found: dict[int, Sums] = {}
            for level in (1, 2):
                changes = found[level] = book.changes[level]
                for key, amount in both.items():
                    changes[key] = changes.get(key, 0) + amount
                book.changes[level] = {}
            windows.append((boundary, whole, found))
            book.next_boundary += self.delta_every

    # -- reading ----------------------------------------------------------------------

    def snapshot(self, position: int, level: Level) -> SqlSnapshot:
        return SqlSnapshot(self.sql, position, level, self.feed, self.folds)


def _merge(into: Sums, sums: Sums) -> None:
    for key, amount in sums.items():
        into[key] = into.get(key, 0) + amount


def _reader_of(app: FollowUp) -> FollowUp:
    """The same store through another pool of connections (the app itself where the
    store has no pool: the memory store, an in-memory SQLite database)."""
    pool = getattr(getattr(app.recorder, "datastore", None), "pool", None)
    if pool is None or getattr(pool, "is_sqlite_memory_mode", False):
        return app
    return FollowUp(dict(app.env), app.catalogue, app.clock)
