#!/usr/bin/env python3
"""Parse the 66 recommendations of the Bureau's 2007 report on cooperation into JSON.

The catalogue is parsed once and committed (core/data/recommendations.json) so that the
application never reads prose at run time; ``--check`` lets the test suite prove that the
committed JSON is still exactly what the committed report text yields.

Usage: python scripts/parse_recommendations.py [SOURCE] [-o OUTPUT] [--check]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generated import write_or_check

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO / "core" / "data" / "report-of-the-bureau-on-cooperation-2007.txt"
DEFAULT_OUTPUT = REPO / "core" / "data" / "recommendations.json"
COUNT = 66

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
FOOTNOTE_MARK = re.compile(f"[{SUPERSCRIPTS}]+")
FOOTNOTE_LINE = re.compile(f"^[{SUPERSCRIPTS}]+ ")
EMPHASIS = re.compile(r"\*+([^*]+?)\*+")
TOC_ENTRY = re.compile(r"^(?P<title>.+?)\.*\t(?P<first>\d+)-(?P<last>\d+)\t\d+$")
PART_LINE = re.compile(r"^Part (?P<part>I|II|III|IV)$")
CLUSTER_LINE = re.compile(r"^(?P<cluster>[A-G])\. (?:Cluster (?P<number>\d): )?(?P<title>.+)$")
ADDRESSEE_LINE = re.compile(r"^Recommendations to (?P<addressee>.+)$")
RECOMMENDATION_LINE = re.compile(r"^Recommendation (?P<number>\d+)$")
PARAGRAPH_LINE = re.compile(r"^(?P<number>\d+)\. ")

ADDRESSEES = ("States Parties", "the Court", "the Assembly", "States Parties and the Court")

# Parts I and III have no "Recommendations to ..." headings, so the addressee comes from
# the text: the first actor whose modal verb opens the request (see ACTOR). These are the
# Part I/III recommendations that name more than one actor; they were decided by hand.
ADDRESSEE_BY_HAND: dict[int, str] = {
    4: "States Parties",  # "States Parties and/or the Assembly ... could organise"
    21: "States Parties",  # "States Parties and the Assembly of States Parties should consider"
    23: "States Parties and the Court",  # "The Court and the States Parties focal points ..."
    28: "States Parties and the Court",  # "States Parties should ... – the Court should facilitate"
    31: "the Assembly",  # "The Assembly ... should – together with the Court - further examine"
}
ACTOR = re.compile(
    r"\b(?P<actor>the Assembly of States Parties|States Parties|the Court),? "
    r"(?:should|could|may|must)\b",
    re.IGNORECASE,
)
ADDRESSEE_OF_ACTOR = {
    "the assembly of states parties": "the Assembly",
    "states parties": "States Parties",
    "the court": "the Court",
}


@dataclass
class Section:
    """A part or cluster that recommendations follow, with its report paragraphs."""

    part: str
    cluster: str | None
    cluster_number: int | None
    title: str
    paragraphs: list[int]
    seen: list[int] = field(default_factory=list)


@dataclass
class Found:
    """A recommendation as met in the text: its heading context and its raw lines."""

    number: int
    section: Section
    heading: str | None
    lines: list[str] = field(default_factory=list)


def clean(text: str) -> str:
    """Drop footnote markers and emphasis markup; keep the report's own punctuation."""
    text = FOOTNOTE_MARK.sub("", text)
    text = EMPHASIS.sub(r"\1", text)
    return " ".join(text.split())


def table_of_contents(lines: list[str]) -> dict[str, list[int]]:
    """Map each contents entry's title to its paragraph range (the report's own index)."""
    ranges: dict[str, list[int]] = {}
    for line in lines:
        if match := TOC_ENTRY.match(line.rstrip()):
            first, last = int(match["first"]), int(match["last"])
            ranges[match["title"].strip()] = list(range(first, last + 1))
    return ranges


def scan(text: str) -> list[Found]:
    """Walk the report line by line and collect each recommendation's lines in context.

    A recommendation runs from its "Recommendation N" heading to the next heading or
    numbered paragraph. Footnote lines are skipped without ending it, so a recommendation
    broken over a page (footnotes, then the rest) is joined again.
    """
    lines = text.splitlines()
    toc = table_of_contents(lines)
    found: list[Found] = []
    current: Found | None = None
    part: str | None = None
    awaiting_part_title = False
    section: Section | None = None
    heading: str | None = None
    for raw in lines:
        line = raw.strip()
        if not line or "\t" in raw:  # blank, the table of contents or Annex II's list
            continue
        if match := PART_LINE.match(line):
            current, section, heading = None, None, None
            part, awaiting_part_title = match["part"], True
        elif awaiting_part_title:
            awaiting_part_title = False
            if part == "III":  # Part III has no clusters: its title is the section's
                title = clean(line)
                section = Section("III", None, None, title, toc[title])
        elif FOOTNOTE_LINE.match(line):
            continue
        elif part in ("I", "II") and (match := CLUSTER_LINE.match(line)):
            current, heading = None, None
            number = int(match["number"]) if match["number"] else None
            title = clean(match["title"])
            section = Section(part, match["cluster"], number, title, toc[clean(line)])
        elif match := ADDRESSEE_LINE.match(line):
            current, heading = None, match["addressee"]
        elif match := RECOMMENDATION_LINE.match(line):
            if section is None:
                raise ValueError(f"{line!r} outside any part or cluster")
            current = Found(int(match["number"]), section, heading)
            found.append(current)
        elif match := PARAGRAPH_LINE.match(line):
            current = None
            if section is not None:
                section.seen.append(int(match["number"]))
        elif current is not None:
            current.lines.append(line)
    for item in found:
        if item.section.seen != item.section.paragraphs:
            raise ValueError(f"contents and body disagree on {item.section.title!r}")
    return found


def addressee(item: Found, text: str) -> str:
    """Part II says whom it addresses in headings; Parts I and III are read from the text."""
    if item.section.part == "II":
        if item.heading is None:
            raise ValueError(f"recommendation {item.number} has no 'Recommendations to' heading")
        return item.heading
    if item.number in ADDRESSEE_BY_HAND:
        return ADDRESSEE_BY_HAND[item.number]
    if match := ACTOR.search(text):
        return ADDRESSEE_OF_ACTOR[match["actor"].lower()]
    raise ValueError(f"cannot tell whom recommendation {item.number} addresses")


def parse(text: str) -> list[dict[str, object]]:
    """Return the recommendations as JSON-ready records, checked for completeness."""
    records: list[dict[str, object]] = []
    for item in scan(text):
        body = clean(" ".join(item.lines))
        if not body:
            raise ValueError(f"recommendation {item.number} has no text")
        to = addressee(item, body)
        if to not in ADDRESSEES:
            raise ValueError(f"recommendation {item.number}: unknown addressee {to!r}")
        records.append(
            {
                "number": item.number,
                "part": item.section.part,
                "cluster": item.section.cluster,
                "cluster_title": item.section.title,
                "cluster_number": item.section.cluster_number,
                "addressee": to,
                "text": body,
                "paragraphs": item.section.paragraphs,
            }
        )
    numbers = [record["number"] for record in records]
    if numbers != list(range(1, COUNT + 1)):
        raise ValueError(f"expected recommendations 1-{COUNT} in order, found {numbers}")
    return records


def render(records: list[dict[str, object]]) -> str:
    """Serialise deterministically, so that regeneration gives identical bytes."""
    return json.dumps(records, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the catalogue, or with --check report whether the committed one is stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if OUTPUT differs from a fresh parse"
    )
    args = parser.parse_args(argv)
    fresh = render(parse(args.source.read_text(encoding="utf-8")))
    return write_or_check(args.output, fresh, check=args.check)


if __name__ == "__main__":
    sys.exit(main())
