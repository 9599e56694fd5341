"""The log's signing key, its signed checkpoints and its proofs: `followup keys`,
`followup checkpoint`, `followup proof` (README, "For auditors")."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from uuid import UUID

import click

from auditor.tlog import (
    Checkpoint,
    NoteError,
    ProofError,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from cli.common import database_url_option, open_services, print_json
from core import checkpoints, proofs
from core.checkpoints import CheckpointError, SigningKey
from core.errors import FollowupError
from core.jobs import system_event

OPERATOR = "operator"

KEY_OPTION = click.option(
    "--key",
    "keys",
    multiple=True,
    metavar="VKEY|FILE",
    help="The log's public key you kept (repeatable; a file of keys too). Default: the "
    "configured key and those the log records.",
)


def _keys(app: object, given: tuple[str, ...]) -> list[checkpoints.VerifierKey]:
    if given:
        return checkpoints.parse_keys(given)
    return checkpoints.known_keys(app)  # type: ignore[arg-type]


def _record_key(services: object, key: SigningKey, replaces: str | None) -> None:
    app = services.app  # type: ignore[attr-defined]
    raw = system_event(
        app.catalogue.system_type(checkpoints.KEY_ACTIVATED),
        app.clock(),
        key_name=key.name,
        verifier_key=key.verifier.text,
        replaces=replaces,
    )
    app.record(app.validate(raw), OPERATOR, role=None)


def _write_key(path: Path, key: SigningKey) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key.text + "\n")


def _key_path(file: Path | None) -> Path:
    path = file or checkpoints.key_file()
    if path is None:
        raise click.UsageError(
            f"Where to keep the key: --file or ${checkpoints.KEY_FILE_VARIABLE}."
        )
    return path


@click.group()
def keys() -> None:
    """The Ed25519 key that signs the log's checkpoints (kept outside the store)."""


@keys.command("init")
@click.option(
    "--name",
    default="followup.invalid/log",
    show_default=True,
    help="The log's origin: the key's name and every checkpoint's first line.",
)
@click.option(
    "--file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Where to write it (default ${checkpoints.KEY_FILE_VARIABLE}).",
)
@database_url_option
def keys_init(name: str, file: Path | None, database_url: str) -> None:
    """Generate the signing key into a new file (mode 0600; never overwritten), record
    its activation in the log, and print its public key."""
    path = _key_path(file)
    if path.exists():
        raise click.ClickException(f"{path} exists: the key is not replaced (see keys rotate)")
    key = SigningKey.generate(name)
    with open_services(database_url) as services:
        try:
            _write_key(path, key)
        except OSError as error:
            raise click.ClickException(f"cannot write {path}: {error.strerror}") from None
        _record_key(services, key, None)
    click.echo(key.verifier.text)
    click.echo(f"Key written to {path}; give the line above to auditors and witnesses.", err=True)


@keys.command("rotate")
@click.option(
    "--file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"The key file to replace (default ${checkpoints.KEY_FILE_VARIABLE}).",
)
@database_url_option
def keys_rotate(file: Path | None, database_url: str) -> None:
    """Replace the signing key: the new one is recorded in the log as replacing the old,
    and the checkpoint of that moment is printed signed by both (the handover)."""
    path = _key_path(file)
    old = checkpoints.load_key({checkpoints.KEY_FILE_VARIABLE: str(path)})
    assert old is not None
    new = SigningKey.generate(old.name)
    with open_services(database_url) as services:
        _record_key(services, new, old.verifier.text)
        point = checkpoints.checkpoint_at(services.app, old.name)
    retired = path.with_name(f"{path.name}.retired-{old.verifier.id:08x}")
    path.replace(retired)
    _write_key(path, new)
    note = checkpoints.Note(point.text, (old.sign(point.text), new.sign(point.text)))
    click.echo(note.signed, nl=False)
    click.echo(f"new key: {new.verifier.text}\nold key kept in {retired}", err=True)


@keys.command("show")
@click.option("--all", "every", is_flag=True, help="Every key the log records, oldest first.")
@database_url_option
def keys_show(every: bool, database_url: str) -> None:
    """Print the public key (a note verifier key: NAME+KEYID+BASE64) to give auditors."""
    if every:
        with open_services(database_url, writes=False) as services:
            for key in checkpoints.recorded_keys(services.app):
                click.echo(key.text)
        return
    signing = checkpoints.load_key()
    assert signing is not None
    click.echo(signing.verifier.text)


@click.group(invoke_without_command=True)
@click.option("--size", type=click.IntRange(0), help="Of the log's first SIZE events.")
@database_url_option
@click.pass_context
def checkpoint(ctx: click.Context, size: int | None, database_url: str) -> None:
    """Print the log's signed checkpoint (C2SP tlog-checkpoint, a signed note): its
    origin, size and Merkle root. Keep it: `followup verify --checkpoint` checks later
    that the log still has that history."""
    if ctx.invoked_subcommand is not None:
        return
    key = checkpoints.load_key()
    assert key is not None
    with open_services(database_url, writes=False) as services:
        click.echo(checkpoints.signed_checkpoint(services.app, key, size), nl=False)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"cannot read {path}: {error}") from None


@checkpoint.command("verify")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--proof",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A consistency proof kept from OLD's size to NEW's (then no store is read).",
)
@KEY_OPTION
@database_url_option
def checkpoint_verify(
    old: Path, new: Path, proof: Path | None, keys: tuple[str, ...], database_url: str
) -> None:
    """Check two checkpoints: both signed by the log's key, and NEW extends OLD (a
    consistency proof, kept or from the store). A fork (two roots for one size, or a
    NEW that does not extend OLD) fails."""
    try:
        old_text, new_text = _read(old), _read(new)
        kept = json.loads(_read(proof)) if proof is not None else None
        if kept is not None and keys:
            known = checkpoints.parse_keys(keys)  # offline: nothing of the store is read
        else:
            with open_services(database_url, writes=False) as services:
                known = _keys(services.app, keys)
                if kept is None:
                    sizes = sorted(
                        verify_checkpoint(text, known).checkpoint.size
                        for text in (old_text, new_text)
                    )
                    kept = proofs.consistency(services.app, sizes[0], sizes[1])
        verdict = _consistent(old_text, new_text, known, kept)
    except (NoteError, ProofError, ValueError, KeyError, FollowupError) as error:
        click.echo(f"FAILED: {error}")
        sys.exit(1)
    click.echo(verdict)


def _consistent(
    old_text: str, new_text: str, known: list[checkpoints.VerifierKey], proof: dict[str, object]
) -> str:
    old = verify_checkpoint(old_text, known).checkpoint
    new = verify_checkpoint(new_text, known).checkpoint
    if old.origin != new.origin:
        raise ProofError(f"two logs: {old.origin} and {new.origin}")
    if old.size > new.size:
        old, new = new, old
    if (proof.get("from"), proof.get("to")) != (old.size, new.size):
        raise ProofError(f"the proof is not from size {old.size} to {new.size}")
    raw = proof.get("hashes")
    if not isinstance(raw, list):
        raise ProofError("the proof has no hashes")
    verify_consistency(old.size, new.size, old.root, new.root, [bytes.fromhex(h) for h in raw])
    return (
        f"OK {new.origin}: size {new.size} extends size {old.size}; both signed by the "
        "log's key, nothing recorded up to the first was changed"
    )


@checkpoint.command("cosigned")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@database_url_option
def checkpoint_cosigned(file: Path, database_url: str) -> None:
    """Record the cosignatures a witness sent back (a file drop): the checkpoint must be
    the log's own, and each cosignature must verify with a key of
    $FOLLOWUP_WITNESS_KEYS."""
    from core.witnesses import record_cosignatures

    with open_services(database_url) as services:
        recorded = record_cosignatures(services.app, _read(file))
    for line in recorded:
        click.echo(line)


@click.group()
def proof() -> None:
    """Proofs that the log holds an event, and that a later log extends an earlier one."""


@proof.command("inclusion")
@click.argument("event_id", type=click.UUID)
@click.option("--size", type=click.IntRange(1), help="Tree size (default: the log's head).")
@database_url_option
def proof_inclusion(event_id: UUID, size: int | None, database_url: str) -> None:
    """The inclusion proof of EVENT_ID as JSON, with the event's stored form (so that
    `python -m auditor.tlog inclusion` recomputes its leaf hash)."""
    with open_services(database_url, writes=False) as services:
        print_json(proofs.inclusion(services.app, event_id, size, with_leaf=True))


@proof.command("consistency")
@click.option("--from", "first", type=click.IntRange(0), required=True)
@click.option("--to", "second", type=click.IntRange(0), required=True)
@database_url_option
def proof_consistency(first: int, second: int, database_url: str) -> None:
    """The consistency proof from size FROM to size TO, as JSON."""
    with open_services(database_url, writes=False) as services:
        print_json(proofs.consistency(services.app, first, second))


@proof.command("verify")
@click.argument("proof_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--checkpoint",
    "checkpoint_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@KEY_OPTION
@database_url_option
def proof_verify(
    proof_file: Path, checkpoint_file: Path, keys: tuple[str, ...], database_url: str
) -> None:
    """Check an inclusion proof (from `proof inclusion` or the API) against a signed
    checkpoint: the event is in the log the checkpoint signs."""
    from auditor.tlog import leaf_of

    try:
        if keys:
            known = checkpoints.parse_keys(keys)
        else:
            with open_services(database_url, writes=False) as services:
                known = _keys(services.app, keys)
        point: Checkpoint = verify_checkpoint(_read(checkpoint_file), known).checkpoint
        document = json.loads(_read(proof_file))
        if document.get("tree_size") != point.size:
            raise ProofError(f"the proof is for size {document.get('tree_size')}, not {point.size}")
        index = int(document["leaf_index"])
        hashes = [bytes.fromhex(h) for h in document["hashes"]]
        verify_inclusion(index, point.size, leaf_of(document), hashes, point.root)
    except (NoteError, ProofError, ValueError, KeyError, TypeError, CheckpointError) as error:
        click.echo(f"FAILED: {error}")
        sys.exit(1)
    click.echo(f"OK position {index + 1} is in {point.origin} at size {point.size}")


COMMANDS = [keys, checkpoint, proof]
