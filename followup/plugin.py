"""The plugin API: everything a followup plugin imports, from one module that stays put.

    from followup.plugin import EventType, ItemHandler, Phrase, ReportSection, fields, hookimpl

A plugin is a module (or object) with functions marked ``@hookimpl`` (hooks:
``plugins/hookspecs.py``), registered under the entry-point group ``followup.plugins``.
What it may contribute, and the types it builds them from:

- event types: `EventType` (a marshmallow `Schema` of fields from `fields`, lifecycle `rule` raising
  `conflict`, `lifecycle` subjects), how they read (`Phrase`, `Words`, `Noun`, `Terms`;
  nouns every area counts: `PERSON`, `STATE`, `MONTH`, `EVENT`), their report cluster;
- views, tallies, figures and indicators: `ItemHandler`, `Tally`, `SummaryFigure`,
  `Indicator`, figures about items (`ItemFigures`, `OnDate`, `InPeriod`) and helpers
  (`tally_figure`, `dated`, `hide_later`, `events_of`, `share`);
- the annual report: `ReportSection` (HTML or a `Fragment`), `ReportChart` (pygal helpers
  in ``reports.annual.charts``), `ReportData`, read from a `SectionContext`; `public`;
  `ReportProse` (an area's figures and sentences in a section, written from a
  `ProseContext`), `Text` (a title or label in both languages);
- scheduled jobs: `Job`, `Work` (and its `PersonalNotice`s), `Workplace`, `system_event`;
- adapters: `NotifierKind`, `Importer`, `StoreAdapter`.

The modules these come from (``plugins``, ``core.eventtypes``, ``core.fields``,
``core.views.model``, ``core.views.figures``, ``core.views.itemfigures``,
``reports.sections``) stay importable for plugins written before this module, but are
the system's insides: they may move. This module's names do not.
"""

from __future__ import annotations

from marshmallow import Schema

from core import fields
from core.eventtypes import Effect, EventType, Fact, LifecycleState, Rule, conflict, lifecycle
from core.importing import Importer
from core.jobs import Job, PersonalNotice, Work, Workplace, content_digest, system_event
from core.notifying import Notice, Notifier, NotifierKind
from core.ports import StoreAdapter
from core.views.figures import dated, events_of, hide_later, share, tally_figure
from core.views.itemfigures import InPeriod, ItemFigures, OnDate
from core.views.model import (
    Indicator,
    Item,
    ItemHandler,
    Measure,
    Period,
    Reading,
    SummaryFigure,
    Tally,
    ViewFact,
)
from core.words import (
    DAY,
    EVENT,
    MONTH,
    PERSON,
    STATE,
    STATE_PARTY,
    Noun,
    Phrase,
    Sentence,
    Terms,
    Text,
    Words,
)
from plugins import hookimpl
from reports.sections import (
    Fragment,
    ProseContext,
    ReportChart,
    ReportData,
    ReportProse,
    ReportSection,
    SectionContext,
    Series,
    public,
)

__all__ = [
    "DAY",
    "EVENT",
    "MONTH",
    "PERSON",
    "STATE",
    "STATE_PARTY",
    "Effect",
    "EventType",
    "Fact",
    "Fragment",
    "Importer",
    "InPeriod",
    "Indicator",
    "Item",
    "ItemFigures",
    "ItemHandler",
    "Job",
    "LifecycleState",
    "Measure",
    "Notice",
    "Notifier",
    "NotifierKind",
    "Noun",
    "OnDate",
    "Period",
    "PersonalNotice",
    "Phrase",
    "ProseContext",
    "Reading",
    "ReportChart",
    "ReportData",
    "ReportProse",
    "ReportSection",
    "Rule",
    "Schema",
    "SectionContext",
    "Sentence",
    "Series",
    "StoreAdapter",
    "SummaryFigure",
    "Tally",
    "Terms",
    "Text",
    "ViewFact",
    "Words",
    "Work",
    "Workplace",
    "conflict",
    "content_digest",
    "dated",
    "events_of",
    "fields",
    "hide_later",
    "hookimpl",
    "lifecycle",
    "public",
    "share",
    "system_event",
    "tally_figure",
]
