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
    from core.ports import StoreAdapter

hookspec = pluggy.HookspecMarker("followup")


@hookspec
def followup_event_types() -> list[EventType]:  # type: ignore[empty-body]
    """Event types of the catalogue: name, marshmallow payload schema, lifecycle subject
    and rule, writer roles, party fields. Names must be unique across plugins."""


@hookspec
def followup_view_handlers() -> list[Any]:  # type: ignore[empty-body]
    """View handlers (``core.views.ViewHandler``): fold events into a named view."""


@hookspec
def followup_indicators() -> list[Any]:  # type: ignore[empty-body]
    """Recommendation indicators (``core.indicators.Indicator``): a figure computed from
    the views for one or more of the 66 recommendations."""


@hookspec
def followup_report_sections() -> list[Any]:  # type: ignore[empty-body]
    """Sections of the annual report (``reports.sections.ReportSection``)."""


@hookspec
def followup_notifiers() -> list[Any]:  # type: ignore[empty-body]
    """Notifier adapters (``adapters.notifiers.NotifierFactory``), by name."""


@hookspec
def followup_importers() -> list[Any]:  # type: ignore[empty-body]
    """Importer adapters (``core.importing.Importer``), chosen by file extension."""


@hookspec
def followup_stores() -> list[StoreAdapter]:  # type: ignore[empty-body]
    """Event store adapters, chosen by the scheme of ``FOLLOWUP_DATABASE_URL``."""
