"""A varied log for store tests: every catalogue type, extra events, batches of
several sizes (several events sharing one transaction time), corrections."""

from __future__ import annotations

import random
from typing import Any

from core.application import FollowUp
from core.envelope import Event
from tests.samples import every_type

FORUMS = ["general_assembly", "security_council", "regional_organisation", "bilateral"]
SPEAKERS = ["FRA", "NLD", "DEU", "KEN", "UGA", "BEL"]


def extra_events(count: int, seed: int = 0) -> list[dict[str, Any]]:
    """Events of types without lifecycle rules, so any number of them can be recorded."""
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    for n in range(count):
        if n % 2:
            events.append(
                {
                    "type": "StatementDelivered",
                    "occurred_on": f"20{rng.randint(10, 20)}-0{rng.randint(1, 9)}-1{n % 10}",
                    "speaker": rng.choice(SPEAKERS),
                    "forum": rng.choice(FORUMS),
                    "topic": "cooperation",
                    "summary": f"Statement {n}: « coopération » {'é' * rng.randint(0, 3)}",
                    "recommendations": sorted(rng.sample(range(1, 67), rng.randint(0, 3))),
                }
            )
        else:
            events.append(
                {
                    "type": "WorkshopHeld",
                    "occurred_on": f"20{rng.randint(10, 20)}-1{rng.randint(0, 2)}-0{1 + n % 9}",
                    "title": f"Workshop {n} on cooperation",
                    "organiser": "ICC",
                    "host": rng.choice(SPEAKERS),
                    "participants": sorted(rng.sample(SPEAKERS, 2)),
                    "attendees": rng.randint(0, 90),
                    "topics": ["arrest_and_surrender", "witness_protection"][: rng.randint(0, 2)],
                    "classification": rng.choice(["public", "restricted", "confidential"]),
                }
            )
    return events


def fill(app: FollowUp, extra: int = 40, seed: int = 0) -> list[Event]:
    """Record every sample type and `extra` more events, in batches of 1 to 5, then a
    correction of one of them; return what was recorded, in log order."""
    rng = random.Random(seed)
    raws = every_type() + extra_events(extra, seed)
    recorded: list[Event] = []
    index = 0
    while index < len(raws):
        size = rng.randint(1, 5)
        batch = raws[index : index + size]
        recorded += app.record_batch([app.validate(e) for e in batch], "tester", None)
        index += size
    workshop = next(e for e in recorded if e.type == "WorkshopHeld")
    recorded.append(
        app.record_raw(
            {
                "type": "EventCorrected",
                "reason": "The figure was wrong.",
                "occurred_on": "2020-01-01",
                "corrects": str(workshop.id),
                "changes": {"attendees": 12, "title": "Workshop, corrected"},
            },
            "tester",
            None,
        )
    )
    return recorded
