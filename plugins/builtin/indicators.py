"""The follow-up of the 66 recommendations, part two: indicators with targets. The
focal point defines, for a recommendation, an indicator read from the figures the
system already keeps (a summary figure, or a count of a view's items matching a
filter), with a baseline and a target, each with its date; targets may change later,
for a reason. Both are events, so the indicators' history is audited like the rest.

Each indicator reports, on any date and as of any time, its value, baseline, target,
whether it is on track (its value at least where a straight line from the baseline to
the target says it should be by then) and its trend. The plugins' own indicators
(hook ``followup_indicators``) are unchanged beside them. The job
`indicator_reminders` reminds the focal point of indicators whose target date passed
unmet."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.jobs import Job, Work, Workplace
from core.people import email_of
from core.recommendations import cluster_key
from core.views.model import Item, ItemHandler, Level, Period, SummaryFigure, ViewFact
from core.views.reading import ViewReading
from core.words import Phrase, Words
from plugins import hookimpl
from plugins.builtin.actions import after_adoption
from plugins.builtin.scheduled_jobs import Due, follow_up_reminders

AREA = "indicators"

DEFINED = "IndicatorDefined"
TARGET_CHANGED = "IndicatorTargetChanged"
VIEW = "tracked_indicators"

#: How a figure counted over a period is read on a date: from the beginning
#: (`to_date`), in the date's calendar year (`year`), or since the baseline's date.
PERIODS = ("to_date", "year", "since_baseline")
#: Values far beyond any count or share the system keeps.
LARGEST = 10**15


class Number(fields.Float):
    """A JSON number (an integer stays one, unlike marshmallow's Float), finite and
    within ±10^15; not a boolean or text."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("A number.")
        if not math.isfinite(value) or abs(value) > LARGEST:
            raise ValidationError(f"A finite number within ±{LARGEST:.0e}.")
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


NAME = validate.Regexp(r"^[a-z0-9][a-z0-9_.:-]*$", error="Lower-case letters, digits and . _ : -")


class IndicatorDefined(Schema):
    indicator = f.reference("indicator")
    recommendation = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=66)
    )
    description = f.text()
    figure = fields.String(
        validate=[validate.Length(min=1, max=200), NAME],
        metadata={"description": "A summary figure's name (GET /summary lists them)."},
    )
    view = fields.String(
        validate=[validate.Length(min=1, max=100), NAME],
        metadata={"description": "Or a view, whose items matching `filter` are counted."},
    )
    filter = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        values=fields.Raw(validate=lambda v: v is None or isinstance(v, str | int | bool)),
        validate=validate.Length(max=20),
        metadata={
            "description": "With a view: item fields and the values they must have (a list "
            'field must contain the value), e.g. {"kind": "enforcement_of_sentences", '
            '"status": "in_force"}.'
        },
    )
    period = fields.String(
        validate=validate.OneOf(PERIODS),
        metadata={
            "description": "How a figure over a period is read on a date: to_date (the "
            "default), year, since_baseline."
        },
    )
    baseline = Number(required=True)
    baseline_on = f.day()
    target = Number(required=True)
    target_on = f.day()

    @validates_schema
    def one_source(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if ("figure" in data) == ("view" in data):
            raise ValidationError("Give a figure or a view, not both.", "figure")
        if "filter" in data and "view" not in data:
            raise ValidationError("A filter applies to a view's items.", "filter")
        if data["target_on"] <= data["baseline_on"]:
            raise ValidationError("Must be after the baseline's date.", "target_on")


class IndicatorTargetChanged(Schema):
    indicator = f.reference("indicator")
    target = Number(required=True)
    target_on = f.day()
    reason = f.text()


def indicator_rule(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    """Defined once; a new target after the baseline's date, changes dated in order."""
    p = fact.payload
    name = p["indicator"]
    day = fact.occurred_on.isoformat()
    if fact.type == DEFINED:
        if state is not None:
            raise conflict(f"Indicator {name} is already defined; choose a new identifier.")
        return {"baseline_on": p["baseline_on"], "last_on": day}
    if state is None:
        raise conflict(f"Indicator {name} has not been defined.")
    if day < state["last_on"]:
        raise conflict(
            f"Indicator {name} cannot change on {day}, before its last change ({state['last_on']})."
        )
    if p["target_on"] <= state["baseline_on"]:
        raise conflict(
            f"Indicator {name}'s target date must be after its baseline's ({state['baseline_on']})."
        )
    return {**state, "last_on": day}


indicator = lifecycle("indicator", "indicator")


# -- how the events read -----------------------------------------------------------


def _number(words: Words, value: Any) -> str:
    return words.number(value)


def indicator_defined(payload: Mapping[str, Any], words: Words) -> str:
    source = (
        words.say(en="figure ", fr="chiffre ") + payload["figure"]
        if "figure" in payload
        else words.say(en="items of the view ", fr="éléments de la vue ") + payload["view"]
    )
    return words.sentence(
        words.say(
            en=f"Indicator {payload['indicator']} defined for recommendation "
            f"{payload['recommendation']}: {payload['description']} ({source}; baseline "
            f"{_number(words, payload['baseline'])} on {words.date(payload['baseline_on'])}, "
            f"target {_number(words, payload['target'])} by {words.date(payload['target_on'])}).",
            fr=f"Indicateur {payload['indicator']} défini pour la recommandation "
            f"{payload['recommendation']} : {payload['description']} ({source} ; référence "
            f"{_number(words, payload['baseline'])} au {words.date(payload['baseline_on'])}, "
            f"cible {_number(words, payload['target'])} au {words.date(payload['target_on'])}).",
        )
    )


TARGET_CHANGED_PHRASE = Phrase(
    en="Indicator {indicator}: new target {target} by {target_on} ({reason}).",
    fr="Indicateur {indicator} : nouvelle cible {target} au {target_on} ({reason}).",
    values=lambda p, w: {
        "indicator": p["indicator"],
        "target": _number(w, p["target"]),
        "target_on": w.date(p["target_on"]),
        "reason": p["reason"],
    },
)


def defined_cluster(payload: Mapping[str, Any]) -> str:
    return cluster_key(int(payload["recommendation"]))


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            DEFINED,
            IndicatorDefined,
            AREA,
            "The focal point defined an indicator for a recommendation: a summary figure "
            "(or a count of a view's items matching a filter), its baseline and its "
            "target, each with its date.",
            subject=indicator,
            rule=indicator_rule,
            checks=after_adoption,
            sentence=indicator_defined,
            cluster=defined_cluster,
        ),
        EventType(
            TARGET_CHANGED,
            IndicatorTargetChanged,
            AREA,
            "An indicator is given a new target or target date, for a reason.",
            subject=indicator,
            rule=indicator_rule,
            sentence=TARGET_CHANGED_PHRASE,
            by_recommendation=True,
        ),
    ]


# -- the view ----------------------------------------------------------------------


def fold_indicator(item: Item | None, fact: ViewFact) -> Item | None:
    p = fact.payload
    said = {"set_on": fact.occurred_on, "by": fact.recorded_by, "event": fact.id}
    if fact.type == DEFINED:
        source: dict[str, Any] = (
            {"figure": p["figure"]}
            if "figure" in p
            else {"view": p["view"], "filter": dict(p.get("filter") or {})}
        )
        source["period"] = p.get("period") or "to_date"
        return {
            "indicator": p["indicator"],
            "recommendation": p["recommendation"],
            "description": p["description"],
            "source": source,
            "baseline": {"value": p["baseline"], "on": p["baseline_on"]},
            "targets": [{"value": p["target"], "on": p["target_on"], **said}],
            "defined_on": fact.occurred_on,
            "defined_by": fact.recorded_by,
        }
    if item is None:
        return None
    changed = {"value": p["target"], "on": p["target_on"], **said, "reason": p["reason"]}
    return {**item, "targets": [*item["targets"], changed]}


def present_indicator(item: Item, on: date) -> Item | None:
    """The indicator as defined by `on`, with the target it had then."""
    day = on.isoformat()
    if item["defined_on"] > day:
        return None
    targets = [t for t in item["targets"] if t["set_on"] <= day]
    return {**item, "targets": targets, "target": targets[-1]}


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view=VIEW,
            types=frozenset({DEFINED, TARGET_CHANGED}),
            keys=lambda fact: [fact.payload["indicator"]],
            fold=fold_indicator,
            present=present_indicator,
        )
    ]


# -- reading an indicator ------------------------------------------------------------


def matches(item: Item, wanted: Mapping[str, Any]) -> bool:
    for name, value in wanted.items():
        found = item.get(name)
        if not (found == value or (isinstance(found, list) and value in found)):
            return False
    return True


@dataclass
class Evaluation:
    """Reads defined indicators from the views at one position and clearance: each
    value on a date from a reading of that date (kept, so indicators read on the same
    dates share them). `figures` are the summary figures by name."""

    reading: ViewReading
    figures: Mapping[str, SummaryFigure]
    _readings: dict[tuple[date | None, date], ViewReading] = field(default_factory=dict)
    #: Values found, by what they are read from and over which days: indicators of the
    #: same figure (or the same view's items) over the same days share one.
    _values: dict[tuple[Any, ...], tuple[Any, str | None]] = field(default_factory=dict)

    def at(self, first: date | None, on: date) -> ViewReading:
        key = (first, on)
        if key not in self._readings:
            period = Period(on=on, first=first, last=on)
            self._readings[key] = ViewReading(self.reading.snapshot, self.reading.folds, period)
        return self._readings[key]

    def value(self, item: Item, on: date) -> tuple[Any, str | None]:
        """The indicator's value on `on`, or None and why not."""
        source = item["source"]
        first: date | None = None
        if source["period"] == "year":
            first = date(on.year, 1, 1)
        elif source["period"] == "since_baseline":
            first = date.fromisoformat(item["baseline"]["on"])
            if first > on:
                return None, "Before the baseline's date."
        wanted = frozenset((source.get("filter") or {}).items())
        key = (source.get("figure"), source.get("view"), wanted, first, on)
        if key not in self._values:
            self._values[key] = self._value(source, first, on)
        return self._values[key]

    def _value(
        self, source: Mapping[str, Any], first: date | None, on: date
    ) -> tuple[Any, str | None]:
        read = self.at(first, on)
        if "figure" in source:
            figure = self.figures.get(source["figure"])
            if figure is None:
                return None, f"No summary figure named {source['figure']!r} (GET /summary)."
            value = figure.measure(read).value
        else:
            if source["view"] not in read.folds.views:
                return None, f"No view named {source['view']!r}."
            value = sum(
                1 for shown in read.items(source["view"]) if matches(shown, source["filter"])
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, "The figure is not a number on this date."
        return value, None

    def report(self, item: Item, on: date, *, trend: bool = False) -> dict[str, Any]:
        """Value, baseline, target, status and whether on track, on `on` (and, with
        `trend`, the value at the baseline, at each year's end since and on `on`)."""
        value, problem = self.value(item, on)
        baseline, target = item["baseline"], item["target"]
        found: dict[str, Any] = {
            "description": item["description"],
            "source": item["source"],
            "value": value,
            "baseline": {"value": baseline["value"], "on": baseline["on"]},
            "target": {"value": target["value"], "on": target["on"]},
            "status": status(value, baseline, target, on),
        }
        found["on_track"] = found["status"] in ("met", "on_track")
        if problem:
            found["problem"] = problem
        if trend:
            found["trend"] = [
                {"on": day.isoformat(), "value": self.value(item, day)[0]}
                for day in trend_days(date.fromisoformat(baseline["on"]), on)
            ]
        return found


def status(value: Any, baseline: Mapping[str, Any], target: Mapping[str, Any], on: date) -> str:
    """`unknown` (no value), `before_baseline`, `met` (the target reached: at or above
    it, or at or below for a target below the baseline), `missed` (not met after the
    target date), `on_track` (at least where a straight line from the baseline to the
    target is on that date) or `behind`."""
    if value is None:
        return "unknown"
    start, end = date.fromisoformat(baseline["on"]), date.fromisoformat(target["on"])
    if on < start:
        return "before_baseline"
    rising = target["value"] >= baseline["value"]
    if (value >= target["value"]) if rising else (value <= target["value"]):
        return "met"
    if on > end:
        return "missed"
    share = (on - start).days / max((end - start).days, 1)
    expected = baseline["value"] + (target["value"] - baseline["value"]) * share
    ahead = value >= expected if rising else value <= expected
    return "on_track" if ahead else "behind"


#: At most this many points in a trend (the latest years).
TREND_POINTS = 12


def trend_days(start: date, on: date) -> list[date]:
    """The baseline's date, each year's end after it and before `on`, and `on`."""
    if on <= start:
        return [on]
    ends = [date(year, 12, 31) for year in range(start.year, on.year)]
    days = [start, *(day for day in ends if start < day < on), on]
    return [days[0], *days[1:][-(TREND_POINTS - 1) :]]


def by_recommendation(reading: ViewReading) -> dict[int, list[Item]]:
    """The indicators defined by the reading's date, per recommendation."""
    found: dict[int, list[Item]] = {}
    for item in reading.items(VIEW):
        found.setdefault(item["recommendation"], []).append(item)
    return found


# -- reminders ---------------------------------------------------------------------


def indicator_reminders(
    workplace: Workplace, due: datetime, options: Mapping[str, Any]
) -> Work | None:
    """Remind the focal point of each indicator whose target date passed unmet, the
    day after and then every `days` days while it stays unmet (a new target starts
    again). Confidential indicators are never reminded of."""
    today = due.date()
    views = workplace.views
    reading = views.reading(Level.RESTRICTED, as_of=due, on=today)
    evaluation = Evaluation(reading, views.figures)
    # Missed without confidential events and with them (a target changed, or met,
    # through confidential events is not reminded of).
    everything = views.reading(Level.ALL, as_of=due, on=today)
    truth = {item["indicator"]: item for item in everything.items(VIEW)}
    whole = Evaluation(everything, views.figures)
    found = []
    for item in reading.items(VIEW):
        if item["classification"] == "confidential":
            continue
        report = evaluation.report(item, today)
        if report["status"] != "missed":
            continue
        actual = truth.get(item["indicator"])
        if (
            actual is None
            or actual["target"] != item["target"]
            or whole.report(actual, today)["status"] != "missed"
        ):
            continue
        target = item["target"]
        persons = {email_of(item["defined_by"]), email_of(target["by"])} - {None}
        line = (
            f"{item['indicator']} (recommendation {item['recommendation']}): "
            f"{item['description']}. Target {target['value']} by {target['on']}, "
            f"value {report['value']} on {today.isoformat()}."
        )
        found.append(
            Due(
                "indicator",
                item["indicator"],
                date.fromisoformat(target["on"]),
                "target_missed",
                line,
                tuple(sorted(p for p in persons if p)),
            )
        )
    return follow_up_reminders(workplace, due, int(options["days"]), found, "indicators")


@hookimpl
def followup_jobs() -> list[Job[Any]]:
    return [
        Job(
            "indicator_reminders",
            "Reminders of indicators whose target date passed unmet (again every `days` days).",
            "0 7 * * 1",
            3 * 24 * 3600,
            {"days": 30},
            indicator_reminders,
        )
    ]
