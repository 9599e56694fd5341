"""Serving the API with a production WSGI server (gunicorn), never Flask's own."""

from __future__ import annotations

import gc
import os
from typing import Any

import click
from gunicorn.app.base import BaseApplication

from api.serving import REQUEST_TIMEOUT, worker_class
from cli.common import database_url_option, open_services

#: Shared memory, where gunicorn's per-worker heartbeat files belong (not a data folder).
SHM = "/dev/shm"  # noqa: S108


class _Gunicorn(BaseApplication):
    """gunicorn run from code; each worker builds its own app (and store connections)."""

    def __init__(self, database_url: str, options: dict[str, Any]) -> None:
        self.database_url = database_url
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from api import create_app
        from api.requestlog import log_to_stderr

        log_to_stderr()
        app = create_app({"FOLLOWUP_DATABASE_URL": self.database_url, "VIEWS_FOLLOWER": True})
        # What the app built lives as long as the worker: keep it out of the garbage
        # collector's full passes, which would otherwise walk it again and again.
        gc.collect()
        gc.freeze()
        return app


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Requests each worker serves at once.",
)
@click.option(
    "--request-timeout",
    default=REQUEST_TIMEOUT,
    show_default=True,
    type=click.FloatRange(1, 3600),
    help="Seconds a request may take to arrive (headers and body) from its first byte; "
    "a slower one gets 408.",
)
@click.option(
    "--worker-timeout",
    default=30,
    show_default=True,
    type=click.IntRange(2, 3600),
    help="Seconds without a heartbeat after which a worker is restarted (its requests get 503).",
)
@database_url_option
def serve(
    host: str,
    port: int,
    workers: int,
    threads: int,
    request_timeout: float,
    worker_timeout: int,
    database_url: str,
) -> None:
    """Serve the HTTP API (gunicorn: WORKERS processes of THREADS threads each; put a
    reverse proxy in front in production, see README "Serving")."""
    with open_services(database_url):
        pass  # there is a store, and it can be written (or: one line, exit 1)
    _Gunicorn(
        database_url,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": worker_class(request_timeout),
            "threads": threads,
            "timeout": worker_timeout,
            # The app writes its own structured request log (api.requestlog) instead.
            "accesslog": None,
            "errorlog": "-",
            "graceful_timeout": 10,
            # Workers touch a heartbeat file on every request: keep it in memory.
            **({"worker_tmp_dir": SHM} if os.path.isdir(SHM) else {}),
        },
    ).run()


COMMANDS = [serve]
