"""What the annual report's heading says that the log cannot know: the session of the
Assembly it goes to, where and when that session meets, the document's symbol and date.

Read from a small TOML file named by ``FOLLOWUP_REPORT_CONFIG`` and from environment
variables, which win over the file (README, "The annual report"). Every value has a
default derived from the report's year, so a report can always be produced; none is
ever taken from the wall clock.
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
    "session_dates": "FOLLOWUP_REPORT_SESSION_DATES",
    "symbol": "FOLLOWUP_REPORT_SYMBOL",
    "document_date": "FOLLOWUP_REPORT_DATE",
    "activity_rows": "FOLLOWUP_REPORT_ACTIVITY_ROWS",
}

#: The Assembly's first session was in 2002; the report on year Y goes to the regular
#: session held at the end of Y (the 2007 report went to the sixth session).
FIRST_SESSION_YEAR = 2001

#: Activities itemised per section before the table says how many more there are.
DEFAULT_ACTIVITY_ROWS = 100


@dataclass(frozen=True)
class ReportConfig:
    """Settings of one report. Unset values (None) take their default from the year."""

    session: int | None = None
    venue: str = "The Hague"
    session_dates: str | None = None
    symbol: str | None = None
    document_date: date | None = None
    activity_rows: int = DEFAULT_ACTIVITY_ROWS

    def resolved(self, year: int) -> ReportConfig:
        """The settings with every default filled in for a report on `year`."""
        session = self.session or max(1, year - FIRST_SESSION_YEAR)
        return replace(
            self,
            session=session,
            symbol=(self.symbol or "ICC-ASP/{session}/1").replace("{session}", str(session)),
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["document_date"] = self.document_date.isoformat() if self.document_date else None
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
    if name in ("session", "activity_rows"):
        number = int(value)
        if not 0 < number <= 10_000:
            raise ValueError(f"{number} is out of range (1 to 10000).")
        return number
    if name == "document_date":
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
