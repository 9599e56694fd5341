"""What the annual report's heading says that the log cannot know: the session of the
Assembly it goes to, where and when that session meets, the document's symbol and date,
and the resolution that mandates the report.

Read from a small TOML file named by ``FOLLOWUP_REPORT_CONFIG`` and from environment
variables, which win over the file (README, "The annual report"); the command line
wins over both. A final report needs every one of them (`missing` names those not
set): a guessed symbol or venue is worse than none. A draft can do without them, and
says DRAFT on every page. Nothing is ever taken from the wall clock.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from reports.errors import ReportError

CONFIG_FILE_VARIABLE = "FOLLOWUP_REPORT_CONFIG"

#: Environment variable of each setting (the file uses the setting's own name).
VARIABLES = {
    "session": "FOLLOWUP_REPORT_SESSION",
    "venue": "FOLLOWUP_REPORT_VENUE",
    "venue_fr": "FOLLOWUP_REPORT_VENUE_FR",
    "session_from": "FOLLOWUP_REPORT_SESSION_FROM",
    "session_to": "FOLLOWUP_REPORT_SESSION_TO",
    "session_dates": "FOLLOWUP_REPORT_SESSION_DATES",
    "symbol": "FOLLOWUP_REPORT_SYMBOL",
    "document_date": "FOLLOWUP_REPORT_DATE",
    "mandate": "FOLLOWUP_REPORT_MANDATE",
    "mandate_paragraph": "FOLLOWUP_REPORT_MANDATE_PARAGRAPH",
    "mandate_date": "FOLLOWUP_REPORT_MANDATE_DATE",
    "activity_rows": "FOLLOWUP_REPORT_ACTIVITY_ROWS",
}

#: What a final report's heading must have: (setting, what it is). The session's
#: dates are either both dates or, as before, `session_dates` (English text).
REQUIRED = (
    ("symbol", "the document's symbol"),
    ("session", "the session's number"),
    ("venue", "where the session meets"),
    ("session_from", "the session's first day"),
    ("session_to", "the session's last day"),
    ("document_date", "the document's date"),
    ("mandate", "the resolution that mandates the report"),
)

#: Settings that are dates (YYYY-MM-DD), and whole numbers.
DATES = ("session_from", "session_to", "document_date", "mandate_date")
NUMBERS = ("session", "activity_rows", "mandate_paragraph")

#: The Assembly's first session was in 2002; the report on year Y goes to the regular
#: session held at the end of Y (the 2007 report went to the sixth session).
FIRST_SESSION_YEAR = 2001

#: Activities itemised per section before the table says how many more there are.
DEFAULT_ACTIVITY_ROWS = 100


@dataclass(frozen=True)
class ReportConfig:
    """Settings of one report (None: not set). `draft` marks a draft (every page says
    so), which may leave the heading's settings unset."""

    session: int | None = None
    venue: str | None = None
    venue_fr: str | None = None
    session_from: date | None = None
    session_to: date | None = None
    session_dates: str | None = None
    symbol: str | None = None
    document_date: date | None = None
    mandate: str | None = None
    mandate_paragraph: int | None = None
    mandate_date: date | None = None
    activity_rows: int = DEFAULT_ACTIVITY_ROWS
    draft: bool = False

    def resolved(self, year: int) -> ReportConfig:
        """The settings as the report uses them: `{session}` in the symbol replaced;
        a draft's session number, if not set, is the one that follows the year
        (2007 -> sixth)."""
        session = self.session
        if session is None and self.draft:
            session = max(1, year - FIRST_SESSION_YEAR)
        symbol = self.symbol
        if symbol is not None and session is not None:
            symbol = symbol.replace("{session}", str(session))
        return replace(self, session=session, symbol=symbol)

    def missing(self) -> list[str]:
        """The settings a final report needs that are not set, as 'name (what)'."""
        found = []
        for name, what in REQUIRED:
            if name in ("session_from", "session_to") and self.session_dates:
                continue
            if getattr(self, name) in (None, ""):
                found.append(f"{name} ({what}; {VARIABLES[name]})")
        return found

    def require_complete(self) -> None:
        """A final report's heading must be complete: ReportError names what is not set."""
        if self.draft:
            return
        missing = self.missing()
        if missing:
            raise ReportError(
                "The report's heading is not complete: set "
                + ", ".join(missing)
                + " (README, 'The annual report'), or produce a draft (--draft), which "
                "says DRAFT on every page."
            )
        if self.session_from and self.session_to and self.session_from > self.session_to:
            raise ReportError("The session's first day (session_from) is after its last day.")

    def with_settings(self, **settings: Any) -> ReportConfig:
        """These settings replaced (those given as None are left as they are), each
        checked as the file's and the environment's are."""
        given = {name: value for name, value in settings.items() if value is not None}
        if not given:
            return self
        checked = parse(given, source="the command line")
        return replace(self, **{name: getattr(checked, name) for name in given})

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in DATES:
            value = getattr(self, name)
            data[name] = value.isoformat() if value else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReportConfig:
        return parse(data, source="the report's data")


def parse(values: Mapping[str, Any], *, source: str) -> ReportConfig:
    """Settings from a mapping of names to values (strings from the environment, or
    TOML values), each checked; an unknown name or a bad value is refused."""
    known = {f.name for f in fields(ReportConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ReportError(f"{source}: unknown settings: {', '.join(unknown)}.")
    settings: dict[str, Any] = {}
    for name, value in values.items():
        if value is None or value == "":
            continue
        try:
            settings[name] = _convert(name, value)
        except (TypeError, ValueError) as error:
            raise ReportError(f"{source}: {name}: {error}") from None
    return ReportConfig(**settings)


def _convert(name: str, value: Any) -> Any:
    if name == "draft":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "yes", "1"):
            return True
        if str(value).lower() in ("false", "no", "0"):
            return False
        raise ValueError(f"{value!r} is not true or false.")
    if name in NUMBERS:
        if isinstance(value, bool):
            raise ValueError("A whole number.")
        number = int(value)
        if not 0 < number <= 10_000:
            raise ValueError(f"{number} is out of range (1 to 10000).")
        return number
    if name in DATES:
        if isinstance(value, date):
            return value
        return date.fromisoformat(str(value))
    text = str(value).strip()
    if len(text) > 200:
        raise ValueError("At most 200 characters.")
    return text


def load(environ: Mapping[str, str] | None = None) -> ReportConfig:
    """The settings from ``FOLLOWUP_REPORT_CONFIG`` (a TOML file) and the environment."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = environ.get(CONFIG_FILE_VARIABLE)
    if path:
        try:
            with Path(path).open("rb") as stream:
                table = tomllib.load(stream)
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ReportError(f"{CONFIG_FILE_VARIABLE}: cannot read {path}: {error}") from None
        values.update(table.get("report", table))
    for name, variable in VARIABLES.items():
        if environ.get(variable):
            values[name] = environ[variable]
    return parse(values, source="report configuration")
