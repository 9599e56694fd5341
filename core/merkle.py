"""The log's Merkle tree (RFC 9162), kept beside the hash chain, so that the log can
prove to outsiders what it holds: a root hash for every size (signed in checkpoints),
an inclusion proof for each event, a consistency proof between any two sizes.

Leaf i (from 0) is the event at position i + 1: SHA-256(0x00 || its canonical bytes,
the same bytes the chain hashes). Positions have no gaps, so a tree of n leaves is the
log's first n events, and the root at n is fixed by them alone.

What is stored, and why so little: the root of every complete, aligned subtree of
CHUNK (64) leaves or more, ``(level, index) -> hash`` (level 6 and up; about one row
per 32 events), written in the transaction that appends the events. Appending then
costs one more hash per event (the leaf) and about one per node above it, and writes
one small row per 32 events; the append path keeps the tree's frontier (the roots of
the complete subtrees that make the current tree, O(log n) hashes) in memory between
transactions, and rebuilds it from the stored nodes and the last partial chunk's
events when another process appended meanwhile. Anything below a chunk is recomputed
from the events when needed: a proof reads at most two chunks of events (128) and a
few stored nodes, whatever the log's length.

The stored nodes are derived: `followup verify` checks every one against the events,
and `verify --checkpoint` recomputes the root from the events alone, never from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from auditor.tlog import EMPTY_ROOT, node_hash, root_of, split

#: Nodes are stored from this level up: subtrees of CHUNK leaves and more.
CHUNK_LEVEL = 6
CHUNK = 1 << CHUNK_LEVEL
#: Leaves read per step when the tree is built for an existing log.
PAGE = 4096

Key = tuple[
    int, int
]  # (level, index): the subtree of leaves [index * 2^level, (index+1) * 2^level)
Node = tuple[int, int, bytes]


class TreeError(Exception):
    """The stored tree cannot answer: not built yet, or it disagrees with the log."""


class TreeSource(Protocol):
    """Where the tree's parts come from: stored nodes, and leaves hashed from events."""

    def tree_nodes(self, keys: Sequence[Key]) -> Mapping[Key, bytes]:
        """The stored nodes among `keys` (missing ones are left out)."""
        ...

    def leaf_hashes(self, first: int, count: int) -> list[bytes]:
        """Leaves first..first+count-1 (fewer if the log is shorter), from the events."""
        ...

    def tree_covered(self) -> int:
        """How many leaves the stored chunks cover (a multiple of CHUNK)."""
        ...


@dataclass(frozen=True)
class Frontier:
    """The roots of the complete subtrees that make a tree of `size` leaves, largest
    first (one per set bit of `size`): all an append needs to know of the past."""

    size: int = 0
    roots: tuple[bytes, ...] = ()

    @staticmethod
    def keys(size: int) -> list[Key]:
        """The (level, index) of each subtree of the frontier of `size`."""
        keys = []
        start = 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                keys.append((level, start >> level))
                start += 1 << level
        return keys

    def extend(self, leaves: Iterable[bytes]) -> tuple[Frontier, list[Node]]:
        """The frontier after `leaves`, and the nodes of level CHUNK_LEVEL and up that
        they complete (to store)."""
        size = self.size
        roots = list(self.roots)
        completed: list[Node] = []
        for leaf in leaves:
            hashed, level, bits = leaf, 0, size
            while bits & 1:
                hashed = node_hash(roots.pop(), hashed)
                level += 1
                bits >>= 1
                if level >= CHUNK_LEVEL:
                    completed.append((level, ((size + 1) >> level) - 1, hashed))
            roots.append(hashed)
            size += 1
        return Frontier(size, tuple(roots)), completed

    def root(self) -> bytes:
        if not self.roots:
            return EMPTY_ROOT
        accumulated = self.roots[-1]
        for hashed in reversed(self.roots[:-1]):
            accumulated = node_hash(hashed, accumulated)
        return accumulated


def built_frontier(source: TreeSource, size: int) -> tuple[Frontier, list[Node]]:
    """The frontier of the first `size` leaves, from the stored chunks and the events
    after them, and the nodes that were missing (the tree of a log recorded before it
    was kept, or behind it): the caller stores them."""
    covered = source.tree_covered()
    if covered > size:
        raise TreeError(
            f"the Merkle tree covers {covered} events, the log has {size}: the log lost "
            "events at its end (run followup verify)"
        )
    keys = Frontier.keys(covered)
    found = source.tree_nodes(keys)
    if len(found) != len(keys):
        raise TreeError(f"the Merkle tree is missing nodes below {covered} events")
    frontier = Frontier(covered, tuple(found[key] for key in keys))
    missing: list[Node] = []
    while frontier.size < size:
        leaves = source.leaf_hashes(frontier.size, min(PAGE, size - frontier.size))
        if not leaves:
            raise TreeError(f"the log has no event at position {frontier.size + 1}")
        frontier, nodes = frontier.extend(leaves)
        missing += nodes
    return frontier, missing


# -- reading: subtree hashes, roots and proofs --------------------------------------------


def _complete(start: int, end: int) -> list[Key]:
    """The complete aligned subtrees that make [start, end), largest first, as RFC
    9162's tree splits it (start is aligned to the range's largest power of two)."""
    keys = []
    while start < end:
        size = end - start
        level = size.bit_length() - 1  # the largest power of two <= size
        keys.append((level, start >> level))
        start += 1 << level
    return keys


def subtree_hashes(source: TreeSource, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """MTH of the leaves [start, end) of each range (each one RFC 9162 splits the tree
    into), from stored nodes and at most a few chunks of leaves."""
    needed = {key for start, end in ranges for key in _complete(start, end)}
    stored = source.tree_nodes(sorted(key for key in needed if key[0] >= CHUNK_LEVEL))
    known: dict[Key, bytes] = dict(stored)
    missing = [key for key in needed if key[0] >= CHUNK_LEVEL and key not in known]
    if missing:
        level, index = min(missing)
        raise TreeError(
            f"the Merkle tree has no node for leaves {index << level} to "
            f"{((index + 1) << level) - 1}: run `followup init` to build it"
        )
    small = [key for key in needed if key[0] < CHUNK_LEVEL]
    by_chunk: dict[int, int] = {}
    for level, index in small:
        chunk = (index << level) >> CHUNK_LEVEL
        by_chunk[chunk] = max(by_chunk.get(chunk, 0), (index + 1) << level)
    for chunk, end in by_chunk.items():
        first = chunk << CHUNK_LEVEL
        leaves = source.leaf_hashes(first, end - first)
        if len(leaves) != end - first:
            raise TreeError(f"the log has fewer than {end} events")
        for level, index in small:
            start = index << level
            if start >> CHUNK_LEVEL == chunk:
                known[(level, index)] = root_of(
                    leaves[start - first : start - first + (1 << level)]
                )
    hashes = []
    for start, end in ranges:
        if start == end:
            hashes.append(EMPTY_ROOT)
            continue
        keys = _complete(start, end)
        accumulated = known[keys[-1]]
        for key in reversed(keys[:-1]):
            accumulated = node_hash(known[key], accumulated)
        hashes.append(accumulated)
    return hashes


def root_at(source: TreeSource, size: int) -> bytes:
    return subtree_hashes(source, [(0, size)])[0]


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.3.1 PATH(index, D[size]) as the ranges whose hashes it lists."""
    path: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    return path[::-1]


def consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.4.1 PROOF(old, D[new]) as the ranges whose hashes it lists."""
    proof: list[tuple[int, int]] = []
    start, end, complete = 0, new, True
    while old != end:
        k = split(end - start)
        if old - start <= k:
            proof.append((start + k, end))
            end = start + k
        else:
            proof.append((start, start + k))
            start += k
            complete = False
    if not complete:
        proof.append((start, end))
    return proof[::-1]


def inclusion_proof(source: TreeSource, index: int, size: int) -> list[bytes]:
    if not 0 <= index < size:
        raise TreeError(f"no leaf {index} in a tree of {size}")
    return subtree_hashes(source, inclusion_ranges(index, size))


def consistency_proof(source: TreeSource, old: int, new: int) -> list[bytes]:
    if not 0 <= old <= new:
        raise TreeError(f"no consistency proof from {old} to {new}")
    if old in (0, new):
        return []
    return subtree_hashes(source, consistency_ranges(old, new))
