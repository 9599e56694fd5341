"""The annual report end to end on a real SQLite store: the figures of a known history
where they belong in the PDF's text, PDF/A-3 metadata and the attached data, the same
bytes on every run, `report verify` on an untouched log, after later appends and after
tampering, classification (confidential never, restricted never itemised), and the
HTTP endpoint."""

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
from reports.annual import AnnualReport, produce
from reports.annual.document import ATTACHMENT, html, pdf, write_pdf
from reports.annual.verify import attached_data
from tests.apiclient import issue_tokens
from tests.report_history import CONFIDENTIAL, RESTRICTED, record

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
    return produce(store[1], year=2024)


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


def section(text: str, start: str, end: str) -> str:
    """The text between two headings (the body, after the contents)."""
    first = text.index(start, text.index("Executive summary 1."))
    return text[first : text.index(end, first + len(start))]


# -- content ------------------------------------------------------------------------


def test_heading_block_and_contents(text: str, report: AnnualReport) -> None:
    assert text.startswith("Assembly of States Parties ICC-ASP/23/1")
    assert "Twenty-third session The Hague" in text
    assert "Distr.: General" in text and "Original: English" in text
    # No document date is configured: the date of the log's last event, never the clock's.
    day = report.as_of[:10]
    assert report.data["heading"]["document_date"] == day
    assert "Report of the Bureau on cooperation" in text
    contents = text[text.index("Contents") : text.index("Executive summary 1.")]
    for entry in (
        "Executive summary",
        "A. Cluster 1: General legal mechanisms",
        "G. Cluster 7: Personnel",
        "Part II. Cooperation in the United Nations context",
        "Part IV. Conclusion",
        "III. States Parties",
        "IV. Integrity",
    ):
        assert entry in contents
    # Paragraph ranges and pages are filled in: "Executive summary 1–7 3".
    assert re.search(r"Executive summary 1–\d+ \d+", contents)


def test_executive_summary_says_the_figures_and_their_change(text: str) -> None:
    summary = section(text, "Executive summary", "Cooperation – the follow-up mechanism")
    for sentence in (
        "During 2024, 2 agreements with the Court were signed (up from 1 in 2023) and 1 "
        "entered into force (up from 0 in 2023); 1 was in force at the end of the period",
        "5 States were parties to the Rome Statute (the same as in 2023)",
        "3 workshops and seminars were held (up from 1 in 2023), with 75 participants",
        "States facilitated 1 arrest (up from 0 in 2023) and 1 surrender to the Court",
        "2 requests for assistance were answered (up from 0 in 2023), 1 of them granted in "
        "full; the median time to answer was 25 days",
        "and 1 request was open at its end",
        "1 application for witness protection was received",
        "covering 4 persons; 3 persons were relocated",
        "1 was assessed as implemented, 0 as ongoing, 1 as in progress and 0 as not started; "
        "64 had not been assessed",
    ):
        assert sentence in summary, sentence


def test_each_cluster_has_its_narrative_figures_activities_and_recommendations(
    text: str,
) -> None:
    cluster = section(text, "A. Cluster 1: General legal mechanisms", "B. Cluster 2: Diplomatic")
    assert "The Bureau notes steady progress on supplementary agreements." in cluster
    assert "ICC-ASP/23/INF.2" in cluster  # the narrative's source, as a footnote
    # Figures: 2024, 2023, to date.
    assert "Agreements with the Court signed 2 1 3" in cluster
    assert "Agreements in force at the end of the period 1 0 1" in cluster
    # The period's public activities, in date order.
    activities = cluster[cluster.index("Activities in 2024") :]
    assert activities.index("2024-02-01 Agreement ESA-AUT entered into force.") < activities.index(
        "2024-05-10 Agreement on witness relocation signed with Netherlands"
    )
    assert "Regional workshop on cooperation in Nairobi" in activities
    # An activity's source, as a footnote (at the foot of its page).
    assert "ICC-PRES/99-01-24" in section(text, "Activities in 2024", "C. Cluster 3")
    # The restricted agreement and workshop.
    assert "2 restricted activities of the period are counted in the figures" in activities
    # Recommendations 1 to 6 with status and indicators.
    recommendations = cluster[cluster.index("Recommendations 1 to 6") :]
    assert re.search(
        r"1 All States Parties should secure enactment.*Implemented 2024-10-01", recommendations
    )
    assert "implementing legislation 1 of 5 States Parties (20.0 per cent)" in recommendations
    diplomatic = section(text, "B. Cluster 2: Diplomatic", "C. Cluster 3")
    # Recommendation 7's only assessment is restricted: its status is not shown.
    assert re.search(r"7 States Parties may consider designating.*Not public", diplomatic)
    arrest = section(text, "D. Cluster 4: Arrest and surrender", "E. Cluster 5")
    assert "Arrest under warrant W-1 by Uganda." in arrest
    assert "Surrender to the Court under warrant W-1 by Uganda, through Kenya." in arrest
    regional = section(text, "Part III", "Part IV")
    assert "Seminar on arrest and surrender in Kampala, organised by African Union" in regional
    judicial = section(text, "C. Cluster 3", "D. Cluster 4")
    assert "Median days to answer 25 — 25" in judicial


def test_annexes(text: str, report: AnnualReport) -> None:
    annexes = text[text.index("Annex I Language to be included in the omnibus resolution") :]
    assert "Takes note of the report of the Bureau on cooperation (ICC-ASP/23/1)" in annexes
    assert "AALCO Asian-African Legal Consultative Organization" in annexes
    states = annexes[annexes.index("Annex III") : annexes.index("Annex IV")]
    assert "Austria 2002-07-01 cooperation (2023) — — — 1 / 1" in states
    assert "Netherlands (Kingdom of the) 2002-07-01 — 2003-05-01 2024-01-15 — 1 / 0" in states
    # France's membership is restricted: counted, not listed.
    assert "France" not in states
    assert "1 further State Party, recorded as restricted, is counted in the figures" in states
    integrity = annexes[annexes.index("Annex IV") :]
    assert f"Log position {report.position}" in integrity
    assert report.as_of in integrity
    assert report.head in integrity.replace(" ", "")
    assert f"followup verify --against {report.head}@{report.position}" in integrity


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
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata is not None
    assert reader.metadata.title == "Report of the Bureau on cooperation"
    bookmarks = [item.title for item in reader.outline if not isinstance(item, list)]
    assert bookmarks[:3] == ["Report of the Bureau on cooperation", "Contents", "Executive summary"]
    assert "Annex IV" in bookmarks
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


def test_same_year_and_as_of_give_the_same_bytes(store: tuple[str, Services], tmp_path: Path):
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
        env={"FOLLOWUP_DATABASE_URL": url, "PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
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
    data = gather_data(services, year=2024, as_of=_moment(records[0].recorded_at))
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
    assert "pages: a fresh rendering of the attached data is byte-identical" in result.output
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
    forged.write_bytes(pdf(altered, store[1].report.charts))
    result = verify(forged, url, "--no-redraw")
    assert result.exit_code == 1, result.output
    assert "FAILED: the attached data differs from the log at position" in result.output
    assert "figures.activities.workshops.value: 4 in the report, 3 in the log" in result.output
    # Pages drawn from other figures, with the true data attached.
    forged.write_bytes(write_pdf(html(altered, store[1].report.charts), report.data))
    result = verify(forged, url)
    assert result.exit_code == 1, result.output
    assert "FAILED: the pages differ from a fresh rendering of the attached data" in result.output


def test_verify_refuses_a_file_that_is_not_a_report(store: tuple[str, Services], tmp_path: Path):
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.7\nnot really\n")
    result = verify(other, store[0])
    assert result.exit_code == 1
    assert result.output.startswith("error: ")


def test_report_errors_are_one_line(store: tuple[str, Services], tmp_path: Path) -> None:
    url = store[0]
    out = str(tmp_path / "x.pdf")
    for arguments, message in (
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


# -- HTTP ---------------------------------------------------------------------------


@pytest.fixture
def api(store: tuple[str, Services], tmp_path: Path) -> Iterator[Any]:
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
    produced = produce(postgres_services, year=2024)

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
    produced = produce(services, first=date(2024, 3, 1), last=date(2024, 5, 31))
    assert produced.data["report"]["previous"] == {
        "from": "2023-11-30",
        "to": "2024-02-29",
        "label": "30 November 2023 to 29 February 2024",
    }
    text = text_of(produced.pdf)
    assert (
        "During the period 1 March 2024 to 31 May 2024, 1 agreement with the Court was signed"
        in text
    )
    # Kampala (March) and Nairobi (April); the restricted one in May counts too.
    assert (
        "3 workshops and seminars were held (up from 0 in 30 November 2023 to 29 February 2024)"
        in text
    )
    verdict = verify_report(services, produced.pdf, redraw=False)
    assert verdict.ok, verdict.describe()
