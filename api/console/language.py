"""The console's languages: English and French, as the rest of followup writes them.
The console's fixed words are in its own message catalogue
(``api/console/locale/fr/LC_MESSAGES/console.po``), read at run time by Babel as
core/words.py reads followup.po (no compile step; the .po file ships in the wheel);
events read in their types' sentences, dates, numbers and party names come from
`core.words.Words`. The language is the person's choice (a cookie), else the
browser's first preference of the two."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import cast

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Response, g, redirect, request

from api.console.access import anonymous, safe_next, set_cookie
from api.console.blueprint import blueprint
from core.words import LANGUAGES, Words

LOCALE_FOLDER = Path(__file__).resolve().parent / "locale"
COOKIE = "followup-lang"


@cache
def catalogue(language: str) -> Catalog | None:
    path = LOCALE_FOLDER / language / "LC_MESSAGES" / "console.po"
    if language == "en" or not path.exists():
        return None
    with path.open("rb") as po:
        return read_po(po, locale=language, domain="console")


@cache
def words(language: str) -> Words:
    return Words(language)


def current() -> str:
    if "console_language" not in g:
        chosen = request.cookies.get(COOKIE)
        if chosen not in LANGUAGES:
            chosen = request.accept_languages.best_match(LANGUAGES, default="en")
        g.console_language = chosen
    return cast(str, g.console_language)


def translated(message: str, language: str | None = None) -> str | None:
    """The message in the language, or None if the catalogue lacks it."""
    found = catalogue(language or current())
    if found is None:
        return message
    entry = found.get(message)
    if entry is None or not entry.string or isinstance(entry.string, tuple):
        return None
    return str(entry.string)


def gettext(message: str, **values: object) -> str:
    """A fixed text of the console in the current language (English if untranslated),
    with ``%(name)s`` values filled in."""
    text = translated(message) or message
    return text % values if values else text


@blueprint.route("/language/<string:code>", methods=["GET"])
@anonymous
def choose(code: str) -> Response:
    """Switch the console's language (a plain link: choosing a language changes
    nothing recorded), back to the page it was chosen on."""
    target = safe_next(request.args.get("next"))
    response = cast(Response, redirect(target, 303))
    if code in LANGUAGES:
        set_cookie(response, COOKIE, code, max_age=365 * 24 * 3600)
    return response
