"""eventsourcing's own contract for recorders, run against our chained recorders the
way eventsourcing runs it against its SQLite and PostgreSQL ones: the chain must change
nothing eventsourcing relies on (positions, conflicts, concurrency, subscriptions)."""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.persistence import TrackingRecorder
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    TrackingRecorderTestCase,
)

from adapters import postgres_store, sqlite_store
from adapters.postgres_store import ChainedPostgresApplicationRecorder
from adapters.sqlite_store import ChainedSQLiteApplicationRecorder
from core.ports import LogScanner
from core.verification import verify_log
from tests.postgres import SUPERUSER, ThrowawayCluster


def assert_chain_verifies(recorder: LogScanner, count: int) -> None:
    """Many writers at once, and still one chain over every event."""
    verdict = verify_log(recorder)
    assert verdict.ok, verdict.describe()
    assert verdict.count == count


class TestChainedSQLiteApplicationRecorder(
    ApplicationRecorderTestCase[ChainedSQLiteApplicationRecorder]
):
    db_uri = ":memory:"

    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path: Path) -> None:
        self.directory = tmp_path

    def create_recorder(self) -> ChainedSQLiteApplicationRecorder:
        recorder = ChainedSQLiteApplicationRecorder(
            SQLiteDatastore(db_name=self.db_uri, pool_size=100)
        )
        recorder.create_table()
        self.recorder = recorder
        return recorder

    def test_insert_subscribe(self) -> None:
        self.db_uri = f"file:{self.directory}/subscribe.sqlite"
        super().optional_test_insert_subscribe()

    def test_concurrent_no_conflicts(self, initial_position: int = 0) -> None:
        self.db_uri = f"file:{self.directory}/concurrent.sqlite"
        super().test_concurrent_no_conflicts()
        assert_chain_verifies(self.recorder, 10_000)

    def test_concurrent_no_conflicts_in_memory_db(self) -> None:
        self.db_uri = "file::memory:?cache=shared"
        super().test_concurrent_no_conflicts()

    def test_concurrent_throughput(self) -> None:
        self.db_uri = f"file:{self.directory}/throughput.sqlite"
        super().test_concurrent_throughput()


class TestSQLiteTrackingRecorderFromOurFactory(TrackingRecorderTestCase):
    """Projections keep their position with the tracking recorder our factory builds."""

    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path: Path) -> None:
        self.directory = tmp_path
        self.count = 0

    def create_recorder(self) -> TrackingRecorder:
        self.count += 1
        factory = sqlite_store.Factory(
            {"SQLITE_DBNAME": f"{self.directory}/tracking{self.count}.sqlite"}
        )
        return factory.tracking_recorder()


class PostgresDatabase:
    """A fresh database of the test cluster for each test, as eventsourcing's own
    PostgreSQL tests drop and recreate their tables around each test."""

    cluster: ThrowawayCluster
    datastore: PostgresDatastore

    @pytest.fixture(autouse=True)
    def _database(self, postgres_cluster: ThrowawayCluster, postgres_database: str):
        self.cluster = postgres_cluster
        self.dbname = postgres_database
        self.datastore = self.new_datastore()
        yield
        self.datastore.close()

    def new_datastore(self) -> PostgresDatastore:
        return PostgresDatastore(
            self.dbname,
            "127.0.0.1",
            self.cluster.port,
            SUPERUSER,
            self.cluster.password,
            pool_size=1,
            max_overflow=0,
        )


class TestChainedPostgresApplicationRecorder(
    PostgresDatabase, ApplicationRecorderTestCase[ChainedPostgresApplicationRecorder]
):
    def create_recorder(self) -> ChainedPostgresApplicationRecorder:
        recorder = ChainedPostgresApplicationRecorder(self.datastore)
        recorder.create_table()
        self.recorder = recorder
        return recorder

    def test_insert_subscribe(self) -> None:
        self.datastore.pool.open()
        self.datastore.pool.resize(2, 2)
        super().optional_test_insert_subscribe()

    def test_concurrent_no_conflicts(self, initial_position: int = 0) -> None:
        self.datastore.pool.open()
        self.datastore.pool.resize(12, 12)
        super().test_concurrent_no_conflicts()
        assert_chain_verifies(self.recorder, 10_000)

    def test_concurrent_throughput(self) -> None:
        self.datastore.pool.open()
        self.datastore.pool.resize(10, 10)
        super().test_concurrent_throughput()


class TestPostgresTrackingRecorderFromOurFactory(PostgresDatabase, TrackingRecorderTestCase):
    def create_recorder(self) -> TrackingRecorder:
        factory = postgres_store.Factory(
            {
                "POSTGRES_DBNAME": self.dbname,
                "POSTGRES_HOST": "127.0.0.1",
                "POSTGRES_PORT": str(self.cluster.port),
                "POSTGRES_USER": SUPERUSER,
                "POSTGRES_PASSWORD": self.cluster.password,
            }
        )
        self.addCleanup(factory.close)
        return factory.tracking_recorder()


del ApplicationRecorderTestCase, TrackingRecorderTestCase
