#!/usr/bin/env python3
"""Write the README's two tables of the record of cooperation from the running catalogue:
every event type (its area, who may record it, the recommendations it serves, its rules)
and every one of the 66 recommendations (the types and indicators that follow it up).

Areas, writers and indicators come from the plugins; what each type serves and the rules
it keeps are stated here, one line a type, so that a type added without them fails
``--check`` (run by the test suite), as does a README whose tables are stale.

Usage: python scripts/catalogue_tables.py [--check]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from generated import write_or_check  # noqa: E402

README = REPO / "README.md"

ALL = tuple(range(1, 67))
AGREEMENTS = (5, 18, 19, 63)
REQUESTS = (12, 14, 15, 37)

#: The recommendations each type follows up (the envelope's `recommendations` of an
#: event says which ones that event advances).
SERVES: dict[str, tuple[int, ...]] = {
    "StateBecameParty": (),
    "WithdrawalNotified": (),
    "WithdrawalRevoked": (),
    "JurisdictionAcceptedByDeclaration": (),
    "AmendmentRatified": (),
    "ImplementingLegislationEnacted": (1,),
    "ImplementingLegislationReviewed": (3,),
    "APICRatified": (1,),
    "AgreementSigned": AGREEMENTS,
    "AgreementEnteredIntoForce": AGREEMENTS,
    "AgreementTerminated": AGREEMENTS,
    "TechnicalAssistanceProvided": (5, 6, 20),
    "FocalPointDesignated": (7, 22),
    "ContactPointDesignated": (9, 25),
    "CoordinatingMechanismEstablished": (8,),
    "HighLevelVisit": (10, 32, 33, 54),
    "StatementDelivered": (11, 17, 42, 47, 48, 50, 56, 62, 66),
    "ResolutionAdopted": (45, 46, 62),
    "WorkingGroupEstablished": (64,),
    "AssistanceRequestSent": REQUESTS,
    "AssistanceRequestAnswered": REQUESTS,
    "EmergencyVisaIssued": (16,),
    "ArrestWarrantIssued": (17, 21),
    "ArrestFacilitated": (17, 20, 21, 66),
    "SurrenderCompleted": (17, 18, 19, 21),
    "WarrantClosed": (),
    "AssetsFrozen": (17, 59),
    "PersonHeldInNationalCustody": (17, 20),
    "PersonSurrenderedVoluntarily": (17,),
    "ArrestAttemptFailed": (17, 20),
    "WarrantUnsealed": (),
    "SentenceEnforcementTransferred": (5, 19),
    "PersonReleasedToState": (5, 19),
    "SummonsToAppearIssued": (),
    "PersonAppearedOnSummons": (),
    "SuspectTravelled": (17, 66),
    "ArrestRequestTransmitted": (17,),
    "ArrestNotExecuted": (17,),
    "NonComplianceFound": (17, 48),
    "NonComplianceReferred": (17, 51),
    "NonComplianceAppealDecided": (),
    "NonCooperationFollowedUp": (17, 21, 31, 48, 51),
    "NonCooperationMatterClosed": (),
    "SituationReferred": (51,),
    "PreliminaryExaminationOpened": (12,),
    "PreliminaryExaminationConcluded": (12,),
    "InvestigationOpened": (13, 14, 15),
    "DeferralRequested": (51,),
    "WitnessProtectionApplicationReceived": (22, 23, 24),
    "WitnessRelocated": (5, 22, 23, 24),
    "ContributionPledged": (5, 24),
    "ContributionReceived": (5, 24),
    "OperationalSupportProvided": (18, 27, 28),
    "ConfidentialityProcedureEstablished": (26,),
    "ExpertsRostered": (29,),
    "GratisPersonnelProvided": (30, 35),
    "GuidanceIssued": (4, 13, 19, 53),
    "BriefingGiven": (32, 34, 36, 38, 39, 41, 43, 44, 55, 57, 58),
    "ReportTransmitted": (36, 40, 56),
    "WorkshopHeld": (4, 21, 32, 43, 44, 59, 60, 65),
    "OrganisationRegistered": (52, 61),
    "RecommendationAssessed": ALL,
    # The follow-up of the recommendations (issue 16): any of the 66.
    "ActionPlanned": ALL,
    "ActionProgressReported": ALL,
    "ActionRescheduled": ALL,
    "ActionCompleted": ALL,
    "ActionAbandoned": ALL,
    "IndicatorDefined": ALL,
    "IndicatorTargetChanged": ALL,
    "QuestionnaireSent": ALL,
    "QuestionnaireAnswered": ALL,
    "ReportNarrativeDrafted": (),
    "EventCorrected": (),
    "EventRetracted": (),
    "ClassificationLowered": (),
    "TokenIssued": (),
    "TokenRevoked": (),
    "AccountOpened": (),
    "AccountReset": (),
    "AccountDisabled": (),
    "AccountEnabled": (),
    "ReportGenerated": (),
    "ReminderSent": (),
    "IntegrityVerified": (),
    "LogKeyActivated": (),
    "CheckpointCosigned": (),
}

NEW = "`{0}` must be new"
STANDS = "while the State is not a party"

#: The rules each type keeps: lifecycle rules (409) and dates or values that cannot be
#: (422). Every type also keeps the envelope's: not before 1998-07-17 nor after today;
#: no recommendation cited by an action before 14 December 2007.
RULES: dict[str, str] = {
    "StateBecameParty": "once per State unless it withdrew; `in_force_on` not before the "
    "deposit nor 1 July 2002 (art. 126)",
    "WithdrawalNotified": "the State is a party, not before it became one; `effective_on` "
    "at least a year after the notification (art. 127(1))",
    "WithdrawalRevoked": "a notified withdrawal, revoked before it takes effect: membership "
    "goes on unbroken, the notification stays on record",
    "JurisdictionAcceptedByDeclaration": "lodged by a State not party on that day; "
    "jurisdiction not before 1 July 2002; `jurisdiction_until` not before "
    "`jurisdiction_from`",
    "AmendmentRatified": "a State Party on that day, once per amendment; not before the "
    "amendment's adoption; not after a withdrawal took effect",
    "ImplementingLegislationEnacted": "",
    "ImplementingLegislationReviewed": "not after the State's withdrawal took effect",
    "APICRatified": "once per State",
    "AgreementSigned": NEW.format("agreement"),
    "AgreementEnteredIntoForce": "signed, not in force, not terminated, not before signature",
    "AgreementTerminated": "signed, not terminated, not before signature or entry into force",
    "TechnicalAssistanceProvided": "",
    "FocalPointDesignated": "replaces an earlier one; not after the State's withdrawal took effect",
    "ContactPointDesignated": "not after the State's withdrawal took effect",
    "CoordinatingMechanismEstablished": "not after the State's withdrawal took effect",
    "HighLevelVisit": "",
    "StatementDelivered": "",
    "ResolutionAdopted": "",
    "WorkingGroupEstablished": "an organisation or a United Nations body",
    "AssistanceRequestSent": NEW.format("request") + "; `warrant`, if given, exists",
    "AssistanceRequestAnswered": "sent, unanswered, not before sending",
    "EmergencyVisaIssued": "",
    "ArrestWarrantIssued": NEW.format("warrant"),
    "ArrestFacilitated": "warrant open, person not arrested, not before the warrant",
    "SurrenderCompleted": "in custody (arrested, held by a State or given up), not before",
    "WarrantClosed": "warrant open",
    "AssetsFrozen": "`warrant`, if given, exists",
    "PersonHeldInNationalCustody": "warrant open, person at large; may be dated before the warrant",
    "PersonSurrenderedVoluntarily": "warrant open, person at large, not before the warrant",
    "ArrestAttemptFailed": "warrant open, person at large, not before the warrant",
    "WarrantUnsealed": "once, not before the warrant",
    "SentenceEnforcementTransferred": "surrendered, not released, once, not before the "
    "surrender; `agreement`, if given, exists",
    "PersonReleasedToState": "surrendered, not released, not before the surrender; a person "
    "serving a sentence in a State is released when it is served",
    "SummonsToAppearIssued": NEW.format("summons"),
    "PersonAppearedOnSummons": "summons issued, once, not before it",
    "SuspectTravelled": "opens a matter (one visit: one warrant, one State); the warrant "
    "existed and stood on that day; `departed_on` not before arrival",
    "ArrestRequestTransmitted": "opens a matter or adds to it (same warrant and State); "
    "the warrant stood on that day",
    "ArrestNotExecuted": "the matter is open; once; not before the travel or the request",
    "NonComplianceFound": "the matter is open; one standing finding; not before the travel, "
    "request or non-execution",
    "NonComplianceReferred": "a standing finding, not before it; to ASP and/or UNSC, each once",
    "NonComplianceAppealDecided": "a standing finding; once; a finding reversed takes its "
    "referral with it",
    "NonCooperationFollowedUp": "the matter is open; by ASP, its Bureau or Secretariat, "
    "UNSC or UNGA",
    "NonCooperationMatterClosed": "the matter is open; not before it opened",
    "SituationReferred": "by States (States Parties' referral) or by UNSC alone, with its "
    "resolution; UNSC refers before an investigation",
    "PreliminaryExaminationOpened": "once per situation",
    "PreliminaryExaminationConcluded": "opened, once, not before",
    "InvestigationOpened": "once; a referral's trigger needs that referral; proprio motu "
    "needs the Chamber's authorisation; not before the examination",
    "DeferralRequested": "`situation`, if given, exists",
    "WitnessProtectionApplicationReceived": NEW.format("application"),
    "WitnessRelocated": "application exists, not before it; the State may stay undisclosed",
    "ContributionPledged": NEW.format("pledge") + "; integer minor units, ISO 4217; the "
    "Trust Fund for Victims from 9 September 2002",
    "ContributionReceived": "as a pledge; on a pledge: same fund, currency and contributor, "
    "not before it",
    "OperationalSupportProvided": "",
    "ConfidentialityProcedureEstablished": "not after the State's withdrawal took effect",
    "ExpertsRostered": "",
    "GratisPersonnelProvided": "",
    "GuidanceIssued": "",
    "BriefingGiven": "",
    "ReportTransmitted": "",
    "WorkshopHeld": "`topics` from the list (written as words or terms), free text in "
    "`topics_text`",
    "OrganisationRegistered": "a new code, not built in, never three characters; a "
    "national institution names its State",
    "RecommendationAssessed": "not before 14 December 2007 (ICC-ASP/6/Res.2)",
    "ReportNarrativeDrafted": "",
    "ActionPlanned": NEW.format("action") + "; advances at least one recommendation (the "
    "envelope's); due on or after the day it is planned",
    "ActionProgressReported": "planned, open; not dated before the action's last event",
    "ActionRescheduled": "open; in date order; the new due date not past nor the current one",
    "ActionCompleted": "open; in date order; with evidence (events of the log the writer "
    "sees, not corrections or retractions; documents), as classified as the strictest "
    "event it cites; nothing follows",
    "ActionAbandoned": "open; in date order; nothing follows",
    "IndicatorDefined": NEW.format("indicator") + "; a figure or a view (with its filter), "
    "not both; the target's date after the baseline's; not before 14 December 2007",
    "IndicatorTargetChanged": "defined; the target's date after the baseline's; in date order",
    "QuestionnaireSent": NEW.format("questionnaire") + "; due on or after the day it is "
    "sent; not before 14 December 2007",
    "QuestionnaireAnswered": "sent to that State, which answers once, not before it was "
    "sent, only on what it asks",
    "EventCorrected": "target exists, not retracted; the result passes the target's schema, "
    "rules and checks; never moves it to another lifecycle",
    "EventRetracted": "target exists, not retracted; the lifecycle's rules still hold",
    "ClassificationLowered": "target seen by the writer, lowered to less than it is; final "
    "(never corrected nor retracted)",
    "TokenIssued": "a label in use is revoked first",
    "TokenRevoked": "issued, not revoked",
    "AccountOpened": "one account per email",
    "AccountReset": "opened",
    "AccountDisabled": "opened, not disabled",
    "AccountEnabled": "disabled",
    "ReportGenerated": "once per job and due time",
    "ReminderSent": "numbered per request, agreement, action, indicator or questionnaire, "
    "never twice",
    "IntegrityVerified": "once per due time",
    "LogKeyActivated": "the system's own record of a key that signs the log's checkpoints",
    "CheckpointCosigned": "the system's own record of a witness's cosignature",
}

ROLE_WORDS = {"focal_point": "focal point", "bureau": "bureau", "admin": "admin"}


def load() -> tuple[dict[str, object], list[object]]:
    """The catalogue's types and indicators, from the built-in plugins alone."""
    from core.catalogue import Catalogue
    from plugins import collect, plugin_manager

    manager = plugin_manager(load_entry_points=False)
    catalogue = Catalogue(collect(manager.hook.followup_event_types))
    return dict(catalogue.types), collect(manager.hook.followup_indicators)


def numbers(found: tuple[int, ...]) -> str:
    if found == ALL:
        return "1–66"
    return ", ".join(str(n) for n in found) or "—"


def types_table(types: dict[str, object]) -> str:
    rows = ["| type | area | who records it | serves | rules |", "| --- | --- | --- | --- | --- |"]
    for name, event_type in sorted(types.items(), key=lambda kv: (kv[1].area, kv[0])):  # type: ignore[attr-defined]
        writers = sorted(event_type.writers)  # type: ignore[attr-defined]
        who = ", ".join(ROLE_WORDS.get(w, w) for w in writers) or "the system"
        rules = RULES[name] or "—"
        rows.append(f"| `{name}` | {event_type.area} | {who} | {numbers(SERVES[name])} | {rules} |")  # type: ignore[attr-defined]
    return "\n".join(rows)


def recommendations_table(types: dict[str, object], indicators: list[object]) -> str:
    from core.recommendations import catalogue

    by_number: dict[int, list[str]] = defaultdict(list)
    for name in sorted(types):
        for number in SERVES[name]:
            if SERVES[name] != ALL:
                by_number[number].append(f"`{name}`")
    measured: dict[int, list[str]] = defaultdict(list)
    for indicator in indicators:
        for number in indicator.recommendations:  # type: ignore[attr-defined]
            measured[number].append(f"`{indicator.name}`")  # type: ignore[attr-defined]
    rows = [
        "| no. | recommendation (to) | event types | indicators |",
        "| --- | --- | --- | --- |",
    ]
    for r in catalogue():
        words = r.text if len(r.text) <= 90 else r.text[:87].rsplit(" ", 1)[0] + "…"
        rows.append(
            f"| {r.number} | {words} ({r.addressee}) | {', '.join(by_number[r.number]) or '—'} "
            f"| {', '.join(sorted(measured[r.number])) or '—'} |"
        )
    return "\n".join(rows)


def replace_block(text: str, name: str, table: str) -> str:
    pattern = re.compile(rf"(<!-- {name}:begin -->\n)(?:.*?\n)?(<!-- {name}:end -->)", re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no <!-- {name}:begin --> ... end block")
    return pattern.sub(lambda m: m.group(1) + table + "\n" + m.group(2), text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is stale")
    args = parser.parse_args(argv)
    types, indicators = load()
    undocumented = sorted(set(types) - (set(SERVES) & set(RULES)))
    if undocumented:
        print(f"no SERVES/RULES for {', '.join(undocumented)}", file=sys.stderr)
        return 1
    text = README.read_text(encoding="utf-8")
    fresh = replace_block(text, "event-types", types_table(types))
    fresh = replace_block(fresh, "recommendations", recommendations_table(types, indicators))
    return write_or_check(README, fresh, check=args.check)


if __name__ == "__main__":
    sys.exit(main())
