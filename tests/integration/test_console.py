"""The console through Flask's test client, on a real SQLite store: signing in and out,
and the console attacked as a hostile user would (CSRF, session fixation, XSS through
event text, open redirects, role escalation, replayed codes, guessing passwords)."""

from __future__ import annotations

import io
import json
import re
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest

from api import create_app
from core.accounts import MAX_FAILURES
from core.clock import format_timestamp
from followup.bootstrap import Services, bootstrap
from tests.console_support import PASSWORD, Someone, code, csrf, open_account, sittings


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The people and the history, recorded once: each test works on a copy of the
    store (opening accounts hashes passwords with Argon2id, which is slow on purpose)."""
    path = tmp_path_factory.mktemp("console") / "followup.sqlite"
    services = bootstrap(f"sqlite:///{path}", load_entry_points=False)
    people = {role: open_account(services, role) for role in ("focal_point", "bureau", "auditor")}
    history = sittings(services, people["focal_point"])
    services.close()
    return {"path": path, "people": people, **history}


@pytest.fixture
def site(prepared: dict[str, Any], tmp_path: Path) -> Iterator[dict[str, Any]]:
    copy = tmp_path / "followup.sqlite"
    for suffix in ("", "-wal"):  # closed, the store is one file; its log too otherwise
        if Path(f"{prepared['path']}{suffix}").exists():
            shutil.copyfile(f"{prepared['path']}{suffix}", f"{copy}{suffix}")
    services = bootstrap(f"sqlite:///{copy}", load_entry_points=False)
    app = create_app({"LOAD_ENTRY_POINTS": False}, services=services)
    yield {**prepared, "app": app, "services": services}
    services.close()


def client(site: dict[str, Any]) -> Any:
    return site["app"].test_client()


def signed_in(site: dict[str, Any], person: Someone, *, totp: str | None = None) -> Any:
    browser = client(site)
    page = browser.get("/console/sign-in")
    answer = browser.post(
        "/console/sign-in",
        data={"csrf_token": csrf(page.text), "email": person.email, "password": PASSWORD},
    )
    assert answer.status_code == 303, answer.text
    page = browser.get(answer.headers["Location"])
    answer = browser.post(
        "/console/sign-in/code",
        data={"csrf_token": csrf(page.text), "code": totp or code(person), "next": "/console/"},
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/console/", answer.text
    return browser


def head(site: dict[str, Any]) -> int:
    services: Services = site["services"]
    return services.app.head().position


def form_token(browser: Any, path: str) -> str:
    return csrf(browser.get(path).text)


# -- signing in ------------------------------------------------------------------------


def test_a_person_signs_in_with_a_password_and_a_code_and_every_attempt_is_recorded(site):
    person = site["people"]["focal_point"]
    browser = signed_in(site, person)
    assert browser.get("/console/").status_code == 200
    attempts = site["services"].accounts.sign_ins(email=person.email)
    assert [a.outcome for a in attempts] == ["signed_in", "password_accepted"]
    assert site["services"].accounts.verify_sign_ins() == (2, None)


def test_a_wrong_password_and_an_unknown_email_fail_alike(site):
    browser = client(site)
    answers = []
    for email, password in (
        (site["people"]["bureau"].email, "not the password at all"),
        ("nobody@example.org", "not the password at all"),
    ):
        token = form_token(browser, "/console/sign-in")
        answer = browser.post(
            "/console/sign-in", data={"csrf_token": token, "email": email, "password": password}
        )
        answers.append((answer.status_code, re.sub(r'value="[^"]*"', "", answer.text)))
    assert answers[0][0] == answers[1][0] == 401
    assert answers[0][1].replace(site["people"]["bureau"].email, "") == answers[1][1].replace(
        "nobody@example.org", ""
    )
    outcomes = [a.outcome for a in site["services"].accounts.sign_ins()]
    assert outcomes[:2] == ["unknown_person", "wrong_password"]


def test_repeated_failures_lock_the_account_even_for_the_right_password(site):
    person = site["people"]["auditor"]
    accounts = site["services"].accounts
    for _ in range(MAX_FAILURES):
        assert not accounts.check_password(person.email, "guessing again", "127.0.0.1").ok
    locked = accounts.check_password(person.email, PASSWORD, "127.0.0.1")
    assert not locked.ok and locked.outcome == "locked"
    accounts.reset(person.email, "operator", password="a new long password")
    assert accounts.check_password(person.email, "a new long password", "127.0.0.1").ok


def test_a_code_is_taken_once_and_a_recovery_code_once(site):
    person = site["people"]["bureau"]
    accounts = site["services"].accounts
    now = code(person)
    assert accounts.check_code(person.email, now, "127.0.0.1").ok
    assert not accounts.check_code(person.email, now, "127.0.0.1").ok  # replayed
    recovery = person.recovery_codes[0]
    assert accounts.check_code(person.email, recovery.lower(), "127.0.0.1").ok
    assert not accounts.check_code(person.email, recovery, "127.0.0.1").ok
    later = pyotp.TOTP(person.secret).at(0)  # 1970: far outside the window
    assert not accounts.check_code(person.email, later, "127.0.0.1").ok


def test_the_sign_in_record_shows_an_edited_row(site):
    accounts = site["services"].accounts
    accounts.check_password("nobody@example.org", "whatever it is", "10.0.0.1")
    accounts.check_password("nobody@example.org", "whatever it is", "10.0.0.2")
    with site["services"].sql.transaction(write=True) as cursor:
        cursor.execute("UPDATE sign_ins SET address = '192.0.2.1' WHERE seq = 1")
    assert accounts.verify_sign_ins() == (0, 1)


def test_sign_out_ends_the_session_on_the_server(site):
    browser = signed_in(site, site["people"]["focal_point"])
    token = form_token(browser, "/console/")
    cookie = browser.get_cookie("followup-console", path="/console")
    assert browser.post("/console/sign-out", data={"csrf_token": token}).status_code == 303
    other = client(site)
    other.set_cookie("followup-console", cookie.value, path="/console")
    assert other.get("/console/").status_code == 303


def test_a_disabled_account_is_out_at_its_next_request(site):
    person = site["people"]["auditor"]
    browser = signed_in(site, person)
    assert browser.get("/console/events").status_code == 200
    site["services"].accounts.disable(person.email, "operator")
    assert browser.get("/console/events").status_code == 303
    assert not site["services"].accounts.check_password(person.email, PASSWORD, "x").ok


def test_the_cookie_is_http_only_same_site_and_secure_over_tls(site):
    browser = client(site)
    page = browser.get("/console/sign-in", headers={"X-Forwarded-Proto": "https"})
    person = site["people"]["focal_point"]
    answer = browser.post(
        "/console/sign-in",
        data={"csrf_token": csrf(page.text), "email": person.email, "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("__Host-followup-console=")
    for flag in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    plain = client(site)
    page = plain.get("/console/sign-in")
    answer = plain.post(
        "/console/sign-in",
        data={"csrf_token": csrf(page.text), "email": person.email, "password": PASSWORD},
    )
    assert "HttpOnly" in answer.headers["Set-Cookie"]
    assert "Secure" not in answer.headers["Set-Cookie"]


def test_pages_tell_the_browser_to_run_nothing_from_elsewhere(site):
    browser = signed_in(site, site["people"]["bureau"])
    answer = browser.get("/console/")
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Cache-Control"] == "no-store"


# -- attacks ----------------------------------------------------------------------------


def test_a_form_without_its_csrf_token_or_from_another_site_records_nothing(site):
    browser = signed_in(site, site["people"]["focal_point"])
    before = head(site)
    fields = {
        "_step": "record",
        "state": "ITA",
        "instrument": "ratification",
        "in_force_on": "2002-07-01",
        "occurred_on": "2002-07-01",
    }
    assert browser.post("/console/record/StateBecameParty", data=fields).status_code == 400
    forged = {**fields, "csrf_token": "0" * 43}
    assert browser.post("/console/record/StateBecameParty", data=forged).status_code == 400
    good = {**fields, "csrf_token": form_token(browser, "/console/record/StateBecameParty")}
    elsewhere = browser.post(
        "/console/record/StateBecameParty", data=good, headers={"Origin": "https://evil.example"}
    )
    assert elsewhere.status_code == 400
    assert head(site) == before
    # Another person's token is no good either.
    other = signed_in(site, site["people"]["auditor"])
    theirs = {**fields, "csrf_token": form_token(other, "/console/")}
    assert browser.post("/console/record/StateBecameParty", data=theirs).status_code == 400
    assert head(site) == before
    assert browser.post("/console/record/StateBecameParty", data=good).status_code == 303
    assert head(site) == before + 1


def test_a_session_planted_before_sign_in_is_not_the_one_signed_in(site):
    browser = client(site)
    browser.set_cookie("followup-console", "planted-by-the-attacker", path="/console")
    person = site["people"]["bureau"]
    page = browser.get("/console/sign-in")
    first = browser.post(
        "/console/sign-in",
        data={"csrf_token": csrf(page.text), "email": person.email, "password": PASSWORD},
    )
    pending = browser.get_cookie("followup-console", path="/console").value
    assert pending != "planted-by-the-attacker"
    page = browser.get(first.headers["Location"])
    browser.post(
        "/console/sign-in/code", data={"csrf_token": csrf(page.text), "code": code(person)}
    )
    final = browser.get_cookie("followup-console", path="/console").value
    assert final not in ("planted-by-the-attacker", pending)
    stale = client(site)
    stale.set_cookie("followup-console", pending, path="/console")
    assert stale.get("/console/").status_code == 303


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/console/",
        "https://evil.example/",
        "/\\evil.example",
        "/console/../../evil",
        "javascript:alert(1)",
        "/api/v1/events",
    ],
)
def test_no_open_redirect_after_signing_in_or_choosing_a_language(site, target):
    browser = client(site)
    answer = browser.get("/console/language/fr", query_string={"next": target})
    # None of them is a console page: each is replaced by the console's first page.
    assert answer.headers["Location"] == "/console/"
    page = browser.get("/console/sign-in", query_string={"next": target})
    assert 'name="next" value="/console/"' in page.text


def test_event_text_is_shown_as_text_never_as_markup(site):
    services: Services = site["services"]
    focal = site["people"]["focal_point"]
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    draft = services.app.validate(
        {
            "type": "WorkshopHeld",
            "occurred_on": "2010-05-05",
            "title": hostile,
            "organiser": "ICC",
            "participants": ["NLD"],
            "attendees": 3,
            "topics": ["other"],
            "topics_text": hostile,
            "summary": hostile,
        }
    )
    event = services.app.record(draft, focal.recorded_by)
    browser = signed_in(site, site["people"]["auditor"])
    for path in (f"/console/events/{event.id}", "/console/events", "/console/views/activities"):
        text = browser.get(path).text
        assert "<script>alert" not in text and "<img src=x" not in text, path
        assert "&lt;script&gt;" in text, path


def test_roles_open_only_their_pages_and_record_only_their_types(site):
    bureau = signed_in(site, site["people"]["bureau"])
    focal = signed_in(site, site["people"]["focal_point"])
    auditor = signed_in(site, site["people"]["auditor"])
    assert bureau.get("/console/record/AgreementSigned").status_code == 403
    assert bureau.get("/console/record/ReportNarrativeDrafted").status_code == 200
    assert focal.get("/console/record/ReportNarrativeDrafted").status_code == 403
    assert focal.get("/console/reports").status_code == 403
    assert focal.get("/console/audit/verify").status_code == 403
    assert bureau.get("/console/audit/trail").status_code == 403
    assert auditor.get("/console/record").status_code == 403
    assert auditor.get("/console/import").status_code == 403
    before = head(site)
    agreement = site["agreement_id"]
    token = form_token(bureau, "/console/")
    retracted = bureau.post(
        f"/console/events/{agreement}/retract",
        data={"csrf_token": token, "reason": "by the bureau", "_step": "record"},
    )
    assert retracted.status_code in (403, 409)
    assert head(site) == before


def test_a_confidential_event_is_not_found_by_the_bureau_and_not_changed_by_it(site):
    bureau = signed_in(site, site["people"]["bureau"])
    sealed = site["sealed_id"]
    assert bureau.get(f"/console/events/{sealed}").status_code == 404
    assert bureau.get(f"/console/events/{sealed}/retract").status_code in (403, 404)
    focal = signed_in(site, site["people"]["focal_point"])
    assert focal.get(f"/console/events/{sealed}").status_code == 200


def test_an_unsealed_event_is_seen_by_the_bureau_from_its_lowering_on(site):
    """As the API: an event whose classification was lowered is seen by the lowered
    one from the lowering's position on, and not as of before."""
    app = site["services"].app
    sealed = site["sealed_id"]
    before = format_timestamp(datetime.now(UTC))
    time.sleep(0.05)
    lowering = app.validate(
        {
            "type": "ClassificationLowered",
            "occurred_on": "2021-01-01",
            "lowers": sealed,
            "lowered_to": "public",
            "reason": "Unsealed by the Chamber",
        }
    )
    app.record_batch([lowering], site["people"]["focal_point"].recorded_by, "focal_point")
    bureau = signed_in(site, site["people"]["bureau"])
    assert bureau.get(f"/console/events/{sealed}").status_code == 200
    assert sealed in bureau.get("/console/events").text
    earlier = bureau.get("/console/events", query_string={"as_of": before})
    # As of before: the log as it stood (the other events listed), the sealed one not.
    assert earlier.status_code == 200 and 'id="as_of-error"' not in earlier.text
    assert site["agreement_id"] in earlier.text
    assert sealed not in earlier.text


# -- recording --------------------------------------------------------------------------


def test_record_preview_then_record_as_the_person(site):
    focal = site["people"]["focal_point"]
    browser = signed_in(site, focal)
    token = form_token(browser, "/console/record/APICRatified")
    fields = {"csrf_token": token, "state": "aut", "occurred_on": "2010-01-01"}
    preview = browser.post("/console/record/APICRatified", data={**fields, "_step": "check"})
    assert preview.status_code == 200 and "Austria ratified" in preview.text
    before = head(site)
    recorded = browser.post("/console/record/APICRatified", data={**fields, "_step": "record"})
    assert recorded.status_code == 303
    event = site["services"].app.get_event(
        __import__("uuid").UUID(recorded.headers["Location"].split("/")[-1].split("?")[0])
    )
    assert event.recorded_by == focal.recorded_by and event.position == before + 1
    # The same form sent again (a second press, a reload) records nothing more.
    again = browser.post("/console/record/APICRatified", data={**fields, "_step": "record"})
    assert again.status_code in (303, 409) and head(site) == before + 1


def test_corrections_need_a_reason_and_show_errors_beside_the_field(site):
    browser = signed_in(site, site["people"]["focal_point"])
    agreement = site["agreement_id"]
    page = browser.get(f"/console/events/{agreement}/correct")
    assert 'value="ESA-AUT-2008"' in page.text
    token = csrf(page.text)
    base = {
        "csrf_token": token,
        "agreement": "ESA-AUT-2008",
        "kind": "enforcement_of_sentences",
        "parties": "AUT",
        "title": "Agreement on the enforcement of sentences",
        "occurred_on": "2008-03-03",
        "recommendations": "33",
        "_step": "record",
    }
    before = head(site)
    no_reason = browser.post(
        f"/console/events/{agreement}/correct", data={**base, "title": "Corrected title"}
    )
    assert no_reason.status_code == 422 and 'id="reason-error"' in no_reason.text
    bad_party = browser.post(
        f"/console/events/{agreement}/correct",
        data={**base, "parties": "XYZ", "reason": "typo"},
    )
    assert bad_party.status_code == 422 and 'id="parties-error"' in bad_party.text
    assert head(site) == before
    done = browser.post(
        f"/console/events/{agreement}/correct",
        data={**base, "title": "Corrected title", "reason": "the signed text's title"},
    )
    assert done.status_code == 303
    page = browser.get(f"/console/events/{agreement}")
    assert "the signed text" in page.text or "Corrected title" in page.text
    assert head(site) == before + 1


def test_import_checks_first_then_records_all_or_nothing(site):
    browser = signed_in(site, site["people"]["focal_point"])
    good = "\n".join(
        json.dumps(e)
        for e in (
            {"type": "APICRatified", "occurred_on": "2011-01-01", "state": "DEU"},
            {"type": "APICRatified", "occurred_on": "2011-01-02", "state": "FRA"},
        )
    )
    before = head(site)
    token = form_token(browser, "/console/import")

    def send(content: str, action: str) -> Any:
        return browser.post(
            "/console/import",
            data={
                "csrf_token": token,
                "_step": action,
                "file": (io.BytesIO(content.encode()), "e.jsonl"),
            },
            content_type="multipart/form-data",
        )

    checked = send(good, "check")
    assert checked.status_code == 200 and head(site) == before
    assert "Dry run: 2 events would be recorded; nothing was" in checked.text
    one = send(good.splitlines()[0], "check")
    assert "Dry run: one event would be recorded; nothing was" in one.text
    bad = send(good + '\n{"type": "APICRatified", "occurred_on": "2011-01-03"}', "import")
    assert bad.status_code == 422 and "line 3" in bad.text and head(site) == before
    done = send(good, "import")
    assert done.status_code == 200 and head(site) == before + 2


def test_every_page_says_what_it_is_of(site):
    browser = signed_in(site, site["people"]["auditor"])
    for path in (
        "/console/",
        "/console/recommendations",
        "/console/parties",
        "/console/views/agreements",
    ):
        page = browser.get(path, query_string={"as_of": site["between"]})
        assert f"(position <strong>{site['between_position']}</strong>)" in page.text, path


def test_a_wrong_time_is_named_beside_its_field_in_the_apis_words(site):
    """The time bar, the audit's times and the report's `as_of` read times as the API
    does, and say what is wrong with one as it says it."""
    rfc = "Not an RFC 3339 timestamp (2010-12-31T12:00:00Z) or a date (2010-12-31)."
    auditor = signed_in(site, site["people"]["auditor"])
    page = auditor.get("/console/events", query_string={"as_of": "yesterday"}).text
    assert 'id="as_of-error"' in page and rfc in page
    page = auditor.get("/console/", query_string={"from": "2008-02-01", "to": "2008-01-01"})
    assert 'id="to-error"' in page.text and "Must not be before from." in page.text
    trail = auditor.get("/console/audit/trail", query_string={"from": "2008-13-01"}).text
    assert 'id="from-error"' in trail and rfc in trail
    bureau = signed_in(site, site["people"]["bureau"])
    token = form_token(bureau, "/console/reports")
    report = bureau.post(
        "/console/reports", data={"csrf_token": token, "year": "2008", "as_of": "soon"}
    )
    assert report.status_code == 422 and 'id="as_of-error"' in report.text and rfc in report.text


def test_a_recommendations_indicator_reads_its_summary_figure_as_the_api_does(site):
    app = site["services"].app
    defined = app.validate(
        {
            "type": "IndicatorDefined",
            "occurred_on": "2008-01-15",
            "indicator": "esa-in-force",
            "recommendation": 33,
            "description": "Enforcement agreements in force",
            "figure": "agreements.enforcement_of_sentences.in_force",
            "baseline": 0,
            "baseline_on": "2008-01-01",
            "target": 3,
            "target_on": "2012-12-31",
        }
    )
    app.record_batch([defined], site["people"]["focal_point"].recorded_by, "focal_point")
    page = signed_in(site, site["people"]["auditor"]).get("/console/recommendations/33").text
    assert "Tracked indicators" in page and "Esa-in-force" in page
    assert "No summary figure named" not in page


def test_a_views_filters_offer_what_the_apis_query_takes(site):
    """The warrants' statuses are the API's (a warrant serving its sentence, released...)."""
    auditor = signed_in(site, site["people"]["auditor"])
    page = auditor.get("/console/views/warrants", query_string={"status": "serving_sentence"})
    assert '<option value="serving_sentence" selected>' in page.text
    assert '<option value="in_national_custody">' in page.text


def test_an_events_page_offers_what_may_follow_in_its_lifecycle(site):
    agreement = site["agreement_id"]
    focal = signed_in(site, site["people"]["focal_point"])
    page = focal.get(f"/console/events/{agreement}").text
    assert "/console/record/AgreementEnteredIntoForce?agreement=ESA-AUT-2008" in page
    form = focal.get("/console/record/AgreementEnteredIntoForce?agreement=ESA-AUT-2008").text
    assert 'value="ESA-AUT-2008"' in form
    bureau = signed_in(site, site["people"]["bureau"])
    assert (
        "/console/record/AgreementEnteredIntoForce"
        not in bureau.get(f"/console/events/{agreement}").text
    )


def test_items_read_as_people_read_them_dates_in_words_events_linked(site):
    bureau = signed_in(site, site["people"]["bureau"])
    profile = bureau.get("/console/parties/AUT").text
    # The membership's dates in words, the event it comes from linked to its page.
    assert "1 April 2003" in profile and "2003-04-01" not in profile
    linked = re.findall(r'href="/console/events/([0-9a-f-]{36})"', profile)
    assert linked, profile
    assert bureau.get(f"/console/events/{linked[0]}").status_code == 200
    # A recommendation's evidence: each citing event as it reads, linked.
    page = bureau.get("/console/recommendations/33").text
    assert f'href="/console/events/{site["agreement_id"]}"' in page
    assert "Agreement on enforcement of sentences signed with Austria" in page
    # Codes in words: an agreement's kind and status.
    agreements = bureau.get("/console/views/agreements").text
    assert "<td>Enforcement of sentences</td>" in agreements
    assert ">enforcement_of_sentences<" not in agreements


def test_the_audit_trail_pages_by_position(site, monkeypatch):
    from api.console import auditing

    monkeypatch.setattr(auditing, "TRAIL_ROWS", 4)
    auditor = signed_in(site, site["people"]["auditor"])

    def positions(page: str) -> list[int]:
        return [
            int(p) for p in re.findall(r'<tr><td><a href="/console/events/[^"]+">(\d+)</a>', page)
        ]

    first = auditor.get("/console/audit/trail?run=1").text
    assert positions(first) == [1, 2, 3, 4]
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "after=4" in following
    second = auditor.get(following).text
    assert positions(second)[0] == 5 and "First page" in second
    refused = auditor.get("/console/audit/trail?run=1&after=-1").text
    assert "That is not a page of the trail" in refused and positions(refused) == []


def test_a_figure_is_explained_down_to_its_events_as_they_read(site):
    auditor = signed_in(site, site["people"]["auditor"])
    page = auditor.get(
        "/console/audit/explain", query_string={"figure": "parties.states_parties"}
    ).text
    assert '<strong id="explained-value">5</strong>' in page
    assert "Austria deposited its instrument of accession" in page
    earlier = auditor.get(
        "/console/audit/explain",
        query_string={"figure": "parties.states_parties", "as_of": site["between"]},
    ).text
    assert '<strong id="explained-value">3</strong>' in earlier
    assert "Austria" not in earlier


def test_no_field_of_any_type_is_named_as_the_forms_own_inputs(site):
    """A type's field named like the buttons, the CSRF token or the idempotency key
    would be hidden by them (ActionPlanned has an `action`: the buttons are `_step`)."""
    from api.console.access import CSRF_FIELD
    from api.console.forms import form_fields
    from api.console.recording import IDEMPOTENCY_FIELD, STEP

    catalogue = site["services"].catalogue
    own = {STEP, CSRF_FIELD, IDEMPOTENCY_FIELD}
    for name in catalogue.types:
        clashing = own & {f.name for f in form_fields(catalogue, name)}
        assert not clashing, (name, clashing)


def test_a_retraction_needs_a_reason_and_leaves_the_event_read_only(site):
    browser = signed_in(site, site["people"]["focal_point"])
    agreement = site["agreement_id"]
    token = csrf(browser.get(f"/console/events/{agreement}/retract").text)
    before = head(site)
    no_reason = browser.post(
        f"/console/events/{agreement}/retract", data={"csrf_token": token, "_step": "record"}
    )
    assert no_reason.status_code == 422 and 'id="reason-error"' in no_reason.text
    assert head(site) == before
    done = browser.post(
        f"/console/events/{agreement}/retract",
        data={"csrf_token": token, "reason": "signed in error", "_step": "record"},
    )
    assert done.status_code == 303 and head(site) == before + 1
    page = browser.get(f"/console/events/{agreement}").text
    assert "This event has been retracted." in page and "signed in error" in page
    assert f"/console/events/{agreement}/correct" not in page
    assert browser.get(f"/console/events/{agreement}/correct").status_code == 409


def test_the_console_on_postgresql_signs_in_records_and_signs_out(postgres_url):
    """The console's own tables (people, recovery codes, sign-ins, sessions) on
    PostgreSQL, as on SQLite: a person signs in, records through a form, is locked out
    after repeated failures, signs out; the chain of sign-ins verifies."""
    services = bootstrap(postgres_url, load_entry_points=False)
    try:
        focal = open_account(services, "focal_point")
        other = open_account(services, "bureau")
        pg = {"app": create_app({"LOAD_ENTRY_POINTS": False}, services=services)}
        browser = signed_in(pg, focal)
        token = form_token(browser, "/console/record/APICRatified")
        fields = {"csrf_token": token, "state": "AUT", "occurred_on": "2010-01-01"}
        before = services.app.head().position
        recorded = browser.post("/console/record/APICRatified", data={**fields, "_step": "record"})
        assert recorded.status_code == 303 and services.app.head().position == before + 1
        assert "Austria ratified" in browser.get(recorded.headers["Location"]).text
        for _ in range(MAX_FAILURES):
            services.accounts.check_password(other.email, "not the password at all", "10.0.0.9")
        assert not services.accounts.check_password(other.email, PASSWORD, "10.0.0.9").ok
        assert browser.post("/console/sign-out", data={"csrf_token": token}).status_code == 303
        assert browser.get("/console/").status_code == 303
        rows, damaged = services.accounts.verify_sign_ins()
        assert rows >= MAX_FAILURES + 3 and damaged is None
    finally:
        services.close()


def test_the_report_form_offers_what_the_report_takes(site):
    """The report's language and whether it is a draft are offered (the report comes in
    French and as drafts)."""
    form = signed_in(site, site["people"]["bureau"]).get("/console/reports").text
    assert 'name="lang"' in form
    assert 'name="draft"' in form


# -- following a recommendation up ------------------------------------------------------


def fill(browser: Any, path: str, **fields: str) -> Any:
    """Open a form (its link's values filled in), check it, then record it."""
    page = browser.get(path).text
    values = dict(re.findall(r'name="(\w+)"[^>]*?value="([^"]*)"', page))
    data = {**values, **fields, "csrf_token": csrf(page)}
    target = "/console/record/" + path.split("/console/record/")[1].split("?")[0]
    checked = browser.post(target, data={**data, "_step": "check"})
    assert checked.status_code == 200, checked.text
    return browser.post(target, data={**data, "_step": "record"})


def link_to(page: str, event_type: str) -> str:
    """The page's link to record an event of this type (its values in the query)."""
    found = re.search(rf'href="(/console/record/{event_type}\?[^"]+)"', page)
    assert found, page
    return found.group(1).replace("&amp;", "&")


def plan_action(focal: Any, **fields: str) -> Any:
    """Plan an action from recommendation 33's page, as the focal point would."""
    page = focal.get("/console/recommendations/33").text
    planned = fill(focal, link_to(page, "ActionPlanned"), **fields)
    assert planned.status_code == 303, planned.text
    return planned


def test_plan_an_action_on_a_recommendation_and_report_its_progress(site):
    focal = signed_in(site, site["people"]["focal_point"])
    before = head(site)
    planned = plan_action(
        focal,
        action="ACT-33-1",
        description="Brief the Group of Friends on high-level visits",
        lead="NLD",
        responsible="Ana Focal",
        due_on="2030-06-30",
        occurred_on="2024-01-15",
    )
    assert head(site) == before + 1
    event_page = focal.get(planned.headers["Location"]).text
    assert "ACT-33-1" in event_page
    reported = fill(
        focal,
        link_to(event_page, "ActionProgressReported"),
        text="The first briefing was held.",
        percent="40",
        occurred_on="2024-03-01",
    )
    assert reported.status_code == 303, reported.text
    assert head(site) == before + 2
    # A percentage out of range: the field's error, nothing recorded.
    refused = focal.post(
        "/console/record/ActionProgressReported",
        data={
            "csrf_token": csrf(focal.get("/console/record/ActionProgressReported").text),
            "action": "ACT-33-1",
            "text": "Too much",
            "percent": "140",
            "occurred_on": "2024-04-01",
            "_step": "record",
        },
    )
    assert refused.status_code == 422 and 'id="percent-error"' in refused.text
    assert head(site) == before + 2
    # The recommendation now shows its action.
    assert "ACT-33-1" in focal.get("/console/recommendations/33").text


def test_complete_an_action_with_evidence(site):
    focal = signed_in(site, site["people"]["focal_point"])
    planned = plan_action(
        focal,
        action="ACT-33-2",
        description="d",
        lead="NLD",
        responsible="Ana",
        due_on="2030-06-30",
        occurred_on="2024-01-15",
    )
    event_page = focal.get(planned.headers["Location"]).text
    completed = fill(
        focal,
        link_to(event_page, "ActionCompleted"),
        evidence=site["agreement_id"],
        text="Done.",
        occurred_on="2024-05-01",
    )
    assert completed.status_code == 303, completed.text
    shown = focal.get(completed.headers["Location"]).text
    assert f'href="/console/events/{site["agreement_id"]}"' in shown


def test_a_report_of_the_logs_last_event_is_drawn_again_once_an_event_is_recorded(site):
    """The console keeps the reports it drew; one asked without a time is of the log's
    last event, so an event recorded since gives a new report, not the one kept."""
    bureau = signed_in(site, site["people"]["bureau"])
    token = form_token(bureau, "/console/reports")
    asked = {"csrf_token": token, "year": "2008", "draft": "1"}
    first = bureau.post("/console/reports", data=asked)
    assert first.status_code == 200, first.text
    app = site["services"].app
    draft = app.validate(
        {
            "type": "StateBecameParty",
            "occurred_on": "2008-05-05",
            "state": "ITA",
            "instrument": "ratification",
            "in_force_on": "2008-08-01",
        }
    )
    app.record_batch([draft], site["people"]["focal_point"].recorded_by, "focal_point")
    again = bureau.post("/console/reports", data=asked)
    assert again.status_code == 200, again.text
    position = re.compile(r"Log position (\d+)")
    assert int(position.search(first.text).group(1)) == head(site) - 1
    assert int(position.search(again.text).group(1)) == head(site)


def test_the_bureau_generates_a_french_draft_and_a_final_report_needs_its_settings(site):
    from reports.annual.verify import language_of

    bureau = signed_in(site, site["people"]["bureau"])
    form = bureau.get("/console/reports").text
    assert 'id="field-draft" name="draft" type="checkbox" value="1"' in form
    token = csrf(form)
    final = bureau.post("/console/reports", data={"csrf_token": token, "year": "2008"})
    assert final.status_code == 400 and "heading is not complete" in final.text
    french = bureau.post(
        "/console/reports",
        data={"csrf_token": token, "year": "2008", "lang": "fr", "draft": "1"},
    )
    assert french.status_code == 200 and "Report verify: OK" in french.text, french.text
    link = re.search(r'href="(/console/reports/annual\.pdf\?[^"]+)"', french.text).group(1)
    assert "lang=fr" in link and "draft=1" in link
    pdf = bureau.get(link.replace("&amp;", "&"))
    assert pdf.headers["Content-Language"] == "fr"
    assert language_of(pdf.data) == "fr"
