"""The projection's fast answers equal a naive fold of the log's prefix, for random
valid histories (with corrections and retractions), random positions, dates, periods
and both clearance levels — on the memory store here, on SQLite and PostgreSQL in
tests/integration/test_views_stores.py."""

from __future__ import annotations

from datetime import date

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.views.memory import fold
from core.views.model import Level, Period
from core.views.projection import Projection
from core.views.reading import ViewReading
from followup.bootstrap import Services, bootstrap
from plugins.builtin import actions, follow_up, queries
from tests.views_history import STATES, record_history


def answers(views, reading, page=(0, 2)):
    """Everything the views answer, in a comparable form."""

    def indicators(number):
        return views.indicators_for(reading, number)

    return {
        "summary": views.summary(reading),
        "explain": {name: sorted(f.explain(reading)) for name, f in views.figures.items()},
        "agreements": queries.agreements(reading),
        "warrants": queries.warrants(reading),
        "requests": queries.requests(reading),
        "witness_protection": queries.witness_protection(reading),
        "activities": queries.activities(reading),
        "parties": queries.parties(reading),
        "party": [queries.party(reading, code) for code in STATES[:3]],
        "recommendations": queries.recommendations(reading, indicators, views.figures),
        "recommendation": queries.recommendation(reading, 3, indicators, views.figures),
        "dashboard": follow_up.dashboard(
            follow_up.Overview(reading, indicators, views.figures),
            queries.recommendations(reading, indicators, views.figures),
        ),
        "actions": actions.actions(reading.items("actions"), reading.period),
        "overdue": actions.actions(reading.items("actions"), reading.period, status="overdue"),
        "questionnaires": reading.items("questionnaires"),
        "narratives": reading.items("narratives"),
        **{view: reading.items(view) for view in ("non_cooperation", "contributions")},
        "pages": {view: reading.page(view, *page) for view in views.folds.views},
        "parties page": queries.parties_page(reading, *page),
        "activities page": queries.activities_page(reading, offset=page[0], limit=page[1]),
    }


def check_against_fold(
    services: Services, data: st.DataObject, *, readings: int = 3, helper: bool = False
) -> None:
    """Record a random history, then compare fast and naive answers at random points."""
    app, views = services.app, services.views

    # Small pages and frequent checkpoints exercise the paths a big log takes.
    def projection():
        found = Projection(app, services.sql, views.folds, delta_every=3, full_every=8, page=7)
        if helper:  # every catch-up shared with a helper process (core/views/helper.py)
            found.helper_min = 0
        return found

    views.projection = projection()
    record_history(data, app, size=data.draw(st.integers(5, 45)))
    head = app.head().position
    # Folded in a few goes, each by a fresh runner that reads where the last one
    # stopped from the tables (as another process, or a restart, would).
    for cut in sorted(data.draw(st.lists(st.integers(0, head), max_size=3))):
        projection().catch_up(upto=cut)
    views.projection.catch_up()
    log = list(app.read_log())
    for _ in range(readings):
        position = data.draw(st.integers(0, head))
        level = data.draw(st.sampled_from(list(Level)))
        on = data.draw(st.dates(date(2002, 1, 1), date(2016, 1, 1)))
        first = data.draw(st.none() | st.dates(date(2002, 1, 1), date(2015, 1, 1)))
        last = data.draw(st.none() | st.dates(date(2003, 1, 1), date(2016, 1, 1)))
        period = Period(on=on, first=first, last=last)
        fast = ViewReading(views.projection.snapshot(position, level), views.folds, period)
        naive = ViewReading(fold(views.folds, log, level, position), views.folds, period)
        page = (data.draw(st.integers(0, 4)), data.draw(st.integers(1, 3)))
        assert answers(views, fast, page) == answers(views, naive, page)
        check_figures_agree_with_items(views, fast)
        check_pages_agree_with_lists(fast, *page)


def party_figures_from_items(reading):
    """What GET /parties says of each party, counted from the items of the other views
    (as it was computed before the views kept it as tallies per party)."""
    from collections import defaultdict
    from statistics import median

    figures = defaultdict(
        lambda: {
            "agreements": defaultdict(lambda: {"signed": 0, "in_force": 0}),
            "arrests_facilitated": 0,
            "surrenders_facilitated": 0,
            "requests": {"answered": 0, "open": 0, "median_days_to_answer": None},
            "non_cooperation": {"matters": 0, "open": 0, "findings": 0, "referred": 0},
        }
    )
    for item in reading.items("agreements"):
        for code in item["parties"]:
            counts = figures[code]["agreements"][item["kind"]]
            counts["signed"] += 1
            counts["in_force"] += item["status"] == "in_force"
    for item in reading.items("warrants"):
        if item["arrested_on"]:
            for code in {item["arresting_state"], *item["assisted_by"]}:
                figures[code]["arrests_facilitated"] += 1
        if item["surrendered_on"]:
            for code in {item["surrendering_state"], *item["transit_states"]}:
                figures[code]["surrenders_facilitated"] += 1
    turnaround = defaultdict(list)
    for item in reading.items("requests"):
        counts = figures[item["addressee"]]["requests"]
        if item["status"] == "answered":
            counts["answered"] += 1
            turnaround[item["addressee"]].append(item["days_to_answer"])
        else:
            counts["open"] += 1
    for code, days in turnaround.items():
        figures[code]["requests"]["median_days_to_answer"] = median(days)
    for item in reading.items("non_cooperation"):
        record = figures[item["state"]]["non_cooperation"]
        record["matters"] += 1
        record["open"] += item["status"] != "closed"
        record["findings"] += item["found_on"] is not None
        record["referred"] += bool(item["referred_to"])
    return {
        code: {**entry, "agreements": {k: dict(v) for k, v in entry["agreements"].items()}}
        for code, entry in figures.items()
    }


def check_pages_agree_with_lists(reading, offset, limit):
    """A first page read on its own is the list's slice, and its total the list's."""
    listed = queries.parties(reading)
    assert queries.parties_page(reading, offset, limit) == (
        len(listed),
        listed[offset : offset + limit],
    )
    activities = queries.activities(reading)
    assert queries.activities_page(reading, offset=offset, limit=limit) == (
        len(activities),
        activities[offset : offset + limit],
    )
    for view in ("agreements", "warrants", "requests", "witness_protection"):
        items = reading.items(view)
        assert reading.page(view, offset, limit) == (len(items), items[offset : offset + limit])


def check_figures_agree_with_items(views, reading):
    """Figures are sums of tallies; counting the items they are about must agree."""
    as_json = lambda figures: orjson.dumps(figures, option=orjson.OPT_SORT_KEYS)  # noqa: E731
    # As JSON: a median is 40 (of an odd count) or 40.0 (of an even one) alike.
    assert as_json(queries._party_figures(reading)) == as_json(party_figures_from_items(reading))
    for name, figure in views.figures.items():
        measure = figure.measure(reading)
        assert measure.events == len(figure.explain(reading)), name
    for item_figures in item_figure_sets():
        for spec in item_figures.figures:
            assert views.figures[spec.name].measure(reading).value == len(spec.chosen(reading)), (
                spec.name
            )


def item_figure_sets():
    from plugins.builtin import (
        actions,
        arrest_and_surrender,
        custody,
        diplomatic_support,
        judicial_assistance,
        legal_framework,
        logistics,
        membership,
        non_cooperation,
        record_keeping,
        witness_protection,
    )

    return [
        non_cooperation.MATTER_FIGURES,
        custody.CUSTODY_FIGURES,
        membership.MEMBERSHIP_FIGURES,
        legal_framework.PARTY_FIGURES,
        legal_framework.AGREEMENT_FIGURES,
        diplomatic_support.STRUCTURE_FIGURES,
        judicial_assistance.REQUEST_FIGURES,
        arrest_and_surrender.WARRANT_FIGURES,
        witness_protection.APPLICATION_FIGURES,
        logistics.PROCEDURE_FIGURES,
        record_keeping.ASSESSMENT_FIGURES,
        actions.ACTION_FIGURES,
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_answers_equal_a_naive_fold(data):
    on_memory(check_against_fold, data)


def on_memory(check, data):
    """Run `check(services, data)` on a fresh memory store."""
    services = bootstrap("memory://", load_entry_points=False)
    try:
        check(services, data)
    finally:
        services.close()


def test_a_span_splits_a_range_into_whole_months_and_cut_days():
    from core.views.snapshot import _Span

    span = _Span.of(date(2009, 2, 10), date(2010, 11, 30))
    assert (span.whole_low, span.whole_high) == ("2009-03", "2010-11")
    assert span.cut == (("2009-02-10", "2009-02-28"),)
    inside = _Span.of(date(2012, 2, 3), date(2012, 2, 29))
    assert inside.cut == (("2012-02-03", "2012-02-29"),) and inside.whole_low > inside.whole_high
    assert _Span.of(date(2011, 1, 1), date(2010, 1, 1)).cut == ()
    open_ended = _Span.of(None, date(2008, 12, 15))
    assert (open_ended.whole_high, open_ended.cut) == ("2008-11", (("2008-12-01", "2008-12-15"),))
    assert _Span.of(date(2008, 1, 1), None).whole_low == "2008-01"
