"""verify_log on a fake store: a list of raw rows, damaged by hand. The integration
tests (test_tamper.py) damage real SQLite and PostgreSQL stores."""

from __future__ import annotations

from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.integrity import (
    GENESIS,
    canonical_bytes,
    canonical_bytes_of,
    event_id,
    event_id_bytes,
    event_stream_prefix,
    link,
)
from core.ports import RawRow
from core.verification import Published, verify_log


class FakeScanner:
    """`marks`: the time index; by default the one the rows given imply."""

    def __init__(self, rows: list[RawRow], marks: list[tuple[str, int]] | None = None) -> None:
        self.rows = sorted(rows, key=lambda r: r.position)
        self.scans = 0
        self.marks = marks if marks is not None else run_ends(self.rows)

    def scan_marks(self, *, after="", limit=10000):
        return [m for m in self.marks if m[0] > after][:limit]

    def scan_log(self, *, after=None, limit=10000):
        self.scans += 1
        return [r for r in self.rows if after is None or r.position > after][:limit]

    def event_position(self, originator, version):
        for r in self.rows:
            if r.originator_id == originator.bytes and r.originator_version == version:
                return r.position
        return None


def run_ends(rows: list[RawRow]) -> list[tuple[str, int]]:
    ends: dict[str, int] = {}
    for row in rows:
        if isinstance(row.recorded_at, str):
            ends[row.recorded_at] = row.position
    return sorted(ends.items())


def chain(count: int, gaps: tuple[int, ...] = ()) -> list[RawRow]:
    """A healthy log of `count` events; positions in `gaps` are skipped (as a rolled
    back PostgreSQL transaction leaves them)."""
    rows = []
    digest = GENESIS
    position = previous = 0
    for n in range(count):
        position += 1
        while position in gaps:
            position += 1
        originator = uuid4()
        at = f"2024-01-01T00:00:{n // 3:02d}.000000Z"
        state = f'{{"n": {n}}}'.encode()
        digest = link(digest, canonical_bytes(originator, 1, "T", state, at))
        rows.append(
            RawRow(
                position,
                originator.bytes,
                1,
                "T",
                state,
                at,
                digest,
                previous,
            )
        )
        previous = position
    return rows


@pytest.mark.parametrize("page", [1, 2, 3, 10000])
def test_a_healthy_log_verifies_on_any_page_size(page):
    rows = chain(10, gaps=(4, 5))
    verdict = verify_log(FakeScanner(rows), page=page)
    assert verdict.ok and verdict.count == 10 and verdict.digest == rows[-1].hash
    assert verdict.position == rows[-1].position
    assert verdict.describe() == f"OK 10 events, head {rows[-1].hash.hex()}"


def test_progress_reports_positions():
    seen: list[int] = []
    verify_log(FakeScanner(chain(5)), page=2, progress=seen.append)
    assert seen == [2, 4, 5]


def damaged(rows, position, **changes) -> list[RawRow]:
    return [r._replace(**changes) if r.position == position else r for r in rows]


@pytest.mark.parametrize("page", [1, 3, 10000])
def test_each_kind_of_damage_is_named_at_its_position(page):
    rows = chain(8)
    r = {row.position: row for row in rows}
    cases = {
        "changed state": (damaged(rows, 4, state=b"{}"), 4, "changed"),
        "changed topic": (damaged(rows, 4, topic="U"), 4, "changed"),
        "changed time": (damaged(rows, 4, recorded_at="2030-01-01T00:00:00.000000Z"), 4, "changed"),
        "changed bookkeeping": (damaged(rows, 4, previous_position=2), 4, "changed"),
        "event row gone": (
            damaged(rows, 5, originator_id=None, originator_version=None, topic=None, state=None),
            5,
            "missing",
        ),
        "both rows gone": ([x for x in rows if x.position != 5], 5, "missing"),
        "chain row gone": (
            damaged(rows, 6, recorded_at=None, hash=None, previous_position=None),
            6,
            "inserted",
        ),
        "swapped": (
            damaged(
                damaged(rows, 3, originator_id=r[7].originator_id, state=r[7].state),
                7,
                originator_id=r[3].originator_id,
                state=r[3].state,
            ),
            3,
            "reordered",
        ),
        "malformed id": (damaged(rows, 2, originator_id=b"xyz"), 2, "changed"),
        "malformed version": (damaged(rows, 2, originator_version="1"), 2, "changed"),
        "null time": (damaged(rows, 2, recorded_at=None), 2, "changed"),
    }
    for name, (log, position, kind) in cases.items():
        verdict = verify_log(FakeScanner(log), page=page)
        assert not verdict.ok, name
        assert (verdict.damage.position, verdict.damage.kind) == (position, kind), (
            name,
            verdict.describe(),
        )
        assert verdict.count == len([x for x in rows if x.position < position]), name


def test_a_forged_row_with_a_recomputed_link_is_an_insertion_before_the_next():
    rows = chain(6)
    forger = uuid4()
    previous = rows[2]
    at = previous.recorded_at
    forged_hash = link(previous.hash, canonical_bytes(forger, 1, "T", b"{}", at))
    # Renumber to make room at 4 (the chain rows move along with the events).
    moved = [x._replace(position=x.position + 1) if x.position >= 4 else x for x in rows]
    forged = RawRow(4, forger.bytes, 1, "T", b"{}", at, forged_hash, 3)
    verdict = verify_log(FakeScanner([*moved, forged]))
    assert (verdict.damage.position, verdict.damage.kind) == (4, "inserted")


def test_a_forged_row_whose_link_does_not_fit_is_an_insertion_when_the_chain_goes_on_past_it():
    rows = chain(6)
    forger = uuid4()
    moved = [x._replace(position=x.position + 1) if x.position >= 4 else x for x in rows]
    forged = RawRow(4, forger.bytes, 1, "T", b"{}", rows[2].recorded_at, bytes(32), 3)
    verdict = verify_log(FakeScanner([*moved, forged]))
    assert (verdict.damage.position, verdict.damage.kind) == (4, "inserted")


def test_events_shifted_down_under_their_links_are_an_insertion():
    """A forger moves the events from position 4 on one place down, leaving the links
    where they were, and puts a forged event at 4."""
    rows = chain(6)
    forger = uuid4()
    content = ("originator_id", "originator_version", "topic", "state")
    shifted = []
    for row in rows:
        if row.position < 4:
            shifted.append(row)
            continue
        source = rows[row.position - 2]  # the event that was one place up
        if row.position == 4:
            shifted.append(row._replace(originator_id=forger.bytes, state=b"{}"))
        else:
            shifted.append(row._replace(**{name: getattr(source, name) for name in content}))
    verdict = verify_log(FakeScanner(shifted))
    assert (verdict.damage.position, verdict.damage.kind) == (4, "inserted"), verdict.describe()


def test_a_published_digest_is_found_or_not():
    rows = chain(6)
    good = Published(rows[3].hash, rows[3].position)
    verdict = verify_log(FakeScanner(rows), against=good)
    assert verdict.matches_published is True and "matches the log" in verdict.describe()
    verdict = verify_log(FakeScanner(rows), against=Published(bytes(32), 4))
    assert verdict.matches_published is False and "does NOT match" in verdict.describe()
    verdict = verify_log(FakeScanner(rows[:3]), against=good)
    assert verdict.matches_published is False and "NOT FOUND" in verdict.describe()


@pytest.mark.parametrize(
    "text", ["", "abc@1", f"{'a' * 64}", f"{'a' * 64}@", f"{'g' * 64}@3", f"{'a' * 64}@-1"]
)
def test_a_malformed_published_digest_is_refused(text):
    with pytest.raises(ValueError, match="DIGEST@POSITION"):
        Published.parse(text)


def test_a_published_digest_prints_as_it_is_parsed():
    text = f"{'ab' * 32}@17"
    assert str(Published.parse(text)) == text


@given(
    st.uuids(),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.text(max_size=40),
    st.binary(max_size=300),
    st.text(alphabet="0123456789-:TZ.", min_size=1, max_size=30),
)
def test_the_fast_canonical_bytes_and_ids_are_the_reference_ones(
    originator, version, topic, state, at
):
    assert canonical_bytes_of(originator.bytes, version, topic, state, at) == canonical_bytes(
        originator, version, topic, state, at
    )
    assert event_id_bytes(originator.bytes, version) == event_id(originator, version).bytes
    assert event_stream_prefix(event_id(originator, version)) == (originator.bytes[:12], version)
    row = RawRow(
        1,
        originator.bytes,
        version,
        topic,
        state,
        at,
        link(GENESIS, canonical_bytes(originator, version, topic, state, at)),
        0,
    )
    assert verify_log(FakeScanner([row])).ok


@pytest.mark.parametrize("version", [-1, 2**32])
def test_a_version_outside_the_ids_range_is_refused(version):
    with pytest.raises(ValueError, match="outside"):
        event_id(uuid4(), version)


def test_the_time_index_must_agree_with_the_log():
    rows = chain(9)  # times change every three events: runs end at 3, 6, 9
    ends = run_ends(rows)
    assert [p for _, p in ends] == [3, 6, 9]
    assert verify_log(FakeScanner(rows, ends)).ok
    moved = [ends[0], (ends[1][0], 5), ends[2]]  # as-of T would miss event 6
    verdict = verify_log(FakeScanner(rows, moved))
    assert (verdict.damage.position, verdict.damage.kind) == (6, "changed")
    assert "time index" in verdict.damage.detail
    verdict = verify_log(FakeScanner(rows, [ends[0], ends[2]]))  # a mark removed
    assert (verdict.damage.position, verdict.damage.kind) == (6, "changed")
    # The last events cut off, their marks kept: the index shows the log was longer.
    verdict = verify_log(FakeScanner(rows[:6], ends))
    assert (verdict.damage.position, verdict.damage.kind) == (7, "missing")
    assert verify_log(FakeScanner(rows[:6], ends[:2])).ok
