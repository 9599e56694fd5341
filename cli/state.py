"""Reading the state of cooperation from the command line: the views as of any time and
on any date, a replay of history to a time, and what changed between two times."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from cli.common import counted, database_url_option, open_services, print_json
from core.intact import require_intact
from core.queries import as_of_moment
from core.views.memory import fold
from core.views.model import READER_OF_LEVEL, Level, Period
from core.views.reading import ViewReading
from core.views.service import Views
from plugins.builtin import queries

CLEARANCE = {"all": Level.ALL, "restricted": Level.RESTRICTED}


def _moment(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return as_of_moment(value)
    except ValueError:
        raise click.BadParameter("use an RFC 3339 timestamp or a date (YYYY-MM-DD)") from None


def as_of_option(*names: str, **kwargs: Any) -> Any:
    return click.option(
        *(names or ("--as-of",)),
        callback=_moment,
        metavar="TIME",
        help="Transaction time: the log as the system knew it then (RFC 3339, or a date "
        "meaning the end of that day, UTC).",
        **kwargs,
    )


date_type = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


clearance_option = click.option(
    "--clearance",
    type=click.Choice(sorted(CLEARANCE)),
    default="all",
    show_default=True,
    help="Read as the auditor (all) or as the Bureau (restricted: no confidential events).",
)


def every_view(views: Views, reading: ViewReading) -> dict[str, Any]:
    """All the views at one reading, as the API answers them."""
    return {
        "figures": views.summary(reading),
        "parties": queries.parties(reading),
        "recommendations": queries.recommendations(reading, views.indicators, views.figures),
        "agreements": queries.agreements(reading),
        "warrants": queries.warrants(reading),
        "requests": queries.requests(reading),
        "witness_protection": queries.witness_protection(reading),
    }


@click.command()
@as_of_option()
@click.option("--on", type=date_type, help="The state of the world on this date.")
@click.option("--from", "first", type=date_type, help="Period of occurrence: from.")
@click.option("--to", "last", type=date_type, help="Period of occurrence: to.")
@click.option("--view", "view_name", help="Print one view's items instead of the figures.")
@clearance_option
@database_url_option
def state(
    as_of: datetime | None,
    on: datetime | None,
    first: datetime | None,
    last: datetime | None,
    view_name: str | None,
    clearance: str,
    database_url: str,
) -> None:
    """Print the state of cooperation as JSON: the log's head, events per type, and the
    headline figures (or one view with --view), as of a time and on a date."""
    with open_services(database_url, writes=False) as services:
        views = services.views
        reading = views.reading(
            CLEARANCE[clearance], as_of=as_of, on=_day(on), first=_day(first), last=_day(last)
        )
        head = services.app.head()
        answer: dict[str, Any] = {
            **views.envelope(reading, as_of),
            "head": head.hexdigest if reading.position == head.position else None,
            "types": reading.snapshot.entries(),
        }
        if view_name is None:
            answer["figures"] = views.summary(reading)
        elif view_name in views.folds.views:
            answer["items"] = reading.items(view_name)
        else:
            raise click.BadParameter(
                f"no view {view_name!r}; views: {', '.join(views.folds.views)}",
                param_hint="--view",
            )
    answer["events"] = sum(answer["types"].values())
    print_json(answer)


@click.command()
@as_of_option(required=True)
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write events.jsonl and views.json into.",
)
@click.option(
    "--independent",
    is_flag=True,
    help="Also fold the events again in memory, without the projection, and check that "
    "both give the same views (slow: it reads the whole prefix).",
)
@clearance_option
@database_url_option
def replay(
    as_of: datetime, out: Path, independent: bool, clearance: str, database_url: str
) -> None:
    """Replay history to a time: write the events the system knew then (events.jsonl)
    and the views they give (views.json)."""
    level = CLEARANCE[clearance]
    out.mkdir(parents=True, exist_ok=True)
    with open_services(database_url, writes=False) as services:
        views = services.views
        reading = views.reading(level, as_of=as_of)
        written = 0
        sight = services.app.visibility(READER_OF_LEVEL[level], None).at(reading.position)
        with (out / "events.jsonl").open("w", encoding="utf-8") as stream:
            for event in services.app.read_log(upto=reading.position):
                if sight.sees(event):
                    stream.write(json.dumps(event.to_flat(), ensure_ascii=False) + "\n")
                    written += 1
        result = {**views.envelope(reading, as_of), **every_view(services.views, reading)}
        (out / "views.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        message = f"replayed {counted(written)} to position {reading.position} into {out}"
        if independent:
            log = services.app.read_log(upto=reading.position)
            naive = ViewReading(
                fold(views.folds, log, level, reading.position),
                views.folds,
                Period(on=reading.period.on),
            )
            same = every_view(services.views, naive) == every_view(services.views, reading)
            message += "; independent fold: " + ("same views" if same else "DIFFERENT views")
            if not same:
                click.echo(message, err=True)
                raise SystemExit(1)
    click.echo(message)


@click.command()
@as_of_option("--from", "first", required=True)
@as_of_option("--to", "last", required=True)
@click.option("--on", type=date_type, help="Date the views are read on (default: --to's).")
@clearance_option
@database_url_option
def diff(
    first: datetime, last: datetime, on: datetime | None, clearance: str, database_url: str
) -> None:
    """What changed in the views between two transaction times, with the events."""
    with open_services(database_url, writes=False) as services:
        print_json(services.views.diff(CLEARANCE[clearance], first, last, _day(on)))


@click.group()
def views() -> None:
    """Maintain the views' tables."""


@views.command("update")
@database_url_option
def update(database_url: str) -> None:
    """Bring the views up to the log's head (the follower does this as the log grows).
    Refused if the log's chain does not verify."""
    with open_services(database_url) as services:
        require_intact(services.app)
        position = services.views.projection.catch_up()
    click.echo(f"views at position {position}")


@views.command("follow")
@click.option(
    "--until",
    type=int,
    default=None,
    help="Stop once the views reach this position (default: follow until interrupted).",
)
@database_url_option
def follow(until: int | None, database_url: str) -> None:
    """Keep the views current as the log grows, until interrupted (one follower per
    store folds; others wait to take over). `followup serve` does this in the
    background too."""
    from core.views.follower import Follower

    with open_services(database_url) as services:
        reported = [-1]

        def progress(position: int) -> None:
            if position != reported[0]:
                reported[0] = position
                click.echo(f"views at position {position}")
            if until is not None and position >= until:
                follower.stop.set()

        follower = Follower(services.views.projection, progress=progress)
        try:
            follower.run()
        except KeyboardInterrupt:
            follower.stop.set()
        click.echo(f"stopped; views at position {services.views.projection.position()}")


@views.command("verify")
@database_url_option
def verify(database_url: str) -> None:
    """Check that the views kept in the store equal a fold of the log, naming the
    first item, tally or figure that differs (exit 1 if one does)."""
    with open_services(database_url) as services:
        verdict = services.views.verify()
    click.echo(verdict.describe(), err=not verdict.ok)
    if not verdict.ok:
        raise SystemExit(1)


@views.command("rebuild")
@database_url_option
def rebuild(database_url: str) -> None:
    """Forget the views and fold the whole log again. Refused if the log's chain does
    not verify: damage is never folded in."""
    with open_services(database_url) as services:
        require_intact(services.app)
        position = services.views.projection.rebuild()
    click.echo(f"views rebuilt to position {position}")


COMMANDS = [state, replay, diff, views]
