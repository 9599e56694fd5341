"""eventsourcing's projection runners work on the embedded default: our SQLite
recorder has subscribe() (eventsourcing's has none), which wakes at once for events
written by its own process and polls for those written by other processes."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from functools import singledispatchmethod
from pathlib import Path
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner

from core.application import FollowUp
from core.catalogue import Catalogue
from followup.bootstrap import bootstrap
from tests.samples import every_type

ROOT = Path(__file__).resolve().parents[2]


class Reader(FollowUp):
    """The log read by a separate process (a projection runner), no plugins needed."""

    def __init__(self, env: Any = None) -> None:
        super().__init__(env or {}, Catalogue([]))


class CountingView(POPOTrackingRecorder):
    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def count(self, event_type: str, tracking: Tracking) -> None:
        with self.lock:
            self.insert_tracking(tracking)
            self.counts[event_type] += 1


class CountByType(Projection[CountingView]):
    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.count(domain_event.type, tracking)


def test_a_projection_runner_follows_the_embedded_store(tmp_path, sqlite_url):
    services = bootstrap(sqlite_url, load_entry_points=False)
    app = services.app
    first = app.record_batch([app.validate(e) for e in every_type()[:3]], "tester", None)
    env = {
        "PERSISTENCE_MODULE": "adapters.sqlite_store:Factory",
        "SQLITE_DBNAME": sqlite_url.removeprefix("sqlite:///"),
        "COUNTBYTYPE_PERSISTENCE_MODULE": "eventsourcing.popo",
    }
    with ProjectionRunner(
        application_class=Reader,
        projection_class=CountByType,
        view_class=CountingView,
        env=env,
    ) as runner:
        # Events recorded before the runner started.
        runner.wait(first[-1].position, timeout=5)
        assert runner.view.counts == Counter(e.type for e in first)
        # Events recorded by another process: found by polling, within moments.
        script = (
            "import sys; sys.path.insert(0, sys.argv[2]);"
            "from followup.bootstrap import bootstrap; from tests.samples import every_type;"
            "s = bootstrap(sys.argv[1], load_entry_points=False);"
            "print(s.app.record_raw(every_type()[5], 't', None).position)"
        )
        started = time.monotonic()
        position = int(
            subprocess.run(
                [sys.executable, "-c", script, sqlite_url, str(ROOT)],
                check=True,
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout
        )
        runner.wait(position, timeout=5)
        assert runner.view.counts["APICRatified"] == 1
        assert time.monotonic() - started < 5
        # And events recorded through another recorder in this process.
        event = app.record_raw(every_type()[3], "tester", None)
        runner.wait(event.position, timeout=5)
        assert sum(runner.view.counts.values()) == 5
    services.close()


def test_a_subscription_stops_cleanly(sqlite_services):
    recorder = sqlite_services.app.recorder
    subscription = recorder.subscribe(gt=None)
    with subscription:
        received: list[int] = []

        def consume() -> None:
            for notification in subscription:
                received.append(notification.id)

        consumer = threading.Thread(target=consume)
        consumer.start()
        sqlite_services.app.record_raw(every_type()[0], "tester", None)
        deadline = time.monotonic() + 5
        while not received and time.monotonic() < deadline:
            time.sleep(0.01)
        subscription.stop()
        consumer.join(timeout=5)
        assert not consumer.is_alive()
    assert received == [1]
    assert not subscription._poll_thread.is_alive()
