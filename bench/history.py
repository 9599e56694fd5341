"""A realistic synthetic history for benchmarks: many States over many years, a mix of
types like the focal point's, lifecycles that obey their rules, and some corrections
and retractions. Deterministic for a given seed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from core.application import FollowUp
from core.envelope import ENVELOPE_FIELDS, Draft
from core.parties import ORGANISATIONS, PartyKind, registry
from core.recommendations import ADOPTED
from plugins.builtin.membership_state import in_force_for

FIRST_YEAR = 2003
ANSWERS = ("not_started", "in_progress", "implemented", "ongoing", "not_applicable")
LAST_YEAR = 2025

#: Share of each kind of event in the log (lifecycle kinds start a lifecycle; their
#: follow-ups are drawn as the lifecycle ages).
MIX = {
    "workshop": 0.24,
    "statement": 0.16,
    "visit": 0.08,
    "resolution": 0.08,
    "technical_assistance": 0.07,
    "operational_support": 0.07,
    "visa": 0.04,
    "experts": 0.025,
    "gratis": 0.025,
    "assets": 0.015,
    "working_group": 0.005,
    "agreement": 0.012,
    "request": 0.03,
    "warrant": 0.006,
    "application": 0.01,
    "legislation": 0.006,
    "focal_point": 0.006,
    "contact_point": 0.006,
    "assessment": 0.01,
    "narrative": 0.002,
    "follow_up": 0.11,
    "correction": 0.012,
    "retraction": 0.002,
    # The follow-up of the recommendations (plugins/builtin/actions.py, indicators.py,
    # questionnaires.py): actions and their progress, indicators, questionnaires.
    "action": 0.006,
    "action_follow_up": 0.012,
    "indicator": 0.0001,
    "questionnaire": 0.0004,
    "answer": 0.002,
}

#: The recommendations exist from their adoption (14 December 2007): nothing cites them before.
ADOPTED_ON = "2007-12-14"
#: Figures the synthetic indicators read (and how over a period).
INDICATOR_SOURCES: tuple[dict[str, Any], ...] = (
    {"figure": "agreements.enforcement_of_sentences.in_force"},
    {"figure": "requests.answered", "period": "year"},
    {"figure": "activities.workshops", "period": "since_baseline"},
    {"figure": "actions.completed", "period": "year"},
    {"figure": "parties.with_focal_point"},
    {"view": "questionnaires", "filter": {"overdue": True}},
)


class History:
    """Generates events in recording order; dates move forward through the years."""

    def __init__(
        self, total: int, seed: int = 7, *, focus_year: int | None = None, focus_share: float = 0.0
    ) -> None:
        """`focus_share` of the events (after the memberships) are dated in `focus_year`,
        spread over it, the rest over the years as usual."""
        self.total = total
        self.focus_year = focus_year
        self.focus_share = focus_share
        self.random = random.Random(seed)
        states = sorted(code for code, party in registry().items() if party.kind is PartyKind.STATE)
        self.states = self.random.sample(states, len(states))
        self.parties = [*self.states, *ORGANISATIONS, "UN"]
        self.open: dict[str, list[tuple[str, str]]] = {
            "agreement": [],
            "request": [],
            "warrant": [],
            "arrested": [],
            "application": [],
        }
        #: Open actions (name, last date, due date) and questionnaires (name, date,
        #: States yet to answer, recommendations asked).
        self.actions: list[tuple[str, str, str]] = []
        self.questionnaires: list[tuple[str, str, list[str], list[int]]] = []
        self.recent: list[str] = []  # ids of recent standalone events, to correct
        self.counter = 0

    def day(self, index: int) -> str:
        span = (date(LAST_YEAR, 12, 31) - date(FIRST_YEAR, 1, 1)).days
        offset = int(span * index / max(self.total, 1)) + self.random.randint(0, 20)
        return min(
            date(FIRST_YEAR, 1, 1) + timedelta(days=offset), date(LAST_YEAR, 12, 31)
        ).isoformat()

    def dated(self, index: int) -> str:
        if self.focus_year is not None and self.random.random() < self.focus_share:
            start = date(self.focus_year, 1, 1)
            return (start + timedelta(days=self.random.randint(0, 364))).isoformat()
        return self.day(index)

    def events(self) -> Iterator[dict[str, Any]]:
        """The memberships first (the States Parties), then the mix: `total` events in
        all (a draw with nothing to follow up is drawn again)."""
        made = 0
        for number, state in enumerate(self.states[:190]):
            deposited = self.day(0)
            yield {
                "type": "StateBecameParty",
                "occurred_on": deposited,
                "state": state,
                "instrument": "ratification",
                "in_force_on": in_force_for(date.fromisoformat(deposited)).isoformat(),
            }
            made += 1
            if number % 3 == 0:
                yield {"type": "APICRatified", "occurred_on": self.day(0), "state": state}
                made += 1
        kinds, weights = zip(*MIX.items(), strict=True)
        index = 0
        while made < self.total:
            kind = self.random.choices(kinds, weights)[0]
            event = self.make(kind, self.dated(index))
            index += 1
            if event is not None:
                made += 1
                yield event

    def make(self, kind: str, day: str) -> dict[str, Any] | None:
        r = self.random
        state = r.choice(self.states)
        self.counter += 1
        n = self.counter
        cls = (
            "confidential"
            if r.random() < 0.03
            else ("restricted" if r.random() < 0.1 else "public")
        )
        cited = r.sample(range(1, 67), r.randint(0, 2))
        base = {
            "occurred_on": day,
            "classification": cls,
            # Nothing before the Assembly adopted them can advance the recommendations.
            "recommendations": cited if day >= ADOPTED.isoformat() else [],
        }
        if kind == "workshop":
            return {
                **base,
                "type": "WorkshopHeld",
                "title": f"Seminar {n}",
                "organiser": r.choice(self.parties),
                "host": state,
                "participants": r.sample(self.states, r.randint(1, 8)),
                "attendees": r.randint(5, 120),
                "topics": r.sample(
                    [
                        "implementing_legislation",
                        "arrest_and_surrender",
                        "freezing_of_assets",
                        "witness_protection",
                    ],
                    r.randint(1, 2),
                ),
            }
        if kind == "statement":
            return {
                **base,
                "type": "StatementDelivered",
                "speaker": state,
                "forum": r.choice(["general_assembly", "security_council", "bilateral"]),
                "topic": r.choice(["general_support", "arrest_and_surrender", "cooperation"]),
            }
        if kind == "visit":
            return {
                **base,
                "type": "HighLevelVisit",
                "organ": r.choice(["presidency", "prosecutor", "registry", "assembly"]),
                "host": state,
            }
        if kind == "resolution":
            return {
                **base,
                "type": "ResolutionAdopted",
                "body": r.choice(["UN", "AU", "OAS", "EU"]),
                "symbol": f"RES/{n}",
                "mentions_court": r.random() < 0.7,
            }
        if kind == "technical_assistance":
            return {
                **base,
                "type": "TechnicalAssistanceProvided",
                "provider": state,
                "recipient": r.choice(self.states),
                "topic": r.choice(
                    ["implementing_legislation", "witness_protection", "enforcement"]
                ),
            }
        if kind == "operational_support":
            return {
                **base,
                "type": "OperationalSupportProvided",
                "provider": state,
                "beneficiary": r.choice(["defence", "staff", "suspects"]),
                "kind": r.choice(["transit", "visas", "security"]),
            }
        if kind == "visa":
            return {
                **base,
                "type": "EmergencyVisaIssued",
                "state": state,
                "persons": r.randint(1, 9),
            }
        if kind == "experts":
            return {
                **base,
                "type": "ExpertsRostered",
                "state": state,
                "experts": r.randint(1, 10),
                "field": "forensics",
            }
        if kind == "gratis":
            return {
                **base,
                "type": "GratisPersonnelProvided",
                "state": state,
                "persons": r.randint(1, 3),
                "months": r.randint(1, 12),
            }
        if kind == "assets":
            return {
                **base,
                "type": "AssetsFrozen",
                "state": state,
                "description": "Accounts",
                "warrant": None,
            }
        if kind == "working_group":
            return {
                **base,
                "type": "WorkingGroupEstablished",
                "organisation": r.choice(list(ORGANISATIONS)),
                "mandate": "Cooperation",
            }
        if kind == "agreement":
            ref = f"AG-{n}"
            self.open["agreement"].append((ref, day))
            return {
                **base,
                "type": "AgreementSigned",
                "agreement": ref,
                "kind": r.choice(
                    [
                        "enforcement_of_sentences",
                        "witness_relocation",
                        "interim_release",
                        "cooperation",
                    ]
                ),
                "parties": [state],
                "title": f"Agreement {n}",
            }
        if kind == "request":
            ref = f"RQ-{n}"
            self.open["request"].append((ref, day))
            return {
                **base,
                "type": "AssistanceRequestSent",
                "request": ref,
                "addressee": state,
                "category": r.choice(["evidence", "background_information", "forensics"]),
                "on_behalf_of": r.choice(["prosecution", "defence"]),
            }
        if kind == "warrant":
            ref = f"WR-{n}"
            self.open["warrant"].append((ref, day))
            return {
                **base,
                "type": "ArrestWarrantIssued",
                "warrant": ref,
                "situation": r.choice(["Uganda", "Darfur", "Kenya", "Libya"]),
                "person": f"P{n}",
            }
        if kind == "application":
            ref = f"WP-{n}"
            self.open["application"].append((ref, day))
            return {
                **base,
                "type": "WitnessProtectionApplicationReceived",
                "application": ref,
                "persons": r.randint(1, 20),
            }
        if kind == "legislation":
            return {
                **base,
                "type": "ImplementingLegislationEnacted",
                "state": state,
                "title": f"Act {n}",
                "scope": r.choice(["cooperation", "crimes", "both"]),
            }
        if kind == "focal_point":
            return {**base, "type": "FocalPointDesignated", "state": state, "office": "MFA"}
        if kind == "contact_point":
            return {
                **base,
                "type": "ContactPointDesignated",
                "state": state,
                "location": r.choice(["the_hague", "brussels", "new_york"]),
                "office": "Embassy",
            }
        if kind == "assessment":
            if day < ADOPTED.isoformat():
                return None
            return {
                **base,
                "type": "RecommendationAssessed",
                "recommendation": r.randint(1, 66),
                "status": r.choice(["in_progress", "implemented", "ongoing"]),
                "rationale": "x",
            }
        if kind == "narrative":
            return {
                **base,
                "type": "ReportNarrativeDrafted",
                "year": int(day[:4]),
                "section": r.choice(["I.A", "I.B", "executive_summary"]),
                "text": "Narrative.",
            }
        if kind == "correction" and self.recent:
            target = self.recent.pop(r.randrange(len(self.recent)))
            return {
                **base,
                "classification": "public",
                "recommendations": [],
                "type": "EventCorrected",
                "corrects": target,
                "changes": {"summary": f"Corrected {n}"},
                "reason": "The summary was wrong.",
            }
        if kind == "retraction" and self.recent:
            target = self.recent.pop(r.randrange(len(self.recent)))
            return {
                **base,
                "classification": "public",
                "recommendations": [],
                "type": "EventRetracted",
                "retracts": target,
                "reason": "Recorded twice.",
            }
        if kind in ("action", "action_follow_up", "indicator", "questionnaire", "answer"):
            return self.recommendations_follow_up(kind, base, day) if day >= ADOPTED_ON else None
        return self.follow_up(base, day)

    def recommendations_follow_up(
        self, kind: str, base: dict[str, Any], day: str
    ) -> dict[str, Any] | None:
        """Actions planned, reported on, moved, completed or abandoned; indicators with
        targets; questionnaires to States and their answers."""
        r = self.random
        n = self.counter
        cited = r.sample(range(1, 67), r.randint(1, 3))
        later = (date.fromisoformat(day) + timedelta(days=r.randint(30, 720))).isoformat()
        if kind == "action":
            name = f"ACT-{n}"
            self.actions.append((name, day, later))
            return {
                **base,
                "recommendations": cited,
                "type": "ActionPlanned",
                "action": name,
                "description": f"Action {n}",
                "lead": r.choice(self.parties),
                "responsible": f"Person {n % 40}",
                "due_on": later,
            }
        if kind == "action_follow_up":
            if not self.actions:
                return None
            index = r.randrange(len(self.actions))
            name, last, due = self.actions[index]
            on = max(day, last)
            step = r.random()
            if step < 0.55:
                self.actions[index] = (name, on, due)
                return {
                    **base,
                    "occurred_on": on,
                    "type": "ActionProgressReported",
                    "action": name,
                    "text": "Progress",
                    "percent": r.randint(0, 100),
                }
            if step < 0.65:
                new = (date.fromisoformat(on) + timedelta(days=r.randint(30, 365))).isoformat()
                if new == due:
                    return None
                self.actions[index] = (name, on, new)
                return {
                    **base,
                    "occurred_on": on,
                    "type": "ActionRescheduled",
                    "action": name,
                    "due_on": new,
                    "reason": "Later",
                }
            self.actions.pop(index)
            if step < 0.93:
                return {
                    **base,
                    "occurred_on": on,
                    "type": "ActionCompleted",
                    "action": name,
                    "evidence": [],
                    "documents": [f"DOC/{n}"],
                }
            return {
                **base,
                "occurred_on": on,
                "type": "ActionAbandoned",
                "action": name,
                "reason": "Given up",
            }
        if kind == "indicator":
            return {
                **base,
                "type": "IndicatorDefined",
                "indicator": f"IND-{n}",
                "recommendation": r.randint(1, 66),
                "description": f"Indicator {n}",
                **r.choice(INDICATOR_SOURCES),
                "baseline": r.randint(0, 10),
                "baseline_on": f"{day[:4]}-01-01",  # a year's baseline, as is usual
                "target": r.randint(5, 50),
                "target_on": later,
            }
        if kind == "questionnaire":
            name = f"Q-{n}"
            states = r.sample(self.states, r.randint(3, 30))
            self.questionnaires.append((name, day, list(states), cited))
            return {
                **base,
                "type": "QuestionnaireSent",
                "questionnaire": name,
                "title": f"Questionnaire {n}",
                "states": states,
                "asked": cited,
                "due_on": later,
            }
        if not self.questionnaires:
            return None
        index = r.randrange(len(self.questionnaires))
        name, sent, waiting, asked = self.questionnaires[index]
        state = waiting.pop(r.randrange(len(waiting)))
        if not waiting:
            self.questionnaires.pop(index)
        return {
            **base,
            "occurred_on": max(day, sent),
            "type": "QuestionnaireAnswered",
            "questionnaire": name,
            "state": state,
            "answers": [
                {"recommendation": number, "status": r.choice(ANSWERS), "text": "Answer"}
                for number in asked
            ],
        }

    def follow_up(self, base: dict[str, Any], day: str) -> dict[str, Any] | None:
        r = self.random
        kind = r.choice(["agreement", "request", "request", "warrant", "arrested", "application"])
        pending = self.open[kind]
        if not pending:
            return None
        ref, since = pending.pop(r.randrange(len(pending)))
        if day <= since:
            # A follow-up drawn before its lifecycle began (a lifecycle dated in the
            # focus year, a follow-up on the years' course) comes some weeks after it,
            # not on the same day (which made half the focus year's requests answered
            # the day they were sent: a median of 0 days).
            later = date.fromisoformat(since) + timedelta(days=r.randint(3, 120))
            day = min(later, date(LAST_YEAR, 12, 31)).isoformat()
        base = {**base, "classification": "public", "occurred_on": day}
        if kind == "agreement":
            return {**base, "type": "AgreementEnteredIntoForce", "agreement": ref}
        if kind == "request":
            return {
                **base,
                "type": "AssistanceRequestAnswered",
                "request": ref,
                "outcome": r.choice(["granted", "partially_granted", "refused"]),
            }
        if kind == "warrant":
            self.open["arrested"].append((ref, day))
            return {
                **base,
                "type": "ArrestFacilitated",
                "warrant": ref,
                "arresting_state": r.choice(self.states),
                "assisted_by": [],
            }
        if kind == "arrested":
            return {
                **base,
                "type": "SurrenderCompleted",
                "warrant": ref,
                "surrendering_state": r.choice(self.states),
                "transit_states": [],
            }
        return {
            **base,
            "type": "WitnessRelocated",
            "application": ref,
            "state": r.choice(self.states),
            "persons": r.randint(1, 5),
        }

    def remember(self, event_id: str, type_name: str) -> None:
        """Standalone events recorded recently may be corrected or retracted later."""
        if type_name in (
            "WorkshopHeld",
            "StatementDelivered",
            "HighLevelVisit",
            "EmergencyVisaIssued",
        ):
            self.recent.append(event_id)
            if len(self.recent) > 5000:
                self.recent.pop(0)


class Drafting:
    """Turns the history's events into Drafts. The history makes only valid events,
    so most are drafted directly (validation is half the cost of building a big log,
    and what the benchmarks measure comes after it); the first `first` of each type
    and every `every`-th are validated by the catalogue as a client's would be, and
    must give the same Draft — else that type is validated from then on."""

    def __init__(self, app: FollowUp, *, first: int = 25, every: int = 50) -> None:
        self.app = app
        self.first = first
        self.every = every
        self.seen: dict[str, int] = {}
        self.validated = 0
        self.always: set[str] = set()

    def __call__(self, raw: dict[str, Any]) -> Draft:
        name = raw["type"]
        seen = self.seen[name] = self.seen.get(name, 0) + 1
        if name in self.always:
            return self.app.validate(raw)
        direct = Draft(
            type=name,
            occurred_on=date.fromisoformat(raw["occurred_on"]),
            payload={k: raw[k] for k in sorted(raw) if k not in ENVELOPE_FIELDS},
            summary=raw.get("summary"),
            recommendations=tuple(raw.get("recommendations", ())),
            sources=tuple(raw.get("sources", ())),
            classification=raw.get("classification", "public"),
        )
        if seen <= self.first or seen % self.every == 0:
            self.validated += 1
            checked = self.app.validate(raw)
            if checked != direct:
                self.always.add(name)
                return checked
        return direct


def record(
    app: FollowUp,
    history: History,
    events: Iterator[dict[str, Any]],
    count: int | None = None,
    *,
    batch: int = 1000,
    drafting: Drafting | None = None,
) -> int:
    """Record the next `count` events of a history's stream (all when None), `batch`
    per transaction, with the same lifecycle checks, chain and ids as any recording
    (`drafting`: the validation shortcut above; None validates every event); returns
    how many were recorded."""
    draft = drafting or app.validate
    pending: list[Any] = []
    recorded = 0

    def flush() -> None:
        nonlocal recorded
        for event in app.record_batch(pending, "bench", None):
            history.remember(str(event.id), event.type)
        recorded += len(pending)
        pending.clear()

    for raw in events:
        pending.append(draft(raw))
        if len(pending) >= batch:
            flush()
        if count is not None and recorded + len(pending) >= count:
            break
    if pending:
        flush()
    return recorded


def build(
    app: FollowUp,
    total: int,
    *,
    seed: int = 7,
    batch: int = 1000,
    focus_year: int | None = None,
    focus_share: float = 0.0,
    validate_all: bool = False,
) -> int:
    """Record a history of `total` events into `app` (`focus_share` of them dated in
    `focus_year`, if given); `validate_all` validates every event (else Drafting)."""
    history = History(total, seed, focus_year=focus_year, focus_share=focus_share)
    drafting = None if validate_all else Drafting(app)
    return record(app, history, history.events(), batch=batch, drafting=drafting)
