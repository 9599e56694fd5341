"""Figures that read big items in one pass (OnDate's `on_days`: a State's record, a
recommendation's assessments; and the four status figures of the assessments together)
count exactly what presenting the item on each date it mentions counts, for items folded
from random events by the real handlers."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.facts import Day, Fact
from core.views.engine import fold_one
from core.views.itemfigures import OnDate, Timeline
from followup.bootstrap import bootstrap
from plugins.builtin import (
    diplomatic_support,
    legal_framework,
    logistics,
    membership,
    record_keeping,
)


@pytest.fixture(scope="module")
def folds():
    services = bootstrap("memory://", load_entry_points=False)
    yield services.views.folds
    services.close()


def days() -> st.SearchStrategy[str]:
    return st.integers(0, 400).map(lambda n: (date(2002, 1, 1) + timedelta(days=n * 9)).isoformat())


PARTY_EVENTS = st.one_of(
    st.builds(
        lambda on, in_force: (
            "StateBecameParty",
            on,
            {"instrument": "accession", "in_force_on": in_force},
        ),
        days(),
        days(),
    ),
    st.builds(
        lambda on, effective: ("WithdrawalNotified", on, {"effective_on": effective}),
        days(),
        days(),
    ),
    st.builds(
        lambda on: ("ImplementingLegislationEnacted", on, {"title": "t", "scope": "both"}), days()
    ),
    st.builds(
        lambda on: ("ImplementingLegislationReviewed", on, {"title": "t", "outcome": "amended"}),
        days(),
    ),
    st.builds(lambda on: ("APICRatified", on, {}), days()),
    st.builds(lambda on: ("FocalPointDesignated", on, {"office": "o"}), days()),
    st.builds(
        lambda on, where: ("ContactPointDesignated", on, {"location": where, "office": "o"}),
        days(),
        st.sampled_from(["the_hague", "brussels", "new_york"]),
    ),
    st.builds(lambda on: ("CoordinatingMechanismEstablished", on, {"form": "other"}), days()),
    st.builds(lambda on: ("ConfidentialityProcedureEstablished", on, {}), days()),
    st.builds(lambda on: ("WithdrawalRevoked", on, {}), days()),
    st.builds(
        lambda on, start: ("JurisdictionAcceptedByDeclaration", on, {"jurisdiction_from": start}),
        days(),
        days(),
    ),
    st.builds(
        lambda on, key: ("AmendmentRatified", on, {"amendment": key}),
        days(),
        st.sampled_from(sorted(membership.AMENDMENTS)),
    ),
)


def folded(folds, view, events, payload_base):
    item = None
    for number, (type_, on, payload) in enumerate(events):
        fact = Fact(
            type_, Day(on), {**payload_base, **payload}, id=f"e{number}", position=number + 1
        )
        item = fold_one(folds, view, item, fact)
    return item


def same_counts(folds, view, item, figures):
    timeline = Timeline(item, folds.presenter(view))
    for figure in figures:
        assert isinstance(figure, OnDate) and figure.on_days is not None
        generic = dataclasses.replace(figure, on_days=None)
        assert figure.counts(timeline) == generic.counts(timeline), figure.name


@settings(max_examples=300, deadline=None)
@given(events=st.lists(PARTY_EVENTS, min_size=1, max_size=25))
def test_a_states_record_counts_the_same_in_one_pass(folds, events):
    item = folded(folds, "parties", events, {"state": "AUT"})
    figures = [
        *legal_framework.PARTY_FIGURES.figures,
        *diplomatic_support.STRUCTURE_FIGURES.figures,
        *logistics.PROCEDURE_FIGURES.figures,
        *membership.MEMBERSHIP_FIGURES.figures,
    ]
    same_counts(folds, "parties", item, figures)


@settings(max_examples=100, deadline=None)
@given(
    events=st.lists(
        st.builds(
            lambda on, status: ("RecommendationAssessed", on, {"status": status, "rationale": "r"}),
            days(),
            st.sampled_from(record_keeping.STATUSES),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_a_recommendations_assessments_count_the_same_in_one_pass(folds, events):
    item = folded(folds, "assessments", events, {"recommendation": 7})
    same_counts(folds, "assessments", item, record_keeping.ASSESSMENT_FIGURES.figures)
    # The view's counts, all the statuses in one pass, are the figures' counts.
    timeline = Timeline(item, folds.presenter("assessments"))
    by_figures = record_keeping.ASSESSMENT_FIGURES.counts(timeline)
    assert sorted(record_keeping.assessment_counts(timeline)) == sorted(by_figures)
    assert by_figures  # an assessed recommendation counts for one status at least


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(legal_framework.AGREEMENT_KINDS),
    dates=st.lists(days(), min_size=1, max_size=3, unique=True),
)
def test_an_agreement_counts_in_its_own_kind_and_all_kinds_only(folds, kind, dates):
    dates = sorted(dates)
    names = ["AgreementSigned", "AgreementEnteredIntoForce", "AgreementTerminated"]
    payloads = [
        {"kind": kind, "parties": ["AUT"], "title": "t"},
        {},
        {"reason": "r"},
    ]
    events = list(zip(names, dates, payloads, strict=False))
    item = folded(folds, "agreements", events, {"agreement": "A-1"})
    timeline = Timeline(item, folds.presenter("agreements"))
    every_kind = legal_framework.AGREEMENT_FIGURES.counts(timeline)
    counted = legal_framework.agreement_counts(timeline)
    figures = [count for count in counted if not count[0].startswith("party.")]
    assert sorted(figures) == sorted(every_kind)
    # And per party (GET /parties): signed from the signature on.
    assert ("party.AUT.agreements." + kind + ".signed", dates[0], 1) in counted


#: Keys of item fields (not those that hold event ids: their values are never dates).
KEYS = st.text(max_size=6).filter(
    lambda key: key not in ("events", "dated_events", "event", "classification")
)

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | days()
    | st.text(max_size=12)
    | st.builds(lambda d, t: f"{t}{d}", days(), st.text(min_size=1, max_size=3)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS | days(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(item=st.dictionaries(KEYS, JSON_VALUES, max_size=6))
def test_the_dates_of_an_item_are_found_alike_in_its_json(item):
    import orjson

    from core.views.items import dates_in_json, dates_of

    assert dates_in_json(orjson.dumps(item)) == dates_of(item)
