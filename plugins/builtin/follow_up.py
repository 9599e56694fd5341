"""The follow-up of the 66 recommendations, read together: for each recommendation, as
of any time and on any date, its status (since when, by whom and why, and the status
before), its actions (open, overdue, completed, abandoned), the evidence (the events
citing it; the States' answers to questionnaires, apart), and its indicators (the
plugins' and those defined with targets). And the dashboard the Bureau reads: per
cluster and overall, the statuses on the date and a year before, the actions open and
overdue, and the recommendations whose status changed in between.

Everything here is read from views and tallies the areas keep (`assessments`,
`actions`, `tracked_indicators`, `questionnaires`, ``recommendation.<n>.…``), so the
overview of the 66 reads no action and no event."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from core.recommendations import Recommendation, catalogue, cluster_key
from core.views.model import Indicator, Item, SummaryFigure
from core.views.reading import ViewReading
from plugins import hookimpl
from plugins.builtin import actions as action_area
from plugins.builtin import indicators as indicator_area
from plugins.builtin import questionnaires as questionnaire_area
from plugins.builtin import record_keeping
from reports.sections import ReportData, SectionContext

#: A recommendation's status before any assessment.
NOT_ASSESSED = "not_assessed"
STATUSES = (NOT_ASSESSED, "not_started", "in_progress", "implemented", "ongoing")

#: The plugins' indicators: the list (each computed once for all the 66), or a function
#: giving one recommendation's.
Indicators = Sequence[Indicator] | Callable[[int], dict[str, Any]]


# -- status ------------------------------------------------------------------------


def ordered(assessments: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Assessments by date, then in the order they were recorded (as the view picks the
    latest): sorting is stable."""
    return sorted(assessments, key=record_keeping.ASSESSED_ON)


def status_on(assessments: list[Mapping[str, Any]], day: str) -> str:
    """The status by the latest assessment made by `day` (`assessments` ordered)."""
    made = bisect_right(assessments, day, key=record_keeping.ASSESSED_ON)
    if not made:
        return NOT_ASSESSED
    found: str = assessments[made - 1]["status"]
    return found


def status_record(made: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Status, rationale and date of the latest assessment, who made it, since when the
    recommendation has had that status, and the status before (with its date), from
    its assessments `ordered`."""
    if not made:
        return {
            "status": NOT_ASSESSED,
            "rationale": None,
            "assessed_on": None,
            "assessed_by": None,
            "status_since": None,
            "previous_status": None,
            "previous_status_since": None,
        }
    latest = made[-1]
    since = len(made) - 1
    while since > 0 and made[since - 1]["status"] == latest["status"]:
        since -= 1
    previous = made[since - 1] if since > 0 else None
    previous_since = None
    if previous is not None:
        start = since - 1
        while start > 0 and made[start - 1]["status"] == previous["status"]:
            start -= 1
        previous_since = made[start]["assessed_on"]
    return {
        "status": latest["status"],
        "rationale": latest["rationale"],
        "assessed_on": latest["assessed_on"],
        "assessed_by": latest.get("assessed_by"),
        "status_since": made[since]["assessed_on"],
        "previous_status": previous["status"] if previous else None,
        "previous_status_since": previous_since,
    }


# -- the overview ------------------------------------------------------------------


def base(r: Recommendation) -> dict[str, Any]:
    return {
        "number": r.number,
        "part": r.part,
        "cluster": r.cluster,
        "cluster_title": r.cluster_title,
        "addressee": r.addressee,
        "text": r.text,
    }


class Overview:
    """The follow-up of the 66 at one reading: what every row shares is read once
    (the assessments, the tallies per recommendation, the indicators defined)."""

    def __init__(
        self,
        reading: ViewReading,
        indicators: Indicators,
        figures: Mapping[str, SummaryFigure],
    ) -> None:
        self.reading = reading
        self._indicators = indicators
        self._computed: dict[int, dict[str, Any]] | None = None
        self.evaluation = indicator_area.Evaluation(reading, figures)
        self._assessed: dict[int, Item] | None = None
        self._tallies: dict[str, dict[str, int]] = {}
        self._defined: dict[int, list[Item]] | None = None
        self._made: dict[int, list[Mapping[str, Any]]] = {}

    @property
    def assessed(self) -> dict[int, Item]:
        if self._assessed is None:
            items = self.reading.items("assessments")
            self._assessed = {item["recommendation"]: item for item in items}
        return self._assessed

    def made(self, number: int) -> list[Mapping[str, Any]]:
        """The recommendation's assessments `ordered` (sorted once: the row, its detail
        and the dashboard read them)."""
        if number not in self._made:
            assessed = self.assessed.get(number)
            self._made[number] = ordered(assessed["assessments"] if assessed else [])
        return self._made[number]

    @property
    def tallies(self) -> dict[str, int]:
        """The tallies per recommendation (``recommendation.<n>.…``) up to the date."""
        return self.tallies_of("recommendation.")

    def tallies_of(self, prefix: str) -> dict[str, int]:
        if prefix not in self._tallies:
            self._tallies[prefix] = self.reading.sums(prefix, cumulative=True)
        return self._tallies[prefix]

    @property
    def defined(self) -> dict[int, list[Item]]:
        if self._defined is None:
            self._defined = indicator_area.by_recommendation(self.reading)
        return self._defined

    def indicators(self, number: int) -> dict[str, Any]:
        """The plugins' indicators of one recommendation (each computed once)."""
        if callable(self._indicators):
            return self._indicators(number)
        if self._computed is None:
            self._computed = {}
            for indicator in self._indicators:
                value = {"description": indicator.description, **indicator.compute(self.reading)}
                for n in indicator.recommendations:
                    self._computed.setdefault(n, {})[indicator.name] = value
        return dict(self._computed.get(number, {}))

    def actions(self, number: int) -> dict[str, int]:
        return {
            state: self.tallies.get(action_area.recommendation_counter(number, state), 0)
            for state in action_area.STATES
        }

    def self_assessed(self, number: int) -> int:
        """How many answers of States to questionnaires are about the recommendation."""
        return self.tallies.get(questionnaire_area.answers_counter(number), 0)

    def cited(self, number: int) -> int:
        return self.tallies_of("recommendations.").get(f"recommendations.{number}", 0)

    def tracked(self, number: int, *, trend: bool = False) -> dict[str, Any]:
        on = self.reading.period.on
        return {
            item["indicator"]: self.evaluation.report(item, on, trend=trend)
            for item in sorted(self.defined.get(number, []), key=lambda i: i["indicator"])
        }

    def row(self, r: Recommendation) -> Item:
        """One recommendation as the list shows it (the fields it always had first)."""
        record = status_record(self.made(r.number))
        return {
            **base(r),
            "status": record["status"],
            "rationale": record["rationale"],
            "assessed_on": record["assessed_on"],
            "cited": self.cited(r.number),
            "indicators": self.indicators(r.number),
            **{k: record[k] for k in ("assessed_by", "status_since")},
            **{k: record[k] for k in ("previous_status", "previous_status_since")},
            "actions": self.actions(r.number),
            "self_assessed": self.self_assessed(r.number),
            "tracked_indicators": self.tracked(r.number),
        }

    def rows(self) -> list[Item]:
        return [self.row(r) for r in catalogue()]


def recommendation_detail(overview: Overview, number: int) -> Item:
    """One recommendation with its whole follow-up: every assessment (who, when, why),
    its actions as they stood on the date, the events citing it (in log order), the
    States' answers about it, and its indicators with their trend."""
    reading = overview.reading
    r = catalogue()[number - 1]
    shown = overview.row(r)
    shown["assessments"] = [
        {k: a.get(k) for k in ("status", "assessed_on", "assessed_by", "rationale", "event")}
        for a in overview.made(number)
    ]
    shown["planned_actions"] = action_area.actions(
        reading.items("actions"), reading.period, recommendation=number
    )
    shown["self_assessments"] = questionnaire_area.answers_on(reading, number)
    shown["tracked_indicators"] = overview.tracked(number, trend=True)
    return shown


# -- the dashboard -----------------------------------------------------------------


def year_before(day: date) -> date:
    """The same day a year before (28 February for 29 February; the first day there is
    for a date in the year 1)."""
    if day.year == date.min.year:
        return date.min
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def dashboard(overview: Overview, rows: list[Item]) -> dict[str, Any]:
    """Per cluster and overall: the statuses on the reading's date and on the date
    before (the period's start, or a year before), the actions open and overdue; and
    the recommendations whose status changed in between, with who changed it and why."""
    period = overview.reading.period
    on = period.on
    before = min(period.first or year_before(on), on)
    then = before.isoformat()
    clusters: dict[str, dict[str, Any]] = {}
    overall = _tallies()
    changed = []
    for r, row in zip(catalogue(), rows, strict=True):
        earlier = status_on(overview.made(r.number), then)
        key = cluster_key(r.number)
        entry = clusters.setdefault(key, {"cluster": key, "title": r.cluster_title, **_tallies()})
        for counts in (entry, overall):
            counts["recommendations"] += 1
            counts["status"][row["status"]] += 1
            counts["status_before"][earlier] += 1
        if earlier != row["status"]:
            changed.append(
                {
                    "number": r.number,
                    "cluster": key,
                    "from": earlier,
                    "to": row["status"],
                    "since": row["status_since"],
                    "by": row["assessed_by"],
                    "rationale": row["rationale"],
                }
            )
    # An action advancing several recommendations counts once in a cluster and overall.
    for key, entry in clusters.items():
        entry["actions"] = {
            state: overview.tallies_of("cluster.").get(action_area.cluster_counter(key, state), 0)
            for state in ("open", "overdue")
        }
    overall["actions"] = {
        state: overview.reading.tally(f"actions.{state}", cumulative=True)
        for state in ("open", "overdue")
    }
    return {
        "on": on.isoformat(),
        "before": then,
        "overall": overall,
        "clusters": list(clusters.values()),
        "changed": changed,
    }


def _tallies() -> dict[str, Any]:
    return {
        "recommendations": 0,
        "status": dict.fromkeys(STATUSES, 0),
        "status_before": dict.fromkeys(STATUSES, 0),
    }


# -- the annual report -------------------------------------------------------------


def report_follow_up(context: SectionContext) -> dict[str, Any]:
    """The follow-up of the 66 for the report (public: only public actions and
    indicators are itemised; statuses say whether the assessment behind them is public,
    as ``recommendation_status`` shows it; counts include restricted events)."""
    reading = context.reading
    assert isinstance(reading, ViewReading)
    overview = Overview(reading, [], context.summary_figures)
    rows = overview.rows()
    public = record_keeping.publicly_assessed(context)
    actions = reading.items("actions")
    public_indicators = {
        item["indicator"]
        for items in overview.defined.values()
        for item in items
        if public_item(item)
    }
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        number = row["number"]
        mine = [a for a in actions if number in a["recommendations"] and public_item(a)]
        found[number] = {
            **{k: row[k] for k in ("status", "status_since", "previous_status")},
            "public": number in public,
            "actions": row["actions"],
            "open_actions": [brief(a) for a in mine if a["status"] == "open"],
            "completed_actions": [
                brief(a) for a in mine if reading.period.contains(a["completed_on"])
            ],
            "self_assessed": row["self_assessed"],
            "tracked_indicators": {
                name: tracked
                for name, tracked in row["tracked_indicators"].items()
                if name in public_indicators
            },
        }
    board = dashboard(overview, rows)
    board["changed"] = [
        {k: change[k] for k in ("number", "cluster", "from", "to", "since")}
        for change in board["changed"]
    ]
    return {"recommendations": found, "dashboard": board}


def public_item(item: Item) -> bool:
    return bool(item.get("classification") == "public")


def brief(action: Item) -> dict[str, Any]:
    return {
        k: action[k] for k in ("action", "description", "lead", "due_on", "overdue", "completed_on")
    } | {"documents": list((action["evidence"] or {}).get("documents", []))}


@hookimpl
def followup_report_data() -> list[ReportData]:
    return [ReportData("recommendation_follow_up", report_follow_up)]
