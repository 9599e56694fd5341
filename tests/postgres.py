"""A throwaway PostgreSQL cluster for the test run (and the store benchmark): initdb in
a temporary directory, listening on 127.0.0.1 only, stopped and deleted afterwards.

The PostgreSQL tests never skip: if no cluster can be started, they fail with the
server's own log. `scripts/system-deps.sh` installs the server when initdb is missing.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from followup.bootstrap import Services, bootstrap

SUPERUSER = "followup"


def server_binaries() -> Path:
    """The directory holding initdb and pg_ctl: on PATH, or Debian's versioned place."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not candidates:
        raise RuntimeError(
            "PostgreSQL server binaries (initdb, pg_ctl) not found; run scripts/system-deps.sh"
        )
    return Path(candidates[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThrowawayCluster:
    """One PostgreSQL cluster in a temporary directory. initdb refuses to run as root,
    so as root the server runs as the `postgres` system user (made by the Debian
    package), with its files in a directory that user owns."""

    def __init__(self, *, durable: bool = False) -> None:
        self.bin = server_binaries()
        self.durable = durable
        self.password = secrets.token_urlsafe(16)
        self.port = 0
        self.root = Path(tempfile.mkdtemp(prefix="followup-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log = self.root / "server.log"
        self._owner: pwd.struct_passwd | None = None
        self._names = itertools.count(1)
        self.started = False

    # -- running as the right user ------------------------------------------------

    def _run(self, args: Sequence[str], timeout: float = 60) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}\n{log}"
            )

    def _prepare_directory(self) -> None:
        self.sockets.mkdir()
        if os.geteuid() == 0:
            try:
                self._owner = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError(
                    "running as root, and there is no `postgres` user to run the server "
                    "(install the postgresql package: scripts/system-deps.sh)"
                ) from None
            for path in (self.root, self.sockets):
                os.chown(path, self._owner.pw_uid, self._owner.pw_gid)

    # -- life cycle ---------------------------------------------------------------

    def start(self) -> None:
        self._prepare_directory()
        password_file = self.root / "password"
        password_file.write_text(self.password + "\n")
        if self._owner is not None:
            os.chown(password_file, self._owner.pw_uid, self._owner.pw_gid)
        password_file.chmod(0o600)
        self._run(
            [
                str(self.bin / "initdb"),
                "--pgdata",
                str(self.data),
                "--username",
                SUPERUSER,
                f"--pwfile={password_file}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ]
        )
        password_file.unlink()
        settings = [
            "listen_addresses=127.0.0.1",
            f"unix_socket_directories={self.sockets}",
            "max_connections=300",
        ]
        if not self.durable:
            # Tests kill clients, never the server: durability of the server itself is
            # PostgreSQL's business, and skipping fsync keeps the suite fast.
            settings += ["fsync=off", "synchronous_commit=off", "full_page_writes=off"]
        for attempt in range(5):
            self.port = free_port()
            options = " ".join(f"-c {s}" for s in [*settings, f"port={self.port}"])
            try:
                self._run(
                    [
                        str(self.bin / "pg_ctl"),
                        "start",
                        "--pgdata",
                        str(self.data),
                        "--log",
                        str(self.log),
                        "--wait",
                        "--timeout=60",
                        "-o",
                        options,
                    ],
                    timeout=90,
                )
            except RuntimeError:
                if attempt == 4:
                    raise
                continue  # most likely another process took the port meanwhile
            self.started = True
            return

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self._run(
                    [str(self.bin / "pg_ctl"), "stop", "--pgdata", str(self.data), "-m", "fast"]
                )
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    # -- databases ----------------------------------------------------------------

    def url(self, dbname: str) -> str:
        password = quote(self.password, safe="")
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            dbname=dbname,
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            password=self.password,
            autocommit=True,
        )

    def create_database(self) -> str:
        name = f"followup_{os.getpid()}_{next(self._names)}"
        with self.connect() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with self.connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def running_cluster(*, durable: bool = False) -> Iterator[ThrowawayCluster]:
    cluster = ThrowawayCluster(durable=durable)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[ThrowawayCluster]:
    """Started on first use, stopped at the end of the run."""
    with running_cluster() as cluster:
        yield cluster


@pytest.fixture
def postgres_database(postgres_cluster: ThrowawayCluster) -> Iterator[str]:
    """A fresh, empty database for one test; its name."""
    name = postgres_cluster.create_database()
    yield name
    postgres_cluster.drop_database(name)


@pytest.fixture
def postgres_url(postgres_cluster: ThrowawayCluster, postgres_database: str) -> str:
    """FOLLOWUP_DATABASE_URL of a fresh, empty database."""
    return postgres_cluster.url(postgres_database)


@pytest.fixture
def postgres_services(postgres_url: str) -> Iterator[Services]:
    services = bootstrap(postgres_url, load_entry_points=False)
    yield services
    services.close()
