"""The catalogue of the 66 recommendations of the 2007 report."""

from __future__ import annotations

import textwrap
from dataclasses import asdict

import click

from cli.common import print_json
from core.recommendations import catalogue


@click.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON list instead of a table.")
def recommendations(as_json: bool) -> None:
    """List the 66 recommendations: number, part, cluster, addressee and text."""
    items = catalogue()
    if as_json:
        print_json(
            [
                {
                    key: value
                    for key, value in asdict(r).items()
                    if key in ("number", "part", "cluster", "addressee", "text")
                }
                for r in items
            ]
        )
        return
    for r in items:
        where = f"{r.part}.{r.cluster}" if r.cluster else r.part
        head = f"{r.number:>2}  {where:<5} {r.addressee:<28} "
        lines = textwrap.wrap(r.text, width=100 - len(head))
        click.echo(head + lines[0])
        for line in lines[1:]:
            click.echo(" " * len(head) + line)


COMMANDS = [recommendations]
