"""The parts and sections of the report, in the order of the Bureau's 2007 report, with
their headings in each language. Which events a section lists, the event types say
(``EventType.cluster``); which figures and sentences it has, the areas say
(``ReportProse``); which charts it shows, the charts do."""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.recommendations import catalogue, cluster_key
from core.words import Words


@dataclass(frozen=True)
class Cluster:
    """One section of Parts I to III: `letter` (A...) and `number` (the 2007 report's
    cluster, Part I only) as the heading shows them, the English `title` (the French
    is the message catalogue's), and the recommendations it makes."""

    key: str
    part: str
    letter: str | None
    number: int | None
    title: str
    recommendations: tuple[int, ...]

    @property
    def anchor(self) -> str:
        return "s-" + self.key.replace(".", "-")

    def name(self, words: Words) -> str:
        """'General legal mechanisms', 'Mécanismes juridiques généraux'."""
        return words.text(self.title)

    def heading(self, words: Words) -> str:
        """'A. Cluster 1: General legal mechanisms', 'A. Groupe 1 : Mécanismes ...';
        a section that is its Part's only one has the Part's title alone."""
        title = self.name(words)
        if self.number is not None:
            cluster = words.text("Cluster {number}: {title}").format(
                number=self.number, title=title
            )
            return f"{self.letter}. {cluster}"
        return f"{self.letter}. {title}" if self.letter else title

    @property
    def has_own_heading(self) -> bool:
        return self.letter is not None


#: The Parts' titles (English; French in the message catalogue).
PARTS = {
    "I": "States Parties and the Court",
    "II": "Cooperation in the United Nations context",
    "III": "International and regional organisations and the Court",
    "IV": "Conclusion",
}


def part_label(part: str, words: Words) -> str:
    """'Part I', 'Première partie'."""
    return words.text(f"Part {part}")


def _clusters() -> tuple[Cluster, ...]:
    found: dict[str, Cluster] = {}
    for r in catalogue():
        key = cluster_key(r.number)
        previous = found.get(key)
        found[key] = (
            replace(previous, recommendations=(*previous.recommendations, r.number))
            if previous is not None
            else Cluster(key, r.part, r.cluster, r.cluster_number, r.cluster_title, (r.number,))
        )
    return tuple(found.values())


CLUSTERS: tuple[Cluster, ...] = _clusters()

BY_KEY = {cluster.key: cluster for cluster in CLUSTERS}

#: Every section of the report a plugin's section may follow, in report order.
SECTION_ORDER = (
    "executive_summary",
    "introduction",
    *(cluster.key for cluster in CLUSTERS),
    "conclusion",
    "annexes",
)
