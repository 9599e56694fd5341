"""`followup audit trail`: who recorded what, when and why, for an auditor."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime

import click

from cli.common import database_url_option, open_services
from core.people import TRAIL_FIELDS, trail
from core.queries import as_of_moment


def _moment(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return as_of_moment(value)
    except ValueError:
        raise click.BadParameter("an RFC 3339 timestamp or a date (its end, UTC)") from None


@click.group()
def audit() -> None:
    """What an auditor reads of the record."""


@audit.command("trail")
@click.option(
    "--from", "first", callback=_moment, help="Recorded at or after (default: the start)."
)
@click.option("--to", "last", callback=_moment, help="Recorded at or before (default: now).")
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
    with open_services(database_url) as services:
        rows = trail(services.app, first, last)
        if format_ == "jsonl":
            for row in rows:
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        writer = csv.DictWriter(sys.stdout, fieldnames=TRAIL_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            changed = row.get("changed")
            writer.writerow({**row, "changed": ";".join(changed) if changed else ""})


COMMANDS = [audit]
