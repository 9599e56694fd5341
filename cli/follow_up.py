"""The follow-up of the 66 recommendations at a terminal: where they stand (`followup
status`, the dashboard and the 66, or one recommendation's story) and the actions
planned for them (`followup actions`), as of any time and on any date. The tables are
for people; `--json` answers what the API answers (`GET /recommendations`,
`/recommendations/{n}`, `/actions`), for scripts."""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

import click

from cli.common import database_url_option, open_services, print_json
from cli.state import CLEARANCE, _day, as_of_option, clearance_option, date_type
from core.recommendations import cluster_key
from core.views.model import Item
from core.views.reading import ViewReading
from core.views.service import Views
from followup.bootstrap import Services
from plugins.builtin import actions as action_area
from plugins.builtin import follow_up, queries

WIDTH = 100
#: How many assessments and open actions one recommendation's story lists (--json: all).
SHOWN = 10


def shortened(indent: str, text: str) -> None:
    """One line of text under `indent`, shortened to the page."""
    click.echo(indent + textwrap.shorten(text, WIDTH - len(indent), placeholder=" ..."))


def words(value: str | None) -> str:
    """A status or state as people write it (`in_progress`: in progress)."""
    return "—" if value is None else value.replace("_", " ")


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Columns as wide as their widest cell, the last one wrapped to the page."""
    cells = [[str(c) for c in header], *[["—" if c is None else str(c) for c in r] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header) - 1)]
    indent = sum(widths) + 2 * len(widths)
    for row in cells:
        head = "".join(cell.ljust(width + 2) for cell, width in zip(row, widths, strict=False))
        last = textwrap.wrap(row[-1], width=max(WIDTH - indent, 20)) or [""]
        click.echo((head + last[0]).rstrip())
        for line in last[1:]:
            click.echo(" " * indent + line)


@dataclass(frozen=True)
class Asked:
    """What a reading command was asked for: the store, the time and date, the
    clearance, and whether to answer in JSON."""

    database_url: str
    as_of: datetime | None
    on: datetime | None
    first: datetime | None
    last: datetime | None
    clearance: str
    as_json: bool

    def reading(self, services: Services) -> ViewReading:
        return services.views.reading(
            CLEARANCE[self.clearance],
            as_of=self.as_of,
            on=_day(self.on),
            first=_day(self.first),
            last=_day(self.last),
        )


F = TypeVar("F", bound=Callable[..., None])


def reading_options(command: F) -> F:
    """The options every reading command takes, handed to it as one `Asked`."""

    @functools.wraps(command)
    def run(**options: Any) -> None:
        fields = ("database_url", "as_of", "on", "first", "last", "clearance", "as_json")
        asked = Asked(**{name: options.pop(name) for name in fields})
        command(asked, **options)

    wrapped: Any = run
    for option in reversed(
        (
            as_of_option(),
            click.option("--on", type=date_type, help="The state on this date (default: today)."),
            click.option("--from", "first", type=date_type, help="Period: from."),
            click.option("--to", "last", type=date_type, help="Period: to."),
            clearance_option,
            click.option("--json", "as_json", is_flag=True, help="JSON, as the API answers."),
            database_url_option,
        )
    ):
        wrapped = option(wrapped)
    return cast(F, wrapped)


# -- followup status -----------------------------------------------------------------


def indicator_words(tracked: Mapping[str, Mapping[str, Any]]) -> str:
    """`2/3 on track` (met ones count as on track), or nothing when none is defined."""
    if not tracked:
        return ""
    on_track = sum(1 for t in tracked.values() if t["on_track"])
    return f"{on_track}/{len(tracked)} on track"


def counts(status: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {words(s)}" for s, n in status.items() if n) or "none"


def print_dashboard(board: Mapping[str, Any]) -> None:
    overall = board["overall"]
    click.echo(f"The 66 recommendations on {board['on']} (before: {board['before']})")
    click.echo(f"  now:    {counts(overall['status'])}")
    click.echo(f"  before: {counts(overall['status_before'])}")
    actions = overall["actions"]
    click.echo(f"  actions: {actions['open']} open, {actions['overdue']} overdue")
    click.echo("")
    table(
        ("cluster", "recs", "assessed", "before", "implemented", "open", "overdue", "title"),
        (
            (
                c["cluster"],
                c["recommendations"],
                assessed(c["status"]),
                assessed(c["status_before"]),
                c["status"]["implemented"],
                c["actions"]["open"],
                c["actions"]["overdue"],
                c["title"],
            )
            for c in board["clusters"]
        ),
    )


def assessed(status: Mapping[str, int]) -> int:
    return sum(n for s, n in status.items() if s != follow_up.NOT_ASSESSED)


def print_overview(rows: list[Item], board: Mapping[str, Any]) -> None:
    print_dashboard(board)
    click.echo("")
    table(
        ("no.", "cluster", "status", "since", "open", "overdue", "done", "cited", "indicators"),
        (
            (
                row["number"],
                cluster_key(row["number"]),
                words(row["status"]),
                row["status_since"],
                row["actions"]["open"],
                row["actions"]["overdue"],
                row["actions"]["completed"],
                row["cited"],
                indicator_words(row["tracked_indicators"]) or "—",
            )
            for row in rows
        ),
    )
    if board["changed"]:
        click.echo("")
        click.echo(f"Changed since {board['before']}:")
        for change in board["changed"]:
            by = f" by {change['by']}" if change["by"] else ""
            line = (
                f"{change['number']:>2}: {words(change['from'])} -> {words(change['to'])}"
                f" on {change['since']}{by}: {change['rationale'] or ''}"
            )
            click.echo(textwrap.fill(line.rstrip(": "), WIDTH, subsequent_indent="    "))


def last_of(shown: Sequence[Any]) -> str:
    """` (117; the last 10)` when a list is cut to its last `SHOWN`."""
    return f" ({len(shown)}; the last {SHOWN})" if len(shown) > SHOWN else ""


def print_recommendation(item: Item) -> None:
    head = f"Recommendation {item['number']} ({cluster_key(item['number'])}, to "
    click.echo(textwrap.fill(f"{head}{item['addressee']}): {item['text']}", WIDTH))
    click.echo("")
    status = words(item["status"])
    if item["status_since"]:
        status += f" since {item['status_since']}"
        if item["previous_status"]:
            status += f" (before: {words(item['previous_status'])}"
            status += f" since {item['previous_status_since']})"
    click.echo(f"Status: {status}")
    if item["assessments"]:
        made = item["assessments"]
        click.echo(
            f"Assessments ({len(made)}{'; the last ' + str(SHOWN) if len(made) > SHOWN else ''}):"
        )
        for a in made[-SHOWN:]:
            by = f" by {a['assessed_by']}" if a["assessed_by"] else ""
            line = f"  {a['assessed_on']} {words(a['status'])}{by}: {a['rationale'] or ''}"
            click.echo(textwrap.fill(line.rstrip(": "), WIDTH, subsequent_indent="      "))
    if item["planned_actions"]:
        planned = item["planned_actions"]
        pending = sorted(
            (a for a in planned if a["status"] == "open"),
            key=lambda a: (not a["overdue"], a["due_on"]),
        )
        counted = ", ".join(
            f"{n} {state}"
            for state in ("open", "overdue", "completed", "abandoned")
            if (n := item["actions"][state])
        )
        click.echo(f"Actions ({counted}):")
        if pending:
            print_actions(pending[:SHOWN], indent="  ")
        if len(pending) > SHOWN:
            more = f"followup actions --recommendation {item['number']} --status open"
            click.echo(f"  ... and {len(pending) - SHOWN} more open ({more})")
    if item["tracked_indicators"]:
        click.echo("Indicators:")
        for name, t in item["tracked_indicators"].items():
            trend = ", ".join(f"{p['on']}: {p['value']}" for p in t.get("trend", []))
            click.echo(
                f"  {name}: {t['value']} ({words(t['status'])}); baseline "
                f"{t['baseline']['value']} on {t['baseline']['on']}, target "
                f"{t['target']['value']} by {t['target']['on']}"
            )
            click.echo(
                textwrap.fill(
                    t["description"], WIDTH, initial_indent="    ", subsequent_indent="    "
                )
            )
            if t.get("problem"):
                click.echo(f"    {t['problem']}")
            if trend:
                click.echo(
                    textwrap.fill(
                        f"trend: {trend}", WIDTH, initial_indent="    ", subsequent_indent="      "
                    )
                )
    if item["self_assessments"]:
        answers = item["self_assessments"]
        click.echo(f"The States' answers{last_of(answers)}:")
        for answer in answers[-SHOWN:]:
            line = (
                f"  {answer['answered_on']} {answer['state']} ({answer['questionnaire']}): "
                f"{words(answer['status'])}. {answer['text'] or ''}"
            )
            click.echo(textwrap.fill(line.rstrip(), WIDTH, subsequent_indent="      "))
    click.echo(f"Events citing it: {item['cited']} (--json lists them)")


@click.command()
@click.argument("number", type=click.IntRange(1, 66), required=False)
@reading_options
def status(asked: Asked, number: int | None) -> None:
    """Where the 66 recommendations stand: the dashboard (statuses by cluster on the
    date and a year before, or on --from; actions open and overdue; what changed) and
    each recommendation's status, actions and indicators. With NUMBER, that
    recommendation's story: every assessment (who, when, why), its actions, its
    indicators with their trend, the States' answers, the events citing it."""
    with open_services(asked.database_url, writes=False) as services:
        read = asked.reading(services)
        views: Views = services.views
        envelope = views.envelope(read, asked.as_of)
        if number is not None:
            indicators = lambda n: views.indicators_for(read, n)  # noqa: E731
            if asked.as_json:
                item = queries.recommendation(read, number, indicators, views.figures)
                print_json({**envelope, "item": item})
            else:
                # For people: the events citing it counted, not read (thousands, at times).
                overview = follow_up.Overview(read, indicators, views.figures)
                print_recommendation(follow_up.recommendation_detail(overview, number))
            return
        overview = follow_up.Overview(read, views.indicators, views.figures)
        rows = overview.rows()
        board = follow_up.dashboard(overview, rows)
    if asked.as_json:
        print_json({**envelope, "total": len(rows), "items": rows, "dashboard": board})
    else:
        print_overview(rows, board)


# -- followup actions ----------------------------------------------------------------


def action_state(action: Item) -> str:
    if action["overdue"]:
        days = action["days_overdue"]
        return f"overdue by {days} day{'s' if days != 1 else ''}"
    return str(action["status"])


def print_actions(found: list[Item], indent: str = "") -> None:
    if not found:
        click.echo(f"{indent}no action")
        return
    for a in found:
        numbers = ", ".join(str(n) for n in a["recommendations"])
        done = f", {a['percent']}%" if a["percent"] is not None else ""
        who = a["responsible"] + (f" <{a['responsible_email']}>" if a["responsible_email"] else "")
        click.echo(
            f"{indent}{a['action']} ({action_state(a)}{done}) due {a['due_on']}, "
            f"recommendations {numbers}"
        )
        more = indent + "    "
        click.echo(
            textwrap.fill(a["description"], WIDTH, initial_indent=more, subsequent_indent=more)
        )
        click.echo(f"{more}lead {a['lead']}, responsible {who}")
        if a["first_due_on"] != a["due_on"]:
            click.echo(f"{more}first due {a['first_due_on']}")
        if a["progress"]:
            latest = a["progress"][-1]
            shortened(more, f"{latest['on']}: {latest['text']}")
        if a["completed_on"]:
            evidence = a["evidence"] or {}
            cited = [*evidence.get("events", []), *evidence.get("documents", [])]
            shortened(more, f"completed {a['completed_on']}: " + ", ".join(cited))
        if a["abandoned_on"]:
            shortened(more, f"abandoned {a['abandoned_on']}: {a['reason']}")


@click.command()
@click.option(
    "--status",
    "state",
    type=click.Choice(["open", "overdue", "completed", "abandoned"]),
    help="Their state on the date (open includes overdue); with --from/--to, completed "
    "and abandoned mean in that period.",
)
@click.option("--recommendation", type=click.IntRange(1, 66), help="Those advancing it.")
@click.option("--lead", help="Those this party or organisation leads (its code).")
@click.option("--person", help="Those this person is responsible for (name or email).")
@reading_options
def actions(
    asked: Asked,
    state: str | None,
    recommendation: int | None,
    lead: str | None,
    person: str | None,
) -> None:
    """The actions planned to follow up the recommendations, as they stood on the date:
    state (open, overdue by how many days, completed, abandoned), due date, lead, person
    responsible, latest progress and evidence."""
    with open_services(asked.database_url, writes=False) as services:
        read = asked.reading(services)
        found = action_area.actions(
            read.items("actions"),
            read.period,
            recommendation=recommendation,
            lead=lead,
            person=person,
            status=state,
        )
        envelope = services.views.envelope(read, asked.as_of)
    if asked.as_json:
        print_json({**envelope, "total": len(found), "items": found})
    else:
        print_actions(found)


COMMANDS = [status, actions]
