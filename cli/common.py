"""What every command shares: the --database-url option and opening the services."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from followup.bootstrap import DATABASE_URL_VARIABLE, DEFAULT_DATABASE_URL, Services, bootstrap

F = TypeVar("F", bound=Callable[..., Any])


def database_url_option(command: F) -> F:
    return click.option(
        "--database-url",
        envvar=DATABASE_URL_VARIABLE,
        default=DEFAULT_DATABASE_URL,
        show_default=True,
        help="The store: sqlite:///FILE or postgresql://USER@HOST/DB "
        f"(or ${DATABASE_URL_VARIABLE}).",
    )(command)


@contextmanager
def open_services(url: str) -> Iterator[Services]:
    services = bootstrap(url)
    try:
        yield services
    finally:
        services.close()


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, sort_keys=False)
    sys.stdout.write("\n")
