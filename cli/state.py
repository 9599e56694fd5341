"""Reading the state of cooperation from the command line."""

from __future__ import annotations

from collections import Counter

import click

from cli.common import database_url_option, open_services, print_json


@click.command()
@database_url_option
def state(database_url: str) -> None:
    """Print the current state of the log as JSON (events per type)."""
    with open_services(database_url) as services:
        head = services.app.head()
        counts = Counter(event.type for event in services.app.read_log(upto=head.position))
    print_json(
        {
            "position": head.position,
            "as_of": head.recorded_at,
            "head": head.hexdigest,
            "events": head.position and sum(counts.values()),
            "types": dict(sorted(counts.items())),
        }
    )


COMMANDS = [state]
