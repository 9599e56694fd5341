"""What an auditor needs to check followup's log from what they kept, with nothing of
followup itself: ``auditor/tlog.py`` (Python and the ``cryptography`` package only)."""
