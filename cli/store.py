"""Commands that manage the store itself."""

from __future__ import annotations

import click

from cli.common import counted, database_url_option, open_services
from followup.bootstrap import redacted


@click.command()
@database_url_option
def init(database_url: str) -> None:
    """Create the store's tables if they do not exist yet, and build the Merkle tree of
    events recorded before it was kept (safe to run again). Only init creates a store."""
    with open_services(database_url, create=True) as services:
        built = services.app.log.build_tree()
        head = services.app.head()
    click.echo(f"store ready: {redacted(services.database_url)} ({counted(head.position)})")
    if built:
        click.echo(f"Merkle tree built: {built} nodes added")


COMMANDS = [init]
