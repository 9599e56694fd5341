"""API tokens: issue one (shown once), list them, revoke one. Issuing and revoking are
recorded in the log (TokenIssued, TokenRevoked); the token itself is never stored."""

from __future__ import annotations

import click

from cli.common import database_url_option, open_services, print_json
from core.roles import ROLES

RECORDED_BY = click.option(
    "--recorded-by",
    default="operator",
    show_default=True,
    help="Label recorded as who issued or revoked the token.",
)


@click.group()
def token() -> None:
    """Issue, list and revoke API tokens."""


@token.command()
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the token may do.")
@click.option("--person", help="The person it is issued to: recorded_by of what it records.")
@click.option("--email", help="The person's email (with --person).")
@click.option(
    "--label",
    help="The token's name (revoke by it). Default: the person's email. Without --person, "
    "recorded_by of what it records (tokens as they were issued before).",
)
@RECORDED_BY
@database_url_option
def create(
    role: str,
    person: str | None,
    email: str | None,
    label: str | None,
    recorded_by: str,
    database_url: str,
) -> None:
    """Issue a token and print it: the only time it is shown."""
    if (person is None) != (email is None):
        raise click.UsageError("--person and --email go together.")
    label = label or email
    if label is None:
        raise click.UsageError("Give --person NAME --email ADDRESS (or a --label).")
    with open_services(database_url) as services:
        secret = services.tokens.create(label, role, recorded_by, person=person, email=email)
    click.echo(secret)
    holder = f"{person} <{email}>" if person else label
    click.echo(
        f"Token for {holder} ({role}) issued. Keep it now: it cannot be shown again.", err=True
    )


@token.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@database_url_option
def list_(as_json: bool, database_url: str) -> None:
    """Tokens by label, with role, creation and revocation times (never the token)."""
    with open_services(database_url, writes=False) as services:
        infos = services.tokens.list()
    if as_json:
        print_json(
            [
                {
                    "label": i.label,
                    "role": i.role,
                    "person": i.person,
                    "email": i.email,
                    "created_at": i.created_at,
                    "revoked_at": i.revoked_at,
                }
                for i in infos
            ]
        )
        return
    rows = [("label", "role", "person", "created", "revoked")]
    rows += [
        (i.label, i.role, f"{i.person} <{i.email}>" if i.person else "", i.created_at,
         i.revoked_at or "")
        for i in infos
    ]  # fmt: skip
    widths = [max(len(row[c]) for row in rows) for c in range(5)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@token.command()
@click.argument("label")
@RECORDED_BY
@database_url_option
def revoke(label: str, recorded_by: str, database_url: str) -> None:
    """Revoke the token labelled LABEL: it stops working at once."""
    with open_services(database_url) as services:
        info = services.tokens.revoke(label, recorded_by)
    click.echo(f"revoked {info.label} ({info.role}) at {info.revoked_at}")


COMMANDS = [token]
