"""`followup audit trail`: who recorded what, when and why, for an auditor."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime

import click

from cli.common import database_url_option, open_services
from cli.state import as_of_option
from core.people import trail, trail_fields


@click.group()
def audit() -> None:
    """What an auditor reads of the record."""


@audit.command("trail")
@as_of_option("--from", "first")
@as_of_option("--to", "last")
@click.option("--format", "format_", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True)  # fmt: skip
@database_url_option
def trail_command(
    first: datetime | None, last: datetime | None, format_: str, database_url: str
) -> None:
    """Every event recorded in the period (transaction time): position, time, who
    recorded it, its type and id, and for corrections and retractions what they change
    and the reason given. CSV (a header row) or JSON Lines, on stdout."""
    if first is not None and last is not None and first > last:
        raise click.BadParameter("--to is before --from")
    with open_services(database_url, writes=False) as services:
        rows = trail(services.app, first, last)
        if format_ == "jsonl":
            for row in rows:
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        fields = trail_fields(services.catalogue)
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            changed = row.get("changed")
            writer.writerow({**row, "changed": ";".join(changed) if changed else ""})


COMMANDS = [audit]
