"""The recommendation catalogue matches the 2007 report and its committed source text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core import recommendations
from core.recommendations import Recommendation, catalogue, clusters, get

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "parse_recommendations.py"

# (first, last, part, cluster, cluster_number, cluster_title, paragraphs) from the report.
Section = tuple[int, int, str, str | None, int | None, str, range]
SECTIONS: list[Section] = [
    (1, 6, "I", "A", 1, "General legal mechanisms", range(17, 23)),
    (7, 11, "I", "B", 2, "Diplomatic and public support", range(23, 29)),
    (
        12,
        16,
        "I",
        "C",
        3,
        "Cooperation in support of analysis, investigations, prosecutions and judicial proceedings",
        range(29, 39),
    ),
    (17, 21, "I", "D", 4, "Arrest and surrender", range(39, 46)),
    (22, 24, "I", "E", 5, "Witness protection and support", range(46, 51)),
    (25, 28, "I", "F", 6, "Logistics and security", range(51, 55)),
    (29, 31, "I", "G", 7, "Personnel", range(55, 59)),
    (
        32,
        41,
        "II",
        "A",
        None,
        "Cooperation between the Court and the United Nations",
        range(60, 65),
    ),
    (
        42,
        60,
        "II",
        "B",
        None,
        "Cooperation by States Parties in the United Nations context",
        range(65, 68),
    ),
    (
        61,
        66,
        "III",
        None,
        None,
        "International and regional organisations and the Court",
        range(68, 73),
    ),
]

TEXTS = {
    1: "All States Parties should secure enactment of implementing legislation, legislation "
    "relevant to the investigation and prosecution of crimes under the Statute and ratify the "
    "agreement on Privileges and Immunities of the Court.",
    9: "States Parties could also designate a contact point at relevant Embassies as an "
    "interface for the Court with the national focal point.",
    44: "States Parties should encourage the Group of Friends of the International Criminal "
    "Court to try to reach beyond the traditional audience of legal advisors in its "
    "activities, for example by organizing more specific activities aimed at a larger "
    "audience. Legal advisors should encourage their colleagues to participate in such "
    "activities.",
    66: "States Parties should endeavour to generate political support for maximum cooperation "
    "from relevant actors in relation to specific investigations and trials as well as "
    "consider the scope for promoting and implementing further measures in this regard.",
}

ADDRESSEES = {
    2: "the Assembly",
    4: "States Parties",
    6: "the Assembly",
    10: "the Court",
    19: "the Court",
    21: "States Parties",
    23: "States Parties and the Court",
    24: "the Assembly",
    27: "the Court",
    28: "States Parties and the Court",
    31: "the Assembly",
    32: "the Court",
    41: "the Court",
    42: "States Parties",
    53: "the Court",
    56: "States Parties and the Court",
    60: "States Parties and the Court",
    61: "States Parties",
}


def test_there_are_66_numbered_1_to_66_in_order() -> None:
    assert len(catalogue()) == 66
    assert [r.number for r in catalogue()] == list(range(1, 67))


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: f"{s[0]}-{s[1]}")
def test_each_recommendation_sits_under_its_report_heading(section: Section) -> None:
    first, last, part, cluster, cluster_number, title, paragraphs = section
    for number in range(first, last + 1):
        r = get(number)
        assert (r.part, r.cluster, r.cluster_number, r.cluster_title) == (
            part,
            cluster,
            cluster_number,
            title,
        ), number
        assert r.paragraphs == tuple(paragraphs), number


def test_sections_cover_every_recommendation() -> None:
    covered = [n for first, last, *_ in SECTIONS for n in range(first, last + 1)]
    assert covered == list(range(1, 67))


@pytest.mark.parametrize("number", sorted(TEXTS))
def test_text_is_the_report_text_joined_into_one_paragraph(number: int) -> None:
    assert get(number).text == TEXTS[number]


def test_no_footnote_heading_or_markup_leaks_into_texts() -> None:
    for r in catalogue():
        assert not set(r.text) & set("⁰¹²³⁴⁵⁶⁷⁸⁹*\t\n"), r.number
        assert "Recommendation" not in r.text, r.number
        assert "  " not in r.text and r.text == r.text.strip(), r.number
        assert r.text.endswith("."), r.number


def test_dashes_and_quotes_are_kept() -> None:
    assert "should where relevant – possibly through focal and contact points –" in get(14).text
    assert "'emergency' visas" in get(16).text
    assert "should – together with the Court - further" in get(31).text


@pytest.mark.parametrize("number", sorted(ADDRESSEES))
def test_addressee(number: int) -> None:
    assert get(number).addressee == ADDRESSEES[number]


def test_addressees_are_from_the_fixed_set() -> None:
    allowed = {"States Parties", "the Court", "the Assembly", "States Parties and the Court"}
    assert {r.addressee for r in catalogue()} <= allowed


def test_get_unknown_number_raises_key_error() -> None:
    for number in (0, 67, -1):
        with pytest.raises(KeyError):
            get(number)


def test_recommendations_are_frozen_and_paragraphs_a_tuple() -> None:
    r = get(1)
    assert isinstance(r, Recommendation)
    assert r.paragraphs == (17, 18, 19, 20, 21, 22)
    with pytest.raises(AttributeError):
        r.text = "changed"  # type: ignore[misc]


def test_catalogue_is_loaded_once() -> None:
    assert recommendations.catalogue() is recommendations.catalogue()


def test_clusters_in_report_order() -> None:
    assert clusters() == [(part, cluster, title) for _, _, part, cluster, _, title, _ in SECTIONS]


def _run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_committed_json_matches_a_fresh_parse() -> None:
    result = _run_script("--check")
    assert result.returncode == 0, result.stderr


def test_check_fails_on_a_stale_json(tmp_path: Path) -> None:
    stale = tmp_path / "recommendations.json"
    committed = (REPO / "core" / "data" / "recommendations.json").read_text(encoding="utf-8")
    stale.write_text(committed.replace("Personnel", "Staff"), encoding="utf-8")
    result = _run_script("--check", "-o", str(stale))
    assert result.returncode == 1
    assert "stale" in result.stderr


def test_regenerating_gives_identical_bytes(tmp_path: Path) -> None:
    output = tmp_path / "out.json"
    assert _run_script("-o", str(output)).returncode == 0
    committed = REPO / "core" / "data" / "recommendations.json"
    assert output.read_bytes() == committed.read_bytes()
