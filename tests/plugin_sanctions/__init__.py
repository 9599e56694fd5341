"""A plugin written against the plugin API alone (``followup.plugin``): sanctions
regimes a State adopts to enforce the Court's requests. It contributes an event type
that reads in English and French and is listed in cluster 4 of the report, a view, a
figure and a section of the annual report. Nothing outside this package changes for it
(tests/unit/test_plugin_api.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from followup.plugin import (
    EventType,
    Fact,
    Fragment,
    Item,
    ItemFigures,
    ItemHandler,
    LifecycleState,
    Noun,
    OnDate,
    Phrase,
    ReportSection,
    Schema,
    SectionContext,
    SummaryFigure,
    Terms,
    ViewFact,
    conflict,
    fields,
    hookimpl,
    lifecycle,
    public,
)

TYPE = "SanctionsRegimeAdopted"
VIEW = "sanctions_regimes"

MEASURES = Terms(
    {
        "asset_freeze": ("asset freeze", "gel des avoirs"),
        "travel_ban": ("travel ban", "interdiction de voyager"),
    }
)
LISTED = Noun(
    ("listed person", "listed persons"),
    ("personne inscrite", "personnes inscrites"),
    feminine=True,
)


class SanctionsRegimeAdopted(Schema):
    regime = fields.reference("sanctions regime")
    state = fields.state()
    measure = fields.choice(("asset_freeze", "travel_ban"))
    persons = fields.count(minimum=0)


def adopted(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(f"Sanctions regime {fact.payload['regime']} was already adopted.")
    return {"adopted_on": fact.occurred_on.isoformat()}


READS = Phrase(
    en="{state} adopted a sanctions regime ({measure}) covering {persons}.",
    fr="{state} : adoption d’un régime de sanctions ({measure}) visant {persons}.",
    values=lambda p, w: {
        "state": w.party(p["state"]),
        "measure": w.term(p["measure"], MEASURES),
        "persons": w.count(p["persons"], LISTED),
    },
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            TYPE,
            SanctionsRegimeAdopted,
            "sanctions",
            "A State adopted a sanctions regime to enforce the Court's requests.",
            subject=lifecycle("sanctions_regime", "regime"),
            rule=adopted,
            party_fields=("state",),
            sentence=READS,
            cluster="I.D",
            activity=True,
        )
    ]


def fold(item: Item | None, fact: ViewFact) -> Item:
    regime = {"regime": fact.payload["regime"], "adopted_on": fact.occurred_on}
    return {"state": fact.payload["state"], "regimes": [*(item or {}).get("regimes", []), regime]}


def present(item: Item, on: date) -> Item | None:
    regimes = [r for r in item["regimes"] if r["adopted_on"] <= on.isoformat()]
    return {**item, "regimes": regimes} if regimes else None


STATES = ItemFigures(
    (OnDate("sanctions.states", "States with a sanctions regime on the date.", VIEW, bool),)
)


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view=VIEW,
            types=frozenset({TYPE}),
            keys=lambda fact: [fact.payload["state"]],
            fold=fold,
            present=present,
            counts=STATES.counts,
        )
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return STATES.summary()


def section(context: SectionContext) -> Fragment:
    return Fragment(
        "<p class='para'>By the end of {{ period }}, {{ states }} States had a sanctions "
        "regime; public: {{ names }}.</p>",
        {
            "period": context.period_label,
            "states": context.cumulative_figures["sanctions.states"],
            "names": ", ".join(i["state"] for i in public(context.cumulative.items(VIEW))),
        },
    )


@hookimpl
def followup_report_sections() -> list[ReportSection]:
    return [ReportSection("sanctions.regimes", "Sanctions regimes", after="I.D", content=section)]
