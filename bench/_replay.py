"""The full replay alone: forget a store's views and fold its whole log again, in this
process, timed. `bench.views` runs it in a fresh child for its replay figures; run by
hand it measures (or profiles) one store's replay at any commit:

    python -m bench._replay sqlite:///copy-of-a-store.sqlite
    py-spy record -o replay.txt -f raw -- python -m bench._replay sqlite:///copy.sqlite

It rewrites the store's views (derived rows only; the log is read, never written).
Prints one line of JSON: seconds, the fold's own CPU seconds, its forks' (the helper
and the write-behind of a long fold, core/views/helper.py and behind.py), peak RSS in
kB (the fold's own), events per second, and the position reached after each page (with
the seconds it took to get there).
"""

from __future__ import annotations

import json
import resource
import sys
import time

from followup.bootstrap import bootstrap


def replay(url: str) -> dict[str, object]:
    services = bootstrap(url, load_entry_points=False)
    try:
        progress = [(0, 0.0)]
        start, cpu, forks = time.perf_counter(), time.process_time(), _forks_cpu()
        position = services.views.projection.rebuild(
            progress=lambda at: progress.append((at, time.perf_counter() - start))
        )
        seconds = time.perf_counter() - start
        return {
            "seconds": seconds,
            "cpu_seconds": time.process_time() - cpu,
            "forks_cpu_seconds": _forks_cpu() - forks,
            "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "events_per_second": position / seconds if seconds else 0.0,
            "progress": progress,
        }
    finally:
        services.close()


def _forks_cpu() -> float:
    """CPU seconds of this process's children that have ended."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


if __name__ == "__main__":
    print(json.dumps(replay(sys.argv[1])))
