"""Witnesses: others who keep the log's checkpoints and cosign them (c2sp.org/
tlog-cosignature), so that the log cannot show one history to some and another to
others. The nightly integrity job sends them a signed checkpoint; what they send back,
through the API or dropped as a file, is checked and recorded in the log
(a cosignature): the checkpoint must be the log's own (its key, its root at that
size), and each cosignature must verify with a configured witness key."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping

from auditor.tlog import Checkpoint, Note, NoteError, verify_checkpoint, verify_signature
from core.application import FollowUp
from core.checkpoints import (
    CheckpointError,
    SigningKeyError,
    events_root,
    known_keys,
    load_key,
    sign,
    witness_keys,
)
from core.clock import utc_now
from core.jobs import system_event
from core.merkle import root_at

#: The system's record of a witness's cosignature (``EventType.system_record``).
COSIGNED = "checkpoint_cosigned"

RECORDED_BY = "witnesses"


def nightly_checkpoint(
    app: FollowUp, size: int, environ: Mapping[str, str] = os.environ
) -> str | None:
    """The signed checkpoint the nightly integrity job sends out, its root recomputed
    from the events it has just verified (never vouching for stored nodes alone); None
    without a key (the job still verifies)."""
    try:
        key = load_key(environ, required=False)
    except SigningKeyError:
        return None
    if key is None or not size:
        return None
    root = events_root(app, size)
    return None if root is None else sign(key, Checkpoint(key.name, size, root))


def record_cosignatures(
    app: FollowUp, signed: str, environ: Mapping[str, str] = os.environ
) -> list[str]:
    """Check a cosigned checkpoint and record each witness's cosignature; returns one
    line per witness recorded. Nothing is recorded unless everything checks."""
    witnesses = witness_keys(environ)
    if not witnesses:
        raise CheckpointError("no witness keys configured (FOLLOWUP_WITNESS_KEYS)")
    try:
        verified = verify_checkpoint(signed, known_keys(app, environ), witnesses)
    except NoteError as error:
        raise CheckpointError(f"the cosigned checkpoint is refused: {error}") from None
    point = verified.checkpoint
    head = app.head().position
    if point.size > head or root_at(app.log.tree_source(), point.size) != point.root:
        raise CheckpointError(
            f"the checkpoint at size {point.size} is not the log's: its root differs"
        )
    if not verified.cosigned:
        raise CheckpointError("no cosignature by a configured witness")
    note = Note.parse(signed)
    drafts, lines = [], []
    for witness in witnesses:
        if witness.name not in verified.cosigned:
            continue
        verify_signature(note, witness)
        line = note.by(witness)[0].line.rstrip("\n")
        when = verified.cosigned[witness.name]
        raw = system_event(
            app.catalogue.system_type(COSIGNED),
            utc_now(),
            witness=witness.name,
            tree_size=point.size,
            root=base64.b64encode(point.root).decode(),
            cosigned_at=when,
            signature=line,
        )
        drafts.append(app.validate(raw))
        lines.append(f"recorded: {witness.name} cosigned size {point.size} at {when}")
    app.record_batch(drafts, RECORDED_BY, role=None)
    return lines
