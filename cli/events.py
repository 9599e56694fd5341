"""Moving events in and out of the log as JSON Lines: one flat JSON object per line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from uuid import uuid4

import click

from cli.common import counted, database_url_option, english, open_services
from core.application import FollowUp
from core.errors import FollowupError
from core.importing import ExportedLine, ImportProblem, check, importer_for, record
from core.ports import IdempotencyKey
from core.restore import RestoreError, restore_log


class LineError(click.ClickException):
    """A problem in one line of an import file; nothing of the file was recorded."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}, line {line}: {message}")

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()} (nothing was imported)", err=True)


@click.group()
def events() -> None:
    """Import and export events."""


@events.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every line and rule; record nothing.")
@click.option(
    "--recorded-by",
    default="import",
    show_default=True,
    help="Label recorded as who recorded the events. The label of a token imports as "
    "its holder would record them (what its role may record and see).",
)
@click.option(
    "--format",
    "format_",
    metavar="NAME",
    help="The file's format (jsonl, csv, or a plugin's), when its extension does not say.",
)
@click.option(
    "--preserve",
    is_flag=True,
    help="FILE is an `events export`: restore it exactly (same events, times and hash "
    "chain, so the same head digest) into an empty store.",
)
@database_url_option
def import_(
    file: Path,
    dry_run: bool,
    recorded_by: str,
    format_: str | None,
    preserve: bool,
    database_url: str,
) -> None:
    """Import FILE, all or nothing: JSON Lines (.jsonl, one event per line) or CSV (.csv,
    a header row of field names; see README), chosen by extension. Every event is
    checked as the API checks it; an error names the line and the field."""
    if preserve:
        _restore(file, dry_run, database_url)
        return
    with open_services(database_url) as services:
        importer = importer_for(services.importers, file, format_)
        app = services.app
        role = services.tokens.role_of(recorded_by)
        # newline="": CSV fields may hold line breaks; utf-8-sig: spreadsheets add a BOM.
        with file.open(encoding="utf-8-sig", newline="") as stream:
            try:
                with _progress(file, "checking") as advance:
                    drafts, numbers = check(app, importer, stream, progress=advance)
                if sys.stderr.isatty() and len(drafts) >= PROGRESS_FROM:
                    click.echo(f"recording {counted(len(drafts))}...", err=True)
                # Kept with the events, in their transaction: after an interruption it
                # tells whether they were committed.
                key = IdempotencyKey(IMPORT_SCOPE, str(uuid4()), str(file))
                try:
                    imported = record(
                        app,
                        drafts,
                        numbers,
                        recorded_by=recorded_by,
                        role=role,
                        dry_run=dry_run,
                        idempotency=key,
                    )
                except KeyboardInterrupt:
                    _interrupted(app, key)
                    return
            except ExportedLine as error:
                hint = f"{error.message}; restore it: `followup events import --preserve {file}`"
                raise LineError(str(file), error.line, hint) from None
            except ImportProblem as error:
                raise LineError(str(file), error.line, error.message) from None
            except UnicodeDecodeError as error:
                raise click.ClickException(f"{file} is not UTF-8 text ({error.reason})") from None
            except KeyboardInterrupt:
                raise click.ClickException(
                    "interrupted while checking: nothing was imported"
                ) from None
    if dry_run:
        valid = english().agree(imported.count, one="is valid", other="are valid")
        click.echo(f"{counted(imported.count)} {valid}; nothing was recorded (dry run)")
    else:
        click.echo(f"imported {counted(imported.count)} (last position {imported.last_position})")


class Interrupted(FollowupError):
    """Ctrl-C before the import was committed."""


#: Idempotency keys of command-line imports (a label has no colon: no client has it).
IMPORT_SCOPE = "system:import"


def _interrupted(app: FollowUp, key: IdempotencyKey) -> None:
    """Ctrl-C during the recording: say whether the import was committed (exit 0, so
    that nobody imports it twice) or not (exit 1)."""
    done = app.log.find_idempotent(key.scope, key.key)
    if done is None:
        raise Interrupted("interrupted before the commit: nothing was imported")
    click.echo(
        f"imported {counted(done.count)} (last position {done.last_position}); "
        "interrupted after they were committed: do not import the file again"
    )


#: Files smaller than this many bytes get no progress bar (they take no time).
PROGRESS_BYTES = 1_000_000
PROGRESS_FROM = 10_000


@contextmanager
def _progress(file: Path, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar over the file's characters, on a terminal, for large files."""
    size = file.stat().st_size
    if not sys.stderr.isatty() or size < PROGRESS_BYTES:
        yield None
        return
    with click.progressbar(length=size, label=label, file=sys.stderr) as bar:
        yield bar.update
        bar.update(max(size - bar.pos, 0))


def _restore(file: Path, dry_run: bool, database_url: str) -> None:
    with open_services(database_url) as services, file.open(encoding="utf-8") as stream:
        try:
            restored = restore_log(services.app, stream, dry_run=dry_run)
        except RestoreError as error:
            raise LineError(str(file), error.line, error.message) from None
        except KeyboardInterrupt:
            # A restore goes into an empty store, in one transaction: the store holds
            # events only if it was committed.
            head = services.app.head()
            if dry_run or head.position == 0:
                raise Interrupted("interrupted before the commit: nothing was restored") from None
            click.echo(
                f"restored {counted(head.position)}; head {head.hexdigest}; interrupted "
                "after they were committed: do not restore the file again"
            )
            return
    digest = restored.head.hexdigest
    if dry_run:
        link = english().agree(restored.count, one="links", other="link")
        click.echo(
            f"{counted(restored.count)} {link} to head {digest}; nothing was recorded (dry run)"
        )
        return
    click.echo(f"restored {counted(restored.count)} exactly; head {digest}")
    if restored.renumbered:
        have = english().agree(restored.renumbered, one="has", other="have")
        click.echo(
            f"note: {counted(restored.renumbered)} {have} new positions (the export's "
            "positions had gaps); ids, times and hashes are unchanged"
        )


@events.command("export")
@database_url_option
def export(database_url: str) -> None:
    """Write the whole log to stdout as JSON Lines, in log order, with system fields."""
    with open_services(database_url, writes=False) as services:
        out = sys.stdout
        for event in services.app.read_log():
            out.write(json.dumps(event.to_flat(with_storage=True), ensure_ascii=False))
            out.write("\n")


COMMANDS = [events]
