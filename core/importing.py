"""Importing events from files: the importer port, and the one path every file takes.

An importer turns the lines of a file into (line number, raw event) pairs: a raw event
is the flat object a client would send to the API. Importers are plugins'
contributions (hook ``followup_importers``), chosen by the file's extension. Whatever
the format, raw events go through the same validation as the API (``FollowUp.validate``)
and are recorded by ``record_batch`` in one transaction: a file is imported whole or
not at all, and a problem is reported with its line (and field)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from core.application import FollowUp
from core.catalogue import Catalogue
from core.envelope import SYSTEM_FIELDS, Draft
from core.errors import FollowupError, InvalidEvent, LifecycleConflict
from core.ports import IdempotencyKey

#: (line number of the event in the file, the raw event as a client would send it)
Numbered = tuple[int, Any]
#: An importer's parser: the file's lines (with their line ends) -> numbered raw events.
Parse = Callable[[Iterable[str], Catalogue], Iterator[Numbered]]


@dataclass(frozen=True)
class Importer:
    """A file format events can be imported from. `extensions` are lower case, with
    the dot (``.csv``); `parse` raises ImportProblem for a line it cannot read."""

    name: str
    extensions: tuple[str, ...]
    description: str
    parse: Parse


class ImportProblem(FollowupError):
    """A line of a file that cannot be imported; nothing of the file was recorded."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


class ExportedLine(ImportProblem):
    """A line of an `events export` (it carries what the system adds on recording): an
    export is restored whole into an empty store, with its ids, times and chain, not
    imported as new events."""

    def __init__(self, line: int) -> None:
        super().__init__(
            line,
            f"this is a line of an events export (it carries {', '.join(SYSTEM_FIELDS)}): "
            "an export is restored whole into an empty store, not imported as new events",
        )


@dataclass(frozen=True)
class Imported:
    """What an import did: how many events, and the last position (0 on a dry run)."""

    count: int
    last_position: int
    dry_run: bool


def importer_for(
    importers: Mapping[str, Importer], path: str | PurePath, name: str | None = None
) -> Importer:
    """The importer named `name`, or else the one for the file's extension."""
    if name is not None:
        if name not in importers:
            raise FollowupError(
                f"No importer named {name!r}; known: {', '.join(sorted(importers))}."
            )
        return importers[name]
    suffix = PurePath(path).suffix.lower()
    for importer in importers.values():
        if suffix in importer.extensions:
            return importer
    known = ", ".join(sorted(e for i in importers.values() for e in i.extensions))
    raise FollowupError(
        f"Cannot tell the format of {PurePath(path).name!r} from its extension; "
        f"known extensions: {known} (or name one with --format)."
    )


class _Counted:
    """Lines of a file, counting the characters read (for a progress bar)."""

    def __init__(self, lines: Iterable[str], progress: Callable[[int], None] | None) -> None:
        self.lines = lines
        self.progress = progress

    def __iter__(self) -> Iterator[str]:
        if self.progress is None:
            yield from self.lines
            return
        for line in self.lines:
            self.progress(len(line))
            yield line


def check(
    app: FollowUp,
    importer: Importer,
    lines: Iterable[str],
    *,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Draft], list[int]]:
    """Parse and validate every event of a file; the drafts and their line numbers."""
    drafts: list[Draft] = []
    numbers: list[int] = []
    for number, raw in importer.parse(_Counted(lines, progress), app.catalogue):
        if isinstance(raw, Mapping) and all(name in raw for name in SYSTEM_FIELDS):
            raise ExportedLine(number)
        try:
            drafts.append(app.validate(raw))
        except InvalidEvent as error:
            raise ImportProblem(number, error.describe()) from None
        numbers.append(number)
    return drafts, numbers


def record(
    app: FollowUp,
    drafts: Sequence[Draft],
    numbers: Sequence[int],
    *,
    recorded_by: str,
    role: str | None = None,
    dry_run: bool = False,
    idempotency: IdempotencyKey | None = None,
) -> Imported:
    """Record checked drafts, all or nothing: a lifecycle conflict or a problem found
    on recording names the line of the event at fault. `role` None is the operator's
    import; with a role, the events are checked as that role's requests would be
    (what it may record, what it may see). An idempotency key is kept with the events
    (so an interrupted import can tell whether it was committed)."""
    try:
        recorded = app.record_batch(
            drafts, recorded_by, role=role, dry_run=dry_run, idempotency=idempotency
        )
    except InvalidEvent as error:
        raise ImportProblem(
            numbers[error.index or 0], InvalidEvent(error.messages).describe()
        ) from None
    except LifecycleConflict as error:
        raise ImportProblem(numbers[error.index or 0], error.message) from None
    return Imported(len(drafts), recorded[-1].position if recorded else 0, dry_run)


def import_events(
    app: FollowUp,
    importer: Importer,
    lines: Iterable[str],
    *,
    recorded_by: str,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Imported:
    """Check then record every event of a file, all or nothing."""
    drafts, numbers = check(app, importer, lines, progress=progress)
    return record(app, drafts, numbers, recorded_by=recorded_by, dry_run=dry_run)
