"""The sentences the areas write in the annual report (``ReportProse``) and the words
of their indicators, checked for every built-in contribution at zero, one, a few and
many, in English and French: no sentence starts with a digit, numbers below ten are
words, nothing says "0 ...", nouns and verbs agree with their number, a figure with
nothing to say says nothing (or, where it matters, one sentence), and comparisons with
the previous year appear only where the figure moved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from core.words import LANGUAGES, Words
from followup.registry import Registry
from reports.annual import prose
from reports.sections import ProseContext, ReportProse, worth_comparing

COUNTS = (0, 1, 2, 7, 12, 12345)
REGISTRY = Registry.load(load_entry_points=False)
CONTRIBUTIONS: tuple[ReportProse, ...] = REGISTRY.report.prose
FIGURES = sorted(figure.name for figure in REGISTRY.summary_figures)

#: Words that end in s after "one"/"un(e)" and are singular all the same.
SINGULAR_IN_S = {"was", "has", "is", "its", "mois", "accès", "gracieux", "sur", "dans", "des"}


def persons(count: int) -> list[dict[str, Any]]:
    return [
        {"person": name, "situation": "Uganda", "warrant": f"W-{name}", "issued_on": "2020"}
        for name in ("Joseph Kony", "Vincent Otti", "Okot Odhiambo", "Dominic Ongwen")[:count]
    ]


def data(now: int, before: int | None = None, *, calendar: bool = True) -> dict[str, Any]:
    """Report data whose every figure is `now` (States Parties twice as many, so that
    something is outstanding) and `before` in the previous period."""
    before = now if before is None else before

    def figures(value: int) -> dict[str, Any]:
        found = {name: {"value": value, "events": value} for name in FIGURES}
        found["parties.states_parties"] = {"value": 2 * value, "events": value}
        return found

    return {
        "report": {
            "from": "2024-01-01" if calendar else "2024-03-01",
            "to": "2024-12-31" if calendar else "2024-05-31",
            "label": "2024",
            "previous": {"label": "2023"},
        },
        "figures": figures(now),
        "previous_figures": figures(before),
        "cumulative_figures": figures(3 * now),
        "areas": {
            "persons_sought": {
                "at_large": persons(now),
                "arrested": persons(now),
                "surrendered": persons(now),
                "withheld": {"at_large": max(0, now - 4), "arrested": 0, "surrendered": 0},
            }
        },
    }


def written(contribution: ReportProse, context: ProseContext) -> Iterator[tuple[str, str]]:
    for part in ("done", "outstanding", "summary"):
        writer = getattr(contribution, part)
        if writer is not None:
            for sentence in writer(context):
                yield part, sentence
    if contribution.omnibus is not None:
        for verb, rest in contribution.omnibus(context):
            yield "omnibus", context.words.typeset(f"{verb} {rest}")


MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
)
#: A lone digit 1 to 9 that is not a day of a date.
SMALL_DIGIT = re.compile(rf"(?<![\d,.\u202f\w])[1-9](?![\d,.\u202f])(?! ({MONTHS}))")


def house_rules(text: str, language: str, count: int) -> list[str]:
    """What a sentence of the report must never do; the problems found."""
    problems = []
    if not re.match(r"^[^\W\d_]", text) or text[0] != text[0].upper():
        problems.append("does not start with a capital letter")
    if not (text.endswith(".") or text.endswith(";")) or text.endswith(".."):
        problems.append("does not end with one full stop")
    for bad in ("{", "}", "None", "  ", " .", " ,", "_", "()"):
        if bad in text:
            problems.append(f"contains {bad!r}")
    if re.search(r"(?<![\d,.\u202f])0(?![\d,.\u202f])", text):
        problems.append("says 0 in digits")
    if SMALL_DIGIT.search(text):
        problems.append("writes a number below ten in digits")
    if language == "en":
        if re.search(r"\bone (?:[\w-]+ ){0,3}were\b", text) and count == 1:
            problems.append("one ... were")
        for word in re.findall(r"\bone ([A-Za-z-]+s)\b", text):
            if word not in SINGULAR_IN_S:
                problems.append(f"one {word}")
        if re.search(r"\b(two|three|seven|12|12,345) [a-z-]+ was\b", text):
            problems.append("plural ... was")
    else:
        if language == "fr" and " ;" in text.replace("\u202f;", ""):
            problems.append("French semicolon without its narrow space")
        for word in re.findall(r"\bune? ([a-zéèêàç’-]+[sx])\b", text):
            if word not in SINGULAR_IN_S:
                problems.append(f"un(e) {word}")
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("count", COUNTS)
def test_every_areas_sentence_follows_the_house_rules(language: str, count: int) -> None:
    words = Words(language)
    context = ProseContext(data(count, count + 1), words)
    checked = 0
    for contribution in CONTRIBUTIONS:
        for part, sentence in written(contribution, context):
            problems = house_rules(sentence, language, count)
            assert not problems, (
                f"{contribution.key} {part} ({language}, {count}): {sentence!r}: {problems}"
            )
            checked += 1
    assert checked > (5 if count == 0 else 20)


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_to_say_is_said_once_or_not_at_all(language: str) -> None:
    """At zero, a writer says nothing or, where an absence matters (no request for
    assistance, no witness protected, no arrest), one sentence that says so."""
    context = ProseContext(data(0), Words(language))
    for contribution in CONTRIBUTIONS:
        for part in ("done", "summary"):
            writer = getattr(contribution, part)
            if writer is None:
                continue
            said = list(writer(context))
            assert len(said) <= 1, (contribution.key, part, said)
            for sentence in said:
                assert sentence.startswith(("No ", "Aucun", "Aucune")), sentence
        if contribution.outstanding is not None:
            assert not list(contribution.outstanding(context)), contribution.key


def test_the_figures_each_section_shows_are_labelled_in_both_languages() -> None:
    sections = {c.section for c in CONTRIBUTIONS}
    assert {"I.A", "I.B", "I.C", "I.D", "I.E", "I.F", "I.G", "II.A", "II.B", "III"} <= sections
    for contribution in CONTRIBUTIONS:
        for name, label in contribution.figures:
            assert name in FIGURES, (contribution.key, name)
            assert label.en and label.fr and label.en != label.fr, name


def sentences_of(key: str, part: str, context: ProseContext) -> list[str]:
    contribution = next(c for c in CONTRIBUTIONS if c.key == key)
    return list(getattr(contribution, part)(context))


def test_agreements_in_words_singular_plural_and_compared() -> None:
    one = ProseContext(data(1), Words("en"))
    assert sentences_of("legal_framework", "done", one)[0] == (
        "In 2024, one agreement with the Court was signed and one entered into force."
    )
    un = ProseContext(data(1), Words("fr"))
    assert sentences_of("legal_framework", "done", un)[0] == (
        "En 2024, un accord avec la Cour a été signé et un est entré en vigueur."
    )
    # Compared with the year before only where the figure moved (7 against 2: said).
    moved = ProseContext(data(7, 2), Words("en"))
    assert sentences_of("legal_framework", "done", moved)[0] == (
        "In 2024, seven agreements with the Court were signed (two in 2023) and seven "
        "entered into force (two in 2023)."
    )
    many = ProseContext(data(12345, 12000), Words("fr"))
    first = sentences_of("legal_framework", "done", many)[0]
    assert first == (
        "En 2024, 12\u202f345 accords avec la Cour ont été signés et 12\u202f345 sont entrés "
        "en vigueur."
    )


def test_requests_say_so_when_there_were_none_and_name_the_median() -> None:
    none = ProseContext(data(0), Words("en"))
    assert sentences_of("judicial_assistance", "done", none) == [
        "No request for assistance was recorded in 2024."
    ]
    aucune = ProseContext(data(0), Words("fr"))
    assert sentences_of("judicial_assistance", "done", aucune) == [
        "Aucune demande d’assistance n’a été enregistrée en 2024."
    ]
    two = ProseContext(data(2), Words("en"))
    said = sentences_of("judicial_assistance", "done", two)
    assert said[0] == (
        "In 2024, the Court sent two requests for assistance and two were answered: two "
        "granted in full, two in part and two refused."
    )
    assert said[1] == "The median time to answer was two days."
    period = ProseContext(data(1, calendar=False), Words("en"))
    assert sentences_of("judicial_assistance", "done", period)[0].startswith(
        "From 1 March to 31 May 2024, the Court sent one request for assistance"
    )


def test_persons_sought_are_named() -> None:
    one = ProseContext(data(1), Words("en"))
    assert sentences_of("arrest_and_surrender", "outstanding", one)[0] == (
        "At the end of 2024, one person sought by the Court remained at large: "
        "Joseph Kony (Uganda)."
    )
    fr = ProseContext(data(1), Words("fr"))
    assert sentences_of("arrest_and_surrender", "outstanding", fr)[0] == (
        "À la fin de 2024, une personne recherchée par la Cour était toujours en fuite\u00a0: "
        "Joseph Kony (Ouganda)."  # the situation named by a State, in French
    )


def test_comparisons_only_where_they_say_something() -> None:
    assert worth_comparing(3, 1) and worth_comparing(1, 0) and worth_comparing(0, 4)
    assert not worth_comparing(100, 95) and not worth_comparing(2, 2)
    assert not worth_comparing(None, 3) and not worth_comparing(3, None)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("count", COUNTS)
def test_every_indicator_reads_in_both_languages(language: str, count: int) -> None:
    """Each built-in indicator's words, from values of its own shape at `count`."""
    from core.views.model import Measure

    class Reading:
        def tally(self, counter: str, cumulative: bool = False) -> int:
            return count if "states_parties" not in counter else 2 * count

        def histogram(self, counter: str, cumulative: bool = False) -> dict[int, int]:
            return {2024: count} if count else {}

        def facts(self, *args: Any, **kwargs: Any) -> list[Any]:
            return []

        def items(self, view: str) -> list[Any]:
            return []

    del Measure
    words = Words(language)
    for indicator in REGISTRY.indicators:
        assert indicator.reads is not None, indicator.name
        try:
            value = indicator.compute(Reading())  # type: ignore[arg-type]
        except (AttributeError, TypeError, KeyError):
            continue  # an indicator reading more than tallies is covered by the report tests
        text = indicator.reads(value, words)
        problems = [
            p
            for p in house_rules(text, language, count)
            if p != "writes a number below ten in digits"
        ]
        assert not problems, f"{indicator.name} ({language}, {count}): {text!r}: {problems}"


def test_a_share_of_states_parties_says_none_without_a_percentage() -> None:
    from plugins.builtin.party_items import share_sentence

    def reads(having: int, parties: int, language: str) -> str:
        value = {"with": having, "states_parties": parties, "share": having / parties}
        return share_sentence(value, Words(language), en="With a focal point", fr="Avec un point")

    assert reads(0, 190, "en") == "With a focal point: none of 190."
    assert reads(41, 190, "en") == "With a focal point: 41 of 190 (21.6 per cent)."
    assert reads(1, 5, "fr") == "Avec un point\u00a0: un sur cinq (20 pour cent)."


def test_the_reports_own_status_sentences() -> None:
    context = ProseContext(data(1), Words("en"))
    counts = {"implemented": 1, "ongoing": 2, "in_progress": 0, "not_assessed": 63}
    assert prose.status_sentence(counts, context) == (
        "At the end of 2024, of the 66 recommendations of the 2007 report, one was "
        "implemented, two were ongoing and 63 had not been assessed."
    )
    assert prose.status_sentence({"not_assessed": 66}, context) == (
        "At the end of 2024, none of the 66 recommendations of the 2007 report had been assessed."
    )
    french = ProseContext(data(1), Words("fr"))
    assert prose.status_sentence(counts, french) == (
        "À la fin de 2024, sur les 66 recommandations du rapport de 2007, une était mise en "
        "œuvre, deux étaient d’application permanente et 63 n’avaient pas été évaluées."
    )
    # A paragraph says 'In 2024' and 'At the end of 2024' once, unless a number would
    # then open a sentence.
    assert prose.paragraph(
        [
            "In 2024, the Court issued two warrants.",
            "In 2024, States arrested one person.",
            "In 2024, 12 assets were frozen.",
            "At the end of 2024, one person was at large.",
            "At the end of 2024, of the five recommendations, one was implemented.",
        ],
        context,
    ) == (
        "In 2024, the Court issued two warrants. States arrested one person. In 2024, 12 "
        "assets were frozen. At the end of 2024, one person was at large. Of the five "
        "recommendations, one was implemented."
    )
    assert (
        prose.paragraph(
            [
                "En 2024, la Cour a émis deux mandats.",
                "En 2024, les États ont arrêté une personne.",
            ],
            french,
        )
        == "En 2024, la Cour a émis deux mandats. Les États ont arrêté une personne."
    )
    assert prose.numbers_text([2, 3, 4, 5], Words("en")) == "recommendations 2 to 5"
    assert prose.numbers_text([2, 5], Words("fr")) == "recommandations 2 et 5"
    assert prose.numbers_text([7], Words("en")) == "recommendation 7"


@pytest.mark.parametrize(
    ("open_", "overdue", "english", "french"),
    [
        (0, 0, None, None),
        (
            1,
            0,
            "At the end of 2024, one action planned in follow-up of the recommendations was open.",
            "À la fin de 2024, une mesure prévue pour donner suite aux recommandations était en "
            "cours.",
        ),
        (
            1,
            1,
            "At the end of 2024, one action planned in follow-up of the recommendations was open "
            "and overdue.",
            "À la fin de 2024, une mesure prévue pour donner suite aux recommandations était en "
            "cours et en retard.",
        ),
        (
            12,
            3,
            "At the end of 2024, 12 actions planned in follow-up of the recommendations were "
            "open, three of them overdue.",
            "À la fin de 2024, 12 mesures prévues pour donner suite aux recommandations étaient "
            "en cours, dont trois en retard.",
        ),
    ],
)
def test_the_actions_open_at_the_end_from_the_follow_up(
    open_: int, overdue: int, english: str | None, french: str | None
) -> None:
    follow_up = {"dashboard": {"overall": {"actions": {"open": open_, "overdue": overdue}}}}
    for language, expected in (("en", english), ("fr", french)):
        report = data(1)
        assert prose.actions_sentence(report, ProseContext(report, Words(language))) is None
        report["areas"]["recommendation_follow_up"] = follow_up
        said = prose.actions_sentence(report, ProseContext(report, Words(language)))
        assert said == expected
        if said is not None:
            assert house_rules(said, language, open_) == []
    # One section's, from the dashboard's clusters.
    report = data(1)
    report["areas"]["recommendation_follow_up"] = {
        "dashboard": {"clusters": [{"cluster": "I.C", "actions": {"open": 3, "overdue": 0}}]}
    }
    context = ProseContext(report, Words("en"))
    assert prose.actions_sentence(report, context, section="I.C") == (
        "At the end of 2024, three actions planned in follow-up of the recommendations of this "
        "section were open."
    )
    assert prose.actions_sentence(report, context, section="I.D") is None


def test_indicators_with_two_counts_say_nothing_of_a_zero() -> None:
    from plugins.builtin.personnel import gratis_words
    from plugins.builtin.united_nations import resolution_words

    def resolutions(adopted: int, mentioning: int, language: str) -> str:
        value = {"resolutions": adopted, "mentioning_court": mentioning}
        return resolution_words(value, Words(language))

    assert resolutions(0, 0, "en") == "Resolutions adopted in the period: none."
    assert resolutions(1, 1, "en").endswith(": one, which mentions the Court.")
    assert resolutions(5, 0, "en").endswith(": five, none of which mentions the Court.")
    assert resolutions(12, 3, "en").endswith(": 12, of which three mention the Court.")
    assert resolutions(2, 2, "fr").endswith("\u00a0: deux, qui mentionnent toutes la Cour.")
    assert resolutions(5, 1, "fr").endswith("\u00a0: cinq, dont une mentionne la Cour.")
    en, fr = Words("en"), Words("fr")
    assert gratis_words({"persons": 0, "person_months": 0}, en).endswith(": none.")
    assert gratis_words({"persons": 1, "person_months": 0}, en).endswith(": one person.")
    assert gratis_words({"persons": 3, "person_months": 14}, fr).endswith(
        "\u00a0: trois personnes, pour 14 mois-personnes."
    )


def test_the_house_rules_catch_what_they_are_for() -> None:
    assert house_rules("12 agreements were signed.", "en", 12) == [
        "does not start with a capital letter"
    ]
    assert "says 0 in digits" in house_rules("In 2024, 0 workshops were held.", "en", 0)
    assert "writes a number below ten in digits" in house_rules("In 2024, 3 were held.", "en", 3)
    assert house_rules("On 3 March 2024, three were held.", "en", 3) == []
    assert "one persons" in house_rules("In 2024, one persons was relocated.", "en", 1)
    assert "one ... were" in house_rules("In 2024, one workshop on cooperation were held.", "en", 1)
    assert "plural ... was" in house_rules("In 2024, three workshops was held.", "en", 3)
    assert "un(e) accords" in house_rules("En 2024, un accords a été signé.", "fr", 1)
    assert "contains '{'" in house_rules("In {year}, it rained.", "en", 1)
