"""An import's reading back of its own events, alone: the last N events of a store read
as `FollowUp.record_batch` reads back what it recorded (`_read_range`: the rows, then
each as an Event), timed. `bench.views` times the same reading during its follower
figure, where it shares the cores with the follower; run by hand, on a store:

    python -m bench._readback sqlite:///a-store.sqlite 100000

Reads only. Prints one line of JSON: the events read, seconds, CPU seconds.
"""

from __future__ import annotations

import json
import sys
import time

from followup.bootstrap import bootstrap


def read_back(url: str, count: int) -> dict[str, float]:
    services = bootstrap(url, load_entry_points=False, create=False)
    try:
        head = services.app.head().position
        start, cpu = time.perf_counter(), time.process_time()
        events = services.app._read_range(max(head - count + 1, 1), head)
        return {
            "events": len(events),
            "seconds": round(time.perf_counter() - start, 3),
            "cpu_seconds": round(time.process_time() - cpu, 3),
        }
    finally:
        services.close()


if __name__ == "__main__":
    print(json.dumps(read_back(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)))
