"""The Merkle tree kept by each store as events are recorded: the stored nodes and every
root are RFC 9162's over the log's events, whether one process appends or several take
turns, after building it for a log recorded without it, and after a restore."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from auditor import tlog
from core import merkle
from core.integrity import canonical_bytes
from core.restore import restore_log
from followup.bootstrap import Services, bootstrap
from tests.storelog import extra_events, fill


def leaves(services: Services) -> list[bytes]:
    return [
        tlog.leaf_hash(
            canonical_bytes(r.originator_id, r.originator_version, r.topic, r.state, r.recorded_at)
        )
        for r in services.app.log.select_records(limit=100_000)
    ]


def stored_nodes(services: Services) -> dict[merkle.Key, bytes]:
    source = services.app.log.tree_source()
    size = services.app.head().position
    keys = [
        (level, index)
        for level in range(merkle.CHUNK_LEVEL, size.bit_length())
        for index in range(size >> level)
    ]
    return dict(source.tree_nodes(keys))


def expected_nodes(hashes: list[bytes]) -> dict[merkle.Key, bytes]:
    return {(level, index): h for level, index, h in merkle.Frontier().extend(hashes)[1]}


def check(services: Services) -> None:
    hashes = leaves(services)
    assert stored_nodes(services) == expected_nodes(hashes)
    source = services.app.log.tree_source()
    assert source.tree_covered() == len(hashes) // merkle.CHUNK * merkle.CHUNK
    for size in {1, 63, 64, 65, 128, 129, len(hashes) - 1, len(hashes)}:
        assert merkle.root_at(source, size) == tlog.root_of(hashes[:size])


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "memory":
        yield "memory://"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/log.sqlite"
    else:
        yield request.getfixturevalue("postgres_url")


def test_the_tree_is_kept_as_events_are_recorded(url: str) -> None:
    services = bootstrap(url, load_entry_points=False)
    try:
        fill(services.app, extra=150, seed=3)
        check(services)
    finally:
        services.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_processes_taking_turns_keep_one_tree(backend: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    first = bootstrap(url, load_entry_points=False)
    second = bootstrap(url, load_entry_points=False)
    try:
        raws = extra_events(150, seed=5)
        for index, raw in enumerate(raws):
            services = (first, second)[index % 3 == 0]
            services.app.record_raw(raw, "tester", None)
        check(first)
    finally:
        first.close()
        second.close()


def test_a_log_recorded_without_the_tree_gets_it_built(url: str) -> None:
    services = bootstrap(url, load_entry_points=False)
    try:
        fill(services.app, extra=150, seed=4)
        if url == "memory://":
            assert services.app.log.build_tree() == 0
            return
        with services.sql.transaction(write=True) as cursor:
            cursor.execute("DELETE FROM merkle_nodes")
        assert stored_nodes(services) == {}
        with pytest.raises(merkle.TreeError, match="followup init"):
            merkle.root_at(services.app.log.tree_source(), 140)
        assert services.app.log.build_tree() == len(expected_nodes(leaves(services)))
        check(services)
        assert services.app.log.build_tree() == 0
    finally:
        services.close()


def test_a_restored_log_has_the_same_tree(url: str, tmp_path) -> None:
    source = bootstrap("memory://", load_entry_points=False)
    fill(source.app, extra=150, seed=6)
    lines = [json.dumps(e.to_flat(with_storage=True)) for e in source.app.read_log()]
    target = bootstrap(url, load_entry_points=False)
    try:
        restore_log(target.app, lines)
        assert leaves(target) == leaves(source)
        check(target)
        size = target.app.head().position
        assert merkle.root_at(target.app.log.tree_source(), size) == merkle.root_at(
            source.app.log.tree_source(), size
        )
    finally:
        target.close()
        source.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_verify_checks_the_stored_tree_against_the_events(
    backend: str, request: pytest.FixtureRequest
) -> None:
    from click.testing import CliRunner

    from cli import main

    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    services = bootstrap(url, load_entry_points=False)
    try:
        fill(services.app, extra=150, seed=7)
    finally:
        services.close()

    def verify() -> tuple[int, str]:
        result = CliRunner().invoke(main, ["verify", "--database-url", url])
        return result.exit_code, result.stdout

    assert verify()[0] == 0
    services = bootstrap(url, load_entry_points=False)
    try:
        with services.sql.transaction(write=True) as cursor:
            cursor.execute(
                "UPDATE merkle_nodes SET hash = ? WHERE level = 6 AND idx = 1", [bytes(32)]
            )
    finally:
        services.close()
    code, said = verify()
    assert code == 1 and "TREE DAMAGED" in said and "positions 65 to 128" in said
    services = bootstrap(url, load_entry_points=False)
    try:
        with services.sql.transaction(write=True) as cursor:
            cursor.execute("DELETE FROM merkle_nodes")
    finally:
        services.close()
    code, said = verify()
    assert code == 1 and "missing" in said
    assert CliRunner().invoke(main, ["init", "--database-url", url]).exit_code == 0
    assert verify()[0] == 0
