"""state, replay, diff and views on the command line, on a real SQLite file."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from cli import main
from followup.bootstrap import bootstrap
from tests.samples import every_type


@pytest.fixture
def recorded(sqlite_url, monkeypatch):
    """Every sample type in one sitting, a visit in a second; the time in between."""
    monkeypatch.setenv("FOLLOWUP_DATABASE_URL", sqlite_url)
    services = bootstrap(sqlite_url, load_entry_points=False)
    app = services.app
    first = app.record_batch([app.validate(e) for e in every_type()], "tester", None)
    time.sleep(0.01)
    app.record_raw(
        {
            "type": "HighLevelVisit",
            "occurred_on": "2011-01-01",
            "organ": "prosecutor",
            "host": "KEN",
        },
        "tester",
        None,
    )
    services.close()
    return CliRunner(), first[-1].recorded_at


def run(runner, *args):
    result = runner.invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_state_as_of_and_on(recorded):
    runner, between = recorded
    now = json.loads(run(runner, "state"))
    assert now["figures"]["activities.high_level_visits"]["value"] == 2
    assert now["types"]["HighLevelVisit"] == 2
    assert now["head"] is not None
    earlier = json.loads(run(runner, "state", "--as-of", between))
    assert earlier["figures"]["activities.high_level_visits"]["value"] == 1
    assert earlier["position"] == len(every_type())
    assert earlier["head"] is None  # not the head of the log
    on_2005 = json.loads(run(runner, "state", "--on", "2005-12-31"))
    assert on_2005["figures"]["agreements.all.in_force"]["value"] == 1
    agreements = json.loads(
        run(runner, "state", "--view", "agreements", "--clearance", "restricted")
    )
    assert [a["agreement"] for a in agreements["items"]] == ["ESA-AUT-2005"]
    result = runner.invoke(main, ["state", "--as-of", "last tuesday"])
    assert result.exit_code == 2 and "RFC 3339" in result.output


def test_replay_writes_the_events_and_the_views_and_checks_them(recorded, tmp_path):
    runner, between = recorded
    output = run(runner, "replay", "--as-of", between, "-o", str(tmp_path / "r"), "--independent")
    assert "independent fold: same views" in output
    events = (tmp_path / "r" / "events.jsonl").read_text().splitlines()
    assert len(events) == len(every_type())
    views = json.loads((tmp_path / "r" / "views.json").read_text())
    assert views["figures"]["activities.high_level_visits"]["value"] == 1
    assert len(views["recommendations"]) == 66


def test_diff_and_rebuild(recorded):
    runner, between = recorded
    changed = json.loads(run(runner, "diff", "--from", between, "--to", "2100-01-01"))
    assert changed["figures"]["activities.high_level_visits"] == {"before": 1, "after": 2}
    assert [e["type"] for e in changed["events"]] == ["HighLevelVisit"]
    before = json.loads(run(runner, "state"))
    assert "rebuilt to position" in run(runner, "views", "rebuild")
    assert json.loads(run(runner, "state")) == before
