"""The ``followup`` command. Each command group lives in the module named for what it
manages; this module only assembles them and turns user mistakes into one-line errors."""

from __future__ import annotations

from typing import Any

import click
from eventsourcing.persistence import PersistenceError

from core.errors import FollowupError, store_failure


class FollowupGroup(click.Group):
    """Errors a user can cause print as one line on stderr with exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FollowupError as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(1)
        except PersistenceError as error:
            # A full disk, a read-only file: the transaction was rolled back.
            click.echo(f"error: {store_failure(error)}", err=True)
            ctx.exit(1)


@click.group(cls=FollowupGroup)
@click.version_option(package_name="followup")
def main() -> None:
    """Follow-up of cooperation with the International Criminal Court: record the focal
    point's actions, read the state of cooperation as of any date, and produce the
    Bureau's annual report."""


def _register() -> None:
    from cli import (
        audit,
        catalogue,
        events,
        follow_up,
        organisations,
        person,
        report,
        scheduler,
        serve,
        state,
        store,
        token,
        transparency,
        verify,
    )

    modules = (store, events, state, catalogue, serve, token, person, organisations, verify)
    for module in (*modules, follow_up, scheduler, report, transparency, audit):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
