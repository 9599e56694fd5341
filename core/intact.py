"""Nothing is derived from a damaged log. Before a report, a PDF over HTTP or a views
rebuild reads the log up to some position, the hash chain is recomputed up to there:
a damaged position refuses the derivation with an error that names it, and raises the
alarm (an error in the log; the nightly integrity job's notice says it too)."""

from __future__ import annotations

import logging

from core.application import FollowUp
from core.errors import DamagedLog
from core.verification import Verification

log = logging.getLogger("followup.integrity")


def require_intact(app: FollowUp, upto: int | None = None) -> Verification:
    """Recompute the chain; raise DamagedLog if it breaks at or before `upto` (None:
    anywhere). Damage after `upto` does not touch what is derived, but is logged."""
    verdict = app.verify()
    damage = verdict.damage
    if damage is None:
        return verdict
    if upto is None or damage.position <= upto:
        log.error("INTEGRITY FAILURE: refused to derive from the log: damaged at %s", damage)
        raise DamagedLog(damage)
    log.error("INTEGRITY FAILURE: the log is damaged at %s (after position %d)", damage, upto)
    return verdict
