"""`followup organisations`: the administrator extends the registry of parties with an
event, so that a new NGO or national institution may be named without a release."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main


@pytest.fixture
def runner(sqlite_url, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0  # only init creates a store
    return runner


def test_register_then_name_then_list(runner, tmp_path):
    statement = {
        "type": "StatementDelivered",
        "occurred_on": "2016-03-01",
        "speaker": "KNCHR",
        "forum": "other",
        "topic": "arrest_and_surrender",
    }
    events = tmp_path / "statement.jsonl"
    events.write_text(json.dumps(statement) + "\n", encoding="utf-8")
    refused = runner.invoke(main, ["events", "import", str(events)])
    assert refused.exit_code == 1
    assert "no organisation is registered under it" in refused.output

    registered = runner.invoke(
        main,
        [
            "organisations",
            "register",
            "KNCHR",
            "--name",
            "Kenya National Commission on Human Rights",
            "--kind",
            "national_institution",
            "--state",
            "KEN",
            "--on",
            "2016-01-01",
        ],
    )
    assert registered.exit_code == 0, registered.output
    assert "registered KNCHR" in registered.output
    again = runner.invoke(
        main,
        [
            "organisations",
            "register",
            "KNCHR",
            "--name",
            "x",
            "--kind",
            "ngo",
            "--on",
            "2016-01-02",
        ],
    )
    assert again.exit_code == 1 and "already registered" in again.output
    assert runner.invoke(main, ["events", "import", str(events)]).exit_code == 0

    listed = runner.invoke(main, ["organisations", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = {row["code"]: row for row in json.loads(listed.output)}
    assert rows["KNCHR"]["registered_on"] == "2016-01-01"
    assert rows["UNSC"]["kind"] == "united_nations"
    assert "ATA" not in rows and "KEN" not in rows  # territories and States are not listed
