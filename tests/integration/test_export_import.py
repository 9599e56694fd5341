"""`events export` then `events import --preserve` re-creates the log exactly: same
events, same transaction times, same hash chain and head digest, across backends
(SQLite to PostgreSQL and back). A file that was altered is refused, whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eventsourcing.persistence import IntegrityError

from cli import main
from core import restore
from core.envelope import STORAGE_FIELDS, SYSTEM_FIELDS
from followup.bootstrap import bootstrap
from tests.storelog import fill


def initialised(args: tuple[str, ...]) -> None:
    """The store a command names, created first as `followup init` does (only init
    creates one; it is safe to repeat)."""
    if "--database-url" in args:
        url = args[args.index("--database-url") + 1]
        assert CliRunner().invoke(main, ["init", "--database-url", url]).exit_code == 0


def run(*args: str) -> str:
    initialised(args)
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def fails(*args: str) -> str:
    initialised(args)
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 1, result.output
    return result.output


def export(url: str, path: Path) -> Path:
    path.write_text(run("events", "export", "--database-url", url), encoding="utf-8")
    return path


def head(url: str) -> str:
    output = run("verify", "--database-url", url)
    assert output.startswith("OK "), output
    return output.split("head ")[1].strip()


def positions(url: str) -> list[int]:
    services = bootstrap(url, load_entry_points=False)
    try:
        return [r.position for r in services.app.log.select_records(limit=100_000)]
    finally:
        services.close()


@pytest.fixture
def source(tmp_path) -> str:
    url = f"sqlite:///{tmp_path}/source.sqlite"
    services = bootstrap(url, load_entry_points=False)
    fill(services.app, extra=30)
    services.close()
    return url


def test_export_writes_every_system_field_on_one_flat_line(source, tmp_path):
    lines = export(source, tmp_path / "log.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    for name in ("id", "position", "recorded_at", "recorded_by", "hash", "stream", "version"):
        assert name in first
    assert first["subject"] == "membership:NLD" and first["version"] == 1
    assert all(not isinstance(v, dict) for k, v in first.items() if k != "changes")


def test_a_preserved_round_trip_is_identical(source, tmp_path):
    exported = export(source, tmp_path / "a.jsonl")
    target = f"sqlite:///{tmp_path}/target.sqlite"
    output = run("events", "import", "--preserve", str(exported), "--database-url", target)
    assert output.startswith(f"restored {len(exported.read_text().splitlines())} events")
    assert head(target) == head(source)
    assert export(target, tmp_path / "b.jsonl").read_bytes() == exported.read_bytes()


def test_sqlite_to_postgresql_to_sqlite_keeps_the_head_digest(source, tmp_path, postgres_url):
    digest = head(source)
    run(
        "events",
        "import",
        "--preserve",
        str(export(source, tmp_path / "1.jsonl")),
        "--database-url",
        postgres_url,
    )
    assert head(postgres_url) == digest
    back = f"sqlite:///{tmp_path}/back.sqlite"
    run(
        "events",
        "import",
        "--preserve",
        str(export(postgres_url, tmp_path / "2.jsonl")),
        "--database-url",
        back,
    )
    assert head(back) == digest
    assert (tmp_path / "1.jsonl").read_bytes() == (tmp_path / "2.jsonl").read_bytes()
    assert export(back, tmp_path / "3.jsonl").read_bytes() == (tmp_path / "1.jsonl").read_bytes()


def test_positions_with_gaps_are_renumbered_and_the_digest_kept(postgres_url, tmp_path):
    """Stores assign positions without gaps, but an export may have them (PostgreSQL
    stores of earlier builds skipped the position of a failed insert): the import
    renumbers, and the digest, which does not cover positions, is kept."""
    services = bootstrap(postgres_url, load_entry_points=False)
    events = fill(services.app, extra=4)
    recorder = services.app.recorder
    stored = recorder.select_events(events[0].stream)
    with pytest.raises(IntegrityError):  # a failed insert leaves no gap any more
        recorder.insert_events([stored[0]])
    services.app.record_raw(
        {"type": "APICRatified", "occurred_on": "2010-01-01", "state": "FRA"}, "tester", None
    )
    services.close()
    assert positions(postgres_url) == list(range(1, len(events) + 2))
    exported = export(postgres_url, tmp_path / "g.jsonl")
    gapped = altered(exported, len(events) + 1, lambda flat: flat.update(position=len(events) + 2))
    target = f"sqlite:///{tmp_path}/target.sqlite"
    output = run("events", "import", "--preserve", str(gapped), "--database-url", target)
    assert "1 event has new positions" in output
    assert head(target) == head(postgres_url)
    assert positions(target) == list(range(1, len(events) + 2))


def altered(path: Path, line: int, change) -> Path:
    lines = path.read_text(encoding="utf-8").splitlines()
    flat = json.loads(lines[line - 1])
    change(flat)
    lines[line - 1] = json.dumps(flat, ensure_ascii=False)
    out = path.with_name(f"altered-{line}.jsonl")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


@pytest.mark.parametrize(
    "line, change, message",
    [
        (7, lambda f: f.update(summary="a changed summary"), "does not link to its recorded hash"),
        (9, lambda f: f.update(recorded_at="2001-01-01T00:00:00.000000Z"), "back in time"),
        (5, lambda f: f.update(hash="00" * 32), "does not link to its recorded hash"),
        (3, lambda f: f.update(timestamp="2001-01-01T00:00:00+00:00"), "does not link"),
        (4, lambda f: f.pop("stream"), "not a preserved export"),
        (6, lambda f: f.update(id="00000000-0000-0000-0000-000000000000"), "the id is not"),
        (8, lambda f: f.update(version="one"), "version must be a positive integer"),
    ],
)
def test_an_altered_export_is_refused_whole(source, tmp_path, line, change, message):
    bad = altered(export(source, tmp_path / "a.jsonl"), line, change)
    target = f"sqlite:///{tmp_path}/target.sqlite"
    output = fails("events", "import", "--preserve", str(bad), "--database-url", target)
    assert f"line {line}: " in output and message in output, output
    assert "nothing was imported" in output
    assert positions(target) == []


def test_reordered_or_cut_lines_are_refused(source, tmp_path):
    lines = export(source, tmp_path / "a.jsonl").read_text().splitlines()
    swapped = tmp_path / "swapped.jsonl"
    swapped.write_text("\n".join([lines[1], lines[0], *lines[2:]]) + "\n")
    target = f"sqlite:///{tmp_path}/target.sqlite"
    assert "line 1: " in fails(
        "events", "import", "--preserve", str(swapped), "--database-url", target
    )
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[3:]) + "\n")
    assert "line 1: " in fails("events", "import", "--preserve", str(cut), "--database-url", target)
    assert positions(target) == []


def test_restoring_needs_an_empty_store_and_a_dry_run_records_nothing(source, tmp_path):
    exported = export(source, tmp_path / "a.jsonl")
    output = fails("events", "import", "--preserve", str(exported), "--database-url", source)
    assert "not empty" in output
    target = f"sqlite:///{tmp_path}/target.sqlite"
    output = run(
        "events", "import", "--preserve", "--dry-run", str(exported), "--database-url", target
    )
    assert f"link to head {head(source)}" in output and "nothing was recorded" in output
    assert positions(target) == []


def test_an_export_imported_as_new_events_is_refused_with_the_way_to_restore_it(source, tmp_path):
    exported = export(source, tmp_path / "a.jsonl")
    target = f"sqlite:///{tmp_path}/target.sqlite"
    output = fails("events", "import", str(exported), "--database-url", target)
    assert "line 1: this is a line of an events export" in output
    assert f"restore it: `followup events import --preserve {exported}`" in output
    assert "nothing was imported" in output and positions(target) == []
    # Without the fields the system adds, the same line is an event to import.
    plain = json.loads(exported.read_text().splitlines()[0])
    for name in (*SYSTEM_FIELDS, *STORAGE_FIELDS):
        plain.pop(name, None)
    (tmp_path / "one.jsonl").write_text(json.dumps(plain) + "\n")
    assert "imported 1 event (last position 1)" in run(
        "events", "import", str(tmp_path / "one.jsonl"), "--database-url", target
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_log_is_restored_in_chunks_within_one_transaction(
    source, tmp_path, monkeypatch, backend, request
):
    """Restoring holds one chunk in memory at a time; a bad line in a late chunk
    still keeps nothing of the earlier ones."""
    monkeypatch.setattr(restore, "CHUNK", 4)
    exported = export(source, tmp_path / "a.jsonl")
    count = len(exported.read_text().splitlines())
    assert count > 3 * restore.CHUNK
    target = (
        f"sqlite:///{tmp_path}/target.sqlite"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    bad = altered(exported, count - 1, lambda f: f.update(summary="changed"))
    output = fails("events", "import", "--preserve", str(bad), "--database-url", target)
    assert f"line {count - 1}: " in output and "nothing was imported" in output
    assert positions(target) == []
    output = run("events", "import", "--preserve", str(exported), "--database-url", target)
    assert output.startswith(f"restored {count} events")
    assert head(target) == head(source)
    assert positions(target) == list(range(1, count + 1))
