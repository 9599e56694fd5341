"""How events read (core/words.py and every built-in type's sentence), in English and
French: numbers below ten in words, larger ones grouped as each language groups them,
nouns agreeing with their number (zero, one, several, many), dates, party names, and
never a digit at the start of a sentence."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pytest
from babel.messages.pofile import read_po

from core.catalogue import Catalogue
from core.errors import InvalidEvent
from core.words import EVENT, LANGUAGES, LOCALE_FOLDER, MONTH, PERSON, STATE, Noun, Words
from followup.registry import Registry
from plugins.builtin.personnel import EXPERT
from plugins.builtin.regional_organisations import PARTICIPANT
from tests.samples import every_type

EN, FR = Words("en"), Words("fr")
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("count", "english", "french"),
    [
        (0, "no persons", "aucune personne"),
        (1, "one person", "une personne"),
        (2, "two persons", "deux personnes"),
        (9, "nine persons", "neuf personnes"),
        (10, "10 persons", "10 personnes"),
        (12345, "12,345 persons", f"12{NNBSP}345 personnes"),
        (1_000_000, "1,000,000 persons", f"1{NNBSP}000{NNBSP}000 de personnes"),
        (1_000_001, "1,000,001 persons", f"1{NNBSP}000{NNBSP}001 personnes"),
    ],
)
def test_counts_follow_the_house_rules_in_both_languages(count, english, french) -> None:
    assert EN.count(count, PERSON) == english
    assert FR.count(count, PERSON) == french


def test_french_number_words_agree_with_the_nouns_gender() -> None:
    assert [FR.count(n, MONTH) for n in (0, 1, 3)] == ["aucun mois", "un mois", "trois mois"]
    assert [FR.count(n, EXPERT) for n in (0, 1)] == ["aucun expert", "un expert"]
    assert [FR.count(n, PERSON) for n in (0, 1)] == ["aucune personne", "une personne"]
    assert FR.of(FR.count(1, PERSON)) == "d’une personne"
    assert FR.of(FR.count(3, PERSON)) == "de trois personnes"
    assert FR.of("Autriche") == "d’Autriche" and FR.of("onze") == "de onze"
    assert EN.of("three persons") == "of three persons"


def test_dates_numbers_parties_and_lists() -> None:
    assert EN.date(date(2007, 10, 19)) == "19 October 2007"
    assert FR.date("2007-10-19") == "19 octobre 2007"
    assert FR.date("2002-07-01") == "1er juillet 2002"
    assert EN.date(None) == FR.date(None) == "—"
    assert (EN.number(12345), FR.number(12345)) == ("12,345", f"12{NNBSP}345")
    assert (EN.number(25.5), FR.number(25.5), EN.number(4.0)) == ("25.5", "25,5", "4")
    # The United Nations' short forms (core/data/states.json).
    assert (EN.party("NLD"), FR.party("NLD")) == (
        "Netherlands (Kingdom of the)",
        "Pays-Bas (Royaume des)",
    )
    assert (EN.party("COD"), FR.party("COD")) == (
        "Democratic Republic of the Congo",
        "République démocratique du Congo",
    )
    assert (EN.party("AU"), FR.party("AU")) == ("African Union", "Union africaine")
    assert FR.party("ICC") == "Cour pénale internationale"
    assert EN.party("XYZ") == FR.party("XYZ") == "XYZ"
    assert EN.parties(["KEN", "AUT", "UGA"]) == "Kenya, Austria and Uganda"
    assert FR.parties(["KEN", "AUT"]) == "Kenya et Autriche"
    assert EN.agree(1, one="was", other="were") == "was"
    assert EN.agree(0, one="was", other="were") == "were"
    assert FR.agree(0, one="a", other="ont") == "a"
    assert FR.sentence("état : fait ; suite.") == "État\u00a0: fait\u202f; suite."
    assert EN.sentence("reason given..") == "Reason given."
    with pytest.raises(ValueError, match="no words for language"):
        Words("de")


def test_ordinals_spans_periods_and_shares_in_both_languages() -> None:
    assert [EN.ordinal(n) for n in (1, 6, 20, 23, 71, 99, 101)] == [
        "first",
        "sixth",
        "twentieth",
        "twenty-third",
        "seventy-first",
        "ninety-ninth",
        "101st",
    ]
    assert [FR.ordinal(n, feminine=True) for n in (1, 6, 21, 23, 71, 80, 99)] == [
        "première",
        "sixième",
        "vingt et unième",
        "vingt-troisième",
        "soixante et onzième",
        "quatre-vingtième",
        "quatre-vingt-dix-neuvième",
    ]
    assert (
        FR.ordinal(1) == "premier" and FR.ordinal(5) == "cinquième" and FR.ordinal(9) == "neuvième"
    )
    # The session's dates: the year said once.
    assert EN.dates(date(2007, 11, 30), date(2007, 12, 14)) == "30 November – 14 December 2007"
    assert FR.dates("2007-11-30", "2007-12-14") == "30 novembre – 14 décembre 2007"
    assert EN.dates("2024-12-02", "2024-12-07") == "2–7 December 2024"
    assert EN.dates("2024-12-30", "2025-01-02") == "30 December 2024 – 2 January 2025"
    # A period in a sentence: "from ... to ...", "du ... au ...".
    assert EN.period("2007-01-01", "2007-08-01") == "from 1 January to 1 August 2007"
    assert FR.period("2007-01-01", "2007-08-01") == "du 1er janvier au 1er août 2007"
    assert FR.period("2006-12-01", "2007-08-01") == "du 1er décembre 2006 au 1er août 2007"
    assert (EN.short_date("2024-09-01"), FR.short_date("2024-07-01")) == (
        "1 Sep 2024",
        "1 juil. 2024",
    )
    assert (EN.percent(0.225), FR.percent(0.2), EN.percent(None)) == (
        "22.5 per cent",
        "20 pour cent",
        "—",
    )
    assert [EN.cardinal(n) for n in (0, 1, 9, 10, 12345)] == ["none", "one", "nine", "10", "12,345"]
    assert [FR.cardinal(n, feminine=True) for n in (0, 1, 2)] == ["aucune", "une", "deux"]
    assert FR.typeset("Original : anglais ; « d’urgence » ?") == (
        "Original\u00a0: anglais\u202f; «\u00a0d’urgence\u00a0»\u202f?"
    )
    assert EN.typeset("Original : English") == "Original : English"


def test_the_french_catalogue_translates_every_message() -> None:
    with (LOCALE_FOLDER / "fr" / "LC_MESSAGES" / "followup.po").open("rb") as po:
        catalogue = read_po(po, locale="fr")
    messages = [message for message in catalogue if message.id]
    assert messages and all(message.string for message in messages)
    assert not list(catalogue.check())  # placeholders and plural forms agree
    # Every party that is not a State has a French name.
    from core.parties import ORGANISATIONS

    for code in [*ORGANISATIONS, "ICC", "UN"]:
        assert FR.party(code) != EN.party(code), code


# -- every built-in type --------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue(Registry.load(load_entry_points=False).event_types)


def payload_of(catalogue: Catalogue, raw: Mapping[str, Any]) -> dict[str, Any]:
    fields = catalogue[raw["type"]].schema._declared_fields
    return {k: v for k, v in raw.items() if k in fields}


#: A verifier key as C2SP notes write them (name+key id+base64 of the Ed25519 key).
KEY = "followup.example/log+01020304+AQ" + "A" * 42 + "="

#: One payload of each type the samples lack (the system's and the tokens' types).
MORE = [
    {
        "type": "ClassificationLowered",
        "lowers": "2d5ac192-0531-57e8-b6c2-d0db00000001",
        "lowered_to": "public",
        "reason": "The Chamber unsealed the warrant",
    },
    {
        "type": "ClassificationLowered",
        "lowers": "2d5ac192-0531-57e8-b6c2-d0db00000001",
        "lowered_to": "restricted",
        "reason": "Shared with the Bureau",
    },
    {
        "type": "OrganisationRegistered",
        "code": "NHRI-UGA",
        "name": "Uganda Human Rights Commission",
        "kind": "national_institution",
        "state": "UGA",
    },
    {"type": "TokenIssued", "label": "focal-point-1", "role": "focal_point"},
    {"type": "TokenRevoked", "label": "focal-point-1", "role": "focal_point"},
    {"type": "AccountOpened", "email": "fp@example.org", "person": "Ana", "role": "focal_point"},
    {"type": "AccountReset", "email": "fp@example.org", "role": "bureau", "reset": ["password"]},
    {"type": "AccountDisabled", "email": "fp@example.org", "role": "auditor"},
    {"type": "AccountEnabled", "email": "fp@example.org", "role": "admin"},
    {
        "type": "ReportGenerated",
        "report": "annual_report",
        "format": "pdf",
        "year": 2024,
        "as_of": "2025-01-15T06:00:00Z",
        "log_position": 120,
        "sha256": "0" * 64,
        "size": 1000,
    },
    {
        "type": "ReminderSent",
        "about": "request",
        "reference": "RQ-1",
        "since": "2024-03-01",
        "days": 30,
        "reminder": 2,
    },
    {"type": "IntegrityVerified", "ok": True, "events": 3, "log_position": 3, "head": "0" * 64},
    {
        "type": "LogKeyActivated",
        "key_name": "followup.example/log",
        "verifier_key": KEY,
        "replaces": KEY,
    },
    {"type": "LogKeyActivated", "key_name": "followup.example/log", "verifier_key": KEY},
    {
        "type": "CheckpointCosigned",
        "witness": "witness.example",
        "tree_size": 3,
        "root": "A" * 43 + "=",
        "cosigned_at": 1_700_000_000,
        "signature": "— witness.example AAAA",
    },
    {
        "type": "IntegrityVerified",
        "ok": False,
        "events": 3,
        "log_position": 5,
        "damaged_at": 4,
        "problem": "changed",
    },
]

#: The counts each type writes: payload field -> the noun it counts (a list: its length).
COUNTED: dict[str, dict[str, Noun]] = {
    "EmergencyVisaIssued": {"persons": PERSON},
    "WitnessProtectionApplicationReceived": {"persons": PERSON},
    "WitnessRelocated": {"persons": PERSON},
    "ExpertsRostered": {"experts": EXPERT},
    "GratisPersonnelProvided": {"persons": PERSON, "months": MONTH},
    "WorkshopHeld": {"attendees": PARTICIPANT, "participants": STATE},
    "IntegrityVerified": {"events": EVENT},
    "CheckpointCosigned": {"tree_size": EVENT},
}
COUNTS = (0, 1, 2, 7, 12, 12345, 1_000_000)


def samples(catalogue: Catalogue) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every sample payload, and each with every count its type writes set to each of
    COUNTS that the type's schema accepts."""
    for raw in [*every_type(), *MORE]:
        payload = payload_of(catalogue, raw)
        yield raw["type"], payload
        for field in COUNTED.get(raw["type"], {}):
            for count in COUNTS:
                value: Any = ["NLD"] * count if field == "participants" else count
                if field == "participants" and count > 200:
                    continue
                varied = {**payload, field: value}
                try:
                    catalogue.check_payload(raw["type"], varied)
                except InvalidEvent:
                    continue  # a count the schema refuses is never recorded
                yield raw["type"], varied


def test_every_built_in_type_declares_its_sentence_in_both_languages(catalogue) -> None:
    covered = {name for name, _ in samples(catalogue)}
    assert covered == set(catalogue.types)
    for name, event_type in catalogue.types.items():
        assert event_type.sentence is not None, f"{name} declares no sentence"


def test_every_sentence_follows_the_house_rules(catalogue) -> None:
    checked = 0
    for name, payload in samples(catalogue):
        event_type = catalogue[name]
        english, french = (event_type.reads(payload, Words(lang)) for lang in LANGUAGES)
        assert english != french, name
        for language, text in (("en", english), ("fr", french)):
            where = f"{name} ({language}): {text!r}"
            assert re.match(r"^[^\W\d_]", text) and text[0] == text[0].upper(), where
            assert text.endswith(".") and not text.endswith(".."), where
            assert "{" not in text and "None" not in text and "_" not in text.split(":")[0], where
            words = Words(language)
            for field, noun in COUNTED.get(name, {}).items():
                value = payload[field]
                count = len(value) if isinstance(value, list) else value
                assert words.count(count, noun) in text, f"{where} lacks {field}={count}"
            checked += 1
    assert checked > 150


def test_a_type_without_a_sentence_reads_as_its_name() -> None:
    from marshmallow import Schema

    from core.eventtypes import EventType

    shared = EventType("ImplementingLegislationShared", Schema, "example")
    assert shared.reads({}, EN) == "Implementing legislation shared."
    assert shared.cluster_of({}) is None and not shared.activity


def test_corrections_and_retractions_name_their_target_field() -> None:
    from marshmallow import Schema

    from core.eventtypes import Effect, EventType

    with pytest.raises(ValueError, match="names its `target` field"):
        EventType("Withdrawn", Schema, "example", effect=Effect.RETRACT)
    with pytest.raises(ValueError, match="names its `changes` field"):
        EventType("Amended", Schema, "example", effect=Effect.CORRECT, target="amends")
    amended = EventType(
        "Amended", Schema, "example", effect=Effect.CORRECT, target="amends", changes="values"
    )
    assert amended.target_of({"amends": "e1", "values": {}}) == "e1"
    assert EventType("Held", Schema, "example").target_of({"amends": "e1"}) is None


def test_a_situation_named_by_a_state_reads_in_the_documents_language() -> None:
    french = Words("fr")
    assert french.place("Uganda") == "Ouganda"
    assert french.place("Darfur, Sudan") == "Darfur, Soudan"
    assert french.place("Democratic Republic of the Congo") == "République démocratique du Congo"
    assert french.place("Kenya 2008") == "Kenya 2008"  # not a State's name: as recorded
    assert Words("en").place("Darfur, Sudan") == "Darfur, Sudan"
