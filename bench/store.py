"""The chained store against eventsourcing's plain recorders, in the same run, on the
same backends, with the same stored events.

    python -m bench.store [--events N] [--verify-events M]

Figures:
- append throughput of our chained recorder as a ratio to eventsourcing's plain one,
  one event per transaction (as the API appends) and 100 per transaction (imports),
  on SQLite (same file settings for both: WAL, synchronous=FULL) and on PostgreSQL (a
  throwaway cluster on loopback, started by the bench; fsync off, so that the chain's
  own cost is not hidden behind the disk). Target >= 0.8x, into stores that already
  hold `--history` events each (a log in use has a history: appends to an empty store
  are a transient, in which the chain's fixed cost per event weighs most); the same
  figures into empty stores are printed too, for information.
- verify throughput in events/s on SQLite (target >= 100,000), with eventsourcing's
  own read of the same rows (select_notifications) as the baseline for context; and
  on PostgreSQL, for information.
Appends are timed in rounds, plain and chained back to back (alternating which goes
first), and each figure is the median round: a noisy machine spoils rounds, not figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import ApplicationRecorder, StoredEvent

from adapters import postgres_store, sqlite_store
from bench.common import Figure, publish
from core.verification import verify_log
from tests.postgres import SUPERUSER, running_cluster

PLAIN_SQLITE = "eventsourcing.sqlite:SQLiteApplicationRecorder"
PLAIN_POSTGRES = "eventsourcing.postgres:PostgresApplicationRecorder"
ROUNDS = 20
#: How `make bench` drives it (bench/__main__.py): full, and quick (under a minute).
FULL_ARGS = ("--events", "1000", "--verify-events", "100000", "--history", "50000")
QUICK_ARGS = ("--events", "300", "--verify-events", "20000", "--history", "10000")


def state(i: int) -> bytes:
    """A stored state the size and shape of a real one (about 450 bytes of JSON)."""
    return json.dumps(
        {
            "timestamp": {
                "_type_": "datetime_iso",
                "_data_": f"2026-01-02T03:04:05.{i % 10**6:06d}",
            },
            "originator_topic": "core.dossier:Dossier",
            "subject": None,
            "type": "WorkshopHeld",
            "occurred_on": {"_type_": "date_iso", "_data_": "2008-05-05"},
            "summary": f"Seminar {i}",
            "recommendations": [4, 17],
            "sources": [],
            "classification": "public",
            "recorded_by": "focal-point",
            "payload": {
                "attendees": 30,
                "organiser": "AU",
                "participants": ["KEN", "UGA"],
                "title": f"Seminar on cooperation {i}",
                "topics": ["cooperation"],
            },
        },
        separators=(",", ":"),
    ).encode()


def stored_events(count: int) -> list[StoredEvent]:
    return [StoredEvent(uuid4(), 1, "core.dossier:Dossier.Opened", state(i)) for i in range(count)]


def append_rate(recorder: ApplicationRecorder, events: Sequence[StoredEvent], batch: int) -> float:
    """Seconds taken to append `events`, `batch` per transaction."""
    start = time.perf_counter()
    for i in range(0, len(events), batch):
        recorder.insert_events(events[i : i + batch])
    return time.perf_counter() - start


def compare_appends(
    plain: ApplicationRecorder, chained: ApplicationRecorder, count: int, batch: int
) -> tuple[float, float]:
    """Events/s of each: the median over rounds, each round timing both back to back
    (which goes first alternates), so that a burst of load from elsewhere on the
    machine spoils a round or two, not the figure."""
    append_rate(plain, stored_events(batch), batch)
    append_rate(chained, stored_events(batch), batch)
    per_round = max(batch, count // ROUNDS // batch * batch)
    plain_rates: list[float] = []
    chained_rates: list[float] = []
    for round_number in range(max(ROUNDS, count // per_round)):
        pair = [(plain, plain_rates), (chained, chained_rates)]
        for recorder, rates in pair if round_number % 2 else reversed(pair):
            rates.append(per_round / append_rate(recorder, stored_events(per_round), batch))
    return statistics.median(plain_rates), statistics.median(chained_rates)


def read_rate(read: Callable[[], int]) -> float:
    start = time.perf_counter()
    count = read()
    return count / (time.perf_counter() - start)


def read_all_notifications(recorder: ApplicationRecorder) -> int:
    count = 0
    start: int | None = None
    while rows := recorder.select_notifications(
        start=start, limit=10_000, inclusive_of_start=False
    ):
        count += len(rows)
        start = rows[-1].id
    return count


def fill(recorder: ApplicationRecorder, count: int) -> None:
    """Append `count` events (none when count <= 0), 1,000 per transaction."""
    for i in range(0, count, 1000):
        recorder.insert_events(stored_events(min(1000, count - i)))


@contextmanager
def sqlite_recorders(directory: Path) -> Iterator[tuple[Any, Any, list[Any]]]:
    factories = [
        sqlite_store.Factory(
            {
                "SQLITE_DBNAME": str(directory / "plain.sqlite"),
                "APPLICATION_RECORDER_TOPIC": PLAIN_SQLITE,
            }
        ),
        sqlite_store.Factory({"SQLITE_DBNAME": str(directory / "chained.sqlite")}),
    ]
    try:
        yield factories[0].application_recorder(), factories[1].application_recorder(), factories
    finally:
        for factory in factories:
            factory.close()


def postgres_factory(cluster: Any, plain: bool, topic: str | None = None) -> postgres_store.Factory:
    """A fresh database's recorder: eventsourcing's plain one, ours, or `topic`'s."""
    env = {
        "POSTGRES_DBNAME": cluster.create_database(),
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": str(cluster.port),
        "POSTGRES_USER": SUPERUSER,
        "POSTGRES_PASSWORD": cluster.password,
    }
    if plain or topic:
        env["APPLICATION_RECORDER_TOPIC"] = topic or PLAIN_POSTGRES
    return postgres_store.Factory(env)


def append_figures(
    backend: str, plain: Any, chained: Any, count: int, history: int
) -> list[Figure]:
    """The append figures into the two (empty) stores, then, once each holds `history`
    events, again: those are the ones the target is for."""
    figures = []
    for held in (0, history):
        if held:
            fill(plain, held - (plain.max_notification_id() or 0))
            fill(chained, held - (chained.max_notification_id() or 0))
        for batch in (1, 100):
            n = count if batch == 1 else count * 10
            plain_rate, chained_rate = compare_appends(plain, chained, n, batch)
            per = "1 event" if batch == 1 else f"{batch} events"
            into = f"a store of {held:,} events" if held else "an empty store"
            figures.append(
                Figure(
                    f"{backend} append, {per} per transaction, into {into}",
                    chained_rate,
                    "events/s",
                    baseline=plain_rate,
                    target=">= 0.8x plain" if held else "(information)",
                    met=chained_rate >= 0.8 * plain_rate if held else None,
                )
            )
    return figures


def main(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__)
    parser.add_argument(
        "--events", type=int, default=1000, help="single-event appends per recorder"
    )
    parser.add_argument(
        "--verify-events", type=int, default=100_000, help="size of the log verified"
    )
    parser.add_argument(
        "--history", type=int, default=50_000, help="events each store holds before appending"
    )
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="followup-bench-") as tmp:
        with sqlite_recorders(Path(tmp)) as (plain, chained, _):
            figures += append_figures("SQLite", plain, chained, args.events, args.history)
        with sqlite_recorders(Path(tempfile.mkdtemp(dir=tmp))) as (_, chained, _):
            fill(chained, args.verify_events)
            baseline = read_rate(lambda: read_all_notifications(chained))
            verdict_rate = read_rate(lambda: verify_log(chained).count)
            figures.append(
                Figure(
                    f"SQLite verify, {args.verify_events} events",
                    verdict_rate,
                    "events/s",
                    baseline=baseline,
                    target=">= 100,000 events/s",
                    met=verdict_rate >= 100_000,
                )
            )
    with running_cluster() as cluster:
        plain_factory = postgres_factory(cluster, plain=True)
        chained_factory = postgres_factory(cluster, plain=False)
        factories = [plain_factory, chained_factory]
        try:
            plain = plain_factory.application_recorder()
            chained = chained_factory.application_recorder()
            figures += append_figures("PostgreSQL", plain, chained, args.events, args.history)
            verify_factory = postgres_factory(cluster, plain=False)
            factories.append(verify_factory)
            chained = verify_factory.application_recorder()
            fill(chained, args.verify_events)
            baseline = read_rate(lambda: read_all_notifications(chained))
            rate = read_rate(lambda: verify_log(chained).count)
            figures.append(
                Figure(
                    f"PostgreSQL verify, {args.verify_events} events",
                    rate,
                    "events/s",
                    baseline=baseline,
                    target="(information)",
                )
            )
        finally:
            for factory in factories:
                factory.close()
    return figures


if __name__ == "__main__":
    publish("store", main())
