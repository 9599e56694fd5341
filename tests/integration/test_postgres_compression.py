"""On PostgreSQL the views' documents (items, checkpoints' sums) are compressed by lz4,
not by the server's default pglz, which took most of the time of writing them; a store
made before has its columns set when it is opened."""

from __future__ import annotations

from core.views.tables import DOCUMENTS
from followup.bootstrap import bootstrap
from tests.integration.test_projection import with_every_type


def compression(services) -> dict[tuple[str, str], str]:
    """The compression method of each documents' column ('' for the server's default)."""
    with services.sql.transaction(write=False) as c:
        c.execute(
            "SELECT attrelid::regclass::text, attname, attcompression::text FROM pg_attribute "
            "WHERE attrelid IN ('view_items'::regclass, 'view_checkpoints'::regclass) "
            "AND attnum > 0 AND NOT attisdropped"
        )
        found = {(table, column): method for table, column, method in c.fetchrows()}
    return {(t, col): found[(t, col)] for t, columns in DOCUMENTS.items() for col in columns}


def offered(services) -> bool:
    with services.sql.transaction(write=False) as c:
        c.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        return bool(c.fetchrows()[0][0])


def test_the_views_documents_are_compressed_by_lz4(postgres_url):
    services = with_every_type(postgres_url)
    projection = services.views.projection  # made with its tables
    assert offered(services)  # Debian's PostgreSQL, which the test run starts, has it
    assert set(compression(services).values()) == {"l"}
    projection.catch_up()
    with services.sql.transaction(write=False) as c:
        c.execute(
            "SELECT pg_column_compression(data) FROM view_items "
            "WHERE pg_column_compression(data) IS NOT NULL"
        )
        compressed = {method for (method,) in c.fetchrows()}
    services.close()
    assert compressed == {"lz4"}  # a big item (the States' records) is compressed


def test_a_store_made_before_has_its_documents_compressed_by_lz4(postgres_url):
    services = with_every_type(postgres_url)
    services.views.projection.catch_up()
    with services.sql.transaction(write=True) as c:
        for table, columns in DOCUMENTS.items():
            for column in columns:
                c.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION pglz")
    assert set(compression(services).values()) == {"p"}
    services.close()
    again = bootstrap(postgres_url, load_entry_points=False)
    assert again.views.projection.position() > 0  # the same views, opened again
    assert set(compression(again).values()) == {"l"}
    again.close()
