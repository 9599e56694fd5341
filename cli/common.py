"""What every command shares: the --database-url option and opening the services."""

from __future__ import annotations

import functools
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from core.errors import StoreError
from core.words import EVENT, Noun, Words
from followup.bootstrap import (
    DATABASE_URL_VARIABLE,
    DEFAULT_DATABASE_URL,
    Services,
    bootstrap,
    database_url,
    redacted,
    store_adapter,
)
from followup.registry import Registry

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
def open_services(url: str, *, create: bool = False, writes: bool = True) -> Iterator[Services]:
    """The services over the store at `url`. Only `create` (followup init) makes a
    store where there is none. A command that only reads (`writes` False) works on a
    store this process may not write to (an auditor's write-protected copy): it reads
    a temporary copy, where the views it derives are written; a command that writes
    is refused there, in one line."""
    registry = Registry.load(load_entry_points=True)
    adapter = store_adapter(registry.stores, database_url(url))
    read_only = (
        not create
        and adapter.writable is not None
        and (adapter.exists is None or adapter.exists(url))
        and not adapter.writable(url)
    )
    if read_only and (writes or adapter.copy is None):
        raise StoreError(
            f"The store at {redacted(url)} is read-only; this command writes to it "
            "(commands that only read work on it)."
        )
    with tempfile.TemporaryDirectory(prefix="followup-read-only-") as folder:
        if read_only and adapter.copy is not None:
            url = adapter.copy(url, folder)
            click.echo("note: the store is read-only; reading a temporary copy of it", err=True)
        services = bootstrap(url, create=create, registry=registry)
        try:
            yield services
        finally:
            services.close()


@functools.cache
def english() -> Words:
    """The command line's words: it speaks English, counts agreeing with their nouns
    and verbs by the same rules as the report's (Words.plural, Words.agree)."""
    return Words("en")


def counted(count: int, noun: Noun = EVENT) -> str:
    """A count in digits and its noun agreeing: "1 event", "2 events"."""
    return f"{count} {english().plural(count, noun)}"


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, sort_keys=False)
    sys.stdout.write("\n")
