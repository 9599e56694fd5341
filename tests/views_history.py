"""Random valid histories for view tests: candidate events drawn at random (naming
things that exist, most of the time), recorded one by one; the ones the core refuses
are skipped, so what remains always obeys every lifecycle rule."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from core.errors import FollowupError

START = date(2002, 7, 1)
STATES = ["NLD", "AUT", "UGA", "KEN", "COD", "FRA", "DEU"]
KINDS = ["enforcement_of_sentences", "witness_relocation", "cooperation"]
#: None: not given (inherited from the lifecycle the event continues, else public).
CLASSIFICATIONS = ["public", "public", "restricted", "confidential", None, None]


def day(data: st.DataObject, after: str | None = None) -> str:
    low = date.fromisoformat(after) if after else START
    offset = data.draw(st.integers(0, 3000))
    return min(low + timedelta(days=offset), date(2014, 12, 31)).isoformat()


def candidate(data: st.DataObject, log: dict[str, Any]) -> dict[str, Any]:
    """One event to try, shaped by what the log holds so far."""
    recorded = log["events"]
    kind = data.draw(weighted_kinds())
    follow_up = kind in (
        "force",
        "terminate",
        "answer",
        "arrest",
        "surrender",
        "close",
        "relocate",
        "withdraw",
        "revoke",
        "custody",
        "travel",
        "request",
        "find",
        "refer",
    )
    envelope = {
        # Follow-ups are dated late so that they mostly come after what they follow.
        "occurred_on": day(data, "2009-01-01" if follow_up else None),
        "classification": data.draw(st.sampled_from(CLASSIFICATIONS)),
    }
    if envelope["classification"] is None:
        del envelope["classification"]
    cited = data.draw(st.lists(st.integers(1, 8), max_size=2, unique=True))
    # Nothing before the Assembly adopted them (14 December 2007) cites the recommendations.
    envelope["recommendations"] = cited if envelope["occurred_on"] >= "2007-12-14" else []
    ref = data.draw(st.integers(1, 3))
    state = data.draw(st.sampled_from(STATES))
    if kind == "sign":
        return {
            **envelope,
            "type": "AgreementSigned",
            "agreement": f"A{ref}",
            "kind": data.draw(st.sampled_from(KINDS)),
            "parties": [state],
            "title": f"A{ref}",
        }
    if kind == "force":
        return {**envelope, "type": "AgreementEnteredIntoForce", "agreement": f"A{ref}"}
    if kind == "terminate":
        return {**envelope, "type": "AgreementTerminated", "agreement": f"A{ref}", "reason": "x"}
    if kind == "send":
        return {
            **envelope,
            "type": "AssistanceRequestSent",
            "request": f"R{ref}",
            "addressee": state,
            "category": "evidence",
            "on_behalf_of": "prosecution",
        }
    if kind == "answer":
        return {
            **envelope,
            "type": "AssistanceRequestAnswered",
            "request": f"R{ref}",
            "outcome": data.draw(st.sampled_from(["granted", "refused"])),
        }
    if kind == "issue":
        return {
            **envelope,
            "type": "ArrestWarrantIssued",
            "warrant": f"W{ref}",
            "situation": "S",
            "person": f"P{ref}",
        }
    if kind == "arrest":
        return {
            **envelope,
            "type": "ArrestFacilitated",
            "warrant": f"W{ref}",
            "arresting_state": state,
            "assisted_by": [],
        }
    if kind == "surrender":
        return {
            **envelope,
            "type": "SurrenderCompleted",
            "warrant": f"W{ref}",
            "surrendering_state": state,
            "transit_states": [],
        }
    if kind == "close":
        return {**envelope, "type": "WarrantClosed", "warrant": f"W{ref}", "reason": "withdrawn"}
    if kind == "apply":
        return {
            **envelope,
            "type": "WitnessProtectionApplicationReceived",
            "application": f"P{ref}",
            "persons": data.draw(st.integers(1, 20)),
        }
    if kind == "relocate":
        return {
            **envelope,
            "type": "WitnessRelocated",
            "application": f"P{ref}",
            "state": state,
            "persons": data.draw(st.integers(1, 5)),
        }
    if kind == "join":
        return {
            **envelope,
            "type": "StateBecameParty",
            "state": state,
            "instrument": "ratification",
            "in_force_on": day(data, envelope["occurred_on"]),
        }
    if kind == "withdraw":
        return {
            **envelope,
            "type": "WithdrawalNotified",
            "state": state,
            "effective_on": day(data, envelope["occurred_on"]),
        }
    if kind == "legislate":
        return {
            **envelope,
            "type": "ImplementingLegislationEnacted",
            "state": state,
            "title": "Act",
            "scope": "both",
        }
    if kind == "focal":
        return {
            **envelope,
            "type": "FocalPointDesignated",
            "state": state,
            "office": data.draw(st.sampled_from(["MFA", "MoJ"])),
        }
    if kind == "contact":
        return {
            **envelope,
            "type": "ContactPointDesignated",
            "state": state,
            "location": "the_hague",
            "office": "Embassy",
        }
    if kind == "workshop":
        return {
            **envelope,
            "type": "WorkshopHeld",
            "title": "W",
            "organiser": "AU",
            "host": state,
            "participants": [state, "KEN"],
            "attendees": data.draw(st.integers(0, 50)),
            "topics": data.draw(
                st.lists(
                    st.sampled_from(["implementing_legislation", "arrest_and_surrender"]),
                    max_size=2,
                    unique=True,
                )
            ),
        }
    if kind == "revoke":
        return {**envelope, "type": "WithdrawalRevoked", "state": state}
    if kind == "custody":
        return {
            **envelope,
            "type": "PersonHeldInNationalCustody",
            "warrant": f"W{ref}",
            "state": state,
        }
    if kind in ("travel", "request"):  # either opens a matter, or joins it
        return {
            **envelope,
            "type": "SuspectTravelled" if kind == "travel" else "ArrestRequestTransmitted",
            "matter": f"M{ref}",
            "warrant": f"W{ref}",
            "state": state,
        }
    if kind == "find":
        return {
            **envelope,
            "type": "NonComplianceFound",
            "matter": f"M{ref}",
            "chamber": "pre_trial_chamber",
            "decision": f"D{ref}",
        }
    if kind == "refer":
        return {
            **envelope,
            "type": "NonComplianceReferred",
            "matter": f"M{ref}",
            "to": data.draw(st.sampled_from([["ASP"], ["UNSC"], ["ASP", "UNSC"]])),
        }
    if kind == "contribute":
        return {
            **envelope,
            "type": "ContributionReceived",
            "fund": "trust_fund_for_victims",
            "contributor": state,
            "amount": data.draw(st.integers(1, 10**6)),
            "currency": data.draw(st.sampled_from(["EUR", "GBP"])),
        }
    if kind == "visa":
        return {
            **envelope,
            "type": "EmergencyVisaIssued",
            "state": state,
            "persons": data.draw(st.integers(1, 9)),
        }
    if kind == "assess":
        return {
            **envelope,
            "type": "RecommendationAssessed",
            "recommendation": data.draw(st.integers(1, 8)),
            "status": data.draw(st.sampled_from(["in_progress", "implemented"])),
            "rationale": "r",
        }
    if kind == "narrate":
        return {
            **envelope,
            "type": "ReportNarrativeDrafted",
            "year": 2010,
            "section": "I.A",
            "text": data.draw(st.sampled_from(["first", "second"])),
        }
    if kind == "system":
        # What the scheduler records of its own runs: no view may be disturbed by it.
        return data.draw(
            st.sampled_from(
                [
                    {
                        **envelope,
                        "type": "IntegrityVerified",
                        "ok": True,
                        "events": 3,
                        "log_position": 3,
                    },
                    {
                        **envelope,
                        "type": "ReminderSent",
                        "about": "request",
                        "reference": f"R{ref}",
                        "since": envelope["occurred_on"],
                        "days": 30,
                        "reminder": data.draw(st.integers(1, 3)),
                    },
                    {
                        **envelope,
                        "type": "ReportGenerated",
                        "report": "weekly_digest",
                        "format": "json",
                        "as_of": "2010-01-01T00:00:00.000000Z",
                        "log_position": 1,
                        "sha256": "0" * 64,
                        "size": 10,
                    },
                ]
            )
        )
    if not recorded:
        return {**envelope, "type": "HighLevelVisit", "organ": "registry", "host": state}
    target = data.draw(st.sampled_from(recorded))
    if kind == "retract":
        return {**envelope, "type": "EventRetracted", "retracts": target["id"], "reason": "x"}
    if kind == "lower":
        envelope.pop("classification", None)
        return {
            **envelope,
            "type": "ClassificationLowered",
            "lowers": target["id"],
            "lowered_to": data.draw(st.sampled_from(["public", "restricted"])),
            "reason": "unsealed",
        }
    changes: dict[str, Any] = {"occurred_on": day(data)}
    if target["type"] == "WorkshopHeld":
        changes = data.draw(st.sampled_from([changes, {"participants": ["UGA"]}, {"attendees": 7}]))
    if target["type"] == "EmergencyVisaIssued":
        changes = data.draw(st.sampled_from([changes, {"persons": 4}, {"state": "FRA"}]))
    return {
        **envelope,
        "type": "EventCorrected",
        "corrects": target["id"],
        "changes": changes,
        "reason": "corrected",
    }


def record_history(data: st.DataObject, app: Any, size: int = 40) -> list[dict[str, Any]]:
    """Record a random valid history into `app`; returns what was recorded."""
    log: dict[str, Any] = {"events": []}
    for _ in range(size):
        raw = candidate(data, log)
        try:
            event = app.record_raw(raw, data.draw(st.sampled_from(["fp-a", "fp-b"])), None)
        except FollowupError:
            continue
        log["events"].append({"id": str(event.id), "type": event.type})
    return list(log["events"])


def weighted_kinds() -> st.SearchStrategy[str]:
    """Follow-ups are drawn more often than beginnings, so lifecycles get long."""
    beginnings = ["sign", "send", "issue", "apply", "join"]
    follow_ups = [
        "force",
        "terminate",
        "answer",
        "arrest",
        "surrender",
        "close",
        "relocate",
        "withdraw",
        "revoke",
        "custody",
        "travel",
        "request",
        "find",
        "refer",
    ]
    others = [
        "contribute",
        "legislate",
        "focal",
        "contact",
        "workshop",
        "visa",
        "assess",
        "narrate",
        "correct",
        "retract",
        "lower",
        "system",
    ]
    return st.sampled_from(beginnings + follow_ups * 2 + others)
