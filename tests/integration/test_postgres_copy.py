"""The PostgreSQL port sends a plain insert of many rows by COPY (a views page writes
thousands): the rows read back exactly as given, whatever they hold; a failure writes
none of them; anything else (few rows, ON CONFLICT) goes as INSERTs."""

from __future__ import annotations

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

from adapters.sql_postgres import COPY_FROM, PLAIN_INSERT

TABLE = "CREATE TABLE copied (name TEXT PRIMARY KEY, amount BIGINT, refs BYTEA, note TEXT)"
INSERT = "INSERT INTO copied (name, amount, refs, note) VALUES (?,?,?,?)"

#: What COPY's text format escapes or could mangle.
AWKWARD = [
    "tab\there",
    "new\nline",
    "carriage\rreturn",
    "back\\slash \\N",
    "quote ' and \"",
    "Côte d’Ivoire",
    "",
    "\\.",
]


def rows(count: int) -> list[tuple[object, ...]]:
    return [
        (
            f"{i:03} {AWKWARD[i % len(AWKWARD)]}",
            2**62 - i if i % 3 else -i,
            bytes([0, 255, i % 256, 10, 92]) if i % 4 else None,
            None if i % 5 == 0 else AWKWARD[(i + 3) % len(AWKWARD)],
        )
        for i in range(count)
    ]


@pytest.fixture
def copies(monkeypatch):
    """The COPY statements psycopg is asked to run."""
    made: list[str] = []
    original = psycopg.Cursor.copy

    def copy(self, statement, *args, **kwargs):
        made.append(str(statement))
        return original(self, statement, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "copy", copy)
    return made


def written(sql, statement: str, given: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    with sql.transaction(write=True) as c:
        c.execute(TABLE)
        c.executemany(statement, given)
    with sql.transaction(write=False) as c:
        c.execute("SELECT name, amount, refs, note FROM copied ORDER BY name")
        return [
            (name, amount, bytes(refs) if refs is not None else None, note)
            for name, amount, refs, note in c.fetchrows()
        ]


def test_many_rows_go_by_copy_and_read_back_as_given(postgres_services, copies):
    given = rows(3 * COPY_FROM)
    assert written(postgres_services.sql, INSERT, given) == sorted(given)
    assert copies == ["COPY copied (name, amount, refs, note) FROM STDIN"]


def test_a_copy_that_fails_writes_none_of_its_rows(postgres_services, copies):
    sql = postgres_services.sql
    given = rows(2 * COPY_FROM)
    with sql.transaction(write=True) as c:
        c.execute(TABLE)
    with pytest.raises(IntegrityError), sql.transaction(write=True) as c:
        c.executemany(INSERT, [*given, given[0]])  # the last one's key is taken
    with sql.transaction(write=False) as c:
        c.execute("SELECT COUNT(*) AS n FROM copied")
        assert c.fetchone() == {"n": 0}
    assert len(copies) == 1


@pytest.mark.parametrize(
    ("statement", "count"),
    [
        (INSERT, COPY_FROM - 1),
        (INSERT + " ON CONFLICT DO NOTHING", 3 * COPY_FROM),
    ],
)
def test_other_inserts_go_as_they_are(postgres_services, copies, statement, count):
    given = rows(count)
    assert PLAIN_INSERT.fullmatch(statement) is None or count < COPY_FROM
    assert written(postgres_services.sql, statement, given) == sorted(given)
    assert copies == []
