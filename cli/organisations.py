"""Organisations the events may name: those built in, and those the administrator
registers (OrganisationRegistered), so that a new NGO or body needs no release."""

from __future__ import annotations

from datetime import date

import click

from cli.common import database_url_option, open_services, print_json
from core.parties import REGISTRABLE_KINDS, PartyKind, registry
from core.views.model import Level

KINDS = sorted(kind.value for kind in REGISTRABLE_KINDS)


@click.group()
def organisations() -> None:
    """Register organisations and list every party that is not a State."""


@organisations.command()
@click.argument("code")
@click.option("--name", required=True, help="Its name in English.")
@click.option("--name-fr", help="Its name in French.")
@click.option("--kind", required=True, type=click.Choice(KINDS), help="What it is.")
@click.option("--state", help="The State of a national institution (ISO 3166-1 alpha-3).")
@click.option(
    "--on",
    "occurred_on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date of registration (default today).",
)
@click.option(
    "--recorded-by", default="operator", show_default=True, help="Recorded as who registered it."
)
@database_url_option
def register(
    code: str,
    name: str,
    name_fr: str | None,
    kind: str,
    state: str | None,
    occurred_on: object,
    recorded_by: str,
    database_url: str,
) -> None:
    """Register the organisation CODE: events may name it from now on."""
    raw = {
        "type": "OrganisationRegistered",
        "occurred_on": (
            occurred_on.date().isoformat()  # type: ignore[attr-defined]
            if occurred_on is not None
            else date.today().isoformat()
        ),
        "code": code,
        "name": name,
        "kind": kind,
        **({"name_fr": name_fr} if name_fr else {}),
        **({"state": state} if state else {}),
    }
    with open_services(database_url) as services:
        app = services.app
        event = app.record(app.validate(raw), recorded_by, role="admin")
    click.echo(f"registered {code} ({name}), {kind}, at position {event.position}")


@organisations.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@database_url_option
def list_(as_json: bool, database_url: str) -> None:
    """Every party that is not a State or a territory: built in, then registered."""
    rows = [
        {"code": p.code, "name": p.name, "kind": p.kind.value, "registered_on": None}
        for p in registry().values()
        if p.kind not in (PartyKind.STATE, PartyKind.TERRITORY)
    ]
    with open_services(database_url) as services:
        reading = services.views.reading(Level.ALL)
        for fact in reading.facts(["OrganisationRegistered"], cumulative=True):
            rows.append(
                {
                    "code": fact.payload["code"],
                    "name": fact.payload["name"],
                    "kind": fact.payload["kind"],
                    "registered_on": fact.occurred_on,
                }
            )
    rows.sort(key=lambda row: (row["registered_on"] is not None, str(row["code"])))
    if as_json:
        print_json(rows)
        return
    for row in rows:
        since = f"  registered {row['registered_on']}" if row["registered_on"] else ""
        click.echo(f"{row['code']:<16} {row['kind']:<22} {row['name']}{since}")


COMMANDS = [organisations]
