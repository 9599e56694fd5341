"""People who sign in to the console: open an account (a password and a second factor),
list them, reset a password or second factor, disable and enable an account, read and
verify the record of sign-ins. Opening and changes are recorded in the log."""

from __future__ import annotations

import sys

import click

from cli.common import database_url_option, open_services, print_json
from core.accounts import Enrolment
from core.roles import ROLES

RECORDED_BY = click.option(
    "--recorded-by",
    default="operator",
    show_default=True,
    help="Who is recorded as having made the change.",
)
PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True))


def _show(enrolment: Enrolment) -> None:
    """The second factor, once: the secret to type or the URI to read as a QR code,
    and the recovery codes to keep somewhere safe."""
    click.echo(f"second factor (TOTP) secret: {enrolment.secret}")
    click.echo(f"authenticator URI: {enrolment.uri}")
    click.echo("recovery codes (each works once, instead of a code):")
    for code in enrolment.recovery_codes:
        click.echo(f"  {code}")
    click.echo("Give these to the person now: they cannot be shown again.", err=True)


@click.group()
def person() -> None:
    """Accounts of the people who sign in to the console."""


@person.command()
@click.option("--email", required=True, help="What the person signs in with.")
@click.option("--name", required=True, help="The person's name: recorded_by is 'NAME <EMAIL>'.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the person may do.")
@PASSWORD_STDIN
@RECORDED_BY
@database_url_option
def create(
    email: str, name: str, role: str, password_stdin: bool, recorded_by: str, database_url: str
) -> None:
    """Open an account and enrol its second factor (printed once)."""
    password = _password(password_stdin)
    with open_services(database_url) as services:
        enrolment = services.accounts.open(email, name, role, password, recorded_by)
    click.echo(f"account opened for {name} <{email.strip().lower()}> ({role})", err=True)
    _show(enrolment)


@person.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@database_url_option
def list_(as_json: bool, database_url: str) -> None:
    """Accounts: email, name, role, opened, disabled, locked (never a secret)."""
    with open_services(database_url) as services:
        people = services.accounts.people()
    if as_json:
        print_json(
            [
                {
                    "email": p.email,
                    "name": p.person,
                    "role": p.role,
                    "created_at": p.created_at,
                    "disabled_at": p.disabled_at,
                    "locked_until": p.locked_until,
                }
                for p in people
            ]
        )
        return
    rows = [("email", "name", "role", "opened", "disabled", "locked until")]
    rows += [
        (p.email, p.person, p.role, p.created_at, p.disabled_at or "", p.locked_until or "")
        for p in people
    ]
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@person.command()
@click.argument("email")
@click.option("--password", "new_password", is_flag=True, help="Set a new password.")
@click.option("--second-factor", is_flag=True, help="Enrol a new second factor and recovery codes.")
@PASSWORD_STDIN
@RECORDED_BY
@database_url_option
def reset(
    email: str,
    new_password: bool,
    second_factor: bool,
    password_stdin: bool,
    recorded_by: str,
    database_url: str,
) -> None:
    """A new password and/or second factor for EMAIL; lifts a lock-out."""
    if not (new_password or second_factor):
        raise click.UsageError("Give --password, --second-factor or both.")
    password = _password(password_stdin) if new_password else None
    with open_services(database_url) as services:
        enrolment = services.accounts.reset(
            email, recorded_by, password=password, second_factor=second_factor
        )
    click.echo(f"account of {email} reset", err=True)
    if enrolment is not None:
        _show(enrolment)


@person.command()
@click.argument("email")
@RECORDED_BY
@database_url_option
def disable(email: str, recorded_by: str, database_url: str) -> None:
    """EMAIL can no longer sign in; open sessions end at their next request."""
    with open_services(database_url) as services:
        found = services.accounts.disable(email, recorded_by)
    click.echo(f"disabled {found.email} ({found.role}) at {found.disabled_at}")


@person.command()
@click.argument("email")
@RECORDED_BY
@database_url_option
def enable(email: str, recorded_by: str, database_url: str) -> None:
    """EMAIL may sign in again."""
    with open_services(database_url) as services:
        found = services.accounts.enable(email, recorded_by)
    click.echo(f"enabled {found.email} ({found.role})")


@person.command("sign-ins")
@click.option("--email", help="Only this person's attempts.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--verify", is_flag=True, help="Check the record's chain instead.")
@database_url_option
def sign_ins(email: str | None, limit: int, verify: bool, database_url: str) -> None:
    """The latest attempts to sign in (newest first), or --verify the record's chain."""
    with open_services(database_url) as services:
        if verify:
            count, broken = services.accounts.verify_sign_ins()
            if broken is not None:
                click.echo(f"DAMAGED sign-in record at row {broken} ({count} rows before it)")
                raise SystemExit(1)
            click.echo(f"OK {count} sign-in records")
            return
        rows = services.accounts.sign_ins(email=email, limit=limit)
    for row in rows:
        click.echo(f"{row.at}  {row.email}  {row.step}  {row.outcome}  {row.address}")


COMMANDS = [person]
