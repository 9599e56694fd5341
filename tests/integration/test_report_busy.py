"""The annual report of a busy year, read back from the PDF's text in English and in
French, as a member of the Bureau would read it: no sentence starts with a digit, no
clause counts zero in digits ("0 workshops ..."), no API path, log position, digest or
transaction time outside the annex on the record (annex IV), nouns and verbs agree with
their number; and the status annex (annex V) says, for each of the 66 recommendations,
the status, since when and the status a year before that the follow-up data holds.

The history is the benchmarks' synthetic one (every kind of event, many States, years
of assessments, corrections and retractions), with a tenth of it in the report's year,
and the Bureau's own texts and the focal point's reasons for a few sections."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from bench.history import build
from core.recommendations import catalogue, short_title
from core.views.model import Level
from core.words import Words
from followup.bootstrap import Services, bootstrap
from reports.annual import AnnualReport, produce
from reports.annual.prose import STATUS_LABELS
from tests.report_history import SETTINGS

pytestmark = pytest.mark.slow

YEAR = 2024
#: Month names: a number before one is a day, not a count.
MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec|janvier|février|mars|avril|mai|juin|juillet|"
    "août|septembre|octobre|novembre|décembre|janv|févr|avr|juil|sept|oct|nov|déc"
)

BUREAU_TEXTS = [
    {
        "type": "ReportNarrativeDrafted",
        "occurred_on": "2025-01-20",
        "year": YEAR,
        "section": "I.C",
        "text": "Requests were answered faster than in any year since 2007.",
    },
    {
        "type": "ReportNarrativeDrafted",
        "occurred_on": "2025-01-20",
        "year": YEAR,
        "section": "I.C",
        "part": "recommendations",
        "text": "The Bureau recommends that States Parties designate a single channel for "
        "requests, as recommendation 15 asks.",
    },
]


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    path = tmp_path_factory.mktemp("busy") / "followup.sqlite"
    found = bootstrap(f"sqlite:///{path}", load_entry_points=False)
    build(found.app, 2500, focus_year=YEAR, focus_share=0.12)
    for raw in BUREAU_TEXTS:
        found.app.record_raw(raw, "bureau", None)
    yield found
    found.close()


@pytest.fixture(scope="module")
def reports(services: Services) -> dict[str, AnnualReport]:
    return {
        language: produce(services, year=YEAR, config=SETTINGS, lang=language)
        for language in ("en", "fr")
    }


def text_of(document: bytes) -> str:
    reader = PdfReader(io.BytesIO(document))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture(scope="module")
def texts(reports: dict[str, AnnualReport]) -> dict[str, str]:
    return {language: text_of(report.pdf) for language, report in reports.items()}


#: Where the body begins and the annex on the record, in each language.
BODY = {"en": "Executive summary 1.", "fr": "Résumé 1."}
RECORD = {"en": "Annex IV The record", "fr": "Annexe IV Le registre"}
STATUS = {"en": "Annex V Status of implementation", "fr": "Annexe V État de la mise en œuvre"}


def before_the_record(text: str, language: str) -> str:
    return text[: text.index(RECORD[language], text.index(BODY[language]))]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_sentence_starts_with_a_digit_and_no_clause_counts_zero(
    texts: dict[str, str], language: str
) -> None:
    text = before_the_record(texts[language], language)
    # A sentence's end, then a number and a word in lower case: a sentence that starts
    # with a count ('12 requests were ...'); a day before its month is a date.
    # An abbreviated month ('1 avr. 2003') ends no sentence.
    starts = [
        (number, word)
        for before, number, word in re.findall(
            rf"(\w*[a-zé)»])\.\s+(\d[\d,\u202f]*)\s+(?!(?:{MONTHS})\b)([a-zà-ÿ]\w*)", text
        )
        if not re.fullmatch(MONTHS, before)
    ]
    assert not starts, starts[:10]
    # '0 workshops', '0 as ongoing' (a table's zeros are followed by a figure or the
    # next row's label, which starts with a capital or says 'of which').
    zeros = re.findall(r"(?<![\d.,\u202f/–-])0 (?!of which|dont|\d)([a-zà-ÿ]{2,})", text)
    assert not zeros, zeros[:10]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_technical_provenance_is_only_in_the_annex_on_the_record(
    texts: dict[str, str], reports: dict[str, AnnualReport], language: str
) -> None:
    text = texts[language]
    body = before_the_record(text, language)
    report = reports[language]
    assert "/api/" not in body and "GET " not in body
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+Z", body)
    assert report.head not in body.replace(" ", "")
    assert "log position" not in body and "followup " not in body
    record = text[text.index(RECORD[language], text.index(BODY[language])) :]
    assert report.head in record.replace(" ", "") and report.as_of in record


def test_nouns_and_verbs_agree_with_their_number(texts: dict[str, str]) -> None:
    english = before_the_record(texts["en"], "en")
    assert not re.findall(r"\bone (?:[\w-]+ ){0,2}were\b", english)
    assert not re.findall(r"\bone ([a-z-]+s) (?:was|were|had)\b", english)
    assert not re.findall(
        r"\b(?:two|three|four|five|six|seven|eight|nine) [a-z-]+[^s] were\b", english
    )
    assert not re.findall(r"\b(?:two|three|four|five|six|seven|eight|nine) [a-z-]+s was\b", english)
    french = before_the_record(texts["fr"], "fr")
    assert not re.findall(r"\bune? ([a-zé’-]+s) (?:a|était|est)\b", french)
    assert not re.findall(
        r"\b(?:deux|trois|quatre|cinq|six|sept|huit|neuf) [a-zé’-]+[^sx] (?:ont|étaient|sont)\b",
        french,
    )


def test_the_bureaus_own_texts_and_what_is_outstanding(texts: dict[str, str]) -> None:
    english = texts["en"]
    body = english[english.index(BODY["en"]) :]
    assert "Requests were answered faster than in any year since 2007." in body
    assert "The Bureau recommends that States Parties designate a single channel" in body
    assert "remain outstanding (annex V)" in body  # elsewhere, said plainly
    assert "median time to answer was 0" not in body and "Median days to answer 0 " not in body


def expected_status(services: Services) -> dict[int, tuple[str, str | None, str]]:
    """From the follow-up data: each recommendation's status at the end of the year (its
    latest public assessment by then), since when it held, and its status a year
    before."""
    visible = {
        fact.id: fact.classification
        for fact in services.views.reading(Level.RESTRICTED).facts(
            ["RecommendationAssessed"], cumulative=True
        )
    }

    def standing(on: date) -> dict[int, tuple[str, str | None]]:
        found = {}
        reading = services.views.reading(Level.RESTRICTED, on=on)
        for item in reading.items("assessments"):
            made = sorted(
                enumerate(item["assessments"]),
                key=lambda pair: (pair[1]["assessed_on"], pair[0]),
            )
            latest = made[-1][1]
            if visible.get(latest["event"]) != "public":
                found[item["recommendation"]] = ("restricted", None)
                continue
            since = latest["assessed_on"]
            for _, earlier in reversed(made[:-1]):
                if (
                    earlier["status"] != latest["status"]
                    or visible.get(earlier["event"]) != "public"
                ):
                    break
                since = earlier["assessed_on"]
            found[item["recommendation"]] = (latest["status"], since)
        return found

    now, before = standing(date(YEAR, 12, 31)), standing(date(YEAR - 1, 12, 31))
    return {
        r.number: (
            now.get(r.number, ("not_assessed", None))[0],
            now.get(r.number, ("not_assessed", None))[1],
            before.get(r.number, ("not_assessed", None))[0],
        )
        for r in catalogue()
    }


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_status_annex_says_what_the_follow_up_data_holds(
    services: Services, texts: dict[str, str], language: str
) -> None:
    w = Words(language)
    text = texts[language]
    annex = text[text.index(STATUS[language], text.index(BODY[language])) :]
    expected = expected_status(services)
    assert len({status for status, _, _ in expected.values()}) >= 3  # a busy history
    for r in catalogue():
        status, since, before = expected[r.number]
        addressee = w.gettext(r.addressee[:1].upper() + r.addressee[1:], "addressee")
        row = " ".join(
            (
                str(r.number),
                w.typeset(short_title(r.number, language)),
                w.typeset(addressee),
                w.text(STATUS_LABELS[status]),
                w.short_date(since) if since else "–",
                w.text(STATUS_LABELS[before]),
            )
        )
        assert " ".join(row.split()) in annex, row
    # The summary table's totals are the same counts.
    counts: dict[str, Any] = {}
    for status, _, _ in expected.values():
        counts[status] = counts.get(status, 0) + 1
    implemented = counts.get("implemented", 0)
    total = "Total 1–66 " + ("–" if not implemented else w.number(implemented))
    assert total in text
