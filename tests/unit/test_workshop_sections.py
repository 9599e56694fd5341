"""Which section of the report lists a workshop, and whether indicator 65 counts it
("organised by international or regional organisations"), follow one rule: who
organised it, by the kind of the built-in party."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from plugins.builtin.regional_organisations import workshop_cluster, workshop_counts


def workshop(organiser: str) -> SimpleNamespace:
    payload = {"organiser": organiser, "attendees": 12, "topics": ["arrest_and_surrender"]}
    return SimpleNamespace(payload=payload)


@pytest.mark.parametrize(
    ("organiser", "section"),
    [
        ("AU", "III"),  # a regional organisation (annex II of the report)
        ("OAS", "III"),
        ("UN", "II.A"),
        ("UNOLA", "II.A"),  # an office of the United Nations: was counted with the States
        ("UNGA", "II.A"),
        ("NLD", "I.A"),
        ("ICC-NYLO", "I.A"),
        ("XX-REGISTERED", "I.A"),  # not built in: a tally reads the event alone
    ],
)
def test_a_workshop_is_listed_and_counted_by_its_organiser(organiser, section):
    assert workshop_cluster(workshop(organiser).payload) == section
    counts = workshop_counts(workshop(organiser))
    assert counts[f"workshops.in.{section}"] == 1
    assert counts[f"workshops.in.{section}.attendees"] == 12
    assert ("workshops.by_organisations" in counts) == (section == "III")
