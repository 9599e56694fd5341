"""Who is at the console: sessions, their cookie, CSRF tokens, and what each page lets in.

- **Sessions are kept on the server** (`console_sessions`, beside the log): the cookie
  holds 32 random bytes, the table only their SHA-256, so a copy of the table opens
  nothing. A session is made only once the password is right (stage `password`, five
  minutes to give the code) and replaced by a new one once the code is right (stage
  `signed_in`): an identifier planted before signing in is never the one signed in
  (no session fixation). Sign-out deletes it; it ends after 30 minutes without a
  request or 12 hours in all; the account is read on every request, so a disabled
  account or a changed role takes effect at once.
- **The cookie** is HttpOnly, SameSite=Lax, Path=/console, and Secure (named with the
  ``__Host-`` prefix) when the request came over TLS (directly, or as a proxy says).
- **CSRF**: every form carries a token, checked on every POST before the page runs:
  the session's own random token once signed in; before, an HMAC (with a secret kept
  in the store) of a random cookie. A POST whose Origin is another site is refused too.
- **Pages** declare who may open them: `@page(*roles)` (signed in with one of the
  roles; others get 403, strangers the sign-in page) or `@anonymous`. A page that
  declares neither stops the app from starting.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, request

from api.console.blueprint import blueprint
from core.accounts import Person
from core.clock import format_timestamp, parse_timestamp
from core.sql import Sql
from core.tokens import Caller
from core.visibility import Visibility
from followup.bootstrap import Services

F = TypeVar("F", bound=Callable[..., Any])

ROLES_ATTRIBUTE = "_console_roles"
ANONYMOUS_ATTRIBUTE = "_console_anonymous"

IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=12)
PENDING = timedelta(minutes=5)
#: A session's last request is written at most this often (reads stay reads).
SEEN_EVERY = timedelta(seconds=60)

SIGNED_IN = "signed_in"
PASSWORD_GIVEN = "password"  # noqa: S105 (a stage of signing in, not a secret)

TABLES = (
    "CREATE TABLE IF NOT EXISTS console_sessions ("
    "id_sha256 TEXT PRIMARY KEY, "
    "email TEXT NOT NULL, "
    "stage TEXT NOT NULL, "
    "csrf TEXT NOT NULL, "
    "created_at TEXT NOT NULL, "
    "seen_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS console_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

CSRF_FIELD = "csrf_token"


def page(*roles: str) -> Callable[[F], F]:
    """Open to people signed in with one of `roles`."""
    if not roles:
        raise ValueError("page() needs at least one role; use @anonymous for none")

    def decorator(view: F) -> F:
        setattr(view, ROLES_ATTRIBUTE, frozenset(roles))
        return view

    return decorator


def anonymous(view: F) -> F:
    """Open to anyone (the sign-in pages, the language switch)."""
    setattr(view, ANONYMOUS_ATTRIBUTE, True)
    return view


@dataclass(frozen=True)
class Session:
    id_sha256: str
    email: str
    stage: str
    csrf: str
    created_at: datetime
    seen_at: datetime


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Sessions:
    """The sessions table, and the store-kept secret anonymous CSRF tokens are made with."""

    def __init__(self, services: Services) -> None:
        self.sql: Sql = services.sql
        self.clock = services.app.clock
        with self.sql.transaction(write=True) as cursor:
            for table in TABLES:
                cursor.execute(table)
            cursor.execute("SELECT value FROM console_secrets WHERE name = 'csrf'")
            row = cursor.fetchone()
            if row is None:
                cursor.execute(
                    "INSERT INTO console_secrets (name, value) VALUES ('csrf', ?)",
                    (secrets.token_hex(32),),
                )
                cursor.execute("SELECT value FROM console_secrets WHERE name = 'csrf'")
                row = cursor.fetchone()
        assert row is not None
        self.secret = bytes.fromhex(str(row["value"]))

    def open(self, email: str, stage: str) -> str:
        """A new session; returns the identifier for the cookie (never stored)."""
        identifier = secrets.token_urlsafe(32)
        now = format_timestamp(self.clock())
        with self.sql.transaction(write=True) as cursor:
            cursor.execute(
                "INSERT INTO console_sessions (id_sha256, email, stage, csrf, created_at, "
                "seen_at) VALUES (?,?,?,?,?,?)",
                (_digest(identifier), email, stage, secrets.token_urlsafe(32), now, now),
            )
            # Expired sessions go as new ones come.
            cursor.execute(
                "DELETE FROM console_sessions WHERE seen_at < ? OR created_at < ?",
                (
                    format_timestamp(self.clock() - IDLE),
                    format_timestamp(self.clock() - LIFETIME),
                ),
            )
        return identifier

    def find(self, identifier: str) -> Session | None:
        if not identifier or len(identifier) > 100:
            return None
        with self.sql.transaction(write=False) as cursor:
            cursor.execute(
                "SELECT * FROM console_sessions WHERE id_sha256 = ?", (_digest(identifier),)
            )
            row = cursor.fetchone()
        if row is None:
            return None
        found = Session(
            str(row["id_sha256"]),
            str(row["email"]),
            str(row["stage"]),
            str(row["csrf"]),
            parse_timestamp(str(row["created_at"])),
            parse_timestamp(str(row["seen_at"])),
        )
        now = self.clock()
        lifetime = PENDING if found.stage == PASSWORD_GIVEN else LIFETIME
        if now - found.seen_at > IDLE or now - found.created_at > lifetime:
            self.close(found)
            return None
        if now - found.seen_at > SEEN_EVERY:
            with self.sql.transaction(write=True) as cursor:
                cursor.execute(
                    "UPDATE console_sessions SET seen_at = ? WHERE id_sha256 = ?",
                    (format_timestamp(now), found.id_sha256),
                )
        return found

    def close(self, session: Session) -> None:
        with self.sql.transaction(write=True) as cursor:
            cursor.execute("DELETE FROM console_sessions WHERE id_sha256 = ?", (session.id_sha256,))

    def anonymous_token(self, seed: str) -> str:
        return hmac.new(self.secret, seed.encode("utf-8"), hashlib.sha256).hexdigest()


# -- the request's view of it --------------------------------------------------------


def services() -> Services:
    found: Services = current_app.extensions["followup"]
    return found


def sessions() -> Sessions:
    found = current_app.extensions.get("followup.console.sessions")
    if found is None:
        found = current_app.extensions["followup.console.sessions"] = Sessions(services())
    return cast(Sessions, found)


def over_tls() -> bool:
    return request.is_secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def cookie_name() -> str:
    return "__Host-followup-console" if over_tls() else "followup-console"


def seed_cookie_name() -> str:
    return "__Host-followup-seed" if over_tls() else "followup-seed"


def set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    # __Host- cookies must have Path=/; the others stay within the console.
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/" if name.startswith("__Host-") else "/console",
        secure=over_tls(),
        httponly=True,
        samesite="Lax",
    )


def current_session() -> Session | None:
    if "console_session" not in g:
        identifier = request.cookies.get(cookie_name(), "")
        g.console_session = sessions().find(identifier) if identifier else None
    return cast(Session | None, g.console_session)


def current_person() -> Person | None:
    """The person signed in (both factors given, account enabled), or None."""
    if "console_person" not in g:
        session = current_session()
        person = None
        if session is not None and session.stage == SIGNED_IN:
            person = services().accounts.current(session.email)
            if person is None:  # disabled since: the session ends here
                sessions().close(session)
        g.console_person = person
    return cast(Person | None, g.console_person)


def caller() -> Caller:
    """The signed-in person as the core's services know callers: their role, and what
    they record is recorded by ``Name <email>``. The label is the email under a prefix
    no token label can have, so idempotency keys and sight never mix with a token's."""
    person = current_person()
    if person is None:
        abort(401)
    return Caller(f"console/{person.email}", person.role, person.person, person.email)


def csrf_token() -> str:
    session = current_session()
    if session is not None:
        return session.csrf
    seed = g.get("console_seed") or request.cookies.get(seed_cookie_name(), "")
    if not seed or len(seed) > 100:
        seed = g.console_seed = secrets.token_urlsafe(32)
    return sessions().anonymous_token(seed)


def _csrf_ok() -> bool:
    given = request.form.get(CSRF_FIELD, "")
    session = current_session()
    if session is not None and hmac.compare_digest(given, session.csrf):
        return True
    seed = request.cookies.get(seed_cookie_name(), "")
    return bool(seed) and hmac.compare_digest(given, sessions().anonymous_token(seed))


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None
    parts = urlsplit(origin)
    return parts.netloc == request.host and parts.scheme in ("http", "https")


def safe_next(target: str | None, default: str = "/console/") -> str:
    """Where to go after signing in: a path of the console only (never another site,
    never a scheme-relative //host or a backslash trick)."""
    if not target or len(target) > 2000:
        return default
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not (parts.path == "/console" or parts.path.startswith("/console/"))
        or ".." in parts.path.split("/")
        or "%" in parts.path
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return default
    return target


def _declaration(view: Any) -> tuple[bool, frozenset[str] | None]:
    return bool(getattr(view, ANONYMOUS_ATTRIBUTE, False)), getattr(view, ROLES_ATTRIBUTE, None)


@blueprint.before_request
def admit() -> Response | None:
    """Before every console page: the session, the page's declaration, the CSRF token."""
    view = current_app.view_functions.get(request.endpoint or "")
    if request.endpoint == "console.static":
        return None
    is_anonymous, roles = _declaration(view)
    if request.method == "POST" and not (_same_origin() and _csrf_ok()):
        abort(403, description="csrf")
    if is_anonymous:
        return None
    if roles is None:
        abort(404)  # never reached: check_declared refuses to start
    person = current_person()
    if person is None:
        target = request.full_path if request.method == "GET" else "/console/"
        return cast(Response, redirect(url_for_sign_in(safe_next(target.rstrip("?"))), 303))
    if person.role not in roles:
        abort(403)
    return None


@blueprint.after_request
def protect(response: Response) -> Response:
    """What every console response says to the browser: scripts, styles and forms only
    from here, never in a frame, nothing sniffed, signed-in pages never cached."""
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
    seed = g.get("console_seed")
    if seed:
        set_cookie(response, seed_cookie_name(), seed)
    return response


def check_declared(app: Flask) -> None:
    """Refuse to start if a console page says neither @page(...) nor @anonymous."""
    undeclared = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("console.")
        and rule.endpoint != "console.static"
        and _declaration(app.view_functions[rule.endpoint]) == (False, None)
    )
    if undeclared:
        raise RuntimeError(
            "Console pages without @page(...) or @anonymous: " + ", ".join(undeclared)
        )


def endpoints(app: Flask) -> Iterable[str]:
    """The console's endpoints: the API's bearer tokens do not apply to them."""
    return [r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("console.")]


def url_for_sign_in(target: str) -> str:
    return "/console/sign-in?" + urlencode({"next": target})


def url_for_code(target: str) -> str:
    return "/console/sign-in/code?" + urlencode({"next": target})


def visibility() -> Visibility:
    """What the signed-in person may see of the log: the API's rule for a caller of
    their role who records as ``Name <email>`` (core.visibility)."""
    if "console_visibility" not in g:
        who = caller()
        g.console_visibility = services().app.visibility(who.role, who.recorded_by)
    return cast(Visibility, g.console_visibility)
