"""followup-legislation-sharing: a third-party plugin for followup, and the worked
example of README's "Writing a plugin".

Recommendation 2 of the 2007 report asks for a mechanism for sharing information
between States Parties on drafting and executing implementing legislation. This plugin
lets the focal point record each piece of legislation a State shares through it, and
adds, through followup's hooks:

- an event type, ``ImplementingLegislationShared``, with its schema and a lifecycle rule
  (a document is shared once);
- a view, ``shared_legislation``: per State, the documents it shared;
- a tally and two summary figures: documents shared in a period, States that shared;
- an indicator for recommendation 2;
- a section of the annual report.

It uses only what followup offers plugins: ``plugins.hookimpl``, ``core.eventtypes``,
``core.fields``, ``core.views.model``, ``core.views.figures`` and
``core.views.itemfigures`` (and ``reports.sections`` for the report).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType, Fact, LifecycleState, conflict, lifecycle
from core.views.figures import tally_figure
from core.views.itemfigures import ItemFigures, OnDate
from core.views.model import Indicator, Item, ItemHandler, Reading, SummaryFigure, Tally, ViewFact
from plugins import hookimpl
from reports.sections import Fragment, ReportSection, SectionContext, public

AREA = "legislation_sharing"
TYPE = "ImplementingLegislationShared"
VIEW = "shared_legislation"
STAGES = ("draft", "enacted")

# -- the event type: schema and lifecycle rule ---------------------------------------


class ImplementingLegislationShared(Schema):
    """The payload fields (the envelope's, such as occurred_on, come with every type)."""

    document = f.reference("document shared")
    state = f.state()
    title = f.text()
    stage = f.choice(STAGES)


def shared(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    """A document is shared once: a second event for it is a mistake (correct the first)."""
    if state is not None:
        raise conflict(
            f"Document {fact.payload['document']} was already shared on {state['shared_on']}."
        )
    return {"shared_on": fact.occurred_on.isoformat()}


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            TYPE,
            ImplementingLegislationShared,
            AREA,
            "A State shared its implementing legislation (a draft or an enacted text) "
            "through the information-sharing mechanism (recommendation 2).",
            subject=lifecycle("shared_document", "document"),
            rule=shared,
            party_fields=("state",),
        )
    ]


# -- a view: the documents each State shared ------------------------------------------


def fold_state(item: Item | None, fact: ViewFact) -> Item:
    """Pure: the item and one event give the next item (views refold on corrections)."""
    document = {
        "document": fact.payload["document"],
        "title": fact.payload["title"],
        "stage": fact.payload["stage"],
        "shared_on": fact.occurred_on,
    }
    documents = [*(item or {}).get("documents", []), document]
    return {"state": fact.payload["state"], "documents": documents}


def present_state(item: Item, on: date) -> Item | None:
    """The State as it stood on a date: documents shared later are not shared yet."""
    documents = [d for d in item["documents"] if d["shared_on"] <= on.isoformat()]
    if not documents:
        return None
    return {
        **item,
        "documents": documents,
        "first_shared_on": min(d["shared_on"] for d in documents),
    }


#: Figures about the view's items, kept as dated tallies by the views (a sum to read,
#: not a scan): here, the States that had shared something by the reading's date.
STATE_FIGURES = ItemFigures(
    (
        OnDate(
            "legislation_sharing.states",
            "States that had shared implementing legislation by the date.",
            VIEW,
            lambda item: True,  # presented on the date: a State with nothing yet is hidden
        ),
    )
)


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view=VIEW,
            types=frozenset({TYPE}),
            keys=lambda fact: [fact.payload["state"]],
            fold=fold_state,
            present=present_state,
            counts=STATE_FIGURES.counts,
        )
    ]


# -- a tally, summary figures and an indicator -----------------------------------------


def counts(fact: ViewFact) -> dict[str, int]:
    return {
        "legislation_sharing.documents": 1,
        "legislation_sharing.drafts": int(fact.payload["stage"] == "draft"),
    }


@hookimpl
def followup_tallies() -> list[Tally]:
    return [Tally(frozenset({TYPE}), counts)]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        tally_figure(
            "legislation_sharing.documents",
            "Pieces of implementing legislation shared in the period.",
            "legislation_sharing.documents",
            [TYPE],
        ),
        *STATE_FIGURES.summary(),
    ]


def sharing(reading: Reading) -> dict[str, Any]:
    return {
        "states": len(reading.items(VIEW)),
        "documents": reading.tally("legislation_sharing.documents"),
        "drafts": reading.tally("legislation_sharing.drafts"),
    }


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (2,),
            "legislation_sharing",
            "States that have shared implementing legislation; documents and drafts shared "
            "in the period.",
            sharing,
        )
    ]


# -- a section of the annual report ---------------------------------------------------

SECTION = """
<p class="para">In {{ period }}, {{ documents }} piece{{ '' if documents == 1 else 's' }} of
implementing legislation {{ 'was' if documents == 1 else 'were' }} shared through the
information-sharing mechanism of recommendation 2 ({{ drafts }} of them in draft). By the end
of the period, {{ states }} State{{ '' if states == 1 else 's' }} had shared legislation.</p>
{% if rows %}
<table>
  <thead><tr><th>State</th><th>Document</th><th>Stage</th><th>Shared on</th></tr></thead>
  <tbody>
  {% for row in rows %}
    <tr><td>{{ row.state }}</td><td>{{ row.title }}</td><td>{{ row.stage }}</td>
        <td>{{ row.shared_on }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endif %}
"""


def report_section(context: SectionContext) -> Fragment:
    """Counts from the period's figures; the table lists only what is public (the
    report is), and only documents shared in the period."""
    first, last = context.first.isoformat(), context.last.isoformat()
    rows = [
        {"state": item["state"], **document}
        for item in public(context.cumulative.items(VIEW))
        for document in item["documents"]
        if first <= document["shared_on"] <= last
    ]
    return Fragment(
        SECTION,
        {
            "period": context.period_label,
            "documents": context.figures.get("legislation_sharing.documents", 0),
            "drafts": context.reading.tally("legislation_sharing.drafts"),
            "states": context.cumulative_figures.get("legislation_sharing.states", 0),
            "rows": sorted(rows, key=lambda row: (row["shared_on"], row["state"])),
        },
    )


@hookimpl
def followup_report_sections() -> list[ReportSection]:
    return [
        ReportSection(
            "legislation_sharing.sharing",
            "Sharing of implementing legislation",
            after="I.A",
            content=report_section,
        )
    ]
