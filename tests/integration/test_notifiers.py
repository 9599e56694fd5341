"""The SMTP and webhook notifiers against real servers on loopback: what arrives, the
signature a receiver can check, bounded retries with exponential backoff, and secrets
that come from the environment only and never show in logs."""

from __future__ import annotations

import logging
import time

import pytest

from adapters.webhook_notifier import verify_signature
from core.config import load_config
from core.notifying import (
    Attachment,
    ConfigError,
    Notice,
    Target,
    build_targets,
    deliver,
)
from followup.bootstrap import bootstrap
from tests.receivers import free_port, smtp_server, webhook_receiver

# The test relay takes a login over plain text: it listens on loopback only.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

SECRET = "s3cr3t-shared-with-the-receiver"
PASSWORD = "p4ssw0rd-of-the-relay"

NOTICE = Notice(
    job="annual_report",
    subject="Annual report 2025 (draft)",
    text="The draft of the annual report for 2025 is attached.",
    key="annual_report@2026-01-15T06:00:00Z",
    data={"year": 2025, "figures": {"agreements.all.signed": {"value": 3, "events": 3}}},
    attachments=(Attachment("report-2025.json", "application/json", b'{"year": 2025}'),),
)


@pytest.fixture(scope="module")
def available():
    services = bootstrap("memory://", load_entry_points=False)
    yield services.notifier_kinds
    services.close()


def targets(available, notifiers, environ=None) -> list[Target]:
    return list(build_targets(notifiers, available, environ or {}).values())


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_an_email_with_its_attachment_reaches_a_real_smtp_server(available):
    with smtp_server() as box:
        config = {
            "bureau": {
                "kind": "smtp",
                "host": "127.0.0.1",
                "port": box.port,
                "security": "none",
                "from": "followup@example.org",
                "to": ["bureau@example.org", "focal-point@example.org"],
            }
        }
        [outcome] = deliver(NOTICE, targets(available, config))
        assert outcome.delivered and outcome.attempts == 1
        [message] = box.messages
    assert box.envelopes == [
        ("followup@example.org", ["bureau@example.org", "focal-point@example.org"])
    ]
    assert message["Subject"] == "[followup] Annual report 2025 (draft)"
    assert message["X-Followup-Delivery"] == NOTICE.key
    assert NOTICE.text in message.get_body(("plain",)).get_content()
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "report-2025.json"
    assert attached.get_content() == b'{"year": 2025}'


def test_smtp_login_uses_the_password_from_the_environment_only(available, caplog):
    config = {
        "bureau": {
            "kind": "smtp",
            "host": "127.0.0.1",
            "security": "none",
            "username": "followup",
            "password_env": "TEST_SMTP_PASSWORD",
            "from": "followup@example.org",
            "to": "bureau@example.org",
        }
    }
    caplog.set_level(logging.DEBUG)
    with smtp_server(password=PASSWORD) as box:
        config["bureau"]["port"] = box.port
        [ok] = deliver(NOTICE, targets(available, config, {"TEST_SMTP_PASSWORD": PASSWORD}))
        wrong = targets(available, config, {"TEST_SMTP_PASSWORD": "not-it"})
        sleeps = Sleeps()
        [refused] = deliver(NOTICE, wrong, sleep=sleeps)
    assert ok.delivered and box.logins == ["followup"] and len(box.messages) == 1
    # A refused login will not get better: no retries, and nothing sent.
    assert not refused.delivered and refused.attempts == 1 and sleeps == []
    assert "refused the login" in (refused.error or "")
    assert "NOT delivered to bureau" in caplog.text
    assert PASSWORD not in caplog.text and "not-it" not in caplog.text
    assert PASSWORD not in repr(wrong[0].notifier)


def test_a_webhook_is_signed_so_that_the_receiver_can_check_it(available):
    with webhook_receiver(SECRET.encode()) as hook:
        config = {"dashboard": {"kind": "webhook", "url": hook.url, "secret_env": "HOOK_SECRET"}}
        [outcome] = deliver(NOTICE, targets(available, config, {"HOOK_SECRET": SECRET}))
    assert outcome.delivered
    assert hook.verified == [True]
    [request] = hook.requests
    body = request["body"]
    assert body["job"] == "annual_report" and body["key"] == NOTICE.key
    assert body["data"] == NOTICE.data
    assert body["attachments"][0]["filename"] == "report-2025.json"
    headers = request["headers"]
    assert headers["X-Followup-Delivery"] == NOTICE.key
    # The signature covers the timestamp and every byte of the body.
    raw, timestamp = request["raw"], headers["X-Followup-Timestamp"]
    signed = headers["X-Followup-Signature"]
    assert verify_signature(SECRET.encode(), timestamp, raw, signed)
    assert not verify_signature(SECRET.encode(), timestamp, raw.replace(b"2025", b"2024"), signed)
    assert not verify_signature(SECRET.encode(), str(int(timestamp) + 1), raw, signed)
    assert not verify_signature(b"another secret", timestamp, raw, signed)
    assert not verify_signature(SECRET.encode(), timestamp, raw, signed, now=time.time() + 3600)


def test_a_failing_receiver_is_retried_with_exponential_backoff(available):
    with webhook_receiver(SECRET.encode()) as hook:
        hook.answers = [503, 500]
        config = {
            "dashboard": {
                "kind": "webhook",
                "url": hook.url,
                "secret_env": "HOOK_SECRET",
                "retries": 3,
                "backoff_seconds": 0.05,
            }
        }
        [outcome] = deliver(NOTICE, targets(available, config, {"HOOK_SECRET": SECRET}))
    assert outcome.delivered and outcome.attempts == 3
    assert hook.verified == [True, True, True]
    # Every retry carries the same delivery key, and waited about twice as long as the last.
    assert {r["headers"]["X-Followup-Delivery"] for r in hook.requests} == {NOTICE.key}
    first_wait, second_wait = hook.times[1] - hook.times[0], hook.times[2] - hook.times[1]
    assert first_wait >= 0.05 and second_wait >= 0.1


def test_a_refusal_is_not_retried_and_retries_are_bounded(available):
    sleeps = Sleeps()
    with webhook_receiver(SECRET.encode()) as hook:
        hook.answers = [401]
        config = {"dashboard": {"kind": "webhook", "url": hook.url, "secret_env": "S"}}
        [refused] = deliver(NOTICE, targets(available, config, {"S": SECRET}), sleep=sleeps)
        hook.answers = [500] * 10
        config["dashboard"].update(retries=4, backoff_seconds=1, max_backoff_seconds=5)
        [given_up] = deliver(NOTICE, targets(available, config, {"S": SECRET}), sleep=sleeps)
    assert not refused.delivered and refused.attempts == 1
    assert "HTTP 401" in (refused.error or "")
    assert not given_up.delivered and given_up.attempts == 5
    assert sleeps == [1, 2, 4, 5]


def test_an_unreachable_receiver_fails_fast_and_logs_no_secret(available, caplog):
    caplog.set_level(logging.INFO)
    url = f"http://127.0.0.1:{free_port()}/hook?token=url-token"
    config = {
        "dashboard": {
            "kind": "webhook",
            "url": url,
            "secret_env": "S",
            "retries": 2,
            "backoff_seconds": 0.01,
        }
    }
    started = time.monotonic()
    [outcome] = deliver(NOTICE, targets(available, config, {"S": SECRET}))
    assert time.monotonic() - started < 5
    assert not outcome.delivered and outcome.attempts == 3
    assert "cannot be reached" in (outcome.error or "")
    assert "NOT delivered to dashboard after 3 attempts" in caplog.text
    assert SECRET not in caplog.text and "url-token" not in caplog.text


@pytest.mark.parametrize(
    ("notifier", "message"),
    [
        ({"kind": "pigeon"}, "notifiers.n.kind: 'pigeon' is not a notifier kind"),
        ({"kind": "webhook", "url": "http://h/x", "secret": "x"}, "secrets never go in"),
        ({"kind": "smtp", "host": "h", "password": "x"}, "secrets never go in"),
        ({"kind": "webhook", "url": "http://h/x", "secret_env": "UNSET"}, "UNSET (secret)"),
        ({"kind": "webhook", "url": "ftp://h/x", "secret_env": "S"}, "notifiers.n.url"),
        ({"kind": "webhook", "url": "http://h/x", "secret_env": "S", "retries": 99}, "retries"),
        ({"kind": "webhook", "url": "http://h/x", "secret_env": "S", "colour": 1}, "colour"),
        ({"kind": "smtp", "host": "h", "from": "a@b", "to": []}, "notifiers.n.to"),
        (
            {"kind": "smtp", "host": "h", "from": "a@b", "to": "c@d", "username": "u"},
            "password_env must name",
        ),
        ({"kind": "smtp", "host": "h", "security": "tls?", "from": "a@b", "to": "c@d"}, "security"),
    ],
)
def test_configuration_mistakes_are_named(available, notifier, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_targets({"n": notifier}, available, {"S": "x"})


def test_the_configuration_comes_from_a_file_or_the_environment(tmp_path):
    toml = tmp_path / "followup.toml"
    toml.write_text(
        'timezone = "Europe/Amsterdam"\n'
        "[notifiers.bureau]\n"
        'kind = "smtp"\nhost = "mail.example.org"\n'
        "[jobs.request_reminders]\n"
        'days = 45\nnotify = ["bureau"]\n',
        encoding="utf-8",
    )
    config = load_config(str(toml))
    assert config.timezone == "Europe/Amsterdam"
    assert config.notifiers["bureau"]["host"] == "mail.example.org"
    assert config.jobs["request_reminders"] == {"days": 45, "notify": ["bureau"]}
    inline = load_config(environ={"FOLLOWUP_CONFIG": '{"jobs": {"digest": {"notify": []}}}'})
    assert inline.jobs == {"digest": {"notify": []}}
    assert load_config(environ={}).source == "defaults"
    for bad, message in [
        ("colour = 1\n", "colour is not a setting"),
        ("jobs = 3\n", "jobs is a table of tables"),
        ("[jobs\n", "followup.toml"),
    ]:
        toml.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_config(str(toml))
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(str(tmp_path / "missing.toml"))


def test_a_notifier_that_breaks_does_not_stop_the_others(available):
    class Broken:
        def send(self, notice):
            raise RuntimeError("a bug in a plugin's notifier")

    with webhook_receiver(SECRET.encode()) as hook:
        config = {"dashboard": {"kind": "webhook", "url": hook.url, "secret_env": "S"}}
        working = targets(available, config, {"S": SECRET})
        broken, delivered = deliver(NOTICE, [Target("broken", Broken()), *working])
    assert not broken.delivered and "RuntimeError" in (broken.error or "")
    assert delivered.delivered and hook.verified == [True]
