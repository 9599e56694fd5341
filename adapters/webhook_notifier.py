"""Signed webhooks: a notice POSTed as JSON to a URL, signed with a secret shared with
the receiver, so the receiver can tell it came from us and was not replayed later.

Headers of every request:

- ``X-Followup-Timestamp``: seconds since 1970 (UTC) when the request was signed;
- ``X-Followup-Signature``: ``sha256=`` and the hex HMAC-SHA256, keyed with the shared
  secret, of the timestamp, a full stop, and the raw body:
  ``HMAC(secret, timestamp + "." + body)``;
- ``X-Followup-Delivery``: the notice's key (the same for retries: drop duplicates);
- ``X-Followup-Job``: the job that produced it.

A receiver recomputes the signature over the raw body it got, compares in constant time
and refuses a timestamp more than a few minutes old (``verify_signature``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import orjson

from core.notifying import ConfigError, Notice, NotifierKind, NotifyError, secret

SIGNATURE_HEADER = "X-Followup-Signature"
TIMESTAMP_HEADER = "X-Followup-Timestamp"
DELIVERY_HEADER = "X-Followup-Delivery"
JOB_HEADER = "X-Followup-Job"
#: A receiver should refuse a signature older than this (seconds).
TOLERANCE = 300
#: Statuses worth trying again: the receiver is busy, down or timed out.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def signature(key: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_signature(
    key: bytes,
    timestamp: str,
    body: bytes,
    signed: str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE,
) -> bool:
    """For receivers: the signature matches and the timestamp is recent."""
    try:
        age = (time.time() if now is None else now) - int(timestamp)
    except ValueError:
        return False
    if abs(age) > tolerance:
        return False
    return hmac.compare_digest(signature(key, timestamp, body), signed)


def body_of(notice: Notice) -> bytes:
    return orjson.dumps(
        {
            "job": notice.job,
            "key": notice.key,
            "subject": notice.subject,
            "text": notice.text,
            "data": notice.data,
            "attachments": [
                {
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "sha256": hashlib.sha256(a.data).hexdigest(),
                    "content_base64": base64.b64encode(a.data).decode("ascii"),
                }
                for a in notice.attachments
            ],
        }
    )


class WebhookNotifier:
    def __init__(
        self,
        url: str,
        key: bytes,
        *,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self._key = key
        self.timeout = timeout
        self.clock = clock

    def __repr__(self) -> str:  # never the secret, nor the URL (it may hold a token)
        return "WebhookNotifier()"

    def send(self, notice: Notice) -> None:
        body = body_of(notice)
        timestamp = str(int(self.clock()))
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked: http(s))
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "followup-webhook",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: signature(self._key, timestamp, body),
                DELIVERY_HEADER: notice.key,
                JOB_HEADER: notice.job,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                response.read(1024)
        except urllib.error.HTTPError as error:
            raise NotifyError(
                f"the receiver answered HTTP {error.code}", retry=error.code in RETRY_STATUSES
            ) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise NotifyError(f"the receiver cannot be reached ({reason})") from None


OPTIONS = frozenset({"url", "secret_env", "timeout_seconds"})


def build(where: str, options: Mapping[str, Any], environ: Mapping[str, str]) -> WebhookNotifier:
    unknown = sorted(set(options) - OPTIONS)
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: not an option of a webhook notifier")
    url = options.get("url")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise ConfigError(f"{where}.url: an http:// or https:// URL")
    if not urlsplit(url).hostname:
        raise ConfigError(f"{where}.url: the URL names no host")
    timeout = options.get("timeout_seconds", 10)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= 300:
        raise ConfigError(f"{where}.timeout_seconds: a number of seconds up to 300")
    key = secret(where, options, "secret", environ).encode("utf-8")
    return WebhookNotifier(url, key, timeout=float(timeout))


KIND = NotifierKind(
    "webhook",
    "POST the notice as JSON to a URL, signed with HMAC-SHA256 (X-Followup-Signature).",
    build,
)
