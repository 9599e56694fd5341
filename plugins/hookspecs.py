"""The hooks a followup plugin may implement. Built-in areas use exactly these; a third
party registers a module or object under the entry-point group ``followup.plugins``.

Every hook returns a list (pluggy collects one per plugin); return an empty list or do
not implement a hook you have nothing for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from core.eventtypes import EventType
    from core.importing import Importer
    from core.jobs import Job
    from core.notifying import NotifierKind
    from core.ports import StoreAdapter
    from core.views.model import Indicator, ItemHandler, SummaryFigure, Tally
    from reports.sections import ReportChart, ReportData, ReportProse, ReportSection

hookspec = pluggy.HookspecMarker("followup")


@hookspec
def followup_event_types() -> list[EventType]:  # type: ignore[empty-body]
    """Event types of the catalogue (``core.eventtypes.EventType``): name, marshmallow
    payload schema, lifecycle subject and rule, writer roles, party fields, and how an
    event reads: its sentence in English and French (``core.words``), the report's
    cluster it belongs to, whether it is listed among activities. Names must be unique
    across plugins."""


@hookspec
def followup_view_handlers() -> list[ItemHandler]:  # type: ignore[empty-body]
    """Item handlers (``core.views.model.ItemHandler``): fold the events of some types
    into the items of a named view (agreements, warrants, parties...). Several plugins
    may contribute to one view."""


@hookspec
def followup_tallies() -> list[Tally]:  # type: ignore[empty-body]
    """Tallies (``core.views.model.Tally``): additive counters an event contributes,
    summed by views over any period (``events.<Type>`` is counted for every type)."""


@hookspec
def followup_summary_figures() -> list[SummaryFigure]:  # type: ignore[empty-body]
    """Headline figures (``core.views.model.SummaryFigure``) of GET /summary, with
    stable names such as ``agreements.enforcement_of_sentences.in_force``."""


@hookspec
def followup_indicators() -> list[Indicator]:  # type: ignore[empty-body]
    """Recommendation indicators (``core.views.model.Indicator``): figures computed from
    the views for one or more of the 66 recommendations."""


@hookspec
def followup_report_sections() -> list[ReportSection]:  # type: ignore[empty-body]
    """Sections of the annual report (``reports.sections.ReportSection``): a title, where
    it goes (``after`` one of the report's sections, or ``annexes``) and a function from
    the views of the report's period (``reports.sections.SectionContext``) to HTML or a
    Jinja2 ``Fragment``. Itemise only public items; see ``reports/sections.py``."""


@hookspec
def followup_report_charts() -> list[ReportChart]:  # type: ignore[empty-body]
    """Charts of the annual report (``reports.sections.ReportChart``): a name, the
    section they are shown in, a caption, their series computed from the views of the
    report's position (kept in the report's attached data) and how they are drawn (SVG,
    e.g. with ``reports.annual.charts``' pygal helpers)."""


@hookspec
def followup_report_data() -> list[ReportData]:  # type: ignore[empty-body]
    """Data the annual report's own parts show, gathered by the area that knows it
    (``reports.sections.ReportData``): the Bureau's narratives (``narratives``), the
    recommendations' status (``recommendation_status``), annex III's States Parties
    (``states_parties``), and what an area's own sentences read. Each key has one
    contributor; see ``reports/sections.py``."""


@hookspec
def followup_report_prose() -> list[ReportProse]:  # type: ignore[empty-body]
    """What an area says in a section of the annual report
    (``reports.sections.ReportProse``): the rows of the section's table of figures and
    the sentences it writes from the report's data, in English and French (what was
    done in the period, what remains outstanding, the executive summary's sentences,
    annex I's operative paragraphs). Keys must be unique."""


@hookspec
def followup_jobs() -> list[Job[Any]]:  # type: ignore[empty-body]
    """Scheduled jobs (``core.jobs.Job``): a name, a default schedule and options, and
    the work done for a due time (events to record and the notice to send). Names must
    be unique; ``followup scheduler`` runs every job contributed."""


@hookspec
def followup_notifiers() -> list[NotifierKind]:  # type: ignore[empty-body]
    """Notifier kinds (``core.notifying.NotifierKind``): how a scheduled job's notice
    is delivered (``smtp``, ``webhook``...). The configuration names a kind for each
    notifier it sets up."""


@hookspec
def followup_importers() -> list[Importer]:  # type: ignore[empty-body]
    """Importer adapters (``core.importing.Importer``): file formats for ``followup
    events import``, chosen by file extension (``.jsonl``, ``.csv``...)."""


@hookspec
def followup_stores() -> list[StoreAdapter]:  # type: ignore[empty-body]
    """Event store adapters, chosen by the scheme of ``FOLLOWUP_DATABASE_URL``."""
