"""The Bureau's annual report to the Assembly: figures from the views, as an archival,
reproducible PDF that carries its own proof.

The service the entry points call (CLI, API, the scheduler):

- ``build(sources, year=..., as_of=..., lang="en") -> bytes``: the PDF;
- ``produce(...) -> AnnualReport``: the PDF with its data (log position, as_of, digest);
- ``gather_data(...)``: the data alone, as plain JSON (keys as text; what verification
  derives again): the same data draws the report in English and in French (`lang`).

A final report needs its heading's settings (``reports.config``); ``draft=True`` draws
one without them, DRAFT on every page.

The document lives in this folder: ``template.html`` and ``style.css`` (Jinja2 and
WeasyPrint), ``fonts/``; the data comes from ``gather.py``, the words from ``prose.py``,
the charts from ``charts.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from core.intact import require_intact
from reports.annual.gather import LogPoint, ReportPeriod, gather, locate
from reports.config import ReportConfig, load
from reports.sections import ReportSources


@dataclass(frozen=True)
class AnnualReport:
    """A produced report: the PDF and the data it shows (and carries attached)."""

    pdf: bytes
    data: dict[str, Any]

    @property
    def position(self) -> int:
        return int(self.data["log"]["position"])

    @property
    def as_of(self) -> str:
        return str(self.data["log"]["as_of"])

    @property
    def head(self) -> str:
        """The chain digest at the report's position (hex)."""
        return str(self.data["log"]["head"])


def software() -> dict[str, str]:
    """Versions of what draws the document (a different version may draw other bytes)."""
    found = {}
    for package in ("followup", "weasyprint", "pydyf", "pygal", "jinja2"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:  # pragma: no cover - a bare checkout
            found[package] = "unknown"
    return found


def gather_data(
    sources: ReportSources,
    *,
    year: int | None = None,
    first: date | None = None,
    last: date | None = None,
    as_of: datetime | None = None,
    config: ReportConfig | None = None,
    draft: bool | None = None,
) -> dict[str, Any]:
    """The report's data: the log at `as_of` (default: its head), over a calendar year
    (default: the year of `as_of`) or `first`..`last`, with the heading's settings
    (`config`, default from the environment; `draft` overrides its own)."""
    config = config if config is not None else load()
    if draft is not None:
        config = replace(config, draft=draft)
    point = locate(sources, as_of)
    period = ReportPeriod.of(year, first, last, default_year=int(point.as_of[:4]))
    require_intact(sources.app, point.position)
    # A final report needs its heading: said once the time, the period and the log are
    # known to be right (what could not be drawn at all is said first), before the views
    # are read.
    config.require_complete()
    return gather(sources, period, point, config)


def with_document(data: dict[str, Any]) -> dict[str, Any]:
    """The data with what it was drawn with (not compared by verification)."""
    versions = software()
    return {
        **data,
        "document": {"generator": f"followup {versions['followup']}", "software": versions},
    }


def produce(
    sources: ReportSources,
    *,
    year: int | None = None,
    first: date | None = None,
    last: date | None = None,
    as_of: datetime | None = None,
    config: ReportConfig | None = None,
    lang: str = "en",
    draft: bool | None = None,
) -> AnnualReport:
    """The report as a PDF in `lang` (``en`` or ``fr``), and its data (the same in
    either language)."""
    from reports.annual.document import drawing, pdf, words_for

    words_for(lang)  # an unknown language is refused before any work
    data = with_document(
        gather_data(
            sources, year=year, first=first, last=last, as_of=as_of, config=config, draft=draft
        )
    )
    data = with_checkpoint(sources, data)
    return AnnualReport(pdf(data, drawing(sources), lang), data)


def with_checkpoint(sources: ReportSources, data: dict[str, Any]) -> dict[str, Any]:
    """The data with the log's signed checkpoint at the report's position, when a key
    is configured (Ed25519 signatures are deterministic: the same report, the same
    bytes). Verification checks it apart from the figures (its signature, its root)."""
    from core.checkpoints import load_key, signed_checkpoint

    key = load_key(required=False)
    if key is None:
        return data
    position = int(data["log"]["position"])
    return {**data, "checkpoint": signed_checkpoint(sources.app, key, position)}


def build(
    sources: ReportSources,
    year: int | None = None,
    first: date | None = None,
    last: date | None = None,
    as_of: datetime | None = None,
    config: ReportConfig | None = None,
    lang: str = "en",
    draft: bool | None = None,
) -> bytes:
    """The report's PDF (see `produce`)."""
    return produce(
        sources,
        year=year,
        first=first,
        last=last,
        as_of=as_of,
        config=config,
        lang=lang,
        draft=draft,
    ).pdf


__all__ = [
    "AnnualReport",
    "LogPoint",
    "ReportPeriod",
    "build",
    "gather_data",
    "produce",
]
