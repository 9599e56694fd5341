"""Reports and views from damaged or derived data, on SQLite and PostgreSQL:

- `report verify` derives the figures again from the log itself, so a changed row of
  the views' tables cannot make a wrong report pass (nor a right one fail);
- nothing is derived from a log whose chain does not verify up to the position used:
  `followup report`, the PDF over HTTP and `views rebuild` refuse, naming the damaged
  position, and the refusal is logged as an error (the alarm)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from core.views.tables import END
from reports.annual import produce
from tests.apiclient import Api
from tests.report_history import SETTINGS, record

#: Where each store keeps the log's rows.
EVENTS = {
    "sqlite": ("stored_events", "rowid"),
    "postgresql": ("followup_events", "notification_id"),
}


def run(api: Api, *args: str) -> Any:
    return CliRunner().invoke(
        main, [*args, "--database-url", api.services.database_url], catch_exceptions=False
    )


def execute(api: Api, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    with api.services.sql.transaction(write=True) as cursor:
        cursor.execute(sql, params)
        try:
            return list(cursor.fetchall())
        except Exception:  # no rows to fetch (an UPDATE on PostgreSQL)
            return []


def dialect(api: Api) -> str:
    return "postgresql" if api.services.sql.dialect == "postgresql" else "sqlite"


@pytest.fixture
def history(store_api: Api) -> Api:
    record(store_api.services.app)
    return store_api


def test_report_verify_derives_from_the_log_not_the_views_tables(history, tmp_path: Path):
    api = history
    honest = tmp_path / "honest.pdf"
    honest.write_bytes(produce(api.services, year=2024, config=SETTINGS).pdf)
    # Five workshops more in the tallies the views keep (a row no fold made).
    execute(
        api,
        "INSERT INTO view_item_tallies (source, counter, day, from_pos, levels, end_1, end_2, "
        "amount) VALUES (?, ?, ?, 1, 3, ?, ?, 5)",
        ("forged", "events.WorkshopHeld", "2024-03-03", END, END),
    )
    forged = produce(api.services, year=2024, config=SETTINGS)
    assert forged.data["figures"]["activities.workshops"]["value"] == 8  # the tables lie
    document = tmp_path / "forged.pdf"
    document.write_bytes(forged.pdf)
    result = run(api, "report", "verify", str(document), "--no-redraw")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("FAILED report on 2024")
    assert "figures.activities.workshops.value: 8 in the report, 3 in the log" in result.output
    result = run(api, "report", "verify", str(honest), "--no-redraw")
    assert result.exit_code == 0, result.output
    assert "(a fold of the log, not the views' tables)" in result.output


def test_nothing_is_derived_from_a_damaged_log(history, tmp_path: Path, caplog):
    api = history
    table, position_column = EVENTS[dialect(api)]
    rows = execute(api, f"SELECT {position_column} AS position, state FROM {table}")
    position, state = next(
        (row["position"], bytes(row["state"])) for row in rows if b"Kampala" in bytes(row["state"])
    )
    execute(
        api,
        f"UPDATE {table} SET state = ? WHERE {position_column} = ?",
        (state.replace(b"Kampala", b"Kampalb"), position),
    )
    damaged = f"the log is damaged at position {position}: changed"
    caplog.set_level(logging.ERROR, logger="followup.integrity")
    result = run(api, "report", "--year", "2024", "-o", str(tmp_path / "report.pdf"))
    assert result.exit_code == 1
    # The error (and, where logging goes to the terminal, the alarm above it).
    assert result.output.splitlines()[-1].startswith(f"error: {damaged}")
    assert "Traceback" not in result.output
    assert not (tmp_path / "report.pdf").exists()
    response = api.get("/api/v1/reports/annual/2024.pdf", "bureau")
    assert response.status_code == 503
    assert response.is_json and damaged in response.get_json()["message"]
    for command in (["views", "rebuild"], ["views", "update"]):
        result = run(api, *command)
        assert result.exit_code == 1
        assert result.output.splitlines()[-1].startswith(f"error: {damaged}")
    alarms = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(alarms) >= 4
    assert all(f"damaged at position {position}" in r.getMessage() for r in alarms)
    # A report of the log as it stood before the damaged position is still derived.
    before = api.services.app.log.select_records(after=position - 2, upto=position - 1)[0]
    earlier = produce(api.services, year=2024, as_of=_moment(before.recorded_at), config=SETTINGS)
    assert earlier.position == position - 1


def _moment(text: str) -> Any:
    from core.clock import parse_timestamp

    return parse_timestamp(text)
