"""What the console's tests share: people with accounts (a password and a TOTP secret
each), a small history recorded in two sittings (with a confidential event that carries
a marker no one without clearance may ever see), and TOTP codes that a test may use
once each (the console refuses a time step used before)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyotp

from core.clock import format_timestamp
from core.people import identity
from followup.bootstrap import Services

PASSWORD = "correct horse battery staple"
#: Written into the confidential event: no page a bureau member opens may contain it.
SEALED_MARKER = "SEALED-WARRANT-PERSON-7731"


@dataclass
class Someone:
    email: str
    name: str
    role: str
    secret: str
    recovery_codes: tuple[str, ...]

    @property
    def recorded_by(self) -> str:
        return identity(self.name, self.email)


def code(person: Someone) -> str:
    """The current code: the console takes each time step once, so a test signs in a
    person once (and opens an account of its own for more)."""
    return pyotp.TOTP(person.secret).at(time.time())


def open_account(services: Services, role: str, tag: str = "") -> Someone:
    email = f"{role.replace('_', '-')}{tag}@example.org"
    name = {"focal_point": "Ana Focal", "bureau": "Ben Bureau", "auditor": "Ada Auditor"}.get(
        role, "Adam Admin"
    ) + (f" {tag}" if tag else "")
    enrolment = services.accounts.open(email, name, role, PASSWORD, "operator")
    return Someone(email, name, role, enrolment.secret, enrolment.recovery_codes)


def sittings(services: Services, focal: Someone) -> dict[str, Any]:
    """Two sittings of the focal point's work: three States become parties, then (after
    a moment the tests travel back to) two more, an agreement and a confidential
    warrant. Returns the moment between them and the confidential event's id."""
    app = services.app

    def record(*raw: dict[str, Any]) -> list[Any]:
        drafts = [app.validate(r) for r in raw]
        return app.record_batch(drafts, focal.recorded_by, "focal_point")

    first = record(
        *(
            {
                "type": "StateBecameParty",
                "occurred_on": "2002-07-01",
                "state": state,
                "instrument": "ratification",
                "in_force_on": "2002-07-01",
            }
            for state in ("NLD", "DEU", "FRA")
        )
    )
    time.sleep(0.05)
    between = format_timestamp(datetime.now(UTC))
    time.sleep(0.05)
    later = record(
        *(
            {
                "type": "StateBecameParty",
                "occurred_on": "2003-01-01",
                "state": state,
                "instrument": "accession",
                "in_force_on": "2003-04-01",
            }
            for state in ("AUT", "SEN")
        ),
        {
            "type": "AgreementSigned",
            "occurred_on": "2008-03-03",
            "agreement": "ESA-AUT-2008",
            "kind": "enforcement_of_sentences",
            "parties": ["AUT"],
            "title": "Agreement on the enforcement of sentences",
            "recommendations": [33],
        },
        {
            "type": "ArrestWarrantIssued",
            "occurred_on": "2006-02-10",
            "warrant": "W-SEALED-1",
            "situation": "Situation X",
            "person": SEALED_MARKER,
            "classification": "confidential",
            "summary": SEALED_MARKER,
        },
    )
    return {
        "between": between,
        "between_position": first[-1].position,
        "sealed_id": str(later[-1].id),
        "agreement_id": str(later[2].id),
    }


def csrf(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)
