"""Money (Part I, clusters 1 and 5; recommendations 5, 24): voluntary contributions and
pledges to the Trust Fund for Victims, the Special Fund for Relocations, legal aid and
family visits of indigent detainees.

Amounts are integers in the currency's minor units (cents; none for yen), with the ISO
4217 code beside them: figures are kept per fund, currency and year and are never
summed across currencies (no rate is stated anywhere in the record)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pycountry
from babel.numbers import format_currency, get_currency_precision
from marshmallow import Schema, ValidationError, fields, validate

from core import fields as f
from core.eventtypes import (
    EventType,
    Fact,
    Lifecycles,
    LifecycleState,
    conflict,
    invalid,
    lifecycle,
)
from core.views.figures import tally_figure
from core.views.model import Indicator, Item, ItemHandler, SummaryFigure, ViewFact
from core.words import Phrase, Terms, Words
from plugins import hookimpl
from reports.sections import Fragment, ReportSection, SectionContext

AREA = "contributions"
VIEW = "contributions"

FUNDS = ("trust_fund_for_victims", "special_fund_for_relocations", "legal_aid", "family_visits")
FUND_NAMES = {
    "trust_fund_for_victims": "Trust Fund for Victims",
    "special_fund_for_relocations": "Special Fund for Relocations",
    "legal_aid": "Legal aid",
    "family_visits": "Trust fund for family visits",
}
#: The Assembly established the Trust Fund for Victims by resolution ICC-ASP/1/Res.6.
TRUST_FUND_ESTABLISHED = date(2002, 9, 9)
#: Far above any contribution, and low enough that sums stay exact in JSON (2^53).
MAX_AMOUNT = 10**13


class Currency(fields.String):
    """An ISO 4217 currency code in use (pycountry's list)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = super()._deserialize(value, attr, data, **kwargs)
        if (
            not (len(code) == 3 and code.isupper())
            or pycountry.currencies.get(alpha_3=code) is None
        ):
            raise ValidationError(f"Not an ISO 4217 currency code: {code[:10]!r} (EUR, GBP...).")
        return code


def amount() -> fields.Integer:
    return fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=MAX_AMOUNT),
        metadata={"description": "In the currency's minor units: EUR 525,000.00 is 52500000."},
    )


class Contribution(Schema):
    """What pledges and payments share."""

    fund = f.choice(FUNDS)
    contributor = f.party(
        required=False,
        load_default=None,
        metadata={"description": "Who gave (absent: private or undisclosed donors)."},
    )
    amount = amount()
    currency = Currency(required=True)
    earmark = fields.String(load_default=None, validate=validate.Length(min=1, max=500))


class ContributionPledged(Contribution):
    pledge = f.reference("pledge")


class ContributionReceived(Contribution):
    pledge = f.reference("pledge", required=False)


def precision(currency: str) -> int:
    return int(get_currency_precision(currency))


def in_words(minor: int, currency: str, locale: str = "en") -> str:
    """'€525,000.00' from 52500000 EUR (the currency's own minor units)."""
    major = Decimal(minor).scaleb(-precision(currency))
    return str(format_currency(major, currency, locale=locale))


# -- rules ---------------------------------------------------------------------------


def pledged(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is not None:
        raise conflict(
            f"Pledge {fact.payload['pledge']} is already recorded; choose a new identifier."
        )
    p = fact.payload
    return {
        "pledged_on": fact.occurred_on.isoformat(),
        "fund": p["fund"],
        "currency": p["currency"],
        "contributor": p.get("contributor"),
    }


def received(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    """A payment on a pledge pays that pledge: same fund, currency and contributor."""
    p = fact.payload
    if p.get("pledge") is None:
        return {}
    if state is None:
        raise conflict(f"There is no pledge {p['pledge']} in the log.")
    for field in ("fund", "currency", "contributor"):
        if p.get(field) != state[field]:
            raise conflict(
                f"Pledge {p['pledge']} was made with {field} {state[field]}; a payment on it "
                f"has the same {field}."
            )
    if fact.occurred_on.isoformat() < state["pledged_on"]:
        raise conflict(f"A payment on pledge {p['pledge']} cannot precede the pledge.")
    return state


def fund_dates(fact: Fact, lifecycles: Lifecycles) -> None:
    if (
        fact.payload["fund"] == "trust_fund_for_victims"
        and fact.occurred_on < TRUST_FUND_ESTABLISHED
    ):
        raise invalid(
            "occurred_on",
            "The Trust Fund for Victims was established on 9 September 2002 (ICC-ASP/1/Res.6).",
        )


def pledge_if_named(payload: Mapping[str, Any]) -> str | None:
    return f"pledge:{payload['pledge']}" if payload.get("pledge") else None


# -- how the events read -----------------------------------------------------------

FUND_TERMS = Terms(
    {
        "trust_fund_for_victims": ("Trust Fund for Victims", "Fonds au profit des victimes"),
        "special_fund_for_relocations": (
            "Special Fund for Relocations",
            "Fonds spécial pour les réinstallations",
        ),
        "legal_aid": ("legal aid", "aide judiciaire"),
        "family_visits": (
            "trust fund for family visits",
            "fonds d’affectation spéciale pour les visites familiales",
        ),
    }
)


def contributor(p: Mapping[str, Any], w: Words) -> str:
    if p.get("contributor"):
        return w.party(p["contributor"])
    return w.say(en="A private or undisclosed donor", fr="Donateur privé ou non divulgué")


def money(p: Mapping[str, Any], w: Words) -> dict[str, str]:
    return {
        "who": contributor(p, w),
        "amount": in_words(p["amount"], p["currency"], "fr_FR" if w.language == "fr" else "en"),
        "fund": w.term(p["fund"], FUND_TERMS),
    }


PLEDGED = Phrase(
    en="{who} pledged {amount} to the {fund}.",
    fr="{who} : annonce de contribution de {amount} ; {fund}.",
    values=money,
)
RECEIVED = Phrase(
    en="{who} contributed {amount} to the {fund}.",
    fr="{who} : contribution de {amount} ; {fund}.",
    values=money,
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "ContributionPledged",
            ContributionPledged,
            AREA,
            "A State or organisation pledged a voluntary contribution to a fund.",
            sentence=PLEDGED,
            cluster="I.E",
            subject=lifecycle("pledge", "pledge"),
            rule=pledged,
            party_fields=("contributor",),
            checks=fund_dates,
        ),
        EventType(
            "ContributionReceived",
            ContributionReceived,
            AREA,
            "A voluntary contribution to a fund was received (on a pledge, or not).",
            sentence=RECEIVED,
            cluster="I.E",
            activity=True,
            subject=pledge_if_named,
            rule=received,
            party_fields=("contributor",),
            checks=fund_dates,
        ),
    ]


# -- the contributions view: per fund, currency and year --------------------------------

KIND = {"ContributionPledged": "pledged", "ContributionReceived": "received"}


def key_of(fact: ViewFact) -> str:
    p = fact.payload
    return f"{p['fund']}/{p['currency']}/{fact.occurred_on[:4]}"


def fold_contributions(item: Item | None, fact: ViewFact) -> Item:
    p = fact.payload
    found = item or {
        "fund": p["fund"],
        "currency": p["currency"],
        "year": int(fact.occurred_on[:4]),
        "records": [],
    }
    record = {
        "on": fact.occurred_on,
        "kind": KIND[fact.type],
        "amount": p["amount"],
        "contributor": p.get("contributor"),
        "pledge": p.get("pledge"),
        "event": fact.id,
    }
    return {**found, "records": [*found["records"], record]}


def present_contributions(item: Item, on: date) -> Item | None:
    day = on.isoformat()
    records = [r for r in item["records"] if r["on"] <= day]
    if not records:
        return None
    shown = {**item, "records": records, "minor_units": precision(item["currency"])}
    for kind in ("pledged", "received"):
        total = sum(r["amount"] for r in records if r["kind"] == kind)
        shown[kind] = total
        shown[f"{kind}_text"] = in_words(total, item["currency"])
    shown["contributors"] = sorted({r["contributor"] for r in records if r["contributor"]})
    return shown


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        ItemHandler(
            view=VIEW,
            types=frozenset(KIND),
            keys=lambda fact: [key_of(fact)],
            fold=fold_contributions,
            present=present_contributions,
        )
    ]


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        tally_figure(
            "contributions.pledges",
            "Pledges of voluntary contributions in the period (amounts: the contributions "
            "view and indicator, per fund and currency).",
            "events.ContributionPledged",
            ["ContributionPledged"],
        ),
        tally_figure(
            "contributions.received",
            "Voluntary contributions received in the period (amounts: the contributions "
            "view and indicator, per fund and currency).",
            "events.ContributionReceived",
            ["ContributionReceived"],
        ),
    ]


def by_fund(facts: list[ViewFact]) -> dict[str, dict[str, dict[str, Any]]]:
    """{fund: {currency: {pledged, received (minor units), minor_units, ..._text}}}: never
    a sum across currencies."""
    sums: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {"pledged": 0, "received": 0})
    )
    for fact in facts:
        p = fact.payload
        sums[p["fund"]][p["currency"]][KIND[fact.type]] += p["amount"]
    return {
        fund: {
            currency: {
                **totals,
                "minor_units": precision(currency),
                "pledged_text": in_words(totals["pledged"], currency),
                "received_text": in_words(totals["received"], currency),
            }
            for currency, totals in sorted(currencies.items())
        }
        for fund, currencies in sorted(sums.items())
    }


def amounts(sums: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """Received and pledged, per fund and currency, in words ("£250,000.00"); the exact
    amounts in minor units are in the contributions view."""
    return {
        kind: {
            fund: {
                currency: totals[f"{kind}_text"]
                for currency, totals in currencies.items()
                if totals[kind]
            }
            for fund, currencies in sums.items()
            if any(totals[kind] for totals in currencies.values())
        }
        for kind in ("received", "pledged")
    }


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (5, 24),
            "contributions",
            "Voluntary contributions pledged and received in the period, per fund and "
            "currency (never summed across currencies).",
            lambda reading: amounts(by_fund(reading.facts(sorted(KIND)))),
        )
    ]


# -- the annual report -------------------------------------------------------------------

SECTION = """
<p class="para">In {{ period }}, {{ received }} voluntary
contribution{{ '' if received == 1 else 's' }} {{ 'was' if received == 1 else 'were' }}
received and {{ pledges }} pledge{{ '' if pledges == 1 else 's' }} made to the funds below.
Amounts are given in the currency in which they were made; they are not added across
currencies.</p>
{% if rows %}
<table>
  <thead><tr><th>Fund</th><th>Currency</th><th>Pledged</th><th>Received</th>
  <th>Received to date</th></tr></thead>
  <tbody>
  {% for row in rows %}
    <tr><td>{{ row.fund }}</td><td>{{ row.currency }}</td><td>{{ row.pledged }}</td>
        <td>{{ row.received }}</td><td>{{ row.to_date }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endif %}
"""


def report_section(context: SectionContext) -> Fragment:
    """Sums per fund and currency, of the period and to date (restricted contributions
    count, as in every figure; none is itemised)."""
    period = by_fund(context.reading.facts(sorted(KIND)))
    to_date = by_fund(context.cumulative.facts(sorted(KIND), cumulative=True))

    def shown(fund: str, currency: str, kind: str) -> str:
        totals = period.get(fund, {}).get(currency)
        return totals[f"{kind}_text"] if totals and totals[kind] else "—"

    rows = [
        {
            "fund": FUND_NAMES[fund],
            "currency": currency,
            "pledged": shown(fund, currency, "pledged"),
            "received": shown(fund, currency, "received"),
            "to_date": totals["received_text"],
        }
        for fund, currencies in to_date.items()
        for currency, totals in currencies.items()
    ]
    return Fragment(
        SECTION,
        {
            "period": context.period_label,
            "received": context.figures.get("contributions.received", 0),
            "pledges": context.figures.get("contributions.pledges", 0),
            "rows": rows,
        },
    )


@hookimpl
def followup_report_sections() -> list[ReportSection]:
    return [
        ReportSection(
            "contributions.funds",
            "Voluntary contributions to the trust funds",
            after="I.E",
            content=report_section,
        )
    ]
