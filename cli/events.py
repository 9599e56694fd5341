"""Moving events in and out of the log as JSON Lines: one flat JSON object per line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

import click

from cli.common import database_url_option, open_services
from core.envelope import Draft
from core.errors import InvalidEvent, LifecycleConflict
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
    help="Label recorded as who recorded the events.",
)
@click.option(
    "--preserve",
    is_flag=True,
    help="FILE is an `events export`: restore it exactly (same events, times and hash "
    "chain, so the same head digest) into an empty store.",
)
@database_url_option
def import_(file: Path, dry_run: bool, recorded_by: str, preserve: bool, database_url: str) -> None:
    """Import FILE (JSON Lines, one event per line), all or nothing."""
    if preserve:
        _restore(file, dry_run, database_url)
        return
    with open_services(database_url) as services:
        app = services.app
        drafts: list[Draft] = []
        lines: list[int] = []
        with file.open(encoding="utf-8") as stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                except json.JSONDecodeError as error:
                    raise LineError(str(file), number, f"not valid JSON ({error.msg})") from None
                try:
                    drafts.append(app.validate(raw))
                except InvalidEvent as error:
                    raise LineError(str(file), number, error.describe()) from None
                lines.append(number)
        try:
            recorded = app.record_batch(drafts, recorded_by, role=None, dry_run=dry_run)
        except InvalidEvent as error:
            message = InvalidEvent(error.messages).describe()
            raise LineError(str(file), lines[error.index or 0], message) from None
        except LifecycleConflict as error:
            raise LineError(str(file), lines[error.index or 0], error.message) from None
    if dry_run:
        click.echo(f"{len(drafts)} events are valid; nothing was recorded (dry run)")
    else:
        last = recorded[-1].position if recorded else 0
        click.echo(f"imported {len(recorded)} events (last position {last})")


def _restore(file: Path, dry_run: bool, database_url: str) -> None:
    with open_services(database_url) as services, file.open(encoding="utf-8") as stream:
        try:
            restored = restore_log(services.app, stream, dry_run=dry_run)
        except RestoreError as error:
            raise LineError(str(file), error.line, error.message) from None
    digest = restored.head.hexdigest
    if dry_run:
        click.echo(f"{restored.count} events link to head {digest}; nothing was recorded (dry run)")
        return
    click.echo(f"restored {restored.count} events exactly; head {digest}")
    if restored.renumbered:
        click.echo(
            f"note: {restored.renumbered} events have new positions (the export's "
            "positions had gaps); ids, times and hashes are unchanged"
        )


@events.command("export")
@database_url_option
def export(database_url: str) -> None:
    """Write the whole log to stdout as JSON Lines, in log order, with system fields."""
    with open_services(database_url) as services:
        out = sys.stdout
        for event in services.app.read_log():
            out.write(json.dumps(event.to_flat(with_storage=True), ensure_ascii=False))
            out.write("\n")


COMMANDS = [events]
