#!/usr/bin/env python3
"""Screenshots of the console's main pages for the README (docs/console/*.png): a store
with a synthetic history (bench/history.py) and three people, served on loopback,
photographed in Debian's Chromium through Playwright.

Usage: .venv/bin/python scripts/console_screenshots.py [--events 3000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

import pyotp
from werkzeug.serving import make_server

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from api import create_app  # noqa: E402
from bench.history import build  # noqa: E402
from followup.bootstrap import bootstrap  # noqa: E402

OUT = REPO / "docs" / "console"
PASSWORD = "a long screenshot password"
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=3000)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/followup.sqlite"
        services = bootstrap(url, load_entry_points=False)
        build(services.app, args.events, seed=3, batch=1000)
        secrets = {
            role: services.accounts.open(
                f"{role}@example.org", name, role, PASSWORD, "operator"
            ).secret
            for role, name in (
                ("focal_point", "Ana Focal"),
                ("bureau", "Ben Bureau"),
                ("auditor", "Ada Auditor"),
            )
        }
        middle = services.app.log.select_records(
            after=args.events // 2 - 1, upto=args.events // 2, limit=1
        )[0].recorded_at
        app = create_app({"LOAD_ENTRY_POINTS": False}, services=services)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base = f"http://127.0.0.1:{server.server_port}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)

            def person(role: str, language: str = "en") -> object:
                context = browser.new_context(
                    base_url=base, viewport={"width": 1100, "height": 760}
                )
                context.set_default_timeout(240_000)
                page = context.new_page()
                page.goto(f"/console/language/{language}?next=/console/sign-in")
                page.locator("#field-email").fill(f"{role}@example.org")
                page.locator("#field-password").fill(PASSWORD)
                page.locator("main button[type=submit]").click()
                page.locator("#field-code").fill(pyotp.TOTP(secrets[role]).now())
                page.locator("main button[type=submit]").click()
                page.wait_for_url(f"{base}/console/")
                return page

            def shot(page: object, name: str, height: int | None = None) -> None:
                clip = {"x": 0, "y": 0, "width": 1100, "height": height} if height else None
                page.screenshot(  # type: ignore[attr-defined]
                    path=str(OUT / f"{name}.png"), full_page=height is not None, clip=clip
                )
                print("wrote", OUT / f"{name}.png")

            anonymous = browser.new_context(
                base_url=base, viewport={"width": 1100, "height": 520}
            ).new_page()
            anonymous.goto("/console/sign-in")
            shot(anonymous, "sign-in")
            focal = person("focal_point")
            shot(focal, "dashboard", height=1240)  # the charts too
            focal.goto("/console/record/AgreementSigned")
            focal.locator("#field-agreement").fill("ESA-SVN-2024")
            focal.locator("#field-kind").select_option("enforcement_of_sentences")
            focal.locator("#field-parties").fill("SVN")
            focal.locator("#field-title").fill("Agreement on the enforcement of sentences")
            focal.locator("#field-occurred_on").fill("2024-05-14")
            focal.locator("main button[value=check]").click()
            shot(focal, "record-preview")
            focal.locator("#field-title").fill("")
            focal.locator("#field-parties").fill("XYZ")
            focal.locator("main button[value=check]").click()
            shot(focal, "record-field-errors")
            auditor = person("auditor", "fr")
            auditor.goto(f"/console/audit?as_of={middle}")
            shot(auditor, "time-machine-fr")
            auditor.goto(f"/console/recommendations?as_of={middle}")
            shot(auditor, "recommendations-fr")
            bureau = person("bureau")
            bureau.goto("/console/reports")
            bureau.locator("#field-year").fill("2010")
            bureau.locator("main form button[type=submit]").click()
            bureau.locator(".verdict").wait_for(timeout=180_000)
            bureau.locator(".verdict").scroll_into_view_if_needed()
            shot(bureau, "report-verified")
            browser.close()
        server.shutdown()
        services.close()


if __name__ == "__main__":
    main()
