"""The rules of the record of cooperation (issue 15): who may be named, dates that cannot
be, lifecycles of memberships, non-cooperation matters, custody, situations and money,
and events recorded before a check existed reading as they did."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.envelope import Draft
from core.errors import Forbidden, InvalidEvent, LifecycleConflict
from core.views.model import Level
from plugins.builtin import queries
from plugins.builtin.contributions import KIND, amounts, by_fund, in_period


@pytest.fixture
def app(memory_services):
    return memory_services.app


def record(app, raw: dict[str, Any], role: str | None = "focal_point"):
    return app.record(app.validate(raw), "tester", role)


def refused(
    app,
    raw: dict[str, Any],
    error: type[Exception] = LifecycleConflict,
    role: str | None = "focal_point",
) -> str:
    with pytest.raises(error) as caught:
        record(app, raw, role)
    return str(caught.value)


def reading(services, on: str = "2030-01-01", **period: str):
    return services.views.reading(
        Level.RESTRICTED,
        on=date.fromisoformat(on),
        first=date.fromisoformat(period["first"]) if "first" in period else None,
        last=date.fromisoformat(period["last"]) if "last" in period else None,
    )


def joined(state: str, day: str, in_force: str) -> dict[str, Any]:
    return {
        "type": "StateBecameParty",
        "occurred_on": day,
        "state": state,
        "instrument": "ratification",
        "in_force_on": in_force,
    }


# -- who may be named ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["ATA", "BMU", "ASM", "CCK"])
def test_territories_are_refused_where_a_state_or_party_is_named(app, code):
    message = refused(app, joined(code, "2003-01-01", "2003-04-01"), InvalidEvent)
    assert "is a territory, not a State" in message
    visit = {"type": "HighLevelVisit", "occurred_on": "2009-01-01", "organ": "registry"}
    assert "territory" in refused(app, {**visit, "host": code}, InvalidEvent)


def test_events_recorded_before_the_checks_still_read(memory_services):
    """A territory named as a State, recommendations cited in 2003, a free-text topic:
    recorded as they were (a Draft, not validated again), they read and count."""
    app = memory_services.app
    old = [
        Draft(
            "StateBecameParty",
            date(2003, 1, 1),
            {"state": "ATA", "instrument": "ratification", "in_force_on": "2003-04-01"},
        ),
        Draft(
            "WorkshopHeld",
            date(2003, 5, 5),
            {
                "title": "Seminar",
                "organiser": "AU",
                "host": None,
                "participants": ["BMU"],
                "attendees": 12,
                "topics": ["Implementing legislation"],
            },
            recommendations=(4,),
        ),
    ]
    app.record_batch(old, "import", None)
    read = reading(memory_services, first="2003-01-01", last="2003-12-31")
    antarctica = read.item("parties", "ATA")
    assert antarctica["name"] == "Antarctica" and antarctica["is_party"]
    indicator = memory_services.views.indicators_for(read, 4)
    assert indicator["workshops_on_legislation"]["implementing_legislation"] == 1


def test_an_organisation_is_registered_by_the_administrator_then_named(memory_services):
    app = memory_services.app
    statement = {
        "type": "StatementDelivered",
        "occurred_on": "2015-06-01",
        "speaker": "KNCHR",
        "forum": "other",
        "topic": "arrest_and_surrender",
    }
    assert "no organisation is registered under it" in refused(app, statement, InvalidEvent)
    registration = {
        "type": "OrganisationRegistered",
        "occurred_on": "2015-01-01",
        "code": "KNCHR",
        "name": "Kenya National Commission on Human Rights",
        "kind": "national_institution",
        "state": "KEN",
    }
    with pytest.raises(Forbidden):
        record(app, registration)  # the focal point may not
    record(app, registration, role="admin")
    record(app, statement)
    assert "already registered" in refused(app, {**registration, "name": "Other"}, role="admin")
    # A national institution is not an organisation a working group is set up in.
    group = {"type": "WorkingGroupEstablished", "occurred_on": "2015-06-02", "mandate": "x"}
    assert "is not a" in refused(app, {**group, "organisation": "KNCHR"}, InvalidEvent)
    read = reading(memory_services)
    assert read.item("parties", "KNCHR")["name"] == "Kenya National Commission on Human Rights"
    assert queries.party(read, "KNCHR")["kind"] == "national_institution"


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"code": "INTERPOL"}, "is built in"),
        ({"code": "ICC"}, "2, or 4 to 30"),
        ({"code": "KEN"}, "2, or 4 to 30"),
        ({"code": "ngo-x"}, "2, or 4 to 30"),
        ({"kind": "state"}, "Must be one of"),
        ({"state": None}, "belongs to a State"),
    ],
)
def test_a_registration_is_checked(app, changes, fragment):
    raw = {
        "type": "OrganisationRegistered",
        "occurred_on": "2015-01-01",
        "code": "NHRI-KEN",
        "name": "A national institution",
        "kind": "national_institution",
        "state": "KEN",
        **changes,
    }
    with pytest.raises(InvalidEvent) as caught:
        app.validate({k: v for k, v in raw.items() if v is not None})
    assert fragment in str(caught.value)


# -- dates that cannot be -----------------------------------------------------------------


def test_nothing_advances_or_assesses_the_recommendations_before_their_adoption(app):
    visit = {"type": "HighLevelVisit", "occurred_on": "2007-12-13", "organ": "registry"}
    message = refused(app, {**visit, "host": "KEN", "recommendations": [10]}, InvalidEvent)
    assert "adopted on 2007-12-14 (ICC-ASP/6/Res.2)" in message
    record(app, {**visit, "occurred_on": "2007-12-14", "host": "KEN", "recommendations": [10]})
    assessed = {
        "type": "RecommendationAssessed",
        "occurred_on": "2003-05-01",
        "recommendation": 1,
        "status": "in_progress",
        "rationale": "Too early.",
    }
    assert "none can have been assessed before" in refused(app, assessed, InvalidEvent)


def test_the_statute_enters_into_force_after_the_deposit(app):
    message = refused(app, joined("UKR", "2024-10-25", "2024-10-01"), InvalidEvent)
    assert "on 2025-01-01 for a deposit on 2024-10-25" in message
    assert "1 July 2002" in refused(app, joined("NLD", "2001-07-17", "2001-09-01"), InvalidEvent)


def test_a_withdrawal_takes_a_year(app):
    record(app, joined("BDI", "2004-09-21", "2004-12-01"))
    early = {"type": "WithdrawalNotified", "occurred_on": "2016-10-27", "state": "BDI"}
    assert "not before 2017-10-27" in refused(
        app, {**early, "effective_on": "2017-10-26"}, InvalidEvent
    )


def test_revocation_of_a_withdrawal(app):
    record(app, joined("ZAF", "2000-11-27", "2002-07-01"))
    revoke = {"type": "WithdrawalRevoked", "state": "ZAF"}
    assert "no notified withdrawal" in refused(app, {**revoke, "occurred_on": "2016-01-01"})
    record(
        app,
        {
            "type": "WithdrawalNotified",
            "occurred_on": "2016-10-19",
            "state": "ZAF",
            "effective_on": "2017-10-19",
        },
    )
    assert "took effect on 2017-10-19" in refused(app, {**revoke, "occurred_on": "2017-10-19"})
    assert "before it was notified" in refused(app, {**revoke, "occurred_on": "2016-10-18"})
    record(app, {**revoke, "occurred_on": "2017-03-07"})
    # Membership goes on: no second ratification is needed, nor accepted.
    assert "already a party" in refused(app, joined("ZAF", "2017-03-08", "2017-06-01"))


def test_after_a_withdrawal_took_effect_nothing_is_recorded_of_the_state_as_a_party(app):
    record(app, joined("PHL", "2011-08-30", "2011-11-01"))
    record(
        app,
        {
            "type": "WithdrawalNotified",
            "occurred_on": "2018-03-17",
            "state": "PHL",
            "effective_on": "2019-03-17",
        },
    )
    focal = {"type": "FocalPointDesignated", "state": "PHL", "office": "DFA"}
    record(app, {**focal, "occurred_on": "2019-03-16"})
    assert "took effect on 2019-03-17" in refused(app, {**focal, "occurred_on": "2019-03-17"})
    kampala = {"type": "AmendmentRatified", "state": "PHL", "amendment": "aggression_2010"}
    assert "was not a party" in refused(app, {**kampala, "occurred_on": "2020-01-01"})
    # What it owes under article 127(2) is recorded as ever.
    record(
        app,
        {
            "type": "ArrestWarrantIssued",
            "occurred_on": "2025-03-07",
            "warrant": "W-D",
            "situation": "Philippines",
            "person": "R. D.",
        },
    )
    record(
        app,
        {
            "type": "ArrestFacilitated",
            "occurred_on": "2025-03-11",
            "warrant": "W-D",
            "arresting_state": "PHL",
        },
    )


def test_declarations_and_amendments(app):
    declaration = {
        "type": "JurisdictionAcceptedByDeclaration",
        "occurred_on": "2014-04-17",
        "state": "UKR",
        "jurisdiction_from": "2013-11-21",
    }
    assert "1 July 2002" in refused(
        app, {**declaration, "jurisdiction_from": "2001-01-01"}, InvalidEvent
    )
    assert "jurisdiction_until" in refused(
        app, {**declaration, "jurisdiction_until": "2013-01-01"}, InvalidEvent
    )
    record(app, declaration)
    record(app, joined("UKR", "2024-10-25", "2025-01-01"))
    assert "12(3) declarations are for States that are not" in refused(
        app, {**declaration, "occurred_on": "2025-02-01"}
    )
    amendment = {"type": "AmendmentRatified", "state": "UKR", "amendment": "article_8_2019"}
    assert "was not a party" in refused(app, {**amendment, "occurred_on": "2024-01-05"})
    record(app, joined("NLD", "2001-07-17", "2002-07-01"))
    assert "adopted on 2019-12-06" in refused(
        app, {**amendment, "state": "NLD", "occurred_on": "2019-12-05"}, InvalidEvent
    )
    record(app, {**amendment, "occurred_on": "2025-01-05"})
    assert "already ratified" in refused(app, {**amendment, "occurred_on": "2025-02-05"})


# -- non-cooperation --------------------------------------------------------------------


WARRANT = {
    "type": "ArrestWarrantIssued",
    "occurred_on": "2009-03-04",
    "warrant": "W-B",
    "situation": "Darfur",
    "person": "O. B.",
}


def travel(matter: str = "M-1", **changes: Any) -> dict[str, Any]:
    return {
        "type": "SuspectTravelled",
        "occurred_on": "2011-10-14",
        "matter": matter,
        "warrant": "W-B",
        "state": "MWI",
        **changes,
    }


def test_a_matter_follows_its_chain(memory_services):
    app = memory_services.app
    assert "no warrant W-B" in refused(app, travel())
    record(app, WARRANT)
    assert "issued on 2009-03-04" in refused(app, travel(occurred_on="2008-10-14"))
    assert "departed_on" in refused(app, travel(departed_on="2011-10-13"), InvalidEvent)
    record(app, travel())
    assert "each visit is a matter of its own" in refused(app, travel(occurred_on="2011-10-15"))
    assert "about warrant W-B and Malawi" in refused(
        app,
        {
            "type": "ArrestRequestTransmitted",
            "occurred_on": "2011-10-13",
            "matter": "M-1",
            "warrant": "W-B",
            "state": "TCD",
        },
    )
    refer = {"type": "NonComplianceReferred", "occurred_on": "2011-12-12", "matter": "M-1"}
    assert "no standing finding" in refused(app, {**refer, "to": ["ASP"]})
    assert "ASP, UNSC" in refused(app, {**refer, "to": ["AU"]}, InvalidEvent)
    finding = {
        "type": "NonComplianceFound",
        "occurred_on": "2011-10-01",
        "matter": "M-1",
        "chamber": "pre_trial_chamber",
        "decision": "ICC-02/05-01/09-139-Corr",
    }
    assert "cannot precede the travel" in refused(app, finding)
    record(app, {**finding, "occurred_on": "2011-12-12"})
    record(app, {**refer, "to": ["ASP", "UNSC"]})
    assert "already referred" in refused(app, {**refer, "to": ["UNSC"]})
    appeal = {
        "type": "NonComplianceAppealDecided",
        "occurred_on": "2012-06-01",
        "matter": "M-1",
        "decision": "A-1",
        "finding": "reversed",
        "referral": "reversed",
    }
    record(app, appeal)
    item = reading(memory_services).item("non_cooperation", "M-1")
    # Reversed on appeal: the finding and its referral no longer stand.
    assert (item["status"], item["finding_stands"], item["referred_to"]) == (
        "travel_reported",
        False,
        [],
    )
    close = {"type": "NonCooperationMatterClosed", "matter": "M-1", "reason": "finding_reversed"}
    record(app, {**close, "occurred_on": "2012-06-02"})
    assert "was closed" in refused(
        app,
        {
            "type": "NonCooperationFollowedUp",
            "occurred_on": "2012-07-01",
            "matter": "M-1",
            "by": "ASP-BUREAU",
            "action": "letter",
        },
    )
    read = reading(memory_services, "2012-12-31")
    assert read.item("non_cooperation", "M-1")["status"] == "closed"
    assert queries.party(read, "MWI")["non_cooperation"]["open"] == 0


def test_a_request_for_arrest_and_surrender_names_its_warrant(memory_services):
    app = memory_services.app
    request = {
        "type": "AssistanceRequestSent",
        "occurred_on": "2010-01-05",
        "request": "R-1",
        "addressee": "MWI",
        "category": "arrest_and_surrender",
        "on_behalf_of": "registry",
        "warrant": "W-B",
    }
    assert "no warrant W-B" in refused(app, request)
    record(app, WARRANT)
    record(app, request)
    item = reading(memory_services).item("warrants", "W-B")
    assert [r["request"] for r in item["requests"]] == ["R-1"]
    assert reading(memory_services).item("requests", "R-1")["warrant"] == "W-B"


# -- custody -------------------------------------------------------------------------------


def test_custody_rules(memory_services):
    app = memory_services.app
    record(app, {**WARRANT, "warrant": "W-K", "occurred_on": "2007-07-02"})
    held = {"type": "PersonHeldInNationalCustody", "warrant": "W-K", "state": "COD"}
    record(app, {**held, "occurred_on": "2007-07-02"})
    assert "already in custody" in refused(app, {**held, "occurred_on": "2007-07-03"})
    transfer = {
        "type": "SentenceEnforcementTransferred",
        "occurred_on": "2015-12-19",
        "warrant": "W-K",
        "state": "COD",
    }
    assert "not been surrendered" in refused(app, transfer)
    record(
        app,
        {
            "type": "SurrenderCompleted",
            "occurred_on": "2007-10-17",
            "warrant": "W-K",
            "surrendering_state": "COD",
        },
    )
    assert "already been surrendered" in refused(app, {**held, "occurred_on": "2007-10-18"})
    record(app, transfer)
    release = {"type": "PersonReleasedToState", "warrant": "W-K", "state": "COD"}
    assert "when the sentence is served" in refused(
        app, {**release, "occurred_on": "2016-01-18", "reason": "acquitted"}
    )
    record(app, {**release, "occurred_on": "2016-01-18", "reason": "sentence_served"})
    gave_up = {
        "type": "PersonSurrenderedVoluntarily",
        "occurred_on": "2005-01-01",
        "warrant": "W-O",
        "state": "CAF",
    }
    assert "has not been issued" in refused(app, gave_up)
    record(app, {**WARRANT, "warrant": "W-O", "occurred_on": "2005-07-08"})
    assert "cannot precede the warrant" in refused(app, gave_up)
    closing = {"type": "WarrantClosed", "warrant": "W-O", "reason": "withdrawn"}
    record(app, {**closing, "occurred_on": "2005-08-01"})
    unsealing = {"type": "WarrantUnsealed", "occurred_on": "2005-09-01", "warrant": "W-O"}
    assert "is closed" in refused(app, unsealing)


# -- situations and money --------------------------------------------------------------------


def test_how_a_situation_came_to_the_court(app):
    opened = {
        "type": "InvestigationOpened",
        "occurred_on": "2022-03-02",
        "situation": "S-1",
        "title": "Ukraine",
    }
    assert "was not referred by a State Party" in refused(
        app, {**opened, "trigger": "state_referral"}
    )
    assert "authorisation" in refused(app, {**opened, "trigger": "proprio_motu"}, InvalidEvent)
    referral = {
        "type": "SituationReferred",
        "occurred_on": "2005-03-31",
        "situation": "S-2",
        "title": "Darfur",
    }
    assert "refers alone" in refused(app, {**referral, "by": ["UNSC", "FRA"]}, InvalidEvent)
    assert "give its symbol" in refused(app, {**referral, "by": ["UNSC"]}, InvalidEvent)
    assert "Only States and the Security Council" in refused(
        app, {**referral, "by": ["UN"]}, InvalidEvent
    )
    record(app, {**referral, "by": ["UNSC"], "resolution": "S/RES/1593 (2005)"})
    record(
        app,
        {
            **opened,
            "situation": "S-2",
            "occurred_on": "2005-06-06",
            "trigger": "security_council_referral",
        },
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "eur"}, "currency"),
        ({"amount": "1000"}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": 10**14}, "amount"),
        ({"fund": "general"}, "fund"),
        ({"contributor": "ATA"}, "contributor"),
    ],
)
def test_a_contribution_is_an_integer_in_an_iso_4217_currency(app, changes, field):
    raw = {
        "type": "ContributionReceived",
        "occurred_on": "2017-09-29",
        "fund": "trust_fund_for_victims",
        "contributor": "GBR",
        "amount": 25_000_000,
        "currency": "GBP",
        **changes,
    }
    with pytest.raises(InvalidEvent) as caught:
        app.validate(raw)
    assert field in caught.value.messages


def test_payments_on_a_pledge_and_sums_never_across_currencies(memory_services):
    app = memory_services.app
    pledge = {
        "type": "ContributionPledged",
        "occurred_on": "2019-01-10",
        "pledge": "P-1",
        "fund": "special_fund_for_relocations",
        "contributor": "NLD",
        "amount": 100_000,
        "currency": "EUR",
    }
    record(app, pledge)
    payment = {**pledge, "type": "ContributionReceived", "occurred_on": "2019-03-01"}
    assert "same currency" in refused(app, {**payment, "currency": "USD"})
    assert "cannot precede the pledge" in refused(app, {**payment, "occurred_on": "2019-01-01"})
    record(app, payment)
    record(app, {**payment, "pledge": None, "currency": "JPY", "amount": 5_000_000})
    tfv = {**payment, "pledge": None, "fund": "trust_fund_for_victims", "occurred_on": "2002-09-01"}
    assert "9 September 2002" in refused(app, tfv, InvalidEvent)
    read = reading(memory_services, "2019-12-31", first="2019-01-01", last="2019-12-31")
    fund = memory_services.views.indicators_for(read, 5)["contributions"]["received"]
    assert fund == {"special_fund_for_relocations": {"EUR": "€1,000.00", "JPY": "¥5,000,000"}}


@pytest.mark.parametrize("store", ["memory_services", "sqlite_services"])
def test_the_contributions_indicator_from_the_view_is_the_events_sum(request, store):
    """The indicator reads the contributions view's items (the overview of the 66
    computes it on every read); it says what summing the period's events says, through
    corrections, retractions and confidential events, for any period and date."""
    services = request.getfixturevalue(store)
    app = services.app
    made = []
    for year in (2018, 2019, 2020):
        for month, (fund, currency, amount) in enumerate(
            [
                ("special_fund_for_relocations", "EUR", 100_000),
                ("trust_fund_for_victims", "GBP", 25_000_000),
                ("trust_fund_for_victims", "JPY", 5_000_000),
            ],
            start=2,
        ):
            raw = {
                "type": "ContributionReceived",
                "occurred_on": f"{year}-{month:02d}-15",
                "fund": fund,
                "contributor": "NLD",
                "amount": amount + year,
                "currency": currency,
            }
            made.append(record(app, raw))
    record(
        app, {**raw, "type": "ContributionPledged", "occurred_on": "2020-06-01", "pledge": "P-9"}
    )
    record(app, {**raw, "occurred_on": "2019-07-01", "classification": "confidential"})
    record(
        app,
        {
            "type": "EventCorrected",
            "occurred_on": "2021-01-05",
            "corrects": str(made[1].id),
            "changes": {"amount": 7, "occurred_on": "2019-12-31"},
            "reason": "Wrong amount and date",
        },
    )
    record(
        app,
        {
            "type": "EventRetracted",
            "occurred_on": "2021-01-05",
            "retracts": str(made[5].id),
            "reason": "Never received",
        },
    )
    for on, first, last in [
        ("2030-01-01", None, None),
        ("2019-12-31", "2019-01-01", "2019-12-31"),
        ("2019-06-30", "2019-01-01", "2019-12-31"),
        ("2020-12-31", "2018-03-15", "2020-03-14"),
        ("2018-01-01", None, None),
    ]:
        period = {k: v for k, v in (("first", first), ("last", last)) if v}
        read = reading(services, on, **period)
        expected = amounts(by_fund(read.facts(sorted(KIND))))
        assert amounts(in_period(read)) == expected, (on, first, last)
    everything = amounts(in_period(reading(services)))
    assert (
        everything["received"]["trust_fund_for_victims"]["GBP"] == "£500,040.46"
    )  # 2018 corrected to 7 pence


# -- controlled vocabularies -------------------------------------------------------------


def test_workshop_topics_come_from_the_list_with_the_free_text_beside(app):
    workshop = {
        "type": "WorkshopHeld",
        "occurred_on": "2010-06-01",
        "title": "Seminar",
        "organiser": "AU",
        "participants": [],
        "attendees": 10,
    }
    draft = app.validate(
        {**workshop, "topics": ["Implementing legislation"], "topics_text": "Model laws"}
    )
    assert draft.payload["topics"] == ["implementing_legislation"]
    assert draft.payload["topics_text"] == "Model laws"
    with pytest.raises(InvalidEvent) as caught:
        app.validate({**workshop, "topics": ["Legal reform"]})
    assert "topics_text" in str(caught.value)


def test_a_relocation_may_keep_the_state_undisclosed(memory_services):
    app = memory_services.app
    record(
        app,
        {
            "type": "WitnessProtectionApplicationReceived",
            "occurred_on": "2010-01-01",
            "application": "A-1",
            "persons": 2,
        },
    )
    relocated = record(
        app,
        {
            "type": "WitnessRelocated",
            "occurred_on": "2010-05-01",
            "application": "A-1",
            "persons": 2,
        },
    )
    assert "state" not in relocated.payload
    item = reading(memory_services).item("witness_protection", "A-1")
    assert item["relocated_persons"] == 2 and item["relocations"][0]["state"] is None


def test_the_courts_outputs_are_counted_for_their_recommendations(memory_services):
    app = memory_services.app
    record(
        app,
        {
            "type": "GuidanceIssued",
            "occurred_on": "2010-02-01",
            "kind": "checklist",
            "title": "Checklist for transfers",
            "topic": "transfers",
            "organ": "registry",
        },
    )
    record(
        app,
        {
            "type": "BriefingGiven",
            "occurred_on": "2010-02-02",
            "organ": "presidency",
            "audience": "incoming_security_council_members",
            "audience_parties": ["UNSC"],
            "topic": "The Court and the Council",
        },
    )
    record(
        app,
        {
            "type": "ReportTransmitted",
            "occurred_on": "2010-08-01",
            "kind": "annual_report_to_the_united_nations",
            "symbol": "A/65/313",
            "title": "Report of the International Criminal Court",
            "to": "UNGA",
        },
    )
    read = reading(memory_services, "2010-12-31", first="2010-01-01", last="2010-12-31")
    indicators = memory_services.views.indicators_for
    tools = indicators(read, 19)["transfer_tools"]
    assert (tools["checklist"], tools["model_agreement"], tools["on_transfers"]) == (1, 0, 1)
    assert indicators(read, 57)["briefings"]["incoming_security_council_members"] == 1
    assert indicators(read, 40)["reports_transmitted"]["annual_report_to_the_united_nations"] == 1


def test_a_matter_opened_by_a_request_counts_that_event_once(memory_services):
    app = memory_services.app
    record(app, WARRANT)
    record(
        app,
        {
            "type": "ArrestRequestTransmitted",
            "occurred_on": "2011-10-13",
            "matter": "M-2",
            "warrant": "W-B",
            "state": "MWI",
        },
    )
    record(app, travel("M-2"))
    read = reading(memory_services, "2012-01-01", first="2011-01-01", last="2011-12-31")
    opened = memory_services.views.figures["non_cooperation.opened"]
    measure = opened.measure(read)
    assert (measure.value, measure.events) == (1, 1)
    assert len(opened.explain(read)) == 1
