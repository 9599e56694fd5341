"""`followup report`: the Bureau's annual report as a PDF, and `report verify` to check
a published report against the log."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from cli.common import database_url_option, open_services
from cli.state import as_of_option, date_type


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@click.group(invoke_without_command=True)
@click.option("--year", type=click.IntRange(2002, 2100), help="Calendar year reported on.")
@click.option("--from", "first", type=date_type, help="Or a period: from (with --to).")
@click.option("--to", "last", type=date_type, help="Period: to (inclusive).")
@as_of_option()
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the PDF.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    default="en",
    show_default=True,
    help="The language the report is drawn in (the same data in either).",
)
@click.option(
    "--draft",
    is_flag=True,
    help="A draft: DRAFT on every page; the heading's settings may be missing.",
)
@click.option("--symbol", help="Document symbol, e.g. ICC-ASP/6/21 ({session} is replaced).")
@click.option("--session", type=int, help="Session number of the Assembly, e.g. 6.")
@click.option("--venue", help="Where the session meets, e.g. 'New York'.")
@click.option("--session-from", type=date_type, help="The session's first day (YYYY-MM-DD).")
@click.option("--session-to", type=date_type, help="The session's last day (YYYY-MM-DD).")
@click.option("--document-date", type=date_type, help="The document's date (YYYY-MM-DD).")
@click.option("--mandate", help="The resolution mandating the report, e.g. ICC-ASP/5/Res.3.")
@click.option("--mandate-paragraph", type=int, help="Its paragraph, e.g. 36.")
@click.option("--mandate-date", type=date_type, help="Its date of adoption (YYYY-MM-DD).")
@database_url_option
@click.pass_context
def report(
    ctx: click.Context,
    year: int | None,
    first: datetime | None,
    last: datetime | None,
    as_of: datetime | None,
    out: Path | None,
    lang: str,
    draft: bool,
    database_url: str,
    **heading: Any,
) -> None:
    """Write the Bureau's annual report to the Assembly as a PDF/A-3 file.

    The report covers a calendar year (--year, default the year of --as-of) or a period
    (--from/--to), as the log stood at --as-of (default: its last event), in English or
    French (--lang). The same year, --as-of and language always give the same bytes.
    The heading (symbol, session, venue, session dates, document date, mandate) comes
    from the options here, FOLLOWUP_REPORT_* variables or FOLLOWUP_REPORT_CONFIG
    (README, "The annual report"); a final report refuses to go without it, a --draft
    says DRAFT on every page. Prints the log position, as_of and digest the report is
    of."""
    if ctx.invoked_subcommand is not None:
        return
    if out is None:
        raise click.UsageError("Missing option '-o' / '--out': where to write the PDF.")
    if not out.parent.is_dir():
        raise click.ClickException(f"cannot write {out}: no folder {out.parent}")
    from reports.annual import produce
    from reports.config import load

    settings = {
        name: value.date() if isinstance(value, datetime) else value
        for name, value in heading.items()
    }
    config = load().with_settings(**settings)
    if draft:
        config = config.with_settings(draft=True)
    with open_services(database_url, writes=False) as services:
        produced = produce(
            services,
            year=year,
            first=_day(first),
            last=_day(last),
            as_of=as_of,
            config=config,
            lang=lang,
        )
    temporary = out.with_name(out.name + ".part")
    try:
        temporary.write_bytes(produced.pdf)
        temporary.replace(out)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from None
    kind = "draft" if produced.data["heading"].get("draft") else "report"
    click.echo(
        f"wrote {out}: {kind} on {produced.data['report']['label']} ({lang}), log position "
        f"{produced.position}, as of {produced.as_of}, digest {produced.head}"
    )


@report.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--no-redraw",
    is_flag=True,
    help="Do not draw the document again to compare its pages (faster).",
)
@click.option(
    "--trust",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CA certificate (PEM) to trust for the Bureau's signature (repeatable).",
)
@click.option(
    "--key",
    "keys",
    multiple=True,
    metavar="VKEY|FILE",
    help="The log's public key you kept, for the embedded checkpoint.",
)
@database_url_option
def verify_report(
    file: Path, no_redraw: bool, trust: tuple[Path, ...], keys: tuple[str, ...], database_url: str
) -> None:
    """Check a report against the log: the chain and digest at the report's position,
    every figure derived again there, the pages drawn again from the attached data;
    and which figures events recorded since would change; the Bureau's signature (if the
    file is signed) and the log's signed checkpoint it carries. Exit 0 "OK" or 1
    "FAILED" with what differs."""
    from core.checkpoints import parse_keys
    from reports.annual.verify import verify

    with open_services(database_url, writes=False) as services:
        verdict = verify(
            services,
            file.read_bytes(),
            redraw=not no_redraw,
            trust=trust,
            keys=parse_keys(keys),
        )
    click.echo(verdict.describe())
    if not verdict.ok:
        sys.exit(1)


@report.command("sign")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The Bureau's private key, PEM (default $FOLLOWUP_REPORT_SIGNING_KEY).",
)
@click.option(
    "--cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The Bureau's certificate, PEM (default $FOLLOWUP_REPORT_SIGNING_CERT).",
)
def sign_report(file: Path, out: Path, key: Path | None, cert: Path | None) -> None:
    """Sign a report with the Bureau's certificate (PAdES, an incremental update: the
    report as drawn and its attached data are kept byte for byte)."""
    from reports.annual.signing import sign

    signed = sign(file.read_bytes(), key, cert)
    out.write_bytes(signed)
    click.echo(f"signed {out} ({len(signed) - file.stat().st_size} bytes added)")


COMMANDS = [report]
