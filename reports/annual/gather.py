"""Everything the annual report says, gathered from the views as plain JSON data: the
headline figures of the period, the previous period and up to the period's end, the
Bureau's narratives, the public activities of each section, the recommendations with
their status and indicators, the charts' series, the States Parties, and the sections
plugins add.

The data is a pure function of (log position, period, settings): the document is
rendered from it alone, it is attached to the PDF, and ``report verify`` gathers it
again at the same position and compares. It is read at the public report's clearance
(DESIGN.md §4): confidential events are not in these views at all; restricted events
count in figures and charts but are never itemised (lists keep only what is public).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from core.catalogue import Catalogue
from core.clock import format_timestamp
from core.errors import InvalidEvent
from core.queries import settled_as_of
from core.recommendations import catalogue
from core.views.model import Indicator, Item, Level, Period, Snapshot, ViewFact
from core.views.reading import ViewReading
from core.words import ENGLISH
from reports.annual import prose
from reports.annual.clusters import CLUSTERS, SECTION_ORDER
from reports.config import ReportConfig
from reports.errors import ReportError
from reports.sections import Fragment, ReportSources, SectionContext

#: The shape of the attached data; a reader refuses data of another format.
FORMAT = "followup-annual-report/1"

#: The public report reads the views without confidential events.
LEVEL = Level.RESTRICTED

#: Years shown in the charts: the report's year and the nine before it.
CHART_YEARS = 10

STATUSES = ("implemented", "ongoing", "in_progress", "not_started", "not_assessed")


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
    return f"{prose.long_date(first)} to {prose.long_date(last)}"


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
    readings = read(sources, period, point.position, snapshot)
    views = sources.views
    figures = views.summary(readings.period)
    previous = views.summary(readings.previous)
    cumulative = views.summary(readings.cumulative)
    context = section_context(sources, readings, period, point, figures, previous, cumulative)
    parts = {part.key: part.gather(context) for part in sources.report.data}
    status = parts.get("recommendation_status", {})
    heading = config.to_json()
    heading["document_date"] = (
        config.document_date.isoformat() if config.document_date else point.as_of[:10]
    )
    data: dict[str, Any] = {
        "format": FORMAT,
        "report": period.to_json(),
        "log": point.to_json(),
        "heading": heading,
        "figures": figures,
        "previous_figures": previous,
        "cumulative_figures": cumulative,
        "narratives": parts.get("narratives", {}),
        "sections": sections(sources, readings, status, config),
        "charts": charts(sources, context, status),
        "states_parties": parts.get("states_parties", {"rows": [], "withheld": 0}),
        "plugin_sections": plugin_sections(sources, context),
    }
    return data


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
    sources: ReportSources,
    readings: Readings,
    status: Mapping[int, Mapping[str, Any]],
    config: ReportConfig,
) -> dict[str, Any]:
    """Each section's public activities (the events whose type lists them there) and
    its recommendations."""
    event_types = sources.app.catalogue
    types = sorted(name for name, t in event_types.types.items() if t.cluster is not None)
    facts = readings.period.facts(types)
    recommendation_rows = recommendations(readings, sources.views.indicators, status)
    found: dict[str, Any] = {}
    for cluster in CLUSTERS:
        listed = [
            f
            for f in facts
            if event_types[f.type].cluster_of(f.payload, f.recommendations) == cluster.key
        ]
        shown = sorted(
            (fact for fact in listed if fact.classification == "public"),
            key=lambda fact: (fact.occurred_on, fact.position),
        )
        rows = [activity_row(event_types, fact) for fact in shown[: config.activity_rows]]
        found[cluster.key] = {
            "activities": rows,
            "more": max(0, len(shown) - config.activity_rows),
            "withheld": len(listed) - len(shown),
            "recommendations": [recommendation_rows[n] for n in cluster.recommendations],
        }
    return found


def activity_row(event_types: Catalogue, fact: ViewFact) -> dict[str, Any]:
    return {
        "date": fact.occurred_on,
        "type": fact.type,
        "text": event_types[fact.type].reads(fact.payload, ENGLISH),
        "summary": fact.summary,
        "sources": list(fact.sources),
        "position": fact.position,
    }


def recommendations(
    readings: Readings, indicators: Sequence[Indicator], status: Mapping[int, Mapping[str, Any]]
) -> dict[int, dict[str, Any]]:
    """Each recommendation with its status on the period's last day (shown only when
    the assessment behind it is public) and its indicators for the period."""
    year = readings.period.period.on.year
    by_number: dict[int, list[str]] = defaultdict(list)
    for indicator in indicators:
        value = dict(indicator.compute(readings.period))
        text = prose.indicator_text(indicator.description, value, year)
        for number in indicator.recommendations:
            by_number[number].append(text)
    rows = {}
    for r in catalogue():
        assessed = status.get(r.number)
        shown, on = "not_assessed", None
        if assessed is not None:
            shown = assessed["status"] if assessed["public"] else "restricted"
            on = assessed["assessed_on"] if assessed["public"] else None
        rows[r.number] = {
            "number": r.number,
            "addressee": r.addressee,
            "text": r.text,
            "status": shown,
            "assessed_on": on,
            "indicators": by_number.get(r.number, []),
        }
    return rows


# -- charts -------------------------------------------------------------------------


def _years(period: ReportPeriod) -> list[int]:
    return list(range(period.last.year - CHART_YEARS + 1, period.last.year + 1))


def charts(
    sources: ReportSources, context: SectionContext, status: Mapping[int, Mapping[str, Any]]
) -> dict[str, Any]:
    """Series for the charts (aggregates: restricted events count, as in figures): the
    areas' charts, and the recommendations' status per section of the 2007 report."""
    found: dict[str, Any] = {"years": list(context.chart_years)}
    for chart in sources.report.charts:
        if chart.after not in SECTION_ORDER or chart.name in found:
            raise ReportError(
                f"Report chart {chart.name!r} goes in {chart.after!r}: charts have names of "
                f"their own and go in a section of the report ({', '.join(SECTION_ORDER)})."
            )
        found[chart.name] = dict(chart.series(context))
    by_cluster: dict[str, Counter[str]] = {cluster.key: Counter() for cluster in CLUSTERS}
    for r in catalogue():
        key = f"{r.part}.{r.cluster}" if r.cluster else r.part
        assessed = status.get(r.number)
        by_cluster[key][assessed["status"] if assessed else "not_assessed"] += 1
    found["recommendations"] = {
        "clusters": [cluster.key for cluster in CLUSTERS],
        **{s: [by_cluster[c.key].get(s, 0) for c in CLUSTERS] for s in STATUSES},
    }
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
        content = section.content(context)
        html = render_fragment(content) if isinstance(content, Fragment) else str(content)
        found.append(
            {"key": section.key, "title": section.title, "after": section.after, "html": html}
        )
    return found


def render_fragment(fragment: Fragment) -> str:
    from jinja2 import Environment

    environment = Environment(autoescape=True, keep_trailing_newline=False)
    return environment.from_string(fragment.source).render(**fragment.values)
