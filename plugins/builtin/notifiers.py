"""Built-in notifier adapters: SMTP email and signed webhooks (scheduled jobs' output)."""

from __future__ import annotations

from adapters import smtp_notifier, webhook_notifier
from core.notifying import NotifierKind
from plugins import hookimpl


@hookimpl
def followup_notifiers() -> list[NotifierKind]:
    return [smtp_notifier.KIND, webhook_notifier.KIND]
