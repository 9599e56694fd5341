"""Checking a published report against the log (``followup report verify FILE``).

The PDF carries its data (``report-data.json``) with the log position, `as_of` and the
chain digest it was derived at. Verifying:

1. recomputes the hash chain up to that position and checks the digest there, so no
   event the report rests on was changed, removed or inserted;
2. gathers the data again from the log at that position (a plain fold of its events,
   never the views' tables, which are derived and could have been changed) and
   compares it with the attached data, figure by figure and line by line;
3. draws the document again from the attached data and compares the bytes, so the
   pages say what the data says (when this machine has the same software that drew
   it; otherwise it says it could not compare);
4. reads the log at its head with the same period, and names the figures that events
   recorded since (dated back into the period) would change. Those do not make the
   report wrong: it is of its position.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from auditor.tlog import NoteError, VerifierKey, verify_checkpoint
from core.checkpoints import events_root, known_keys
from core.verification import Published, Verification
from core.views.memory import fold
from reports.annual import signing, software
from reports.annual.document import ATTACHMENT, drawing, pdf
from reports.annual.gather import (
    EARLIER_FORMATS,
    FORMAT,
    LEVEL,
    LogPoint,
    ReportPeriod,
    gather,
    read,
)
from reports.config import ReportConfig
from reports.errors import ReportError
from reports.sections import ReportSources

#: At most this many differences are named.
LISTED = 20


def attached_data(document: bytes) -> dict[str, Any]:
    """The data attached to one of our reports; ReportError for anything else."""
    return _read(document)[0]


def language_of(document: bytes) -> str:
    """The language the report was drawn in (its catalogue's /Lang: ``en``, ``fr``)."""
    return _read(document)[1]


def _read(document: bytes) -> tuple[dict[str, Any], str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(document))
        attachments = reader.attachments
        found = attachments.get(ATTACHMENT)
        root: Any = reader.trailer["/Root"]
        language = str(root.get("/Lang", "en"))
    except (PyPdfError, ValueError, KeyError, TypeError) as error:
        raise ReportError(f"This is not a readable PDF: {error}") from None
    if not found:
        raise ReportError(f"This PDF has no {ATTACHMENT} attached: it is not an annual report.")
    try:
        data = orjson.loads(found[0])
    except orjson.JSONDecodeError:
        raise ReportError(f"The attached {ATTACHMENT} is not JSON.") from None
    if isinstance(data, dict) and data.get("format") in EARLIER_FORMATS:
        return data, language
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ReportError(f"The attached {ATTACHMENT} is not of the format {FORMAT}.")
    return data, language


def differences(reported: Any, derived: Any, path: str = "") -> Iterator[str]:
    """Where two JSON values differ, as 'path: reported != derived'."""
    if isinstance(reported, Mapping) and isinstance(derived, Mapping):
        for key in sorted(set(reported) | set(derived), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in derived:
                yield f"{where}: in the report, not in the log"
            elif key not in reported:
                yield f"{where}: in the log, not in the report"
            else:
                yield from differences(reported[key], derived[key], where)
    elif isinstance(reported, list) and isinstance(derived, list):
        if len(reported) != len(derived):
            yield f"{path}: {len(reported)} entries in the report, {len(derived)} in the log"
        for index, (a, b) in enumerate(zip(reported, derived, strict=False)):
            yield from differences(a, b, f"{path}[{index}]")
    elif reported != derived:
        yield f"{path}: {_short(reported)} in the report, {_short(derived)} in the log"


def _short(value: Any) -> str:
    text = orjson.dumps(value).decode()
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass
class ReportVerification:
    """What verifying a report found; `ok` when the log proves it."""

    point: LogPoint
    period: Mapping[str, Any]
    chain: Verification
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    later: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        head = (
            f"report on {self.period['label']} ({self.period['from']} to {self.period['to']}) "
            f"at log position {self.point.position}, as of {self.point.as_of}, "
            f"digest {self.point.head}"
        )
        lines = [("OK " if self.ok else "FAILED ") + head]
        lines += [f"  FAILED: {problem}" for problem in self.problems]
        lines += [f"  {note}" for note in self.notes]
        lines += self.later
        return "\n".join(lines)


def verify(
    sources: ReportSources,
    document: bytes,
    *,
    redraw: bool = True,
    trust: Sequence[Path] = (),
    keys: Sequence[VerifierKey] = (),
) -> ReportVerification:
    data, language = _read(document)
    signed = signing.signatures(document) > 0
    try:
        point = LogPoint(
            int(data["log"]["position"]), str(data["log"]["as_of"]), str(data["log"]["head"])
        )
        period = ReportPeriod.from_json(data["report"])
        config = ReportConfig.from_json(data["heading"])
        published = Published(bytes.fromhex(point.head), point.position)
    except (KeyError, TypeError, ValueError) as error:
        raise ReportError(f"The attached {ATTACHMENT} is incomplete: {error}") from None
    chain = sources.app.verify(against=published)
    found = ReportVerification(point, data["report"], chain)
    if signed:
        _check_signature(found, document, trust)
    _check_checkpoint(sources, found, data, keys)
    damage = chain.damage
    if damage is not None and damage.position <= point.position:
        found.problems.append(f"the log is damaged at {damage}, within the report's events")
    elif chain.found is None:
        found.problems.append(
            f"the log has no event at position {point.position} any more (events removed?)"
        )
    elif chain.found != published.digest:
        found.problems.append(
            f"the log's digest at position {point.position} is {chain.found.hex()}, "
            f"not {point.head}"
        )
    else:
        found.notes.append(
            f"chain: {point.position} positions verified; the digest at {point.position} "
            "is the report's"
        )
    if damage is not None and damage.position > point.position:
        found.notes.append(
            f"WARNING: the log is damaged after the report's position, at {damage}; "
            "run `followup verify`"
        )
    if found.problems:
        return found
    if data["format"] != FORMAT:
        found.notes.append(
            f"data and pages: not compared: the report's data is of the earlier format "
            f"{data['format']} (its sentences were kept in it); this version derives "
            f"{FORMAT}. Verify them with the version that drew it"
        )
        _later_events(sources, found, data, period)
        return found
    # Derived again from the log itself (a plain fold of its events up to the report's
    # position), not from the views' tables, which are derived data anyone with the
    # database could change.
    views = sources.views
    log = sources.app.read_log(upto=point.position)
    derived = gather(sources, period, point, config, fold(views.folds, log, LEVEL, point.position))
    reported = {k: v for k, v in data.items() if k not in ("document", "checkpoint")}
    differing = list(differences(reported, derived))
    if differing:
        found.problems.append(
            f"the attached data differs from the log at position {point.position} in "
            f"{len(differing)} places:"
        )
        found.problems.extend(f"  {line}" for line in differing[:LISTED])
    else:
        found.notes.append(
            f"data: every figure, list and chart series derived again from the log's "
            f"{point.position} events (a fold of the log, not the views' tables) is the "
            "report's"
        )
    if redraw:
        _compare_pages(found, data, document, sources, language, signed)
    if damage is not None:
        found.later.append("  since then: not read (the log is damaged after the report)")
    else:
        _later_events(sources, found, data, period)
    return found


def _check_signature(found: ReportVerification, document: bytes, trust: Sequence[Path]) -> None:
    signature = signing.check(document, trust)
    if signature.ok:
        found.notes.append(
            f"signature: PAdES by {signature.signer} at {signature.signed_at}, intact, "
            "trusted, covering the whole file"
        )
    else:
        found.problems.extend(f"signature: {problem}" for problem in signature.problems)


def _check_checkpoint(
    sources: ReportSources,
    found: ReportVerification,
    data: Mapping[str, Any],
    keys: Sequence[VerifierKey],
) -> None:
    """The signed checkpoint the report carries: signed by a key of the log, of the
    report's position, with the root of the log's events up to it."""
    signed = data.get("checkpoint")
    if signed is None:
        found.notes.append("checkpoint: none (no signing key was configured)")
        return
    try:
        verified = verify_checkpoint(str(signed), list(keys) or known_keys(sources.app))
    except NoteError as error:
        found.problems.append(f"checkpoint: refused: {error}")
        return
    point = verified.checkpoint
    if point.size != found.point.position:
        found.problems.append(
            f"checkpoint: of size {point.size}, not the report's position {found.point.position}"
        )
    elif events_root(sources.app, point.size) != point.root:
        found.problems.append(
            f"checkpoint: the log's first {point.size} events do not hash to its root: "
            "the log's history was rewritten"
        )
    else:
        found.notes.append(
            f"checkpoint: signed by {verified.signed_by.name}, the root of the log's first "
            f"{point.size} events"
        )


def _compare_pages(
    found: ReportVerification,
    data: Mapping[str, Any],
    document: bytes,
    sources: ReportSources,
    language: str,
    signed: bool = False,
) -> None:
    drawn_with = data.get("document", {}).get("software")
    here = software()
    if drawn_with != here:
        found.notes.append(
            f"pages: not compared, the report was drawn with {_versions(drawn_with)} and "
            f"this machine has {_versions(here)}"
        )
    elif language not in ("en", "fr"):
        found.problems.append(f"the report says it is in {language!r}: followup draws en and fr")
    elif not _drawn_as(pdf(data, drawing(sources), language), document, signed):
        found.problems.append(
            "the pages differ from a fresh rendering of the attached data: the file was "
            "altered after it was produced"
        )
    else:
        found.notes.append(
            f"pages: a fresh rendering of the attached data ({language}) is byte-identical"
        )


def _drawn_as(fresh: bytes, document: bytes, signed: bool) -> bool:
    """A signed report is the drawn report and, after it, the signature's update."""
    return document.startswith(fresh) if signed else document == fresh


def _versions(versions: Any) -> str:
    if not isinstance(versions, Mapping):
        return "unknown software"
    return ", ".join(f"{name} {version}" for name, version in sorted(versions.items()))


def _later_events(
    sources: ReportSources, found: ReportVerification, data: Mapping[str, Any], period: ReportPeriod
) -> None:
    """Name the figures that events recorded after the report's position change."""
    head = sources.app.head().position
    position = found.point.position
    if head <= position:
        found.later.append("  since then: no event recorded")
        return
    readings = read(sources, period, head)
    views = sources.views
    dated = sum(
        1
        for fact in readings.snapshot.facts(first=period.first, last=period.last)
        if fact.position > position
    )
    found.later.append(
        f"  since then: {head - position} events recorded (positions {position + 1} to "
        f"{head}), {dated} of them dated in the period"
    )
    changed = []
    for key, reading, label in (
        ("figures", readings.period, period.label),
        ("previous_figures", readings.previous, period.previous_label),
        ("cumulative_figures", readings.cumulative, f"to {period.last.isoformat()}"),
    ):
        now = views.summary(reading)
        for name, figure in sorted(data[key].items()):
            value = now.get(name, {}).get("value")
            if value != figure["value"]:
                changed.append(
                    f"    {name} ({label}): {_short(figure['value'])} in the report, "
                    f"{_short(value)} with the events recorded since"
                )
    if changed:
        found.later.append("  later back-dated events would change these figures:")
        found.later.extend(changed)
    else:
        found.later.append("  they change none of the report's figures")
