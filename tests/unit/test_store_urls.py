"""postgresql:// URLs become eventsourcing's POSTGRES_* settings; mistakes are named."""

from __future__ import annotations

import pytest

from core.errors import StoreError
from followup.bootstrap import redacted
from plugins.builtin.stores import postgres_environment


def test_every_part_of_the_url_is_used():
    env = postgres_environment("postgresql://ann:p%40ss%3Aword@db.example:6543/follow%20up")
    assert env == {
        "PERSISTENCE_MODULE": "adapters.postgres_store:Factory",
        "POSTGRES_DBNAME": "follow up",
        "POSTGRES_HOST": "db.example",
        "POSTGRES_PORT": "6543",
        "POSTGRES_USER": "ann",
        "POSTGRES_PASSWORD": "p@ss:word",
    }


def test_defaults_socket_and_options():
    env = postgres_environment("postgresql://ann@/db?host=/run/postgresql&schema=fu&lock_timeout=5")
    assert env["POSTGRES_HOST"] == "/run/postgresql"
    assert env["POSTGRES_PORT"] == "5432"
    assert env["POSTGRES_PASSWORD"] == ""
    assert env["POSTGRES_SCHEMA"] == "fu" and env["POSTGRES_LOCK_TIMEOUT"] == "5"


@pytest.mark.parametrize(
    "url, message",
    [
        ("postgresql://ann:pw@host:5432/", "No database"),
        ("postgresql://host:5432/db", "No user"),
        ("postgresql://ann:pw@host:port/db", "port"),
        ("postgresql://ann:pw@host/db?sslmode=require&x=1", "Unknown option"),
    ],
)
def test_mistakes_are_named(url, message):
    with pytest.raises(StoreError, match=message) as caught:
        postgres_environment(url)
    assert "pw" not in str(caught.value)


def test_messages_show_no_password():
    assert redacted("postgresql://ann:secret@host/db") == "postgresql://ann:***@host/db"
    assert redacted("sqlite:///var/followup.sqlite") == "sqlite:///var/followup.sqlite"
