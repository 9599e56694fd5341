"""Time travel that never changes its answer. A transaction's time (`recorded_at`) is
stamped when it takes the store's write lock and becomes visible at its commit, so a
question about a time T asked while a large import was committing could be answered
without the import, and later with it. An answer for T is now given only once every
transaction stamped at or before T is visible (a read barrier), so asking again later
gives the same answer; a T later than the log has reached is answered, and labelled
not final; reports refuse it. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from followup.bootstrap import bootstrap
from tests.apiclient import Api
from tests.storelog import extra_events

IMPORTED = 3000


def ask(api: Api, moment: str) -> dict[str, Any]:
    summary = api.get("/api/v1/summary", "auditor", query_string={"as_of": moment})
    assert summary.status_code == 200, summary.get_json()
    events = api.get(
        "/api/v1/events", "auditor", query_string={"as_of": moment, "limit": 1000}
    ).get_json()
    body = summary.get_json()
    return {
        "position": body["position"],
        "final": body["final"],
        "figures": body["figures"],
        "events": [e["id"] for e in events["items"]],
        "events_final": events["final"],
    }


def test_an_answer_for_a_time_never_changes_during_a_large_import(store_api):
    api = store_api
    url = api.services.database_url
    raws = [{k: v for k, v in e.items() if k != "classification"} for e in extra_events(IMPORTED)]
    started = threading.Event()
    window: dict[str, float] = {}

    def large_import() -> None:
        services = bootstrap(url, load_entry_points=False)
        try:
            drafts = [services.app.validate(raw) for raw in raws]
            window["start"] = time.monotonic()
            started.set()
            services.app.record_batch(drafts, "import", None)
            window["end"] = time.monotonic()
        finally:
            services.close()

    writer = threading.Thread(target=large_import)
    writer.start()
    started.wait(timeout=60)
    asked: list[tuple[str, float, dict[str, Any]]] = []
    while writer.is_alive() or len(asked) < 3:
        moment = datetime.now(UTC).isoformat()
        sent = time.monotonic()
        asked.append((moment, sent, ask(api, moment)))
    writer.join()
    during = [entry for entry in asked if entry[1] < window["end"]]
    assert during, "no question was asked while the import was committing"
    for moment, _, first in asked:
        assert first["final"] and first["events_final"]
        assert ask(api, moment) == first, moment  # the same answer, asked again later
    head = api.services.app.head().position
    assert head == IMPORTED + 5  # the tokens, and the import
    assert {first["position"] for _, _, first in asked} <= {5, head}  # all of it, or none
    assert ask(api, datetime.now(UTC).isoformat())["position"] == head


def test_a_time_in_the_future_is_answered_as_not_final_and_reports_refuse_it(store_api):
    api = store_api
    api.post(
        "/api/v1/events",
        {"type": "HighLevelVisit", "occurred_on": "2020-01-01", "organ": "registry", "host": "KEN"},
    )
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    summary = api.get("/api/v1/summary", "auditor", query_string={"as_of": tomorrow})
    assert summary.status_code == 200
    body = summary.get_json()
    assert body["final"] is False and body["as_of"].startswith(tomorrow[:19])
    assert body["position"] == api.services.app.head().position
    now = api.get("/api/v1/summary", "auditor").get_json()
    assert now["final"] is True
    events = api.get("/api/v1/events", "auditor", query_string={"as_of": tomorrow}).get_json()
    assert events["final"] is False
    report = api.get("/api/v1/reports/annual/2020.pdf", "bureau", query_string={"as_of": tomorrow})
    assert report.status_code == 422
    assert "future" in report.get_json()["message"]
