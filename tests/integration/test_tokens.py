"""API tokens on a real SQLite file: only digests stored, issuing and revoking recorded
in the log, the command line as a user runs it."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from cli import main
from core.errors import InvalidEvent, LifecycleConflict, NotFound
from core.tokens import TOKEN_PREFIX, Caller, Tokens, digest


@pytest.fixture
def tokens(sqlite_services):
    return sqlite_services.tokens


@pytest.mark.postgres
def test_tokens_on_postgresql(postgres_services):
    tokens = postgres_services.tokens
    Tokens(postgres_services.app)  # a second worker starting: the table is there already
    secret = tokens.create("fp-1", "focal_point", "operator")
    assert tokens.authenticate(secret) == Caller("fp-1", "focal_point")
    with pytest.raises(LifecycleConflict):
        tokens.create("fp-1", "bureau", "operator")
    tokens.revoke("fp-1", "operator")
    assert tokens.authenticate(secret) is None
    assert [(i.label, i.revoked) for i in tokens.list()] == [("fp-1", True)]
    assert [e.type for e in postgres_services.app.read_log()] == ["TokenIssued", "TokenRevoked"]


def database_file(url: str) -> str:
    return url.removeprefix("sqlite:///")


def test_a_token_authenticates_its_label_and_role(tokens):
    secret = tokens.create("fp-1", "focal_point", "operator")
    assert secret.startswith(TOKEN_PREFIX) and len(secret) > 40
    assert tokens.authenticate(secret) == Caller("fp-1", "focal_point")
    assert tokens.authenticate(secret + "x") is None
    assert tokens.authenticate("fu_" + "A" * 43) is None
    assert tokens.authenticate("") is None
    assert tokens.create("fp-2", "focal_point", "operator") != secret


def test_only_the_digest_is_stored(tokens, sqlite_url):
    secret = tokens.create("fp-1", "focal_point", "operator")
    with open(database_file(sqlite_url), "rb") as stored:
        data = stored.read()
    connection = sqlite3.connect(database_file(sqlite_url))
    wal = b""
    try:
        with open(database_file(sqlite_url) + "-wal", "rb") as log:
            wal = log.read()
    except FileNotFoundError:
        pass
    rows = connection.execute("SELECT * FROM api_tokens").fetchall()
    connection.close()
    assert secret.encode() not in data + wal
    assert any(digest(secret) in row for row in rows)


def test_issuing_and_revoking_are_recorded_without_the_token(tokens, sqlite_services):
    secret = tokens.create("fp-1", "focal_point", "operator")
    info = tokens.revoke("fp-1", "operator")
    assert info.revoked and info.role == "focal_point"
    assert tokens.authenticate(secret) is None
    events = list(sqlite_services.app.read_log())
    assert [e.type for e in events] == ["TokenIssued", "TokenRevoked"]
    for event in events:
        assert dict(event.payload) == {"label": "fp-1", "role": "focal_point"}
        assert event.classification == "restricted"
        assert event.recorded_by == "operator"
        flat = json.dumps(event.to_flat())
        assert secret not in flat and digest(secret) not in flat


def test_a_label_gets_a_new_token_only_once_the_last_is_revoked(tokens, sqlite_services):
    first = tokens.create("fp-1", "focal_point", "operator")
    with pytest.raises(LifecycleConflict):
        tokens.create("fp-1", "bureau", "operator")
    tokens.revoke("fp-1", "operator")
    with pytest.raises(LifecycleConflict):
        tokens.revoke("fp-1", "operator")
    second = tokens.create("fp-1", "focal_point", "operator")  # rotation
    assert tokens.authenticate(first) is None
    assert tokens.authenticate(second) == Caller("fp-1", "focal_point")
    with pytest.raises(NotFound):
        tokens.revoke("nobody", "operator")
    with pytest.raises(InvalidEvent):
        tokens.create("two words", "bureau", "operator")
    with pytest.raises(InvalidEvent):
        tokens.create("x", "emperor", "operator")
    assert [(i.label, i.revoked) for i in tokens.list()] == [("fp-1", False)]
    types = [e.type for e in sqlite_services.app.read_log()]
    assert types == ["TokenIssued", "TokenRevoked", "TokenIssued"]


def test_a_token_only_the_log_knows_can_be_revoked(tokens, sqlite_services):
    """After a move (events import --preserve), the log has TokenIssued but the table
    has no token: revoking records TokenRevoked, so the label can be issued again."""
    tokens.create("fp-1", "bureau", "operator")
    with sqlite_services.sql.transaction(write=True) as cursor:
        cursor.execute("DELETE FROM api_tokens")
    with pytest.raises(LifecycleConflict):
        tokens.create("fp-1", "bureau", "operator")
    info = tokens.revoke("fp-1", "operator")
    assert info.revoked and info.role == "bureau"
    secret = tokens.create("fp-1", "bureau", "operator")
    assert tokens.authenticate(secret) == Caller("fp-1", "bureau")


def test_the_token_commands(sqlite_url, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    created = runner.invoke(main, ["token", "create", "--role", "bureau", "--label", "bureau-1"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith(TOKEN_PREFIX)
    assert "cannot be shown again" in created.stderr

    again = runner.invoke(main, ["token", "create", "--role", "bureau", "--label", "bureau-1"])
    assert again.exit_code == 1
    assert "in use" in again.stderr

    listed = runner.invoke(main, ["token", "list"])
    assert listed.exit_code == 0
    assert "bureau-1" in listed.output and "bureau" in listed.output
    assert secret not in listed.output and digest(secret) not in listed.output

    revoked = runner.invoke(main, ["token", "revoke", "bureau-1"])
    assert revoked.exit_code == 0, revoked.output
    rows = json.loads(runner.invoke(main, ["token", "list", "--json"]).output)
    assert rows[0]["label"] == "bureau-1" and rows[0]["revoked_at"]
    assert set(rows[0]) == {"label", "role", "person", "email", "created_at", "revoked_at"}

    missing = runner.invoke(main, ["token", "revoke", "nobody"])
    assert missing.exit_code == 1 and "No token labelled nobody" in missing.stderr
    bad_role = runner.invoke(main, ["token", "create", "--role", "root", "--label", "x"])
    assert bad_role.exit_code == 2
