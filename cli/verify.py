"""`followup verify`: prove that the log was not altered."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.common import database_url_option, open_services
from core.checkpoints import against_log, known_keys, parse_keys, tree_problem
from core.verification import Published


def _published(ctx: click.Context, param: click.Parameter, value: str | None) -> Published | None:
    if value is None:
        return None
    try:
        return Published.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command()
@click.option(
    "--against",
    metavar="DIGEST@POSITION",
    callback=_published,
    help="Also check that a digest published earlier (e.g. printed in a report) is still "
    "the log's digest at that position.",
)
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also check a signed checkpoint kept earlier: its signature, and that the log's "
    "first SIZE events still hash to its root (recomputed from the events).",
)
@click.option(
    "--key",
    "keys",
    multiple=True,
    metavar="VKEY|FILE",
    help="The log's public key you kept, for --checkpoint (repeatable).",
)
@database_url_option
def verify(
    against: Published | None,
    checkpoint_file: Path | None,
    keys: tuple[str, ...],
    database_url: str,
) -> None:
    """Recompute the hash chain from the first event. Prints `OK <count> events, head
    <digest>` and exits 0, or names the first damaged position and the kind of damage
    (changed, missing, inserted, reordered) and exits 1."""
    with open_services(database_url, writes=False) as services:
        app = services.app
        if sys.stderr.isatty():
            total = app.head().position
            with click.progressbar(length=max(total, 1), label="verifying", file=sys.stderr) as bar:
                done = 0

                def advance(position: int) -> None:
                    nonlocal done
                    step = min(position, total) - done
                    if step > 0:
                        bar.update(step)
                        done += step

                verdict = app.verify(against=against, progress=advance)
        else:
            verdict = app.verify(against=against)
        tree = tree_problem(app) if verdict.ok else None
        agreement = None
        if checkpoint_file is not None:
            known = parse_keys(keys) if keys else known_keys(app)
            agreement = against_log(app, checkpoint_file.read_text(encoding="utf-8"), known)
    click.echo(verdict.describe())
    if tree is not None:
        click.echo(f"TREE DAMAGED: {tree}")
    if agreement is not None:
        click.echo(agreement.describe())
    failed = not verdict.ok or verdict.matches_published is False or tree is not None
    if failed or (agreement and not agreement.ok):
        sys.exit(1)


COMMANDS = [verify]
