"""What a plugin adds to the annual report: sections (hook
``followup_report_sections``), charts (``followup_report_charts``) and the data the
report's own parts show (``followup_report_data``). The built-in areas contribute theirs
through the same hooks; the report itself names no event type and no view.

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

A ``ReportChart`` is drawn in one section of Parts I to III (``after``): its `series`
(a mapping of series name to one value per year of ``context.chart_years``) is kept in
the attached data under ``charts.<name>``; `draw` turns it into SVG
(``reports.annual.charts`` has the report's pygal style and helpers).

A ``ReportData`` gathers, from the context, one part of the data the report's own parts
show; each key has one contributor (the built-in areas contribute them all):

- ``narratives``: ``{section: {"text", "drafted_on", "sources"}}``, the Bureau's latest
  public narrative of each section for the year;
- ``recommendation_status``: ``{number: {"status", "assessed_on", "public"}}``, each
  assessed recommendation's status on the period's last day;
- ``states_parties``: ``{"rows": [...], "withheld": n}``, annex III;
- ``recommendation_follow_up``: the follow-up of the 66 on the period's last day
  (``plugins/builtin/follow_up.py``): per recommendation its status (since when, the
  status before, whether the assessment behind it is public), its actions (counts; the
  public ones open, and those completed in the period), the States' answers and the
  public indicators defined with targets; and the dashboard (statuses at the period's
  start and end per cluster, actions open and overdue, the recommendations whose status
  changed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from core.views.model import Item, Period, Reading, SummaryFigure

if TYPE_CHECKING:
    from core.application import FollowUp
    from core.views.service import Views


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
    #: The years the report's charts show (the period's and the nine before).
    chart_years: tuple[int, ...] = ()
    #: The views at the report's position with no date limit: every standing event
    #: whatever its date (a narrative drafted after the period), items as they stand.
    recorded: Reading | None = None
    #: The views at the report's position read for any other dates (a chart's years).
    for_period: Callable[[Period], Reading] | None = None
    #: The summary figures by name (what an indicator defined with a target reads).
    summary_figures: Mapping[str, SummaryFigure] = field(default_factory=dict)


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


Series = Mapping[str, list[Any]]


@dataclass(frozen=True)
class ReportChart:
    """A chart of the annual report: shown in section `after` (``I.A`` ... ``III``),
    numbered with the report's figures, with `caption`; `series` computes its values
    (restricted events count, as in figures), `draw` makes the SVG from them."""

    name: str
    after: str
    caption: str
    series: Callable[[SectionContext], Series]
    draw: Callable[[Series, Sequence[int]], str]


@dataclass(frozen=True)
class ReportData:
    """One part of the data the report's own parts show (see the module's docstring
    for the keys the report reads and what each holds)."""

    key: str
    gather: Callable[[SectionContext], Any]


@dataclass(frozen=True)
class ReportContributions:
    """Everything plugins add to the annual report, collected once by the composition
    root (``followup.registry``)."""

    sections: tuple[ReportSection, ...] = ()
    charts: tuple[ReportChart, ...] = ()
    data: tuple[ReportData, ...] = ()


class ReportSources(Protocol):
    """What the annual report is made from: the log, its views and the plugins'
    contributions (the composition root's services are one)."""

    @property
    def app(self) -> FollowUp: ...

    @property
    def views(self) -> Views: ...

    @property
    def report(self) -> ReportContributions: ...
