"""The console's pages at scale: a bureau member signed in, on the synthetic history of
N events (1,000,000 for `make bench`), each page drawn by the app in this process
(Flask's test client: the server's own time, no network), as of random times:

- the dashboard (every headline figure, charts and every figure's table) as of a random
  transaction time: p50 and p99, target p50 <= 100 ms; its baseline is the API's
  `GET /api/v1/summary` for the same times (the same reading, as JSON);
- the recommendations page as of a random time, the first page of the log's events and
  of the agreements, for information.

The history and its views take minutes to build at a million events, so they are kept
between runs in bench/.cache/ (keyed by size and seed; not in git) and built again only
when missing or unreadable.

    python -m bench.console --events 200000
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp

from bench.common import Figure, publish
from bench.history import build
from followup.bootstrap import Services, bootstrap

FULL_ARGS = ("--events", "1000000")
QUICK_ARGS = ("--events", "20000", "--queries", "20")

CACHE = Path(__file__).resolve().parent / ".cache"
PASSWORD = "a bench account's password"


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def history(events: int, seed: int) -> str:
    """A store holding the synthetic history with its views caught up (kept)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"console-{events}-{seed}.sqlite"
    url = f"sqlite:///{path}"
    ready = path.with_suffix(".ready")
    if ready.exists():
        try:
            services = bootstrap(url, load_entry_points=False)
            if services.app.head().position >= events:
                services.views.projection.catch_up()
                services.close()
                return url
            services.close()
        except Exception as error:  # a store of another layout: build it again
            say(f"the kept history is not usable ({error}); building it again")
    for stale in CACHE.glob(f"console-{events}-{seed}.*"):
        stale.unlink() if stale.is_file() else shutil.rmtree(stale)
    services = bootstrap(url, load_entry_points=False)
    say(f"building {events:,} events (kept in {CACHE}) ...")
    build(services.app, events, seed=seed, batch=5_000)
    say("folding the views ...")
    services.views.projection.catch_up()
    services.close()
    ready.touch()
    return url


def signed_in(services: Services, client: Any) -> None:
    """A bureau member signed in through the console's own forms."""
    email = f"bench-{time.time_ns()}@example.org"
    secret = services.accounts.open(email, "Bench", "bureau", PASSWORD, "bench").secret

    def token(path: str) -> str:
        page = client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    client.post(
        "/console/sign-in",
        data={"csrf_token": token("/console/sign-in"), "email": email, "password": PASSWORD},
    )
    answer = client.post(
        "/console/sign-in/code",
        data={"csrf_token": token("/console/sign-in/code"), "code": pyotp.TOTP(secret).now()},
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)


def timed(read: Callable[[], Any], rounds: list[Any]) -> list[float]:
    durations = []
    for value in rounds:
        start = time.perf_counter()
        answer = read(value)  # type: ignore[call-arg]
        durations.append(time.perf_counter() - start)
        assert answer.status_code == 200, answer.status_code
    return durations


def p(durations: list[float], share: float) -> float:
    ordered = sorted(durations)
    return ordered[max(0, int(len(ordered) * share) - 1)] * 1000


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50, help="pages timed of each kind")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    from api import create_app

    url = history(args.events, args.seed)
    services = bootstrap(url, load_entry_points=False)
    app = create_app({"LOAD_ENTRY_POINTS": False}, services=services)
    console = app.test_client()
    signed_in(services, console)
    api = app.test_client()
    token = services.tokens.create(f"bench-{time.time_ns()}", "bureau", "bench")
    size = services.app.head().position
    rng = random.Random(args.seed)
    log = services.app.log
    times = [
        log.select_records(after=position - 1, upto=position, limit=1)[0].recorded_at
        for position in sorted(rng.randint(1, size) for _ in range(args.queries))
    ]
    for warm in ("/console/", "/console/recommendations", "/console/events"):
        console.get(warm)
    say(f"timing pages on {size:,} events ...")
    dashboard = timed(lambda t: console.get("/console/", query_string={"as_of": t}), times)
    summary = timed(
        lambda t: api.get(
            "/api/v1/summary",
            query_string={"as_of": t},
            headers={"Authorization": f"Bearer {token}"},
        ),
        times,
    )
    recommendations = timed(
        lambda t: console.get("/console/recommendations", query_string={"as_of": t}), times
    )
    few = times[: max(5, len(times) // 5)]
    events = timed(lambda t: console.get("/console/events"), few)
    agreements = timed(lambda t: console.get("/console/views/agreements"), few)
    services.close()

    dashboard_p50 = statistics.median(dashboard) * 1000
    return [
        Figure("log size", size, "events"),
        Figure(
            "console dashboard as of a random time, p50",
            dashboard_p50,
            "ms",
            baseline=statistics.median(summary) * 1000,
            target="<= 100 ms (baseline: GET /api/v1/summary, same times)",
            met=dashboard_p50 <= 100,
        ),
        Figure("console dashboard as of a random time, p99", p(dashboard, 0.99), "ms"),
        Figure(
            "console recommendations (66) as of a random time, p50",
            statistics.median(recommendations) * 1000,
            "ms",
            target="<= 100 ms",
            met=statistics.median(recommendations) * 1000 <= 100,
        ),
        Figure("console events, first page (50), p50", statistics.median(events) * 1000, "ms"),
        Figure(
            "console agreements, first page (50), p50", statistics.median(agreements) * 1000, "ms"
        ),
    ]


if __name__ == "__main__":
    publish("console", main())
