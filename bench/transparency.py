"""The Merkle tree's cost and speed: appending with the tree kept against the chained
append as it was before the tree (the same recorder with `keeps_tree = False`), in the
same run, on the same backends; and inclusion proofs on a large log.

    python -m bench.transparency [--events N] [--proof-events M]

Figures:
- append throughput with the tree kept, as a ratio to the chain alone, one event per
  transaction and 100 per transaction, into stores already holding `--history` events,
  on SQLite and PostgreSQL (the same rounds as bench.store). Target: at most 10% more
  time, i.e. >= 0.91x.
- inclusion proof p50 and p99 on a log of `--proof-events` events (SQLite; the tree
  built with the events, 10,000 per transaction), for random events against the tree
  at its head. Target: p50 <= 5 ms. Each proof is checked by the auditor's verifier.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adapters import postgres_store, sqlite_store
from auditor import tlog
from bench.common import Figure, publish
from bench.store import compare_appends, fill, postgres_factory, stored_events
from core import merkle
from tests.postgres import running_cluster

FULL_ARGS = ("--events", "1000", "--history", "50000", "--proof-events", "1000000")
QUICK_ARGS = ("--events", "300", "--history", "10000", "--proof-events", "50000")
PROOFS = 300


class ChainOnlySQLite(sqlite_store.ChainedSQLiteApplicationRecorder):
    keeps_tree = False


class ChainOnlyPostgres(postgres_store.ChainedPostgresApplicationRecorder):
    keeps_tree = False


def append_figures(backend: str, chain: Any, tree: Any, count: int, history: int) -> list[Figure]:
    fill(chain, history)
    fill(tree, history)
    figures = []
    for batch in (1, 100):
        n = count if batch == 1 else count * 10
        chain_rate, tree_rate = compare_appends(chain, tree, n, batch)
        per = "1 event" if batch == 1 else f"{batch} events"
        figures.append(
            Figure(
                f"{backend} append with the tree, {per} per transaction, "
                f"into a store of {history:,} events",
                tree_rate,
                "events/s",
                baseline=chain_rate,
                target=">= 0.91x the chain alone (<= 10% more time)",
                met=tree_rate >= chain_rate / 1.10,
            )
        )
    return figures


def proof_figures(recorder: Any, size: int) -> list[Figure]:
    for first in range(0, size, 10_000):
        recorder.insert_events(stored_events(min(10_000, size - first)))
    source = recorder.tree_source()
    head = recorder.max_notification_id()
    root = merkle.root_at(source, head)
    rng = random.Random(1)
    times = []
    for _ in range(PROOFS):
        index = rng.randrange(head)
        start = time.perf_counter()
        proof = merkle.inclusion_proof(source, index, head)
        leaf = source.leaf_hashes(index, 1)[0]
        times.append(time.perf_counter() - start)
        tlog.verify_inclusion(index, head, leaf, proof, root)
    times.sort()
    p50 = statistics.median(times) * 1000
    p99 = times[int(len(times) * 0.99)] * 1000
    return [
        Figure(f"inclusion proof p50, log of {head:,} events (SQLite)", p50, "ms",
               target="<= 5 ms", met=p50 <= 5),
        Figure(f"inclusion proof p99, log of {head:,} events (SQLite)", p99, "ms"),
    ]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(prog="python -m bench.transparency", description=__doc__)
    parser.add_argument("--events", type=int, default=300, help="single-event appends")
    parser.add_argument("--history", type=int, default=10_000, help="events held before")
    parser.add_argument("--proof-events", type=int, default=100_000, help="log size for proofs")
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="followup-bench-") as tmp:
        factories = [
            sqlite_store.Factory(
                {
                    "SQLITE_DBNAME": str(Path(tmp) / f"{name}.sqlite"),
                    "APPLICATION_RECORDER_TOPIC": topic,
                }
            )
            for name, topic in (
                ("chain", f"{__name__}:ChainOnlySQLite"),
                ("tree", "adapters.sqlite_store:ChainedSQLiteApplicationRecorder"),
                ("proofs", "adapters.sqlite_store:ChainedSQLiteApplicationRecorder"),
            )
        ]
        try:
            chain, tree, proofs = (f.application_recorder() for f in factories)
            figures += append_figures("SQLite", chain, tree, args.events, args.history)
            figures += proof_figures(proofs, args.proof_events)
        finally:
            for factory in factories:
                factory.close()
    with running_cluster() as cluster:
        made = []
        try:
            for topic in (f"{__name__}:ChainOnlyPostgres", None):
                made.append(postgres_factory(cluster, plain=False, topic=topic))
            chain, tree = (f.application_recorder() for f in made)
            figures += append_figures("PostgreSQL", chain, tree, args.events, args.history)
        finally:
            for factory in made:
                factory.close()
    return figures


if __name__ == "__main__":
    publish("transparency", main())
