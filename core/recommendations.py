"""The 66 recommendations of the Bureau's 2007 report on cooperation, as data.

The catalogue is parsed once from the report by ``scripts/parse_recommendations.py``
and shipped as ``core/data/recommendations.json``, so nothing reads prose at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

#: The Assembly adopted the 66 recommendations (annexed to resolution ICC-ASP/6/Res.2, at
#: its 7th plenary meeting, by consensus) on this day: nothing can have advanced or
#: assessed them before.
ADOPTED = date(2007, 12, 14)
ADOPTED_BY = "ICC-ASP/6/Res.2"


@dataclass(frozen=True)
class Recommendation:
    """One recommendation with the part and cluster of the report it belongs to."""

    number: int
    part: str
    cluster: str | None
    cluster_title: str
    cluster_number: int | None
    addressee: str
    text: str
    paragraphs: tuple[int, ...]


def _from_json(item: dict[str, Any]) -> Recommendation:
    return Recommendation(
        number=int(item["number"]),
        part=str(item["part"]),
        cluster=item["cluster"],
        cluster_title=str(item["cluster_title"]),
        cluster_number=item["cluster_number"],
        addressee=str(item["addressee"]),
        text=str(item["text"]),
        paragraphs=tuple(int(number) for number in item["paragraphs"]),
    )


@cache
def catalogue() -> tuple[Recommendation, ...]:
    """All recommendations in report order, read once from the packaged JSON."""
    raw = files("core.data").joinpath("recommendations.json").read_text(encoding="utf-8")
    return tuple(_from_json(item) for item in json.loads(raw))


@cache
def _by_number() -> dict[int, Recommendation]:
    return {recommendation.number: recommendation for recommendation in catalogue()}


def get(number: int) -> Recommendation:
    """The recommendation with this number; ``KeyError`` if the report has none."""
    return _by_number()[number]


@cache
def _words() -> dict[int, dict[str, Any]]:
    raw = files("core.data").joinpath("recommendations-words.json").read_text(encoding="utf-8")
    return {int(item["number"]): item for item in json.loads(raw)["recommendations"]}


def short_title(number: int, language: str = "en") -> str:
    """The recommendation's short title ('National focal point', 'Point focal national'),
    written for the annual report's status tables (``core/data/recommendations-words.json``)."""
    return str(_words()[number]["short_title"][language])


def text_in(number: int, language: str = "en") -> str:
    """The recommendation's text in a language: the report's own English; in French an
    unofficial translation (the report's official French version is not available to
    the project: the annual report says so wherever it shows it)."""
    if language == "en":
        return get(number).text
    return str(_words()[number]["text"][language])


#: Languages whose text of the recommendations is a translation made for followup, not
#: the Assembly's official version.
UNOFFICIAL = frozenset({"fr"})


def clusters() -> list[tuple[str, str | None, str]]:
    """(part, cluster, cluster_title) of every section with recommendations, in report order."""
    seen = dict.fromkeys((r.part, r.cluster, r.cluster_title) for r in catalogue())
    return list(seen)


def cluster_key(number: int) -> str:
    """The section of the report a recommendation belongs to: ``"I.A"``...``"II.B"``,
    ``"III"``."""
    r = get(number)
    return f"{r.part}.{r.cluster}" if r.cluster else r.part
