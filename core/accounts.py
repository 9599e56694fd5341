"""People who sign in to the console: a password (Argon2id) and a second factor
(RFC 6238 TOTP, with single-use recovery codes), a role as on the API, and a lock-out
after repeated failures. Opening, resetting, disabling and enabling an account are
recorded in the log (as the types that say they record `OPENED`, `RESET`, `DISABLED`,
`ENABLED`, which the access area declares), so the audit trail says who could act
when, as it does for tokens.

Every attempt to sign in, failed or not, is a row of `sign_ins`, a table beside the log
whose rows are chained like the log's (each row's `hash` is SHA-256 of the previous
row's and of its own content), so an edited or deleted row shows (`verify_sign_ins`).
Not the log itself: anyone on the network can fail to sign in, and a stranger must
not be able to grow the permanent record of cooperation.

What is stored: the Argon2id hash of the password (never the password), the recovery
codes' SHA-256 digests (80 random bits each), and the TOTP secret itself (it must be
read to check a code; whoever reads the store's tables still lacks the password)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.application import FollowUp
from core.clock import format_timestamp, parse_timestamp
from core.envelope import Classification
from core.errors import FollowupError, LifecycleConflict, NotFound
from core.people import identity
from core.roles import ROLES
from core.sql import Cursor, Sql

#: The system's records of an account (``EventType.system_record``; payload: the
#: account's `email`, `person`, `role`, and a lifecycle per email).
OPENED = "account_opened"
RESET = "account_reset"
DISABLED = "account_disabled"
ENABLED = "account_enabled"

#: Consecutive failures (password or code) that lock an account, and for how long.
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
#: Passwords: long enough to resist guessing offline, short enough to hash cheaply.
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
RECOVERY_CODES = 10
#: TOTP codes of the step before and after are taken too (clocks drift), once each.
TOTP_WINDOW = 1
ISSUER = "followup"

TABLES = (
    "CREATE TABLE IF NOT EXISTS console_people ("
    "email TEXT PRIMARY KEY, "
    "person TEXT NOT NULL, "
    "role TEXT NOT NULL, "
    "password_hash TEXT NOT NULL, "
    "totp_secret TEXT NOT NULL, "
    "totp_last_step BIGINT NOT NULL DEFAULT 0, "
    "failures INTEGER NOT NULL DEFAULT 0, "
    "locked_until TEXT, "
    "disabled_at TEXT, "
    "created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS console_recovery_codes ("
    "email TEXT NOT NULL, "
    "code_sha256 TEXT NOT NULL, "
    "used_at TEXT, "
    "PRIMARY KEY (email, code_sha256))",
    "CREATE TABLE IF NOT EXISTS sign_ins ("
    "seq BIGINT PRIMARY KEY, "
    "at TEXT NOT NULL, "
    "email TEXT NOT NULL, "
    "step TEXT NOT NULL, "
    "outcome TEXT NOT NULL, "
    "address TEXT NOT NULL, "
    "hash TEXT NOT NULL)",
)

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_GENESIS = "0" * 64
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class Outcome(StrEnum):
    """What became of one attempt (a row of `sign_ins`)."""

    PASSWORD_ACCEPTED = "password_accepted"  # noqa: S105 (an outcome, not a secret)
    SIGNED_IN = "signed_in"
    SIGNED_IN_WITH_RECOVERY_CODE = "signed_in_with_recovery_code"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 (an outcome, not a secret)
    WRONG_CODE = "wrong_code"
    UNKNOWN_PERSON = "unknown_person"
    LOCKED = "locked"
    DISABLED = "disabled"
    SIGNED_OUT = "signed_out"


class AccountError(FollowupError):
    """A mistake in managing accounts (a weak password, an unknown email...)."""


@dataclass(frozen=True)
class Person:
    """What may be shown about an account: never its password hash or secret."""

    email: str
    person: str
    role: str
    created_at: str
    disabled_at: str | None
    locked_until: str | None
    failures: int

    @property
    def recorded_by(self) -> str:
        return identity(self.person, self.email)

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None


@dataclass(frozen=True)
class Enrolment:
    """A second factor, shown once: the TOTP secret (and the otpauth:// URI an
    authenticator app reads) and the recovery codes."""

    secret: str
    uri: str
    recovery_codes: tuple[str, ...]


@dataclass(frozen=True)
class Attempt:
    """The verdict on one step of a sign-in. `person` is set when the step passed."""

    outcome: Outcome
    person: Person | None = None

    @property
    def ok(self) -> bool:
        return self.person is not None


@dataclass(frozen=True)
class SignIn:
    """One row of the sign-in record."""

    seq: int
    at: str
    email: str
    step: str
    outcome: str
    address: str
    hash: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chained(previous: str, row: Mapping[str, Any]) -> str:
    canonical = json.dumps(dict(row), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _digest(previous + "\n" + canonical)


def normalised_email(email: str) -> str:
    return email.strip().lower()


def recovery_code() -> str:
    """Four groups of four characters of base32: 80 random bits."""
    raw = "".join(secrets.choice(BASE32) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _code_key(code: str) -> str:
    return _digest(re.sub(r"[\s-]", "", code).upper())


class Accounts:
    """The accounts beside the log, and the verbs that check and change them."""

    def __init__(self, app: FollowUp, hasher: PasswordHasher | None = None) -> None:
        self.app = app
        self.clock = app.clock
        self.hasher = hasher or PasswordHasher()
        self.sql: Sql = app.log.sql()
        catalogue = app.catalogue
        self.types = {
            record: catalogue.system_type(record) for record in (OPENED, RESET, DISABLED, ENABLED)
        }
        with self.sql.transaction(write=True) as cursor:
            for table in TABLES:
                cursor.execute(table)

    # -- managing accounts (the operator's command line) ------------------------------

    def open(
        self, email: str, person: str, role: str, password: str, recorded_by: str
    ) -> Enrolment:
        """Open an account and enrol its second factor (shown once)."""
        email = normalised_email(email)
        self._check(email, role, password)
        if self.find(email) is not None:
            raise LifecycleConflict(f"An account for {email} is already open.")
        enrolment = self._new_factor(email)
        password_hash = self.hasher.hash(password)
        self._record(OPENED, recorded_by, email=email, person=person, role=role)
        with self.sql.transaction(write=True) as cursor:
            cursor.execute(
                "INSERT INTO console_people (email, person, role, password_hash, totp_secret, "
                "created_at) VALUES (?,?,?,?,?,?)",
                (
                    email,
                    person,
                    role,
                    password_hash,
                    enrolment.secret,
                    format_timestamp(self.clock()),
                ),
            )
            self._store_codes(cursor, email, enrolment.recovery_codes)
        return enrolment

    def reset(
        self,
        email: str,
        recorded_by: str,
        *,
        password: str | None = None,
        second_factor: bool = False,
    ) -> Enrolment | None:
        """A new password and/or a new second factor (and recovery codes); the
        lock-out is lifted. Returns the new second factor when one was made."""
        found = self._existing(email)
        if password is None and not second_factor:
            raise AccountError("Reset what? Give a new password, a new second factor, or both.")
        if password is not None:
            self._check(found.email, found.role, password)
        what = [
            w for w, given in (("password", password), ("second_factor", second_factor)) if given
        ]
        self._record(RESET, recorded_by, email=found.email, role=found.role, reset=what)
        enrolment = self._new_factor(found.email) if second_factor else None
        with self.sql.transaction(write=True) as cursor:
            if password is not None:
                cursor.execute(
                    "UPDATE console_people SET password_hash = ? WHERE email = ?",
                    (self.hasher.hash(password), found.email),
                )
            if enrolment is not None:
                cursor.execute(
                    "UPDATE console_people SET totp_secret = ?, totp_last_step = 0 WHERE email = ?",
                    (enrolment.secret, found.email),
                )
                cursor.execute("DELETE FROM console_recovery_codes WHERE email = ?", (found.email,))
                self._store_codes(cursor, found.email, enrolment.recovery_codes)
            cursor.execute(
                "UPDATE console_people SET failures = 0, locked_until = NULL WHERE email = ?",
                (found.email,),
            )
        return enrolment

    def disable(self, email: str, recorded_by: str) -> Person:
        """The account can no longer sign in (its sessions end: the console checks the
        account on every request)."""
        found = self._existing(email)
        if found.disabled:
            raise LifecycleConflict(f"The account of {found.email} is already disabled.")
        with self.sql.transaction(write=True) as cursor:
            cursor.execute(
                "UPDATE console_people SET disabled_at = ? WHERE email = ?",
                (format_timestamp(self.clock()), found.email),
            )
        self._record(DISABLED, recorded_by, email=found.email, role=found.role)
        return self._existing(found.email)

    def enable(self, email: str, recorded_by: str) -> Person:
        found = self._existing(email)
        if not found.disabled:
            raise LifecycleConflict(f"The account of {found.email} is not disabled.")
        self._record(ENABLED, recorded_by, email=found.email, role=found.role)
        with self.sql.transaction(write=True) as cursor:
            cursor.execute(
                "UPDATE console_people SET disabled_at = NULL, failures = 0, "
                "locked_until = NULL WHERE email = ?",
                (found.email,),
            )
        return self._existing(found.email)

    def people(self) -> list[Person]:
        with self.sql.transaction(write=False) as cursor:
            cursor.execute(
                "SELECT email, person, role, created_at, disabled_at, locked_until, failures "
                "FROM console_people ORDER BY email"
            )
            return [_person(row) for row in cursor.fetchall()]

    def find(self, email: str) -> Person | None:
        with self.sql.transaction(write=False) as cursor:
            cursor.execute(
                "SELECT email, person, role, created_at, disabled_at, locked_until, failures "
                "FROM console_people WHERE email = ?",
                (normalised_email(email),),
            )
            row = cursor.fetchone()
        return _person(row) if row is not None else None

    # -- signing in ---------------------------------------------------------------

    def check_password(self, email: str, password: str, address: str) -> Attempt:
        """The first step: the password. A locked, disabled or unknown account fails
        as a wrong password does (and takes as long)."""
        email = normalised_email(email)[:320]
        with self.sql.transaction(write=False) as cursor:
            cursor.execute("SELECT * FROM console_people WHERE email = ?", (email,))
            row = cursor.fetchone()
        stored = str(row["password_hash"]) if row is not None else self._decoy
        try:
            matches: bool = self.hasher.verify(stored, password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            matches = False
        if row is None:
            return self._attempt(email, "password", Outcome.UNKNOWN_PERSON, address)
        refused = self._refusal(row)
        if refused is not None:
            return self._attempt(email, "password", refused, address)
        if not matches:
            return self._failed(email, "password", Outcome.WRONG_PASSWORD, address)
        if self.hasher.check_needs_rehash(stored):
            with self.sql.transaction(write=True) as cursor:
                cursor.execute(
                    "UPDATE console_people SET password_hash = ? WHERE email = ?",
                    (self.hasher.hash(password), email),
                )
        return self._attempt(email, "password", Outcome.PASSWORD_ACCEPTED, address, _person(row))

    def check_code(self, email: str, code: str, address: str) -> Attempt:
        """The second step: a TOTP code (each time step used once) or a recovery code
        (each used once)."""
        email = normalised_email(email)
        code = re.sub(r"\s", "", code)[:64]
        with self.sql.transaction(write=False) as cursor:
            cursor.execute("SELECT * FROM console_people WHERE email = ?", (email,))
            row = cursor.fetchone()
        if row is None:
            return self._attempt(email, "code", Outcome.UNKNOWN_PERSON, address)
        refused = self._refusal(row)
        if refused is not None:
            return self._attempt(email, "code", refused, address)
        if code.isdigit() and len(code) == 6:
            step = self._totp_step(str(row["totp_secret"]), code)
            if step is not None and self._use_step(email, step):
                return self._signed_in(email, Outcome.SIGNED_IN, address)
        elif self._use_recovery_code(email, code):
            return self._signed_in(email, Outcome.SIGNED_IN_WITH_RECOVERY_CODE, address)
        return self._failed(email, "code", Outcome.WRONG_CODE, address)

    def signed_out(self, email: str, address: str) -> None:
        self._log_attempt(email, "session", Outcome.SIGNED_OUT, address)

    def current(self, email: str) -> Person | None:
        """The account behind a session, if it may still act (not disabled)."""
        found = self.find(email)
        return found if found is not None and not found.disabled else None

    # -- the sign-in record ----------------------------------------------------------

    def sign_ins(self, *, email: str | None = None, limit: int = 100) -> list[SignIn]:
        """The latest attempts, newest first."""
        query = "SELECT * FROM sign_ins"
        params: list[Any] = []
        if email is not None:
            query += " WHERE email = ?"
            params.append(normalised_email(email))
        query += " ORDER BY seq DESC LIMIT ?"
        params.append(limit)
        with self.sql.transaction(write=False) as cursor:
            cursor.execute(query, params)
            return [_sign_in(row) for row in cursor.fetchall()]

    def verify_sign_ins(self) -> tuple[int, int | None]:
        """(rows verified, the first row whose chain breaks or None)."""
        previous, expected_seq, count = _GENESIS, 1, 0
        after = 0
        while True:
            with self.sql.transaction(write=False) as cursor:
                cursor.execute(
                    "SELECT * FROM sign_ins WHERE seq > ? ORDER BY seq LIMIT 1000", (after,)
                )
                rows = cursor.fetchall()
            if not rows:
                return count, None
            for raw in rows:
                row = _sign_in(raw)
                if row.seq != expected_seq or row.hash != _chained(previous, _content(row)):
                    return count, row.seq if row.seq == expected_seq else expected_seq
                previous, expected_seq, count = row.hash, row.seq + 1, count + 1
            after = rows[-1]["seq"]

    # -- inside ---------------------------------------------------------------------

    @cached_property
    def _decoy(self) -> str:
        """Checked for unknown emails, so that a miss takes as long as a wrong password."""
        return self.hasher.hash(secrets.token_urlsafe(16))

    def _check(self, email: str, role: str, password: str) -> None:
        if not _EMAIL.match(email) or len(email) > 320:
            raise AccountError(f"Not an email address: {email[:80]!r}.")
        if role not in ROLES:
            raise AccountError(f"Unknown role {role!r}; roles: {', '.join(ROLES)}.")
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise AccountError(
                f"A password has {MIN_PASSWORD} to {MAX_PASSWORD} characters "
                "(a few words make a good one)."
            )
        if password.strip().lower() in {email, email.split("@")[0]}:
            raise AccountError("The password must not be the email.")

    def _existing(self, email: str) -> Person:
        found = self.find(email)
        if found is None:
            raise NotFound(f"No account for {normalised_email(email)}.")
        return found

    def _record(self, record: str, recorded_by: str, **payload: Any) -> None:
        draft = self.app.validate(
            {
                "type": self.types[record],
                "occurred_on": self.clock().date().isoformat(),
                "classification": Classification.RESTRICTED.value,
                **payload,
            }
        )
        self.app.record(draft, recorded_by, role=None)

    def _new_factor(self, email: str) -> Enrolment:
        secret = pyotp.random_base32(32)
        uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
        codes = tuple(recovery_code() for _ in range(RECOVERY_CODES))
        return Enrolment(secret, uri, codes)

    def _store_codes(self, cursor: Cursor, email: str, codes: tuple[str, ...]) -> None:
        cursor.executemany(
            "INSERT INTO console_recovery_codes (email, code_sha256) VALUES (?,?)",
            [(email, _code_key(code)) for code in codes],
        )

    def _refusal(self, row: Mapping[str, Any]) -> Outcome | None:
        if row["disabled_at"] is not None:
            return Outcome.DISABLED
        locked = row["locked_until"]
        if locked is not None and parse_timestamp(str(locked)) > self.clock():
            return Outcome.LOCKED
        return None

    def _totp_step(self, secret: str, code: str) -> int | None:
        totp = pyotp.TOTP(secret)
        now = self.clock()
        current = totp.timecode(now)
        for offset in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
            step = current + offset
            if hmac.compare_digest(totp.generate_otp(step), code):
                return step
        return None

    def _use_step(self, email: str, step: int) -> bool:
        """Take a time step once: a code seen (or one of an earlier step) is refused,
        so a code read over a shoulder cannot be replayed."""
        with self.sql.transaction(write=True) as cursor:
            cursor.execute(
                "UPDATE console_people SET totp_last_step = ? "
                "WHERE email = ? AND totp_last_step < ?",
                (step, email, step),
            )
            return cursor.rowcount == 1

    def _use_recovery_code(self, email: str, code: str) -> bool:
        if not re.fullmatch(r"[A-Za-z2-7-]{16,19}", code):
            return False
        with self.sql.transaction(write=True) as cursor:
            cursor.execute(
                "UPDATE console_recovery_codes SET used_at = ? "
                "WHERE email = ? AND code_sha256 = ? AND used_at IS NULL",
                (format_timestamp(self.clock()), email, _code_key(code)),
            )
            return cursor.rowcount == 1

    def _signed_in(self, email: str, outcome: Outcome, address: str) -> Attempt:
        with self.sql.transaction(write=True) as cursor:
            cursor.execute(
                "UPDATE console_people SET failures = 0, locked_until = NULL WHERE email = ?",
                (email,),
            )
        return self._attempt(email, "code", outcome, address, self.find(email))

    def _failed(self, email: str, step: str, outcome: Outcome, address: str) -> Attempt:
        """Count a failure; the MAX_FAILURES-th in a row locks the account for LOCKOUT."""
        until = format_timestamp(self.clock() + LOCKOUT)
        with self.sql.transaction(write=True) as cursor:
            cursor.execute(
                "UPDATE console_people SET failures = failures + 1 WHERE email = ?", (email,)
            )
            cursor.execute(
                "UPDATE console_people SET locked_until = ?, failures = 0 "
                "WHERE email = ? AND failures >= ?",
                (until, email, MAX_FAILURES),
            )
        return self._attempt(email, step, outcome, address)

    def _attempt(
        self,
        email: str,
        step: str,
        outcome: Outcome,
        address: str,
        person: Person | None = None,
    ) -> Attempt:
        self._log_attempt(email, step, outcome, address)
        return Attempt(outcome, person)

    def _log_attempt(self, email: str, step: str, outcome: Outcome, address: str) -> None:
        at = format_timestamp(self.clock())
        with self.sql.transaction(write=True) as cursor:
            cursor.execute("SELECT seq, hash FROM sign_ins ORDER BY seq DESC LIMIT 1")
            last = cursor.fetchone()
            seq = int(last["seq"]) + 1 if last is not None else 1
            previous = str(last["hash"]) if last is not None else _GENESIS
            row = {
                "seq": seq,
                "at": at,
                "email": email[:320],
                "step": step,
                "outcome": outcome.value,
                "address": address[:64],
            }
            cursor.execute(
                "INSERT INTO sign_ins (seq, at, email, step, outcome, address, hash) "
                "VALUES (?,?,?,?,?,?,?)",
                (*row.values(), _chained(previous, row)),
            )


def _person(row: Mapping[str, Any]) -> Person:
    return Person(
        str(row["email"]),
        str(row["person"]),
        str(row["role"]),
        str(row["created_at"]),
        row["disabled_at"],
        row["locked_until"],
        int(row["failures"]),
    )


def _sign_in(row: Mapping[str, Any]) -> SignIn:
    return SignIn(
        int(row["seq"]),
        str(row["at"]),
        str(row["email"]),
        str(row["step"]),
        str(row["outcome"]),
        str(row["address"]),
        str(row["hash"]),
    )


def _content(row: SignIn) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "at": row.at,
        "email": row.email,
        "step": row.step,
        "outcome": row.outcome,
        "address": row.address,
    }
