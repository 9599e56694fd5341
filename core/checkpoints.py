"""Signed checkpoints: the log's size and Merkle root, signed with the log's Ed25519 key
as a C2SP signed note (auditor/tlog.py has the formats and the verification), and
checking a store against a checkpoint someone kept.

The signing key lives outside the store: in a file named by FOLLOWUP_LOG_KEY_FILE, or
in FOLLOWUP_LOG_KEY itself, written as Go's note package writes signer keys
(``PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>``). Its name is the log's origin
(the checkpoint's first line). Key activations and rotations are recorded in the log
(a key activation), so the log says which public keys signed it when.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.tlog import (
    ED25519,
    Checkpoint,
    Note,
    NoteError,
    Signature,
    Verified,
    VerifierKey,
    leaf_hash,
    verify_checkpoint,
)
from core.errors import FollowupError
from core.integrity import canonical_bytes_of
from core.merkle import Frontier, root_at

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from core.application import FollowUp

KEY_FILE_VARIABLE = "FOLLOWUP_LOG_KEY_FILE"
KEY_VARIABLE = "FOLLOWUP_LOG_KEY"
WITNESSES_VARIABLE = "FOLLOWUP_WITNESS_KEYS"
SIGNER_PREFIX = "PRIVATE+KEY+"
#: The system's record of a key's activation (``EventType.system_record``; the type is
#: plugins/builtin/transparency.py's).
KEY_ACTIVATED = "log_key_activated"
#: Events read per step when a root is recomputed from the events themselves.
PAGE = 10000


class SigningKeyError(FollowupError):
    """No usable signing key (none configured, unreadable, malformed)."""


class CheckpointError(FollowupError):
    """A checkpoint that cannot be made or does not hold."""


@dataclass(frozen=True)
class SigningKey:
    """The log's Ed25519 key and its name (the log's origin)."""

    name: str
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        if not name or any(c.isspace() or c == "+" for c in name):
            raise SigningKeyError(f"a key name has no spaces and no '+': {name!r}")
        return cls(name, Ed25519PrivateKey.generate())

    @property
    def seed(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
        )

        return self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    @property
    def verifier(self) -> VerifierKey:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return VerifierKey(self.name, ED25519, public)

    @property
    def text(self) -> str:
        encoded = base64.b64encode(bytes([ED25519]) + self.seed).decode()
        return f"{SIGNER_PREFIX}{self.name}+{self.verifier.id:08x}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> SigningKey:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        text = text.strip()
        parts = text[len(SIGNER_PREFIX) :].split("+", 2) if text.startswith(SIGNER_PREFIX) else []
        if len(parts) != 3:
            raise SigningKeyError("a signing key is PRIVATE+KEY+NAME+KEYID+BASE64")
        name, hexid, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise SigningKeyError("the signing key is not base64") from None
        if len(raw) != 33 or raw[0] != ED25519:
            raise SigningKeyError("not an Ed25519 signing key")
        key = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if f"{key.verifier.id:08x}" != hexid.lower():
            raise SigningKeyError("the signing key's id does not match its key")
        return key

    def sign(self, text: str) -> Signature:
        return Signature(self.name, self.verifier.id, self.private.sign(text.encode("utf-8")))


def key_file(environ: Mapping[str, str] = os.environ) -> Path | None:
    named = environ.get(KEY_FILE_VARIABLE)
    return Path(named) if named else None


def load_key(
    environ: Mapping[str, str] = os.environ, *, required: bool = True
) -> SigningKey | None:
    """The configured signing key (FOLLOWUP_LOG_KEY, else the file FOLLOWUP_LOG_KEY_FILE)."""
    text = environ.get(KEY_VARIABLE)
    path = key_file(environ)
    if not text and path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            if required:
                raise SigningKeyError(
                    f"cannot read the log's key {path}: {error.strerror}"
                ) from None
            return None
    if not text:
        if required:
            raise SigningKeyError(
                f"no signing key: set {KEY_FILE_VARIABLE} (a file made by `followup keys "
                f"init`) or {KEY_VARIABLE}"
            )
        return None
    return SigningKey.parse(text)


def witness_keys(environ: Mapping[str, str] = os.environ) -> list[VerifierKey]:
    """Witnesses' cosigning keys: FOLLOWUP_WITNESS_KEYS, verifier keys (or a file of
    them), one per line or comma-separated."""
    value = environ.get(WITNESSES_VARIABLE, "").strip()
    if not value:
        return []
    path = Path(value)
    if "+" not in value and path.is_file():
        value = path.read_text(encoding="utf-8")
    try:
        return [VerifierKey.parse(k) for k in value.replace(",", "\n").split("\n") if k.strip()]
    except NoteError as error:
        raise SigningKeyError(f"{WITNESSES_VARIABLE}: {error}") from None


def parse_keys(texts: Sequence[str]) -> list[VerifierKey]:
    """Verifier keys given on a command line: each a key, or a file of keys."""
    keys = []
    for text in texts:
        path = Path(text)
        source = path.read_text(encoding="utf-8") if "+" not in text and path.is_file() else text
        try:
            keys += [VerifierKey.parse(line) for line in source.splitlines() if line.strip()]
        except NoteError as error:
            raise CheckpointError(f"{text[:60]}: {error}") from None
    return keys


def recorded_keys(app: FollowUp) -> list[VerifierKey]:
    """The public keys the log says it was signed with (its key activations), in order."""
    from core.queries import EventFilter, find_events

    keys: list[VerifierKey] = []
    after = 0
    while True:
        activated = frozenset({app.catalogue.system_type(KEY_ACTIVATED)})
        page = find_events(app, EventFilter(types=activated), after=after, limit=1000)
        for event in page.events:
            keys.append(VerifierKey.parse(str(event.payload["verifier_key"])))
        if page.next_after is None:
            return keys
        after = page.next_after


def known_keys(app: FollowUp, environ: Mapping[str, str] = os.environ) -> list[VerifierKey]:
    """The keys a checkpoint of this log may be signed with, as this installation
    knows them: the configured key, and those recorded in the log. (An auditor passes
    the key they kept instead: a rewritten log could record any key.)"""
    keys = recorded_keys(app)
    key = load_key(environ, required=False)
    if key is not None and key.verifier not in keys:
        keys.append(key.verifier)
    return keys


def sign(key: SigningKey, checkpoint: Checkpoint) -> str:
    return Note(checkpoint.text, (key.sign(checkpoint.text),)).signed


def checkpoint_at(app: FollowUp, origin: str, size: int | None = None) -> Checkpoint:
    """The log's checkpoint at `size` (default: its head), root from the stored tree."""
    head = app.head().position
    size = head if size is None else size
    if not 0 <= size <= head:
        raise CheckpointError(f"the log has {head} events; no checkpoint at size {size}")
    return Checkpoint(origin, size, root_at(app.log.tree_source(), size))


def signed_checkpoint(app: FollowUp, key: SigningKey, size: int | None = None) -> str:
    return sign(key, checkpoint_at(app, key.name, size))


def _leaf_pages(app: FollowUp, size: int | None = None) -> Iterator[list[bytes]]:
    """The leaves of the log's first `size` events (all when None), a page at a time,
    hashed from the events as the store holds them (a damaged row hashes to something
    else, never to its leaf)."""
    from core.ports import LogScanner

    scanner: LogScanner = app.recorder  # type: ignore[assignment]
    after, done = 0, 0
    while size is None or done < size:
        limit = PAGE if size is None else min(PAGE, size - done)
        rows = scanner.scan_log(after=after, limit=limit)
        if not rows:
            return
        leaves = []
        for row in rows:
            try:
                canonical = canonical_bytes_of(
                    row.originator_id or b"",
                    row.originator_version,
                    row.topic,
                    row.state,
                    row.recorded_at,
                )
            except ValueError:
                canonical = b"damaged row"
            leaves.append(leaf_hash(canonical))
        yield leaves
        done += len(leaves)
        after = rows[-1].position


def events_root(app: FollowUp, size: int) -> bytes | None:
    """The root of the first `size` events recomputed from the events themselves (never
    from the stored tree): None when the log has fewer."""
    frontier = Frontier()
    for leaves in _leaf_pages(app, size):
        frontier, _ = frontier.extend(leaves)
    return frontier.root() if frontier.size == size else None


def tree_problem(app: FollowUp) -> str | None:
    """Whether the stored tree is the events' (None), or where it is not: every stored
    node is recomputed from the events, and none may lie beyond them."""
    source = app.log.tree_source()
    frontier = Frontier()
    for leaves in _leaf_pages(app):
        frontier, nodes = frontier.extend(leaves)
        stored = source.tree_nodes([(level, index) for level, index, _ in nodes])
        for level, index, hashed in nodes:
            if stored.get((level, index)) != hashed:
                first, last = index << level, ((index + 1) << level) - 1
                said = "missing" if (level, index) not in stored else "not the events'"
                return (
                    f"the Merkle tree's node over positions {first + 1} to {last + 1} is "
                    f"{said} (run followup init to build a missing tree)"
                )
    if source.tree_covered() > frontier.size:
        return f"the Merkle tree has nodes beyond the log's {frontier.size} events"
    return None


@dataclass(frozen=True)
class Agreement:
    """What comparing a kept checkpoint with the store found."""

    verified: Verified
    found: bytes | None  # the root of the store's first `size` events (None: too few)

    @property
    def ok(self) -> bool:
        return self.found == self.verified.checkpoint.root

    def describe(self) -> str:
        point = self.verified.checkpoint
        said = (
            f"checkpoint {point.origin} at size {point.size} "
            f"(root {base64.b64encode(point.root).decode()}, signed by "
            f"{self.verified.signed_by.name}+{self.verified.signed_by.id:08x})"
        )
        if self.found is None:
            return f"{said} NOT FOUND: the log has fewer than {point.size} events"
        if self.ok:
            return f"{said} matches the log: its first {point.size} events are unchanged"
        return (
            f"{said} does NOT match: the log's first {point.size} events hash to "
            f"{base64.b64encode(self.found).decode()}; its history was rewritten"
        )


def against_log(app: FollowUp, signed: str, keys: Sequence[VerifierKey]) -> Agreement:
    """Check a kept checkpoint's signature with `keys`, then recompute the root of the
    store's first `size` events from the events and compare."""
    try:
        verified = verify_checkpoint(signed, keys)
    except NoteError as error:
        raise CheckpointError(f"the checkpoint is refused: {error}") from None
    return Agreement(verified, events_root(app, verified.checkpoint.size))
