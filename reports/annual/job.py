"""The scheduled job that drafts the annual report (``followup scheduler``): the PDF of
the year before its due date, as the log stood at the due time, sent to the notifiers
configured for it and recorded as ReportGenerated with the PDF's digest, so the log
says which bytes the Bureau received."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.jobs import Job, Work, content_digest, system_event
from core.notifying import Attachment

if TYPE_CHECKING:
    from core.bootstrap import Services


def annual_report(services: Services, due: datetime, options: Mapping[str, Any]) -> Work | None:
    """The report on the year before the due date (or `year`), read as of the due
    time; nothing to do while the log was empty then."""
    from reports.annual import produce

    if services.views.position_as_of(due) == 0:
        return None
    year = int(options.get("year") or due.year - 1)
    report = produce(services, year=year, as_of=due)
    name = f"annual-report-{year}-draft.pdf"
    event = system_event(
        "ReportGenerated",
        due,
        report="annual_report",
        format="pdf",
        year=year,
        as_of=report.as_of,
        log_position=report.position,
        sha256=content_digest(report.pdf),
        size=len(report.pdf),
    )
    text = "\n".join(
        [
            f"The draft of the annual report on {year} is attached ({name}).",
            "",
            f"It is of the log as it stood at {report.as_of} (position {report.position}, "
            f"chain digest {report.head}). To check it against the log:",
            f"  followup report verify {name}",
        ]
    )
    return Work(
        [event],
        f"Annual report {year}: draft",
        text,
        {
            "year": year,
            "as_of": report.as_of,
            "log_position": report.position,
            "head": report.head,
            "sha256": event["sha256"],
        },
        (Attachment(name, "application/pdf", report.pdf),),
    )


ANNUAL_REPORT = Job(
    "annual_report",
    "The annual report's draft (PDF) on the year before, on 15 January.",
    "0 6 15 1 *",
    7 * 24 * 3600,
    {"year": None},
    annual_report,
)

__all__ = ["ANNUAL_REPORT", "annual_report"]
