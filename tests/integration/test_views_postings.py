"""The posting lists (which events are of a type, name a party...) are written in
blocks; a block that already holds REWRITTEN_BELOW positions is never written again,
however many pages add to its list (rewriting every open block at every page wrote a
million-event replay's posting lists 22 times over)."""

from __future__ import annotations

from array import array

from core.views.writing import REWRITTEN_BELOW
from followup.bootstrap import bootstrap
from tests.samples import every_type

PAGE = 50
#: Pages of 50 fill a block up to 300 positions; the last block is full too.
FULL = -(-REWRITTEN_BELOW // PAGE) * PAGE
EVENTS = 2 * FULL


def statements(n: int) -> list[dict]:
    """`n` statements by France (one type, one party, two recommendations)."""
    sample = next(e for e in every_type() if e["type"] == "StatementDelivered")
    return [{**sample, "occurred_on": f"2009-{1 + i % 12:02d}-01"} for i in range(n)]


def blocks(services) -> dict[tuple[str, str, int], list[int]]:
    with services.sql.transaction(write=False) as c:
        c.execute("SELECT kind, term, block, refs FROM view_postings")
        found = {}
        for kind, term, block, refs in c.fetchrows():
            positions = array("q")
            positions.frombytes(bytes(refs))
            found[(kind, term, block)] = list(positions)
        return found


def by_term(found: dict[tuple[str, str, int], list[int]]) -> dict[tuple[str, str], list[int]]:
    terms: dict[tuple[str, str], list[int]] = {}
    for (kind, term, _), positions in sorted(found.items()):
        terms.setdefault((kind, term), []).extend(positions)
    return terms


def test_full_blocks_are_left_as_they_are_and_lists_stay_whole(sqlite_url):
    services = bootstrap(sqlite_url, load_entry_points=False)
    app = services.app
    app.record_batch([app.validate(e) for e in statements(EVENTS)], "tester", None)
    projection = services.views.projection
    projection.helper_min, projection.page = 10**9, PAGE  # many small pages, in process

    projection.catch_up(upto=FULL + PAGE)
    full = {key: refs for key, refs in blocks(services).items() if len(refs) >= REWRITTEN_BELOW}
    assert full  # the type's, France's and each recommendation's lists filled one
    projection.catch_up()
    now = blocks(services)
    assert {key: now[key] for key in full} == full  # never written again

    # Every block but the last of its list holds at least REWRITTEN_BELOW positions.
    last = {}
    for kind, term, block in sorted(now):
        last[(kind, term)] = block
    assert all(len(refs) >= REWRITTEN_BELOW for key, refs in now.items() if last[key[:2]] != key[2])

    # A correction of the first event posts its (old) position again, after a full
    # block: the block it begins is keyed after the last one, not by that position
    # (the first block's key).
    first = app.log.select_records(after=0, upto=1, limit=1)[0].event_id
    correction = {
        "type": "EventCorrected",
        "occurred_on": "2010-01-01",
        "corrects": str(first),
        "reason": "The forum was wrong.",
        "changes": {"forum": "security_council"},
    }
    app.record_batch([app.validate(correction)], "tester", None)
    projection.catch_up()

    # The lists are those a fold in one page makes.
    paged = by_term(blocks(services))
    assert sorted(set(paged[("type", "StatementDelivered")])) == list(range(1, EVENTS + 1))
    assert paged[("type", "EventCorrected")] == [EVENTS + 1]
    projection.page = 10**6
    projection.rebuild()
    assert paged == by_term(blocks(services))
    services.close()
