"""The annual report's parts that need no PDF: settings, periods, words, charts, the
comparison verification makes, and sections added by a third-party plugin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.errors import InvalidEvent
from followup.bootstrap import Services, bootstrap
from followup.registry import Registry
from plugins import hookimpl
from reports.annual import charts, gather_data, prose
from reports.annual.document import html
from reports.annual.gather import ReportPeriod
from reports.annual.verify import differences
from reports.config import ReportConfig, load
from reports.errors import ReportError
from reports.sections import Fragment, ReportChart, ReportSection, SectionContext, public
from tests.report_history import record

# -- settings -----------------------------------------------------------------------


def test_defaults_follow_the_year() -> None:
    config = ReportConfig().resolved(2007)
    assert config.session == 6 and config.symbol == "ICC-ASP/6/1"
    assert config.venue == "The Hague" and config.document_date is None


def test_settings_from_a_file_and_the_environment(tmp_path: Path) -> None:
    file = tmp_path / "report.toml"
    file.write_text(
        '[report]\nsession = 23\nvenue = "New York"\nsymbol = "ICC-ASP/{session}/21"\n'
        'session_dates = "2 to 7 December 2024"\ndocument_date = 2024-10-19\n'
    )
    config = load({"FOLLOWUP_REPORT_CONFIG": str(file), "FOLLOWUP_REPORT_VENUE": "The Hague"})
    assert config.session == 23
    assert config.venue == "The Hague"  # the environment wins over the file
    assert config.session_dates == "2 to 7 December 2024"
    assert config.document_date == date(2024, 10, 19)
    assert config.resolved(2024).symbol == "ICC-ASP/23/21"
    assert ReportConfig.from_json(config.resolved(2024).to_json()) == config.resolved(2024)


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"FOLLOWUP_REPORT_SESSION": "sixth"}, "session"),
        ({"FOLLOWUP_REPORT_SESSION": "0"}, "out of range"),
        ({"FOLLOWUP_REPORT_DATE": "19/10/2007"}, "document_date"),
        ({"FOLLOWUP_REPORT_CONFIG": "/nonexistent/report.toml"}, "cannot read"),
    ],
)
def test_bad_settings_are_refused(environment: dict[str, str], message: str) -> None:
    with pytest.raises(ReportError, match=message):
        load(environment)


def test_unknown_settings_in_the_file_are_refused(tmp_path: Path) -> None:
    file = tmp_path / "report.toml"
    file.write_text("colour = 'blue'\n")
    with pytest.raises(ReportError, match="unknown settings: colour"):
        load({"FOLLOWUP_REPORT_CONFIG": str(file)})


# -- periods ------------------------------------------------------------------------


def test_a_year_and_the_one_before() -> None:
    period = ReportPeriod.of(2024, None, None, default_year=2000)
    assert (period.first, period.last) == (date(2024, 1, 1), date(2024, 12, 31))
    assert (period.previous_first, period.previous_last) == (date(2023, 1, 1), date(2023, 12, 31))
    assert (period.label, period.previous_label) == ("2024", "2023")
    assert ReportPeriod.of(None, None, None, default_year=2019).year == 2019
    assert ReportPeriod.from_json(period.to_json()) == period


def test_a_period_and_the_one_as_long_before_it() -> None:
    period = ReportPeriod.of(None, date(2024, 3, 1), date(2024, 3, 31), default_year=2000)
    assert (period.previous_first, period.previous_last) == (date(2024, 1, 30), date(2024, 2, 29))
    assert period.label == "1 March 2024 to 31 March 2024"
    assert ReportPeriod.from_json(period.to_json()) == period


@pytest.mark.parametrize(
    ("year", "first", "last"),
    [
        (2024, date(2024, 1, 1), date(2024, 2, 1)),
        (None, date(2024, 3, 1), date(2024, 2, 1)),
        (None, date(2024, 3, 1), None),
        (1999, None, None),
    ],
)
def test_bad_periods_are_refused(year: Any, first: Any, last: Any) -> None:
    with pytest.raises(InvalidEvent):
        ReportPeriod.of(year, first, last, default_year=2024)


# -- words --------------------------------------------------------------------------


def test_words() -> None:
    assert [prose.ordinal_words(n) for n in (1, 6, 20, 23, 99)] == [
        "first",
        "sixth",
        "twentieth",
        "twenty-third",
        "ninety-ninth",
    ]
    assert prose.long_date("2007-10-19") == "19 October 2007"
    assert prose.number(12345) == "12,345" and prose.number(25.5) == "25.5"
    assert prose.number(None) == "—" and prose.number(4.0) == "4"
    assert prose.plural(1, "agreement") == "1 agreement"
    assert prose.plural(2, "State Party", "States Parties") == "2 States Parties"


def test_changes_in_words() -> None:
    def figure(value: Any) -> dict[str, Any]:
        return {"x": {"value": value, "events": 0}}

    def change(now: Any, before: Any) -> str:
        data = {
            "figures": figure(now),
            "previous_figures": figure(before),
            "cumulative_figures": figure(now),
            "report": {"label": "2024", "previous": {"label": "2023"}},
        }
        return prose.Figures(data).change("x")

    assert change(3, 1) == "(up from 1 in 2023)"
    assert change(1, 3) == "(down from 3 in 2023)"
    assert change(2, 2) == "(the same as in 2023)"
    assert change(25, None) == "(none in 2023)"
    assert change(None, None) == ""


def test_indicators_in_words() -> None:
    share = {"states_parties": 5, "with": 1, "share": 0.2}
    assert prose.indicator_text("Share with a focal point.", share, 2024) == (
        "Share with a focal point: 1 of 5 States Parties (20.0 per cent)."
    )
    per_year = {"per_year": {"2023": {"applications": 2}, "2024": {"applications": 1}}}
    assert prose.indicator_text("Applications.", per_year, 2024) == "Applications: applications 1."
    assert prose.indicator_text("None.", per_year, 2022) == "None: none in 2022."


# -- charts -------------------------------------------------------------------------

SERIES: dict[str, Any] = {
    "years": [2023, 2024],
    "agreements": {"signed": [1, 2], "in_force": [0, 1]},
    "requests": {"sent": [0, 3], "answered": [0, 2], "median_days": [None, 25]},
    "witness_protection": {"applications": [0, 1], "relocated_persons": [0, 3]},
    "recommendations": {
        "clusters": ["I.A", "I.B"],
        "implemented": [1, 0],
        "ongoing": [0, 0],
        "in_progress": [0, 1],
        "not_started": [0, 0],
        "not_assessed": [5, 4],
    },
}


def built_in_charts() -> tuple[ReportChart, ...]:
    return Registry.load(load_entry_points=False).report.charts


def test_charts_are_svg_that_is_the_same_every_time() -> None:
    contributed = built_in_charts()
    assert [c.name for c in contributed] == ["agreements", "requests", "witness_protection"]
    first, second = charts.draw(SERIES, contributed), charts.draw(SERIES, contributed)
    assert first == second
    for name, svg in first.items():
        assert svg.startswith("<svg") and f'id="chart-{name}"' in svg
        assert "<!--" not in svg and "<script" not in svg
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}", svg)
    assert "Signed in the year" in first["agreements"]
    assert charts.data_uri("<svg/>") == "data:image/svg+xml;base64,PHN2Zy8+"


# -- verification's comparison ------------------------------------------------------


def test_differences_name_their_place() -> None:
    reported = {"figures": {"a": {"value": 1}}, "rows": [1, 2], "only": True}
    derived = {"figures": {"a": {"value": 2}}, "rows": [1, 2, 3], "new": 0}
    assert list(differences(reported, derived)) == [
        "figures.a.value: 1 in the report, 2 in the log",
        "new: in the log, not in the report",
        "only: in the report, not in the log",
        "rows: 2 entries in the report, 3 in the log",
    ]
    assert list(differences(derived, derived)) == []


# -- sections from plugins ----------------------------------------------------------


class Sanctions:
    """A third party's plugin: a section after cluster D and an annex."""

    @hookimpl
    def followup_report_sections(self) -> list[ReportSection]:
        def regimes(context: SectionContext) -> Fragment:
            workshops = public(context.reading.items("agreements"))
            return Fragment(
                "<p class='para'>In {{ period }}, {{ n }} public agreements; "
                "{{ arrests }} arrests. {{ danger }}</p>",
                {
                    "period": context.period_label,
                    "n": len(workshops),
                    "arrests": context.figures["warrants.arrests"],
                    "danger": "<script>alert(1)</script>",
                },
            )

        return [
            ReportSection("acme.sanctions", "Sanctions regimes", after="I.D", content=regimes),
            ReportSection(
                "acme.list",
                "Sanctions lists",
                after="annexes",
                content=lambda context: "<p>Trusted <b>HTML</b>.</p>",
            ),
        ]


@pytest.fixture
def with_sections() -> Iterator[Services]:
    services = bootstrap("memory://", load_entry_points=False, extra_plugins=[Sanctions()])
    record(services.app)
    yield services
    services.close()


def test_a_plugin_adds_a_section_where_it_says(with_sections: Services) -> None:
    data = gather_data(with_sections, year=2024)
    added = {section["key"]: section for section in data["plugin_sections"]}
    assert added["acme.sanctions"]["html"] == (
        "<p class='para'>In 2024, 2 public agreements; 1 arrests. "
        "&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    document = html(data, with_sections.report.charts)
    cluster_d = document.index("<h2>D. Cluster 4: Arrest and surrender")
    added_at = document.index('<section class="added" id="added-acme-sanctions">')
    cluster_e = document.index("<h2>E. Cluster 5: Witness protection and support")
    assert cluster_d < added_at < cluster_e
    assert '<a href="#added-acme-sanctions">Sanctions regimes</a>' in document
    assert '<h1 class="annex-number">Annex V</h1>' in document
    assert "<p>Trusted <b>HTML</b>.</p>" in document


def test_a_section_must_go_somewhere_the_report_has() -> None:
    class Lost:
        @hookimpl
        def followup_report_sections(self) -> list[ReportSection]:
            return [ReportSection("lost", "Lost", after="Part IX", content=lambda c: "")]

    services = bootstrap("memory://", load_entry_points=False, extra_plugins=[Lost()])
    try:
        record(services.app)
        with pytest.raises(ReportError, match="'Part IX', which is not a section"):
            gather_data(services, year=2024)
    finally:
        services.close()


def test_the_renderer_fetches_only_the_reports_own_files() -> None:
    from reports.annual.document import FOLDER, local_only

    fetcher = local_only()
    found = fetcher.fetch((FOLDER / "style.css").as_uri())
    try:
        assert b"@page" in found.read()
    finally:
        found.close()
    for url in ("file:///etc/hostname", "http://127.0.0.1:9/x.png", (FOLDER.parent / "x").as_uri()):
        with pytest.raises(ValueError, match="loads nothing"):
            fetcher.fetch(url)
    with pytest.raises(ValueError, match="loads nothing"):
        fetcher.fetch(FOLDER.as_uri() + "/../../../../../../etc/hostname")


def test_charts_of_a_log_with_nothing_in_those_years() -> None:
    empty = {
        **SERIES,
        "agreements": {"signed": [0, 0], "in_force": [0, 0]},
        "requests": {"sent": [0, 0], "answered": [0, 0], "median_days": [None, None]},
        "witness_protection": {"applications": [0, 0], "relocated_persons": [0, 0]},
    }
    drawn = charts.draw(empty, built_in_charts())
    assert all(svg.startswith("<svg") for svg in drawn.values())
    assert "Median days" not in drawn["requests"]
