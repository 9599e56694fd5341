"""Domain errors. Entry points map them to exit codes and HTTP statuses; none of them
means that anything was recorded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class FollowupError(Exception):
    """Base of every error a user can cause; its message is meant for them."""


class InvalidEvent(FollowupError):
    """The event does not satisfy its schema. `messages` maps field names to lists of
    messages (marshmallow's shape), and `index` is the event's place in a batch."""

    def __init__(self, messages: Mapping[str, Any], index: int | None = None) -> None:
        self.messages = dict(messages)
        self.index = index
        super().__init__(self.describe())

    def describe(self) -> str:
        parts = []
        for field, problems in sorted(self.messages.items()):
            parts.append(f"{field}: {_flatten(problems)}")
        where = f"event {self.index + 1}: " if self.index is not None else ""
        return where + "; ".join(parts)

    def at(self, index: int) -> InvalidEvent:
        return InvalidEvent(self.messages, index)


class LifecycleConflict(FollowupError):
    """The event is well formed but contradicts what the log already holds
    (an agreement signed twice, an answer to a request never sent...)."""

    def __init__(self, message: str, index: int | None = None) -> None:
        self.message = message
        self.index = index
        super().__init__(f"event {index + 1}: {message}" if index is not None else message)

    def at(self, index: int) -> LifecycleConflict:
        return LifecycleConflict(self.message, index)


class IdempotencyMismatch(FollowupError):
    """An idempotency key was used again with a different request."""


class NotFound(FollowupError):
    """The thing asked for does not exist (or the caller may not see it)."""


class Forbidden(FollowupError):
    """The caller's role may not do this."""


class StoreError(FollowupError):
    """The store cannot be opened or is not what it should be."""


class DamagedLog(FollowupError):
    """The log's hash chain does not verify up to the position something would be
    derived at (core.intact): nothing is derived from it."""

    def __init__(self, damage: Any) -> None:
        self.damage = damage
        super().__init__(
            f"the log is damaged at {damage}; nothing is derived from a damaged log "
            "(run `followup verify`, and restore the store from a good copy)"
        )


def store_failure(error: BaseException) -> str:
    """What a database error means for the user, in a sentence (the store refused a
    write: it is full, or read-only; or another failure, with the driver's words)."""
    text = " ".join(str(error).split())
    lowered = text.lower()
    if "full" in lowered or "no space left" in lowered or "could not extend" in lowered:
        return f"the store's disk is full; nothing was recorded ({text[:200]})"
    if "readonly" in lowered or "read-only" in lowered:
        return f"the store is read-only; nothing was recorded ({text[:200]})"
    return f"the store failed; nothing was recorded ({text[:200]})"


def _flatten(problems: Any) -> str:
    if isinstance(problems, str):
        return problems
    if isinstance(problems, Mapping):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in sorted(problems.items(), key=str))
    if isinstance(problems, list | tuple):
        return " ".join(_flatten(p) for p in problems)
    return str(problems)
