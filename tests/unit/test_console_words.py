"""The console speaks French wherever it speaks English: every text its templates and
pages write is in its French catalogue, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2.ext import babel_extract

from api.console import language

CONSOLE = Path(__file__).resolve().parents[2] / "api" / "console"


def written() -> set[str]:
    """Every text of the console's templates (`_()`) and modules (`gettext()`, and the
    labels its pages translate)."""
    found: set[str] = set()
    for template in sorted((CONSOLE / "templates").rglob("*.html")):
        with template.open("rb") as source:
            for _line, _function, message, _comments in babel_extract(source, ("_",), [], {}):
                text = message[0] if isinstance(message, tuple) else message
                if text:
                    found.add(text)
    for module in CONSOLE.glob("*.py"):
        source = module.read_text()
        found |= set(re.findall(r'gettext\(\s*"((?:[^"\\]|\\.)*)"', source))
    from api.console import reading, rendering, signing_in

    found |= {signing_in.FAILED, rendering.EXPIRED}
    found |= {label for _name, label in reading.HEADLINE}
    found |= {title for title, _bars in reading.CHARTS}
    # The charts' bars, named as the dashboard names them (labelled: "Partially granted").
    for _title, bars in reading.CHARTS:
        for name in bars:
            code = name.split(".")[-2] if name.endswith("in_force") else name.split(".")[-1]
            words = code.replace("_", " ")
            found.add(words[:1].upper() + words[1:])
    found |= {spec["title"] for spec in reading.VIEW_PAGES.values()}
    # The views' filters' choices (labelled: "In national custody").
    for spec in reading.VIEW_PAGES.values():
        for kind in spec["filters"].values():
            if isinstance(kind, tuple):
                found |= {c.replace("_", " ")[:1].upper() + c.replace("_", " ")[1:] for c in kind}
    found |= set(rendering.MESSAGES.values())
    found |= {label for _key, _path, label, _roles in rendering.NAV}
    return found


def test_every_text_of_the_console_is_in_french():
    missing = sorted(m for m in written() if language.translated(m, "fr") is None)
    assert not missing, missing


def test_translations_keep_their_placeholders():
    for message in written():
        french = language.translated(message, "fr") or ""
        assert sorted(re.findall(r"%\(\w+\)s", message)) == sorted(
            re.findall(r"%\(\w+\)s", french)
        ), message


def test_a_text_missing_from_the_catalogue_is_not_passed_off_as_french():
    assert language.translated("A sentence nobody translated.", "fr") is None
    assert language.translated("Sign in", "fr") == "Se connecter"
    assert language.translated("Sign in", "en") == "Sign in"
