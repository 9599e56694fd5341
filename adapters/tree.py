"""The Merkle tree's stored nodes (core/merkle.py) as the SQL stores keep them, and the
append path's part: the nodes each transaction of appends completes, written in that
transaction.

The frontier (the roots of the current tree's complete subtrees) is remembered between
transactions, keyed by the log's last position and chain digest: the chain digest
commits to every event before it, so a frontier remembered for (position, digest) is
right for any store whose log ends there; another process's appends (a new last
position) only make the next append rebuild it from the stored nodes and at most 63
events."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from auditor.tlog import leaf_hash
from core.integrity import canonical_bytes_of
from core.merkle import CHUNK, CHUNK_LEVEL, Frontier, Key, Node, built_frontier

TABLE = "merkle_nodes"

SQLITE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (level INTEGER NOT NULL, idx INTEGER NOT NULL, "
    "hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID"
)

#: fetch(sql with `?` placeholders, params) -> rows as tuples.
Fetch = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


class SqlTreeSource:
    """A TreeSource reading the nodes table and the event rows through `fetch`, inside
    whatever transaction `fetch` runs in. `events` and `position` name the log's table
    and its position column; `stream_bytes` turns a stored originator id into bytes."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        nodes: str,
        events: str,
        position: str,
        stream_bytes: Callable[[Any], bytes],
    ) -> None:
        self._fetch = fetch
        self._nodes = nodes
        self._events = events
        self._position = position
        self._stream_bytes = stream_bytes

    def tree_nodes(self, keys: Sequence[Key]) -> Mapping[Key, bytes]:
        found: dict[Key, bytes] = {}
        for start in range(0, len(keys), 200):
            part = keys[start : start + 200]
            if not part:
                break
            where = " OR ".join("(level = ? AND idx = ?)" for _ in part)
            rows = self._fetch(
                f"SELECT level, idx, hash FROM {self._nodes} WHERE {where}",  # noqa: S608
                [value for key in part for value in key],
            )
            found.update({(int(level), int(idx)): bytes(h) for level, idx, h in rows})
        return found

    def leaf_hashes(self, first: int, count: int) -> list[bytes]:
        rows = self._fetch(
            f"SELECT originator_id, originator_version, topic, state, recorded_at "  # noqa: S608
            f"FROM {self._events} WHERE {self._position} > ? ORDER BY {self._position} LIMIT ?",
            [first, count],
        )
        stream = self._stream_bytes
        return [
            leaf_hash(canonical_bytes_of(stream(o), v, t, bytes(s), r)) for o, v, t, s, r in rows
        ]

    def tree_covered(self) -> int:
        rows = self._fetch(
            f"SELECT MAX(idx) FROM {self._nodes} WHERE level = ?",  # noqa: S608
            [CHUNK_LEVEL],
        )
        last = rows[0][0] if rows else None
        return 0 if last is None else (int(last) + 1) * CHUNK


class TreeKeeper:
    """The frontier the last append of this process left, for the next one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: tuple[int, bytes, Frontier] | None = None

    def frontier(self, source: Any, last: int, digest: bytes) -> tuple[Frontier, list[Node]]:
        """The frontier of the log ending at position `last` with chain `digest`, and
        the nodes missing below it (none unless the tree is behind the log)."""
        with self._lock:
            known = self._known
        if known is not None and known[0] == last and known[1] == digest:
            return known[2], []
        return built_frontier(source, last)

    def rebuilt(self, source: Any, last: int, digest: bytes) -> list[Node]:
        """The nodes missing below position `last` (whatever is remembered): building
        the tree for a log recorded without it."""
        frontier, missing = built_frontier(source, last)
        with self._lock:
            self._known = (last, digest, frontier)
        return missing

    def appended(
        self, source: Any, last: int, digest: bytes, leaves: Sequence[bytes], end: bytes
    ) -> list[Node]:
        """The nodes to store for `leaves` appended after position `last` (digest
        `digest`), the new log ending with chain digest `end`."""
        frontier, missing = self.frontier(source, last, digest)
        frontier, nodes = frontier.extend(leaves)
        with self._lock:
            self._known = (frontier.size, end, frontier)
        return missing + nodes
