"""What readings keep decoded between requests (core/views/decoded.py) is shared by all
of them: no view endpoint of the API, as any role, nor the annual report's data, may
change it; and once the log grows, what is kept answers as a fresh process would.
Every item is made big here (not kept presented by the tables) so that every item read
is kept."""

from __future__ import annotations

import orjson
import pytest

from bench.history import Drafting, History, record
from core.views import decoded, engine
from reports.annual import gather_data
from tests.apiclient import open_api

CODES = ("FRA", "UGA", "KEN", "COD", "DEU", "UN")
TIMES = ("", "as_of=2010-06-30", "on=2006-03-01", "from=2008-01-01&to=2009-12-31")
LISTS = (
    "/summary",
    "/parties?limit=100",
    "/parties?limit=5&offset=3",
    "/parties?states_parties=true",
    "/recommendations?limit=100",
    "/recommendations?limit=10&offset=60",
    "/actions",
    "/agreements",
    "/agreements?status=in_force",
    "/warrants",
    "/requests",
    "/witness-protection",
    "/activities",
    "/views/assessments",
    "/views/questionnaires",
    "/views/tracked_indicators",
    "/views/non_cooperation",
    "/views/contributions",
)


def paths() -> list[str]:
    found = []
    for time in TIMES:
        for path in LISTS:
            found.append(f"{path}{'&' if '?' in path else '?'}{time}")
        found += [f"/parties/{code}?{time}" for code in CODES]
        found += [f"/recommendations/{number}?{time}" for number in (1, 14, 44, 66)]
    return found


@pytest.fixture
def api(sqlite_url, monkeypatch):
    monkeypatch.setattr(engine, "PRESENTED", 0)
    decoded.PRESENTED.clear()
    yield from open_api(sqlite_url)
    decoded.PRESENTED.clear()


def answers(api) -> dict[tuple[str, str], bytes]:
    found = {}
    for who in ("bureau", "auditor"):
        for path in paths():
            reply = api.get(f"/api/v1{path}", who=who)
            assert reply.status_code == 200, (path, reply.get_data(as_text=True))
            found[(who, path)] = reply.get_data()
    return found


def kept() -> list[tuple[str, bytes]]:
    """The items kept, as JSON, each checked to be what its row makes (nothing
    changed it since)."""
    found = []
    for (present, on), text, item in decoded.PRESENTED.kept():
        assert item == present(orjson.loads(text), on), text
        found.append((text, orjson.dumps(item)))
    return sorted(found)


def test_no_reading_changes_what_is_kept_and_a_grown_log_is_read_as_afresh(api):
    app = api.services.app
    history, drafting = History(1_600, seed=11), Drafting(app)
    events = history.events()
    record(app, history, events, 1_200, drafting=drafting)

    first = answers(api)
    before = kept()
    views = {orjson.loads(item)["party"] for _, item in before if b'"party"' in item}
    assert len(before) > 100 and {"FRA", "UGA"} <= views
    gather_data(api.services, year=2009, draft=True)
    gather_data(api.services, year=2012, draft=True)
    assert answers(api) == first
    assert kept() == before

    record(app, history, events, drafting=drafting)  # the rest: new versions of many items
    grown = answers(api)
    assert grown != first
    decoded.PRESENTED.clear()
    assert answers(api) == grown
