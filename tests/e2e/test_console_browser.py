"""The console in a real browser: Debian's Chromium (installed by scripts/system-deps.sh),
driven by Playwright, against `followup serve` (gunicorn, two workers) on loopback.

One browser for the whole module; each test opens contexts of its own (cookies apart).
People sign in with a password and a TOTP code, record through the forms, travel in
time, generate and verify a report, sign out; the bureau cannot reach the focal point's
forms, and never sees a confidential event. axe-core checks every page, in both
languages, against WCAG 2.1 A and AA."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from followup.bootstrap import bootstrap
from tests.console_support import (
    PASSWORD,
    SEALED_MARKER,
    Someone,
    code,
    open_account,
    sittings,
)
from tests.report_history import settings_file
from tests.server import Server, serve

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
AXE = (
    Path(__file__).resolve().parents[2]
    / ".venv"
    / "axe"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
#: The flags that let Chromium run here: headless, no sandbox (root), and nothing that
#: reaches out to the network on its own.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A store with people and two sittings of history, served by gunicorn."""
    folder = tmp_path_factory.mktemp("console")
    url = f"sqlite:///{folder}/followup.sqlite"
    services = bootstrap(url, load_entry_points=False)
    people = {
        role: open_account(services, role) for role in ("focal_point", "bureau", "auditor", "admin")
    }
    people["leaving"] = open_account(services, "focal_point", "leaving")
    people["invalid"] = open_account(services, "focal_point", "invalid")
    history = sittings(services, people["focal_point"])
    services.close()
    # The report's heading settings, as a deployment gives them (a final report needs them).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FOLLOWUP_REPORT_CONFIG", settings_file(folder))
        with serve(url, folder / "server.log") as server:
            yield {"server": server, "url": url, "people": people, **history}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Debian's chromium is missing: run scripts/system-deps.sh"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


def sign_in(browser: Any, server: Server, person: Someone, **options: Any) -> Any:
    """A new context (its own cookies) with `person` signed in through the forms."""
    context = browser.new_context(base_url=server.base, **options)
    page = context.new_page()
    page.goto("/console/")
    assert "/console/sign-in" in page.url
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(code(person))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/console/$"))
    return page


@pytest.fixture(scope="module")
def signed_in(browser: Any, site: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A page per role, each signed in once for the module."""
    pages = {
        role: sign_in(browser, site["server"], site["people"][role], bypass_csp=True)
        for role in ("focal_point", "bureau", "auditor", "admin")
    }
    yield pages
    for page in pages.values():
        page.context.close()


def head(site: dict[str, Any]) -> int:
    services = bootstrap(site["url"], load_entry_points=False)
    try:
        return services.app.head().position
    finally:
        services.close()


def headline(page: Any, name: str) -> str:
    return str(page.locator(f"#figure-{name.replace('.', '-')}").inner_text()).strip()


def test_sign_in_record_through_the_form_and_see_it_on_the_dashboard(signed_in, site):
    page = signed_in["focal_point"]
    page.goto("/console/")
    before = int(headline(page, "parties.states_parties"))
    page.goto("/console/record")
    page.get_by_role("link", name="StateBecameParty").click()
    page.get_by_label("State").fill("SVN")
    page.get_by_label("Instrument").select_option("ratification")
    page.get_by_label("In force on").fill("2002-07-01")
    page.get_by_label("Occurred on").fill("2001-12-31")
    page.get_by_role("button", name="Check and preview").click()
    preview = page.locator(".preview .sentence").inner_text()
    assert "Slovenia" in preview
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_url(re.compile(r"/console/events/[0-9a-f-]+\?recorded=1"))
    assert "Recorded." in page.locator("main").inner_text()
    page.get_by_role("link", name="Dashboard").click()
    assert int(headline(page, "parties.states_parties")) == before + 1


def test_an_invalid_form_shows_the_field_error_and_records_nothing(browser, site):
    page = sign_in(browser, site["server"], site["people"]["invalid"])
    try:
        before = head(site)
        page.goto("/console/record/AgreementSigned")
        page.get_by_label("Agreement").fill("ESA-XYZ-2024")
        page.get_by_label("Kind").select_option("cooperation")
        page.get_by_label("Parties").fill("XYZ")
        page.get_by_label("Occurred on").fill("2024-01-01")
        page.get_by_role("button", name="Check and preview").click()
        # Beside the field, in the words of the API's 422.
        title_error = page.locator("#title-error").inner_text()
        assert "Missing data for required field." in title_error
        assert "Unknown party code" in page.locator("#parties-error").inner_text()
        assert page.get_by_label("Title").get_attribute("aria-invalid") == "true"
        assert "Nothing was recorded" in page.locator(".error-summary").inner_text()
        assert page.get_by_role("button", name="Record", exact=True).count() == 0
        assert head(site) == before
    finally:
        page.context.close()


def test_travel_to_a_past_time_and_see_the_figure_as_it_was(signed_in, site):
    page = signed_in["auditor"]
    page.goto("/console/audit")
    page.get_by_label("As the log stood at (transaction time)").fill(site["between"])
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Dashboard", exact=True).last.click()
    assert "as_of=" in page.url
    assert headline(page, "parties.states_parties") == "3"
    about = page.locator("#about").inner_text()
    assert f"position {site['between_position']}" in about
    page.get_by_role("link", name="Back to now").click()
    assert int(headline(page, "parties.states_parties")) >= 5


def test_generate_a_report_download_it_and_see_it_verified(signed_in, site, tmp_path):
    page = signed_in["bureau"]
    page.goto("/console/reports")
    page.get_by_label("Year").fill("2008")
    page.get_by_role("button", name="Generate and verify").click()
    verdict = page.locator(".verdict").inner_text(timeout=120_000)
    assert "Report verify: OK" in verdict
    assert "OK report on 2008" in verdict
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    saved = tmp_path / "report.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    # The auditor uploads it and has it verified.
    auditor = signed_in["auditor"]
    auditor.goto("/console/audit/report")
    auditor.get_by_label("Report (PDF, at most 4 MiB)").set_input_files(str(saved))
    auditor.get_by_role("button", name="Verify").click()
    assert "Report verify: OK" in auditor.locator(".verdict").inner_text(timeout=120_000)


def test_sign_out_ends_the_session(browser, site):
    page = sign_in(browser, site["server"], site["people"]["leaving"])
    try:
        cookies = page.context.cookies()
        page.get_by_role("button", name="Sign out").click()
        assert "You have signed out." in page.locator("main").inner_text()
        page.goto("/console/")
        assert "/console/sign-in" in page.url
        # The old cookie, replayed in another context, opens nothing.
        other = browser.new_context(base_url=site["server"].base)
        other.add_cookies(cookies)
        replay = other.new_page()
        replay.goto("/console/events")
        assert "/console/sign-in" in replay.url
        other.close()
    finally:
        page.context.close()


def test_the_bureau_cannot_reach_the_focal_points_forms(signed_in, site):
    page = signed_in["bureau"]
    page.goto("/console/record")
    assert page.get_by_role("link", name="AgreementSigned").count() == 0
    assert page.get_by_role("link", name="ReportNarrativeDrafted").count() == 1
    response = page.goto("/console/record/AgreementSigned")
    assert response.status == 403
    before = head(site)
    # A form posted by hand (a valid CSRF token, the focal point's type) is refused too.
    token = page.goto("/console/record/ReportNarrativeDrafted") and page.locator(
        "input[name=csrf_token]"
    ).first.get_attribute("value")
    posted = page.request.post(
        "/console/record/AgreementSigned",
        form={
            "csrf_token": token,
            "_step": "record",
            "agreement": "ESA-BUREAU",
            "kind": "cooperation",
            "parties": "AUT",
            "title": "By the bureau",
            "occurred_on": "2020-01-01",
        },
    )
    assert posted.status == 403
    assert head(site) == before


def test_a_confidential_event_never_appears_to_the_bureau(signed_in, site):
    bureau = signed_in["bureau"]
    for path in (
        "/console/",
        "/console/events",
        "/console/events?type=ArrestWarrantIssued",
        "/console/views/warrants",
        "/console/views/activities",
        "/console/audit/explain?figure=warrants.issued",
        "/console/audit/diff?from=2000-01-01&to=2100-01-01&run=1",
    ):
        bureau.goto(path)
        assert SEALED_MARKER not in bureau.content(), path
    response = bureau.goto(f"/console/events/{site['sealed_id']}")
    assert response.status == 404
    assert SEALED_MARKER not in bureau.content()
    # Those who may see it do.
    focal = signed_in["focal_point"]
    focal.goto(f"/console/events/{site['sealed_id']}")
    assert SEALED_MARKER in focal.content()
    auditor = signed_in["auditor"]
    auditor.goto("/console/views/warrants")
    assert SEALED_MARKER in auditor.content()


#: Every page, for the roles that open it (ids filled in from the site).
PAGES = {
    "focal_point": [
        "/console/",
        "/console/events",
        "/console/events/{agreement_id}",
        "/console/events/{agreement_id}/correct",
        "/console/events/{agreement_id}/retract",
        "/console/record",
        "/console/record/AgreementSigned",
        "/console/import",
        "/console/recommendations",
        "/console/recommendations/33",
        "/console/parties",
        "/console/parties/AUT",
        "/console/views",
        "/console/views/agreements",
        "/console/views/warrants",
        "/console/views/requests",
        "/console/views/witness_protection",
        "/console/views/activities",
        "/console/views/parties",
    ],
    "bureau": ["/console/reports", "/console/audit", "/console/audit/report"],
    "auditor": [
        "/console/?as_of={between}",
        "/console/audit?as_of={between}",
        "/console/audit/trail?run=1",
        "/console/audit/diff?from=2000-01-01&to=2100-01-01&run=1",
        "/console/audit/explain?figure=parties.states_parties",
        "/console/audit/verify",
    ],
    "admin": ["/console/"],
}


def axe_violations(page: Any) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        # resultTypes: only the violations are gathered whole (passes and the other kinds
        # keep one node each: less work per page).
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => v.id + ': ' + v.help + ' (' + "
        "v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ') + ')'))",
        WCAG_21_AA,
    )
    return list(found)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_wcag_21_aa_violation_on_any_page(signed_in, site, browser, language):
    assert AXE.exists(), "axe-core is missing: run `make test` (it installs it from npm)"
    found: dict[str, list[str]] = {}
    for role, paths in PAGES.items():
        page = signed_in[role]
        page.goto(f"/console/language/{language}?next=/console/")
        for path in paths:
            page.goto(path.format(**site))
            assert page.locator("html").get_attribute("lang") == language
            violations = axe_violations(page)
            if violations:
                found[f"{role} {path}"] = violations
        # Pages with what a person typed wrong in them: the error messages too.
    anonymous = browser.new_context(base_url=site["server"].base, bypass_csp=True)
    page = anonymous.new_page()
    page.goto(f"/console/language/{language}?next=/console/sign-in")
    for path in ("/console/sign-in", "/console/nowhere"):
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            found[f"anonymous {path}"] = violations
    page.goto("/console/sign-in")
    page.locator("#field-email").fill("nobody@example.org")
    page.locator("#field-password").fill("wrong password here")
    page.locator("main button[type=submit]").click()
    if axe_violations(page):
        found["anonymous sign-in failed"] = axe_violations(page)
    anonymous.close()
    focal = signed_in["focal_point"]
    focal.goto("/console/record/AgreementSigned")
    focal.locator("main button[value=check]").click()
    if axe_violations(focal):
        found["focal_point invalid form"] = axe_violations(focal)
    for role in PAGES:
        signed_in[role].goto("/console/language/en?next=/console/")
    assert not found, found


def test_the_accessibility_check_finds_what_is_wrong(browser):
    """The check itself can fail: an unlabelled field and an image without text."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content(
        '<html lang="en"><title>t</title><main><h1>t</h1><input type="text">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></html>'
    )
    found = " ".join(axe_violations(page))
    context.close()
    assert "label" in found and "image-alt" in found
