"""Appends events in a loop until killed, printing `position event-id` for every
event once its append has returned (tests/integration/test_crash.py kills it)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from followup.bootstrap import bootstrap
from tests.storelog import extra_events


def main(url: str, seed: int) -> None:
    rng = random.Random(seed)
    services = bootstrap(url, load_entry_points=False)
    app = services.app
    print("ready", flush=True)
    n = 0
    while True:
        raws = extra_events(rng.randint(1, 4), seed=seed * 100_000 + n)
        n += 1
        recorded = app.record_batch([app.validate(raw) for raw in raws], "crash", None)
        sys.stdout.write("".join(f"{e.position} {e.id}\n" for e in recorded))
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
