"""Drawing a console page: the template's helpers (words in the person's language,
links that keep the time the person travelled to, the CSRF token), the time query
every page takes (`as_of`, `on`, `from`, `to`, read with the API's own schema and
messages), and the error pages (HTML here, JSON everywhere else)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, render_template, request
from markupsafe import Markup
from marshmallow import EXCLUDE, ValidationError
from werkzeug.exceptions import HTTPException

from api.console import access, language
from api.console.blueprint import blueprint
from api.events import AsOf
from api.views import ViewQuery
from core.clock import format_timestamp
from core.envelope import Event
from core.errors import FollowupError, Forbidden, InvalidEvent, LifecycleConflict, NotFound
from core.parties import registry
from core.roles import AUDITOR, BUREAU, FOCAL_POINT
from core.views.model import LEVEL_OF_ROLE, Level

log = logging.getLogger("followup.console")

#: The main menu: (key, path, label, roles that see it).
NAV = (
    ("dashboard", "/", "Dashboard", (FOCAL_POINT, BUREAU, AUDITOR)),
    ("record", "/record", "Record", (FOCAL_POINT, BUREAU)),
    ("events", "/events", "Events", (FOCAL_POINT, BUREAU, AUDITOR)),
    ("recommendations", "/recommendations", "Recommendations", (FOCAL_POINT, BUREAU, AUDITOR)),
    ("parties", "/parties", "Parties", (FOCAL_POINT, BUREAU, AUDITOR)),
    ("views", "/views", "Views", (FOCAL_POINT, BUREAU, AUDITOR)),
    ("reports", "/reports", "Annual report", (BUREAU, AUDITOR)),
    ("audit", "/audit", "Time machine and audit", (BUREAU, AUDITOR)),
)

#: The parameters that say when a page is of; links keep them.
TIME_PARAMETERS = ("as_of", "on", "from", "to")


@dataclass(frozen=True)
class Time:
    """When a page is of: transaction time, valid date, period (each optional)."""

    as_of: datetime | None = None
    on: date | None = None
    first: date | None = None
    last: date | None = None
    errors: Mapping[str, list[str]] = field(default_factory=dict)

    @property
    def travelling(self) -> bool:
        return self.as_of is not None or self.on is not None


def time_query() -> Time:
    """The page's time from its query string, read as the API's views read it (their
    fields, their messages); a wrong value is named beside its field in the time bar,
    and the page shows the present instead."""
    raw = {k: request.args[k] for k in TIME_PARAMETERS if request.args.get(k)}
    try:
        loaded = ViewQuery(unknown=EXCLUDE).load(raw)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, Mapping) else {}
        return Time(errors={str(k): list(v) for k, v in messages.items()})
    return Time(loaded.get("as_of"), loaded.get("on"), loaded.get("from_"), loaded.get("to"))


def transaction_time(name: str, text: str, errors: dict[str, list[str]]) -> datetime | None:
    """A transaction time typed in a form (a report's `as_of`, an audit's `from`...),
    read by the API's field; a wrong one is named under `name` in `errors`."""
    try:
        moment: datetime = AsOf().deserialize(text)
    except ValidationError as error:
        errors[name] = [str(m) for m in error.messages]
        return None
    return moment


def level() -> Level:
    person = access.current_person()
    return LEVEL_OF_ROLE.get(person.role if person else "", Level.RESTRICTED)


def url(path: str, keep_time: bool = True, **params: Any) -> str:
    """A console link that keeps the time the person travelled to (unless told not to),
    with other parameters (None drops one)."""
    query: dict[str, Any] = {}
    if keep_time:
        query.update({k: request.args[k] for k in ("as_of", "on") if request.args.get(k)})
    for key, value in params.items():
        name = "from" if key == "from_" else key
        if value is None or value == "":
            query.pop(name, None)
        else:
            query[name] = value
    encoded = urlencode([(k, v) for k, v in query.items()], doseq=True)
    return f"/console{path}" + (f"?{encoded}" if encoded else "")


def here(**params: Any) -> str:
    """This page with some parameters changed (paging, filters)."""
    query = {k: v for k, v in request.args.items(multi=False)}
    for key, value in params.items():
        name = "from" if key == "from_" else key
        if value is None or value == "":
            query.pop(name, None)
        else:
            query[name] = str(value)
    encoded = urlencode(query)
    return request.path + (f"?{encoded}" if encoded else "")


def sentence(event: Event | Mapping[str, Any]) -> str:
    """How an event reads, in the person's language (its type's sentence)."""
    catalogue = access.services().catalogue
    kind = event.type if isinstance(event, Event) else str(event.get("type"))
    payload = event.payload if isinstance(event, Event) else event.get("payload", event)
    event_type = catalogue.types.get(kind)
    if event_type is None:
        return kind
    try:
        return event_type.reads(payload, language.words(language.current()))
    except (KeyError, TypeError, ValueError):  # an event stored before a field existed
        return kind


def moment(text: str | None) -> str:
    """A transaction time as people read it: to the second, in UTC."""
    if not text:
        return "—"
    return text[:19].replace("T", " ") + " UTC"


def number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—" if value is None else str(value)
    return language.words(language.current()).number(value)


def day(value: Any) -> str:
    if not value:
        return "—"
    return language.words(language.current()).date(value)


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


#: Fields whose values are codes from a closed list (an agreement's kind, a status...).
CODED = frozenset({"kind", "status", "instrument"})
CODE = re.compile(r"[a-z][a-z_]*")


def plain(text: str, key: str = "") -> Markup | str:
    """A string of a view's item as people read it: a date in words, a code in words
    (`interim_release`: Interim release), an event's id as a link to its page (the
    items name the events they come from), else as it is."""
    if not text:
        return "—"
    if ISO_DAY.fullmatch(text):
        return day(text)
    if key == "classification":
        return language.gettext(text)
    if key in CODED and CODE.fullmatch(text):
        return labelled(text)
    names_an_event = key in ("event", "target", "evidence") or key.endswith("_event")
    if names_an_event and UUID_TEXT.fullmatch(text):
        return Markup('<a href="{}">{}</a>').format(url(f"/events/{text}"), text)
    return text


def party(code: Any) -> str:
    return language.words(language.current()).party(str(code)) if code else "—"


def may(*roles: str) -> bool:
    person = access.current_person()
    return person is not None and person.role in roles


def labelled(name: str) -> str:
    """A field or figure name as a label: translated if the catalogue has it, else
    the name in words."""
    words = name.replace("_", " ").replace(".", " · ")
    found = language.translated(words[:1].upper() + words[1:])
    return found or words[:1].upper() + words[1:]


def in_english(text: str) -> bool:
    """True when `text` (a plugin's English description) is shown on a French page
    untranslated: the template marks it lang="en" (WCAG 3.1.2)."""
    return language.current() != "en" and language.translated(text) is None


def render(template: str, status: int = 200, **context: Any) -> Response:
    response = current_app.make_response(render_template(f"console/{template}", **context))
    response.status_code = status
    return response


@blueprint.app_template_global("now_as_of")
def now_as_of() -> str:
    return format_timestamp(access.services().app.clock())


@cache
def _party_registry() -> list[tuple[str, Any]]:
    return sorted(registry().items())


@blueprint.context_processor
def helpers() -> dict[str, Any]:
    return {
        "_": language.gettext,
        "lang": language.current(),
        "person": access.current_person(),
        "csrf_token": access.csrf_token,
        "csrf_field": access.CSRF_FIELD,
        "url": url,
        "here": here,
        "sentence": sentence,
        "moment": moment,
        "number": number,
        "day": day,
        "plain": plain,
        "party": party,
        "may": may,
        "labelled": labelled,
        "in_english": in_english,
        "NAV": NAV,
        "FOCAL_POINT": FOCAL_POINT,
        "BUREAU": BUREAU,
        "AUDITOR": AUDITOR,
        "request_path": request.full_path.rstrip("?"),
        "party_registry": _party_registry(),
    }


# -- errors ---------------------------------------------------------------------------

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please sign in.",
    403: "Your role may not open this page.",
    404: "There is nothing here.",
    405: "This page does not take that method.",
    409: "This contradicts the log.",
    413: "The file is too large (at most 4 MiB).",
    422: "Something in the request is not right.",
    503: "The store is not available; try again later.",
}


EXPIRED = "The form had expired or came from elsewhere. Go back, reload the page and send it again."


def error_page(status: int, detail: str | None = None) -> Response:
    if status == 403 and detail == "csrf":
        detail = language.gettext(EXPIRED)
        status = 400
    return render(
        "error.html",
        status=status,
        status_code=status,
        message=language.gettext(MESSAGES.get(status, "Something went wrong.")),
        detail=detail,
    )


@blueprint.errorhandler(HTTPException)
def on_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    detail = error.description if status == 403 and error.description == "csrf" else None
    return error_page(status, detail)


@blueprint.errorhandler(FollowupError)
def on_followup_error(error: FollowupError) -> Response:
    if isinstance(error, NotFound):
        return error_page(404, str(error))
    if isinstance(error, Forbidden):
        return error_page(403, str(error))
    if isinstance(error, InvalidEvent):
        return error_page(422, error.describe())
    if isinstance(error, LifecycleConflict):
        return error_page(409, str(error))
    return error_page(400, str(error))


@blueprint.errorhandler(Exception)
def on_unexpected(error: Exception) -> Response:
    log.exception("unexpected error in the console")
    return error_page(500)


@blueprint.route("/<path:rest>", methods=["GET", "POST"])
@access.anonymous
def not_found(rest: str) -> Response:
    """Any other path under /console: a page that says so, in HTML."""
    return error_page(404)
