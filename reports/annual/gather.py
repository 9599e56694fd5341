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
from statistics import median
from typing import Any

from core.bootstrap import Services
from core.clock import format_timestamp
from core.errors import InvalidEvent
from core.queries import settled_as_of
from core.recommendations import catalogue
from core.views.model import Indicator, Item, Level, Period, Snapshot, ViewFact
from core.views.reading import ViewReading
from plugins import collect
from reports.annual import prose
from reports.annual.clusters import CLUSTERS, SECTION_ORDER
from reports.config import ReportConfig
from reports.errors import ReportError
from reports.sections import Fragment, ReportSection, SectionContext

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


def locate(services: Services, as_of: datetime | None) -> LogPoint:
    """The log as the system knew it at `as_of`, or, without one, the log's head (its
    `as_of` is then the transaction time of the last event, never the clock's)."""
    app = services.app
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
    return LogPoint(position, format_timestamp(as_of), digest_at(services, position))


def digest_at(services: Services, position: int) -> str:
    records = services.app.log.select_records(after=position - 1, upto=position, limit=1)
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
    services: Services, period: ReportPeriod, position: int, snapshot: Snapshot | None = None
) -> Readings:
    """The views at `position`: the projection's tables, or `snapshot` (verification
    gives a fold of the log itself)."""
    views = services.views
    if snapshot is None:
        views.projection.catch_up()
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
    services: Services,
    period: ReportPeriod,
    point: LogPoint,
    config: ReportConfig,
    snapshot: Snapshot | None = None,
) -> dict[str, Any]:
    """The report's data (see the module's docstring), from the views' tables or from
    `snapshot`."""
    config = config.resolved(period.year)
    readings = read(services, period, point.position, snapshot)
    views = services.views
    figures = views.summary(readings.period)
    previous = views.summary(readings.previous)
    cumulative = views.summary(readings.cumulative)
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
        "narratives": narratives(readings.snapshot, period.year),
        "sections": sections(services, readings, period, config),
        "charts": charts(readings, period),
        "states_parties": states_parties(readings),
    }
    data["plugin_sections"] = plugin_sections(services, readings, period, point, data)
    return data


# -- narratives ---------------------------------------------------------------------


def narratives(snapshot: Snapshot, year: int) -> dict[str, Any]:
    """The latest draft of each section's narrative for `year`, if it is public (a
    restricted latest draft is not shown, and an earlier one is not shown instead)."""
    latest: dict[str, ViewFact] = {}
    for fact in snapshot.facts(types=["ReportNarrativeDrafted"]):
        if fact.payload["year"] == year:
            latest[fact.payload["section"]] = fact  # facts come in log order
    return {
        section: {
            "text": fact.payload["text"],
            "drafted_on": fact.occurred_on,
            "sources": list(fact.sources),
        }
        for section, fact in sorted(latest.items())
        if fact.classification == "public"
    }


# -- sections: activities and recommendations ---------------------------------------


def sections(
    services: Services, readings: Readings, period: ReportPeriod, config: ReportConfig
) -> dict[str, Any]:
    types = sorted({t for cluster in CLUSTERS for t in cluster.types})
    facts = readings.period.facts(types)
    recommendation_rows = recommendations(readings, services.views.indicators, period.year)
    found: dict[str, Any] = {}
    for cluster in CLUSTERS:
        listed = [fact for fact in facts if cluster.lists(fact)]
        shown = sorted(
            (fact for fact in listed if fact.classification == "public"),
            key=lambda fact: (fact.occurred_on, fact.position),
        )
        rows = [activity_row(fact) for fact in shown[: config.activity_rows]]
        found[cluster.key] = {
            "activities": rows,
            "more": max(0, len(shown) - config.activity_rows),
            "withheld": len(listed) - len(shown),
            "recommendations": [recommendation_rows[n] for n in cluster.recommendations],
        }
    return found


def activity_row(fact: ViewFact) -> dict[str, Any]:
    return {
        "date": fact.occurred_on,
        "type": fact.type,
        "text": prose.describe(fact),
        "summary": fact.summary,
        "sources": list(fact.sources),
        "position": fact.position,
    }


def classifications(snapshot: Snapshot, types: Sequence[str]) -> dict[str, str]:
    """The classification of every standing event of some types, by id."""
    return {fact.id: fact.classification for fact in snapshot.facts(types=types)}


def recommendations(
    readings: Readings, indicators: Sequence[Indicator], year: int
) -> dict[int, dict[str, Any]]:
    """Each recommendation with its status on the period's last day (shown only when
    the assessment behind it is public) and its indicators for the period."""
    assessed = {item["recommendation"]: item for item in readings.period.items("assessments")}
    visible = classifications(readings.snapshot, ["RecommendationAssessed"])
    by_number: dict[int, list[str]] = defaultdict(list)
    for indicator in indicators:
        value = dict(indicator.compute(readings.period))
        text = prose.indicator_text(indicator.description, value, year)
        for number in indicator.recommendations:
            by_number[number].append(text)
    rows = {}
    for r in catalogue():
        item = assessed.get(r.number)
        status, on = "not_assessed", None
        if item is not None:
            latest = [a for a in item["assessments"] if a["assessed_on"] == item["assessed_on"]][-1]
            public = visible.get(latest["event"]) == "public"
            status = item["status"] if public else "restricted"
            on = item["assessed_on"] if public else None
        rows[r.number] = {
            "number": r.number,
            "addressee": r.addressee,
            "text": r.text,
            "status": status,
            "assessed_on": on,
            "indicators": by_number.get(r.number, []),
        }
    return rows


# -- charts -------------------------------------------------------------------------


def _years(period: ReportPeriod) -> list[int]:
    return list(range(period.last.year - CHART_YEARS + 1, period.last.year + 1))


def _year_of(day: str | None) -> int | None:
    return int(day[:4]) if day else None


def charts(readings: Readings, period: ReportPeriod) -> dict[str, Any]:
    """Series for the charts (aggregates: restricted events count, as in figures)."""
    years = _years(period)
    reading = readings.cumulative
    agreements = reading.items("agreements")
    signed = Counter(_year_of(item["signed_on"]) for item in agreements)
    in_force = []
    for year in years:
        end = date(year, 12, 31).isoformat()
        in_force.append(
            sum(
                1
                for item in agreements
                if item.get("in_force_on")
                and item["in_force_on"] <= end
                and not (item.get("terminated_on") and item["terminated_on"] <= end)
            )
        )
    requests = reading.items("requests")
    sent = Counter(_year_of(item["sent_on"]) for item in requests)
    answered: dict[int | None, list[int]] = defaultdict(list)
    for item in requests:
        if item.get("answered_on"):
            answered[_year_of(item["answered_on"])].append(item["days_to_answer"])
    applications = reading.items("witness_protection")
    received = Counter(_year_of(item["received_on"]) for item in applications)
    relocated: Counter[int | None] = Counter()
    for item in applications:
        for relocation in item["relocations"]:
            relocated[_year_of(relocation["on"])] += relocation["persons"]
    status: dict[str, Counter[str]] = {cluster.key: Counter() for cluster in CLUSTERS}
    assessed = {item["recommendation"]: item["status"] for item in reading.items("assessments")}
    for r in catalogue():
        key = f"{r.part}.{r.cluster}" if r.cluster else r.part
        status[key][assessed.get(r.number, "not_assessed")] += 1
    return {
        "years": years,
        "agreements": {
            "signed": [signed.get(y, 0) for y in years],
            "in_force": in_force,
        },
        "requests": {
            "sent": [sent.get(y, 0) for y in years],
            "answered": [len(answered.get(y, [])) for y in years],
            "median_days": [median(answered[y]) if answered.get(y) else None for y in years],
        },
        "witness_protection": {
            "applications": [received.get(y, 0) for y in years],
            "relocated_persons": [relocated.get(y, 0) for y in years],
        },
        "recommendations": {
            "clusters": [cluster.key for cluster in CLUSTERS],
            **{s: [status[c.key].get(s, 0) for c in CLUSTERS] for s in STATUSES},
        },
    }


# -- annex III ----------------------------------------------------------------------

PARTY_TYPES = (
    "StateBecameParty",
    "WithdrawalNotified",
    "ImplementingLegislationEnacted",
    "APICRatified",
    "FocalPointDesignated",
    "ContactPointDesignated",
)

PLACES = {"the_hague": "The Hague", "brussels": "Brussels", "new_york": "New York"}


def states_parties(readings: Readings) -> dict[str, Any]:
    """Annex III: each State Party whose membership is public, with only the public
    records of its legislation, APIC, focal and contact points and agreements."""
    visible = classifications(readings.snapshot, PARTY_TYPES)

    def public(record: Mapping[str, Any] | None, key: str = "event") -> bool:
        return record is not None and visible.get(str(record.get(key, ""))) == "public"

    agreements: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in readings.period.items("agreements"):
        if item["classification"] != "public":
            continue
        for code in item["parties"]:
            agreements[code][0] += 1
            agreements[code][1] += item["status"] == "in_force"
    rows, withheld = [], 0
    for item in readings.period.items("parties"):
        if not item.get("is_party"):
            continue
        membership = item["memberships"][-1]
        if not public(membership):
            withheld += 1
            continue
        legislation = [r for r in item.get("legislation", []) if public(r)]
        focal = item.get("focal_point")
        contacts = [c for c in item.get("contact_points", []) if public(c)]
        code = item["party"]
        rows.append(
            {
                "code": code,
                "name": item["name"],
                "party_since": item["party_since"],
                "legislation": (
                    f"{prose.words(legislation[-1]['scope'])} ({legislation[-1]['on'][:4]})"
                    if legislation
                    else None
                ),
                "apic": (
                    item["apic_ratified_on"]
                    if item.get("apic_ratified_on") and public(item, "apic_event")
                    else None
                ),
                "focal_point": focal["on"] if focal is not None and public(focal) else None,
                "contact_points": [PLACES.get(c["location"], c["location"]) for c in contacts],
                "agreements_signed": agreements[code][0] if code in agreements else 0,
                "agreements_in_force": agreements[code][1] if code in agreements else 0,
            }
        )
    rows.sort(key=lambda row: row["name"])
    return {"rows": rows, "withheld": withheld}


# -- plugins' sections --------------------------------------------------------------


def plugin_sections(
    services: Services,
    readings: Readings,
    period: ReportPeriod,
    point: LogPoint,
    data: Mapping[str, Any],
) -> list[dict[str, Any]]:
    contributed: list[ReportSection] = collect(services.plugins.hook.followup_report_sections)
    if not contributed:
        return []

    def values(figures: Mapping[str, Any]) -> dict[str, Any]:
        return {name: figure["value"] for name, figure in figures.items()}

    context = SectionContext(
        year=period.year,
        first=period.first,
        last=period.last,
        period_label=period.label,
        previous_label=period.previous_label,
        position=point.position,
        reading=readings.period,
        previous=readings.previous,
        cumulative=readings.cumulative,
        figures=values(data["figures"]),
        previous_figures=values(data["previous_figures"]),
        cumulative_figures=values(data["cumulative_figures"]),
    )
    seen: set[str] = set()
    found = []
    for section in contributed:
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
