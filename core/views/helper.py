"""A second process for a long fold: it reads the log ahead of the fold (the raw rows,
each link of the chain recomputed, the states decoded) and does the whole work of the
common event — one both levels see alike, or that only ALL sees, of a type no item is
made of: its counts by month and its posting lists — handing the fold, page by page,
only the others (events folded into items, corrections, retractions) and what it
counted. Two cores then share a fold that is otherwise all Python in one.

Used for long catch-ups (a rebuild, a large import) from a process's main thread on a
store with connections of its own (a SQLite file, PostgreSQL): it is a fork, and makes
its own connections. Whatever it finds wrong (a damaged log) it hands over as the
error it is, and the fold stops there.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.application import FollowUp
from core.collector import collect_seldom
from core.eventtypes import Effect
from core.facts import Fact
from core.views.engine import Folds
from core.views.feed import Feed, LogDamaged
from core.views.writing import Sums, as_folded, count_and_index, target_positions

#: Pages the helper reads ahead of the fold.
AHEAD = 2
#: Seconds between checks, while one of a fold's processes waits for another, that
#: the other is still there (a fold killed does not stop its forks: they stop
#: themselves; a fork that died is reported to the fold).
ALIVE_EVERY = 1.0


def end_with_the_fold() -> None:
    """Make this fork of a fold end once the fold is gone (killed, or stopped as a
    follower is), whatever it is doing. Ending by itself is not enough: a queue's
    thread may be writing what the fork handed over into a pipe nobody reads (the fork
    holds its other end), and a process's exit waits for that thread; the fork would
    stay for ever, holding what it inherited: the follower's lease among them, so that
    no follower could take over."""
    forked_by = multiprocessing.parent_process()  # the fold, even if already gone
    parent = forked_by.pid if forked_by is not None else os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ALIVE_EVERY)
        os._exit(0)

    threading.Thread(target=watch, name="followup-fold-watch", daemon=True).start()


#: How much less of the cores a fold's forks ask for than the fold (`os.nice`).
FORK_NICENESS = 10


def yield_to_the_fold() -> None:
    """Let the fold's own process, which every page waits on, have a core before its
    forks: with the three on two cores, the scheduler otherwise shares them alike and
    the fold waits its turn. The forks still run whenever a core is free, and yield too
    to what else runs on the machine (an import's process, the API's requests). A
    follower's catch-up of a 100,000-event import, the importer beside it: 6.0-7.2 s
    with the forks at the fold's priority, 5.4-6.2 s with them below it, in turns."""
    with contextlib.suppress(OSError):  # not allowed here: the forks run as they did
        os.nice(FORK_NICENESS)


def as_a_fork_of_the_fold() -> None:
    """How each fork of a fold (the helper, the write-behind) starts: ending with the
    fold, yielding the cores to it, collecting seldom."""
    end_with_the_fold()
    yield_to_the_fold()
    collect_seldom()


def handed(channel: Any, fork: Any, name: str) -> Any:
    """The next thing a fork of the fold hands over on `channel`, waited for as long as
    the fork lives (killed, it hands nothing more): RuntimeError naming it if it died."""
    while True:
        try:
            return channel.get(timeout=ALIVE_EVERY)
        except queue.Empty:  # is it still there?
            if not fork.is_alive():
                raise RuntimeError(f"the {name} stopped") from None


@dataclass
class Prepared:
    """A page as the helper hands it over."""

    first: int
    last: int
    last_hash: bytes
    #: The events the fold itself applies, in order, and their dossiers (streams).
    facts: list[Fact]
    streams: dict[int, bytes]
    #: Posting lists of the events the helper did: {(kind, term): [positions]}.
    postings: dict[tuple[str, str], list[int]]
    #: Their counts by the checkpoint each falls before: {boundary: {levels: Sums}}
    #: (levels 3: both, 2: ALL only).
    sums: dict[int, dict[int, Sums]]
    #: The targets of the page's changes, looked up here: their positions by id, and
    #: the log's own version of each (PageWriter.targets).
    targets: dict[str, int | None] = field(default_factory=dict)
    target_facts: dict[int, Fact | None] = field(default_factory=dict)


def usable(reader: FollowUp, app: FollowUp) -> bool:
    """Whether a helper can be forked for a fold: the store has connections of its
    own to make (not one in memory), and this is a process's main thread (a fork
    from another thread may inherit a lock that thread held)."""
    return (
        reader is not app
        and hasattr(os, "fork")
        and threading.current_thread() is threading.main_thread()
    )


class Helper:
    """The helper process of one catch-up, and the pages it hands over."""

    def __init__(
        self,
        app: FollowUp,
        folds: Folds,
        simple: Mapping[str, str],
        start: int,
        previous: bytes,
        target: int,
        page: int,
        delta: int,
    ) -> None:
        context = multiprocessing.get_context("fork")
        self.pages: Any = context.Queue(maxsize=AHEAD)
        self.process = context.Process(
            target=_run,
            args=(dict(app.env), app, folds, dict(simple), start, previous, target, page, delta),
            kwargs={"pages": self.pages},
            daemon=True,
            name="followup-views-helper",
        )
        self.process.start()

    def __iter__(self) -> Iterator[Prepared]:
        while True:
            found = handed(self.pages, self.process, "fold's helper process")
            if found is None:
                return
            if isinstance(found, tuple):  # what went wrong there
                kind, position, detail = found
                if kind == "damaged":
                    raise LogDamaged(position, detail)
                raise RuntimeError(f"the fold's helper failed: {detail}")
            yield found

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
        self.pages.close()


def _run(
    env: dict[str, str],
    app: FollowUp,
    folds: Folds,
    simple: dict[str, str],
    start: int,
    previous: bytes,
    target: int,
    page: int,
    delta: int,
    *,
    pages: Any,
) -> None:
    as_a_fork_of_the_fold()

    def hand(what: object) -> None:
        pages.put(what)

    try:
        reader = FollowUp(env, app.catalogue, app.clock)  # connections of its own
        feed = Feed(reader)
        position = start
        while position < target:
            found = feed.page(position, target, page, previous)
            if found is None:
                break
            prepared = _prepare(found.facts, found.streams, found.last_hash, folds, simple, delta)
            look_up(feed, folds, prepared, found.facts)
            hand(prepared)
            position, previous = found.last, found.last_hash
        hand(None)
    except LogDamaged as error:
        hand(("damaged", error.position, error.detail))
    except BaseException as error:
        hand(("failed", 0, f"{type(error).__name__}: {error}"))


def _prepare(
    facts: list[Fact],
    streams: list[bytes],
    last_hash: bytes,
    folds: Folds,
    simple: dict[str, str],
    delta: int,
) -> Prepared:
    """What PageWriter.record_shared does for the common events (count_and_index, and
    the same for those only ALL sees), for a page at once; the others are handed over."""
    handed: list[Fact] = []
    stream_of: dict[int, bytes] = {}
    postings: dict[tuple[str, str], list[int]] = {}
    sums: dict[int, dict[int, Sums]] = {}
    counts_of, parties_of = folds.counts, folds.parties
    for fact, stream in zip(facts, streams, strict=True):
        log_counter = simple.get(fact.type)
        position = fact.position
        if log_counter is None:
            handed.append(fact)
            stream_of[position] = stream
            continue
        levels = 2 if fact.classification == "confidential" else 3
        boundary = ((position - 1) // delta + 1) * delta
        window = sums.setdefault(boundary, {}).setdefault(levels, {})
        count_and_index(fact, counts_of(fact), parties_of(fact), log_counter, window, postings)
    return Prepared(
        facts[0].position, facts[-1].position, last_hash, handed, stream_of, postings, sums
    )


def look_up(feed: Feed, folds: Folds, prepared: Prepared, page: list[Fact]) -> None:
    """The targets of the page's changes (corrections, retractions, lowerings): their
    positions, and the log's own version of each (the page's, or read in one query).
    The fold would otherwise ask the store for each, one query at a time (8% of its
    time at a million events); the log is immutable, so the answers are the same."""
    wanted: dict[str, bytes | None] = {}  # each target, with the first change's dossier
    for fact in prepared.facts:
        event_type = folds.catalogue.types.get(fact.type)
        if event_type is None or event_type.effect is Effect.RECORD:
            continue
        target = str(event_type.target_of(fact.payload))
        wanted.setdefault(target, prepared.streams.get(fact.position))
    targets = prepared.targets
    targets.update(target_positions(feed, wanted))
    facts = prepared.target_facts
    first = page[0].position
    earlier = []
    for position in {p for p in targets.values() if p is not None}:
        if first <= position <= prepared.last:
            facts[position] = as_folded(folds, page[position - first])
        else:
            earlier.append(position)
    for row in feed.scanner.rows_at(sorted(earlier)) if earlier else []:
        facts[row.position] = as_folded(folds, feed.fact(row))
