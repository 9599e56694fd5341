"""Who can take part in cooperation: States (ISO 3166-1 alpha-3, from pycountry), the
Court, the United Nations and the organisations of Annex II of the 2007 report."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import pycountry


class PartyKind(StrEnum):
    STATE = "state"
    COURT = "court"
    UNITED_NATIONS = "united_nations"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class Party:
    code: str
    name: str
    kind: PartyKind


COURT = Party("ICC", "International Criminal Court", PartyKind.COURT)
UNITED_NATIONS = Party("UN", "United Nations", PartyKind.UNITED_NATIONS)

#: Annex II of the report, in its order: "List of relevant international and regional
#: organisations".
ORGANISATIONS: dict[str, str] = {
    "AALCO": "Asian-African Legal Consultative Organization",
    "AL": "Arab League",
    "ASEAN": "Association of Southeast Asian Nations",
    "AU": "African Union",
    "CARICOM": "Caribbean Community",
    "COE": "Council of Europe",
    "EU": "European Union",
    "OIF": "International Organisation for the Francophonie",
    "MERCOSUR": "Common Market of the South",
    "NATO": "North Atlantic Treaty Organization",
    "OAS": "Organization of American States",
    "OIC": "Organization of the Islamic Conference",
    "OSCE": "Organization for Security and Cooperation in Europe",
    "SAARC": "South Asian Association for Regional Cooperation",
    "SADC": "Southern Africa Development Community",
}


@cache
def registry() -> dict[str, Party]:
    """Every known party by code. States come from ISO 3166-1, never a hand-typed list."""
    parties = {
        country.alpha_3: Party(
            country.alpha_3,
            getattr(country, "common_name", None) or country.name,
            PartyKind.STATE,
        )
        for country in pycountry.countries
    }
    for code, name in ORGANISATIONS.items():
        parties[code] = Party(code, name, PartyKind.ORGANISATION)
    parties[COURT.code] = COURT
    parties[UNITED_NATIONS.code] = UNITED_NATIONS
    return parties


def lookup(code: str) -> Party | None:
    return registry().get(code)


def is_state(code: str) -> bool:
    party = lookup(code)
    return party is not None and party.kind is PartyKind.STATE
