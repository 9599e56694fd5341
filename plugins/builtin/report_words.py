"""Small writing helpers the built-in areas share for the annual report's sentences
(``ReportProse``) and their indicators' words."""

from __future__ import annotations

from collections.abc import Mapping

from core.words import Noun, Terms, Words


def were(count: int, w: Words) -> str:
    """'was' or 'were', agreeing with `count` (English sentences)."""
    return w.agree(count, one="was", other="were")


def one_count(count: int, w: Words, *, en: str, fr: str, feminine: bool = False) -> str:
    """An indicator of one count: 'Working groups established in the period: three.'
    (`feminine` agrees the French count with the noun counted: 'une', 'aucune')."""
    return w.sentence(f"{w.say(en=en, fr=fr)}: {w.cardinal(count, feminine=feminine)}.")


def by_topic(
    value: Mapping[str, int], w: Words, terms: Terms, noun: Noun, *, en: str, fr: str
) -> str:
    """An indicator of counts by topic, as the report's tables say it: 'Technical
    assistance in the period: three on witness protection and one on enforcement.'
    ('none' when every count is zero)."""
    label = w.say(en=en, fr=fr)
    shown = [
        w.say(
            en=f"{w.cardinal(n)} on {w.term(topic, terms)}",
            fr=f"{w.term(topic, terms)}, {w.cardinal(n, feminine=noun.feminine)}",
        )
        for topic, n in value.items()
        if n
    ]
    if not shown:
        return w.sentence(f"{label}: " + w.say(en="none.", fr=f"{w.count(0, noun)}."))
    joined = w.listing(shown) if w.language == "en" else " ; ".join(shown)
    return w.sentence(f"{label}: {joined}.")


def counted(value: Mapping[str, int], w: Words, terms: Terms, *, en: str, fr: str) -> str:
    """An indicator of several counts, as the report's tables say it: 'Situations:
    preliminary examinations under way, three; investigations opened, one.' (the counts
    that are not zero; 'none' when all are)."""
    label = w.say(en=en, fr=fr)
    shown = [f"{w.term(key, terms)}, {w.cardinal(n)}" for key, n in value.items() if n]
    if not shown:
        return w.sentence(f"{label}: " + w.say(en="none.", fr="néant."))
    joined = w.say(en="; ", fr=" ; ").join(shown)
    return w.sentence(f"{label}: {joined}.")


def counted_by(
    value: Mapping[str, int],
    w: Words,
    terms: Terms,
    *,
    en: str,
    fr: str,
    en_by: str,
    fr_by: str,
    feminine: bool = False,
) -> str:
    """An indicator of counts by who or what, in one listing: 'High-level visits in the
    period: three by the Presidency and one by the Registry.' (the counts that are not
    zero; 'none' when all are). `en_by`/`fr_by` join a count to its term ('by', 'par');
    `feminine` agrees the French counts and 'aucune' with the noun counted."""
    label = w.say(en=en, fr=fr)
    shown = [
        w.say(
            en=f"{w.cardinal(n)} {en_by} {w.term(key, terms)}",
            fr=f"{w.cardinal(n, feminine=feminine)} {fr_by} {w.term(key, terms)}",
        )
        for key, n in value.items()
        if n
    ]
    if not shown:
        return w.sentence(f"{label}: " + w.say(en="none.", fr="aucune." if feminine else "aucun."))
    return w.sentence(f"{label}: {w.listing(shown)}.")
