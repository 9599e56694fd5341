"""Proofs as the API and the command line hand them out, in the form the auditor's
verifier reads (auditor/tlog.py): hashes in hex, never an event's payload."""

from __future__ import annotations

import base64
from typing import Any
from uuid import UUID

from auditor.tlog import leaf_hash
from core.application import FollowUp
from core.errors import NotFound
from core.integrity import canonical_bytes
from core.merkle import TreeError, consistency_proof, inclusion_proof, root_at


class ProofError(NotFound):
    """No such proof: a size the log has not reached, or an event it does not hold."""


def _size(app: FollowUp, size: int | None) -> int:
    head = app.head().position
    if size is None:
        return head
    if not 1 <= size <= head:
        raise ProofError(f"The log has {head} events: no tree of size {size}.")
    return size


def inclusion(
    app: FollowUp, event_id: UUID, size: int | None = None, *, with_leaf: bool = False
) -> dict[str, Any]:
    """The proof that an event is in the tree of `size` (default: the head). With
    `with_leaf` (the operator's command line), the event's stored form too, so that a
    verifier recomputes the leaf hash itself."""
    record = app.log.find_record(event_id)
    if record is None:
        raise ProofError(f"No event {event_id}.")
    size = _size(app, size)
    if record.position > size:
        raise ProofError(
            f"Event {event_id} is at position {record.position}, after the tree of size {size}."
        )
    canonical = canonical_bytes(
        record.originator_id,
        record.originator_version,
        record.topic,
        record.state,
        record.recorded_at,
    )
    index = record.position - 1
    try:
        hashes = inclusion_proof(app.log.tree_source(), index, size)
        root = root_at(app.log.tree_source(), size)
    except TreeError as error:
        raise ProofError(str(error)) from None
    proof: dict[str, Any] = {
        "event": str(event_id),
        "position": record.position,
        "leaf_index": index,
        "tree_size": size,
        "leaf_hash": leaf_hash(canonical).hex(),
        "root": base64.b64encode(root).decode(),
        "hashes": [h.hex() for h in hashes],
    }
    if with_leaf:
        proof["leaf"] = {
            "stream": str(record.originator_id),
            "version": record.originator_version,
            "topic": record.topic,
            "state": base64.b64encode(record.state).decode(),
            "recorded_at": record.recorded_at,
        }
    return proof


def consistency(app: FollowUp, first: int, second: int) -> dict[str, Any]:
    """The proof that the tree of `second` events extends the tree of `first`."""
    head = app.head().position
    if not 0 <= first <= second <= head:
        raise ProofError(f"The log has {head} events: no proof from {first} to {second}.")
    source = app.log.tree_source()
    try:
        hashes = consistency_proof(source, first, second)
        roots = [root_at(source, first), root_at(source, second)]
    except TreeError as error:
        raise ProofError(str(error)) from None
    return {
        "from": first,
        "to": second,
        "from_root": base64.b64encode(roots[0]).decode(),
        "to_root": base64.b64encode(roots[1]).decode(),
        "hashes": [h.hex() for h in hashes],
    }
