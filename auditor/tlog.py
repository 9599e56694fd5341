"""Checking followup's log from the outside: RFC 9162 Merkle tree hashes and proofs,
C2SP signed notes and checkpoints, and witness cosignatures.

This file needs nothing but Python (3.11+) and the `cryptography` package, so an
auditor can read it whole, copy it, and run it on their own machine:

    python -m auditor.tlog checkpoint  --key VKEY CHECKPOINT
    python -m auditor.tlog consistency --key VKEY OLD NEW PROOF.json
    python -m auditor.tlog inclusion   --key VKEY CHECKPOINT PROOF.json

(`VKEY` is the log's public key as `followup keys show` prints it, or a file holding
it; `PROOF.json` is what `followup events proof` / `followup checkpoint consistency`
or the API's proof endpoints return.) Each prints one line and exits 0 when the check
holds, or says why not and exits 1.

The log (followup's README, "For auditors"):

- leaf i (from 0) is the event at position i + 1; its hash is
  SHA-256(0x00 || event bytes), the event bytes being the stored event's stream id (16
  bytes), version (8 bytes, big-endian), topic, stored state and transaction time
  (`recorded_at`), each of the last three as UTF-8 preceded by its length (4 bytes,
  big-endian), the first two preceded by theirs too (`event_bytes` below);
- interior nodes are SHA-256(0x01 || left || right), the tree shaped as RFC 9162 §2.1.1
  says, so a tree of size n is fixed by its first n leaves;
- a checkpoint (c2sp.org/tlog-checkpoint) is the text "origin\\nsize\\nbase64(root)\\n",
  signed as a note (c2sp.org/signed-note) with Ed25519; witnesses add cosignatures
  (c2sp.org/tlog-cosignature, timestamped Ed25519).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# -- RFC 9162 §2.1: the Merkle tree hash ---------------------------------------------

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_SIZE = 32
#: MTH({}): the hash of the empty tree.
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split(size: int) -> int:
    """The largest power of two smaller than `size` (> 1): where RFC 9162 splits a tree."""
    return 1 << ((size - 1).bit_length() - 1)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes, exactly as RFC 9162 §2.1.1 defines it."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = split(len(leaves))
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))


def event_bytes(stream: bytes, version: int, topic: str, state: bytes, recorded_at: str) -> bytes:
    """The bytes of one event as the log hashes it (the hash chain and the tree alike)."""
    parts = (
        stream,
        version.to_bytes(8, "big"),
        topic.encode("utf-8"),
        bytes(state),
        recorded_at.encode("ascii"),
    )
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


# -- RFC 9162 §2.1.3.2 and §2.1.4.2: verifying proofs --------------------------------


class ProofError(ValueError):
    """A proof that does not prove what it claims."""


def _lsb(value: int) -> bool:
    return bool(value & 1)


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that `proof` makes of `leaf` at `index` in a tree of `size` leaves."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of {size} leaves")
    if any(len(p) != HASH_SIZE for p in proof) or len(leaf) != HASH_SIZE:
        raise ProofError("every hash of an inclusion proof has 32 bytes")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is high")
        if _lsb(fn) or fn == sn:
            r = node_hash(p, r)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is high")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofError unless `leaf` is at `index` of the tree of `size` with `root`."""
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError(f"the leaf is not at index {index} of the tree with this root")


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ProofError unless the tree of `size2` with `root2` extends the tree of
    `size1` with `root1` (appended to, nothing changed)."""
    if not 0 <= size1 <= size2:
        raise ProofError(f"a tree of {size1} leaves cannot extend to one of {size2}")
    if size1 == size2:
        if proof:
            raise ProofError("trees of the same size need an empty proof")
        if root1 != root2:
            raise ProofError(f"two different roots for the same size {size1}: a fork")
        return
    if size1 == 0:
        if proof:
            raise ProofError("the empty tree needs an empty proof")
        return
    if not proof or any(len(p) != HASH_SIZE for p in proof):
        raise ProofError("a consistency proof is a non-empty list of 32-byte hashes")
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # an exact power of two: the old root is a node
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while _lsb(fn):
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if _lsb(fn) or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != root1 or sr != root2:
        raise ProofError(
            f"the tree of {size2} leaves does not extend the tree of {size1}: "
            "the history was rewritten, or this is a fork"
        )


# -- c2sp.org/signed-note ---------------------------------------------------------------

ED25519 = 0x01
COSIGNATURE = 0x04  # c2sp.org/tlog-cosignature: timestamped Ed25519
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
COSIGNATURE_HEADER = b"cosignature/v1\n"
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A note that is malformed, or not signed as it must be."""


def key_id(name: str, kind: int, public: bytes) -> int:
    """SHA-256(key name || 0x0A || signature type || public key)[:4], big-endian."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([kind]) + public).digest()
    return int.from_bytes(digest[:4], "big")


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError(f"key name {name!r}: not empty, no spaces, no '+'")


@dataclass(frozen=True)
class VerifierKey:
    """A public key with its name, as a note verifier key
    ``<name>+<key id, 8 hex digits>+<base64(type || public key)>``."""

    name: str
    kind: int
    public: bytes

    @property
    def id(self) -> int:
        return key_id(self.name, self.kind, self.public)

    @property
    def text(self) -> str:
        encoded = base64.b64encode(bytes([self.kind]) + self.public).decode()
        return f"{self.name}+{self.id:08x}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("a verifier key is NAME+KEYID+BASE64")
        name, hexid, encoded = parts
        _check_name(name)
        try:
            raw = base64.b64decode(encoded, validate=True)
            wanted = int(hexid, 16)
        except (binascii.Error, ValueError):
            raise NoteError("a verifier key is NAME+KEYID(hex)+BASE64") from None
        if len(hexid) != 8 or len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE):
            raise NoteError("not an Ed25519 verifier key (type 0x01 or 0x04, 32 bytes)")
        key = cls(name, raw[0], raw[1:])
        if key.id != wanted:
            raise NoteError(f"the key id {hexid} does not match key {name}")
        return key

    def verify(self, message: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key id, and the signature bytes after the id."""

    name: str
    id: int
    signature: bytes

    @property
    def line(self) -> str:
        encoded = base64.b64encode(self.id.to_bytes(4, "big") + self.signature).decode()
        return f"{SIGNATURE_PREFIX}{self.name} {encoded}\n"


@dataclass(frozen=True)
class Note:
    """A signed note: its text (ending in a newline) and its signatures."""

    text: str
    signatures: tuple[Signature, ...] = field(default_factory=tuple)

    @property
    def signed(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.signatures)

    @classmethod
    def parse(cls, signed: str) -> Note:
        if any(ord(c) < 0x20 and c != "\n" for c in signed):
            raise NoteError("a note holds no control characters but newlines")
        if not signed.endswith("\n"):
            raise NoteError("a note ends with a newline")
        cut = signed.rfind("\n\n")
        if cut < 0:
            raise NoteError("a note's text is followed by a blank line and its signatures")
        text, lines = signed[: cut + 1], signed[cut + 2 :].splitlines()
        if not lines or len(lines) > MAX_SIGNATURES:
            raise NoteError(f"a note has 1 to {MAX_SIGNATURES} signatures")
        signatures = []
        for line in lines:
            if not line.startswith(SIGNATURE_PREFIX):
                raise NoteError(f"not a signature line: {line[:60]!r}")
            name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
            _check_name(name)
            try:
                raw = base64.b64decode(encoded, validate=True)
            except binascii.Error:
                raise NoteError(f"the signature of {name} is not base64") from None
            if len(raw) < 5:
                raise NoteError(f"the signature of {name} is too short")
            signatures.append(Signature(name, int.from_bytes(raw[:4], "big"), raw[4:]))
        return cls(text, tuple(signatures))

    def by(self, key: VerifierKey) -> list[Signature]:
        return [s for s in self.signatures if s.name == key.name and s.id == key.id]


def cosigned_message(text: str, timestamp: int) -> bytes:
    return COSIGNATURE_HEADER + f"time {timestamp}\n".encode() + text.encode("utf-8")


def verify_signature(note: Note, key: VerifierKey) -> int | None:
    """Whether `key` signed the note: None when it has no signature of this key; the
    time of a cosignature (0 for a plain signature) when it verifies. A signature of
    the key that fails to verify makes the whole note refused (NoteError)."""
    found = note.by(key)
    if not found:
        return None
    for signature in found:
        if key.kind == ED25519:
            ok, when = key.verify(note.text.encode("utf-8"), signature.signature), 0
        else:
            raw = signature.signature
            when = int.from_bytes(raw[:8], "big") if len(raw) == 72 else -1
            ok = when >= 0 and key.verify(cosigned_message(note.text, when), raw[8:])
        if not ok:
            raise NoteError(f"the signature of {key.name} does not verify: the note was altered")
    return when


# -- c2sp.org/tlog-checkpoint ---------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint's body: the log's origin, the tree size and its root hash."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("a checkpoint is origin, size and root hash, one per line")
        origin, size, root = lines[0], lines[1], lines[2]
        if not origin or not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError("a checkpoint's first lines are the origin and a decimal size")
        try:
            digest = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise NoteError("a checkpoint's third line is the root hash in base64") from None
        if len(digest) != HASH_SIZE:
            raise NoteError("a checkpoint's root hash has 32 bytes")
        return cls(origin, int(size), digest, tuple(lines[3:-1]))


@dataclass(frozen=True)
class Verified:
    """A checkpoint whose log signature verified, and the cosignatures that did."""

    checkpoint: Checkpoint
    note: Note
    signed_by: VerifierKey
    cosigned: dict[str, int] = field(default_factory=dict)


def verify_checkpoint(
    signed: str, keys: Sequence[VerifierKey], witnesses: Sequence[VerifierKey] = ()
) -> Verified:
    """The checkpoint in `signed`, if one of the log's `keys` signed it (NoteError
    otherwise: no signature by a known key, or one that fails); with the witnesses'
    cosignatures that verify (by witness name, with their time)."""
    note = Note.parse(signed)
    signer = None
    for key in keys:
        if verify_signature(note, key) is not None and signer is None:
            signer = key
    if signer is None:
        names = ", ".join(sorted({s.name for s in note.signatures}))
        raise NoteError(f"no signature by the log's key (signed by: {names or 'nobody'})")
    cosigned = {}
    for witness in witnesses:
        when = verify_signature(note, witness)
        if when is not None:
            cosigned[witness.name] = when
    return Verified(Checkpoint.parse(note.text), note, signer, cosigned)


# -- the command line -------------------------------------------------------------------


def _keys(text: str) -> list[VerifierKey]:
    path = Path(text)
    source = path.read_text(encoding="utf-8") if path.is_file() else text
    return [VerifierKey.parse(line) for line in source.splitlines() if line.strip()]


def _hashes(values: Any) -> list[bytes]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ProofError("hashes are a list of hex strings")
    try:
        return [bytes.fromhex(v) for v in values]
    except ValueError:
        raise ProofError("hashes are hex strings") from None


def leaf_of(proof: dict[str, Any]) -> bytes:
    """The leaf hash a proof is for: recomputed from the event it carries (`leaf`:
    stream, version, topic, state in base64, recorded_at) when it carries one, and
    then required to equal the `leaf_hash` it states."""
    stated = bytes.fromhex(str(proof["leaf_hash"]))
    event = proof.get("leaf")
    if event is None:
        return stated
    computed = leaf_hash(
        event_bytes(
            bytes.fromhex(str(event["stream"]).replace("-", "")),
            int(event["version"]),
            str(event["topic"]),
            base64.b64decode(str(event["state"]), validate=True),
            str(event["recorded_at"]),
        )
    )
    if computed != stated:
        raise ProofError("the event does not hash to the proof's leaf hash: it was altered")
    return computed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m auditor.tlog", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("checkpoint", help="a checkpoint's signature")
    one.add_argument("checkpoint", type=Path)
    two = commands.add_parser("consistency", help="NEW extends OLD (both signed)")
    two.add_argument("old", type=Path)
    two.add_argument("new", type=Path)
    two.add_argument("proof", type=Path)
    three = commands.add_parser("inclusion", help="an event (or leaf) is in a checkpoint")
    three.add_argument("checkpoint", type=Path)
    three.add_argument("proof", type=Path)
    for command in (one, two, three):
        command.add_argument("--key", required=True, help="VKEY, or a file of them")
        command.add_argument("--witness", action="append", default=[], help="VKEY of a witness")
    args = parser.parse_args(argv)
    try:
        keys, witnesses = _keys(args.key), [k for w in args.witness for k in _keys(w)]
        if args.command == "checkpoint":
            verified = verify_checkpoint(args.checkpoint.read_text("utf-8"), keys, witnesses)
            said = f"OK {verified.checkpoint.origin} at size {verified.checkpoint.size}"
        elif args.command == "consistency":
            old = verify_checkpoint(args.old.read_text("utf-8"), keys).checkpoint
            new = verify_checkpoint(args.new.read_text("utf-8"), keys).checkpoint
            proof = json.loads(args.proof.read_text("utf-8"))
            if (proof.get("from"), proof.get("to")) != (old.size, new.size):
                raise ProofError("the proof is not between the two checkpoints' sizes")
            verify_consistency(old.size, new.size, old.root, new.root, _hashes(proof["hashes"]))
            said = f"OK size {new.size} extends size {old.size}: nothing recorded was changed"
        else:
            checkpoint = verify_checkpoint(args.checkpoint.read_text("utf-8"), keys).checkpoint
            proof = json.loads(args.proof.read_text("utf-8"))
            if proof.get("tree_size") != checkpoint.size:
                raise ProofError("the proof is for another tree size than the checkpoint's")
            index = int(proof["leaf_index"])
            verify_inclusion(
                index, checkpoint.size, leaf_of(proof), _hashes(proof["hashes"]), checkpoint.root
            )
            said = f"OK leaf {index} (position {index + 1}) is in the log at size {checkpoint.size}"
    except (NoteError, ProofError, OSError, KeyError, TypeError, ValueError) as error:
        print(f"FAILED: {error}")
        return 1
    print(said)
    return 0


if __name__ == "__main__":
    sys.exit(main())
