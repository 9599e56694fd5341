"""API tokens: random bearer tokens of which the store keeps only a SHA-256 digest, each
with a label (who records with it) and a role. Issuing and revoking are recorded in the
log (as the types that say they record `ISSUED` and `REVOKED`, which the access area
declares) before the table changes, so the audit trail never misses a token that works."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import PersistenceError

from core.application import FollowUp
from core.clock import format_timestamp
from core.envelope import Classification
from core.errors import InvalidEvent, LifecycleConflict, NotFound
from core.people import identity
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
    "revoked_at TEXT, "
    "person TEXT, "
    "email TEXT)"
)
#: Tables made before tokens named people get the columns (add, never rename).
ADDED_COLUMNS = ("person", "email")


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's label, role and, for a token issued to a person,
    that person (then `recorded_by` is ``Name <email>``; else the label)."""

    label: str
    role: str
    person: str | None = None
    email: str | None = None

    @property
    def recorded_by(self) -> str:
        if self.person and self.email:
            return identity(self.person, self.email)
        return self.label


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token: never the token or its digest."""

    label: str
    role: str
    created_at: str
    revoked_at: str | None
    person: str | None = None
    email: str | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: The system's records of a token issued and revoked (``EventType.system_record``;
#: payload: the token's `label` and `role`, and a lifecycle per label).
ISSUED = "token_issued"
REVOKED = "token_revoked"


class Tokens:
    """The token table beside the log, and the verbs that change it."""

    def __init__(self, app: FollowUp) -> None:
        self.app = app
        self.issued = app.catalogue.system_type(ISSUED)
        self.revoked = app.catalogue.system_type(REVOKED)
        self.sql: Sql = app.log.sql()
        # Writers are serialised by the port, so workers starting at once do not race.
        with self.sql.transaction(write=True) as cursor:
            cursor.execute(TABLE)
        for column in ADDED_COLUMNS:
            try:
                with self.sql.transaction(write=False) as cursor:
                    cursor.execute(f"SELECT {column} FROM api_tokens WHERE 1 = 0")  # noqa: S608
            except PersistenceError:
                with self.sql.transaction(write=True) as cursor:
                    cursor.execute(f"ALTER TABLE api_tokens ADD COLUMN {column} TEXT")

    def create(
        self,
        label: str,
        role: str,
        recorded_by: str,
        *,
        person: str | None = None,
        email: str | None = None,
    ) -> str:
        """Issue a token and return it: the only time it is ever seen. Issued to a
        person (name and email), what it records is recorded by that person."""
        if (person is None) != (email is None):
            raise InvalidEvent({"person": ["A person is given with a name and an email."]})
        who = {"person": person, "email": email} if person is not None else {}
        draft = self.app.validate(
            {
                "type": self.issued,
                "occurred_on": self.app.clock().date().isoformat(),
                "label": label,
                "role": role,
                "classification": Classification.RESTRICTED.value,
                **who,
            }
        )
        found = self._find(label)
        if found is not None and not found.revoked:
            raise LifecycleConflict(
                f"A token labelled {label} is in use; revoke it first to issue a new one."
            )
        event = self.app.record(draft, recorded_by, role=None)
        token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        with self.sql.transaction(write=True) as cursor:
            cursor.execute(
                "INSERT INTO api_tokens (label, role, token_sha256, created_at, person, email) "
                "VALUES (?,?,?,?,?,?) "
                "ON CONFLICT (label) DO UPDATE SET role = excluded.role, "
                "token_sha256 = excluded.token_sha256, created_at = excluded.created_at, "
                "revoked_at = NULL, person = excluded.person, email = excluded.email",
                (label, role, digest(token), event.recorded_at, person, email),
            )
        return token

    def revoke(self, label: str, recorded_by: str) -> TokenInfo:
        """Revoke at once (the table first: a revoked token must stop working even if
        recording the revocation fails), then record the revocation."""
        info = self._find(label)
        if info is not None and info.revoked:
            raise LifecycleConflict(f"The token labelled {label} is already revoked.")
        if info is None:
            # No token in the table, but the log may say one was issued (a store moved
            # with `events import --preserve` keeps the log, not the tokens): let the
            # log say it is revoked too.
            state = self._issued_in_log(label)
            if state is None:
                raise NotFound(f"No token labelled {label}.")
            role = str(state["role"])
        else:
            role = info.role
            now = format_timestamp(self.app.clock())
            with self.sql.transaction(write=True) as cursor:
                cursor.execute(
                    "UPDATE api_tokens SET revoked_at = ? WHERE label = ? AND revoked_at IS NULL",
                    (now, label),
                )
        draft = self.app.validate(
            {
                "type": self.revoked,
                "occurred_on": self.app.clock().date().isoformat(),
                "label": label,
                "role": role,
                "classification": Classification.RESTRICTED.value,
            }
        )
        event = self.app.record(draft, recorded_by, role=None)
        return self._find(label) or TokenInfo(label, role, "", event.recorded_at)

    def _issued_in_log(self, label: str) -> Mapping[str, Any] | None:
        """The log's state of a label's token, if one is issued and not revoked."""
        subject = self.app.catalogue[self.issued].subject_of({"label": label})
        dossier = self.app.dossier(subject)
        state = dossier.lifecycle(self.app.catalogue) if dossier is not None else None
        return state if state is not None and not state.get("revoked") else None

    def list(self) -> list[TokenInfo]:
        with self.sql.transaction(write=False) as cursor:
            cursor.execute(
                "SELECT label, role, created_at, revoked_at, person, email FROM api_tokens "
                "ORDER BY created_at, label"
            )
            rows = cursor.fetchall()
        return [
            TokenInfo(
                r["label"], r["role"], r["created_at"], r["revoked_at"], r["person"], r["email"]
            )
            for r in rows
        ]

    def authenticate(self, token: str) -> Caller | None:
        """The caller a token stands for, or None if it is unknown or revoked."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        wanted = digest(token)
        with self.sql.transaction(write=False) as cursor:
            cursor.execute(
                "SELECT label, role, token_sha256, revoked_at, person, email FROM api_tokens "
                "WHERE token_sha256 = ?",
                (wanted,),
            )
            row = cursor.fetchone()
        if row is None or row["revoked_at"] is not None:
            return None
        if not hmac.compare_digest(str(row["token_sha256"]), wanted):
            return None
        return Caller(row["label"], row["role"], row["person"], row["email"])

    def role_of(self, label: str) -> str | None:
        """The role of the token a label was last issued with (revoked or not): what
        is recorded under a person's label is recorded as that person would."""
        found = self._find(label)
        return found.role if found is not None else None

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
