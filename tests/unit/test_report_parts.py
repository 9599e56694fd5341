"""The annual report's parts that need no PDF: settings (a final report's heading, a
draft), periods, charts in each language and the sentence an empty one becomes, the
comparison verification makes, and sections added by a third-party plugin, in both
languages."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.errors import InvalidEvent
from core.words import Text, Words
from followup.bootstrap import Services, bootstrap
from followup.registry import Registry
from plugins import hookimpl
from reports.annual import charts, gather_data
from reports.annual.document import drawing, html
from reports.annual.gather import ReportPeriod
from reports.annual.verify import differences
from reports.config import ReportConfig, load
from reports.errors import ReportError
from reports.sections import Fragment, ReportChart, ReportSection, SectionContext, public
from tests.report_history import record

# -- settings -----------------------------------------------------------------------

#: The heading of the 2007 report (ICC-ASP/6/21), as README shows its settings.
SETTINGS_2007 = ReportConfig(
    symbol="ICC-ASP/6/21",
    session=6,
    venue="New York",
    session_from=date(2007, 11, 30),
    session_to=date(2007, 12, 14),
    document_date=date(2007, 10, 19),
    mandate="ICC-ASP/5/Res.3",
    mandate_paragraph=36,
    mandate_date=date(2006, 12, 1),
)


def test_a_final_report_needs_its_heading_and_a_draft_does_not() -> None:
    with pytest.raises(ReportError) as refused:
        ReportConfig().require_complete()
    message = str(refused.value)
    for name in ("symbol", "session", "venue", "session_from", "session_to", "document_date"):
        assert name in message
    assert "mandate (the resolution that mandates the report; FOLLOWUP_REPORT_MANDATE)" in message
    assert "--draft" in message
    SETTINGS_2007.require_complete()
    ReportConfig(draft=True).require_complete()
    # A draft without a session number takes the one that follows the year.
    draft = ReportConfig(draft=True, symbol="ICC-ASP/{session}/21").resolved(2007)
    assert draft.session == 6 and draft.symbol == "ICC-ASP/6/21"
    assert ReportConfig().resolved(2007).session is None
    with pytest.raises(ReportError, match="first day"):
        replace(SETTINGS_2007, session_from=date(2007, 12, 15)).require_complete()


def test_settings_from_a_file_the_environment_and_the_command_line(tmp_path: Path) -> None:
    file = tmp_path / "report.toml"
    file.write_text(
        '[report]\nsession = 23\nvenue = "New York"\nsymbol = "ICC-ASP/{session}/21"\n'
        "session_from = 2024-12-02\nsession_to = 2024-12-07\ndocument_date = 2024-10-19\n"
        'mandate = "ICC-ASP/22/Res.3"\nmandate_paragraph = 40\n'
    )
    config = load({"FOLLOWUP_REPORT_CONFIG": str(file), "FOLLOWUP_REPORT_VENUE": "The Hague"})
    assert config.session == 23
    assert config.venue == "The Hague"  # the environment wins over the file
    assert config.session_from == date(2024, 12, 2) and config.mandate_paragraph == 40
    assert config.document_date == date(2024, 10, 19)
    assert config.resolved(2024).symbol == "ICC-ASP/23/21"
    config.require_complete()
    assert ReportConfig.from_json(config.resolved(2024).to_json()) == config.resolved(2024)
    # The command line wins over both, each value checked alike.
    overridden = config.with_settings(venue="New York", session=None, draft=True)
    assert overridden.venue == "New York" and overridden.session == 23 and overridden.draft
    with pytest.raises(ReportError, match="the command line: session_from"):
        config.with_settings(session_from="30/11/2007")


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"FOLLOWUP_REPORT_SESSION": "sixth"}, "session"),
        ({"FOLLOWUP_REPORT_SESSION": "0"}, "out of range"),
        ({"FOLLOWUP_REPORT_DATE": "19/10/2007"}, "document_date"),
        ({"FOLLOWUP_REPORT_SESSION_TO": "14 December"}, "session_to"),
        ({"FOLLOWUP_REPORT_MANDATE_PARAGRAPH": "thirty-six"}, "mandate_paragraph"),
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
    # A name in no language: the document words it ("from 1 to 31 March 2024").
    assert period.label == "2024-03-01/2024-03-31"
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


# -- charts -------------------------------------------------------------------------

SERIES: dict[str, Any] = {
    "years": [2023, 2024],
    "agreements": {"signed": [1, 2], "in_force": [0, 1]},
    "requests": {"sent": [0, 3], "answered": [0, 2], "median_days": [None, 25]},
    "witness_protection": {"applications": [0, 1], "relocated_persons": [0, 3]},
}


def built_in_charts() -> tuple[ReportChart, ...]:
    return Registry.load(load_entry_points=False).report.charts


def test_charts_are_svg_that_is_the_same_every_time_in_each_language() -> None:
    contributed = built_in_charts()
    assert [c.name for c in contributed] == ["agreements", "requests", "witness_protection"]
    english = charts.draw(SERIES, contributed, Words("en"))
    assert english == charts.draw(SERIES, contributed, Words("en"))
    french = charts.draw(SERIES, contributed, Words("fr"))
    for drawn in (english, french):
        for name, svg in drawn.items():
            assert svg.startswith("<svg") and f'id="chart-{name}"' in svg
            assert "<!--" not in svg and "<script" not in svg
            assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}", svg)
    assert "Signed in the year" in english["agreements"]
    assert "Signés dans l’année" in french["agreements"]
    assert "Signed" not in french["agreements"]
    assert "Demandes d’assistance" in french["requests"]
    assert charts.data_uri("<svg/>") == "data:image/svg+xml;base64,PHN2Zy8+"


def test_an_empty_chart_is_not_drawn_but_said() -> None:
    empty = {
        **SERIES,
        "agreements": {"signed": [0, 0], "in_force": [0, 0]},
        "requests": {"sent": [0, 0], "answered": [0, 0], "median_days": [None, None]},
    }
    assert charts.is_empty(empty["agreements"]) and charts.is_empty(empty["requests"])
    assert not charts.is_empty(SERIES["requests"])
    drawn = charts.draw(empty, built_in_charts(), Words("en"))
    assert set(drawn) == {"witness_protection"}
    for chart in built_in_charts():
        assert chart.empty is not None, chart.name
        for language in ("en", "fr"):
            said = chart.empty(Words(language)).format(first=2015, last=2024)
            assert "2015" in said and "2024" in said and "{" not in said


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
    """A third party's plugin: a section after cluster D in both languages (gathered
    data, words when drawn), and an annex of HTML as plugins wrote them before."""

    @hookimpl
    def followup_report_sections(self) -> list[ReportSection]:
        def regimes(context: SectionContext) -> dict[str, Any]:
            return {
                "agreements": len(public(context.reading.items("agreements"))),
                "arrests": context.figures["warrants.arrests"],
                "danger": "<script>alert(1)</script>",
            }

        def render(data: Mapping[str, Any], w: Words) -> Fragment:
            return Fragment(
                "<p class='para'>{{ text }} {{ danger }}</p>",
                {
                    "text": w.sentence(
                        w.say(en="public agreements: ", fr="accords publics : ")
                        + w.cardinal(data["agreements"])
                    ),
                    "danger": data["danger"],
                },
            )

        return [
            ReportSection(
                "acme.sanctions",
                Text("Sanctions regimes", "Régimes de sanctions"),
                after="I.D",
                gather=regimes,
                render=render,
            ),
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


def test_a_plugin_adds_a_section_where_it_says_in_each_language(with_sections: Services) -> None:
    data = gather_data(with_sections, year=2024, config=SETTINGS_2007)
    added = {section["key"]: section for section in data["plugin_sections"]}
    # The data keeps what the section was made from, in no language.
    assert added["acme.sanctions"]["data"] == {
        "agreements": 2,
        "arrests": 1,
        "danger": "<script>alert(1)</script>",
    }
    assert added["acme.list"]["html"] == "<p>Trusted <b>HTML</b>.</p>"
    english = html(data, drawing(with_sections), "en")
    cluster_d = english.index("<h2>D. Cluster 4: Arrest and surrender")
    added_at = english.index('<section class="added" id="added-acme-sanctions">')
    cluster_e = english.index("<h2>E. Cluster 5: Witness protection and support")
    assert cluster_d < added_at < cluster_e
    assert '<a href="#added-acme-sanctions">Sanctions regimes</a>' in english
    assert "Public agreements: two &lt;script&gt;alert(1)&lt;/script&gt;" in english
    assert '<h1 class="annex-number">Annex VI</h1>' in english
    assert "<p>Trusted <b>HTML</b>.</p>" in english
    french = html(data, drawing(with_sections), "fr")
    assert '<a href="#added-acme-sanctions">Régimes de sanctions</a>' in french
    assert "Accords publics\u00a0: deux" in french
    assert '<h1 class="annex-number">Annexe VI</h1>' in french


def test_a_section_needs_content_or_gather_and_render() -> None:
    with pytest.raises(ValueError, match="needs `content`, or `gather` and `render`"):
        ReportSection("half", "Half", after="I.A", gather=lambda context: {})


def test_a_section_must_go_somewhere_the_report_has() -> None:
    class Lost:
        @hookimpl
        def followup_report_sections(self) -> list[ReportSection]:
            return [ReportSection("lost", "Lost", after="Part IX", content=lambda c: "")]

    services = bootstrap("memory://", load_entry_points=False, extra_plugins=[Lost()])
    try:
        record(services.app)
        with pytest.raises(ReportError, match="'Part IX', which is not a section"):
            gather_data(services, year=2024, config=SETTINGS_2007)
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


# -- the report's fixed texts in French -----------------------------------------------


def report_messages() -> set[str]:
    """Every fixed text the report writes through the message catalogue: the literal
    arguments of `_` and `Words.text` in reports/ and the template, and the texts it
    looks up from data (titles of Parts and sections, statuses, addressees, venues)."""
    import ast

    from jinja2 import Environment
    from jinja2.ext import extract_from_ast

    from core.recommendations import catalogue
    from reports.annual import prose
    from reports.annual.clusters import CLUSTERS, PARTS

    root = Path(__file__).resolve().parents[2] / "reports"
    found: set[str] = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            first, func = node.args[0], node.func
            named = (isinstance(func, ast.Name) and func.id == "_") or (
                isinstance(func, ast.Attribute) and func.attr == "text"
            )
            if named and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    template = (root / "annual" / "template.html").read_text()
    found |= {
        message
        for _, _, message in extract_from_ast(Environment().parse(template), ("_",))
        if isinstance(message, str)
    }
    found |= set(PARTS.values()) | {f"Part {key}" for key in PARTS}
    found |= {cluster.title for cluster in CLUSTERS} | set(prose.STATUS_LABELS.values())
    found |= {r.addressee[:1].upper() + r.addressee[1:] for r in catalogue()}
    found |= {"The Hague", "New York"}
    return found


def test_every_fixed_text_of_the_report_has_its_french() -> None:
    french = Words("fr")
    messages = report_messages()
    assert len(messages) > 120
    untranslated = sorted(
        m
        for m in messages
        if french.gettext(m, "addressee") == m
        and m
        not in {
            "Page",
            "Section",
            "Date",
            "Total",
            "New York",
            "Personnel",
            "Conclusion",
            "Figure",
            "Annexes",
            "Situations",
            "{ordinal} session",
        }
    )
    assert not untranslated
