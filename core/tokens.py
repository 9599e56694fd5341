"""API tokens: random bearer tokens of which the store keeps only a SHA-256 digest, each
with a label (who records with it) and a role. Issuing and revoking are recorded in the
log (TokenIssued, TokenRevoked) before the table changes, so the audit trail never
misses a token that works."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from core.application import FollowUp
from core.clock import format_timestamp
from core.envelope import Classification
from core.errors import LifecycleConflict, NotFound
from core.sql import Sql

#: Tokens start with this, so a leaked one is easy to recognise (and to scan for).
TOKEN_PREFIX = "fu_"  # noqa: S105 (a prefix, not a secret)
#: 32 random bytes: far beyond guessing, so an unsalted SHA-256 digest is safe to store.
TOKEN_BYTES = 32

TABLE = (
    "CREATE TABLE IF NOT EXISTS api_tokens ("
    "label TEXT PRIMARY KEY, "
    "role TEXT NOT NULL, "
    "token_sha256 TEXT NOT NULL UNIQUE, "
    "created_at TEXT NOT NULL, "
    "revoked_at TEXT)"
)


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's label (recorded_by) and role."""

    label: str
    role: str


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token: never the token or its digest."""

    label: str
    role: str
    created_at: str
    revoked_at: str | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Tokens:
    """The token table beside the log, and the verbs that change it."""

    def __init__(self, app: FollowUp) -> None:
        self.app = app
        self.sql: Sql = app.log.sql()
        # Writers are serialised by the port, so workers starting at once do not race.
        with self.sql.transaction(write=True) as cursor:
            cursor.execute(TABLE)

    def create(self, label: str, role: str, recorded_by: str) -> str:
        """Issue a token and return it: the only time it is ever seen."""
        draft = self.app.validate(
            {
                "type": "TokenIssued",
                "occurred_on": self.app.clock().date().isoformat(),
                "label": label,
                "role": role,
                "classification": Classification.RESTRICTED.value,
            }
        )
        if self._find(label) is not None:
            raise LifecycleConflict(
                f"A token labelled {label} already exists; labels are never reused."
            )
        event = self.app.record(draft, recorded_by, role=None)
        token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        with self.sql.transaction(write=True) as cursor:
            cursor.execute(
                "INSERT INTO api_tokens (label, role, token_sha256, created_at) VALUES (?,?,?,?)",
                (label, role, digest(token), event.recorded_at),
            )
        return token

    def revoke(self, label: str, recorded_by: str) -> TokenInfo:
        """Revoke at once (the table first: a revoked token must stop working even if
        recording the revocation fails), then record TokenRevoked."""
        info = self._find(label)
        if info is None:
            raise NotFound(f"No token labelled {label}.")
        if info.revoked:
            raise LifecycleConflict(f"The token labelled {label} is already revoked.")
        now = format_timestamp(self.app.clock())
        with self.sql.transaction(write=True) as cursor:
            cursor.execute(
                "UPDATE api_tokens SET revoked_at = ? WHERE label = ? AND revoked_at IS NULL",
                (now, label),
            )
        draft = self.app.validate(
            {
                "type": "TokenRevoked",
                "occurred_on": self.app.clock().date().isoformat(),
                "label": label,
                "role": info.role,
                "classification": Classification.RESTRICTED.value,
            }
        )
        self.app.record(draft, recorded_by, role=None)
        found = self._find(label)
        assert found is not None
        return found

    def list(self) -> list[TokenInfo]:
        with self.sql.transaction(write=False) as cursor:
            cursor.execute(
                "SELECT label, role, created_at, revoked_at FROM api_tokens "
                "ORDER BY created_at, label"
            )
            rows = cursor.fetchall()
        return [TokenInfo(r["label"], r["role"], r["created_at"], r["revoked_at"]) for r in rows]

    def authenticate(self, token: str) -> Caller | None:
        """The caller a token stands for, or None if it is unknown or revoked."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        wanted = digest(token)
        with self.sql.transaction(write=False) as cursor:
            cursor.execute(
                "SELECT label, role, token_sha256, revoked_at FROM api_tokens "
                "WHERE token_sha256 = ?",
                (wanted,),
            )
            row = cursor.fetchone()
        if row is None or row["revoked_at"] is not None:
            return None
        if not hmac.compare_digest(str(row["token_sha256"]), wanted):
            return None
        return Caller(row["label"], row["role"])

    def _find(self, label: str) -> TokenInfo | None:
        with self.sql.transaction(write=False) as cursor:
            cursor.execute(
                "SELECT label, role, created_at, revoked_at FROM api_tokens WHERE label = ?",
                (label,),
            )
            row = cursor.fetchone()
        if row is None:
            return None
        return TokenInfo(row["label"], row["role"], row["created_at"], row["revoked_at"])
