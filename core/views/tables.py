"""The views' tables, kept beside the log in the store's own database.

Every row stands over a range of log positions: from ``from_pos`` (the event that
wrote it) up to ``end_1`` at the RESTRICTED level and ``end_2`` at ALL (END while it
still stands), so the views as of position P at level L are the rows with
``from_pos <= P < end_L``. A row is written once for both levels when both have it
(the many events that are not confidential), and a level that never had a row has
``end_L = from_pos``. ``levels`` says which levels wrote it (1, 2 or 3 = both); it
tells two rows of the same thing apart when the levels disagree.

- ``view_versions``: the versions of the events that were corrected or retracted
  (the original's row is written when a correction or retraction ends it). Every
  other event reads, as a fact, as the log holds it: the log is the views' table of
  facts. ``counts`` holds a version's tally contributions, ``party_codes`` and
  ``recommendations`` what it names.
- ``view_postings``: which events name a party or a recommendation, are of a type, or
  occurred in a month (in any of their versions), as lists of positions in blocks:
  the inverted index that finds facts in the log without an index entry per event.
- ``view_items``: every version of every item of every view; ``shown`` is the item as
  presented on ``last_day``, the last date it mentions, and so on any later date.
- ``view_item_tallies``: the dated counts of item versions (+1 the day an agreement
  entered into force...), a row per count that changed.
- ``view_members``: which events were folded into which item (to refold on corrections).
- ``view_checkpoints``: all tallies summed per month, per family of counters (the
  counter's first word), in full every FULL_EVERY positions and as the change since
  the previous checkpoint every DELTA_EVERY; tallies as of P are the last full
  checkpoint, the changes after it, and the rows that began or ended since. Each row
  also holds each counter's total over every month and the family's last month: a
  tally up to a date after that month (the present, mostly) is its total.
- ``view_tracking``: the last position folded, the log's hash there, and what the
  views were folded with, updated in the same transaction as the rows.
"""

from __future__ import annotations

from typing import Any

import orjson

from core.sql import Cursor

#: ``end_L`` of a row that still stands.
END = 2**62
#: Changes with the layout of the tables, or with what a built-in fold counts (a store
#: folded otherwise is folded again).
LAYOUT = "2026-12-05a"
TRACKING_NAME = "views"

POSTING_KINDS = ("party", "recommendation", "type", "month")

TABLES = (
    "CREATE TABLE IF NOT EXISTS view_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL, "
    "hash TEXT NOT NULL, folds TEXT NOT NULL, layout TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS view_versions ("
    "position BIGINT NOT NULL, from_pos BIGINT NOT NULL, levels INTEGER NOT NULL, "
    "end_1 BIGINT NOT NULL, end_2 BIGINT NOT NULL, type TEXT NOT NULL, "
    "occurred_on TEXT NOT NULL, fact TEXT NOT NULL, counts TEXT NOT NULL, party_codes TEXT, "
    "recommendations TEXT, PRIMARY KEY (position, from_pos, levels))",
    "CREATE INDEX IF NOT EXISTS view_versions_began ON view_versions (from_pos)",
    "CREATE INDEX IF NOT EXISTS view_versions_ended_1 ON view_versions (end_1)",
    "CREATE INDEX IF NOT EXISTS view_versions_ended_2 ON view_versions (end_2)",
    "CREATE TABLE IF NOT EXISTS view_postings (kind TEXT NOT NULL, term TEXT NOT NULL, "
    "block BIGINT NOT NULL, count INTEGER NOT NULL, refs {blob} NOT NULL, "
    "PRIMARY KEY (kind, term, block))",
    "CREATE TABLE IF NOT EXISTS view_items (view TEXT NOT NULL, key TEXT NOT NULL, "
    "from_pos BIGINT NOT NULL, levels INTEGER NOT NULL, end_1 BIGINT NOT NULL, "
    "end_2 BIGINT NOT NULL, last_day TEXT NOT NULL, visible INTEGER NOT NULL, shown TEXT, "
    "data TEXT NOT NULL, PRIMARY KEY (view, key, from_pos, levels))",
    # The items standing now at each level, in key order, with what a first page needs.
    "CREATE INDEX IF NOT EXISTS view_items_now_1 ON view_items "
    f"(view, key, from_pos, last_day, visible) WHERE end_1 = {END}",
    "CREATE INDEX IF NOT EXISTS view_items_now_2 ON view_items "
    f"(view, key, from_pos, last_day, visible) WHERE end_2 = {END}",
    "CREATE TABLE IF NOT EXISTS view_item_tallies (source TEXT NOT NULL, counter TEXT NOT NULL, "
    "day TEXT NOT NULL, from_pos BIGINT NOT NULL, levels INTEGER NOT NULL, "
    "end_1 BIGINT NOT NULL, end_2 BIGINT NOT NULL, amount BIGINT NOT NULL, "
    "PRIMARY KEY (source, counter, day, from_pos, levels))",
    "CREATE INDEX IF NOT EXISTS view_item_tallies_began ON view_item_tallies (from_pos)",
    "CREATE INDEX IF NOT EXISTS view_item_tallies_by_day ON view_item_tallies (day)",
    "CREATE INDEX IF NOT EXISTS view_item_tallies_ended_1 ON view_item_tallies (end_1) "
    f"WHERE end_1 <> {END}",
    "CREATE INDEX IF NOT EXISTS view_item_tallies_ended_2 ON view_item_tallies (end_2) "
    f"WHERE end_2 <> {END}",
    "CREATE TABLE IF NOT EXISTS view_members (view TEXT NOT NULL, key TEXT NOT NULL, "
    "position BIGINT NOT NULL, PRIMARY KEY (view, key, position))",
    "CREATE TABLE IF NOT EXISTS view_checkpoints (level INTEGER NOT NULL, family TEXT NOT NULL, "
    "position BIGINT NOT NULL, whole INTEGER NOT NULL, counters TEXT NOT NULL, "
    "totals TEXT NOT NULL, last_month TEXT NOT NULL, PRIMARY KEY (level, position, family))",
)

#: On SQLite, tables kept as their primary key's B-tree alone (WITHOUT ROWID): one
#: tree to write per row instead of a table and its key's index.
CLUSTERED = ("view_versions", "view_postings", "view_members", "view_item_tallies")

DATA_TABLES = (
    "view_versions",
    "view_postings",
    "view_items",
    "view_item_tallies",
    "view_members",
    "view_checkpoints",
)

#: Tables of earlier layouts, dropped when a store made by an earlier build is opened.
EARLIER_TABLES = (
    "view_facts",
    "view_events",
    "view_event_parties",
    "view_event_recommendations",
    "view_tallies",
    "view_tally_checkpoints",
)


def create_statements(dialect: str) -> list[str]:
    blob = "BLOB" if dialect == "sqlite" else "BYTEA"
    statements = []
    for statement in TABLES:
        statement = statement.replace("{blob}", blob)
        if dialect == "sqlite" and any(f"EXISTS {t} (" in statement for t in CLUSTERED):
            statement += " WITHOUT ROWID"
        statements.append(statement)
    return statements


def _columns(c: Cursor, dialect: str, table: str) -> set[str]:
    if dialect == "sqlite":
        c.execute("SELECT name FROM pragma_table_info(?)", [table])
    else:
        c.execute(
            "SELECT column_name AS name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?",
            [table],
        )
    return {row["name"] for row in c.fetchall()}


def ensure_layout(c: Cursor, dialect: str) -> bool:
    """Create the tables; drop and create them again if they have another layout (a
    store folded by an earlier build). Returns whether they were made anew."""
    row, kept = None, False
    if "layout" in _columns(c, dialect, "view_tracking"):
        c.execute("SELECT layout FROM view_tracking WHERE name = ?", [TRACKING_NAME])
        row = c.fetchone()
        kept = row is None or row["layout"] == LAYOUT
    if not kept:
        for table in (*EARLIER_TABLES, *DATA_TABLES, "view_tracking"):
            c.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in create_statements(dialect):
        c.execute(statement)
    if dialect == "postgresql":
        compress_quickly(c)
    return row is None or not kept


#: Columns holding documents of kilobytes: an item as it stands and as presented, a
#: checkpoint's sums.
DOCUMENTS = {
    "view_items": ("data", "shown"),
    "view_checkpoints": ("counters", "totals", "last_month"),
}


def compress_quickly(c: Cursor) -> None:
    """PostgreSQL: the views' documents compressed by lz4 where the server has it
    (PostgreSQL 14 and later, built with it), not by its default, pglz, which took
    most of the time of writing them (`python -m bench.views --postgres 1000000
    --postgres-import 100000`: the follower 4.88 s rather than 5.26, the replay 31,000
    events/s rather than 26,000-28,000). The columns' setting, for values written after
    it: set once, on a store made before it too."""
    c.execute(
        "SELECT 1 AS offered FROM pg_settings "
        "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
    )
    if c.fetchone() is None:
        return
    # Only a table's owner may change it: a role given rights to write the tables of
    # another leaves them as they are.
    c.execute(
        "SELECT r.relname, a.attname FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid "
        "WHERE a.attrelid IN (to_regclass(?), to_regclass(?)) AND a.attcompression <> 'l' "
        "AND pg_has_role(r.relowner, 'USAGE')",
        list(DOCUMENTS),
    )
    for table, column in c.fetchrows():
        if column in DOCUMENTS[table]:
            c.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def family(counter: str) -> str:
    """The family a counter's monthly sums are kept in: its first word."""
    return counter.split(".", 1)[0]


def tagged(values: Any) -> str | None:
    """A list of codes or numbers as ``|a|b|`` (found with a substring test)."""
    return "|" + "|".join(map(str, values)) + "|" if values else None
