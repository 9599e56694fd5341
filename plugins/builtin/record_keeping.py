"""The focal point's and the Bureau's own record: assessments of the 66
recommendations, narrative for the annual report, and corrections and retractions of
earlier events (the log never changes; these say how to read it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import count
from operator import itemgetter
from typing import Any

from marshmallow import Schema, fields, validate

from core import fields as f
from core.eventtypes import Effect, EventType, Fact, Lifecycles, invalid
from core.recommendations import ADOPTED, ADOPTED_BY
from core.views.itemfigures import ItemFigures, OnDate, OnDays, Timeline, per_version
from core.views.items import ItemCount
from core.views.model import Item, ItemHandler, SummaryFigure, ViewFact
from core.words import Phrase, Terms
from plugins import hookimpl
from plugins.builtin.party_items import happened_by
from reports.sections import ReportData, SectionContext

AREA = "record_keeping"
#: An assessment's date, as a sort key.
ASSESSED_ON = itemgetter("assessed_on")

#: Sections of the annual report that take the Bureau's narrative, in report order.
REPORT_SECTIONS = (
    "executive_summary",
    "introduction",
    "I.A",
    "I.B",
    "I.C",
    "I.D",
    "I.E",
    "I.F",
    "I.G",
    "II.A",
    "II.B",
    "III",
    "conclusion",
)


class RecommendationAssessed(Schema):
    recommendation = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=66)
    )
    status = f.choice(["not_started", "in_progress", "implemented", "ongoing"])
    rationale = f.text()


#: The parts of a section's narrative: the Bureau's account (before the figures) and
#: what it recommends (after what is outstanding).
NARRATIVE_PARTS = ("narrative", "recommendations")


class ReportNarrativeDrafted(Schema):
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2002, max=2100))
    section = f.choice(REPORT_SECTIONS)
    text = f.text(max_length=f.MAX_LONG_TEXT)
    part = fields.String(
        validate=validate.OneOf(NARRATIVE_PARTS),
        metadata={
            "description": "Which part of the section: the Bureau's narrative (the default) "
            "or what it recommends."
        },
    )
    language = fields.String(
        validate=validate.OneOf(("en", "fr")),
        metadata={
            "description": "The language the text is written in (default en); the report in "
            "French shows a French text where one was drafted."
        },
    )


class EventCorrected(Schema):
    corrects = fields.UUID(required=True, metadata={"description": "Id of the event corrected."})
    changes = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "Payload fields of the corrected event and their new values."},
    )
    reason = f.text(required=True)


class EventRetracted(Schema):
    retracts = fields.UUID(required=True, metadata={"description": "Id of the event retracted."})
    reason = f.text()


class ClassificationLowered(Schema):
    lowers = fields.UUID(
        required=True, metadata={"description": "Id of the event whose classification is lowered."}
    )
    lowered_to = f.choice(["public", "restricted"])
    reason = f.text()


def after_adoption(fact: Fact, lifecycles: Lifecycles) -> None:
    """The recommendations exist from the Assembly's adoption of them."""
    if fact.occurred_on.to_date() < ADOPTED:
        raise invalid(
            "occurred_on",
            f"The 66 recommendations were adopted on {ADOPTED.isoformat()} ({ADOPTED_BY}): "
            "none can have been assessed before.",
        )


# -- how the events read -----------------------------------------------------------

STATUS_WORDS = Terms(
    {
        "not_started": ("not started", "non commencée"),
        "in_progress": ("in progress", "en cours"),
        "implemented": ("implemented", "mise en œuvre"),
        "ongoing": ("ongoing", "permanente"),
    }
)

ASSESSED = Phrase(
    en="Recommendation {recommendation} assessed as {status}.",
    fr="Recommandation {recommendation} évaluée : {status}.",
    values=lambda p, w: {
        "recommendation": str(p["recommendation"]),
        "status": w.term(p["status"], STATUS_WORDS),
    },
)
PART_WORDS = Terms(
    {
        "narrative": ("narrative", "exposé"),
        "recommendations": ("recommendations", "recommandations"),
    }
)
NARRATIVE = Phrase(
    en="The Bureau drafted its {part} for section {section} of the report on {year}.",
    fr="Texte du Bureau ({part}) pour la section {section} du rapport sur {year}.",
    values=lambda p, w: {
        "section": p["section"].replace("_", " "),
        "year": str(p["year"]),
        "part": w.term(p.get("part") or "narrative", PART_WORDS),
    },
)
CORRECTED = Phrase(
    en="Correction of event {corrects}: {fields}.",
    fr="Correction de l’événement {corrects} : {fields}.",
    values=lambda p, w: {
        "corrects": str(p["corrects"]),
        "fields": w.listing(sorted(p["changes"])),
    },
)
RETRACTED = Phrase(
    en="Retraction of event {retracts}: {reason}.",
    fr="Retrait de l’événement {retracts} : {reason}.",
    values=lambda p, w: {"retracts": str(p["retracts"]), "reason": p["reason"]},
)
LEVEL_WORDS = Terms({"public": ("public", "public"), "restricted": ("restricted", "restreint")})
LOWERED = Phrase(
    en="Event {lowers} made {level}: {reason}.",
    fr="L’événement {lowers} devient {level} : {reason}.",
    values=lambda p, w: {
        "lowers": str(p["lowers"]),
        "level": w.term(p["lowered_to"], LEVEL_WORDS),
        "reason": p["reason"],
    },
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "RecommendationAssessed",
            RecommendationAssessed,
            AREA,
            "The focal point assessed the implementation of a recommendation.",
            checks=after_adoption,
            sentence=ASSESSED,
        ),
        EventType(
            "ReportNarrativeDrafted",
            ReportNarrativeDrafted,
            AREA,
            "The Bureau drafted the narrative of a section of its annual report.",
            writers=frozenset({"bureau"}),
            sentence=NARRATIVE,
        ),
        EventType(
            "EventCorrected",
            EventCorrected,
            AREA,
            "New values for payload fields of an earlier event.",
            writers=frozenset({"focal_point", "bureau"}),
            effect=Effect.CORRECT,
            target="corrects",
            changes="changes",
            sentence=CORRECTED,
        ),
        EventType(
            "EventRetracted",
            EventRetracted,
            AREA,
            "An earlier event is withdrawn; it stays in the log.",
            writers=frozenset({"focal_point", "bureau"}),
            effect=Effect.RETRACT,
            target="retracts",
            sentence=RETRACTED,
        ),
        EventType(
            "ClassificationLowered",
            ClassificationLowered,
            AREA,
            "An earlier event's classification is lowered (a warrant unsealed, a "
            "confidential agreement made public), as it reads then, corrections included. "
            "The lowering has the classification it lowers to; what continues the "
            "event's lifecycle afterwards inherits the lower one.",
            writers=frozenset({"focal_point", "bureau"}),
            effect=Effect.LOWER,
            target="lowers",
            changes="lowered_to",
            sentence=LOWERED,
        ),
    ]


# -- views -------------------------------------------------------------------------

STATUSES = ("not_started", "in_progress", "implemented", "ongoing")


def fold_assessment(item: Item | None, fact: ViewFact) -> Item:
    assessment = {
        "status": fact.payload["status"],
        "rationale": fact.payload["rationale"],
        "assessed_on": fact.occurred_on,
        "assessed_by": fact.recorded_by,
        "event": fact.id,
    }
    assessments = [*(item or {}).get("assessments", []), assessment]
    return {"recommendation": fact.payload["recommendation"], "assessments": assessments}


def present_assessment(item: Item, on: date) -> Item | None:
    """The latest assessment by date (then by recording order) made by `on`."""
    made = happened_by(item["assessments"], on, "assessed_on")
    if not made:
        return None
    # max() keeps the first of equals: read backwards, the last recorded.
    latest = max(reversed(made), key=ASSESSED_ON)
    return {
        **item,
        "assessments": made,
        **{k: latest[k] for k in ("status", "rationale", "assessed_on")},
    }


def fold_narrative(item: Item | None, fact: ViewFact) -> Item:
    """The latest draft of a section replaces earlier ones."""
    return {
        "year": fact.payload["year"],
        "section": fact.payload["section"],
        "text": fact.payload["text"],
        "drafted_on": fact.occurred_on,
        "drafted_by": fact.recorded_by,
    }


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view="assessments",
            types=frozenset({"RecommendationAssessed"}),
            keys=lambda fact: [f"{fact.payload['recommendation']:02d}"],
            fold=fold_assessment,
            present=present_assessment,
            counts=assessment_counts,
        ),
        ItemHandler(
            view="narratives",
            types=frozenset({"ReportNarrativeDrafted"}),
            keys=lambda fact: [f"{fact.payload['year']}/{fact.payload['section']}"],
            fold=fold_narrative,
        ),
    ]


def latest_assessment_event(item: Item) -> list[str]:
    return [a["event"] for a in item["assessments"] if a["assessed_on"] == item["assessed_on"]][-1:]


def with_status(status: str) -> Callable[[Item], bool]:
    return lambda item: item["status"] == status


STATUS = itemgetter("status")


@per_version
def latest_statuses(item: Item) -> list[tuple[str, str]]:
    """(day, status of the latest assessment by then) on each day an assessment was
    made (as present_assessment picks it: the latest date, then the latest recorded),
    in one pass over the item (once for all the statuses' figures)."""
    assessments = item["assessments"]
    ordered = sorted(zip(map(ASSESSED_ON, assessments), count(), map(STATUS, assessments)))
    # A day's last assessment (in that order) wins; the days stay in ascending order.
    return list({day: status for day, _, status in ordered}.items())


def status_days(status: str) -> OnDays:
    """Whether the latest assessment by each day has `status`."""

    def on_days(item: Item) -> list[tuple[str, int, int]]:
        return [(day, 1, 1) if s == status else (day, 0, 0) for day, s in latest_statuses(item)]

    return on_days


ASSESSMENT_FIGURES = ItemFigures(
    tuple(
        OnDate(
            f"recommendations.{status}",
            f"Recommendations whose latest assessment is {status.replace('_', ' ')}.",
            "assessments",
            with_status(status),
            latest_assessment_event,
            status_days(status),
        )
        for status in STATUSES
    )
)


#: Each status's counters: (the figure's, its events').
STATUS_COUNTERS = {
    figure.name.removeprefix("recommendations."): (figure.name, f"{figure.name}#events")
    for figure in ASSESSMENT_FIGURES.figures
}


def assessment_counts(timeline: Timeline) -> list[ItemCount]:
    """ASSESSMENT_FIGURES' counts (the same, in another order) in one pass over the
    latest statuses instead of one per status: a recommendation's assessments grow
    with the log, and each new one made the four passes again (a tenth of a fold's
    figures at a million events). The latest assessment counts for its status from
    the day it is made (one event) until another status takes over."""
    counts: list[ItemCount] = []
    was: str | None = None
    for day, status in latest_statuses(timeline.item):
        if status == was:
            continue
        for side, sign in ((was, -1), (status, 1)):
            names = STATUS_COUNTERS.get(side) if side is not None else None
            if names is not None:
                counts.append((names[0], day, sign))
                counts.append((names[1], day, sign))
        was = status
    return counts


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return ASSESSMENT_FIGURES.summary()


# -- the annual report ----------------------------------------------------------------


def narratives(context: SectionContext) -> list[dict[str, Any]]:
    """The latest draft of each section's narrative for the report's year, by part and
    language, if it is public (a restricted latest draft is not shown, and an earlier
    one is not shown instead). Drafts of any date count: the Bureau writes after the
    year ends."""
    assert context.recorded is not None
    latest: dict[tuple[str, str, str], ViewFact] = {}
    for fact in context.recorded.facts(["ReportNarrativeDrafted"], cumulative=True):
        p = fact.payload
        if p["year"] == context.year:  # facts come in log order: the latest wins
            latest[(p["section"], p.get("part") or "narrative", p.get("language") or "en")] = fact
    return [
        {
            "section": section,
            "part": part,
            "language": language,
            "text": fact.payload["text"],
            "drafted_on": fact.occurred_on,
            "sources": list(fact.sources),
        }
        for (section, part, language), fact in sorted(latest.items())
        if fact.classification == "public"
    ]


def _standing(item: Item, visible: dict[str, str]) -> dict[str, Any]:
    """An assessed recommendation as it stood on the reading's date: its status, the
    date of the assessment behind it, since when the status held (through the public
    assessments before it that said the same), and why; only a public assessment's
    status and reasons are shown."""
    made = sorted(
        enumerate(item["assessments"]), key=lambda pair: (pair[1]["assessed_on"], pair[0])
    )
    latest = made[-1][1]
    if visible.get(latest["event"]) != "public":
        return {"status": "restricted", "assessed_on": None, "since": None, "rationale": None}
    since = latest["assessed_on"]
    for _, earlier in reversed(made[:-1]):
        if earlier["status"] != latest["status"] or visible.get(earlier["event"]) != "public":
            break
        since = earlier["assessed_on"]
    return {
        "status": latest["status"],
        "assessed_on": latest["assessed_on"],
        "since": since,
        "rationale": latest["rationale"],
    }


def _classifications(context: SectionContext) -> dict[str, str]:
    """Each assessment's classification, by its event (the views hold restricted
    assessments too: their statuses count, never shown)."""
    assert context.recorded is not None
    return {
        fact.id: fact.classification
        for fact in context.recorded.facts(["RecommendationAssessed"], cumulative=True)
    }


def publicly_assessed(context: SectionContext) -> set[int]:
    """The recommendations whose latest assessment by the period's last day is public
    (those whose status ``recommendation_status`` shows)."""
    visible = _classifications(context)
    return {
        item["recommendation"]
        for item in context.reading.items("assessments")
        if visible.get(latest_assessment_event(item)[0]) == "public"
    }


def recommendation_status(context: SectionContext) -> dict[str, dict[str, Any]]:
    """Each assessed recommendation's status on the period's last day and on the
    previous period's (a year before, for a calendar year), since when it held, and
    why (a restricted assessment's status is 'restricted': counted, never shown)."""
    visible = _classifications(context)
    before = {
        item["recommendation"]: _standing(item, visible)["status"]
        for item in context.previous.items("assessments")
    }
    found = {}
    for item in context.reading.items("assessments"):
        number = item["recommendation"]
        found[str(number)] = {
            **_standing(item, visible),
            "year_before": before.get(number, "not_assessed"),
        }
    return found


@hookimpl
def followup_report_data() -> list[ReportData]:
    return [
        ReportData("narratives", narratives),
        ReportData("recommendation_status", recommendation_status),
    ]
