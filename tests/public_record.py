"""A history built from the public record of cooperation with the Court, 2000-2025: the
travels of persons sought and the findings of non-compliance with requests for their
arrest (Omar Al Bashir 2011-2017, Vladimir Putin in Mongolia 2024), withdrawals from the
Statute (Burundi, the Philippines) and withdrawals revoked (South Africa, The Gambia),
Ukraine's article 12(3) declarations and ratification, persons in national custody
(Germain Katanga) or who gave themselves up (Dominic Ongwen), situations and how they
came to the Court, and voluntary contributions in two currencies.

Every event names its source: the Court's decisions and press releases by symbol or
date, the United Nations Secretary-General's depositary notifications (C.N. numbers,
Rome Statute, UNTC chapter XVIII.10), Security Council resolutions and statements.
Instruments enter into force as article 126 says (the first day of the month after the
sixtieth day following deposit; 1 July 2002 for those deposited by 11 April 2002).
Where the record gives no day for a fact, the event is dated by a day the record does
give and the summary says so.
"""

from __future__ import annotations

from typing import Any

from plugins.builtin.membership_state import in_force_for

DEPOSITARY = "UN Secretary-General, depositary of the Rome Statute (UNTC XVIII.10)"


def joined(state: str, deposited: str, instrument: str = "ratification") -> dict[str, Any]:
    from datetime import date

    return {
        "type": "StateBecameParty",
        "occurred_on": deposited,
        "state": state,
        "instrument": instrument,
        "in_force_on": in_force_for(date.fromisoformat(deposited)).isoformat(),
        "sources": [DEPOSITARY],
    }


MEMBERSHIP: list[dict[str, Any]] = [
    joined("BEL", "2000-06-28"),
    joined("ZAF", "2000-11-27"),
    joined("LIE", "2001-10-02"),
    joined("CAF", "2001-10-03"),
    joined("GBR", "2001-10-04"),
    joined("COD", "2002-04-11"),
    joined("JOR", "2002-04-11"),
    joined("MNG", "2002-04-11"),
    joined("UGA", "2002-06-14"),
    joined("GMB", "2002-06-28"),
    joined("MWI", "2002-09-19"),
    joined("DJI", "2002-11-05"),
    joined("BDI", "2004-09-21"),
    joined("TCD", "2006-11-01"),
    joined("PHL", "2011-08-30"),
    # Withdrawals, and the two revoked before they took effect.
    {
        "type": "WithdrawalNotified",
        "occurred_on": "2016-10-19",
        "state": "ZAF",
        "effective_on": "2017-10-19",
        "sources": ["C.N.786.2016.TREATIES-XVIII.10"],
    },
    {
        "type": "WithdrawalNotified",
        "occurred_on": "2016-10-27",
        "state": "BDI",
        "effective_on": "2017-10-27",
        "sources": ["C.N.805.2016.TREATIES-XVIII.10"],
    },
    {
        "type": "WithdrawalNotified",
        "occurred_on": "2016-11-10",
        "state": "GMB",
        "effective_on": "2017-11-10",
        "sources": ["C.N.862.2016.TREATIES-XVIII.10"],
    },
    {
        "type": "WithdrawalRevoked",
        "occurred_on": "2017-02-10",
        "state": "GMB",
        "summary": "The Gambia's new Government revoked the notification of withdrawal.",
        "sources": ["C.N.62.2017.TREATIES-XVIII.10"],
    },
    {
        "type": "WithdrawalRevoked",
        "occurred_on": "2017-03-07",
        "state": "ZAF",
        "summary": "Revoked after the North Gauteng High Court's judgment of 22 February 2017.",
        "sources": ["C.N.121.2017.TREATIES-XVIII.10"],
    },
    {
        "type": "WithdrawalNotified",
        "occurred_on": "2018-03-17",
        "state": "PHL",
        "effective_on": "2019-03-17",
        "sources": ["C.N.138.2018.TREATIES-XVIII.10"],
    },
    # Ukraine: two declarations under article 12(3), then ratification (signed in 2000).
    {
        "type": "JurisdictionAcceptedByDeclaration",
        "occurred_on": "2014-04-17",
        "state": "UKR",
        "jurisdiction_from": "2013-11-21",
        "jurisdiction_until": "2014-02-22",
        "sources": ["ICC press release, 25 April 2014 (preliminary examination in Ukraine)"],
    },
    {
        "type": "JurisdictionAcceptedByDeclaration",
        "occurred_on": "2015-09-08",
        "state": "UKR",
        "jurisdiction_from": "2014-02-20",
        "sources": ["ICC press release, 8 September 2015 (Ukraine accepts ICC jurisdiction)"],
    },
    joined("UKR", "2024-10-25"),
    # Liechtenstein, first to ratify the Kampala amendments.
    {
        "type": "AmendmentRatified",
        "occurred_on": "2012-05-08",
        "state": "LIE",
        "amendment": "aggression_2010",
        "sources": ["UNTC XVIII.10.b"],
    },
    {
        "type": "AmendmentRatified",
        "occurred_on": "2012-05-08",
        "state": "LIE",
        "amendment": "article_8_2010",
        "sources": ["UNTC XVIII.10.a"],
    },
]

SITUATIONS: list[dict[str, Any]] = [
    {
        "type": "DeferralRequested",
        "occurred_on": "2002-07-12",
        "requested_by": "UNSC",
        "resolution": "S/RES/1422 (2002)",
        "details": "Deferral of investigations of personnel of contributing States not party.",
        "sources": ["S/RES/1422 (2002)"],
    },
    {
        "type": "SituationReferred",
        "occurred_on": "2003-12-16",
        "situation": "ICC-02/04",
        "title": "Uganda",
        "by": ["UGA"],
        "sources": ["ICC press release, 29 January 2004 (referral by Uganda)"],
    },
    {
        "type": "InvestigationOpened",
        "occurred_on": "2004-07-29",
        "situation": "ICC-02/04",
        "title": "Uganda",
        "trigger": "state_referral",
        "sources": ["ICC press release, 29 July 2004"],
    },
    {
        "type": "SituationReferred",
        "occurred_on": "2005-03-31",
        "situation": "ICC-02/05",
        "title": "Darfur, Sudan",
        "by": ["UNSC"],
        "resolution": "S/RES/1593 (2005)",
        "sources": ["S/RES/1593 (2005)"],
    },
    {
        "type": "InvestigationOpened",
        "occurred_on": "2005-06-06",
        "situation": "ICC-02/05",
        "title": "Darfur, Sudan",
        "trigger": "security_council_referral",
        "sources": ["ICC press release, 6 June 2005"],
    },
    {
        "type": "PreliminaryExaminationOpened",
        "occurred_on": "2014-04-25",
        "situation": "ICC-01/22",
        "title": "Ukraine",
        "states": ["UKR"],
        "basis": "article_12_3_declaration",
        "sources": ["ICC press release, 25 April 2014"],
    },
    {
        "type": "PreliminaryExaminationOpened",
        "occurred_on": "2016-04-25",
        "situation": "ICC-01/17",
        "title": "Burundi",
        "states": ["BDI"],
        "basis": "communications",
        "sources": ["Statement of the Prosecutor, 25 April 2016"],
    },
    {
        "type": "PreliminaryExaminationConcluded",
        "occurred_on": "2017-09-05",
        "situation": "ICC-01/17",
        "outcome": "investigation",
        "summary": "The Prosecutor requested authorisation to investigate (under seal).",
        "sources": ["ICC-01/17-9-Red, para. 1"],
    },
    {
        "type": "InvestigationOpened",
        "occurred_on": "2017-10-25",
        "situation": "ICC-01/17",
        "title": "Burundi",
        "trigger": "proprio_motu",
        "authorisation": "ICC-01/17-9-Red",
        "summary": "Authorised two days before Burundi's withdrawal took effect.",
        "sources": ["ICC-01/17-9-Red", "ICC press release, 9 November 2017"],
    },
    {
        "type": "PreliminaryExaminationOpened",
        "occurred_on": "2018-02-08",
        "situation": "ICC-01/21",
        "title": "Philippines",
        "states": ["PHL"],
        "basis": "communications",
        "sources": ["Statement of the Prosecutor, 8 February 2018"],
    },
    {
        "type": "PreliminaryExaminationConcluded",
        "occurred_on": "2020-12-11",
        "situation": "ICC-01/22",
        "outcome": "investigation",
        "sources": ["Statement of the Prosecutor, 11 December 2020"],
    },
    {
        "type": "PreliminaryExaminationConcluded",
        "occurred_on": "2021-06-14",
        "situation": "ICC-01/21",
        "outcome": "investigation",
        "summary": "The Prosecutor requested authorisation to open an investigation.",
        "sources": ["Statement of the Prosecutor, 14 June 2021"],
    },
    {
        "type": "InvestigationOpened",
        "occurred_on": "2021-09-15",
        "situation": "ICC-01/21",
        "title": "Philippines",
        "trigger": "proprio_motu",
        "authorisation": "ICC-01/21-12",
        "sources": ["ICC-01/21-12", "ICC press release, 15 September 2021"],
    },
    {
        "type": "SituationReferred",
        "occurred_on": "2022-03-01",
        "situation": "ICC-01/22",
        "title": "Ukraine",
        "by": ["LTU"],
        "summary": "The first of the referrals of March 2022 (39 States Parties by 2 March).",
        "sources": ["Statement of the Prosecutor, 2 March 2022"],
    },
    {
        "type": "InvestigationOpened",
        "occurred_on": "2022-03-02",
        "situation": "ICC-01/22",
        "title": "Ukraine",
        "trigger": "state_referral",
        "sources": ["Statement of the Prosecutor, 2 March 2022"],
    },
]

AL_BASHIR = "ICC-02/05-01/09-1"
PUTIN = "UKR-2023-PUTIN"
KATANGA = "ICC-01/04-01/07-1"
ONGWEN = "ICC-02/04-01/05-57"
KONY = "ICC-02/04-01/05-53"
DUTERTE = "PHL-2025-DUTERTE"

WARRANTS: list[dict[str, Any]] = [
    {
        "type": "ArrestWarrantIssued",
        "occurred_on": "2005-07-08",
        "warrant": KONY,
        "situation": "Uganda",
        "person": "Joseph Kony",
        "sources": [KONY],
    },
    {
        "type": "ArrestWarrantIssued",
        "occurred_on": "2005-07-08",
        "warrant": ONGWEN,
        "situation": "Uganda",
        "person": "Dominic Ongwen",
        "sources": [ONGWEN],
    },
    {
        "type": "WarrantUnsealed",
        "occurred_on": "2005-10-13",
        "warrant": ONGWEN,
        "sources": ["ICC press release, 14 October 2005 (warrants against five LRA commanders)"],
    },
    {
        "type": "ArrestWarrantIssued",
        "occurred_on": "2007-07-02",
        "warrant": KATANGA,
        "situation": "Democratic Republic of the Congo",
        "person": "Germain Katanga",
        "sources": [KATANGA],
    },
    {
        "type": "PersonHeldInNationalCustody",
        "occurred_on": "2007-07-02",
        "warrant": KATANGA,
        "state": "COD",
        "summary": "Held by the Congolese authorities since 2005 (the day is not public): "
        "in their custody when the warrant issued.",
        "sources": ["ICC press release, 18 October 2007 (Katanga surrendered)"],
    },
    {
        "type": "SurrenderCompleted",
        "occurred_on": "2007-10-17",
        "warrant": KATANGA,
        "surrendering_state": "COD",
        "sources": ["ICC press release, 18 October 2007 (Katanga surrendered)"],
    },
    {
        "type": "WarrantUnsealed",
        "occurred_on": "2007-10-18",
        "warrant": KATANGA,
        "sources": ["ICC press release, 18 October 2007 (Katanga surrendered)"],
    },
    {
        "type": "ArrestAttemptFailed",
        "occurred_on": "2008-12-14",
        "warrant": KONY,
        "state": "UGA",
        "details": "Operation Lightning Thunder, Garamba (DRC), with the DRC and South Sudan.",
        "sources": ["Uganda People's Defence Forces, announcement of 14 December 2008"],
    },
    {
        "type": "ArrestWarrantIssued",
        "occurred_on": "2009-03-04",
        "warrant": AL_BASHIR,
        "situation": "Darfur, Sudan",
        "person": "Omar Hassan Ahmad Al Bashir",
        "sources": [AL_BASHIR],
    },
    {
        "type": "PersonSurrenderedVoluntarily",
        "occurred_on": "2015-01-06",
        "warrant": ONGWEN,
        "state": "CAF",
        "details": "Gave himself up in the Central African Republic; handed to the AU "
        "Regional Task Force with United States support.",
        "sources": ["Statement of the Secretary-General's spokesman, 21 January 2015"],
    },
    {
        "type": "SurrenderCompleted",
        "occurred_on": "2015-01-20",
        "warrant": ONGWEN,
        "surrendering_state": "CAF",
        "sources": ["SC/11744, Security Council press statement, 20 January 2015"],
    },
    {
        "type": "SentenceEnforcementTransferred",
        "occurred_on": "2015-12-19",
        "warrant": KATANGA,
        "state": "COD",
        "sources": ["ICC press release, 19 December 2015 (Lubanga and Katanga transferred)"],
    },
    {
        "type": "PersonReleasedToState",
        "occurred_on": "2016-01-18",
        "warrant": KATANGA,
        "state": "COD",
        "reason": "sentence_served",
        "details": "Held afterwards by the Congolese authorities on national charges.",
        "sources": ["Decision on the review concerning reduction of sentence, 13 November 2015"],
    },
    {
        "type": "ArrestWarrantIssued",
        "occurred_on": "2023-03-17",
        "warrant": PUTIN,
        "situation": "Ukraine",
        "person": "Vladimir Vladimirovich Putin",
        "sources": ["ICC press release, 17 March 2023"],
    },
    {
        "type": "ArrestWarrantIssued",
        "occurred_on": "2025-03-07",
        "warrant": DUTERTE,
        "situation": "Philippines",
        "person": "Rodrigo Roa Duterte",
        "sources": ["ICC press release, 12 March 2025"],
    },
    # After the Philippines' withdrawal took effect: cooperation it owes (art. 127(2)).
    {
        "type": "ArrestFacilitated",
        "occurred_on": "2025-03-11",
        "warrant": DUTERTE,
        "arresting_state": "PHL",
        "sources": ["ICC press release, 12 March 2025"],
    },
    {
        "type": "SurrenderCompleted",
        "occurred_on": "2025-03-12",
        "warrant": DUTERTE,
        "surrendering_state": "PHL",
        "sources": ["ICC press release, 12 March 2025"],
    },
    {
        "type": "SummonsToAppearIssued",
        "occurred_on": "2009-05-07",
        "summons": "ICC-02/05-02/09",
        "situation": "Darfur, Sudan",
        "person": "Bahar Idriss Abu Garda",
        "sources": ["ICC press release, 18 May 2009"],
    },
    {
        "type": "PersonAppearedOnSummons",
        "occurred_on": "2009-05-18",
        "summons": "ICC-02/05-02/09",
        "summary": "The first person to appear before the Court voluntarily.",
        "sources": ["ICC press release, 18 May 2009"],
    },
]


def visit(
    matter: str,
    state: str,
    travelled: str,
    *,
    warrant: str = AL_BASHIR,
    occasion: str,
    departed: str | None = None,
    grounds: str = "not_recorded",
    sources: list[str],
) -> list[dict[str, Any]]:
    """A person sought in a State Party, not arrested."""
    travel: dict[str, Any] = {
        "type": "SuspectTravelled",
        "occurred_on": travelled,
        "matter": matter,
        "warrant": warrant,
        "state": state,
        "occasion": occasion,
        "recommendations": [17, 66],
        "sources": sources,
    }
    if departed:
        travel["departed_on"] = departed
    return [
        travel,
        {
            "type": "ArrestNotExecuted",
            "occurred_on": departed or travelled,
            "matter": matter,
            "grounds": grounds,
            "sources": sources,
        },
    ]


def found(
    matter: str, day: str, decision: str, to: list[str] | None, chamber: str = "pre_trial_chamber"
) -> list[dict[str, Any]]:
    """A finding under article 87(7), and its referral (none: not referred)."""
    finding = {
        "type": "NonComplianceFound",
        "occurred_on": day,
        "matter": matter,
        "chamber": chamber,
        "decision": decision,
        "sources": [decision],
    }
    if not to:
        return [finding]
    referral = {
        "type": "NonComplianceReferred",
        "occurred_on": day,
        "matter": matter,
        "to": to,
        "decision": decision,
        "sources": [decision],
    }
    return [finding, referral]


BOTH = ["ASP", "UNSC"]

NON_COOPERATION: list[dict[str, Any]] = [
    *visit(
        "BASHIR-TCD-2011",
        "TCD",
        "2011-08-07",
        occasion="Inauguration of President Déby",
        sources=["ICC-02/05-01/09-140-tENG"],
    ),
    *visit(
        "BASHIR-MWI-2011",
        "MWI",
        "2011-10-14",
        occasion="Summit of COMESA, Lilongwe",
        grounds="head_of_state_immunity",
        sources=["ICC-02/05-01/09-139-Corr"],
    ),
    *found("BASHIR-MWI-2011", "2011-12-12", "ICC-02/05-01/09-139-Corr", BOTH),
    *found("BASHIR-TCD-2011", "2011-12-13", "ICC-02/05-01/09-140-tENG", BOTH),
    *visit(
        "BASHIR-TCD-2013",
        "TCD",
        "2013-02-16",
        occasion="Summit of the Community of Sahel-Saharan States, N'Djamena",
        sources=["ICC-02/05-01/09-151"],
    ),
    *found("BASHIR-TCD-2013", "2013-03-26", "ICC-02/05-01/09-151", BOTH),
    *visit(
        "BASHIR-COD-2014",
        "COD",
        "2014-02-26",
        departed="2014-02-27",
        occasion="Summit of COMESA, Kinshasa",
        sources=["ICC-02/05-01/09-195"],
    ),
    *found("BASHIR-COD-2014", "2014-04-09", "ICC-02/05-01/09-195", BOTH),
    *visit(
        "BASHIR-ZAF-2015",
        "ZAF",
        "2015-06-13",
        departed="2015-06-15",
        occasion="Summit of the African Union, Johannesburg",
        grounds="head_of_state_immunity",
        sources=["ICC-02/05-01/09-302"],
    ),
    {
        "type": "NonCooperationFollowedUp",
        "occurred_on": "2015-06-13",
        "matter": "BASHIR-ZAF-2015",
        "by": "ASP",
        "action": "statement",
        "details": "The President of the Assembly called on South Africa to spare no effort "
        "to execute the warrants.",
        "recommendations": [17],
        "sources": ["ICC-ASP press release PR1117, June 2015"],
    },
    *visit(
        "BASHIR-DJI-2016",
        "DJI",
        "2016-05-08",
        occasion="Inauguration of President Guelleh",
        sources=["ICC-02/05-01/09-266"],
    ),
    *visit(
        "BASHIR-UGA-2016",
        "UGA",
        "2016-05-12",
        occasion="Inauguration of President Museveni",
        sources=["ICC-02/05-01/09-267"],
    ),
    *found("BASHIR-DJI-2016", "2016-07-11", "ICC-02/05-01/09-266", BOTH),
    *found("BASHIR-UGA-2016", "2016-07-11", "ICC-02/05-01/09-267", BOTH),
    *visit(
        "BASHIR-JOR-2017",
        "JOR",
        "2017-03-29",
        occasion="Summit of the League of Arab States, Dead Sea",
        grounds="head_of_state_immunity",
        sources=["ICC-02/05-01/09-309"],
    ),
    # South Africa: non-compliance found, not referred.
    *found("BASHIR-ZAF-2015", "2017-07-06", "ICC-02/05-01/09-302", None),
    *found("BASHIR-JOR-2017", "2017-12-11", "ICC-02/05-01/09-309", BOTH),
    {
        "type": "NonComplianceAppealDecided",
        "occurred_on": "2019-05-06",
        "matter": "BASHIR-JOR-2017",
        "decision": "ICC-02/05-01/09-397-Corr",
        "finding": "confirmed",
        "referral": "reversed",
        "sources": ["ICC-02/05-01/09-397-Corr"],
    },
    *visit(
        "PUTIN-MNG-2024",
        "MNG",
        "2024-09-02",
        departed="2024-09-03",
        warrant=PUTIN,
        occasion="Official visit, Ulaanbaatar",
        grounds="head_of_state_immunity",
        sources=["ICC-01/22-90", "ICC press release, 24 October 2024"],
    ),
    *found("PUTIN-MNG-2024", "2024-10-24", "ICC-01/22-90", ["ASP"]),
]

CONTRIBUTIONS: list[dict[str, Any]] = [
    {
        "type": "ContributionReceived",
        "occurred_on": "2017-09-29",
        "fund": "trust_fund_for_victims",
        "contributor": "GBR",
        "amount": 25_000_000,
        "currency": "GBP",
        "summary": "The second contribution of the year (GBP 150,000 came in April 2017).",
        "recommendations": [24],
        "sources": ["TFV press release, 2 October 2017"],
    },
    {
        "type": "ContributionReceived",
        "occurred_on": "2020-12-14",
        "fund": "trust_fund_for_victims",
        "contributor": "BEL",
        "amount": 52_500_000,
        "currency": "EUR",
        "recommendations": [24],
        "sources": ["ICC press release, 14 December 2020"],
    },
]

#: In an order in which every lifecycle rule and check holds.
EVENTS: list[dict[str, Any]] = [
    *MEMBERSHIP,
    *SITUATIONS,
    *WARRANTS,
    *NON_COOPERATION,
    *CONTRIBUTIONS,
]
