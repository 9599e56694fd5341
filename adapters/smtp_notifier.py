"""Email over SMTP: a notice as a plain-text message, with its attachments (the annual
report draft...). STARTTLS or implicit TLS unless the configuration says the relay is
local (``security = "none"``); the password, if any, comes from the environment."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from core.notifying import ConfigError, Notice, NotifierKind, NotifyError, secret

SECURITY = ("starttls", "ssl", "none")
SUBJECT_PREFIX = "[followup] "


def message_of(notice: Notice, sender: str, recipients: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = SUBJECT_PREFIX + notice.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="followup.invalid")
    message["X-Followup-Delivery"] = notice.key
    message["X-Followup-Job"] = notice.job
    message.set_content(notice.text)
    for attachment in notice.attachments:
        main, _, sub = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data,
            maintype=main,
            subtype=sub or "octet-stream",
            filename=attachment.filename,
        )
    return message


class SmtpNotifier:
    #: A notice with recipients (a personal reminder) goes to them, not to `to`.
    writes_to_persons = True

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: list[str],
        *,
        security: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.recipients = recipients
        self.security = security
        self.username = username
        self._password = password
        self.timeout = timeout

    def __repr__(self) -> str:  # never the password
        return f"SmtpNotifier({self.host}:{self.port})"

    def send(self, notice: Notice) -> None:
        recipients = list(notice.recipients) or self.recipients
        message = message_of(notice, self.sender, recipients)
        try:
            client: smtplib.SMTP
            if self.security == "ssl":
                context = ssl.create_default_context()
                client = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.username is not None and self._password is not None:
                    client.login(self.username, self._password)
                client.send_message(message, self.sender, recipients)
        except smtplib.SMTPAuthenticationError as error:
            raise NotifyError(
                f"the mail server refused the login ({error.smtp_code})", retry=False
            ) from None
        except smtplib.SMTPResponseException as error:
            # 4xx: try again later; 5xx: a refusal that will not change.
            raise NotifyError(
                f"the mail server answered {error.smtp_code}", retry=400 <= error.smtp_code < 500
            ) from None
        except smtplib.SMTPRecipientsRefused:
            raise NotifyError("the mail server refused every recipient", retry=False) from None
        except (smtplib.SMTPException, OSError) as error:
            raise NotifyError(f"the mail server cannot be reached ({error})") from None


OPTIONS = frozenset(
    {"host", "port", "security", "username", "password_env", "from", "to", "timeout_seconds"}
)


def build(where: str, options: Mapping[str, Any], environ: Mapping[str, str]) -> SmtpNotifier:
    unknown = sorted(set(options) - OPTIONS)
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: not an option of an smtp notifier")
    host = options.get("host")
    if not isinstance(host, str) or not host:
        raise ConfigError(f"{where}.host: the mail server's host name")
    security = options.get("security", "starttls")
    if security not in SECURITY:
        raise ConfigError(f"{where}.security: one of {', '.join(SECURITY)}")
    port = options.get("port", {"ssl": 465, "starttls": 587, "none": 25}[security])
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ConfigError(f"{where}.port: a port number")
    sender = options.get("from")
    if not isinstance(sender, str) or "@" not in sender:
        raise ConfigError(f"{where}.from: the sender's address")
    recipients = options.get("to")
    if isinstance(recipients, str):
        recipients = [recipients]
    if (
        not isinstance(recipients, list)
        or not recipients
        or not all(isinstance(r, str) and "@" in r for r in recipients)
    ):
        raise ConfigError(f"{where}.to: one address or a list of addresses")
    username = options.get("username")
    if username is not None and not isinstance(username, str):
        raise ConfigError(f"{where}.username: text")
    password = secret(where, options, "password", environ) if username is not None else None
    timeout = options.get("timeout_seconds", 30)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= 300:
        raise ConfigError(f"{where}.timeout_seconds: a number of seconds up to 300")
    return SmtpNotifier(
        host,
        port,
        sender,
        list(recipients),
        security=security,
        username=username,
        password=password,
        timeout=float(timeout),
    )


KIND = NotifierKind("smtp", "Email the notice (and its attachments) through an SMTP server.", build)
