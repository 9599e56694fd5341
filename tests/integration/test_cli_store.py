"""The command line and the store itself, as an operator or an auditor meets it:

- only `followup init` creates a store; every other command says there is none (SQLite:
  no file, no folder made; PostgreSQL: an empty database keeps no table);
- on a read-only store file (an auditor's write-protected copy) every command that
  only reads works, and every command that writes says in one line it is read-only;
- a full disk during an import is one line and exit 1, and 503 JSON over HTTP;
- Ctrl-C during an import says whether it was committed (exit 0) or not (exit 1)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import adapters.sqlite_store
from cli import main
from core.application import FollowUp
from followup.bootstrap import bootstrap
from tests.report_history import record
from tests.storelog import extra_events

NO_STORE = "error: There is no store at "


def invoke(*args: str, url: str) -> Any:
    return CliRunner().invoke(main, [*args, "--database-url", url])


def one_line(output: str) -> bool:
    return output.count("\n") == 1 and "Traceback" not in output


def reading_commands(folder: Path) -> list[list[str]]:
    return [
        ["verify"],
        ["state"],
        ["state", "--clearance", "restricted", "--view", "agreements"],
        ["diff", "--from", "2020-01-01", "--to", "2030-01-01"],
        ["replay", "--as-of", "2030-01-01", "-o", str(folder / "replay")],
        ["events", "export"],
        ["token", "list"],
        ["report", "--year", "2024", "--draft", "-o", str(folder / "report.pdf")],
        ["status", "--as-of", "2030-01-01"],
        ["status", "5", "--json"],
        ["actions", "--status", "overdue"],
    ]


def writing_commands(folder: Path) -> list[list[str]]:
    events = folder / "events.jsonl"
    events.write_text(json.dumps(extra_events(1)[0]) + "\n")
    return [
        ["events", "import", str(events)],
        ["token", "create", "--role", "auditor", "--label", "auditor-2"],
        ["token", "revoke", "nobody"],
        ["views", "update"],
        ["views", "rebuild"],
        ["scheduler", "--once", "integrity"],
        ["serve", "--port", "9"],  # refused before it listens
    ]


def test_only_init_creates_a_sqlite_store(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/not/yet/followup.sqlite"
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(extra_events(1)[0]) + "\n")
    for command in [*reading_commands(tmp_path), *writing_commands(tmp_path)]:
        result = invoke(*command, url=url)
        assert result.exit_code == 1, (command, result.output)
        assert result.output.startswith(NO_STORE) and one_line(result.output), command
    assert not (tmp_path / "not").exists()
    created = invoke("init", url=url)
    assert created.exit_code == 0 and "store ready" in created.output
    assert invoke("verify", url=url).output.startswith("OK 0 events")


def test_only_init_creates_a_postgresql_store(postgres_url: str, postgres_cluster, tmp_path):
    for command in (["verify"], ["state"], ["events", "export"]):
        result = invoke(*command, url=postgres_url)
        assert result.exit_code == 1 and result.output.startswith(NO_STORE), command
    database = postgres_url.rsplit("/", 1)[-1].split("?")[0]
    with postgres_cluster.connect(database) as db:
        tables = db.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables[0] == 0
    assert invoke("init", url=postgres_url).exit_code == 0
    assert invoke("verify", url=postgres_url).output.startswith("OK 0 events")


# -- a read-only store ----------------------------------------------------------------


def without_write_permission() -> list[str]:
    """How to run a command that the file permissions bind: as root, without the
    capabilities that override them (setpriv, util-linux); as anyone else, as is."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--bounding-set", "-dac_override,-fowner"]


@pytest.fixture
def read_only_store(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "audit"
    folder.mkdir()
    path = folder / "followup.sqlite"
    services = bootstrap(f"sqlite:///{path}", load_entry_points=False)
    record(services.app)
    services.close()
    assert not Path(f"{path}-wal").exists()  # closed cleanly, as a copy handed over is
    path.chmod(0o444)
    folder.chmod(0o555)
    yield path
    folder.chmod(0o755)
    path.chmod(0o644)


def run_as_auditor(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*without_write_permission(), sys.executable, "-m", "cli", *args],
        env={**os.environ, "FOLLOWUP_DATABASE_URL": url},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_read_only_store_is_read_and_never_written(read_only_store: Path, tmp_path: Path):
    url = f"sqlite:///{read_only_store}"
    before = hashlib.sha256(read_only_store.read_bytes()).hexdigest()
    work = tmp_path / "work"
    work.mkdir()
    for command in reading_commands(work):
        result = run_as_auditor(*command, url=url, cwd=work)
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr
        assert result.stderr == "note: the store is read-only; reading a temporary copy of it\n"
    verified = run_as_auditor("verify", url=url, cwd=work)
    assert verified.stdout.startswith("OK ")
    assert (work / "report.pdf").stat().st_size > 10_000
    for command in writing_commands(work):
        result = run_as_auditor(*command, url=url, cwd=work)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert result.stderr == (
            f"error: The store at {url} is read-only; this command writes to it "
            "(commands that only read work on it).\n"
        ), command
    assert hashlib.sha256(read_only_store.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in read_only_store.parent.iterdir()) == ["followup.sqlite"]


# -- a full disk ---------------------------------------------------------------------


@pytest.fixture
def small_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every SQLite connection may grow its file by a few pages only (SQLite's
    max_page_count), as a disk that fills up would let it."""
    pool = adapters.sqlite_store.DurableSQLiteConnectionPool
    create = pool._create_connection

    def limited(self: Any) -> Any:
        connection = create(self)
        raw = connection._sqlite_conn
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
        raw.execute(f"PRAGMA max_page_count = {pages + 8}")
        return connection

    monkeypatch.setattr(pool, "_create_connection", limited)


def big_file(folder: Path, count: int) -> Path:
    path = folder / "big.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in extra_events(count)))
    return path


def test_a_full_disk_during_an_import_is_one_line(tmp_path: Path, sqlite_url: str, small_disk):
    assert invoke("init", url=sqlite_url).exit_code == 0
    result = invoke("events", "import", str(big_file(tmp_path, 2000)), url=sqlite_url)
    assert result.exit_code == 1
    assert result.output.startswith("error: the store's disk is full; nothing was recorded")
    assert one_line(result.output)
    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM stored_events").fetchone()[0] == 0


def test_a_full_disk_answers_503_json(sqlite_url: str, small_disk):
    from api import create_app
    from tests.apiclient import issue_tokens

    services = bootstrap(sqlite_url, load_entry_points=False)
    tokens = issue_tokens(services)
    client = create_app(services=services).test_client()
    before = services.app.head().position
    batch = {"events": [{**e, "summary": "x" * 1900} for e in extra_events(900)]}
    batch["events"] = [
        {k: v for k, v in e.items() if k != "classification"} for e in batch["events"]
    ]
    response = client.post(
        "/api/v1/events/batch",
        json=batch,
        headers={"Authorization": f"Bearer {tokens['focal_point']}"},
    )
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == 503 and "disk is full" in body["message"]
    assert services.app.head().position == before
    services.close()


# -- Ctrl-C ---------------------------------------------------------------------------


def test_ctrl_c_after_the_commit_says_so_and_exits_0(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
):
    assert invoke("init", url=sqlite_url).exit_code == 0
    file = big_file(tmp_path, 50)

    def interrupted(self: Any, record: Any) -> Any:
        raise KeyboardInterrupt  # Ctrl-C while the recorded events are made for the caller

    monkeypatch.setattr(FollowUp, "to_event", interrupted)
    result = invoke("events", "import", str(file), url=sqlite_url)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("imported 50 events (last position 50); interrupted after")
    monkeypatch.undo()
    services = bootstrap(sqlite_url, load_entry_points=False)
    assert services.app.head().position == 50
    services.close()


def test_ctrl_c_before_the_commit_keeps_nothing_and_exits_1(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
):
    assert invoke("init", url=sqlite_url).exit_code == 0
    recorder = adapters.sqlite_store.ChainedSQLiteApplicationRecorder
    insert = recorder._insert_events

    def interrupted(self: Any, *args: Any, **kwargs: Any) -> Any:
        insert(self, *args, **kwargs)
        raise KeyboardInterrupt  # the rows are written, the commit has not come

    monkeypatch.setattr(recorder, "_insert_events", interrupted)
    result = invoke("events", "import", str(big_file(tmp_path, 50)), url=sqlite_url)
    assert result.exit_code == 1
    assert result.output == "error: interrupted before the commit: nothing was imported\n"
    monkeypatch.undo()
    services = bootstrap(sqlite_url, load_entry_points=False)
    assert services.app.head().position == 0
    services.close()


def test_a_real_ctrl_c_once_the_events_are_stored_never_loses_or_doubles_them(
    tmp_path: Path, sqlite_url: str
):
    """SIGINT sent as soon as the import's events can be seen in the store: the
    command says it imported them and exits 0."""
    assert invoke("init", url=sqlite_url).exit_code == 0
    file = big_file(tmp_path, 10_000)
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "events", "import", str(file)],
        env={**os.environ, "FOLLOWUP_DATABASE_URL": sqlite_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    path = sqlite_url.removeprefix("sqlite:///")
    deadline = time.monotonic() + 120
    stored = 0
    while stored == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
        with sqlite3.connect(path) as db:
            stored = db.execute("SELECT count(*) FROM stored_events").fetchone()[0]
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert out.startswith("imported 10000 events (last position 10000)")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM stored_events").fetchone()[0] == 10_000
