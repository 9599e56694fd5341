"""A State's membership of the Rome Statute as its lifecycle (``membership:<code>``)
holds it, and what that says about a date: was the State a party, had its withdrawal
taken effect? Shared by the areas whose rules and checks depend on it (legal framework,
membership, diplomatic support, logistics).

The lifecycle's state keeps every period of membership, so that a withdrawal revoked
before it took effect (South Africa, The Gambia, 2017) leaves one continuous period and
the notification on record, and a State that left and joined again has two.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from core.eventtypes import Check, Fact, Lifecycles, LifecycleState, conflict, invalid, lifecycle
from core.parties import lookup

MEMBERSHIP = "membership"
membership = lifecycle(MEMBERSHIP, "state")

#: Article 126(1): the Statute entered into force on 1 July 2002, for the States that had
#: deposited an instrument by 11 April 2002 (the sixtieth was deposited that day).
STATUTE_IN_FORCE = date(2002, 7, 1)
SIXTIETH_DEPOSIT = date(2002, 4, 11)


def membership_subject(code: str) -> str:
    return f"{MEMBERSHIP}:{code}"


def name_of(code: str) -> str:
    party = lookup(code)
    return party.name if party is not None else code


def periods(state: LifecycleState) -> list[dict[str, Any]]:
    return [dict(p) for p in (state or {}).get("periods", [])]


def in_force_for(deposited: date) -> date:
    """Article 126: when the Statute enters into force for a State that deposits its
    instrument on `deposited` (the first day of the month after the sixtieth day)."""
    if deposited <= SIXTIETH_DEPOSIT:
        return STATUTE_IN_FORCE
    sixtieth = deposited + timedelta(days=60)
    return date(sixtieth.year + sixtieth.month // 12, sixtieth.month % 12 + 1, 1)


def one_year_after(day: date) -> date:
    """Article 127(1): a withdrawal takes effect one year after the notification is
    received (a 29 February notification: 1 March)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 3, 1)


# -- rules of the membership lifecycle ------------------------------------------------


def joined(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    """StateBecameParty: a State that is not a party deposits an instrument."""
    if state is not None and state.get("party"):
        raise conflict(f"{fact.payload['state']} is already a party to the Rome Statute.")
    day = fact.occurred_on.isoformat()
    period = {"deposited": day, "in_force_on": fact.payload["in_force_on"]}
    return {**(state or {}), "party": True, "since": day, "periods": [*periods(state), period]}


def withdrawal_notified(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    if state is None or not state.get("party"):
        raise conflict(f"{fact.payload['state']} is not a party, so it cannot withdraw.")
    day = fact.occurred_on.isoformat()
    if day < state["since"]:
        raise conflict("A withdrawal cannot be notified before the State became party.")
    found = periods(state)
    found[-1].update(notified=day, effective=fact.payload["effective_on"])
    return {**state, "party": False, "withdrawn_on": day, "periods": found}


def withdrawal_revoked(state: LifecycleState, fact: Fact) -> Mapping[str, Any]:
    """WithdrawalRevoked: a notified withdrawal is taken back before it takes effect, so
    that membership continues unbroken."""
    code = fact.payload["state"]
    found = periods(state)
    pending = found[-1] if found and state and not state.get("party") else None
    if pending is None or not pending.get("notified") or pending.get("revoked"):
        raise conflict(f"{name_of(code)} has no notified withdrawal to revoke.")
    day = fact.occurred_on.isoformat()
    if day < pending["notified"]:
        raise conflict(
            f"A withdrawal cannot be revoked before it was notified on {pending['notified']}."
        )
    if day >= pending["effective"]:
        raise conflict(
            f"The withdrawal of {name_of(code)} took effect on {pending['effective']}: it can "
            "no longer be revoked (the State may become a party again)."
        )
    pending["revoked"] = day
    return {**(state or {}), "party": True, "periods": found}


# -- what the state says about a date ---------------------------------------------------


def party_on(state: LifecycleState, day: str) -> bool:
    """Whether the State had deposited an instrument by `day` and not left since."""
    member = False
    for period in periods(state):
        if period["deposited"] > day:
            continue
        effective = period.get("effective")
        member = not effective or bool(period.get("revoked")) or day < effective
    return member


def withdrawal_in_effect(state: LifecycleState, day: str) -> str | None:
    """The day a withdrawal took effect, if on `day` the State had left (and not joined
    again); else None."""
    left: str | None = None
    for period in periods(state):
        if period["deposited"] > day:
            continue
        effective = period.get("effective")
        taken = effective and not period.get("revoked") and effective <= day
        left = effective if taken else None
    return left


def as_state_party(field: str = "state") -> Check:
    """A check for acts of a State as a State Party (recommendations to States Parties,
    amendments): none after its withdrawal took effect, unless it joined again. What it
    still owes under article 127(2) — cooperation in investigations and proceedings
    begun before — is recorded with other types, which this does not restrict."""

    def check(fact: Fact, lifecycles: Lifecycles) -> None:
        code = fact.payload.get(field)
        if not code:
            return
        left = withdrawal_in_effect(
            lifecycles(membership_subject(code)), fact.occurred_on.isoformat()
        )
        if left is not None:
            raise conflict(
                f"The withdrawal of {name_of(code)} from the Rome Statute took effect on "
                f"{left}: nothing is recorded of it as a State Party after that date, "
                "unless it becomes a party again."
            )

    return check


def instrument_dates(fact: Fact, lifecycles: Lifecycles) -> None:
    """StateBecameParty: the Statute cannot enter into force for a State before it was in
    force at all, nor before the State deposited its instrument."""
    in_force_on = date.fromisoformat(fact.payload["in_force_on"])
    if in_force_on < STATUTE_IN_FORCE:
        raise invalid("in_force_on", "The Statute entered into force on 1 July 2002 (article 126).")
    if in_force_on < fact.occurred_on.to_date():
        raise invalid(
            "in_force_on",
            "The Statute enters into force for a State after it deposits its instrument: "
            f"on {in_force_for(fact.occurred_on.to_date()).isoformat()} for a deposit on "
            f"{fact.occurred_on.isoformat()} (article 126(2)).",
        )


def withdrawal_dates(fact: Fact, lifecycles: Lifecycles) -> None:
    """WithdrawalNotified: article 127(1), at least one year's notice."""
    earliest = one_year_after(fact.occurred_on.to_date())
    if date.fromisoformat(fact.payload["effective_on"]) < earliest:
        raise invalid(
            "effective_on",
            "A withdrawal takes effect one year after the notification is received, or "
            f"later if it says so (article 127(1)): not before {earliest.isoformat()}.",
        )
