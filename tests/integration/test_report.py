"""The annual report end to end on a real SQLite store: the figures of a known history
where they belong in the PDF's text, in English and in French, PDF/A-3 metadata and the
attached data (the same for both languages), the same bytes on every run, `report
verify` on an untouched log (either language), after later appends and after
tampering, classification (confidential never, restricted never itemised), the heading
a final report needs and a draft, and the HTTP endpoint."""

from __future__ import annotations

import io
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from api import create_app
from cli import main
from followup.bootstrap import Services, bootstrap
from reports.annual import AnnualReport, gather_data, produce
from reports.annual.document import ATTACHMENT, drawing, html, pdf, write_pdf
from reports.annual.verify import attached_data
from tests.apiclient import issue_tokens
from tests.report_history import CONFIDENTIAL, RESTRICTED, SETTINGS, record, settings_file

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Services]]:
    path = tmp_path_factory.mktemp("report") / "followup.sqlite"
    url = f"sqlite:///{path}"
    services = bootstrap(url, load_entry_points=False)
    record(services.app)
    yield url, services
    services.close()


@pytest.fixture(scope="module")
def report(store: tuple[str, Services]) -> AnnualReport:
    return produce(store[1], year=2024, config=SETTINGS)


@pytest.fixture(scope="module")
def french(store: tuple[str, Services]) -> AnnualReport:
    return produce(store[1], year=2024, config=SETTINGS, lang="fr")


@pytest.fixture(scope="module")
def texte(french: AnnualReport) -> str:
    return text_of(french.pdf)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The heading's settings for the command line and the server (a TOML file)."""
    path = settings_file(tmp_path)
    monkeypatch.setenv("FOLLOWUP_REPORT_CONFIG", path)
    return path


def text_of(document: bytes) -> str:
    reader = PdfReader(io.BytesIO(document))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture(scope="module")
def text(report: AnnualReport) -> str:
    return text_of(report.pdf)


def copy_of(url: str, tmp_path: Path) -> str:
    """A copy of the store (SQLite's backup API: consistent while it is open)."""
    source = sqlite3.connect(url.removeprefix("sqlite:///"))
    target_path = tmp_path / "copy.sqlite"
    target = sqlite3.connect(target_path)
    source.backup(target)
    source.close()
    target.close()
    return f"sqlite:///{target_path}"


def section(text: str, start: str, end: str, body: str = "Executive summary 1.") -> str:
    """The text between two headings (the body, after the contents)."""
    first = text.index(start, text.index(body))
    return text[first : text.index(end, first + len(start))]


# -- content ------------------------------------------------------------------------


def test_heading_block_note_and_contents(text: str, report: AnnualReport) -> None:
    assert text.startswith(
        "Assembly of States Parties ICC-ASP/23/21 Distr.: General 19 October 2024 Original: "
        "English Twenty-third session New York 2–7 December 2024"
    )
    assert report.data["heading"]["document_date"] == "2024-10-19"
    assert "Report of the Bureau on cooperation Follow-up of cooperation in 2024" in text
    # The Note by the Secretariat states the mandate.
    assert (
        "Pursuant to paragraph 40 of resolution ICC-ASP/22/Res.3, of 6 December 2023, the "
        "Bureau of the Assembly of States Parties hereby submits its report on cooperation for "
        "consideration by the Assembly. The report covers 2024." in text
    )
    assert "DRAFT" not in text
    contents = text[text.index("Contents") : text.index("Executive summary 1.")]
    for entry in (
        "Executive summary",
        "Part I. States Parties and the Court",
        "A. Cluster 1: General legal mechanisms",
        "G. Cluster 7: Personnel",
        "Part II. Cooperation in the United Nations context",
        "IV. The record: where the figures of this report come from",
        "V. Status of implementation of the recommendations",
    ):
        assert entry in contents
    # Part III is its own only section: its title is not repeated as a sub-entry.
    assert re.search(
        r"Part III\. International and regional organisations and the Court \d+–\d+ \d+ "
        r"Part IV\. Conclusion",
        contents,
    )
    # Paragraph ranges and pages are filled in; a one-paragraph section has its number.
    assert re.search(r"Executive summary 1–\d+ \d+", contents)
    assert re.search(r"Non-cooperation \d+ \d+ E\. Cluster 5", contents)


def test_executive_summary_in_assembly_prose(text: str) -> None:
    summary = section(text, "Executive summary", "Cooperation – the follow-up mechanism")
    for sentence in (
        "In 2024, two agreements with the Court were signed (one in 2023) and one entered into "
        "force (none in 2023).",
        "At the end of 2024, five States were parties to the Rome Statute; one of them had "
        "enacted implementing legislation and one had ratified the Agreement on the Privileges "
        "and Immunities of the Court.",
        "In 2024, the Court sent three requests for assistance (none in 2023) and two were "
        "answered (none in 2023): one granted in full and one refused. The median time to "
        "answer was 25 days. At the end of 2024, one request for assistance was still awaiting "
        "an answer (none at the end of 2023).",
        "In 2024, States arrested one person sought by the Court (Person One) and one person "
        "was surrendered to the Court (Person One).",
        "In 2024, the Court received one application for protection of witnesses (none in "
        "2023), covering four persons; three persons were relocated (none in 2023).",
        "In 2024, three workshops and seminars on cooperation were held (one in 2023), with 75 "
        "participants.",
        "At the end of 2024, of the 66 recommendations of the 2007 report, one was implemented, "
        "64 had not been assessed and one had a status that is not public. Since the end of "
        "2023, two recommendations changed status, one of them to implemented.",
    ):
        assert sentence in summary, sentence
    # The summary table of the recommendations' status, by section.
    table = summary[summary.index("Table 1: Status of the recommendations") :]
    assert "I.A General legal mechanisms 1–6 1 – – – 5 – 1" in table
    assert "Total 1–66 1 – – – 64 1 2" in table
    # The figures' provenance is a date here; positions and digests are annex IV's.
    assert "as it stood on" in summary and "position" not in summary


def test_each_cluster_says_what_was_done_what_is_outstanding_and_what_is_recommended(
    text: str,
) -> None:
    cluster = section(text, "A. Cluster 1: General legal mechanisms", "B. Cluster 2: Diplomatic")
    assert "The Bureau notes steady progress on supplementary agreements." in cluster
    assert "ICC-ASP/23/INF.2" in cluster  # the narrative's source, as a footnote
    assert (
        "At the end of 2024, one agreement was in force (none at the end of 2023), of which one "
        "on the enforcement of sentences." in cluster
    )
    # 'At the end of 2024' and 'In 2024' are said once a paragraph.
    assert "States and the Court organised two workshops and seminars" in cluster
    # Figures: 2024, 2023, to date; each section counts its own workshops.
    assert "Agreements with the Court signed 2 1 3" in cluster
    assert "Workshops and seminars organised by States and the Court 2 1 3" in cluster
    activities = cluster[cluster.index("Activities in 2024") :]
    assert activities.index("1 Feb 2024 Agreement ESA-AUT entered into force.") < activities.index(
        "10 May 2024 Agreement on witness relocation signed with Netherlands (Kingdom of the)"
    )
    assert "Regional workshop on cooperation in Nairobi" in activities
    assert "ICC-PRES/99-01-24" in section(text, "Activities in 2024", "C. Cluster 3")
    assert "The figures also count two restricted activities of the period" in activities
    # What remains outstanding, and the recommendations the Bureau has not spoken to.
    assert (
        "At the end of 2024, of the five States Parties, four had not enacted implementing "
        "legislation and four had not ratified the Agreement" in cluster
    )
    assert "Two agreements signed with the Court had not yet entered into force." in cluster
    assert (
        "Of the six recommendations of this section, one was implemented and five had not been "
        "assessed." in cluster
    )
    assert (
        "No recommendation of the Bureau on this section was recorded for 2024. "
        "Recommendations 2 to 6 of the 2007 report remain outstanding (annex V)." in cluster
    )
    recommendations = cluster[cluster.index("Recommendations 1 to 6: status") :]
    assert re.search(
        r"1 All States Parties should secure enactment.*Implemented since 1 Oct 2024",
        recommendations,
    )
    assert "States Parties with implementing legislation: one of five (20 per cent)." in (
        recommendations
    )
    diplomatic = section(text, "B. Cluster 2: Diplomatic", "C. Cluster 3")
    # Recommendation 7's only assessment is restricted: its status is not shown.
    assert re.search(r"7 States Parties may consider designating.*Not public", diplomatic)
    assert "At the end of 2024, four of the five States Parties had not designated" in diplomatic
    arrest = section(text, "D. Cluster 4: Arrest and surrender", "E. Cluster 5")
    assert "Arrest under warrant W-1 by Uganda." in arrest
    assert "Surrender to the Court under warrant W-1 by Uganda, through Kenya." in arrest
    regional = section(text, "Part III International", "Part IV Conclusion")
    assert "Seminar on arrest and surrender in Kampala, organised by African Union" in regional
    # Part III counts the workshops organisations held, not the States' (Nairobi).
    assert "Workshops and seminars organised by international and regional organisations 1 0 1" in (
        regional
    )
    assert "Nairobi" not in regional
    judicial = section(text, "C. Cluster 3", "D. Cluster 4")
    assert "Median days to answer 25 — 25" in judicial
    # A section with nothing recorded says so once, and an empty chart is one sentence.
    personnel = section(text, "G. Cluster 7: Personnel", "Part II")
    assert "No activity under this section was recorded in 2024." in personnel
    logistics = section(text, "F. Cluster 6: Logistics", "G. Cluster 7")
    assert "Activities in" not in logistics  # no empty table


def test_annexes(text: str, report: AnnualReport) -> None:
    annexes = text[text.index("Annex I Language to be included in the omnibus resolution") :]
    assert "Takes note of the report of the Bureau on cooperation in 2024 (ICC-ASP/23/21)" in (
        annexes
    )
    assert "Welcomes the agreements with the Court signed or entered into force in 2024;" in (
        annexes
    )
    assert "AALCO Asian-African Legal Consultative Organization" in annexes
    states = annexes[annexes.index("Annex III") : annexes.index("Annex IV")]
    assert "Austria 1 Jul 2002 cooperation (2023) – – – 1 / 1" in states
    assert "Netherlands (Kingdom of the) 1 Jul 2002 – 1 May 2003 15 Jan 2024 – 1 / 0" in states
    # France's membership is restricted: counted, not listed.
    assert "France" not in states
    assert "One further State Party, recorded as restricted, is counted in the figures" in states
    integrity = annexes[annexes.index("Annex IV") : annexes.index("Annex V")]
    assert f"Position in the record {report.position}" in integrity
    assert report.as_of in integrity
    assert report.head in integrity.replace(" ", "")
    assert f"followup verify --against {report.head}@{report.position}" in integrity
    status = annexes[annexes.index("Annex V") :]
    assert re.search(
        r"1 Implementing legislation and the APIC States Parties Implemented 1 Oct 2024 "
        r"Not assessed Every State Party has legislation\.",
        status,
    )
    assert re.search(r"7 National focal point States Parties Not public – Not assessed", status)


#: The follow-up of the 66 as the follow-up area (issue 16) hands it to the report:
#: keyed by number, public actions itemised, indicators defined with targets, and the
#: dashboard.
FOLLOW_UP = {
    "recommendations": {
        7: {
            "status": "in_progress",
            "status_since": "2024-06-01",
            "previous_status": "not_started",
            "public": True,
            "actions": {"open": 2, "overdue": 1, "completed": 1, "abandoned": 0},
            "open_actions": [
                {
                    "action": "A-1",
                    "description": "Write to the eight States without a focal point",
                    "lead": "AUT",
                    "due_on": "2024-10-01",
                    "overdue": True,
                    "completed_on": None,
                    "documents": [],
                }
            ],
            "completed_actions": [
                {
                    "action": "A-2",
                    "description": "Circulate a model designation letter.",
                    "lead": None,
                    "due_on": "2024-05-01",
                    "overdue": False,
                    "completed_on": "2024-04-20",
                    "documents": ["ICC-ASP/23/INF.3"],
                }
            ],
            "self_assessed": 0,
            "tracked_indicators": {
                "focal_points": {
                    "description": "States Parties with a national focal point",
                    "source": "summary",
                    "value": 3,
                    "baseline": {"value": 1, "on": "2023-01-01"},
                    "target": {"value": 5, "on": "2025-12-31"},
                    "status": "on_track",
                    "on_track": True,
                }
            },
        }
    },
    "dashboard": {
        "overall": {"actions": {"open": 2, "overdue": 1}},
        "clusters": [
            {"cluster": "I.A", "actions": {"open": 0, "overdue": 0}},
            {"cluster": "I.B", "actions": {"open": 2, "overdue": 1}},
        ],
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_status_annex_shows_the_follow_up_when_the_data_holds_it(
    store: tuple[str, Services], report: AnnualReport, language: str
) -> None:
    """The report reads the follow-up of the 66 (actions, indicators with targets) when
    an area gives it, and goes without when none does."""
    data = orjson.loads(orjson.dumps(report.data))
    data["areas"]["recommendation_follow_up"] = FOLLOW_UP
    text = " ".join(re.sub(r"<[^>]+>", " ", html(data, drawing(store[1]), language)).split())
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    status = text[text.index("Annex V" if language == "en" else "Annexe V") :]
    if language == "en":
        assert "Open / overdue actions" in status
        assert (
            "Completed 20 Apr 2024: Circulate a model designation letter (ICC-ASP/23/INF.3)."
            in (status)
        )
        assert (
            "Open: Write to the eight States without a focal point (lead: Austria; due "
            "1 Oct 2024; overdue)." in status
        )
        assert (
            "States Parties with a national focal point: 3 (target 5 by 31 Dec 2025; on track)."
            in (status)
        )
        assert (
            "Two actions planned in follow-up of the recommendations were open, one of them "
            "overdue." in text
        )
        # Each section says its own; a section without open actions says nothing of them.
        # (the body's headings: the last of each, after the contents)
        diplomatic = text[text.rindex("B. Cluster 2") : text.rindex("C. Cluster 3")]
        assert (
            "Two actions planned in follow-up of the recommendations of this section were open, "
            "one of them overdue." in diplomatic
        )
        general = text[text.rindex("A. Cluster 1") : text.rindex("B. Cluster 2")]
        assert "planned in follow-up" not in general
    else:
        assert "Achevée le 20 avr. 2024 : Circulate a model designation letter" in status
        assert "(responsable : Autriche ; échéance : 1 oct. 2024 ; en retard)." in status
        assert "(cible : 5 au 31 déc. 2025 ; en bonne voie)." in status
        assert (
            "Deux mesures prévues pour donner suite aux recommandations étaient en cours, dont "
            "une en retard." in text
        )
    # Without the follow-up's data (no area gives it), no column for actions.
    plain_data = orjson.loads(orjson.dumps(report.data))
    plain_data["areas"].pop("recommendation_follow_up", None)
    plain = html(plain_data, drawing(store[1]), language)
    assert "Open / overdue actions" not in plain and "Mesures en cours / en retard" not in plain


def test_technical_provenance_only_in_the_annex_on_the_record(text: str, texte: str) -> None:
    for printed, annex in ((text, "Annex IV"), (texte, "Annexe IV")):
        before = printed[
            : printed.index(
                annex, printed.index("Executive summary 1." if printed is text else "Résumé 1.")
            )
        ]
        assert "/api/" not in before and "GET " not in before
        assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+Z", before)  # a transaction time
        assert not re.search(r"\b[0-9a-f]{64}\b", before.replace(" ", ""))  # a digest
        assert "followup " not in before and "log position" not in before


def test_confidential_never_appears_and_restricted_is_not_itemised(
    report: AnnualReport, text: str
) -> None:
    attached = attached_data(report.pdf)
    attached_text = orjson.dumps(attached).decode()
    for word in (*CONFIDENTIAL, *RESTRICTED):
        assert word not in text, word
        assert word not in attached_text, word
    # The restricted agreement and workshop count; the confidential ones do not.
    assert attached["figures"]["agreements.all.signed"]["value"] == 2
    assert attached["figures"]["activities.workshops"]["value"] == 3
    assert attached["figures"]["activities.workshop_attendees"]["value"] == 75


# -- the file -----------------------------------------------------------------------


def test_pdfa_metadata_language_tags_and_the_attached_data(
    report: AnnualReport, store: tuple[str, Services]
) -> None:
    reader = PdfReader(io.BytesIO(report.pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert reader.metadata is not None
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata is not None
    assert reader.metadata.title == "Report of the Bureau on cooperation"
    bookmarks = [item.title for item in reader.outline if not isinstance(item, list)]
    assert bookmarks[:3] == ["Report of the Bureau on cooperation", "Contents", "Executive summary"]
    assert "Annex IV" in bookmarks and "Annex V" in bookmarks
    # The Parts carry their labels.
    assert "Part I. States Parties and the Court" in bookmarks
    assert "Part III. International and regional organisations and the Court" in bookmarks
    nested = [i.title for part in reader.outline if isinstance(part, list) for i in part]
    assert "A. Cluster 1: General legal mechanisms" in nested
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert "Report of the Bureau on cooperation" in xmp
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    # The data is attached as a PDF/A-3 associated file.
    associated = [spec.get_object() for spec in root["/AF"]]
    assert {(f["/F"], f["/AFRelationship"]) for f in associated} == {(ATTACHMENT, "/Data")}
    data = orjson.loads(reader.attachments[ATTACHMENT][0])
    head = store[1].app.head()
    assert data["log"] == {
        "position": head.position,
        "as_of": head.recorded_at,
        "head": head.hexdigest,
    }
    assert data["report"]["from"] == "2024-01-01" and data["report"]["to"] == "2024-12-31"
    assert data["figures"]["requests.median_days_to_answer"] == {"value": 25, "events": 4}
    assert data == report.data
    assert data["format"] == "followup-annual-report/2"
    # Only the fonts shipped with the report are embedded (no system font).
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts == {"Report-Serif", "Report-Serif-Bold", "Report-Serif-Italic", "Report-Mono"}
    # No wall-clock time anywhere: the file's dates are the log's.
    stamp = report.as_of[:19].replace("-", "").replace(":", "").replace("T", "")
    assert reader.metadata["/CreationDate"] == f"D:{stamp}Z"


def test_same_year_and_as_of_give_the_same_bytes(
    store: tuple[str, Services], tmp_path: Path, settings: str
) -> None:
    """Two runs of the command, one in another Python process (another hash seed)."""
    url, services = store
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    result = CliRunner().invoke(
        main, ["report", "--year", "2024", "-o", str(first), "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    head = services.app.head()
    assert f"log position {head.position}, as of {head.recorded_at}" in result.output
    subprocess.run(
        [sys.executable, "-m", "cli", "report", "--year", "2024", "-o", str(second)],
        check=True,
        env={
            "FOLLOWUP_DATABASE_URL": url,
            "FOLLOWUP_REPORT_CONFIG": settings,
            "PYTHONHASHSEED": "12345",
            "PATH": "/usr/bin:/bin",
        },
        timeout=120,
        capture_output=True,
    )
    assert first.read_bytes() == second.read_bytes()
    # --as-of the head's time is the same report as no --as-of.
    result = CliRunner().invoke(
        main,
        ["report", "--year", "2024", "--as-of", head.recorded_at, "-o", str(second)],
        env={"FOLLOWUP_DATABASE_URL": url},
    )
    assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()


def test_as_of_reads_the_log_as_it_was(store: tuple[str, Services]) -> None:
    from reports.annual import gather_data

    services = store[1]
    records = services.app.log.select_records(after=10, upto=11, limit=1)
    data = gather_data(services, year=2024, as_of=_moment(records[0].recorded_at), config=SETTINGS)
    assert data["log"]["position"] == 11
    assert data["log"]["head"] == records[0].hash.hex()
    assert data["figures"]["activities.workshops"]["value"] == 0


def _moment(text: str) -> Any:
    from core.clock import parse_timestamp

    return parse_timestamp(text)


# -- verification -------------------------------------------------------------------


def verify(document: Path, url: str, *options: str) -> Any:
    return CliRunner().invoke(
        main, ["report", "verify", str(document), *options, "--database-url", url]
    )


def test_verify_passes_on_an_untouched_log(
    report: AnnualReport, store: tuple[str, Services], tmp_path: Path
) -> None:
    document = tmp_path / "report.pdf"
    document.write_bytes(report.pdf)
    url = copy_of(store[0], tmp_path)
    result = verify(document, url)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"OK report on 2024 (2024-01-01 to 2024-12-31) at log position {report.position}"
    )
    assert "the digest at" in result.output
    assert "derived again" in result.output
    assert "pages: a fresh rendering of the attached data (en) is byte-identical" in result.output
    assert "since then: no event recorded" in result.output


def test_verify_after_later_appends_names_the_figures_back_dated_events_change(
    report: AnnualReport, store: tuple[str, Services], tmp_path: Path
) -> None:
    document = tmp_path / "report.pdf"
    document.write_bytes(report.pdf)
    url = copy_of(store[0], tmp_path)
    later = bootstrap(url, load_entry_points=False)
    try:
        record(
            later.app,
            [
                {
                    "type": "WorkshopHeld",
                    "occurred_on": "2024-08-08",
                    "title": "A workshop recorded late",
                    "organiser": "UGA",
                    "participants": ["UGA"],
                    "attendees": 5,
                    "topics": ["cooperation"],
                },
                {"type": "APICRatified", "occurred_on": "2025-02-02", "state": "KEN"},
            ],
        )
    finally:
        later.close()
    result = verify(document, url, "--no-redraw")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK report on 2024")
    assert (
        f"since then: 2 events recorded (positions {report.position + 1} to "
        f"{report.position + 2}), 1 of them dated in the period"
    ) in result.output
    assert "activities.workshops (2024): 3 in the report, 4 with the events recorded since" in (
        result.output
    )
    assert "activities.workshop_attendees (2024): 75 in the report, 80" in result.output
    # Dated after the period: it changes nothing the report says.
    assert "with_apic" not in result.output


def test_verify_fails_after_tampering_with_an_event(
    report: AnnualReport, store: tuple[str, Services], tmp_path: Path
) -> None:
    document = tmp_path / "report.pdf"
    document.write_bytes(report.pdf)
    url = copy_of(store[0], tmp_path)
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    with connection:
        # The Kampala workshop: 40 participants become 90.
        rows = connection.execute("SELECT rowid, state FROM stored_events").fetchall()
        position, state = next((r, bytes(s)) for r, s in rows if b"Kampala" in bytes(s))
        assert b'"attendees":40' in state
        connection.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?",
            (state.replace(b'"attendees":40', b'"attendees":90'), position),
        )
    connection.close()
    result = verify(document, url, "--no-redraw")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("FAILED report on 2024")
    assert f"FAILED: the log is damaged at position {position}: changed" in result.output


def test_verify_fails_when_the_attached_data_or_the_pages_were_altered(
    report: AnnualReport, store: tuple[str, Services], tmp_path: Path
) -> None:
    url = copy_of(store[0], tmp_path)
    altered = orjson.loads(orjson.dumps(report.data))
    altered["figures"]["activities.workshops"]["value"] = 4
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(pdf(altered, drawing(store[1])))
    result = verify(forged, url, "--no-redraw")
    assert result.exit_code == 1, result.output
    assert "FAILED: the attached data differs from the log at position" in result.output
    assert "figures.activities.workshops.value: 4 in the report, 3 in the log" in result.output
    # Pages drawn from other figures, with the true data attached.
    forged.write_bytes(write_pdf(html(altered, drawing(store[1])), report.data))
    result = verify(forged, url)
    assert result.exit_code == 1, result.output
    assert "FAILED: the pages differ from a fresh rendering of the attached data" in result.output


def test_verify_refuses_a_file_that_is_not_a_report(store: tuple[str, Services], tmp_path: Path):
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.7\nnot really\n")
    result = verify(other, store[0])
    assert result.exit_code == 1
    assert result.output.startswith("error: ")


def test_report_errors_are_one_line(
    store: tuple[str, Services], tmp_path: Path, settings: str
) -> None:
    url = store[0]
    out = str(tmp_path / "x.pdf")
    for arguments, message in (
        (["--year", "2024", "--lang", "de"], "Invalid value for '--lang'"),
        (["--year", "2024", "--session-from", "30/11/2024"], "session-from"),
        (["--year", "2024", "--from", "2024-01-01", "--to", "2024-02-01"], "not both"),
        (["--from", "2024-03-01", "--to", "2024-02-01"], "start is after its end"),
        (["--from", "2024-03-01"], "both ends"),
        (["--year", "2024", "--as-of", "2999-01-01"], "in the future"),
    ):
        result = CliRunner().invoke(main, ["report", *arguments, "-o", out, "--database-url", url])
        assert result.exit_code != 0
        assert message in result.output, result.output
        assert "Traceback" not in result.output
    assert not Path(out).exists()
    result = CliRunner().invoke(
        main,
        ["report", "--year", "2024", "-o", str(tmp_path / "no" / "x.pdf"), "--database-url", url],
    )
    assert result.exit_code == 1 and "cannot write" in result.output
    assert "Traceback" not in result.output


# -- French -------------------------------------------------------------------------


def test_the_french_report_draws_the_same_data_in_french(
    french: AnnualReport, texte: str, report: AnnualReport
) -> None:
    assert french.data == report.data  # the attached data is the same in both languages
    reader = PdfReader(io.BytesIO(french.pdf))
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert texte.startswith(
        "Assemblée des États Parties ICC-ASP/23/21 Distr. : générale 19 octobre 2024 Original : "
        "anglais Vingt-troisième session New York 2–7 décembre 2024"
    )
    assert (
        "En application du paragraphe 40 de la résolution ICC-ASP/22/Res.3 du 6 décembre 2023, "
        "le Bureau de l’Assemblée des États Parties soumet ci-après à l’examen de l’Assemblée "
        "son rapport sur la coopération." in texte
    )
    contents = texte[texte.index("Table des matières") : texte.index("Résumé 1.")]
    for entry in (
        "Première partie. Les États Parties et la Cour",
        "A. Groupe thématique 1 : Mécanismes juridiques généraux",
        "Non-coopération",
        "V. État de la mise en œuvre des recommandations",
    ):
        assert entry in contents, entry
    summary = section(texte, "Résumé", "La coopération – le mécanisme de suivi", body="Résumé 1.")
    for sentence in (
        "En 2024, deux accords avec la Cour ont été signés (un en 2023) et un est entré en "
        "vigueur (aucun en 2023).",
        "En 2024, la Cour a envoyé trois demandes d’assistance (aucune en 2023) et deux ont reçu "
        "une réponse (aucune en 2023) : une acceptée en totalité et une refusée.",
        "Le délai médian de réponse a été de 25 jours.",
        "En 2024, trois ateliers et séminaires sur la coopération ont été organisés (un en "
        "2023), qui ont réuni 75 participants.",
    ):
        assert sentence in summary, sentence
    cluster = section(texte, "A. Groupe thématique 1", "B. Groupe thématique 2", body="Résumé 1.")
    assert "1 févr. 2024 Entrée en vigueur de l’accord ESA-AUT." in cluster
    assert "Pays-Bas (Royaume des)" in cluster
    assert "Tous les États Parties devraient assurer l’adoption d’une législation" in cluster
    assert "Mise en œuvre depuis le 1 oct. 2024" in cluster
    # The Bureau's narrative was drafted in English: shown, and said so.
    assert "The Bureau notes steady progress" in cluster
    assert "Texte établi par le Bureau en anglais." in cluster
    annexes = texte[texte.index("Annexe III", texte.index("Résumé 1.")) :]
    assert "Autriche 1 juil. 2002 coopération (2023)" in annexes
    assert "traduction non officielle" in annexes
    # No fixed English text is left (the narrative and the recorded titles aside).
    for english in ("Executive summary", "Recommendation", "Original: English", "Table 1:"):
        assert english not in texte, english
    bookmarks = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Première partie. Les États Parties et la Cour" in bookmarks
    assert bookmarks[:3] == ["Rapport du Bureau sur la coopération", "Table des matières", "Résumé"]


def test_a_narrative_drafted_in_french_is_the_french_reports(tmp_path: Path) -> None:
    services = bootstrap("memory://", load_entry_points=False)
    try:
        record(services.app)
        record(
            services.app,
            [
                {
                    "type": "ReportNarrativeDrafted",
                    "occurred_on": "2025-01-21",
                    "year": 2024,
                    "section": "I.A",
                    "language": "fr",
                    "text": "Le Bureau note des progrès constants.",
                },
                {
                    "type": "ReportNarrativeDrafted",
                    "occurred_on": "2025-01-21",
                    "year": 2024,
                    "section": "I.A",
                    "part": "recommendations",
                    "text": "The Bureau recommends that States conclude relocation agreements.",
                },
            ],
        )
        data = gather_data(services, year=2024, config=SETTINGS)
        french = html(data, drawing(services), "fr")
        english = html(data, drawing(services), "en")
    finally:
        services.close()
    assert "Le Bureau note des progrès constants." in french
    assert "The Bureau notes steady progress" not in french
    assert "The Bureau notes steady progress" in english
    # What the Bureau recommends replaces the sentence saying it recorded none.
    cluster = english[english.index('id="s-I-A"') : english.index('id="s-I-B"')]
    assert "The Bureau recommends that States conclude relocation agreements." in cluster
    assert "No recommendation of the Bureau on this section" not in cluster


def test_verify_a_french_report(
    french: AnnualReport, store: tuple[str, Services], tmp_path: Path
) -> None:
    document = tmp_path / "rapport.pdf"
    document.write_bytes(french.pdf)
    result = verify(document, copy_of(store[0], tmp_path))
    assert result.exit_code == 0, result.output
    assert "pages: a fresh rendering of the attached data (fr) is byte-identical" in result.output


# -- the heading a final report needs; a draft ----------------------------------------


def test_a_final_report_needs_its_heading_and_a_draft_says_draft_on_every_page(
    store: tuple[str, Services], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("FOLLOWUP_REPORT_CONFIG", "FOLLOWUP_REPORT_SYMBOL"):
        monkeypatch.delenv(variable, raising=False)
    url, out = store[0], tmp_path / "report.pdf"

    def run(*arguments: str) -> Any:
        return CliRunner().invoke(
            main, ["report", "--year", "2024", *arguments, "-o", str(out), "--database-url", url]
        )

    refused = run()
    assert refused.exit_code == 1
    assert refused.output.startswith("error: The report's heading is not complete: set symbol")
    assert "--draft" in refused.output and not out.exists()
    draft = run("--draft", "--lang", "fr")
    assert draft.exit_code == 0, draft.output
    assert ": draft on 2024 (fr)" in draft.output
    pages = PdfReader(io.BytesIO(out.read_bytes())).pages
    # Letter-spaced at the top and the foot of every page.
    assert all("PROJET" in page.extract_text().replace(" ", "") for page in pages)
    assert "[à déterminer]" in pages[0].extract_text()
    # Every setting from the command line: a final report, with the 2007 example's.
    final = run(
        "--symbol", "ICC-ASP/6/21", "--session", "6", "--venue", "New York",
        "--session-from", "2007-11-30", "--session-to", "2007-12-14",
        "--document-date", "2007-10-19", "--mandate", "ICC-ASP/5/Res.3",
        "--mandate-paragraph", "36", "--mandate-date", "2006-12-01",
    )  # fmt: skip
    assert final.exit_code == 0, final.output
    first = PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()
    assert "Sixth session" in first and "30 November – 14 December 2007" in first
    assert "ICC-ASP/6/21" in first and "DRAFT" not in first
    assert "Pursuant to paragraph 36 of resolution ICC-ASP/5/Res.3, of 1 December 2006" in (
        " ".join(first.split())
    )


# -- HTTP ---------------------------------------------------------------------------


@pytest.fixture
def api(store: tuple[str, Services], tmp_path: Path, settings: str) -> Iterator[Any]:
    services = bootstrap(copy_of(store[0], tmp_path), load_entry_points=False)
    tokens = issue_tokens(services)
    app = create_app(services=services)
    yield app.test_client(), tokens
    services.close()


def test_http_report_for_bureau_and_auditor_only(api: Any, report: AnnualReport) -> None:
    client, tokens = api

    def get(role: str, query: str = "") -> Any:
        return client.get(
            f"/api/v1/reports/annual/2024.pdf{query}",
            headers={"Authorization": f"Bearer {tokens[role]}"},
        )

    # The same as_of as the report produced above: the same bytes.
    answer = get("bureau", f"?as_of={report.as_of}")
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    assert answer.headers["X-Followup-Position"] == str(report.position)
    assert answer.headers["X-Followup-Digest"] == report.head
    assert answer.data == report.pdf
    for role in ("focal_point", "admin"):
        assert get(role).status_code == 403
    assert client.get("/api/v1/reports/annual/2024.pdf").status_code == 401
    assert get("auditor", "?as_of=yesterday").status_code == 422
    future = get("auditor", "?as_of=2999-01-01")
    assert future.status_code == 422 and "future" in future.json["message"]
    assert get("auditor", "?colour=blue").status_code == 422
    assert get("auditor", "?lang=de").status_code == 422
    # In French: the same data, its own bytes, said in the headers.
    french = get("bureau", f"?as_of={report.as_of}&lang=fr")
    assert french.status_code == 200 and french.headers["Content-Language"] == "fr"
    assert attached_data(french.data) == attached_data(report.pdf)
    assert french.data != report.pdf


def test_http_refuses_a_final_report_without_its_heading_and_draws_a_draft(
    store: tuple[str, Services], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("FOLLOWUP_REPORT_CONFIG", "FOLLOWUP_REPORT_SYMBOL"):
        monkeypatch.delenv(variable, raising=False)
    services = bootstrap(copy_of(store[0], tmp_path), load_entry_points=False)
    try:
        tokens = issue_tokens(services)
        client = create_app(services=services).test_client()
        headers = {"Authorization": f"Bearer {tokens['bureau']}"}
        refused = client.get("/api/v1/reports/annual/2024.pdf", headers=headers)
        assert refused.status_code == 400
        assert "heading is not complete" in refused.json["message"]
        draft = client.get("/api/v1/reports/annual/2024.pdf?draft=true", headers=headers)
        assert draft.status_code == 200
        assert attached_data(draft.data)["heading"]["draft"] is True
    finally:
        services.close()


def test_the_openapi_document_lists_the_report(api: Any) -> None:
    client, _ = api
    document = client.get("/api/openapi.json").json
    operation = document["paths"]["/api/v1/reports/annual/{year}.pdf"]["get"]
    assert "application/pdf" in operation["responses"]["200"]["content"]


# -- PostgreSQL ---------------------------------------------------------------------


@pytest.mark.postgres
def test_the_same_report_and_its_verification_on_postgresql(
    postgres_services: Services, report: AnnualReport
) -> None:
    from reports.annual.verify import verify as verify_report

    record(postgres_services.app)
    produced = produce(postgres_services, year=2024, config=SETTINGS)

    def content(data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k not in ("log", "heading", "document")}

    assert content(produced.data) == content(report.data)
    verdict = verify_report(postgres_services, produced.pdf, redraw=False)
    assert verdict.ok, verdict.describe()
    assert "is the report's" in verdict.describe()


def test_a_report_on_any_period_and_its_verification(store: tuple[str, Services]) -> None:
    from datetime import date

    from reports.annual.verify import verify as verify_report

    services = store[1]
    produced = produce(services, first=date(2024, 3, 1), last=date(2024, 5, 31), config=SETTINGS)
    assert produced.data["report"]["previous"] == {
        "from": "2023-11-30",
        "to": "2024-02-29",
        "label": "2023-11-30/2024-02-29",
    }
    text = text_of(produced.pdf)
    assert "Follow-up of cooperation from 1 March to 31 May 2024" in text
    assert "The report covers the period from 1 March to 31 May 2024." in text
    assert "covering the period from 1 March to 31 May 2024" in text  # annex I
    assert (
        "From 1 March to 31 May 2024, one agreement with the Court was signed (none in the "
        "previous period)" in text
    )
    # Kampala (March) and Nairobi (April); the restricted one in May counts too.
    assert (
        "From 1 March to 31 May 2024, three workshops and seminars on cooperation were held "
        "(none in the previous period)" in text
    )
    verdict = verify_report(services, produced.pdf, redraw=False)
    assert verdict.ok, verdict.describe()
