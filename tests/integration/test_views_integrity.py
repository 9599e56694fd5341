"""Views from damaged or derived data, on SQLite and PostgreSQL: `followup views verify`
compares the kept views with a fresh fold of the log and names the first row that
differs; views refuse a log that no longer holds what they were folded from (cut
behind their position, or another event at it) until rebuilt; a fold refuses a log
whose chain does not verify, naming the position."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from cli import main
from core.views.feed import LogDamaged
from core.views.model import Level
from core.views.projection import ViewsOutOfStep
from followup.bootstrap import bootstrap
from tests.server import store_url_for
from tests.storelog import fill


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    return store_url_for(request, tmp_path)


@pytest.fixture
def services(url):
    services = bootstrap(url, load_entry_points=False)
    fill(services.app, extra=30)
    services.views.projection.catch_up()
    yield services
    services.close()


def log_sql(services, statement, params=()):
    """Raw SQL on the log's table, as someone with the database would write it."""
    if services.sql.dialect == "sqlite":
        statement = statement.replace("{pos}", "rowid")
    else:
        statement = statement.replace("{pos}", "notification_id").replace(
            "stored_events", services.app.recorder.events_table_name
        )
    with services.sql.transaction(write=True) as c:
        c.execute(statement, params)


def first_corrected(services):
    """An event the log corrects: the views keep its versions."""
    with services.sql.transaction(write=False) as c:
        c.execute("SELECT MIN(position) AS p FROM view_versions")
        return c.fetchone()["p"]


def summary(services, level=Level.ALL):
    views = services.views
    return views.summary(views.reading(level))


def test_intact_views_equal_a_fold_of_the_log(services):
    verdict = services.views.verify()
    assert verdict.ok, verdict.describe()
    assert verdict.position == services.app.head().position
    assert verdict.compared["versions of events"] > 0 and verdict.compared["item versions"] > 0
    assert verdict.describe().startswith("OK the views at position")


def test_a_changed_tally_is_named(services):
    with services.sql.transaction(write=True) as c:
        c.execute(
            "SELECT source, counter, day, from_pos, levels FROM view_item_tallies "
            "WHERE counter = 'agreements.all.signed' ORDER BY source LIMIT 1"
        )
        row = c.fetchone()
        c.execute(
            "UPDATE view_item_tallies SET amount = amount + 5 WHERE source = ? AND counter = ? "
            "AND day = ? AND from_pos = ? AND levels = ?",
            list(row.values()),
        )
    before = summary(services)["agreements.all.signed"]["value"]
    verdict = services.views.verify()
    assert not verdict.ok
    assert "tally agreements.all.signed" in verdict.difference
    assert row["source"] in verdict.difference and "amount is" in verdict.difference
    services.views.projection.rebuild()
    assert summary(services)["agreements.all.signed"]["value"] == before - 5
    assert services.views.verify().ok


def test_a_changed_item_and_a_lost_event_are_named(services):
    with services.sql.transaction(write=True) as c:
        c.execute(
            "UPDATE view_items SET data = ? WHERE view = 'agreements' AND from_pos = "
            "(SELECT MIN(from_pos) FROM view_items WHERE view = 'agreements')",
            ['{"agreement": "forged"}'],
        )
    verdict = services.views.verify()
    assert "item agreements/" in verdict.difference and "data is" in verdict.difference
    services.views.projection.rebuild()
    corrected = first_corrected(services)
    with services.sql.transaction(write=True) as c:
        c.execute("DELETE FROM view_versions WHERE position = ?", [corrected])
    verdict = services.views.verify()
    assert f"the event at position {corrected}" in verdict.difference
    assert "missing from the views" in verdict.difference


def test_the_command_line_says_ok_or_names_the_difference(services, url):
    runner = CliRunner()
    result = runner.invoke(main, ["views", "verify", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "OK the views at position" in result.output
    corrected = first_corrected(services)
    with services.sql.transaction(write=True) as c:
        c.execute("UPDATE view_versions SET counts = '{}' WHERE position = ?", [corrected])
    result = runner.invoke(main, ["views", "verify", "--database-url", url])
    assert result.exit_code == 1
    assert "DIFFERENT" in result.output
    assert f"the event at position {corrected}" in result.output
    assert "counts is {}" in result.output


def test_changed_figure_sums_are_named(services):
    from core.views.projection import Projection

    views = services.views
    views.projection = Projection(
        services.app, services.sql, views.folds, delta_every=5, full_every=20
    )
    views.projection.rebuild()
    assert views.verify().ok
    with services.sql.transaction(write=True) as c:
        c.execute(
            "UPDATE view_checkpoints SET counters = '{}' WHERE family = 'events' AND position = 20"
        )
    verdict = views.verify()
    assert "the summed figures events.* at position 20" in verdict.difference


def test_a_log_cut_behind_the_views_is_refused_until_rebuilt(services):
    head = services.app.head().position
    log_sql(services, "DELETE FROM stored_events WHERE {pos} = ?", [head])
    with pytest.raises(ViewsOutOfStep, match=f"folded up to position {head}"):
        services.views.reading(Level.RESTRICTED, caller="bureau")
    with pytest.raises(ViewsOutOfStep):
        services.views.projection.catch_up()
    assert services.views.projection.rebuild() == head - 1
    assert services.views.reading(Level.RESTRICTED, caller="bureau").position == head - 1


def test_another_event_at_the_views_position_is_refused(services):
    head = services.app.head().position
    log_sql(services, "UPDATE stored_events SET hash = ? WHERE {pos} = ?", [bytes(32), head])
    with pytest.raises(ViewsOutOfStep, match=f"event at position {head} is not the one"):
        services.views.projection.catch_up()


def test_a_damaged_log_is_not_folded(services):
    log_sql(
        services,
        "UPDATE stored_events SET state = ? WHERE {pos} = 5",
        [b'{"forged": true}'],
    )
    with pytest.raises(LogDamaged, match="damaged at position 5"):
        services.views.verify()
    with pytest.raises(LogDamaged, match="damaged at position 5"):
        services.views.projection.rebuild()
    assert services.views.projection.position() < 5


def test_a_damaged_event_not_yet_folded_stops_the_follower_there(services):
    app = services.app
    folded = app.head().position
    for day in ("2010-01-01", "2010-02-01", "2010-03-01"):
        app.record_raw(
            {"type": "HighLevelVisit", "occurred_on": day, "organ": "registry", "host": "UGA"},
            "tester",
            None,
        )
    log_sql(
        services,
        "UPDATE stored_events SET state = replace(state, 'registry', 'prosecut') WHERE {pos} = ?"
        if services.sql.dialect == "sqlite"
        else "UPDATE stored_events SET state = convert_to(replace(convert_from(state, 'UTF8'), "
        "'registry', 'prosecut'), 'UTF8') WHERE {pos} = ?",
        [folded + 2],
    )
    with pytest.raises(LogDamaged, match=f"damaged at position {folded + 2}"):
        services.views.projection.catch_up()
    # Nothing of the damaged page was kept.
    assert services.views.projection.position() == folded


def test_a_sqlite_copy_whose_views_are_ahead_says_so(tmp_path):
    url = f"sqlite:///{tmp_path}/copy.sqlite"
    services = bootstrap(url, load_entry_points=False)
    fill(services.app, extra=5)
    services.views.projection.catch_up()
    head = services.app.head().position
    services.close()
    with sqlite3.connect(tmp_path / "copy.sqlite") as connection:
        connection.execute("DELETE FROM stored_events WHERE rowid > ?", (head - 3,))
    result = CliRunner().invoke(main, ["views", "verify", "--database-url", url])
    assert result.exit_code != 0
    assert f"folded up to position {head}" in result.output
