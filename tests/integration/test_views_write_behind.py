"""A long fold writes each page from a process of its own while it folds the next
ones (core/views/behind.py): a page is written whole or not at all, only where the views
still are where the fold left them, and a busy database is waited for within the
fold's patience. Folds racing each other, each with its write-behind, still apply
every event once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.integrity import GENESIS
from core.views import behind, writing
from core.views.behind import Busy, Moved, WriteBehind
from core.views.follower import LEASE
from core.views.helper import FORK_NICENESS, Helper
from core.views.model import Level
from core.views.projection import ViewsBusy
from core.views.writing import Totals
from tests.integration.test_projection import (
    answers,
    correct_title,
    record_samples,
    sign_agreement,
    store_url,
    tables,
    with_every_type,
)
from tests.integration.test_views_stores import slowly


def fresh_totals() -> dict[int, Totals]:
    return {1: Totals(), 2: Totals()}


def with_views(url: str):
    """A store with events and the views' tables, none folded yet."""
    services = record_samples(url)
    assert services.views.projection.tracking() == (0, "")
    return services


MEMBER = "INSERT INTO view_members (view, key, position) VALUES (?,?,?)"
TRACK = "UPDATE view_tracking SET position = ?, hash = ? WHERE name = 'views'"


def every_reading(services):
    """What the views say as of every position, at every level (and their tables)."""
    projection = services.views.projection
    readings = [answers(services), tables(services)]
    for position in range(services.app.head().position + 1):
        for level in Level:
            snapshot = projection.snapshot(position, level)
            readings.append((snapshot.entries(), snapshot.items("agreements")))
    return readings


def folded_in_process(services):
    """The same, once the views are folded again in this process, page by page."""
    projection = services.views.projection
    projection.helper_min, projection.page = 10**9, 5_000
    projection.rebuild()
    return every_reading(services)


def folded_a_page_at_a_time_written_slowly(services, monkeypatch) -> bool:
    """Fold the log with a helper and a write-behind, a page per event, each page
    written slowly (while the next ones are folded): whether the views then read as
    a fold in this process makes them, at every position and level."""
    monkeypatch.setattr(behind, "_write", slowly(behind._write, 0.3))  # forked: kept
    projection = services.views.projection
    projection.helper_min, projection.page = 0, 1
    assert projection.catch_up() == services.app.head().position
    written = every_reading(services)
    same = written == folded_in_process(services)
    services.close()
    return same


def written(services, start, digest, statements, patience=None):
    """What a write-behind of its own says of one page: the position it wrote."""
    behind = WriteBehind(services.app, patience, fresh_totals())
    try:
        behind.submit(start, digest, statements, [])
        return behind.wait()
    finally:
        behind.close()


def test_a_page_is_written_where_the_views_are(sqlite_url):
    services = with_views(sqlite_url)
    page = [(MEMBER, [("agreements", "A", 1)]), (TRACK, [(1, "ab")])]
    assert written(services, 0, "", page) == 1
    assert services.views.projection.tracking() == (1, "ab")
    assert tables(services)["view_members"] == 1
    services.close()


def test_a_page_folded_where_the_views_no_longer_are_writes_nothing(sqlite_url):
    services = with_views(sqlite_url)
    # Folded from position 3, but the views are at 0 (another process rebuilt...).
    with pytest.raises(Moved, match="at 0, not 3"):
        written(services, 3, "cd", [(MEMBER, [("agreements", "A", 4)]), (TRACK, [(4, "ef")])])
    assert services.views.projection.tracking() == (0, "")
    assert tables(services)["view_members"] == 0
    services.close()


def test_a_page_that_fails_half_way_writes_none_of_it(sqlite_url):
    services = with_views(sqlite_url)
    statements = [
        (MEMBER, [("agreements", "A", 1)]),
        ("INSERT INTO view_members (view) VALUES (?)", [("no key",)]),
        (TRACK, [(1, "ab")]),
    ]
    with pytest.raises(RuntimeError, match="writing process failed: IntegrityError"):
        written(services, 0, "", statements)
    assert services.views.projection.tracking() == (0, "")
    assert tables(services)["view_members"] == 0
    services.close()


#: The log's writers in the middle of a batch, in another process (a connection of
#: this one would be inherited by the writing process's fork, its lock with it): the
#: database's write lock, held for a while.
HOLDER = """
import sqlite3, sys, time
holder = sqlite3.connect(sys.argv[1], isolation_level=None)
holder.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
holder.rollback()
"""


def holding(url: str, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url.removeprefix("sqlite:///"), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def test_a_busy_database_is_waited_for_then_written(sqlite_url):
    services = with_views(sqlite_url)
    holder = holding(sqlite_url, 0.6)
    started = time.monotonic()
    assert written(services, 0, "", [(TRACK, [(1, "ab")])], patience=30.0) == 1
    assert time.monotonic() - started >= 0.5
    holder.wait(10)
    services.close()


def test_a_database_busy_beyond_patience_gives_up_and_keeps_what_it_wrote(sqlite_url):
    services = record_samples(sqlite_url)
    projection = services.views.projection
    projection.helper_min, projection.page = 0, 3
    head = services.app.head().position
    holder = holding(sqlite_url, 3.0)
    with pytest.raises(ViewsBusy):
        projection.catch_up(patience=0.5)
    holder.wait(10)
    assert projection.position() == 0
    assert projection.catch_up() == head
    written = every_reading(services)
    assert written == folded_in_process(services)
    services.close()


def test_pages_left_unanswered_after_a_failure_are_not_written_out(sqlite_url):
    """Three pages in flight, the database busy beyond the writer's patience: the first
    fails, and the fold stops. The two after it cannot be written after it; closing
    the writer ends it at once, not after each has waited out its patience too."""
    services = with_views(sqlite_url)
    holder = holding(sqlite_url, 3.5)
    behind = WriteBehind(services.app, 1.0, fresh_totals())
    try:
        for page in range(3):
            digest = "ab" * page
            behind.submit(page, digest, [(TRACK, [(page + 1, "ab" * (page + 1))])], [])
        with pytest.raises(Busy):
            behind.wait()
    finally:
        started = time.monotonic()
        behind.close()
        closed = time.monotonic() - started
    assert not behind.process.is_alive()
    assert closed < 1.0  # the writer would have tried two more pages, 1 s each
    holder.wait(10)
    assert services.views.projection.tracking() == (0, "")
    services.close()


def test_a_page_written_behind_reports_a_failure_of_its_process(sqlite_url):
    services = with_views(sqlite_url)
    behind = WriteBehind(services.app, None, fresh_totals())
    behind.process.kill()
    behind.process.join(5)
    try:
        behind.submit(0, "", [(TRACK, [(1, "ab")])], [])
        with pytest.raises(RuntimeError, match="writing process stopped"):
            behind.wait()
    finally:
        behind.close()
    assert services.views.projection.tracking() == (0, "")
    services.close()


#: A worker of its own (a process: helpers are forked from a main thread) folding
#: the whole log with a helper and a write-behind, a few events a page.
RACER = """
import sys
from followup.bootstrap import bootstrap
services = bootstrap(sys.argv[1], load_entry_points=False)
projection = services.views.projection
projection.helper_min, projection.page = 0, 3
print(projection.catch_up())
services.close()
"""


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_folds_racing_with_their_write_behinds_apply_each_event_once(
    store, sqlite_url, postgres_cluster
):
    url = store_url(store, sqlite_url, postgres_cluster)
    writer = with_every_type(url)
    head = writer.app.head().position
    racers = [
        subprocess.Popen([sys.executable, "-c", RACER, url], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    for racer in racers:
        out, _ = racer.communicate(timeout=300)
        assert racer.returncode == 0
        assert int(out.split()[-1]) == head
    shared, counts = answers(writer), tables(writer)
    writer.views.projection.rebuild()
    assert answers(writer) == shared
    assert tables(writer) == counts
    writer.close()


def test_a_page_reads_what_the_page_being_written_changed(sqlite_url, monkeypatch):
    """An event corrected, corrected again, lowered and retracted, a page each, each
    page folded while the ones before are still being written (slowly): every page
    must take the event (and the items it is in) as the nearest page before left it,
    not as the tables still hold it."""
    services = with_views(sqlite_url)
    app = services.app
    signed = app.record_raw(
        {
            "type": "AgreementSigned",
            "occurred_on": "2005-10-27",
            "agreement": "ESA-AUT-2030",
            "kind": "enforcement_of_sentences",
            "parties": ["AUT"],
            "title": "Agreement on the enforcement of sentences",
            "classification": "confidential",
        },
        "tester",
        None,
    )
    target = str(signed.id)
    for changes in ({"title": "Enforcement"}, {"occurred_on": "2006-02-01"}, {"parties": ["FRA"]}):
        app.record_raw(
            {
                "type": "EventCorrected",
                "occurred_on": "2010-12-02",
                "corrects": target,
                "changes": changes,
                "reason": "corrected",
            },
            "tester",
            None,
        )
    app.record_raw(
        {
            "type": "ClassificationLowered",
            "occurred_on": "2011-01-01",
            "lowers": target,
            "lowered_to": "public",
            "reason": "unsealed",
        },
        "tester",
        None,
    )
    app.record_raw(
        {"type": "EventRetracted", "occurred_on": "2011-02-01", "retracts": target, "reason": "x"},
        "tester",
        None,
    )
    assert folded_a_page_at_a_time_written_slowly(services, monkeypatch)


#: A fold with a helper and a write-behind, slowed down, that says when it is under way.
KILLED = """
import sys, time
from core.views import behind
from followup.bootstrap import bootstrap
write = behind._write
behind._write = lambda *args: (time.sleep(0.3), write(*args))[1]
services = bootstrap(sys.argv[1], load_entry_points=False)
projection = services.views.projection
projection.helper_min, projection.page = 0, 1
projection.catch_up(progress=lambda at: print("folding", flush=True))
"""


def processes_naming(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_bytes().decode():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def killed_leaving_nothing(fold: subprocess.Popen[bytes], url: str) -> bool:
    """Kill a fold's process: whether, within 10 s, no process of its store is left."""
    fold.kill()
    fold.wait(10)
    deadline = time.monotonic() + 10
    while processes_naming(url) and time.monotonic() < deadline:
        time.sleep(0.1)
    return processes_naming(url) == []


def test_a_fold_killed_leaves_no_process_behind(sqlite_url):
    with_every_type(sqlite_url).close()
    fold = subprocess.Popen([sys.executable, "-c", KILLED, sqlite_url], stdout=subprocess.PIPE)
    assert fold.stdout is not None and fold.stdout.readline() == b"folding\n"
    assert len(processes_naming(sqlite_url)) == 3  # the fold, its helper, its writer
    assert killed_leaving_nothing(fold, sqlite_url)


#: A fold holding the follower's lease whose writer has an answer on its way that is
#: too big for a pipe's buffer (monthly sums of 20,000 counters): the writer's queue
#: waits for the fold to read it.
ABANDONED = """
import sys, time
from core.views.behind import WriteBehind
from core.views.follower import LEASE
from core.views.writing import Totals
from followup.bootstrap import bootstrap
services = bootstrap(sys.argv[1], load_entry_points=False)
with services.sql.lease(LEASE) as held:
    big = Totals({(f"events.Type{n}", "2020-01"): 1 for n in range(20_000)})
    behind = WriteBehind(services.app, None, {1: big, 2: Totals()})
    behind._jobs.put("totals")
    print(held, flush=True)
    time.sleep(60)
"""


def test_a_fold_killed_while_its_writer_answers_leaves_neither_process_nor_lease(sqlite_url):
    services = with_every_type(sqlite_url)
    fold = subprocess.Popen([sys.executable, "-c", ABANDONED, sqlite_url], stdout=subprocess.PIPE)
    assert fold.stdout is not None and fold.stdout.readline() == b"True\n"
    time.sleep(0.5)  # the writer has its answer under way
    assert killed_leaving_nothing(fold, sqlite_url)
    assert lease_taken_within(services, 5.0)  # a follower may take over
    services.close()


def lease_taken_within(services, seconds: float) -> bool:
    """Whether the follower's lease can be taken within `seconds`: a process that is
    exiting has already left /proc's list of those naming the store (its memory is
    gone) a moment before the system has closed its files and released its locks."""
    deadline = time.monotonic() + seconds
    while True:
        with services.sql.lease(LEASE) as held:
            if held or time.monotonic() > deadline:
                return held
        time.sleep(0.05)


def test_a_fold_whose_helper_was_killed_stops_with_an_error(sqlite_url):
    services = with_every_type(sqlite_url)
    projection = services.views.projection
    head = services.app.head().position
    helper = Helper(
        services.app, services.views.folds, projection._simple, 0, GENESIS, head, 1, 2000
    )
    try:
        pages = iter(helper)
        assert next(pages).first == 1  # it reads ahead, then waits for the fold
        helper.process.kill()
        helper.process.join(10)
        with pytest.raises(RuntimeError, match="helper process stopped"):
            for _ in pages:  # what it handed before it died, then the error
                pass
    finally:
        helper.close()
    services.close()


def test_a_folds_forks_yield_the_cores_to_the_fold(sqlite_url):
    """The helper and the writer run below the fold's own priority: every page waits on
    the fold, so it has a core first."""
    services = with_every_type(sqlite_url)
    projection = services.views.projection
    head = services.app.head().position
    own = os.getpriority(os.PRIO_PROCESS, 0)
    helper = Helper(
        services.app, services.views.folds, projection._simple, 0, GENESIS, head, 1, 2000
    )
    writer = WriteBehind(services.app, None, {1: Totals(), 2: Totals()})
    try:
        assert next(iter(helper)).first == 1  # it has started its work
        assert writer.totals() is not None  # and so has the writer
        for fork in (helper.process, writer.process):
            assert os.getpriority(os.PRIO_PROCESS, fork.pid) == min(own + FORK_NICENESS, 19)
    finally:
        helper.close()
        writer.close()
    assert os.getpriority(os.PRIO_PROCESS, 0) == own  # the fold's is its own
    services.close()


def test_an_item_a_page_still_being_written_changed_is_not_forgotten(sqlite_url, monkeypatch):
    """The fold keeps only KEPT_ITEMS items between pages (one here), and reads back
    from the tables the items it forgot. An agreement signed (a page), another (the
    next page), the first corrected (the third): while the third is folded, the first
    page may still be being written (slowly here), so the fold must not have forgotten
    the first agreement, or it would take it as the tables still hold it (not at all)."""
    monkeypatch.setattr(writing, "KEPT_ITEMS", 1)
    services = with_views(sqlite_url)
    app = services.app
    first = sign_agreement(app, "ESA-AUT-2030", "AUT")
    sign_agreement(app, "ESA-FRA-2031", "FRA")
    correct_title(app, first, "Enforcement")
    assert folded_a_page_at_a_time_written_slowly(services, monkeypatch)


def test_progress_is_told_as_pages_are_written_not_pages_later(sqlite_url, monkeypatch):
    """Up to IN_FLIGHT pages are handed over before the fold waits for the first; an
    answer already there is taken at once, so that what the fold reports (the lines of
    `followup views follow`) follows the writing. Here the fold is slow (0.1 s a page)
    and the writing quick: a page's position is told before the page after next is
    folded, not once IN_FLIGHT more are."""
    services = with_views(sqlite_url)
    projection = services.views.projection
    fold = projection._fold

    def slowly(*args, **kwargs):
        time.sleep(0.1)
        return fold(*args, **kwargs)

    monkeypatch.setattr(projection, "_fold", slowly)
    projection.helper_min, projection.page = 0, 1
    lags: list[int] = []
    projection.catch_up(progress=lambda at: lags.append(projection._book_position - at))
    head = services.app.head().position
    services.close()
    assert len(lags) == head
    # Told late only where the machine kept a page's writing from keeping up.
    assert sum(lag <= 1 for lag in lags) >= len(lags) / 2
