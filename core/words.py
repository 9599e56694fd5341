"""How followup writes about events, in English and French: the language object a
sentence is written with (`Words`), the countable nouns and catalogue terms an area
declares (`Noun`, `Terms`), and `Phrase`, a sentence given in both languages.

Every event type says how it reads (``EventType.sentence``): a function of the event's
payload and a `Words`. The report's activity lists, digests and the console call it;
an area declares its own sentences, nouns and terms in its own module, both languages
side by side, so adding an event type touches one file.

What is the same for every area comes from Babel: CLDR's plural rules, the numbers'
and dates' forms, lists ("A, B and C"), territory names in French; and the fixed words
(numbers below ten, "no", the organisations' names) from the message catalogue
``core/locale/<language>/LC_MESSAGES/followup.po``. The catalogue is read at run time
by Babel (``read_po``, once per process): no compile step in the build, the .po file is
the one source a translator edits, and the wheel ships it as package data. English is
the catalogue's source language, so an English message is its own translation.

House rules the sentences follow (tests check them for every built-in type): numbers
below ten in words and larger ones in digits grouped as the language groups them
(12,345; 12 345); never a digit at the start of a sentence; nouns agree with their
number by the language's plural rules (French: 0 and 1 are singular, a round million
takes "de").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, get_month_names
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from core.parties import PartyKind, lookup, registry

#: A day (the name `date` is a method of Words, which hides the type in its annotations).
Day = date

#: The languages every sentence is written in: the Court's working languages.
LANGUAGES = ("en", "fr")

LOCALE_FOLDER = Path(__file__).resolve().parent / "locale"

#: A colon or semicolon right after a word and before a space, in French text.
FRENCH_GLUED = re.compile(r"(?<=[^\s\u00a0\u202f])([:;])(?=\s)")

#: Whose list patterns a language's lists follow: British English, as the Assembly's
#: documents write ('A, B and C', no comma before "and").
LIST_LOCALES = {"en": "en_GB", "fr": "fr"}

#: Numbers below ten are written in words (zero is "no": "no persons").
NUMBER_WORDS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@cache
def _french_state_names() -> dict[str, str]:
    """States' English names to their French names (the United Nations')."""
    return {
        party.name: party.name_fr
        for party in registry().values()
        if party.kind is PartyKind.STATE and party.name_fr
    }


@cache
def catalogue(language: str) -> Catalog | None:
    """The message catalogue of a language (None for English, the source language)."""
    path = LOCALE_FOLDER / language / "LC_MESSAGES" / "followup.po"
    if language == "en" or not path.exists():
        return None
    with path.open("rb") as po:
        return read_po(po, locale=language, domain="followup")


@dataclass(frozen=True)
class Noun:
    """A countable word in each language: (singular, plural), and the French gender
    (une personne, un expert) that number words and "aucun" agree with."""

    en: tuple[str, str]
    fr: tuple[str, str]
    feminine: bool = False

    def forms(self, language: str) -> tuple[str, str]:
        return self.fr if language == "fr" else self.en


@dataclass(frozen=True)
class Terms:
    """The words for the values of a catalogue choice (``"enforcement_of_sentences"``)
    in each language: ``{value: (english, french)}``. A value not listed reads as
    itself with spaces for underscores."""

    words: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def of(self, value: str, language: str) -> str:
        found = self.words.get(value)
        if found is None:
            return value.replace("_", " ")
        return found[1] if language == "fr" else found[0]


@dataclass(frozen=True)
class Text:
    """A fixed text in each language (a title, a caption, a label), written side by
    side by the area it belongs to: ``Text("Agreements per year", "Accords par année")``."""

    en: str
    fr: str

    def __call__(self, words: Words) -> str:
        return words.typeset(words.say(en=self.en, fr=self.fr))


def text_in(value: str | Text, words: Words) -> str:
    """A title given as plain English (as plugins wrote them before `Text`) or in both
    languages, in the language of `words`."""
    return value(words) if isinstance(value, Text) else value


class Words:
    """Writing in one language: numbers, counts, dates, party names, lists, terms and
    the catalogue's fixed words, as the house rules want them."""

    def __init__(self, language: str = "en") -> None:
        if language not in LANGUAGES:
            raise ValueError(f"no words for language {language!r}; languages: {LANGUAGES}")
        self.language = language
        self.locale = Locale.parse(language)
        self._list_locale = Locale.parse(LIST_LOCALES[language])
        self._catalogue = catalogue(language)

    def __repr__(self) -> str:
        return f"Words({self.language!r})"

    # -- the message catalogue -----------------------------------------------------

    def gettext(self, message: str, context: str | None = None) -> str:
        """A fixed word or phrase in this language (the English message if untranslated);
        `context` tells apart forms such as the feminine, when the language has one."""
        if self._catalogue is None:
            return message
        found = self._catalogue.get(message, context)
        if found is None and context is not None:
            found = self._catalogue.get(message)
        if found is None or not found.string or isinstance(found.string, tuple):
            return message
        return str(found.string)

    def say(self, *, en: str, fr: str) -> str:
        """The text of this language, of two an area writes side by side."""
        return fr if self.language == "fr" else en

    def text(self, message: str) -> str:
        """A fixed text of the catalogue, typeset (see `typeset`)."""
        return self.typeset(self.gettext(message))

    def typeset(self, text: str) -> str:
        """French spacing: a no-break space before the colon and a narrow one before
        the semicolon, question and exclamation marks (Imprimerie nationale); English
        is left as it is."""
        if self.language != "fr":
            return text
        text = (
            text.replace(" :", "\u00a0:")
            .replace(" ;", "\u202f;")
            .replace(" ?", "\u202f?")
            .replace(" !", "\u202f!")
            .replace("« ", "«\u00a0")
            .replace(" »", "\u00a0»")
        )
        # A colon or semicolon glued to its word ("Situations: ...") gets its space too
        # (not in a time, an article number or a link: those have no space after).
        return FRENCH_GLUED.sub(lambda m: ("\u00a0" if m[1] == ":" else "\u202f") + m[1], text)

    # -- numbers -------------------------------------------------------------------

    def number(self, value: Any) -> str:
        """Digits grouped as the language groups them (12,345; 12 345); None as a dash."""
        if value is None:
            return "—"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(format_decimal(value, locale=self.locale))

    def percent(self, share: float | None) -> str:
        """'22.5 per cent', '22,5 pour cent' (Assembly documents spell it out); whole
        percentages without a decimal."""
        if share is None:
            return "—"
        value = round(share * 100, 1)
        return f"{self.number(value)} {self.say(en='per cent', fr='pour cent')}"

    def cardinal(self, count: int, *, feminine: bool = False) -> str:
        """A number as the house writes it alone: words below ten ('three', 'trois'),
        digits from ten; zero as 'none' ('aucun', 'aucune'); `feminine` for the French
        gender of what is counted ('une')."""
        gender = "feminine" if feminine and self.language == "fr" else None
        if count == 0:
            return self.gettext("none", gender)
        if 0 < count < len(NUMBER_WORDS):
            return self.gettext(NUMBER_WORDS[count], gender)
        return self.number(count)

    def ordinal(self, number: int, *, feminine: bool = False) -> str:
        """'sixth', 'twenty-third'; 'sixième', 'première' (session numbers, 1 to 99;
        others as digits with a suffix)."""
        return (
            _french_ordinal(number, feminine) if self.language == "fr" else _english_ordinal(number)
        )

    def plural(self, count: int, noun: Noun) -> str:
        """The noun's form that agrees with `count` (CLDR plural rules)."""
        singular, plural = noun.forms(self.language)
        return singular if self.locale.plural_form(abs(count)) == "one" else plural

    def agree(self, count: int, *, one: str, other: str) -> str:
        """A word that agrees with `count` (a verb: 'was'/'were')."""
        return one if self.locale.plural_form(abs(count)) == "one" else other

    def count(self, count: int, noun: Noun) -> str:
        """'no persons', 'one person', 'three persons', '12 persons', '12,345 persons';
        'aucune personne', 'une personne', 'trois personnes', '1 000 000 de personnes'."""
        gender = "feminine" if noun.feminine and self.language == "fr" else None
        if count == 0:
            return f"{self.gettext('no', gender)} {self.plural(0, noun)}"
        if 0 < count < len(NUMBER_WORDS):
            return f"{self.gettext(NUMBER_WORDS[count], gender)} {self.plural(count, noun)}"
        written = f"{self.number(count)} {self.plural(count, noun)}"
        if self.locale.plural_form(abs(count)) == "many":  # un million de personnes
            return f"{self.number(count)} de {noun.forms(self.language)[1]}"
        return written

    # -- dates, parties, lists, terms ------------------------------------------------

    def date(self, day: Day | str | None) -> str:
        """'19 October 2007', '1er juillet 2002'; None as a dash."""
        if day is None:
            return "—"
        if isinstance(day, str):
            day = date.fromisoformat(day[:10])
        if self.language == "fr" and day.day == 1:
            return "1er " + format_date(day, "MMMM y", locale=self.locale)
        return str(format_date(day, "d MMMM y", locale=self.locale))

    def short_date(self, day: Day | str | None) -> str:
        """'1 Sep 2024', '1 sept. 2024': dates in tables; None as a dash."""
        if day is None:
            return "—"
        if isinstance(day, str):
            day = date.fromisoformat(day[:10])
        return str(format_date(day, "d MMM y", locale=self.locale))

    def month(self, number: int) -> str:
        """The month's name: 'December', 'décembre'."""
        return str(get_month_names("wide", locale=self.locale)[number])

    def _day_month(self, day: Day) -> str:
        first = "1er" if self.language == "fr" and day.day == 1 else str(day.day)
        return f"{first} {self.month(day.month)}"

    def dates(self, first: Day | str, last: Day | str) -> str:
        """Two dates as one span, the year said once when they share it:
        '30 November – 14 December 2007', '2–7 December 2024', '30 novembre –
        14 décembre 2007' (the session's dates)."""
        if isinstance(first, str):
            first = date.fromisoformat(first[:10])
        if isinstance(last, str):
            last = date.fromisoformat(last[:10])
        if first == last:
            return self.date(first)
        if first.year != last.year:
            return f"{self.date(first)} – {self.date(last)}"
        if first.month != last.month:
            return f"{self._day_month(first)} – {self._day_month(last)} {last.year}"
        start = "1er" if self.language == "fr" and first.day == 1 else str(first.day)
        return f"{start}–{self.date(last)}"

    def period(self, first: Day | str, last: Day | str) -> str:
        """A period in a sentence: 'from 1 March to 31 May 2024', 'du 1er mars au 31 mai
        2024' (the year said once when both ends share it)."""
        if isinstance(first, str):
            first = date.fromisoformat(first[:10])
        if isinstance(last, str):
            last = date.fromisoformat(last[:10])
        start = self.date(first) if first.year != last.year else self._day_month(first)
        if self.language == "fr":
            return f"du {start} au {self.date(last)}"
        return f"from {start} to {self.date(last)}"

    def party(self, code: str | None) -> str:
        """A party's name in this language from its code (the code itself if unknown)."""
        if not code:
            return "—"
        party = lookup(code)
        if party is None:
            return code
        if self.language == "en":
            return party.name
        if party.name_fr:  # the United Nations' French short form (core/data/states.json)
            return party.name_fr
        if party.kind is PartyKind.STATE:
            return _territory(code, self.language) or party.name
        return self.gettext(party.name)

    def place(self, name: str) -> str:
        """A place the record names in English (a situation: 'Uganda', 'Darfur, Sudan'),
        with each part that is a State's English name in this language's United
        Nations name ('Ouganda', 'Darfur, Soudan'); other words as recorded."""
        if self.language == "en":
            return name
        french = _french_state_names()
        return ", ".join(french.get(part, part) for part in name.split(", "))

    def parties(self, codes: Iterable[str]) -> str:
        return self.listing(self.party(code) for code in codes)

    def listing(self, items: Iterable[str]) -> str:
        """'A', 'A and B', 'A, B and C' ('A, B et C'): CLDR's list patterns."""
        return str(format_list(list(items), locale=self._list_locale))

    def term(self, value: str | None, terms: Terms | None = None) -> str:
        """A catalogue value in words ('enforcement_of_sentences' -> 'enforcement of
        sentences'), from the area's terms in this language."""
        return (terms or Terms()).of(value or "", self.language)

    def of(self, text: str) -> str:
        """English 'of', French 'de' with its elision: 'd’une personne', 'de trois'."""
        if self.language != "fr":
            return f"of {text}"
        elides = text[:1].lower() in "aeiouyéèêàâîôû" and not text.lower().startswith("onze")
        return f"d’{text}" if elides else f"de {text}"

    def sentence(self, text: str) -> str:
        """A sentence as printed: a capital first letter, one full stop and, in French,
        no-break spaces before the colon and semicolon."""
        text = text[:1].upper() + text[1:]
        if text.endswith("..") and not text.endswith("..."):
            text = text[:-1]  # free text that ends a sentence brings its own full stop
        return self.typeset(text)


_EN_UNITS = (
    "",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
)
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def _english_ordinal(number: int) -> str:
    if not 0 < number < 100:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10 if number % 100 // 10 != 1 else 0)
        return f"{number}{suffix or 'th'}"
    if number < 20:
        return _EN_UNITS[number]
    tens, units = divmod(number, 10)
    if units == 0:
        return _EN_TENS[tens][:-1] + "ieth"
    return f"{_EN_TENS[tens]}-{_EN_UNITS[units]}"


_FR_UNITS = (
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "dix-huit",
    "dix-neuf",
)
_FR_TENS = ("", "", "vingt", "trente", "quarante", "cinquante", "soixante")


def _french_cardinal(number: int) -> str:
    """1 to 99 in French words (the 1990 spelling's hyphens aside: 'vingt et un')."""
    if number < 20:
        return _FR_UNITS[number]
    tens, units = divmod(number, 10)
    if tens in (7, 9):  # soixante-dix, quatre-vingt-dix: the teens after 60 and 80
        base = "soixante" if tens == 7 else "quatre-vingt"
        if tens == 7 and units == 1:
            return "soixante et onze"
        return f"{base}-{_FR_UNITS[10 + units]}"
    base = "quatre-vingt" if tens == 8 else _FR_TENS[tens]
    if units == 0:
        return "quatre-vingts" if tens == 8 else base
    if units == 1 and tens != 8:
        return f"{base} et un"
    return f"{base}-{_FR_UNITS[units]}"


def _french_ordinal(number: int, feminine: bool) -> str:
    if not 0 < number < 100:
        return f"{number}e"
    if number == 1:
        return "première" if feminine else "premier"
    words = _french_cardinal(number)
    if words.endswith("quatre-vingts"):
        words = words[:-1]
    if words.endswith("cinq"):
        return words + "uième"
    if words.endswith("neuf"):
        return words[:-1] + "vième"
    if words.endswith("e"):
        return words[:-1] + "ième"
    return words + "ième"


@cache
def _territory(code: str, language: str) -> str | None:
    """CLDR's name of a State, from its ISO 3166-1 alpha-3 code."""
    import pycountry

    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return None
    names: Mapping[str, str] = Locale.parse(language).territories
    return names.get(country.alpha_2)


#: Nouns every area counts.
PERSON = Noun(("person", "persons"), ("personne", "personnes"), feminine=True)
STATE = Noun(("State", "States"), ("État", "États"))
MONTH = Noun(("month", "months"), ("mois", "mois"))
EVENT = Noun(("event", "events"), ("événement", "événements"))
STATE_PARTY = Noun(("State Party", "States Parties"), ("État Partie", "États Parties"))
DAY = Noun(("day", "days"), ("jour", "jours"))

#: How an event reads: a function of its payload and the language's words.
Sentence = Callable[[Mapping[str, Any], Words], str]


@dataclass(frozen=True)
class Phrase:
    """A sentence in English and French, from the same values: `values` computes them
    from the payload with the language's words, each template places them.

    ``Phrase(en="{state} ratified the APIC.", fr="{state} : ratification de l'APIC.",
    values=lambda p, w: {"state": w.party(p["state"])})``"""

    en: str
    fr: str
    values: Callable[[Mapping[str, Any], Words], Mapping[str, str]] = lambda p, w: {}

    def __call__(self, payload: Mapping[str, Any], words: Words) -> str:
        template = words.say(en=self.en, fr=self.fr)
        return words.sentence(template.format(**self.values(payload, words)))


def fallback_sentence(type_name: str) -> Sentence:
    """How an event of a type that declares no sentence reads: its name in words
    ('ImplementingLegislationShared' -> 'Implementing legislation shared.')."""
    snake = "".join(f" {c.lower()}" if c.isupper() else c for c in type_name).strip()

    def reads(payload: Mapping[str, Any], words: Words) -> str:
        return words.sentence(f"{snake}.")

    return reads


ENGLISH = Words("en")
