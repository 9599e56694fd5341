"""Every hook collected once: what the loaded plugins contribute, by kind, typed.
The composition root builds everything from this; no other module calls a hook."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pluggy

from core.eventtypes import EventType
from core.importing import Importer
from core.jobs import Job
from core.notifying import NotifierKind
from core.ports import StoreAdapter
from core.views.model import Indicator, ItemHandler, SummaryFigure, Tally
from plugins import collect, plugin_manager
from reports.sections import (
    ReportChart,
    ReportContributions,
    ReportData,
    ReportProse,
    ReportSection,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Registry:
    """What the plugins contribute, in registration order (built-ins first)."""

    event_types: tuple[EventType, ...]
    view_handlers: tuple[ItemHandler, ...]
    tallies: tuple[Tally, ...]
    summary_figures: tuple[SummaryFigure, ...]
    indicators: tuple[Indicator, ...]
    report: ReportContributions
    jobs: Mapping[str, Job[Any]]
    notifiers: Mapping[str, NotifierKind]
    importers: Mapping[str, Importer]
    stores: Mapping[str, StoreAdapter]

    @classmethod
    def of(cls, manager: pluggy.PluginManager) -> Registry:
        """Call every hook of the plugin manager once."""
        hook = manager.hook
        return cls(
            event_types=tuple(collect(hook.followup_event_types)),
            view_handlers=tuple(collect(hook.followup_view_handlers)),
            tallies=tuple(collect(hook.followup_tallies)),
            summary_figures=tuple(collect(hook.followup_summary_figures)),
            indicators=tuple(collect(hook.followup_indicators)),
            report=ReportContributions(
                sections=tuple[ReportSection, ...](collect(hook.followup_report_sections)),
                charts=tuple[ReportChart, ...](collect(hook.followup_report_charts)),
                data=tuple(
                    unique("report data", collect(hook.followup_report_data), _key).values()
                ),
                prose=tuple(
                    unique("report prose", collect(hook.followup_report_prose), _key).values()
                ),
            ),
            jobs=unique("job", collect(hook.followup_jobs), _name),
            notifiers=unique("notifier kind", collect(hook.followup_notifiers), _name),
            importers=unique("importer", collect(hook.followup_importers), _name),
            stores=unique("store", collect(hook.followup_stores), _scheme),
        )

    @classmethod
    def load(cls, *, load_entry_points: bool = True, extra_plugins: Iterable[Any] = ()) -> Registry:
        """The built-in plugins, `extra_plugins`, and (unless told not to, as tests do)
        every plugin installed under the entry-point group ``followup.plugins``."""
        return cls.of(plugin_manager(load_entry_points=load_entry_points, extra=extra_plugins))


def _name(thing: Any) -> str:
    return str(thing.name)


def _key(thing: ReportData | ReportProse) -> str:
    return thing.key


def _scheme(thing: StoreAdapter) -> str:
    return thing.scheme


def unique(kind: str, things: Iterable[T], name: Any) -> dict[str, T]:
    """By name, refusing a name two plugins contribute (names are contracts)."""
    found: dict[str, T] = {}
    for thing in things:
        key = name(thing)
        if key in found:
            raise ValueError(f"{kind} {key!r} is contributed twice")
        found[key] = thing
    return found
