"""`followup verify`: prove that the log was not altered."""

from __future__ import annotations

import sys

import click

from cli.common import database_url_option, open_services
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
@database_url_option
def verify(against: Published | None, database_url: str) -> None:
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
    click.echo(verdict.describe())
    if not verdict.ok or verdict.matches_published is False:
        sys.exit(1)


COMMANDS = [verify]
