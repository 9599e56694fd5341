"""The write side: folding a page of events into the tables.

Both levels' engines write into one `PageWriter`, event by event (RESTRICTED, then
ALL), through a `LevelStore` each. A row one level opens and the other opens alike at
the same position is written once for both; closing it at one level sets that level's
end only. Everything a page changes is kept in memory and written at its end with a
few bulk statements, in the transaction that advances the views' tracking position.

Between pages a `Book` remembers what the fold needs again: the items and their
standing tallies (least recently used ones are forgotten, and read again from the
tables when needed), the open block of every posting list, and the monthly sums the
checkpoints are made of.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from sys import intern
from typing import Any
from uuid import UUID

import orjson

from core.eventtypes import Effect
from core.facts import Day, Fact
from core.integrity import STREAM_PREFIX, event_stream_prefix
from core.sql import Cursor
from core.views.engine import PRESENTED, Folds, ItemKey, ItemVersion
from core.views.feed import Feed, Page
from core.views.items import Item
from core.views.model import Level
from core.views.tables import END, dumps, family, tagged

#: Positions per block of a posting list.
BLOCK = 4096
#: A stored block holding this many positions is not rewritten to append a page's
#: positions to it: they begin a block of their own. Rewriting every open block at
#: every page wrote a million-event replay's posting lists 22 times over (949 MB of
#: updates for a 42 MB table).
REWRITTEN_BELOW = 256
#: Items (with their standing tallies) the Book keeps between pages.
KEPT_ITEMS = 10_000
#: Big items' standing rows the Book keeps decoded (see PageWriter.flush).
KEPT_DECODED = 1_000
#: Items a follower with nothing to fold reads ahead (Projection.ready): those changed
#: last, which the next pages most likely change again.
WARM_ITEMS = 2_000
#: Pages a write-behind fold hands over before it waits for the first of them to be
#: written (behind.py): with one, the fold stood still whenever a page's commit took
#: longer than folding the next (SQLite copying its write-ahead log into the file).
IN_FLIGHT = 3

LEVELS = (Level.RESTRICTED, Level.ALL)

#: Recommendations' numbers as the terms of their posting lists.
RECOMMENDATION_TERMS = {number: str(number) for number in range(1, 67)}

#: Monthly sums: {(counter, "YYYY-MM"): amount}.
Sums = dict[tuple[str, str], int]


#: A level, or 3 for both: the indexes of their ends in a row's `ends`.
INDEXES = {1: (0,), 2: (1,), 3: (0, 1)}


def _ends(level: int, at: int) -> list[int]:
    """The ends of a row opened at `at` by a level (3: both): a level that does not
    open it never had it."""
    return [END if level & 1 else at, END if level & 2 else at]


class FactRow:
    """A version of an event as the views read it, at some levels. The first version
    of most events is the log's own (`logged`): no row is kept for it, until a
    correction or a retraction ends it (it is then written, with its end)."""

    __slots__ = (
        "counts",
        "ends",
        "fact",
        "from_pos",
        "levels",
        "logged",
        "party_codes",
        "position",
        "stored",
    )

    def __init__(
        self,
        position: int,
        from_pos: int,
        levels: int,
        ends: list[int],
        fact: Fact,
        counts: Mapping[str, int],
        parties: Sequence[str],
        stored: bool,
        logged: bool = False,
    ) -> None:
        self.position = position
        self.from_pos = from_pos
        self.levels = levels
        self.ends = ends
        self.fact = fact
        self.counts = counts
        self.party_codes = parties
        self.stored = stored
        self.logged = logged


class ItemRow:
    __slots__ = ("_item", "data", "ends", "from_pos", "key", "levels", "stored", "version", "view")

    def __init__(
        self,
        view: str,
        key: str,
        from_pos: int,
        levels: int,
        ends: list[int],
        data: str | None,
        version: ItemVersion | None,
        stored: bool,
    ) -> None:
        self.view = view
        self.key = key
        self.from_pos = from_pos
        self.levels = levels
        self.ends = ends
        self.data = data
        self.version = version
        self.stored = stored
        self._item: Item | None = version.item if version is not None else None

    @property
    def item(self) -> Item:
        if self._item is None:
            assert self.data is not None
            self._item = orjson.loads(self.data)
        return self._item


class TallyRow:
    __slots__ = ("amount", "counter", "day", "ends", "from_pos", "levels", "source", "stored")

    def __init__(
        self,
        source: str,
        counter: str,
        day: str,
        from_pos: int,
        levels: int,
        ends: list[int],
        amount: int,
        stored: bool,
    ) -> None:
        self.source = source
        # Thousands of rows name the same counters and days: one string each.
        self.counter = intern(str(counter))
        self.day = intern(str(day))
        self.from_pos = from_pos
        self.levels = levels
        self.ends = ends
        self.amount = amount
        self.stored = stored


Tallies = dict[tuple[str, str], TallyRow]


class ItemState:
    """One item at both levels: its standing row (None: no item) and standing tally
    rows at each. While both levels have the same item they hold the same row and the
    same map of tallies (one object), and an event both see is folded into it once."""

    __slots__ = ("rows", "tallies")

    def __init__(self, rows: list[ItemRow | None], tallies: list[Tallies]) -> None:
        self.rows = rows
        self.tallies = tallies

    @property
    def shared(self) -> bool:
        return self.rows[0] is self.rows[1] and self.tallies[0] is self.tallies[1]

    def own_tallies(self, index: int) -> Tallies:
        """One level's map, to change it alone (copied first if the levels share it)."""
        if self.tallies[0] is self.tallies[1]:
            self.tallies[index] = dict(self.tallies[index])
        return self.tallies[index]

    def share_again(self) -> None:
        """After both levels changed the item alike: one map again."""
        if (
            self.rows[0] is self.rows[1]
            and self.tallies[0] is not self.tallies[1]
            and self.tallies[0] == self.tallies[1]
        ):
            self.tallies[1] = self.tallies[0]


class Block:
    """The last block of a posting list: appended to until it holds BLOCK positions."""

    __slots__ = ("block", "refs", "stored")

    def __init__(self, block: int, refs: array[int], stored: bool) -> None:
        self.block = block
        self.refs = refs
        self.stored = stored


class Totals:
    """Every monthly sum of one level, by family of counters, with each counter's total
    over every month and the family's last month; a family's JSON is kept until it
    changes (a whole checkpoint writes every family)."""

    def __init__(self, sums: Sums | None = None) -> None:
        self.families: dict[str, dict[str, dict[str, int]]] = {}
        self.totals: dict[str, dict[str, int]] = {}
        self.last: dict[str, str] = {}
        self._family_of: dict[str, str] = {}
        self._json: dict[str, tuple[str, str, str]] = {}
        if sums:
            self.add(sums)

    def family_of(self, counter: str) -> str:
        found = self._family_of.get(counter)
        if found is None:
            found = self._family_of[counter] = family(counter)
        return found

    def add(self, sums: Sums) -> dict[str, tuple[str, str, str]]:
        """Add changes; returns them by family as a delta checkpoint holds them."""
        changed: dict[str, dict[str, dict[str, int]]] = {}
        for (counter, month), amount in sums.items():
            if not amount:
                continue
            name = self.family_of(counter)
            changed.setdefault(name, {}).setdefault(counter, {})[month] = amount
            months = self.families.setdefault(name, {}).setdefault(counter, {})
            total = months.get(month, 0) + amount
            if total:
                months[month] = total
            else:
                del months[month]
                if not months:
                    del self.families[name][counter]
            totals = self.totals.setdefault(name, {})
            totals[counter] = totals.get(counter, 0) + amount
            if month > self.last.get(name, ""):
                self.last[name] = month
            self._json.pop(name, None)
        return {name: document(monthly) for name, monthly in changed.items()}

    def documents(self) -> dict[str, tuple[str, str, str]]:
        """Every family as a whole checkpoint holds it: (monthly sums, totals, last
        month), as JSON."""
        for name, monthly in self.families.items():
            if name not in self._json:
                totals = {c: t for c, t in self.totals.get(name, {}).items() if t}
                self._json[name] = (dumps(monthly), dumps(totals), self.last.get(name, ""))
        return {name: self._json[name] for name in self.families if self.families[name]}


#: Statements of a page: (SQL, rows), each run with executemany.
Statements = list[tuple[str, list[tuple[Any, ...]]]]

#: The checkpoint due at a boundary: (boundary, whole, {level: changes since the last}).
Window = tuple[int, bool, dict[int, Sums]]

INSERT_CHECKPOINTS = (
    "INSERT INTO view_checkpoints (level, family, position, whole, counters, totals, "
    "last_month) VALUES (?,?,?,?,?,?,?)"
)


def checkpoints_of(totals: Mapping[int, Totals], windows: Iterable[Window]) -> Statements:
    """The statement writing the checkpoints of `windows` (none if there are none),
    adding their changes to each level's `totals`: a whole checkpoint holds every
    family, a delta one the families that changed."""
    rows: list[tuple[Any, ...]] = []
    for boundary, whole, changes in windows:
        for level in (1, 2):
            changed = totals[level].add(changes[level])
            rows.append((level, "", boundary, int(whole), "{}", "{}", ""))
            found = totals[level].documents() if whole else changed
            for name, (monthly, sums, last) in found.items():
                rows.append((level, name, boundary, int(whole), monthly, sums, last))
    return [(INSERT_CHECKPOINTS, rows)] if rows else []


def document(monthly: dict[str, dict[str, int]]) -> tuple[str, str, str]:
    """Monthly sums as a checkpoint holds them: the months, each counter's total, and
    the last month."""
    totals = {counter: sum(months.values()) for counter, months in monthly.items()}
    last = max((month for months in monthly.values() for month in months), default="")
    return dumps(monthly), dumps(totals), last


class Book:
    """What the fold remembers between pages (see the module's docstring). `fresh`:
    the tables were empty when it began, so an item it never saw is not in them."""

    def __init__(self, fresh: bool = False) -> None:
        self.fresh = fresh
        self.items: OrderedDict[ItemKey, ItemState] = OrderedDict()
        self.forgotten: set[ItemKey] = set()
        #: Big items' standing rows kept decoded, the last touched last (see
        #: PageWriter.flush).
        self.decoded: list[ItemRow] = []
        self.blocks: dict[tuple[str, str], Block | None] = {}
        #: Monthly sums of every counter at the position folded, per level (None
        #: until read from the tables), and their change since the last checkpoint.
        self.totals: dict[int, Totals] | None = None
        #: (Key 3: changes of both levels, kept once.)
        self.changes: dict[int, Sums] = {1: {}, 2: {}, 3: {}}
        #: The next position a checkpoint is due at.
        self.next_boundary = 0
        #: Whether the items changed last were read ahead (`warm_up`).
        self.warm = False

    def trim(self, touched: Iterable[ItemState] = ()) -> None:
        """Forget the least recently used items beyond KEPT_ITEMS, but none of
        `touched`, those of the pages that may still be being written when the next
        is folded (a write-behind fold): an item they changed is not yet in the tables
        to be read back."""
        keep = {id(state) for state in touched}
        while len(self.items) > KEPT_ITEMS:
            key, state = next(iter(self.items.items()))
            if id(state) in keep:
                break
            del self.items[key]
            self.forgotten.add(key)
            for row in state.rows:  # read back anew if needed: not kept decoded
                if row is not None and row.data is not None:
                    row._item = None


def count_and_index(
    fact: Fact,
    counts: Mapping[str, int],
    parties: Sequence[str],
    log_counter: str,
    sums: Sums,
    postings: dict[tuple[str, str], list[int]],
) -> None:
    """The whole work of an event no item is made of: its entry and counters in its
    month's `sums`, its position in the posting lists of its type, month, parties and
    recommendations (PageWriter.record_shared, and a fold's helper for a page)."""
    position = fact.position
    month = fact.occurred_on[:7]
    key = (log_counter, month)
    sums[key] = sums.get(key, 0) + 1
    for counter, amount in counts.items():
        key = (counter, month)
        sums[key] = sums.get(key, 0) + amount
    terms = [("type", fact.type), ("month", month)]
    terms.extend(("party", party) for party in parties)
    terms.extend(
        ("recommendation", RECOMMENDATION_TERMS.get(number) or str(number))
        for number in fact.recommendations
    )
    for term in terms:
        found = postings.get(term)
        if found is None:
            postings[term] = [position]
        elif found[-1] != position:
            found.append(position)


def as_folded(folds: Folds, fact: Fact) -> Fact | None:
    """The event, if the views fold it as a fact (an action of a type a plugin knows)."""
    event_type = folds.catalogue.types.get(fact.type)
    if event_type is None or event_type.effect is not Effect.RECORD:
        return None
    return fact


def target_position(feed: Feed, event_id: str, stream: bytes | None) -> int | None:
    """The position of the event `event_id` that an event of dossier `stream`
    corrects, retracts or lowers. A change is kept in the dossier of the event it
    changes: when the target's id names that dossier, it is found by the store's own
    key (stream, version); else by its id."""
    return target_positions(feed, {event_id: stream})[event_id]


def target_positions(feed: Feed, wanted: Mapping[str, bytes | None]) -> dict[str, int | None]:
    """`target_position` of many events (id: the dossier of the change), those found
    by the store's key in one query where the store can (a helper asks for a page's at
    once: a query each was a round trip on PostgreSQL)."""
    keys = {event_id: dossier_key(event_id, stream) for event_id, stream in wanted.items()}
    known = [key for key in keys.values() if key is not None]
    scanner = feed.scanner
    many = getattr(scanner, "event_positions", None)  # a store plugin's port may lack it
    found = many(known) if many is not None else {k: scanner.event_position(*k) for k in known}
    return {
        event_id: (found.get(key) if key is not None else None) or feed.position_of(event_id)
        for event_id, key in keys.items()
    }


def dossier_key(event_id: str, stream: bytes | None) -> tuple[UUID, int] | None:
    """The store's key (stream, version) of the event `event_id`, where its id names
    the dossier `stream`; None where it does not (found by its id then)."""
    try:
        prefix, version = event_stream_prefix(UUID(event_id))
    except ValueError:
        return None
    if stream is None or stream[:STREAM_PREFIX] != prefix:
        return None
    return UUID(bytes=stream), version


class PageWriter:
    """One page of the fold: both levels' changes, written by `flush`."""

    def __init__(
        self,
        cursor: Cursor,
        book: Book,
        feed: Feed,
        folds: Folds,
        *,
        earlier: Sequence[PageWriter] = (),
    ) -> None:
        self.c = cursor
        self.book = book
        #: The pages folded before this one that may still be being written (a
        #: write-behind fold, projection.py), the nearest first: what they changed is
        #: not yet in the tables, so this page reads the facts and members they knew
        #: from them. Forgotten once the page is handed over (`handed_over`).
        self.earlier = list(earlier)
        #: The page's statements, (SQL, rows), made by `flush`, run by the caller;
        #: and the checkpoints due in it, made into rows by `checkpoints_of`.
        self.statements: Statements = []
        self.windows: list[Window] = []
        self.feed = feed
        self.folds = folds
        #: The log's own version of the targets of the page's changes (as_folded's
        #: answer), looked up ahead by a helper.
        self.targets: dict[int, Fact | None] = {}
        #: Events of this page whose version is the log's: [fact, counts, parties,
        #: levels], made into a FactRow only if something asks for it.
        self.logged: dict[int, list[Any]] = {}
        #: The last event indexed by type and month.
        self.entered = -1
        #: Items read in this page (kept decoded until it is written).
        self.touched: dict[int, ItemState] = {}
        #: The page being folded.
        self.page: Page | None = None
        self.at = -1
        # Facts standing at each level, by position, as far as this page knows them.
        self.facts: list[dict[int, FactRow | None]] = [{}, {}]
        self.positions: dict[str, int | None] = {}
        # Rows opened by the event being applied (to share them between the levels).
        self.opened_facts: dict[int, FactRow] = {}
        self.opened_items: dict[ItemKey, ItemRow] = {}
        self.opened_tallies: dict[tuple[str, str, str], TallyRow] = {}
        self.new_facts: list[FactRow] = []
        self.new_items: list[ItemRow] = []
        self.new_tallies: list[TallyRow] = []
        self.ended: dict[int, FactRow | ItemRow | TallyRow] = {}
        self.members: set[tuple[str, str, int]] = set()
        self.postings: dict[tuple[str, str], list[int]] = {}

    # -- the event being applied ------------------------------------------------------

    def begin(self, position: int) -> None:
        if position != self.at:
            self.at = position
            self.opened_facts.clear()
            self.opened_items.clear()
            self.opened_tallies.clear()

    # -- monthly sums -----------------------------------------------------------------

    def _count(self, level: int, counts: Mapping[str, int], day: str, sign: int) -> None:
        sums = self.book.changes[level]
        month = day[:7]
        for counter, amount in counts.items():
            if amount:
                key = (counter, month)
                sums[key] = sums.get(key, 0) + sign * amount

    def _count_one(self, level: int, counter: str, day: str, amount: int) -> None:
        sums = self.book.changes[level]
        key = (counter, day[:7])
        sums[key] = sums.get(key, 0) + amount

    def _end(self, row: FactRow | ItemRow | TallyRow, level: int, at: int) -> None:
        for index in INDEXES[level]:
            row.ends[index] = at
        if row.stored:
            self.ended[id(row)] = row

    # -- facts ------------------------------------------------------------------------

    def record_shared(
        self, fact: Fact, counts: Mapping[str, int], parties: Sequence[str], log_counter: str
    ) -> None:
        """What both levels' engines do with a new event that both see and that no
        item is made of (most of them): count it, index it, once for both (the fact
        itself is the log's)."""
        self.logged[fact.position] = [fact, counts, parties, 3]
        count_and_index(fact, counts, parties, log_counter, self.book.changes[3], self.postings)

    def count_entry(self, level: int, event: Fact) -> None:
        """Count the event as an entry of the log, and index it by type and month."""
        self._count_one(level, f"log.{event.type}", event.occurred_on, 1)
        if self.entered != event.position:
            self.entered = event.position
            self._post("type", event.type, event.position)
            self._post("month", event.occurred_on[:7], event.position)

    def put_fact(
        self,
        level: int,
        fact: Fact,
        counts: Mapping[str, int],
        parties: Sequence[str],
        at: int,
        new: bool,
    ) -> None:
        self._count(level, counts, fact.occurred_on, 1)
        self.positions[fact.id] = fact.position
        if new:  # the log's own version
            known = self.logged.get(fact.position)
            if known is None:
                self.logged[fact.position] = [fact, counts, parties, level]
                self._post_terms(fact, parties)
            else:
                known[3] |= level
            for index in (0, 1):
                self.facts[index].pop(fact.position, None)
            return
        self._close_fact(level, fact.position, at)
        row = self.opened_facts.get(fact.position)
        if row is not None and row.from_pos == at and (row.fact is fact or row.fact == fact):
            row.levels |= level
        else:
            row = FactRow(fact.position, at, level, _ends(level, at), fact, counts, parties, False)
            self.opened_facts[fact.position] = row
            self.new_facts.append(row)
            self._post("type", fact.type, fact.position)
            self._post("month", fact.occurred_on[:7], fact.position)
            self._post_terms(fact, parties)
        for index in INDEXES[level]:
            row.ends[index] = END
            self.facts[index][fact.position] = row

    def drop_fact(self, level: int, position: int, at: int) -> None:
        self._close_fact(level, position, at)
        for index in INDEXES[level]:
            self.facts[index][position] = None

    def _close_fact(self, level: int, position: int, at: int) -> None:
        row = self.fact_row(level, position)
        if row is None:
            return
        if row.logged:  # its first row is written now, with its end
            row.logged = False
            self.new_facts.append(row)
        self._end(row, level, at)
        self._count(level, row.counts, row.fact.occurred_on, -1)

    def fact_row(self, level: int, position: int) -> FactRow | None:
        """The version of the event standing at a level (None: none)."""
        index = INDEXES[level][0]
        standing = self.facts[index]
        if position not in standing and self.earlier:
            self._inherit(position)
        if position not in standing:
            known = self.logged.get(position)
            if known is not None:
                fact, counts, parties, levels = known
                row = FactRow(
                    position,
                    position,
                    levels,
                    _ends(levels, position),
                    fact,
                    counts,
                    parties,
                    False,
                    True,
                )
                for i in INDEXES[levels]:
                    self.facts[i].setdefault(position, row)
                standing.setdefault(position, None)
            else:
                self._load_fact(position)
        return standing[position]

    def _inherit(self, position: int) -> None:
        """What the pages before knew of an event, as the nearest left it."""
        for before in self.earlier:
            for index in (0, 1):
                if position in before.facts[index]:
                    self.facts[index].setdefault(position, before.facts[index][position])
            known = before.logged.get(position)
            if known is not None and position not in self.logged:
                self.logged[position] = known

    def load_facts(self, positions: Iterable[int], before: int) -> None:
        """Read, in a few queries, the standing versions of events before `before` that
        the page's changes target (their positions looked up by a helper) and that
        nothing this fold holds knows: each would otherwise be read when its change
        comes, a query each, a round trip on PostgreSQL (with this and the helper's
        `target_positions`, the follower of `python -m bench.views --postgres 1000000
        --postgres-import 100000` took 5.26 s rather than 5.82)."""
        wanted = []
        for position in sorted({p for p in positions if p < before}):
            if self.earlier:
                self._inherit(position)
            if position not in self.logged and not all(position in f for f in self.facts):
                wanted.append(position)
        for start in range(0, len(wanted), 500):
            self._load_facts(wanted[start : start + 500])

    def _load_fact(self, position: int) -> None:
        self._load_facts([position])

    def _load_facts(self, positions: list[int]) -> None:
        """The versions of events from the tables, or, for one that has none, the log's."""
        marks = ",".join("?" * len(positions))
        self.c.execute(
            "SELECT position, from_pos, levels, end_1, end_2, type, occurred_on, fact, counts, "  # noqa: S608
            f"party_codes FROM view_versions WHERE position IN ({marks})",
            positions,
        )
        versions: dict[int, list[Any]] = {position: [] for position in positions}
        for row in self.c.fetchall():
            versions[row["position"]].append(row)
        for position, rows in versions.items():
            self._known(position, rows)

    def _known(self, position: int, rows: list[Any]) -> None:
        """What the fold knows of an event from its versions' rows (none: the log's)."""
        found: list[FactRow | None] = [None, None]
        for row in rows:
            ends = [row["end_1"], row["end_2"]]
            if END not in ends or row["fact"] is None:
                continue
            loaded = FactRow(
                position,
                row["from_pos"],
                row["levels"],
                ends,
                fact_from_row(row),
                orjson.loads(row["counts"]),
                tuple(parties_of(row["party_codes"])),
                True,
            )
            for index in (0, 1):
                if ends[index] == END:
                    found[index] = loaded
        if not rows:
            fact = self.log_fact(position)
            if fact is not None:
                levels = 2 if fact.classification == "confidential" else 3
                logged = FactRow(
                    position,
                    position,
                    levels,
                    _ends(levels, position),
                    fact,
                    self.folds.counts(fact),
                    self.folds.parties(fact),
                    False,
                    True,
                )
                for index in INDEXES[levels]:
                    found[index] = logged
        for index in (0, 1):
            self.facts[index].setdefault(position, found[index])

    def log_fact(self, position: int) -> Fact | None:
        """The event at a position of the log, if it is one the views fold as a fact
        (an action of a type a plugin knows)."""
        if position in self.targets:
            return self.targets[position]
        rows = self.feed.scanner.rows_at([position])
        return as_folded(self.folds, self.feed.fact(rows[0])) if rows else None

    def position_of(self, event_id: str) -> int | None:
        if event_id not in self.positions:
            stream = self.page.stream_of(self.at) if self.page is not None else None
            self.positions[event_id] = target_position(self.feed, event_id, stream)
        return self.positions[event_id]

    # -- postings ---------------------------------------------------------------------

    def _post(self, kind: str, term: str, position: int) -> None:
        found = self.postings.get((kind, term))
        if found is None:
            self.postings[(kind, term)] = [position]
        elif found[-1] != position:
            found.append(position)

    def _post_terms(self, fact: Fact, parties: Sequence[str]) -> None:
        position = fact.position
        for party in parties:
            self._post("party", party, position)
        for number in fact.recommendations:
            self._post("recommendation", str(number), position)

    # -- items ------------------------------------------------------------------------

    def item_state(self, view: str, key: str) -> ItemState:
        book = self.book
        state = book.items.get((view, key))
        if state is not None:
            book.items.move_to_end((view, key))
            return state
        if book.fresh and (view, key) not in book.forgotten:
            none: Tallies = {}
            state = ItemState([None, None], [none, none])
        else:
            state = self._load_item(view, key)
        book.items[(view, key)] = state
        return state

    def warm_up(self, count: int) -> None:
        """Read into the Book the `count` standing items changed last (at either
        level): the big ones (States' records, assessments) change in most pages, and
        the first page after an import read them (`python -m bench.views`: that page
        written 1.37-1.40 s after the import's commit, 0.33 s with them read ahead).
        Their keys come from the indexes of standing items, a level at a time."""
        self.book.warm = True
        changed: dict[ItemKey, int] = {}
        for level in (1, 2):
            self.c.execute(
                f"SELECT view, key, from_pos FROM view_items WHERE end_{level} = {END}"  # noqa: S608
            )
            for view, key, from_pos in self.c.fetchrows():
                changed[(view, key)] = max(from_pos, changed.get((view, key), 0))
        self.prefetch(sorted(changed, key=changed.__getitem__)[-count:] if count else [])

    def _load_item(self, view: str, key: str) -> ItemState:
        self.prefetch([(view, key)])
        return self.book.items[(view, key)]

    def prefetch(self, keys: Iterable[ItemKey]) -> None:
        """Read, in a few queries, the items a page will fold that the Book does not
        hold (with their standing tallies)."""
        book = self.book
        wanted = sorted(
            {
                key
                for key in keys
                if key not in book.items and not (book.fresh and key not in book.forgotten)
            }
        )
        by_view: dict[str, list[str]] = {}
        for view, key in wanted:
            by_view.setdefault(view, []).append(key)
        rows: dict[ItemKey, list[ItemRow | None]] = {key: [None, None] for key in wanted}
        tallies: dict[str, list[Tallies]] = {f"{v}/{k}": [{}, {}] for v, k in wanted}
        for view, names in by_view.items():
            for start in range(0, len(names), 500):
                chunk = names[start : start + 500]
                marks = ",".join("?" * len(chunk))
                self.c.execute(
                    "SELECT key, from_pos, levels, end_1, end_2, data FROM view_items "  # noqa: S608
                    f"WHERE view = ? AND key IN ({marks}) AND (end_1 = {END} OR end_2 = {END})",
                    [view, *chunk],
                )
                for key, from_pos, levels, end_1, end_2, data in self.c.fetchrows():
                    row = ItemRow(view, key, from_pos, levels, [end_1, end_2], data, None, True)
                    for index in (0, 1):
                        if row.ends[index] == END:
                            rows[(view, key)][index] = row
                sources = [f"{view}/{name}" for name in chunk]
                self.c.execute(
                    "SELECT source, counter, day, from_pos, levels, end_1, end_2, amount "  # noqa: S608
                    f"FROM view_item_tallies WHERE source IN ({marks}) "
                    f"AND (end_1 = {END} OR end_2 = {END})",
                    sources,
                )
                for (
                    source,
                    counter,
                    day,
                    from_pos,
                    levels,
                    end_1,
                    end_2,
                    amount,
                ) in self.c.fetchrows():
                    tally = TallyRow(
                        source, counter, day, from_pos, levels, [end_1, end_2], amount, True
                    )
                    for index in (0, 1):
                        if tally.ends[index] == END:
                            tallies[source][index][(counter, day)] = tally
        for view, key in wanted:
            found = tallies[f"{view}/{key}"]
            if found[0] == found[1]:
                found[1] = found[0]
            book.items[(view, key)] = ItemState(rows[(view, key)], found)

    def item(self, level: int, view: str, key: str) -> Item | None:
        state = self.item_state(view, key)
        self.touched[id(state)] = state
        row = state.rows[INDEXES[level][0]]
        return row.item if row is not None else None

    def shares(self, keys: Iterable[ItemKey]) -> bool:
        """Whether both levels have the same items (and tallies) under these keys."""
        return all(self.item_state(view, key).shared for view, key in keys)

    def put_item(
        self, level: int, view: str, key: str, version: ItemVersion | None, at: int
    ) -> None:
        state = self.item_state(view, key)
        indexes = INDEXES[level]
        current = state.rows[indexes[0]]
        if current is not None:
            if version is not None and (
                current.item is version.item or current.item == version.item
            ):
                return
            self._end(current, level, at)
            for index in indexes:
                state.rows[index] = None
        elif version is None:
            return
        if version is not None:
            row = self.opened_items.get((view, key))
            if row is not None and row.from_pos == at and row.version is version:
                row.levels |= level
                for index in indexes:
                    row.ends[index] = END
            else:
                row = ItemRow(view, key, at, level, _ends(level, at), None, version, False)
                self.opened_items[(view, key)] = row
                self.new_items.append(row)
            for index in indexes:
                state.rows[index] = row
        self._put_tallies(level, state, f"{view}/{key}", version, at)
        if level == 2:
            state.share_again()

    def _put_tallies(
        self, level: int, state: ItemState, source: str, version: ItemVersion | None, at: int
    ) -> None:
        """Close the item's tally rows whose amount changed or went, open the new ones."""
        new = version.amounts if version is not None else {}
        standing = state.tallies[0] if level == 3 else state.tallies[level - 1]
        gone = [name for name, tally in standing.items() if new.get(name) != tally.amount]
        came = [
            (name, amount)
            for name, amount in new.items()
            if (tally := standing.get(name)) is None or tally.amount != amount
        ]
        if not gone and not came:
            return
        if level != 3:
            standing = state.own_tallies(level - 1)
        for name in gone:
            ended = standing.pop(name)
            self._end(ended, level, at)
            self._count_one(level, ended.counter, ended.day, -ended.amount)
        for (counter, day), amount in came:
            row = self.opened_tallies.get((source, counter, day))
            if row is not None and row.from_pos == at and row.amount == amount:
                row.levels |= level
                for index in INDEXES[level]:
                    row.ends[index] = END
            else:
                row = TallyRow(source, counter, day, at, level, _ends(level, at), amount, False)
                self.opened_tallies[(source, counter, day)] = row
                self.new_tallies.append(row)
            standing[(counter, day)] = row
            self._count_one(level, counter, day, amount)

    def members_of(self, view: str, key: str) -> list[int]:
        self.c.execute("SELECT position FROM view_members WHERE view = ? AND key = ?", [view, key])
        found = {row["position"] for row in self.c.fetchall()}
        for page in (self, *self.earlier):
            found |= {p for v, k, p in page.members if (v, k) == (view, key)}
        return sorted(found)

    def merge_postings(self, postings: Mapping[tuple[str, str], list[int]]) -> None:
        """Add posting lists a helper made for events of this page."""
        for term, positions in postings.items():
            found = self.postings.get(term)
            self.postings[term] = sorted({*found, *positions}) if found else list(positions)

    # -- writing ----------------------------------------------------------------------

    def flush(self) -> None:
        """Make the page's statements (`statements`), and keep in the Book what they
        write as written."""
        write = self.write
        if self.new_facts:
            write(
                "INSERT INTO view_versions (position, from_pos, levels, end_1, end_2, type, "
                "occurred_on, fact, counts, party_codes, recommendations) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [_fact_values(row) for row in self.new_facts],
            )
        if self.new_items:
            write(
                "INSERT INTO view_items (view, key, from_pos, levels, end_1, end_2, last_day, "
                "visible, shown, data) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [_item_values(row) for row in self.new_items],
            )
        if self.new_tallies:
            write(
                "INSERT INTO view_item_tallies (source, counter, day, from_pos, levels, end_1, "
                "end_2, amount) VALUES (?,?,?,?,?,?,?,?)",
                [
                    (
                        r.source,
                        r.counter,
                        r.day,
                        r.from_pos,
                        r.levels,
                        r.ends[0],
                        r.ends[1],
                        r.amount,
                    )
                    for r in self.new_tallies
                ],
            )
        self._flush_ended()
        if self.members:
            write(
                "INSERT INTO view_members (view, key, position) VALUES (?,?,?) "
                "ON CONFLICT DO NOTHING",
                sorted(self.members),
            )
        self._flush_postings()
        for row in self.new_facts:
            row.stored = True
        for item in self.new_items:
            item.stored = True
            assert item.version is not None
            item.data = item.version.data
            item.version = None  # its timeline and counts are done with
        for tally in self.new_tallies:
            tally.stored = True
        # Items are kept between pages as their JSON only, decoded again when next
        # needed (decoded, a million-event log's items would hold 100 MB); but big
        # items stay decoded while they stand, the KEPT_DECODED touched last: the same
        # few hundred (States' records, assessments) change in most pages, and decoding
        # them again was 5% of a fold (3% while only those of the last page were kept).
        touched: dict[int, ItemRow] = {}
        for state in self.touched.values():
            for kept in state.rows:
                if kept is not None and kept.data is not None:
                    if len(kept.data) > PRESENTED and kept._item is not None:
                        touched[id(kept)] = kept
                    else:
                        kept._item = None
        standing = [
            row
            for row in self.book.decoded
            if id(row) not in touched and END in row.ends and row._item is not None
        ]
        decoded = [*standing, *touched.values()][-KEPT_DECODED:]
        staying = {id(row) for row in decoded}
        for left in (*self.book.decoded, *touched.values()):
            if id(left) not in staying:  # ended, forgotten, or beyond KEPT_DECODED
                left._item = None
        self.book.decoded = decoded
        # Kept: the items of the pages that may still be in flight when the next page
        # is folded (this one and the IN_FLIGHT - 1 before it).
        in_flight = (self, *self.earlier[: IN_FLIGHT - 1])
        self.book.trim(state for page in in_flight for state in page.touched.values())

    def write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.statements.append((sql, rows))

    def handed_over(self) -> None:
        """Its statements are on their way to be written: keep only what the next pages
        read from this one while they are (its facts, the members it added, the items
        it touched)."""
        self.statements, self.windows = [], []
        self.new_facts, self.new_items, self.new_tallies = [], [], []
        self.ended, self.postings = {}, {}
        self.earlier = []  # the next pages read from this one, not through it
        self.opened_facts, self.opened_items, self.opened_tallies = {}, {}, {}

    def _flush_ended(self) -> None:
        facts, items, tallies = [], [], []
        for row in self.ended.values():
            if isinstance(row, FactRow):
                facts.append((*row.ends, row.position, row.from_pos, row.levels))
            elif isinstance(row, ItemRow):
                items.append((*row.ends, row.view, row.key, row.from_pos, row.levels))
            else:
                tallies.append(
                    (*row.ends, row.source, row.counter, row.day, row.from_pos, row.levels)
                )
        if facts:
            self.write(
                "UPDATE view_versions SET end_1 = ?, end_2 = ? "
                "WHERE position = ? AND from_pos = ? AND levels = ?",
                facts,
            )
        if items:
            self.write(
                "UPDATE view_items SET end_1 = ?, end_2 = ? "
                "WHERE view = ? AND key = ? AND from_pos = ? AND levels = ?",
                items,
            )
        if tallies:
            self.write(
                "UPDATE view_item_tallies SET end_1 = ?, end_2 = ? WHERE source = ? "
                "AND counter = ? AND day = ? AND from_pos = ? AND levels = ?",
                tallies,
            )

    def _flush_postings(self) -> None:
        inserts: list[tuple[str, str, Block]] = []
        updates: list[tuple[str, str, Block]] = []
        for (kind, term), positions in self.postings.items():
            last = self._open_block(kind, term)
            block = last
            if last is not None and last.stored and len(last.refs) >= REWRITTEN_BELOW:
                block = None  # full enough: left as it is
            for position in positions:
                if block is None or len(block.refs) >= BLOCK:
                    if block is not None:
                        (updates if block.stored else inserts).append((kind, term, block))
                    # A block is keyed by its first position, or (a correction posts
                    # its target's older position) just after the block before it.
                    start = position if last is None or position > last.block else last.block + 1
                    block = last = Block(start, array("q"), False)
                block.refs.append(position)
            assert block is not None
            (updates if block.stored else inserts).append((kind, term, block))
            self.book.blocks[(kind, term)] = block
        if inserts:
            self.write(
                "INSERT INTO view_postings (kind, term, block, count, refs) VALUES (?,?,?,?,?)",
                [(k, t, b.block, len(b.refs), b.refs.tobytes()) for k, t, b in inserts],
            )
        if updates:
            self.write(
                "UPDATE view_postings SET count = ?, refs = ? "
                "WHERE kind = ? AND term = ? AND block = ?",
                [(len(b.refs), b.refs.tobytes(), k, t, b.block) for k, t, b in updates],
            )
        for _, _, block in inserts:
            block.stored = True

    def _open_block(self, kind: str, term: str) -> Block | None:
        blocks = self.book.blocks
        if (kind, term) not in blocks:
            block = None
            if not self.book.fresh:
                self.c.execute(
                    "SELECT block, refs FROM view_postings WHERE kind = ? AND term = ? "
                    "ORDER BY block DESC LIMIT 1",
                    [kind, term],
                )
                row = self.c.fetchone()
                if row is not None:
                    refs = array("q")
                    refs.frombytes(bytes(row["refs"]))
                    block = Block(row["block"], refs, True)
            blocks[(kind, term)] = block
        return blocks[(kind, term)]


class LevelStore:
    """The FactStore of one level: the engine's view of a PageWriter."""

    def __init__(self, page: PageWriter, level: int) -> None:
        self.page = page
        self.level = level

    def fact(self, position: int) -> Fact | None:
        row = self.page.fact_row(self.level, position)
        return row.fact if row is not None else None

    def position_of(self, event_id: str) -> int | None:
        return self.page.position_of(event_id)

    def put_fact(
        self,
        fact: Fact,
        counts: Mapping[str, int],
        parties: Sequence[str],
        at: int,
        *,
        new: bool = False,
    ) -> None:
        self.page.put_fact(self.level, fact, counts, parties, at, new)

    def drop_fact(self, position: int, at: int) -> None:
        self.page.drop_fact(self.level, position, at)

    def count_entry(self, event: Fact) -> None:
        self.page.count_entry(self.level, event)

    def item(self, view: str, key: str) -> Item | None:
        return self.page.item(self.level, view, key)

    def put_item(self, view: str, key: str, version: ItemVersion | None, at: int) -> None:
        self.page.put_item(self.level, view, key, version, at)

    def members(self, view: str, key: str) -> Iterable[int]:
        return self.page.members_of(view, key)

    def add_member(self, view: str, key: str, position: int) -> None:
        self.page.members.add((view, key, position))


# -- rows ---------------------------------------------------------------------------


def fact_json(fact: Fact) -> str:
    """What a fact's row keeps besides its position, type and date."""
    return dumps(
        [
            fact.id,
            fact.classification,
            fact.recorded_by,
            fact.payload,
            fact.recommendations,
            fact.summary,
            fact.sources,
        ]
    )


def fact_from_row(row: Mapping[str, Any]) -> Fact:
    return fact_from_values(row["position"], row["type"], row["occurred_on"], row["fact"])


def fact_from_values(position: int, type_: str, occurred_on: str, encoded: str) -> Fact:
    id_, classification, recorded_by, payload, recommendations, summary, sources = orjson.loads(
        encoded
    )
    return Fact(
        type_,
        Day(occurred_on),
        payload,
        id_,
        position,
        classification,
        recorded_by,
        tuple(recommendations),
        summary,
        tuple(sources),
    )


def parties_of(tag: str | None) -> list[str]:
    return tag.strip("|").split("|") if tag else []


def _fact_values(row: FactRow) -> tuple[Any, ...]:
    fact = row.fact
    return (
        row.position,
        row.from_pos,
        row.levels,
        row.ends[0],
        row.ends[1],
        fact.type,
        str(fact.occurred_on),  # text, not Day: the row is marshalled (behind.py)
        fact_json(fact),
        dumps(row.counts),
        tagged(row.party_codes),
        tagged(fact.recommendations),
    )


def _item_values(row: ItemRow) -> tuple[Any, ...]:
    version = row.version
    assert version is not None
    shown = version.shown
    return (
        row.view,
        row.key,
        row.from_pos,
        row.levels,
        row.ends[0],
        row.ends[1],
        version.last_day,
        int(shown is not None),
        shown,
        version.data,
    )
