"""The report's own sentences, in the language of the `Words` they are written with:
the note by the Secretariat, the introduction, the status of the recommendations, what
each section leaves outstanding and what the Bureau recommends, the conclusion and
annex I's standing paragraphs. The areas write the rest (``ReportProse``), and each
event reads as its type says (``EventType.sentence``).

House rules (``core.words``): numbers below ten in words and larger ones in digits, never
a digit at the start of a sentence, nouns and verbs agreeing with their number, no
sentence about what did not happen unless it matters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from core.recommendations import catalogue
from core.words import Noun, Words
from reports.sections import ProseContext

#: The statuses in the order the report gives them (restricted: an assessment that is
#: not public, counted but not shown).
STATUSES = ("implemented", "ongoing", "in_progress", "not_started", "not_assessed", "restricted")

#: Open statuses: what a section leaves outstanding.
OUTSTANDING = frozenset({"in_progress", "not_started", "not_assessed"})

STATUS_LABELS = {
    "implemented": "Implemented",
    "ongoing": "Ongoing",
    "in_progress": "In progress",
    "not_started": "Not started",
    "not_assessed": "Not assessed",
    "restricted": "Not public",
}

RECOMMENDATION = Noun(
    ("recommendation", "recommendations"), ("recommandation", "recommandations"), feminine=True
)
ACTION = Noun(("action", "actions"), ("mesure", "mesures"), feminine=True)


def standing(data: Mapping[str, Any], number: int) -> Mapping[str, Any]:
    """A recommendation's entry in the report's status table (``{}`` when never
    assessed)."""
    found: Mapping[str, Any] = data["areas"].get("recommendation_status", {}).get(str(number), {})
    return found


def status_of(data: Mapping[str, Any], number: int) -> str:
    return str(standing(data, number).get("status", "not_assessed"))


def year_before_of(data: Mapping[str, Any], number: int) -> str:
    return str(standing(data, number).get("year_before", "not_assessed"))


def status_counts(data: Mapping[str, Any], numbers: Sequence[int] | None = None) -> Counter[str]:
    chosen = numbers if numbers is not None else [r.number for r in catalogue()]
    return Counter(status_of(data, n) for n in chosen)


def _status_clause(status: str, count: int, w: Words) -> str:
    """'20 were implemented', 'une était mise en œuvre' (the subject: recommendations)."""
    n = w.cardinal(count, feminine=True)
    plural = w.locale.plural_form(count) != "one"
    en = {
        "implemented": "was implemented" if not plural else "were implemented",
        "ongoing": "was ongoing" if not plural else "were ongoing",
        "in_progress": "was in progress" if not plural else "were in progress",
        "not_started": "had not been started",
        "not_assessed": "had not been assessed",
        "restricted": "had a status that is not public",
    }
    fr = {
        "implemented": "était mise en œuvre" if not plural else "étaient mises en œuvre",
        "ongoing": "était d’application permanente"
        if not plural
        else "étaient d’application permanente",
        "in_progress": "était en cours d’exécution"
        if not plural
        else "étaient en cours d’exécution",
        "not_started": "n’avait pas été entamée" if not plural else "n’avaient pas été entamées",
        "not_assessed": "n’avait pas été évaluée" if not plural else "n’avaient pas été évaluées",
        "restricted": "avait un statut non public"
        if not plural
        else "avaient un statut non public",
    }
    return f"{n} {w.say(en=en[status], fr=fr[status])}"


def status_sentence(
    counts: Mapping[str, int], p: ProseContext, *, of: str | None = None, total: int = 66
) -> str:
    """'At the end of 2024, of the 66 recommendations of the 2007 report, 20 were
    implemented, ... and 11 had not been assessed.' (`of`: another 'of the ...' phrase,
    for one section's recommendations.)"""
    w = p.words
    whole = of or w.say(
        en=f"of the {total} recommendations of the 2007 report",
        fr=f"sur les {total} recommandations du rapport de 2007",
    )
    if counts.get("not_assessed", 0) == total:
        return w.sentence(
            w.say(
                en=f"{p.at_end}, none {whole} had been assessed.",
                fr=f"{p.at_end}, aucune {_fr_of(whole)} n’avait été évaluée.",
            )
        )
    clauses = [_status_clause(s, counts[s], w) for s in STATUSES if counts.get(s)]
    return w.sentence(f"{p.at_end}, {whole}, {w.listing(clauses)}.")


def actions_sentence(
    data: Mapping[str, Any], p: ProseContext, *, section: str | None = None
) -> str | None:
    """The actions the focal point planned that were open at the end of the period, and
    how many of them were overdue (the follow-up's dashboard), for all the
    recommendations or one `section`'s; None without open actions."""
    board = data["areas"].get("recommendation_follow_up", {}).get("dashboard")
    if not board:
        return None
    w = p.words
    if section is None:
        counts = board.get("overall", {}).get("actions", {})
        whom = w.say(en="the recommendations", fr="aux recommandations")
    else:
        entry: Mapping[str, Any] = next(
            (c for c in board.get("clusters", []) if c.get("cluster") == section), {}
        )
        counts = entry.get("actions", {})
        whom = w.say(
            en="the recommendations of this section",
            fr="aux recommandations de la présente section",
        )
    open_, overdue = counts.get("open", 0), counts.get("overdue", 0)
    if not open_:
        return None
    text = w.say(
        en=f"{p.at_end}, {w.count(open_, ACTION)} planned in follow-up of {whom} "
        f"{w.agree(open_, one='was', other='were')} open",
        fr=f"{p.at_end}, {w.count(open_, ACTION)} "
        f"{w.agree(open_, one='prévue', other='prévues')} pour donner suite {whom} "
        f"{w.agree(open_, one='était', other='étaient')} en cours",
    )
    if overdue and open_ == 1:
        text += w.say(en=" and overdue", fr=" et en retard")
    elif overdue:
        text += w.say(
            en=f", {w.cardinal(overdue)} of them overdue",
            fr=f", dont {w.cardinal(overdue, feminine=True)} en retard",
        )
    return w.sentence(text + ".")


def paragraph(sentences: Sequence[str], p: ProseContext) -> str:
    """Sentences as one paragraph that says 'In 2024' and 'At the end of 2024' once
    each: a later sentence that opens with the same words loses them ('In 2024, the
    Court issued ... States arrested ...'), unless a number would then open it."""
    leads = [f"{lead[:1].upper()}{lead[1:]}, " for lead in (p.during, p.at_end)]
    said: set[str] = set()
    shown = []
    for sentence in sentences:
        lead = next((lead for lead in leads if sentence.startswith(lead)), None)
        if lead is not None:
            rest = sentence.removeprefix(lead)
            if lead in said and rest[:1].isalpha():
                sentence = p.words.sentence(rest)
            said.add(lead)
        shown.append(sentence)
    return " ".join(shown)


def _fr_of(whole: str) -> str:
    """'sur les 66 recommandations ...' -> 'des 66 recommandations ...'."""
    return "des " + whole.removeprefix("sur les ")


def changes_sentence(data: Mapping[str, Any], p: ProseContext) -> str | None:
    """How many recommendations changed status since a year before (the previous
    period's end), and how many of them to implemented; None when none did."""
    w = p.words
    moved = [
        status_of(data, r.number)
        for r in catalogue()
        if status_of(data, r.number) != year_before_of(data, r.number)
    ]
    if not moved:
        return None
    count = len(moved)
    implemented = moved.count("implemented")
    since = p.at_previous_end.removeprefix("at ").removeprefix("à ")
    text = w.say(
        en=f"Since {since}, {w.count(count, RECOMMENDATION)} changed status",
        fr=f"Depuis {since}, {w.count(count, RECOMMENDATION)} "
        f"{w.agree(count, one='a', other='ont')} changé de statut",
    )
    if implemented:
        text += w.say(
            en=f", {w.cardinal(implemented)} of them to implemented",
            fr=f", dont {w.cardinal(implemented, feminine=True)} "
            f"{w.agree(implemented, one='est', other='sont')} désormais "
            f"{w.agree(implemented, one='mise', other='mises')} en œuvre",
        )
    return w.sentence(text + ".")


def numbers_text(numbers: Sequence[int], w: Words) -> str:
    """'recommendation 4', 'recommendations 2, 3 and 6', 'recommendations 2 to 6'."""
    ordered = sorted(numbers)
    noun = w.plural(len(ordered), RECOMMENDATION)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{noun} {ordered[0]} {w.say(en='to', fr='à')} {ordered[-1]}"
    return f"{noun} {w.listing(str(n) for n in ordered)}"


def outstanding_sentence(data: Mapping[str, Any], numbers: Sequence[int], p: ProseContext) -> str:
    """This section's recommendations by status at the end of the period."""
    w = p.words
    counts = status_counts(data, numbers)
    total = len(numbers)
    if total == 1:
        status = next(iter(counts))
        label = w.text(STATUS_LABELS[status]).lower()
        return w.sentence(
            w.say(
                en=f"{p.at_end}, the status of recommendation {numbers[0]} was: {label}.",
                fr=f"{p.at_end}, la recommandation {numbers[0]} avait le statut suivant : {label}.",
            )
        )
    of = w.say(
        en=f"of the {w.cardinal(total)} recommendations of this section",
        fr=f"sur les {w.cardinal(total, feminine=True)} recommandations de la présente section",
    )
    return status_sentence(counts, p, of=of, total=total)


def recommends_sentences(
    data: Mapping[str, Any], numbers: Sequence[int], p: ProseContext
) -> list[str]:
    """When the Bureau recorded no recommendation of its own for a section: said
    plainly, with the recommendations of the 2007 report that remain outstanding."""
    w = p.words
    said = [
        w.sentence(
            w.say(
                en=f"No recommendation of the Bureau on this section was recorded for {p.year}.",
                fr="Aucune recommandation du Bureau sur la présente section n’a été consignée "
                f"pour {p.year}.",
            )
        )
    ]
    open_ = [n for n in numbers if status_of(data, n) in OUTSTANDING]
    if open_:
        listed = numbers_text(open_, w)
        remain = w.agree(len(open_), one="remains", other="remain")
        reste = w.agree(len(open_), one="reste", other="restent")
        said.append(
            w.sentence(
                w.say(
                    en=f"{listed} of the 2007 report {remain} outstanding (annex V).",
                    fr=f"{listed} du rapport de 2007 {reste} à mettre en œuvre (annexe V).",
                )
            )
        )
    return said


def indicator_fallback(description: str, value: Mapping[str, Any], w: Words) -> str:
    """An indicator that says nothing of how it reads: its description, then its values
    (numbers grouped as the language groups them)."""
    return f"{description.rstrip('.')}: {_values(value, w)}."


def _values(value: Any, w: Words) -> str:
    if isinstance(value, Mapping):
        parts = [f"{str(k).replace('_', ' ')} {_values(v, w)}" for k, v in value.items()]
        return "; ".join(parts) if parts else "—"
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value).lower()
    if isinstance(value, int | float):
        return w.number(value)
    return str(value)
