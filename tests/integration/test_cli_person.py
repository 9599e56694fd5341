"""`followup person`: open an account (the second factor printed once), list, reset,
disable and enable; the changes in the log; the sign-in record verified."""

from __future__ import annotations

import json
import re

import pyotp
from click.testing import CliRunner

from cli import main
from followup.bootstrap import bootstrap


def run(url: str, *args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--database-url", url], input=input)
    return result.exit_code, result.output


def test_an_account_needs_a_store_that_init_created(sqlite_url):
    args = ["person", "create", "--email", "a@example.org", "--name", "A", "--role", "bureau"]
    code, out = run(sqlite_url, *args, "--password-stdin", input="long enough password\n")
    assert code == 1 and "followup init" in out


def test_open_list_reset_disable_enable(sqlite_url):
    assert run(sqlite_url, "init")[0] == 0  # only init creates a store
    code, out = run(
        sqlite_url,
        "person", "create", "--email", "Fp@Example.org", "--name", "Ana Focal",
        "--role", "focal_point", "--password-stdin",
        input="a long enough password\n",
    )  # fmt: skip
    assert code == 0, out
    secret = re.search(r"secret: ([A-Z2-7]{32})", out).group(1)
    assert len(re.findall(r"^  [A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$", out, re.M)) == 10
    code, out = run(sqlite_url, "person", "list", "--json")
    [listed] = json.loads(out)
    assert listed["email"] == "fp@example.org" and listed["role"] == "focal_point"
    assert "secret" not in out and "password" not in out

    services = bootstrap(sqlite_url, load_entry_points=False)
    try:
        accounts = services.accounts
        assert accounts.check_password("fp@example.org", "a long enough password", "t").ok
        assert accounts.check_code("fp@example.org", pyotp.TOTP(secret).now(), "t").ok
    finally:
        services.close()

    code, out = run(sqlite_url, "person", "reset", "fp@example.org", "--second-factor")
    assert code == 0 and "secret:" in out and secret not in out
    assert run(sqlite_url, "person", "disable", "fp@example.org")[0] == 0
    code, out = run(sqlite_url, "person", "disable", "fp@example.org")
    assert code == 1 and "already disabled" in out
    assert run(sqlite_url, "person", "enable", "fp@example.org")[0] == 0

    services = bootstrap(sqlite_url, load_entry_points=False)
    try:
        types = [e.type for e in services.app.read_log()]
        assert types == ["AccountOpened", "AccountReset", "AccountDisabled", "AccountEnabled"]
        assert all(e.classification == "restricted" for e in services.app.read_log())
        text = " ".join(json.dumps(e.to_flat()) for e in services.app.read_log())
        assert secret not in text and "a long enough password" not in text
    finally:
        services.close()
    code, out = run(sqlite_url, "person", "sign-ins", "--verify")
    assert code == 0 and out.startswith("OK 2 sign-in records")


def test_a_weak_password_or_a_second_account_is_refused(sqlite_url):
    assert run(sqlite_url, "init")[0] == 0
    code, out = run(
        sqlite_url,
        "person", "create", "--email", "a@example.org", "--name", "A", "--role", "bureau",
        "--password-stdin", input="short\n",
    )  # fmt: skip
    assert code == 1 and "12 to 1024 characters" in out
    args = ["person", "create", "--email", "a@example.org", "--name", "A", "--role", "bureau"]
    assert run(sqlite_url, *args, "--password-stdin", input="long enough password\n")[0] == 0
    code, out = run(sqlite_url, *args, "--password-stdin", input="long enough password\n")
    assert code == 1 and "already open" in out
