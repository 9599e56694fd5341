"""`followup events import` of JSON Lines and CSV files against a real SQLite store: the
same events whatever the format, errors that name the line and the field, all or
nothing per file, and a progress bar only on a terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.csv_importer import convert
from cli import main
from core.importing import ImportProblem, import_events, importer_for
from followup.bootstrap import bootstrap
from tests.samples import every_type

CONTENT = ("type", "occurred_on", "summary", "recommendations", "sources", "classification")


def cell(value: Any) -> str:
    """A value as the CSV convention writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value) if value else ";"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def to_csv(events: list[dict[str, Any]]) -> str:
    header: list[str] = []
    for event in events:
        header += [name for name in event if name not in header]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for event in events:
        writer.writerow([cell(event[name]) if name in event else "" for name in header])
    return out.getvalue()


@pytest.fixture
def runner(sqlite_url, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0  # only init creates a store
    return runner


def run(runner, *args: str):
    return runner.invoke(main, ["events", "import", *args])


def stored(sqlite_url) -> list[dict[str, Any]]:
    """The log's events without the fields that differ between two imports (an event
    outside any lifecycle gets a dossier, and so an id, of its own at random)."""
    services = bootstrap(sqlite_url, load_entry_points=False)
    try:
        return [
            {k: v for k, v in e.to_flat().items() if k not in ("recorded_at", "hash", "id")}
            for e in services.app.read_log()
        ]
    finally:
        services.close()


def read_ids(sqlite_url) -> list[str]:
    services = bootstrap(sqlite_url, load_entry_points=False)
    try:
        return [str(e.id) for e in services.app.read_log()]
    finally:
        services.close()


def test_every_type_from_csv_is_stored_as_from_jsonl(runner, tmp_path, sqlite_url):
    events = every_type()
    jsonl = tmp_path / "all.jsonl"
    jsonl.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    spreadsheet = tmp_path / "all.csv"
    # As a spreadsheet saves it: a byte-order mark and CRLF line ends.
    spreadsheet.write_text("\ufeff" + to_csv(events), encoding="utf-8", newline="")

    result = run(runner, str(spreadsheet))
    assert result.exit_code == 0, result.output
    assert f"imported {len(events)} events" in result.output
    from_csv = stored(sqlite_url)

    other = f"sqlite:///{tmp_path}/other.sqlite"
    assert runner.invoke(main, ["init", "--database-url", other]).exit_code == 0
    result = runner.invoke(main, ["events", "import", str(jsonl), "--database-url", other])
    assert result.exit_code == 0, result.output
    assert from_csv == stored(other)
    # Lists, integers and booleans arrived as such, not as text.
    by_type = {e["type"]: e for e in from_csv}
    assert from_csv[6]["parties"] == ["AUT"]
    assert by_type["ResolutionAdopted"]["mentions_court"] is True
    assert isinstance(by_type["EmergencyVisaIssued"]["persons"], int)
    assert by_type["ImplementingLegislationReviewed"]["recommendations"] == [3]


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


HEADER = "type,occurred_on,state,persons,summary,recommendations\r\n"


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("EmergencyVisaIssued,2010-01-01,NLD,three,,", "persons", "Not a valid integer"),
        ("EmergencyVisaIssued,2010-01-01,NLD,0,,", "persons", "greater than or equal to 1"),
        ("EmergencyVisaIssued,2010-01-01,XXX,2,,", "state", "Unknown party code"),
        ("EmergencyVisaIssued,2010-01-01,NLD,2,,1;x", "recommendations", "Not a valid integer"),
        ("EmergencyVisaIssued,2010-01-01,NLD,,,", "persons", "Missing data"),
        ("APICRatified,2010-01-01,NLD,2,,", "persons", "Unknown field"),
        ("Unheard,2010-01-01,NLD,2,,", "type", "Unknown event type"),
    ],
)
def test_a_bad_cell_names_its_line_and_field_and_imports_nothing(
    runner, tmp_path, sqlite_url, row, field, message
):
    good = "EmergencyVisaIssued,2010-01-01,NLD,2,,16\r\n"
    # The second row's summary spans three lines: the bad row starts on line 6.
    multiline = 'EmergencyVisaIssued,2010-01-02,NLD,1,"one\r\ntwo\r\nthree",\r\n'
    path = write_csv(tmp_path / "bad.csv", HEADER + good + multiline + row + "\r\n" + good)
    result = run(runner, str(path))
    assert result.exit_code == 1, result.output
    assert f"bad.csv, line 6: {field}: " in result.output
    assert message in result.output
    assert "nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert stored(sqlite_url) == []


def test_the_api_and_the_csv_importer_give_the_same_messages(memory_services, tmp_path):
    raw = {"type": "EmergencyVisaIssued", "occurred_on": "2010-01-01", "state": "NLD"}
    path = write_csv(
        tmp_path / "one.csv",
        "type,occurred_on,state,persons\r\n"
        + ",".join([raw["type"], raw["occurred_on"], raw["state"], "-1"])
        + "\r\n",
    )
    expected = None
    try:
        memory_services.app.validate({**raw, "persons": -1})
    except Exception as error:  # the API's path
        expected = str(error)
    importer = importer_for(memory_services.importers, path)
    with path.open(encoding="utf-8-sig", newline="") as lines, pytest.raises(ImportProblem) as got:
        import_events(memory_services.app, importer, lines, recorded_by="t")
    assert expected and got.value.message == expected
    assert got.value.line == 2


def test_a_lifecycle_conflict_in_a_csv_file_names_the_line(runner, tmp_path, sqlite_url):
    text = (
        "type,occurred_on,agreement,kind,parties,title\r\n"
        "AgreementSigned,2005-10-27,ESA-1,enforcement_of_sentences,AUT; NLD,Enforcement\r\n"
        "AgreementEnteredIntoForce,2005-10-20,ESA-1,,,\r\n"
    )
    result = run(runner, str(write_csv(tmp_path / "a.csv", text)))
    assert result.exit_code == 1
    assert "line 3: " in result.output
    assert "before" in result.output
    assert stored(sqlite_url) == []

    fixed = text.replace("2005-10-20", "2005-11-26")
    result = run(runner, "--dry-run", str(write_csv(tmp_path / "b.csv", fixed)))
    assert result.exit_code == 0, result.output
    assert "2 events are valid; nothing was recorded" in result.output
    assert stored(sqlite_url) == []
    assert run(runner, str(tmp_path / "b.csv")).exit_code == 0
    signed = stored(sqlite_url)[0]
    assert signed["parties"] == ["AUT", "NLD"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("occurred_on,state\r\n2010-01-01,NLD\r\n", 1, "no `type` column"),
        ("type,state,state\r\nX,NLD,NLD\r\n", 1, "state more than once"),
        ("type,,state\r\nX,,NLD\r\n", 1, "column 2 of the header has no name"),
        ("type,occurred_on\r\nAPICRatified,2010-01-01,NLD\r\n", 2, "3 cells but the header"),
        ('type,occurred_on\r\nAPICRatified,"2010-01-01\r\n', 2, "not valid CSV"),
    ],
)
def test_a_malformed_csv_file_names_the_line(runner, tmp_path, sqlite_url, text, line, message):
    result = run(runner, str(write_csv(tmp_path / "m.csv", text)))
    assert result.exit_code == 1
    assert f"line {line}: " in result.output and message in result.output, result.output
    assert stored(sqlite_url) == []


def test_an_empty_list_a_blank_row_and_an_object_field(runner, tmp_path, sqlite_url):
    text = (
        "type,occurred_on,title,organiser,participants,attendees,topics,corrects,changes\r\n"
        "WorkshopHeld,2008-05-01,Seminar,ICC,;,40,Arrest and surrender;  cooperation ,,\r\n"
        ",,,,,,,,\r\n"
        "\r\n"
    )
    assert run(runner, str(write_csv(tmp_path / "w.csv", text))).exit_code == 0
    workshop = stored(sqlite_url)[0]
    workshop_id = read_ids(sqlite_url)[0]
    assert workshop["participants"] == []
    assert workshop["topics"] == ["arrest_and_surrender", "cooperation"]  # as the list has them
    assert workshop["attendees"] == 40
    correction = (
        "type,occurred_on,corrects,changes,reason\r\n"
        f'EventCorrected,2008-05-02,{workshop_id},"{{""attendees"": 45}}",Miscounted\r\n'
    )
    result = run(runner, str(write_csv(tmp_path / "c.csv", correction)))
    assert result.exit_code == 0, result.output
    assert stored(sqlite_url)[1]["changes"] == {"attendees": 45}
    assert stored(sqlite_url)[1]["corrects"] == workshop_id


def test_the_format_comes_from_the_extension_or_is_named(runner, tmp_path, sqlite_url):
    path = tmp_path / "events.txt"
    path.write_text(json.dumps(every_type()[0]) + "\n", encoding="utf-8")
    result = run(runner, str(path))
    assert result.exit_code == 1
    assert ".csv" in result.output and ".jsonl" in result.output
    assert run(runner, "--format", "nope", str(path)).exit_code == 1
    result = run(runner, "--format", "jsonl", str(path))
    assert result.exit_code == 0, result.output
    assert len(stored(sqlite_url)) == 1


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("integer", " 12 ", 12),
        ("integer", "-3", -3),
        ("integer", "²", "²"),
        ("integer", "1.5", "1.5"),
        ("boolean", "Yes", True),
        ("boolean", "0", False),
        ("boolean", "maybe", "maybe"),
        ("list", " NLD ;; AUT;", ["NLD", "AUT"]),
        ("list", ";", []),
        ("string", " kept as is ", " kept as is "),
    ],
)
def test_cells_convert_by_the_field_they_fill(field, text, value):
    from marshmallow import fields

    declared = {
        "integer": fields.Integer(),
        "boolean": fields.Boolean(),
        "list": fields.List(fields.String()),
        "string": fields.String(),
    }[field]
    assert convert(declared, text) == value


def test_a_progress_bar_on_a_terminal_only(tmp_path, sqlite_url):
    """A file over a megabyte shows a bar on a terminal (a pseudo-terminal here) and
    none when stderr is not one."""
    workshop = {
        "type": "WorkshopHeld",
        "occurred_on": "2008-05-01",
        "title": "Seminar",
        "organiser": "ICC",
        "participants": ["NLD"],
        "attendees": 3,
        "topics": ["cooperation"],
        "summary": "x" * 1900,
    }
    path = tmp_path / "big.jsonl"
    path.write_text((json.dumps(workshop) + "\n") * 600, encoding="utf-8")
    assert path.stat().st_size > 1_000_000
    env = {**os.environ, "FOLLOWUP_DATABASE_URL": sqlite_url}
    subprocess.run([sys.executable, "-m", "cli", "init"], env=env, check=True, timeout=60)
    command = [sys.executable, "-m", "cli", "events", "import", "--dry-run", str(path)]

    plain = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert plain.returncode == 0, plain.stderr
    assert "checking" not in plain.stderr

    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=terminal, stdin=subprocess.DEVNULL
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            shown += chunk
        out, _ = process.communicate(timeout=120)
    finally:
        os.close(controller)
    assert process.returncode == 0
    assert b"checking" in shown and b"100%" in shown
    assert b"600 events are valid" in out
