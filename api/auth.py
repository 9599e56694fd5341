"""Bearer tokens and roles for every blueprint.

Every endpoint declares who may call it, or the app refuses to start:

- ``@allow(FOCAL_POINT, BUREAU)`` under ``@blueprint.route(...)``: a valid token whose
  role is listed (401 without a valid token, 403 for another role);
- ``@public`` for what needs no token (health, the OpenAPI document and its page).

A view reads the caller with `current_caller()` and what it may see with
`current_visibility()`; both come from the token checked before the view runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, request
from flask_smorest import Blueprint
from werkzeug.exceptions import Unauthorized

from api.errors import ApiError
from core.tokens import Caller, Tokens
from core.visibility import Visibility
from followup.bootstrap import Services

F = TypeVar("F", bound=Callable[..., Any])

SECURITY_SCHEME = "bearerAuth"
ROLES_ATTRIBUTE = "_followup_roles"
PUBLIC_ATTRIBUTE = "_followup_public"


def _error_doc(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def allow(*roles: str) -> Callable[[F], F]:
    """Let callers with one of `roles` in (and document it in the OpenAPI document)."""
    if not roles:
        raise ValueError("allow() needs at least one role; use @public for no token")

    def decorator(view: F) -> F:
        documented = Blueprint.doc(
            security=[{SECURITY_SCHEME: []}],
            responses={
                "401": _error_doc("No valid bearer token."),
                "403": _error_doc("The token's role may not do this."),
            },
        )(view)
        note = "Roles: " + ", ".join(f"`{role}`" for role in roles) + "."
        documented.__doc__ = inspect.cleandoc(view.__doc__ or "") + "\n\n" + note
        setattr(documented, ROLES_ATTRIBUTE, frozenset(roles))
        return cast(F, documented)

    return decorator


def public(view: F) -> F:
    """Needs no token."""
    documented = Blueprint.doc(security=[])(view)
    documented.__doc__ = inspect.cleandoc(view.__doc__ or "")
    setattr(documented, PUBLIC_ATTRIBUTE, True)
    return cast(F, documented)


def current_caller() -> Caller:
    caller = g.get("followup_caller")
    if caller is None:
        raise Unauthorized("This endpoint needs a bearer token.")
    return cast(Caller, caller)


def current_visibility() -> Visibility:
    """What the caller may see of the log (core.visibility), for this request."""
    if "followup_visibility" not in g:
        services: Services = current_app.extensions["followup"]
        caller = current_caller()
        g.followup_visibility = services.app.visibility(
            caller.role, caller.recorded_by, also=(caller.label,)
        )
    return cast(Visibility, g.followup_visibility)


def _declaration(view: Any, method: str) -> tuple[bool, frozenset[str] | None]:
    """(public?, roles) declared for a view function, or for a MethodView's method."""
    target = view
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        # Flask answers HEAD with the GET handler when there is no head().
        name = method.lower()
        target = getattr(view_class, name, None) or (
            getattr(view_class, "get", None) if name == "head" else None
        )
    return bool(getattr(target, PUBLIC_ATTRIBUTE, False)), getattr(target, ROLES_ATTRIBUTE, None)


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def install(app: Flask, tokens: Tokens, public_endpoints: Iterable[str] = ()) -> None:
    """Check the token and role before every view. Endpoints in `public_endpoints`
    (those of other extensions, such as the OpenAPI document) need no token."""
    open_endpoints = frozenset(public_endpoints)

    @app.before_request
    def authenticate() -> None:
        endpoint = request.endpoint
        if endpoint is None or request.method == "OPTIONS":
            return  # no such URL: 404 (or 405) follows, and tells nothing about tokens
        view = app.view_functions[endpoint]
        is_public, roles = _declaration(view, request.method)
        if is_public or endpoint in open_endpoints:
            return
        token = _bearer_token()
        caller = tokens.authenticate(token) if token else None
        if caller is None:
            raise ApiError(
                401,
                "A valid bearer token is needed: Authorization: Bearer <token>.",
                headers={"WWW-Authenticate": 'Bearer realm="followup"'},
            )
        g.followup_caller = caller
        if roles is None or caller.role not in roles:
            raise ApiError(403, f"The {caller.role} role may not {request.method} {request.path}.")


def check_declared(app: Flask, public_endpoints: Iterable[str] = ()) -> None:
    """Refuse to start if an endpoint says neither @allow nor @public (fail closed)."""
    open_endpoints = frozenset(public_endpoints)
    undeclared = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in open_endpoints:
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            is_public, roles = _declaration(view, method)
            if not is_public and not roles:
                undeclared.append(f"{method} {rule.rule}")
    if undeclared:
        raise RuntimeError(
            "Endpoints without @allow(...) or @public: " + ", ".join(sorted(undeclared))
        )
