"""The roles a token carries (DESIGN.md §1): who records, who reads, who manages tokens.
The command line is the operator's (role None), who holds the store itself."""

from __future__ import annotations

FOCAL_POINT = "focal_point"
BUREAU = "bureau"
AUDITOR = "auditor"
ADMIN = "admin"

ROLES = (FOCAL_POINT, BUREAU, AUDITOR, ADMIN)

#: Roles that may record events at all (each event type says which of them may write it).
RECORDERS = frozenset({FOCAL_POINT, BUREAU})
#: Roles that may read the log (each sees what its clearance allows: core.visibility).
READERS = frozenset({FOCAL_POINT, BUREAU, AUDITOR})

#: Labels the system records under (`recorded_by` of imports, of the operator's token
#: commands, of the scheduler's runs). No token may carry one: a focal point sees the
#: confidential events recorded under its own label, so a token with one of these
#: would see what the system recorded.
SYSTEM_LABELS = frozenset({"import", "operator", "scheduler", "system"})


def is_system_label(label: str) -> bool:
    return label.strip().lower() in SYSTEM_LABELS
