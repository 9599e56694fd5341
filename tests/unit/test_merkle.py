"""The log's Merkle tree against RFC 9162's (RFC 6962's) test vectors, and proofs of
random sizes checked by the auditor's standalone verifier."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import pytest

from auditor import tlog
from core import merkle

# The reference inputs and roots of RFC 6962's test suite (certificate-transparency,
# also transparency-dev/merkle): leaf data d0..d7 and MTH(D[1..8]).
LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
# (leaf index from 0, tree size, proof)
INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip


class Leaves:
    """A TreeSource over leaf hashes held in memory, storing what a recorder would."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.leaves = list(leaves)
        self.nodes: dict[merkle.Key, bytes] = {}
        frontier, nodes = merkle.Frontier().extend(self.leaves)
        self.frontier = frontier
        self.nodes.update({(level, index): h for level, index, h in nodes})

    def tree_nodes(self, keys: Sequence[merkle.Key]) -> Mapping[merkle.Key, bytes]:
        return {key: self.nodes[key] for key in keys if key in self.nodes}

    def leaf_hashes(self, first: int, count: int) -> list[bytes]:
        return self.leaves[first : first + count]

    def tree_covered(self) -> int:
        chunks = [index for level, index in self.nodes if level == merkle.CHUNK_LEVEL]
        return (max(chunks) + 1) * merkle.CHUNK if chunks else 0


def test_roots_are_the_rfc_vectors() -> None:
    hashes = [tlog.leaf_hash(d) for d in LEAVES]
    assert tlog.root_of([]) == bytes.fromhex(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    for size in range(1, 9):
        assert tlog.root_of(hashes[:size]) == ROOTS[size - 1]
        assert merkle.Frontier().extend(hashes[:size])[0].root() == ROOTS[size - 1]
        assert merkle.root_at(Leaves(hashes), size) == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_are_the_rfc_vectors(index: int, size: int, proof: list[str]) -> None:
    hashes = [tlog.leaf_hash(d) for d in LEAVES]
    made = merkle.inclusion_proof(Leaves(hashes), index, size)
    assert [p.hex() for p in made] == proof
    tlog.verify_inclusion(index, size, hashes[index], made, ROOTS[size - 1])
    for wrong_index in (index + 1, index ^ 2):
        if wrong_index < size:
            with pytest.raises(tlog.ProofError):
                tlog.verify_inclusion(wrong_index, size, hashes[index], made, ROOTS[size - 1])
    with pytest.raises(tlog.ProofError):
        tlog.verify_inclusion(index, size * 2, hashes[index], made, ROOTS[size - 1])
    with pytest.raises(tlog.ProofError):
        tlog.verify_inclusion(index, size, hashes[index], made[:-1], ROOTS[size - 1])
    with pytest.raises(tlog.ProofError):
        tlog.verify_inclusion(index, size, hashes[index], [*made, ROOTS[0]], ROOTS[size - 1])
    for i in range(len(made)):
        flipped = list(made)
        flipped[i] = bytes([made[i][0] ^ 8]) + made[i][1:]
        with pytest.raises(tlog.ProofError):
            tlog.verify_inclusion(index, size, hashes[index], flipped, ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_are_the_rfc_vectors(old: int, new: int, proof: list[str]) -> None:
    hashes = [tlog.leaf_hash(d) for d in LEAVES]
    made = merkle.consistency_proof(Leaves(hashes), old, new)
    assert [p.hex() for p in made] == proof
    tlog.verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], made)
    with pytest.raises(tlog.ProofError):
        tlog.verify_consistency(old, new, ROOTS[new - 1], ROOTS[old - 1], made)
    with pytest.raises(tlog.ProofError):
        tlog.verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], made[:-1])
    with pytest.raises(tlog.ProofError):
        tlog.verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], [])
    for i in range(len(made)):
        flipped = list(made)
        flipped[i] = bytes([made[i][0] ^ 16]) + made[i][1:]
        with pytest.raises(tlog.ProofError):
            tlog.verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], flipped)


def test_same_size_different_roots_is_a_fork() -> None:
    with pytest.raises(tlog.ProofError, match="fork"):
        tlog.verify_consistency(5, 5, ROOTS[4], ROOTS[3], [])
    tlog.verify_consistency(5, 5, ROOTS[4], ROOTS[4], [])


def test_random_sizes_check_with_the_offline_verifier() -> None:
    """Trees across several chunks (stored nodes from 64 leaves up): every proof the
    store makes is one the auditor's verifier accepts, and the roots are RFC 9162's."""
    rng = random.Random(9162)
    hashes = [tlog.leaf_hash(rng.randbytes(rng.randrange(0, 40))) for _ in range(700)]
    source = Leaves(hashes)
    for _ in range(60):
        size = rng.randrange(1, len(hashes) + 1)
        root = merkle.root_at(source, size)
        assert root == tlog.root_of(hashes[:size])
        index = rng.randrange(size)
        tlog.verify_inclusion(
            index, size, hashes[index], merkle.inclusion_proof(source, index, size), root
        )
        old = rng.randrange(0, size + 1)
        tlog.verify_consistency(
            old, size, tlog.root_of(hashes[:old]), root, merkle.consistency_proof(source, old, size)
        )


def test_the_frontier_is_rebuilt_from_stored_chunks_and_the_leaves_after() -> None:
    hashes = [tlog.leaf_hash(bytes([i % 256, i // 256])) for i in range(300)]
    complete = Leaves(hashes)
    partial = Leaves(hashes[:130])  # stored nodes for the first two chunks only
    partial.leaves = hashes
    frontier, missing = merkle.built_frontier(partial, 300)
    assert frontier == complete.frontier
    assert {(level, index): h for level, index, h in missing} == {
        key: value for key, value in complete.nodes.items() if key not in partial.nodes
    }
    with pytest.raises(merkle.TreeError):
        merkle.built_frontier(complete, 200)  # the tree is ahead of a cut log
