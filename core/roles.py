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
