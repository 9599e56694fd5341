"""Errors of the report: a user's mistake, said in a sentence (the CLI prints it, the
API answers 400)."""

from __future__ import annotations

from core.errors import FollowupError


class ReportError(FollowupError):
    """The report cannot be produced or read as asked (bad settings, an empty log, a
    file that is not one of our reports)."""
