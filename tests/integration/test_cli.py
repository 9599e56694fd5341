"""The followup command against a real SQLite file, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.samples import every_type


@pytest.fixture
def runner(sqlite_url, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0  # only init creates a store
    return runner


def write_jsonl(path: Path, events) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def state(runner) -> dict:
    result = runner.invoke(main, ["state"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_init_is_idempotent(runner, sqlite_url):
    for _ in range(2):
        result = runner.invoke(main, ["init"])
        assert result.exit_code == 0
        assert "0 events" in result.output
    assert Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_import_of_every_type_then_state_counts_every_type(runner, tmp_path):
    path = write_jsonl(tmp_path / "all.jsonl", every_type())
    result = runner.invoke(main, ["events", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert f"imported {len(every_type())} events" in result.output
    counts = state(runner)["types"]
    expected: dict[str, int] = {}
    for raw in every_type():
        expected[raw["type"]] = expected.get(raw["type"], 0) + 1
    assert counts == expected
    # The design's types, issue 15's but the administrator's, and ClassificationLowered.
    assert len(counts) == 35 + 29 + 1


@pytest.mark.parametrize("bad_line", [1, 17, 38])
def test_one_invalid_line_anywhere_imports_nothing(runner, tmp_path, bad_line):
    events = every_type()
    events[bad_line - 1] = {**events[bad_line - 1], "occurred_on": "2031-01-01"}
    path = write_jsonl(tmp_path / "bad.jsonl", events)
    result = runner.invoke(main, ["events", "import", str(path)])
    assert result.exit_code == 1
    assert f"line {bad_line}" in result.output
    assert "occurred_on" in result.output
    assert "Traceback" not in result.output
    assert state(runner)["position"] == 0


def test_malformed_json_names_the_line(runner, tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(every_type()[0]) + "\n{not json\n", encoding="utf-8")
    result = runner.invoke(main, ["events", "import", str(path)])
    assert result.exit_code == 1
    assert "line 2: not valid JSON" in result.output
    assert state(runner)["position"] == 0


@pytest.mark.parametrize(
    "follow_up",
    [
        {"type": "AgreementEnteredIntoForce", "occurred_on": "2006-01-01", "agreement": "NOPE"},
        {
            "type": "AgreementEnteredIntoForce",
            "occurred_on": "2005-10-26",
            "agreement": "ESA-AUT-2005",
        },
    ],
)
def test_a_lifecycle_violation_imports_nothing(runner, tmp_path, follow_up):
    signed = every_type()[6]
    path = write_jsonl(tmp_path / "lifecycle.jsonl", [signed, follow_up])
    result = runner.invoke(main, ["events", "import", str(path)])
    assert result.exit_code == 1
    assert "line 2" in result.output
    assert state(runner)["position"] == 0


def test_dry_run_records_nothing(runner, tmp_path):
    path = write_jsonl(tmp_path / "all.jsonl", every_type())
    result = runner.invoke(main, ["events", "import", "--dry-run", str(path)])
    assert result.exit_code == 0
    assert "nothing was recorded" in result.output
    assert state(runner)["position"] == 0


def test_export_writes_the_log_with_system_fields(runner, tmp_path):
    path = write_jsonl(tmp_path / "all.jsonl", every_type()[:3])
    runner.invoke(main, ["events", "import", str(path), "--recorded-by", "focal point A"])
    result = runner.invoke(main, ["events", "export"])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["position"] for line in lines] == [1, 2, 3]
    for line, sent in zip(lines, every_type()[:3], strict=False):
        assert {k: line[k] for k in sent} == sent
        assert line["recorded_by"] == "focal point A"
        assert len(line["hash"]) == 64
        assert line["recorded_at"].endswith("Z")
    assert lines[-1]["hash"] == state(runner)["head"]


def test_recommendations_as_json_and_table(runner):
    result = runner.invoke(main, ["recommendations", "--json"])
    items = json.loads(result.output)
    assert len(items) == 66
    assert set(items[0]) == {"number", "part", "cluster", "addressee", "text"}
    table = runner.invoke(main, ["recommendations"]).output
    assert table.splitlines()[0].startswith(" 1  I.A")


def test_user_mistakes_are_one_line_errors_without_traceback(tmp_path):
    command = [sys.executable, "-m", "cli", "init", "--database-url", "nosuch://x"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: Unknown database URL")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_every_command_has_help(runner):
    for command in (
        ["init"],
        ["events", "import"],
        ["events", "export"],
        ["state"],
        ["recommendations"],
        ["serve"],
    ):
        result = runner.invoke(main, [*command, "--help"])
        assert result.exit_code == 0
        assert "--help" in result.output
