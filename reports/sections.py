"""Sections a plugin adds to the annual report (hook ``followup_report_sections``).

A plugin returns a list of ``ReportSection``::

    from plugins import hookimpl
    from reports.sections import Fragment, ReportSection, SectionContext, public

    def sanctions(context: SectionContext) -> Fragment:
        regimes = public(context.reading.items("sanctions"))
        return Fragment(
            "<p class='para'>{{ n }} sanctions regimes in {{ period }}.</p>",
            {"n": len(regimes), "period": context.period_label},
        )

    @hookimpl
    def followup_report_sections() -> list[ReportSection]:
        return [ReportSection("acme.sanctions", "Sanctions regimes", after="I.D",
                              content=sanctions)]

- ``after`` says where the section goes: after one of the report's own sections
  (``executive_summary``, ``introduction``, ``I.A`` ... ``I.G``, ``II.A``, ``II.B``,
  ``III``, ``conclusion``), or ``annexes`` to add an annex after Annex IV.
- ``content`` gets a ``SectionContext`` (the views of the report's period, of the
  previous period and up to the period's end, at the log position the report is of,
  at the public report's clearance) and returns either HTML (a ``str``, trusted as it
  is: escape what you did not write) or a ``Fragment``: a Jinja2 template source and
  its values, rendered with autoescaping.
- Paragraphs written ``<p class="para">`` are numbered with the report's own; tables,
  lists and headings (``<h3>`` and below) are styled like the rest of the document.
- The report is public: itemise only items and events whose ``classification`` is
  ``public`` (``public()`` keeps those); restricted ones may only be counted, and
  confidential ones are never in the views the context holds.
- ``content`` must depend only on its context (no clock, no randomness): the HTML it
  returns is kept in the report's attached data, and ``followup report verify``
  derives it again at the report's position and compares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.views.model import Item, Reading


@dataclass(frozen=True)
class Fragment:
    """A Jinja2 template source and the values it is rendered with (autoescaped)."""

    source: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SectionContext:
    """What a section's content is made from: the report's period, the views read for
    it at the report's log position, and the headline figures (name -> value)."""

    year: int
    first: date
    last: date
    period_label: str
    previous_label: str
    position: int
    reading: Reading
    previous: Reading
    cumulative: Reading
    figures: Mapping[str, Any]
    previous_figures: Mapping[str, Any]
    cumulative_figures: Mapping[str, Any]


Content = Callable[[SectionContext], "str | Fragment"]


@dataclass(frozen=True)
class ReportSection:
    """A section of the annual report contributed by a plugin. `key` is unique and
    stable (prefix it with your plugin's name); `title` is its heading."""

    key: str
    title: str
    after: str
    content: Content


def public(things: Iterable[Item]) -> list[Item]:
    """Only the items (or events as JSON) classified public: the ones a public report
    may itemise."""
    return [thing for thing in things if thing.get("classification", "public") == "public"]
