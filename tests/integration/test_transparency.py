"""A log that proves itself to outsiders, end to end through the command line, on
SQLite and PostgreSQL: signed checkpoints, proofs checked by the auditor's standalone
verifier, and the insider's rewrite (an export re-timed, its chain recomputed, restored
with --preserve: `followup verify` says OK) DETECTED by `verify --checkpoint` with a
checkpoint kept before. Tampered signatures, wrong keys and forks are refused."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor import tlog
from cli import main
from core.integrity import GENESIS, canonical_bytes, link
from core.restore import preserved_event
from followup.bootstrap import bootstrap
from tests.storelog import extra_events, fill


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    key = tmp_path / "log.key"
    monkeypatch.setenv("FOLLOWUP_LOG_KEY_FILE", str(key))
    monkeypatch.delenv("FOLLOWUP_LOG_KEY", raising=False)
    return key


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.stdout


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/log.sqlite"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def other_url(request: pytest.FixtureRequest, url: str, tmp_path: Path) -> str:
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path}/rewritten.sqlite"
    cluster = request.getfixturevalue("postgres_cluster")
    return str(cluster.url(cluster.create_database()))


def record(url: str, extra: int, seed: int) -> None:
    services = bootstrap(url, load_entry_points=False)
    try:
        if services.app.head().position == 0:
            fill(services.app, extra=extra, seed=seed)
        else:
            for raw in extra_events(extra, seed):
                services.app.record_raw(raw, "tester", None)
    finally:
        services.close()


def rewrite(url: str, lines: list[str], shift_from: int) -> list[str]:
    """What an insider with the database does: re-time events (here every event from
    `shift_from` on, a day later), recompute every hash of the chain, so that the file
    is a perfect export of a log that never was."""
    services = bootstrap(url, load_entry_points=False)
    try:
        digest = GENESIS
        out = []
        for number, line in enumerate(lines):
            flat = json.loads(line)
            if number >= shift_from:
                moment = datetime.fromisoformat(flat["recorded_at"].replace("Z", "+00:00"))
                flat["recorded_at"] = (
                    (moment + timedelta(days=1)).isoformat().replace("+00:00", "Z")
                )
            stored = preserved_event(services.app, flat)
            digest = link(
                digest,
                canonical_bytes(
                    stored.originator_id,  # type: ignore[arg-type]
                    stored.originator_version,
                    stored.topic,
                    stored.state,
                    flat["recorded_at"],
                ),
            )
            flat["hash"] = digest.hex()
            out.append(json.dumps(flat))
        return out
    finally:
        services.close()


def test_the_insider_rewrite_is_detected_by_a_kept_checkpoint(
    env: Path, url: str, other_url: str, tmp_path: Path
) -> None:
    run("init", "--database-url", url)
    public = run("keys", "init", "--name", "icc.example/followup", "--database-url", url).strip()
    record(url, extra=120, seed=1)
    kept = tmp_path / "kept.checkpoint"
    kept.write_text(run("checkpoint", "--database-url", url))
    assert run("verify", "--checkpoint", str(kept), "--key", public, "--database-url", url)

    exported = run("events", "export", "--database-url", url).splitlines()
    forged = tmp_path / "forged.jsonl"
    forged.write_text("\n".join(rewrite(url, exported, shift_from=40)) + "\n")
    run("init", "--database-url", other_url)
    run("events", "import", "--preserve", str(forged), "--database-url", other_url)
    # The chain alone cannot tell: every hash was recomputed.
    assert run("verify", "--database-url", other_url).startswith("OK ")
    said = run(
        "verify", "--checkpoint", str(kept), "--key", public, "--database-url", other_url, code=1
    )
    assert "does NOT match" in said and "rewritten" in said

    # The insider holds the signing key too, and signs the rewritten log: the two
    # checkpoints of the same size are a fork, refused by whoever kept the first.
    size = tlog.Checkpoint.parse(tlog.Note.parse(kept.read_text()).text).size
    forked = tmp_path / "forked.checkpoint"
    forked.write_text(run("checkpoint", "--size", str(size), "--database-url", other_url))
    said = run("checkpoint", "verify", str(kept), str(forked), "--key", public,
               "--database-url", other_url, code=1)  # fmt: skip
    assert "FAILED" in said and "fork" in said


def test_checkpoints_proofs_and_the_standalone_verifier(
    env: Path, url: str, tmp_path: Path
) -> None:
    run("init", "--database-url", url)
    public = run("keys", "init", "--database-url", url).strip()
    assert run("keys", "show").strip() == public
    assert run("keys", "show", "--all", "--database-url", url).strip() == public
    record(url, extra=90, seed=2)
    old = tmp_path / "old.checkpoint"
    old.write_text(run("checkpoint", "--database-url", url))
    record(url, extra=50, seed=3)
    new = tmp_path / "new.checkpoint"
    new.write_text(run("checkpoint", "--database-url", url))
    old_size = tlog.Checkpoint.parse(tlog.Note.parse(old.read_text()).text).size
    new_size = tlog.Checkpoint.parse(tlog.Note.parse(new.read_text()).text).size
    assert run("checkpoint", "verify", str(old), str(new), "--database-url", url).startswith("OK")
    consistency = tmp_path / "consistency.json"
    consistency.write_text(
        run("proof", "consistency", "--from", str(old_size), "--to", str(new_size),
            "--database-url", url)
    )  # fmt: skip
    # Offline: the two checkpoints, the kept proof and the key; no store.
    offline = ["checkpoint", "verify", str(old), str(new), "--proof", str(consistency)]
    assert run(*offline, "--key", public, "--database-url", "sqlite:////nonexistent/x").startswith(
        "OK"
    )
    key_file = tmp_path / "public.vkey"
    key_file.write_text(public + "\n")
    assert tlog.main(["checkpoint", "--key", str(key_file), str(new)]) == 0
    assert tlog.main(["consistency", "--key", public, str(old), str(new), str(consistency)]) == 0

    services = bootstrap(url, load_entry_points=False)
    try:
        events = list(services.app.read_log())
    finally:
        services.close()
    for event in (events[0], events[63], events[64], events[old_size - 1], events[-1]):
        proof = tmp_path / f"proof-{event.position}.json"
        proof.write_text(run("proof", "inclusion", str(event.id), "--database-url", url))
        assert tlog.main(["inclusion", "--key", public, str(new), str(proof)]) == 0
        said = run("proof", "verify", str(proof), "--checkpoint", str(new), "--key", public)
        assert said.startswith(f"OK position {event.position}")
    # The event altered (one byte of its stored state): its leaf no longer matches.
    document = json.loads(proof.read_text())
    state = bytearray(base64.b64decode(document["leaf"]["state"]))
    state[10] ^= 1
    document["leaf"]["state"] = base64.b64encode(bytes(state)).decode()
    proof.write_text(json.dumps(document))
    assert tlog.main(["inclusion", "--key", public, str(new), str(proof)]) == 1


def test_tampered_signatures_wrong_keys_and_other_logs_are_refused(
    env: Path, tmp_path: Path, sqlite_url: str
) -> None:
    run("init", "--database-url", sqlite_url)
    public = run("keys", "init", "--database-url", sqlite_url).strip()
    record(sqlite_url, extra=10, seed=4)
    signed = run("checkpoint", "--database-url", sqlite_url)
    kept = tmp_path / "kept.checkpoint"
    kept.write_text(signed)
    verify = ["verify", "--checkpoint", str(kept), "--database-url", sqlite_url]
    assert "matches the log" in run(*verify, "--key", public)

    body, _, signature = signed.partition("\n\n")
    raw = bytearray(base64.b64decode(signature.split()[-1]))
    raw[-1] ^= 1
    kept.write_text(
        body + "\n\n" + signature.rsplit(" ", 1)[0] + " " + base64.b64encode(raw).decode() + "\n"
    )
    result = CliRunner().invoke(main, [*verify, "--key", public])
    assert result.exit_code == 1 and "does not verify" in result.output

    kept.write_text(signed.replace("\n" + signed.split("\n")[1] + "\n", "\n999\n", 1))
    result = CliRunner().invoke(main, [*verify, "--key", public])
    assert result.exit_code == 1 and "does not verify" in result.output

    kept.write_text(signed)
    stranger = tmp_path / "stranger.key"
    other_log = f"sqlite:///{tmp_path}/o.sqlite"
    run("init", "--database-url", other_log)  # only init creates a store
    other = run("keys", "init", "--file", str(stranger), "--database-url", other_log).strip()
    result = CliRunner().invoke(main, [*verify, "--key", other])
    assert result.exit_code == 1 and "no signature by the log's key" in result.output
    assert tlog.main(["checkpoint", "--key", other, str(kept)]) == 1


def test_a_rotated_key_is_recorded_and_the_handover_signed_by_both(
    env: Path, sqlite_url: str, tmp_path: Path
) -> None:
    run("init", "--database-url", sqlite_url)
    old = run("keys", "init", "--database-url", sqlite_url).strip()
    record(sqlite_url, extra=5, seed=8)
    before = tmp_path / "before.checkpoint"
    before.write_text(run("checkpoint", "--database-url", sqlite_url))
    handover = run("keys", "rotate", "--database-url", sqlite_url)
    new = run("keys", "show").strip()
    assert new != old
    assert run("keys", "show", "--all", "--database-url", sqlite_url).split() == [old, new]
    keys = [tlog.VerifierKey.parse(old), tlog.VerifierKey.parse(new)]
    for key in keys:
        assert tlog.verify_checkpoint(handover, [key]).signed_by == key
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("log.key")) == [
        "log.key",
        f"log.key.retired-{keys[0].id:08x}",
    ]
    after = tmp_path / "after.checkpoint"
    after.write_text(run("checkpoint", "--database-url", sqlite_url))
    # Checkpoints of either key check against the log; the later extends the earlier.
    said = run("checkpoint", "verify", str(before), str(after), "--database-url", sqlite_url)
    assert said.startswith("OK")
    assert "matches the log" in run("verify", "--checkpoint", str(before), "--key", old,
                                    "--database-url", sqlite_url)  # fmt: skip
