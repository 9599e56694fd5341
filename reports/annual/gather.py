"""Everything the annual report says, gathered from the views as plain JSON data: the
headline figures of the period, the previous period and up to the period's end, the
areas' data (the Bureau's narratives, the recommendations' status, annex III, the
persons sought...), the public activities of each section, each recommendation's
indicators and evidence, the charts' series, and the sections plugins add.

The data is a pure function of (log position, period, settings): the document is
rendered from it alone, it is attached to the PDF, and ``report verify`` gathers it
again at the same position and compares. It holds no words: counts, dates, codes and
the payloads of the events it lists, so that the same data draws the report in English
and in French, and better wording never fails the verification of an earlier report.
It is read at the public report's clearance (DESIGN.md §4): confidential events are
not in these views at all; restricted events count in figures and charts but are never
itemised (lists keep only what is public).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import orjson

from core.clock import format_timestamp
from core.errors import InvalidEvent
from core.queries import settled_as_of
from core.recommendations import catalogue
from core.views.model import Item, Level, Period, Snapshot, ViewFact
from core.views.reading import ViewReading
from reports.annual.clusters import CLUSTERS, SECTION_ORDER
from reports.config import ReportConfig
from reports.errors import ReportError
from reports.sections import Fragment, ReportSources, SectionContext

#: The shape of the attached data; a reader refuses data of another format. Format 1
#: (before 2027) held the report's English sentences; format 2 holds no words.
FORMAT = "followup-annual-report/2"
EARLIER_FORMATS = ("followup-annual-report/1",)

#: The public report reads the views without confidential events.
LEVEL = Level.RESTRICTED

#: Years shown in the charts: the report's year and the nine before it.
CHART_YEARS = 10

#: Evidence itemised per recommendation (the latest; the rest are counted).
EVIDENCE_LISTED = 3


@dataclass(frozen=True)
class ReportPeriod:
    """The period reported on, and the period before it (for changes)."""

    year: int
    first: date
    last: date
    previous_first: date
    previous_last: date

    @classmethod
    def of(
        cls, year: int | None, first: date | None, last: date | None, default_year: int
    ) -> ReportPeriod:
        """A calendar year (`year`, default `default_year`), or `first`..`last`."""
        if (first is None) != (last is None):
            raise InvalidEvent({"from": ["Give both ends of the period (--from and --to)."]})
        if first is not None and last is not None:
            if year is not None:
                raise InvalidEvent({"year": ["Give a year or a period, not both."]})
            if first > last:
                raise InvalidEvent({"from": ["The period's start is after its end."]})
            length = last - first + timedelta(days=1)
            previous_last = first - timedelta(days=1)
            return cls(
                last.year, first, last, previous_last - length + timedelta(days=1), previous_last
            )
        year = default_year if year is None else year
        if not 2002 <= year <= 2100:
            raise InvalidEvent({"year": ["The report's year must be between 2002 and 2100."]})
        return cls(
            year, date(year, 1, 1), date(year, 12, 31), date(year - 1, 1, 1), date(year - 1, 12, 31)
        )

    @property
    def calendar_year(self) -> bool:
        return self.first == date(self.year, 1, 1) and self.last == date(self.year, 12, 31)

    @property
    def label(self) -> str:
        """'2024', or the period as an ISO interval ('2024-03-01/2024-05-31'): a name
        in no language (the document words it)."""
        return str(self.year) if self.calendar_year else _span(self.first, self.last)

    @property
    def previous_label(self) -> str:
        if self.calendar_year:
            return str(self.year - 1)
        return _span(self.previous_first, self.previous_last)

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "on": self.last.isoformat(),
            "label": self.label,
            "previous": {
                "from": self.previous_first.isoformat(),
                "to": self.previous_last.isoformat(),
                "label": self.previous_label,
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReportPeriod:
        return cls(
            int(data["year"]),
            date.fromisoformat(data["from"]),
            date.fromisoformat(data["to"]),
            date.fromisoformat(data["previous"]["from"]),
            date.fromisoformat(data["previous"]["to"]),
        )


def _span(first: date, last: date) -> str:
    return f"{first.isoformat()}/{last.isoformat()}"


@dataclass(frozen=True)
class LogPoint:
    """Where in the log a report stands: its last position, the transaction time it
    is of, and the chain digest at that position (what annex IV publishes)."""

    position: int
    as_of: str
    head: str

    def to_json(self) -> dict[str, Any]:
        return {"position": self.position, "as_of": self.as_of, "head": self.head}


def locate(sources: ReportSources, as_of: datetime | None) -> LogPoint:
    """The log as the system knew it at `as_of`, or, without one, the log's head (its
    `as_of` is then the transaction time of the last event, never the clock's)."""
    app = sources.app
    if as_of is None:
        head = app.head()
        if head.position == 0 or head.recorded_at is None:
            raise ReportError("The log is empty: there is nothing to report on.")
        return LogPoint(head.position, head.recorded_at, head.hexdigest)
    settled = settled_as_of(app, as_of) if as_of <= app.clock() else None
    if settled is None or not settled.final:
        raise InvalidEvent(
            {
                "as_of": [
                    "Is in the future: the log may still grow before then, so the "
                    "report could not be reproduced. Leave it out to report on the "
                    "log as it is now."
                ]
            }
        )
    position = settled.position
    if position == 0:
        raise ReportError(f"Nothing had been recorded by {format_timestamp(as_of)}.")
    return LogPoint(position, format_timestamp(as_of), digest_at(sources, position))


def digest_at(sources: ReportSources, position: int) -> str:
    records = sources.app.log.select_records(after=position - 1, upto=position, limit=1)
    if not records or records[0].position != position:
        raise ReportError(f"The log has no event at position {position}.")
    return records[0].hash.hex()


class CachedSnapshot:
    """One position of the views, read once per view however many readings (periods,
    dates) the report makes of it."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.inner = snapshot
        self.position = snapshot.position
        self.level = snapshot.level
        self._items: dict[str, list[Item]] = {}

    def items(self, view: str) -> list[Item]:
        if view not in self._items:
            self._items[view] = self.inner.items(view)
        return self._items[view]

    def item(self, view: str, key: str) -> Item | None:
        return self.inner.item(view, key)

    def tally(self, counter: str, first: date | None, last: date | None) -> int:
        return self.inner.tally(counter, first, last)

    def entries(self) -> dict[str, int]:
        return self.inner.entries()

    def counters(self, prefix: str) -> list[str]:
        return self.inner.counters(prefix)

    def facts(
        self,
        *,
        types: Iterable[str] | None = None,
        first: date | None = None,
        last: date | None = None,
        party: str | None = None,
        recommendation: int | None = None,
    ) -> list[ViewFact]:
        return self.inner.facts(
            types=types, first=first, last=last, party=party, recommendation=recommendation
        )


@dataclass
class Readings:
    """The views read three ways at one position: the period, the previous period,
    and everything up to the period's end."""

    period: ViewReading
    previous: ViewReading
    cumulative: ViewReading
    snapshot: CachedSnapshot


def read(
    sources: ReportSources, period: ReportPeriod, position: int, snapshot: Snapshot | None = None
) -> Readings:
    """The views at `position`: the projection's tables, or `snapshot` (verification
    gives a fold of the log itself)."""
    views = sources.views
    if snapshot is None:
        views.projection.catch_up(upto=position)
        snapshot = views.projection.snapshot(position, LEVEL)
    cached = CachedSnapshot(snapshot)
    folds = views.folds
    return Readings(
        ViewReading(cached, folds, Period(on=period.last, first=period.first, last=period.last)),
        ViewReading(
            cached,
            folds,
            Period(on=period.previous_last, first=period.previous_first, last=period.previous_last),
        ),
        ViewReading(cached, folds, Period(on=period.last)),
        cached,
    )


def gather(
    sources: ReportSources,
    period: ReportPeriod,
    point: LogPoint,
    config: ReportConfig,
    snapshot: Snapshot | None = None,
) -> dict[str, Any]:
    """The report's data (see the module's docstring), from the views' tables or from
    `snapshot`."""
    config = config.resolved(period.year)
    config.require_complete()
    readings = read(sources, period, point.position, snapshot)
    views = sources.views
    figures = views.summary(readings.period)
    previous = views.summary(readings.previous)
    cumulative = views.summary(readings.cumulative)
    context = section_context(sources, readings, period, point, figures, previous, cumulative)
    areas = {part.key: part.gather(context) for part in sources.report.data}
    heading = config.to_json()
    heading["document_date"] = heading["document_date"] or point.as_of[:10]
    facts = readings.period.facts()
    data: dict[str, Any] = {
        "format": FORMAT,
        "report": period.to_json(),
        "log": point.to_json(),
        "heading": heading,
        "figures": figures,
        "previous_figures": previous,
        "cumulative_figures": cumulative,
        "areas": areas,
        "sections": sections(sources, facts, config),
        "recommendations": recommendations(sources, readings, facts),
        "charts": charts(sources, context),
        "plugin_sections": plugin_sections(sources, context),
    }
    # As JSON holds it (keys as text: the follow-up keys by number; dates as ISO text):
    # the data drawn now, attached, and derived again by `report verify` are alike.
    plain: dict[str, Any] = orjson.loads(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS))
    return plain


def section_context(
    sources: ReportSources,
    readings: Readings,
    period: ReportPeriod,
    point: LogPoint,
    figures: Mapping[str, Any],
    previous: Mapping[str, Any],
    cumulative: Mapping[str, Any],
) -> SectionContext:
    """What plugins' sections, charts and data are made from."""
    folds = sources.views.folds
    snapshot = readings.snapshot

    def values(found: Mapping[str, Any]) -> dict[str, Any]:
        return {name: figure["value"] for name, figure in found.items()}

    return SectionContext(
        year=period.year,
        first=period.first,
        last=period.last,
        period_label=period.label,
        previous_label=period.previous_label,
        position=point.position,
        reading=readings.period,
        previous=readings.previous,
        cumulative=readings.cumulative,
        figures=values(figures),
        previous_figures=values(previous),
        cumulative_figures=values(cumulative),
        chart_years=tuple(_years(period)),
        recorded=ViewReading(snapshot, folds, Period(on=date.max)),
        for_period=lambda other: ViewReading(snapshot, folds, other),
        summary_figures=sources.views.figures,
    )


# -- sections: activities and recommendations ---------------------------------------


def sections(
    sources: ReportSources, facts: Sequence[ViewFact], config: ReportConfig
) -> dict[str, Any]:
    """Each section's public activities of the period: the events whose type lists
    them there, as their type and payload (the document writes each in its type's
    sentence, in its language); how many more are public, and how many restricted."""
    event_types = sources.app.catalogue
    listed_in: dict[str, list[ViewFact]] = defaultdict(list)
    for fact in facts:
        event_type = event_types.types.get(fact.type)
        if event_type is None or event_type.cluster is None:
            continue
        key = event_type.cluster_of(fact.payload, fact.recommendations)
        if key is not None:
            listed_in[key].append(fact)
    found: dict[str, Any] = {}
    for cluster in CLUSTERS:
        listed = listed_in.get(cluster.key, [])
        shown = sorted(
            (fact for fact in listed if fact.classification == "public"),
            key=lambda fact: (fact.occurred_on, fact.position),
        )
        found[cluster.key] = {
            "activities": [event_row(fact) for fact in shown[: config.activity_rows]],
            "more": max(0, len(shown) - config.activity_rows),
            "withheld": len(listed) - len(shown),
        }
    return found


def event_row(fact: ViewFact) -> dict[str, Any]:
    """A public event as the report lists it: what its sentence is written from."""
    return {
        "date": fact.occurred_on,
        "type": fact.type,
        "payload": dict(fact.payload),
        "summary": fact.summary,
        "sources": list(fact.sources),
        "position": fact.position,
    }


def recommendations(
    sources: ReportSources, readings: Readings, facts: Sequence[ViewFact]
) -> dict[str, dict[str, Any]]:
    """Each recommendation's indicators for the period (their values: the document
    words them) and its evidence: the events of the period that cite it (public ones
    itemised, the latest first; restricted ones counted)."""
    values = [
        (indicator, dict(indicator.compute(readings.period)))
        for indicator in sources.views.indicators
    ]
    event_types = sources.app.catalogue.types
    citing: dict[int, list[ViewFact]] = defaultdict(list)
    for fact in facts:
        event_type = event_types.get(fact.type)
        if event_type is None or event_type.system_record is not None:
            continue
        for number in set(fact.recommendations):
            citing[number].append(fact)
    found = {}
    for r in catalogue():
        cited = sorted(citing.get(r.number, []), key=lambda f: (f.occurred_on, f.position))
        shown = [fact for fact in cited if fact.classification == "public"]
        found[str(r.number)] = {
            "indicators": [
                {"name": indicator.name, "value": value}
                for indicator, value in values
                if r.number in indicator.recommendations
            ],
            "evidence": {
                "public": len(shown),
                "restricted": len(cited) - len(shown),
                "latest": [event_row(fact) for fact in reversed(shown[-EVIDENCE_LISTED:])],
            },
        }
    return found


# -- charts -------------------------------------------------------------------------


def _years(period: ReportPeriod) -> list[int]:
    return list(range(period.last.year - CHART_YEARS + 1, period.last.year + 1))


def charts(sources: ReportSources, context: SectionContext) -> dict[str, Any]:
    """Series for the areas' charts (aggregates: restricted events count, as in
    figures)."""
    found: dict[str, Any] = {"years": list(context.chart_years)}
    for chart in sources.report.charts:
        if chart.after not in SECTION_ORDER or chart.name in found:
            raise ReportError(
                f"Report chart {chart.name!r} goes in {chart.after!r}: charts have names of "
                f"their own and go in a section of the report ({', '.join(SECTION_ORDER)})."
            )
        found[chart.name] = dict(chart.series(context))
    return found


# -- plugins' sections --------------------------------------------------------------


def plugin_sections(sources: ReportSources, context: SectionContext) -> list[dict[str, Any]]:
    seen: set[str] = set()
    found = []
    for section in sources.report.sections:
        if section.after not in SECTION_ORDER:
            raise ReportError(
                f"Report section {section.key!r} goes after {section.after!r}, which is not "
                f"a section of the report ({', '.join(SECTION_ORDER)})."
            )
        if section.key in seen:
            raise ReportError(f"Two report sections are named {section.key!r}.")
        seen.add(section.key)
        entry: dict[str, Any] = {"key": section.key, "after": section.after}
        if section.gather is not None:
            entry["data"] = section.gather(context)
        else:
            assert section.content is not None
            content = section.content(context)
            entry["html"] = (
                render_fragment(content) if isinstance(content, Fragment) else str(content)
            )
        found.append(entry)
    return found


def render_fragment(fragment: Fragment) -> str:
    from jinja2 import Environment

    environment = Environment(autoescape=True, keep_trailing_newline=False)
    return environment.from_string(fragment.source).render(**fragment.values)
