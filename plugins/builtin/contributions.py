"""Money (Part I, clusters 1 and 5; recommendations 5, 24): voluntary contributions and
pledges to the Trust Fund for Victims, the Special Fund for Relocations, legal aid and
family visits of indigent detainees.

Amounts are integers in the currency's minor units (cents; none for yen), with the ISO
4217 code beside them: figures are kept per fund, currency and year and are never
summed across currencies (no rate is stated anywhere in the record)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
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
from core.views.model import Indicator, Item, ItemHandler, Reading, SummaryFigure, ViewFact
from core.words import Noun, Phrase, Terms, Text, Words
from plugins import hookimpl
from plugins.builtin.party_items import happened_by
from reports.sections import Fragment, ReportSection, SectionContext

AREA = "contributions"
VIEW = "contributions"

FUNDS = ("trust_fund_for_victims", "special_fund_for_relocations", "legal_aid", "family_visits")
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
        and fact.occurred_on.to_date() < TRUST_FUND_ESTABLISHED
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
    records = happened_by(item["records"], on)
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
    return _by_fund(
        (f.payload["fund"], f.payload["currency"], KIND[f.type], f.payload["amount"]) for f in facts
    )


def in_period(reading: Reading) -> dict[str, dict[str, dict[str, Any]]]:
    """`by_fund` of the contributions made in the reading's period, from the view's
    items (one per fund, currency and year) rather than the events: the overview of
    the 66 computes this indicator on every read, and a search of the log for these
    two types grows with the log."""
    period = reading.period
    return _by_fund(
        (item["fund"], item["currency"], record["kind"], record["amount"])
        for item in reading.items(VIEW)
        for record in item["records"]
        if period.contains(record["on"])
    )


def _by_fund(
    contributions: Iterable[tuple[str, str, str, int]],
) -> dict[str, dict[str, dict[str, Any]]]:
    sums: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {"pledged": 0, "received": 0})
    )
    for fund, currency, kind, amount in contributions:
        sums[fund][currency][kind] += amount
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
    """Received and pledged, per fund and currency, in words ("£250,000.00"), and the
    same in minor units (`received_in_minor_units`...: what the report writes in its
    own language from)."""
    found: dict[str, Any] = {}
    for kind in ("received", "pledged"):
        for key, shown in ((kind, f"{kind}_text"), (f"{kind}_in_minor_units", kind)):
            found[key] = {
                fund: {
                    currency: totals[shown]
                    for currency, totals in currencies.items()
                    if totals[kind]
                }
                for fund, currencies in sums.items()
                if any(totals[kind] for totals in currencies.values())
            }
    return found


def amounts_words(value: Mapping[str, Any], w: Words) -> str:
    """'Received in the period: Trust Fund for Victims, £250,000.00 and €525,000.00.'
    (in French, '250 000,00 £'); never a sum across currencies."""
    said = []
    for kind, en, fr in (
        ("received", "Received in the period", "Reçu pendant la période"),
        ("pledged", "Pledged in the period", "Annoncé pendant la période"),
    ):
        funds = value.get(f"{kind}_in_minor_units", {})
        if not funds:
            continue
        listed = w.say(en="; ", fr=" ; ").join(
            f"{w.term(fund, FUND_TERMS)}, "
            + w.listing(
                in_words(minor, currency, w.language) for currency, minor in currencies.items()
            )
            for fund, currencies in funds.items()
        )
        said.append(w.sentence(f"{w.say(en=en, fr=fr)}: {listed}."))
    if not said:
        return w.sentence(
            w.say(
                en="Voluntary contributions in the period: none.",
                fr="Contributions volontaires pendant la période : néant.",
            )
        )
    return " ".join(said)


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (5, 24),
            "contributions",
            "Voluntary contributions pledged and received in the period, per fund and "
            "currency (never summed across currencies).",
            lambda reading: amounts(in_period(reading)),
            reads=amounts_words,
        )
    ]


# -- the annual report -------------------------------------------------------------------

CONTRIBUTION = Noun(
    ("voluntary contribution", "voluntary contributions"),
    ("contribution volontaire", "contributions volontaires"),
    feminine=True,
)
PLEDGE = Noun(
    ("pledge", "pledges"), ("annonce de contribution", "annonces de contribution"), feminine=True
)

TABLE = """
{% for text in said %}<p class="para">{{ text }}</p>{% endfor %}
{% if rows %}
<table>
  <thead><tr><th>{{ head.fund }}</th><th>{{ head.currency }}</th>
  <th class="num">{{ head.pledged }}</th>
  <th class="num">{{ head.received }}</th><th class="num">{{ head.to_date }}</th></tr></thead>
  <tbody>
  {% for row in rows %}
    <tr><td>{{ row.fund }}</td><td>{{ row.currency }}</td><td class="num">{{ row.pledged }}</td>
        <td class="num">{{ row.received }}</td><td class="num">{{ row.to_date }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endif %}
"""


def report_section(context: SectionContext) -> dict[str, Any]:
    """Sums per fund and currency, of the period and to date, in minor units
    (restricted contributions count, as in every figure; none is itemised)."""
    period = by_fund(context.reading.facts(sorted(KIND)))
    to_date = by_fund(context.cumulative.facts(sorted(KIND), cumulative=True))
    return {
        "first": context.first.isoformat(),
        "last": context.last.isoformat(),
        "received": context.figures.get("contributions.received", 0) or 0,
        "pledges": context.figures.get("contributions.pledges", 0) or 0,
        "rows": [
            {
                "fund": fund,
                "currency": currency,
                "pledged": period.get(fund, {}).get(currency, {}).get("pledged", 0),
                "received": period.get(fund, {}).get(currency, {}).get("received", 0),
                "to_date": totals["received"],
            }
            for fund, currencies in to_date.items()
            for currency, totals in currencies.items()
        ],
    }


def report_words(data: Mapping[str, Any], w: Words) -> Fragment:
    """The section in a language: amounts as the language writes them, never added
    across currencies; one sentence when nothing was pledged or received."""
    year = data["last"][:4]
    during = (
        w.say(en=f"in {year}", fr=f"en {year}")
        if data["first"].endswith("-01-01") and data["last"].endswith("-12-31")
        else w.period(data["first"], data["last"])
    )
    received, pledges = data["received"], data["pledges"]
    clauses = []
    if received:
        clauses.append(
            w.say(
                en=f"{w.count(received, CONTRIBUTION)} "
                f"{w.agree(received, one='was', other='were')} received",
                fr=f"{w.count(received, CONTRIBUTION)} "
                f"{w.agree(received, one='a été reçue', other='ont été reçues')}",
            )
        )
    if pledges:
        clauses.append(
            w.say(
                en=f"{w.count(pledges, PLEDGE)} {w.agree(pledges, one='was', other='were')} made",
                fr=f"{w.count(pledges, PLEDGE)} "
                f"{w.agree(pledges, one='a été faite', other='ont été faites')}",
            )
        )
    if clauses:
        said = [
            w.sentence(f"{during}, " + w.listing(clauses) + "."),
            w.sentence(
                w.say(
                    en="Amounts are given in the currency in which they were made; they are "
                    "not added across currencies.",
                    fr="Les montants sont indiqués dans la monnaie dans laquelle ils ont été "
                    "versés ; ils ne sont pas additionnés d’une monnaie à l’autre.",
                )
            ),
        ]
    else:
        said = [
            w.sentence(
                w.say(
                    en=f"No voluntary contribution was received or pledged {during}.",
                    fr=f"Aucune contribution volontaire n’a été reçue ni annoncée {during}.",
                )
            )
        ]

    def amount(minor: int, currency: str) -> str:
        return in_words(minor, currency, w.language) if minor else "–"

    rows = [
        {
            "fund": w.term(row["fund"], FUND_TERMS),
            "currency": row["currency"],
            "pledged": amount(row["pledged"], row["currency"]),
            "received": amount(row["received"], row["currency"]),
            "to_date": amount(row["to_date"], row["currency"]),
        }
        for row in data["rows"]
    ]
    head = {
        "fund": w.say(en="Fund", fr="Fonds"),
        "currency": w.say(en="Currency", fr="Monnaie"),
        "pledged": w.say(en="Pledged", fr="Annoncé"),
        "received": w.say(en="Received", fr="Reçu"),
        "to_date": w.say(en="Received to date", fr="Reçu à ce jour"),
    }
    return Fragment(TABLE, {"said": said, "rows": rows, "head": head})


@hookimpl
def followup_report_sections() -> list[ReportSection]:
    return [
        ReportSection(
            "contributions.funds",
            Text(
                "Voluntary contributions to the trust funds",
                "Contributions volontaires aux fonds d’affectation spéciale",
            ),
            after="I.E",
            gather=report_section,
            render=report_words,
        )
    ]
