"""The public record of cooperation (tests/public_record.py) read back through the views,
on dates where the record is known: memberships continuous after a revoked withdrawal,
withdrawals in effect, persons in national custody not at large, findings of
non-compliance and referrals by year, Mongolia's profile, contributions per currency."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from core.views.model import Level
from core.views.reading import ViewReading
from followup.bootstrap import Services, bootstrap
from plugins.builtin import queries
from tests.public_record import AL_BASHIR, EVENTS, KATANGA, KONY, ONGWEN, PUTIN


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    path = tmp_path_factory.mktemp("record") / "followup.sqlite"
    found = bootstrap(f"sqlite:///{path}", load_entry_points=False)
    app = found.app
    app.record_batch([app.validate(raw) for raw in EVENTS], "focal-point", "focal_point")
    yield found
    found.close()


def read(
    services: Services, on: str, first: str | None = None, last: str | None = None
) -> ViewReading:
    return services.views.reading(
        Level.RESTRICTED,
        on=date.fromisoformat(on),
        first=date.fromisoformat(first) if first else None,
        last=date.fromisoformat(last) if last else None,
    )


def figures(services: Services, on: str, **period: str) -> dict[str, Any]:
    reading = read(services, on, period.get("first"), period.get("last"))
    return {name: f["value"] for name, f in services.views.summary(reading).items()}


def year(services: Services, y: int) -> dict[str, Any]:
    return figures(services, f"{y}-12-31", first=f"{y}-01-01", last=f"{y}-12-31")


def test_every_event_names_its_source():
    assert all(event.get("sources") for event in EVENTS)


# -- membership ---------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "since"), [("ZAF", "2002-07-01"), ("GMB", "2002-09-01")])
def test_a_revoked_withdrawal_leaves_membership_unbroken(services, code, since):
    for on in ("2016-12-31", "2017-12-31", "2025-06-30"):
        party = read(services, on).item("parties", code)
        assert party["is_party"], on
        assert party["party_since"] == since, on
    pending = read(services, "2016-12-31").item("parties", code)
    assert pending["party_until"] is not None  # notified, not yet revoked
    after = read(services, "2017-12-31").item("parties", code)
    assert after["party_until"] is None
    (membership,) = after["memberships"]
    assert membership["withdrawal_notified_on"] in ("2016-10-19", "2016-11-10")  # kept
    assert membership["withdrawal_revoked_on"] in ("2017-02-10", "2017-03-07")


@pytest.mark.parametrize(("code", "effective"), [("BDI", "2017-10-27"), ("PHL", "2019-03-17")])
def test_a_withdrawal_takes_effect_a_year_after_notification(services, code, effective):
    before = date.fromisoformat(effective).replace(day=date.fromisoformat(effective).day - 1)
    assert read(services, before.isoformat()).item("parties", code)["is_party"]
    assert not read(services, effective).item("parties", code)["is_party"]


def test_membership_figures_on_known_dates(services):
    # The fifteen States of the history: all parties on 2016-12-31 (Ukraine not yet).
    assert figures(services, "2016-12-31")["parties.states_parties"] == 15
    assert figures(services, "2017-12-31")["parties.states_parties"] == 14  # Burundi left
    assert figures(services, "2019-12-31")["parties.states_parties"] == 13  # the Philippines
    assert figures(services, "2025-01-01")["parties.states_parties"] == 14  # Ukraine joined
    assert figures(services, "2019-12-31")["parties.withdrawn"] == 2
    in_2016 = year(services, 2016)
    assert in_2016["membership.withdrawals_notified"] == 3
    assert year(services, 2017)["membership.withdrawals_revoked"] == 2


def test_ukraine_declared_twice_then_joined(services):
    assert figures(services, "2015-12-31")["membership.declarations_article_12_3"] == 2
    assert figures(services, "2015-12-31")["parties.with_declaration_article_12_3"] == 1
    ukraine = read(services, "2024-12-31").item("parties", "UKR")
    assert not ukraine["is_party"]
    assert [d["jurisdiction_from"] for d in ukraine["declarations"]] == [
        "2013-11-21",
        "2014-02-20",
    ]
    joined = read(services, "2025-01-01").item("parties", "UKR")
    assert joined["is_party"] and joined["party_since"] == "2025-01-01"


def test_kampala_amendments(services):
    assert figures(services, "2012-12-31")["parties.with_amendment.aggression_2010"] == 1
    assert figures(services, "2011-12-31")["parties.with_amendment.aggression_2010"] == 0


# -- custody --------------------------------------------------------------------------------


def status(services: Services, on: str, warrant: str) -> str | None:
    item = read(services, on).item("warrants", warrant)
    return item["status"] if item else None


def test_a_person_in_national_custody_is_not_at_large(services):
    assert status(services, "2007-08-01", KATANGA) == "in_national_custody"
    on = figures(services, "2007-08-01")
    assert on["warrants.at_large"] == 2  # Kony and Ongwen
    assert on["warrants.in_national_custody"] == 1  # Katanga
    assert status(services, "2007-10-17", KATANGA) == "surrendered"
    assert status(services, "2015-12-31", KATANGA) == "serving_sentence"
    assert status(services, "2016-01-18", KATANGA) == "released"


def test_ongwen_gave_himself_up_then_was_surrendered(services):
    assert status(services, "2014-12-31", ONGWEN) == "at_large"
    assert status(services, "2015-01-10", ONGWEN) == "in_national_custody"
    assert status(services, "2015-01-20", ONGWEN) == "surrendered"
    in_2015 = year(services, 2015)
    assert in_2015["warrants.voluntary_surrenders"] == 1
    assert in_2015["warrants.surrenders"] == 1
    assert figures(services, "2015-01-10")["warrants.at_large"] == 2  # Kony, Al Bashir


def test_a_failed_attempt_leaves_the_warrant_standing(services):
    assert status(services, "2009-01-01", KONY) == "at_large"
    assert year(services, 2008)["warrants.failed_arrest_attempts"] == 1
    kony = read(services, "2009-01-01").item("warrants", KONY)
    assert [a["state"] for a in kony["failed_attempts"]] == ["UGA"]


def test_unsealed_and_summoned(services):
    assert year(services, 2005)["warrants.unsealed"] == 1
    assert year(services, 2007)["warrants.unsealed"] == 1
    in_2009 = year(services, 2009)
    assert (in_2009["summonses.issued"], in_2009["summonses.appearances"]) == (1, 1)


# -- non-cooperation ---------------------------------------------------------------------


def test_findings_and_referrals_by_year(services):
    expected = {  # year: (travels, findings, referrals)
        2011: (2, 2, 4),
        2012: (0, 0, 0),
        2013: (1, 1, 2),
        2014: (1, 1, 2),
        2015: (1, 0, 0),
        2016: (2, 2, 4),
        2017: (1, 2, 2),
        2024: (1, 1, 1),
    }
    for y, (travels, findings, referrals) in expected.items():
        got = year(services, y)
        assert (
            got["non_cooperation.travels"],
            got["non_cooperation.findings"],
            got["non_cooperation.referrals"],
        ) == (travels, findings, referrals), y
    indicator = services.views.indicators_for(read(services, "2025-12-31"), 17)
    by_year = indicator["non_cooperation"]["by_year"]
    assert by_year["2011"] == {"travels": 2, "findings": 2, "referrals": 4}
    assert by_year["2017"] == {"travels": 1, "findings": 2, "referrals": 2}
    assert sum(y["findings"] for y in by_year.values()) == 9  # eight for Al Bashir, Mongolia


def test_referrals_standing_before_and_after_the_jordan_appeal(services):
    before = figures(services, "2018-12-31")
    assert before["non_cooperation.referred_to_assembly"] == 7
    assert before["non_cooperation.referred_to_security_council"] == 7
    after = figures(services, "2019-12-31")
    assert after["non_cooperation.referred_to_assembly"] == 6  # Jordan's reversed
    assert after["non_cooperation.open"] == 8  # none closed
    jordan = read(services, "2019-12-31").item("non_cooperation", "BASHIR-JOR-2017")
    assert jordan["status"] == "non_compliance_found"
    assert jordan["appeal"]["referral"] == "reversed"
    south_africa = read(services, "2019-12-31").item("non_cooperation", "BASHIR-ZAF-2015")
    assert south_africa["status"] == "non_compliance_found"  # found, never referred
    assert [u["action"] for u in south_africa["follow_ups"]] == ["statement"]


def test_mongolia_2024(services):
    on = read(services, "2024-09-30")
    matter = on.item("non_cooperation", "PUTIN-MNG-2024")
    assert matter["status"] == "not_executed"
    after = read(services, "2024-12-31")
    assert after.item("non_cooperation", "PUTIN-MNG-2024")["referred_to"] == ["ASP"]
    profile = queries.party(after, "MNG")
    assert profile["non_cooperation"] == {"matters": 1, "open": 1, "findings": 1, "referred": 1}
    assert profile["requests"]["answered"] == 0
    putin = after.item("warrants", PUTIN)
    assert putin["status"] == "at_large"
    assert [m["state"] for m in putin["non_cooperation"]] == ["MNG"]


def test_the_warrant_knows_its_matters(services):
    bashir = read(services, "2019-12-31").item("warrants", AL_BASHIR)
    assert bashir["status"] == "at_large"
    assert [m["state"] for m in bashir["non_cooperation"]] == [
        "TCD",
        "MWI",
        "TCD",
        "COD",
        "ZAF",
        "DJI",
        "UGA",
        "JOR",
    ]


# -- situations and money -------------------------------------------------------------


def test_situations_and_their_triggers(services):
    on = figures(services, "2020-12-31")
    assert on["situations.investigations"] == 3  # Uganda, Darfur, Burundi
    assert on["situations.preliminary_examinations"] == 1  # the Philippines
    assert year(services, 2021)["situations.investigations_opened.proprio_motu"] == 1
    assert year(services, 2005)["situations.referrals_by_security_council"] == 1
    ukraine = read(services, "2022-12-31").item("situations", "ICC-01/22")
    assert (ukraine["status"], ukraine["trigger"]) == ("investigation", "state_referral")
    assert year(services, 2002)["situations.deferral_requests"] == 1


def test_contributions_are_kept_per_currency(services):
    reading = read(services, "2020-12-31", "2017-01-01", "2020-12-31")
    indicator = services.views.indicators_for(reading, 24)["contributions"]
    assert indicator["received"] == {
        "trust_fund_for_victims": {"EUR": "€525,000.00", "GBP": "£250,000.00"}
    }
    assert indicator["pledged"] == {}
    items = read(services, "2020-12-31").items("contributions")
    assert sorted((i["currency"], i["year"], i["received"]) for i in items) == [
        ("EUR", 2020, 52_500_000),
        ("GBP", 2017, 25_000_000),
    ]
    assert year(services, 2017)["contributions.received"] == 1


# -- the annual report ---------------------------------------------------------------------


def test_the_report_for_2017_reads_the_record(services):
    from reports.annual import produce
    from tests.integration.test_report import text_of

    report = produce(services, year=2017, draft=True)
    text = text_of(report.pdf)
    heading = re.search(r"Non-cooperation \d+\. In 2017", text)  # not the contents line
    assert heading is not None
    section = text[heading.start() : text.index("E. Cluster 5: Witness", heading.start())]
    assert "two findings of non-compliance under article 87(7) were made" in section
    assert "two referrals to the Assembly or the Security Council were made" in section
    # (a long reference may wrap in its cell: the extracted text then has a space in it)
    assert "Jordan Omar Hassan Ahmad Al Bashir 29 Mar 2017 11 Dec 2017 (ICC-02/05-01/09-3" in (
        section
    )
    assert "South Africa Omar Hassan Ahmad Al Bashir 13 Jun 2015 6 Jul 2017" in section
    money = text[re.search(r"Voluntary contributions to the trust funds \d+\. In", text).start() :]
    assert "Trust Fund for Victims GBP – £250,000.00 £250,000.00" in money
    annex = text[text.index("Annex III") :]
    assert "South Africa 1 Jul 2002" in annex and "Gambia 1 Sep 2002" in annex
    assert "Burundi" not in annex  # its withdrawal took effect on 27 October 2017
