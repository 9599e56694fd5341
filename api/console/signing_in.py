"""Signing in (a password, then a code from an authenticator app or a recovery code)
and out. Every attempt is recorded (core.accounts: `sign_ins`); a failure says the
same thing whatever failed, so the page never tells whether an email has an account."""

from __future__ import annotations

from typing import cast

from flask import Response, redirect, request

from api.console import access
from api.console.access import anonymous, page, services, sessions
from api.console.blueprint import blueprint
from api.console.language import gettext
from api.console.rendering import render
from core.accounts import MAX_FAILURES, Outcome
from core.roles import ROLES

FAILED = (
    "The email, password or code is not right, or the account is locked for a while "
    "after %(count)s failures in a row."
)


def _address() -> str:
    return request.remote_addr or "unknown"


def _failed() -> str:
    return gettext(FAILED, count=MAX_FAILURES)


@blueprint.route("/sign-in", methods=["GET", "POST"])
@anonymous
def sign_in() -> Response:
    """The first step: email and password."""
    target = access.safe_next(request.values.get("next"))
    if access.current_person() is not None and request.method == "GET":
        return cast(Response, redirect(target, 303))
    if request.method == "GET":
        return render("sign_in.html", next=target, email="", error=None)
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    attempt = services().accounts.check_password(email, password, _address())
    if not attempt.ok or attempt.person is None:
        return render("sign_in.html", status=401, next=target, email=email, error=_failed())
    # A fresh identifier, whatever cookie came with the request (no fixation).
    old = access.current_session()
    if old is not None:
        sessions().close(old)
    identifier = sessions().open(attempt.person.email, access.PASSWORD_GIVEN)
    response = cast(Response, redirect(access.url_for_code(target), 303))
    access.set_cookie(response, access.cookie_name(), identifier)
    return response


@blueprint.route("/sign-in/code", methods=["GET", "POST"])
@anonymous
def sign_in_code() -> Response:
    """The second step: a six-digit code, or a recovery code."""
    target = access.safe_next(request.values.get("next"))
    pending = access.current_session()
    if pending is None or pending.stage != access.PASSWORD_GIVEN:
        return cast(Response, redirect(access.url_for_sign_in(target), 303))
    if request.method == "GET":
        return render("sign_in_code.html", next=target, error=None)
    attempt = services().accounts.check_code(
        pending.email, request.form.get("code", ""), _address()
    )
    if not attempt.ok or attempt.person is None:
        if attempt.outcome in (Outcome.LOCKED, Outcome.DISABLED):
            sessions().close(pending)
            return render(
                "sign_in.html", status=401, next=target, email=pending.email, error=_failed()
            )
        return render("sign_in_code.html", status=401, next=target, error=_failed())
    sessions().close(pending)
    identifier = sessions().open(attempt.person.email, access.SIGNED_IN)
    response = cast(Response, redirect(target, 303))
    access.set_cookie(response, access.cookie_name(), identifier)
    return response


@blueprint.route("/sign-out", methods=["POST"])
@page(*ROLES)
def sign_out() -> Response:
    session = access.current_session()
    person = access.current_person()
    if session is not None:
        sessions().close(session)
    if person is not None:
        services().accounts.signed_out(person.email, _address())
    response = cast(Response, redirect("/console/sign-in?signed_out=1", 303))
    response.delete_cookie(
        access.cookie_name(),
        path="/" if access.over_tls() else "/console",
        secure=access.over_tls(),
    )
    return response
