"""The report's English: dates and numbers as Assembly documents write them, indicators
in words, and the sentences generated from the figures (executive summary, clusters,
conclusion, annex I). Each event reads as its type says (``EventType.sentence``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_UNITS = (
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
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_TENTHS = (
    "",
    "",
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
)


def ordinal_words(number: int) -> str:
    """'sixth', 'twenty-third' (session numbers, 1 to 99; larger ones as digits)."""
    if not 0 < number < 100:
        return f"{number}th"
    if number < 20:
        return _UNITS[number]
    tens, units = divmod(number, 10)
    return _TENTHS[tens] if units == 0 else f"{_TENS[tens]}-{_UNITS[units]}"


def long_date(day: date | str | None) -> str:
    """'19 October 2007'."""
    if day is None:
        return "—"
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def number(value: Any) -> str:
    """Digits with thousands separated by commas; halves kept; None as a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        if value.is_integer():
            value = int(value)
        else:
            return f"{value:,.1f}"
    return f"{value:,}"


def plural(count: Any, singular: str, many: str | None = None) -> str:
    """'1 agreement', '3 agreements'."""
    word = singular if count == 1 else (many or singular + "s")
    return f"{number(count)} {word}"


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} per cent"


def words(code: str | None) -> str:
    """A catalogue value as words: 'enforcement_of_sentences' -> 'enforcement of sentences'."""
    return (code or "").replace("_", " ")


# -- indicators ---------------------------------------------------------------------


def _share_text(value: Mapping[str, Any]) -> str:
    return (
        f"{number(value['with'])} of "
        f"{plural(value['states_parties'], 'State Party', 'States Parties')}"
        f" ({percent(value['share'])})"
    )


def indicator_text(description: str, value: Mapping[str, Any], year: int) -> str:
    """An indicator's figures in words, after its description."""
    return f"{description.rstrip('.')}: {_value_text(value, year)}."


def _value_text(value: Mapping[str, Any], year: int) -> str:
    if {"states_parties", "with", "share"} <= set(value):
        return _share_text(value)
    if value and all(len(str(key)) == 4 and str(key).isdigit() for key in value):
        entry = value.get(str(year))
        return _value_text(entry, year) if isinstance(entry, Mapping) else f"none in {year}"
    parts = []
    for key, inner in value.items():
        if isinstance(inner, Mapping):
            if key == "per_year":
                parts.append(_value_text(inner, year))
            else:
                parts.append(f"{words(key)} {_value_text(inner, year)}")
        elif inner is None:
            parts.append(f"{words(key)} —")
        elif isinstance(inner, str):  # an amount in words, a date
            parts.append(f"{words(key)} {inner}")
        else:
            parts.append(f"{words(key)} {number(inner)}")
    return "; ".join(parts) if parts else "none"


# -- sentences from the figures -----------------------------------------------------


class Figures:
    """The figures of the period, the previous period and up to the period's end, with
    the words for each period, for writing sentences."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.now = data["figures"]
        self.before = data["previous_figures"]
        self.total = data["cumulative_figures"]
        self.label = data["report"]["label"]
        self.previous_label = data["report"]["previous"]["label"]
        #: The period as a sentence names it: '2024', or 'the period 1 March ...'.
        self.period = self.label if self.label.isdigit() else f"the period {self.label}"

    def __call__(self, name: str) -> Any:
        return self.now[name]["value"]

    def previous(self, name: str) -> Any:
        return self.before[name]["value"]

    def cumulative(self, name: str) -> Any:
        return self.total[name]["value"]

    def change(self, name: str, unit: str = "") -> str:
        """'(up from 3 in 2023)', '(down from 7 in 2023)', '(the same as in 2023)'."""
        now, before = self(name), self.previous(name)
        if now is None or before is None:
            return f"(none in {self.previous_label})" if before is None and now else ""
        suffix = f" {unit}" if unit else ""
        if now > before:
            return f"(up from {number(before)}{suffix} in {self.previous_label})"
        if now < before:
            return f"(down from {number(before)}{suffix} in {self.previous_label})"
        return f"(the same as in {self.previous_label})"


def executive_summary(f: Figures) -> list[str]:
    """The headline sentences: the period's figures and their change."""
    during = f"During {f.period}"
    sentences = [
        f"{during}, {plural(f('agreements.all.signed'), 'agreement')} with the Court "
        f"{were(f('agreements.all.signed'))} signed {f.change('agreements.all.signed')} and "
        f"{number(f('agreements.all.entered_into_force'))} entered into force "
        f"{f.change('agreements.all.entered_into_force')}; "
        f"{number(f('agreements.all.in_force'))} {were(f('agreements.all.in_force'))} in force "
        "at the end of the period, of which "
        f"{number(f('agreements.enforcement_of_sentences.in_force'))} on the enforcement of "
        f"sentences and {number(f('agreements.witness_relocation.in_force'))} on the "
        "relocation of witnesses.",
        f"At the end of the period, {plural(f('parties.states_parties'), 'State')} "
        f"{were(f('parties.states_parties'))} parties to the Rome Statute "
        f"{f.change('parties.states_parties')}; "
        f"{number(f('parties.with_implementing_legislation'))} of them had enacted "
        f"implementing legislation, {number(f('parties.with_apic'))} had ratified the "
        "Agreement on the Privileges and Immunities of the Court and "
        f"{number(f('parties.with_focal_point'))} had designated a national focal point.",
        f"{_capital(plural(f('activities.workshops'), 'workshop'))} and seminars "
        f"{were(f('activities.workshops'))} held {f.change('activities.workshops')}, with "
        f"{plural(f('activities.workshop_attendees'), 'participant')}; the Court made "
        f"{plural(f('activities.high_level_visits'), 'high-level visit')} "
        f"{f.change('activities.high_level_visits')}.",
        f"States facilitated {plural(f('warrants.arrests'), 'arrest')} "
        f"{f.change('warrants.arrests')} and "
        f"{plural(f('warrants.surrenders'), 'surrender')} to the Court "
        f"{f.change('warrants.surrenders')}; "
        f"{plural(f('warrants.at_large'), 'person')} sought by the Court "
        "remained at large at the end of the period.",
        f"{_capital(plural(f('requests.answered'), 'request'))} for assistance "
        f"{were(f('requests.answered'))} answered {f.change('requests.answered')}, "
        f"{number(f('requests.granted'))} of them granted in full; "
        + (
            f"the median time to answer was {plural(f('requests.median_days_to_answer'), 'day')} "
            f"{f.change('requests.median_days_to_answer', 'days')}"
            if f("requests.median_days_to_answer") is not None
            else "no request was answered in the period"
        )
        + f", and {plural(f('requests.open'), 'request')} "
        f"{were(f('requests.open'))} open at its end.",
        f"{_capital(plural(f('witness_protection.applications'), 'application'))} for "
        f"witness protection {were(f('witness_protection.applications'))} received "
        f"{f.change('witness_protection.applications')}, covering "
        f"{plural(f('witness_protection.persons'), 'person')}; "
        f"{plural(f('witness_protection.relocated_persons'), 'person')} "
        f"{were(f('witness_protection.relocated_persons'))} relocated.",
    ]
    return [_tidy(s) for s in sentences]


def recommendations_sentence(counts: Mapping[str, int]) -> str:
    assessed = sum(v for k, v in counts.items() if k != "not_assessed")
    return _tidy(
        f"Of the 66 recommendations of the 2007 report, {number(counts.get('implemented', 0))} "
        f"{were(counts.get('implemented', 0))} assessed as implemented, "
        f"{number(counts.get('ongoing', 0))} as ongoing, "
        f"{number(counts.get('in_progress', 0))} as in progress and "
        f"{number(counts.get('not_started', 0))} as not started; "
        f"{number(66 - assessed)} had not been assessed by the end of the period."
    )


def cluster_sentence(f: Figures, rows: Sequence[tuple[str, str]]) -> str:
    """One sentence naming the section's figures for the period."""
    parts = [
        f"{label}, {number(f(figure))} {f.change(figure)}".rstrip() for figure, label in rows[:4]
    ]
    return _tidy(f"The record shows for {f.period}: " + "; ".join(parts) + ".")


def omnibus_language(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Annex I: the language proposed for the omnibus resolution of the session, as
    (operative verb, the rest) pairs; the verb is set in italics."""
    heading = data["heading"]
    session = ordinal_words(heading["session"])
    f = Figures(data)
    signed, in_force = f("agreements.all.signed"), f("agreements.all.entered_into_force")
    at_large = f("warrants.at_large")
    language = [
        (
            "Takes note",
            f"of the report of the Bureau on cooperation ({heading['symbol']}) covering "
            f"{f.period}, submitted to the Assembly at its {session} session;",
        )
    ]
    if signed or in_force:
        language.append(
            (
                "Welcomes",
                f"the {plural(signed, 'agreement')} with the Court signed and the "
                f"{plural(in_force, 'agreement')} that entered into force in {f.period};",
            )
        )
    language += [
        (
            "Calls upon",
            "States Parties that have not yet done so to consider concluding agreements on "
            "the enforcement of sentences, the relocation of witnesses and interim release, "
            "to enact implementing legislation, to ratify the Agreement on the Privileges "
            "and Immunities of the Court and to designate a national focal point for "
            "cooperation;",
        ),
        (
            "Urges",
            "States to cooperate fully in the arrest and surrender of "
            + (
                f"the {plural(at_large, 'person')} sought by the Court who remained at large "
                "at the end of the period;"
                if at_large
                else "persons sought by the Court;"
            ),
        ),
        (
            "Requests",
            "the Bureau, through its focal point for cooperation, to continue to follow up "
            "the recommendations of the 2007 report and to report to the Assembly at its "
            "next session.",
        ),
    ]
    return [(verb, _tidy(rest)) for verb, rest in language]


def were(count: Any) -> str:
    return "was" if count == 1 else "were"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tidy(sentence: str) -> str:
    """Drop the gaps an empty change leaves: 'signed  and' -> 'signed and'."""
    while "  " in sentence:
        sentence = sentence.replace("  ", " ")
    return sentence.replace(" ;", ";").replace(" ,", ",").replace(" .", ".")
