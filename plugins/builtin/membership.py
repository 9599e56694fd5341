"""Membership of the Rome Statute beyond joining and withdrawing (legal_framework):
withdrawals revoked before they took effect, declarations accepting the Court's
jurisdiction under article 12(3), and ratifications of amendments to the Statute.
All belong to the State's membership lifecycle (``membership:<code>``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from marshmallow import Schema, fields

from core import fields as f
from core.eventtypes import EventType, Fact, Lifecycles, LifecycleState, conflict, invalid
from core.views.figures import tally_figure
from core.views.itemfigures import ItemFigures, OnDate
from core.views.model import Item, ItemHandler, SummaryFigure, ViewFact
from core.words import Phrase, Terms, Words
from plugins import hookimpl
from plugins.builtin.membership_state import (
    STATUTE_IN_FORCE,
    as_state_party,
    membership,
    name_of,
    party_on,
    periods,
    withdrawal_revoked,
)
from plugins.builtin.party_items import (
    happened_by,
    happened_counts,
    party_handler,
    party_with_days,
    standing_steps,
)

AREA = "membership"


class Amendment:
    """An amendment to the Statute: what it is called and when and how it was adopted."""

    def __init__(self, title: str, adopted: date, by: str) -> None:
        self.title, self.adopted, self.by = title, adopted, by


AMENDMENTS: dict[str, Amendment] = {
    "article_8_2010": Amendment(
        "Amendment to article 8 (Kampala, 2010)", date(2010, 6, 10), "RC/Res.5"
    ),
    "aggression_2010": Amendment(
        "Amendments on the crime of aggression (Kampala, 2010)", date(2010, 6, 11), "RC/Res.6"
    ),
    "article_124_2015": Amendment(
        "Amendment to article 124 (2015)", date(2015, 11, 26), "ICC-ASP/14/Res.2"
    ),
    "article_8_2017": Amendment(
        "Amendments to article 8 (2017: biological, toxin and laser weapons, "
        "non-detectable fragments)",
        date(2017, 12, 14),
        "ICC-ASP/16/Res.4",
    ),
    "article_8_2019": Amendment(
        "Amendment to article 8 (2019: starvation in non-international armed conflict)",
        date(2019, 12, 6),
        "ICC-ASP/18/Res.5",
    ),
}


class WithdrawalRevoked(Schema):
    state = f.state()


class JurisdictionAcceptedByDeclaration(Schema):
    state = f.state()
    jurisdiction_from = f.day()
    jurisdiction_until = f.day(required=False)
    situation = fields.String(
        load_default=None, metadata={"description": "As the declaration puts it."}
    )


class AmendmentRatified(Schema):
    state = f.state()
    amendment = f.choice(sorted(AMENDMENTS))


def declared(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    """Article 12(3) is open to a State that is not a party on the day it lodges."""
    day = fact.occurred_on.isoformat()
    if party_on(state, day):
        raise conflict(
            f"{name_of(fact.payload['state'])} was a party to the Rome Statute on {day}: "
            "article 12(3) declarations are for States that are not."
        )
    return {**(state or {}), "declarations": [*(state or {}).get("declarations", []), day]}


def ratified_amendment(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    """Only a State Party ratifies an amendment (article 121), and once."""
    code, key = fact.payload["state"], fact.payload["amendment"]
    day = fact.occurred_on.isoformat()
    if not party_on(state, day):
        raise conflict(
            f"{name_of(code)} was not a party to the Rome Statute on {day}: only States "
            "Parties ratify its amendments (article 121)."
        )
    ratified = dict((state or {}).get("amendments", {}))
    current = periods(state)[-1]["deposited"]
    if ratified.get(key, "") >= current:
        raise conflict(f"{name_of(code)} has already ratified the {AMENDMENTS[key].title}.")
    ratified[key] = day
    return {**(state or {}), "amendments": ratified}


def declaration_dates(fact: Fact, lifecycles: Lifecycles) -> None:
    start = date.fromisoformat(fact.payload["jurisdiction_from"])
    if start < STATUTE_IN_FORCE:
        raise invalid(
            "jurisdiction_from",
            "The Court has jurisdiction only over crimes committed after the Statute "
            "entered into force on 1 July 2002 (article 11).",
        )
    until = fact.payload.get("jurisdiction_until")
    if until and date.fromisoformat(until) < start:
        raise invalid("jurisdiction_until", "Must not be before jurisdiction_from.")


def amendment_dates(fact: Fact, lifecycles: Lifecycles) -> None:
    amendment = AMENDMENTS[fact.payload["amendment"]]
    if fact.occurred_on.to_date() < amendment.adopted:
        raise invalid(
            "occurred_on",
            f"The {amendment.title} was adopted on {amendment.adopted.isoformat()} "
            f"({amendment.by}); it cannot have been ratified before.",
        )
    as_state_party()(fact, lifecycles)


# -- how the events read -----------------------------------------------------------

AMENDMENT_TERMS = Terms(
    {
        "article_8_2010": (
            "amendment to article 8 (Kampala, 2010)",
            "amendement à l’article 8 (Kampala, 2010)",
        ),
        "aggression_2010": (
            "amendments on the crime of aggression (Kampala, 2010)",
            "amendements relatifs au crime d’agression (Kampala, 2010)",
        ),
        "article_124_2015": (
            "amendment to article 124 (2015)",
            "amendement à l’article 124 (2015)",
        ),
        "article_8_2017": ("amendments to article 8 (2017)", "amendements à l’article 8 (2017)"),
        "article_8_2019": ("amendment to article 8 (2019)", "amendement à l’article 8 (2019)"),
    }
)
REVOKED = Phrase(
    en="{state} revoked its withdrawal from the Rome Statute before it took effect.",
    fr="{state} : révocation du retrait du Statut de Rome avant sa prise d’effet.",
    values=lambda p, w: {"state": w.party(p["state"])},
)
DECLARED = Phrase(
    en="{state} accepted the Court's jurisdiction {span} (article 12(3)).",
    fr="{state} : acceptation de la compétence de la Cour {span} (article 12-3).",
    values=lambda p, w: {"state": w.party(p["state"]), "span": jurisdiction_span(p, w)},
)


def jurisdiction_span(p: Mapping[str, Any], w: Words) -> str:
    start = w.date(p["jurisdiction_from"])
    if not p.get("jurisdiction_until"):
        return w.say(en=f"from {start}", fr=f"à compter du {start}")
    until = w.date(p["jurisdiction_until"])
    return w.say(en=f"from {start} to {until}", fr=f"du {start} au {until}")


AMENDED = Phrase(
    en="{state} ratified the {amendment}.",
    fr="{state} : ratification ; {amendment}.",
    values=lambda p, w: {
        "state": w.party(p["state"]),
        "amendment": w.term(p["amendment"], AMENDMENT_TERMS),
    },
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "WithdrawalRevoked",
            WithdrawalRevoked,
            AREA,
            "A State revoked its notified withdrawal before it took effect: its membership "
            "continues unbroken.",
            sentence=REVOKED,
            cluster="I.A",
            subject=membership,
            rule=withdrawal_revoked,
            party_fields=("state",),
        ),
        EventType(
            "JurisdictionAcceptedByDeclaration",
            JurisdictionAcceptedByDeclaration,
            AREA,
            "A State not party accepted the Court's jurisdiction by a declaration lodged "
            "with the Registrar (article 12(3)).",
            sentence=DECLARED,
            cluster="I.A",
            subject=membership,
            rule=declared,
            party_fields=("state",),
            checks=declaration_dates,
        ),
        EventType(
            "AmendmentRatified",
            AmendmentRatified,
            AREA,
            "A State Party deposited its instrument of ratification of an amendment to "
            "the Statute.",
            sentence=AMENDED,
            cluster="I.A",
            subject=membership,
            rule=ratified_amendment,
            party_fields=("state",),
            checks=amendment_dates,
        ),
    ]


# -- views -------------------------------------------------------------------------

TYPES = frozenset({"WithdrawalRevoked", "JurisdictionAcceptedByDeclaration", "AmendmentRatified"})


def fold_membership(item: Item, fact: ViewFact) -> Item:
    p = fact.payload
    if fact.type == "WithdrawalRevoked":
        memberships = [dict(m) for m in item.get("memberships", [])]
        pending = [m for m in memberships if m.get("withdrawal_notified_on")]
        if pending:
            pending[-1].update(
                withdrawal_revoked_on=fact.occurred_on, withdrawal_revocation_event=fact.id
            )
        return {**item, "memberships": memberships}
    if fact.type == "JurisdictionAcceptedByDeclaration":
        record = {
            "on": fact.occurred_on,
            "jurisdiction_from": p["jurisdiction_from"],
            "jurisdiction_until": p.get("jurisdiction_until"),
            "situation": p.get("situation"),
            "event": fact.id,
        }
        return {**item, "declarations": [*item.get("declarations", []), record]}
    record = {
        "on": fact.occurred_on,
        "amendment": p["amendment"],
        "title": AMENDMENTS[p["amendment"]].title,
        "event": fact.id,
    }
    return {**item, "amendments": [*item.get("amendments", []), record]}


def present_membership(item: Item, on: date) -> Item:
    shown = dict(item)
    shown["declarations"] = happened_by(item.get("declarations", []), on)
    shown["amendments"] = happened_by(item.get("amendments", []), on)
    return shown


def has_left(item: Item) -> bool:
    """A State whose withdrawal has taken effect and that has not joined again."""
    memberships = item.get("memberships", [])
    return bool(memberships) and not item.get("is_party") and bool(item.get("party_until"))


# Each figure also says how it reads on many days in one pass (`on_days`): a State's
# record mentions many dates, and presenting it on each of them is a pass each.


def amendments_of(key: str) -> Callable[[Item], list[Item]]:
    return lambda item: [a for a in item.get("amendments", []) if a["amendment"] == key]


def amendment_figure(key: str) -> OnDate:
    ratified = amendments_of(key)
    return OnDate(
        f"parties.with_amendment.{key}",
        f"States Parties that have ratified the {AMENDMENTS[key].title}.",
        "parties",
        lambda item: bool(item.get("is_party")) and bool(ratified(item)),
        lambda item: [a["event"] for a in ratified(item)],
        party_with_days(
            lambda item, days: happened_counts(ratified(item), days),
            lambda item: [a["on"] for a in ratified(item)],
        ),
    )


def withdrawn_days(item: Item) -> list[tuple[str, int, int]]:
    """has_left on each day a State's membership may change: a withdrawal notified,
    not revoked and in effect, counting its notification."""
    days, standing = standing_steps(item)
    return [
        (day, 1, 1) if effective is not None and not party else (day, 0, 0)
        for day, (party, effective) in zip(days, standing, strict=True)
    ]


def declared_days(item: Item) -> list[tuple[str, int, int]]:
    """Declarations under article 12(3) lodged by each day they were lodged on."""
    declarations = item.get("declarations", [])
    days = sorted({d["on"] for d in declarations})
    counted = happened_counts(declarations, days)
    return [(day, 1, n) for day, n in zip(days, counted, strict=True)]


MEMBERSHIP_FIGURES = ItemFigures(
    (
        OnDate(
            "parties.withdrawn",
            "States whose withdrawal from the Statute had taken effect on the reading's "
            "date (and that had not joined again).",
            "parties",
            has_left,
            lambda item: [m["withdrawal_event"] for m in item.get("memberships", [])[-1:]],
            withdrawn_days,
        ),
        OnDate(
            "parties.with_declaration_article_12_3",
            "States that had lodged a declaration under article 12(3) by the date.",
            "parties",
            lambda item: bool(item.get("declarations")),
            lambda item: [d["event"] for d in item.get("declarations", [])],
            declared_days,
        ),
        *(amendment_figure(key) for key in sorted(AMENDMENTS)),
    )
)


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        party_handler(TYPES, fold_membership, present_membership, counts=MEMBERSHIP_FIGURES.counts)
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        *MEMBERSHIP_FIGURES.summary(),
        tally_figure(
            "membership.withdrawals_notified",
            "Withdrawals from the Statute notified in the period.",
            "events.WithdrawalNotified",
            ["WithdrawalNotified"],
        ),
        tally_figure(
            "membership.withdrawals_revoked",
            "Notified withdrawals revoked in the period.",
            "events.WithdrawalRevoked",
            ["WithdrawalRevoked"],
        ),
        tally_figure(
            "membership.declarations_article_12_3",
            "Declarations accepting the Court's jurisdiction (article 12(3)) in the period.",
            "events.JurisdictionAcceptedByDeclaration",
            ["JurisdictionAcceptedByDeclaration"],
        ),
        tally_figure(
            "membership.amendments_ratified",
            "Ratifications of amendments to the Statute in the period.",
            "events.AmendmentRatified",
            ["AmendmentRatified"],
        ),
    ]
