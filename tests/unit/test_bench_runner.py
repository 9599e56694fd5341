"""`make bench` (bench/__main__.py): it finds every benchmark, knows how the full and
the quick runs drive each, runs one in a process of its own and reports one that fails
without stopping the others. (The benchmarks themselves are run by `make bench`, not by
the suite: their figures are ratios on a noisy machine, not pass/fail tests.)"""

from __future__ import annotations

import json

import pytest

from bench.__main__ import Outcome, arguments, benchmarks, record_run, run_one, summary
from bench.common import Figure


def test_every_benchmark_is_found_with_its_full_and_quick_sizes():
    found = benchmarks()
    assert {"store", "api", "views", "report"} <= set(found)
    assert not {"common", "history"} & set(found)  # helpers, not benchmarks
    assert arguments(found["views"], quick=False)[:2] == ["--events", "1000000"]
    for module in found.values():
        assert isinstance(arguments(module, quick=True), list)


def test_a_failing_benchmark_is_reported_and_the_run_goes_on(tmp_path):
    failed = run_one("no_such_benchmark", ["--events", "1"])
    assert failed.figures == [] and failed.error and "exit status 1" in failed.error
    good = Outcome("store", [], 1.0, [Figure("append", 2.0, "events/s", 4.0, ">= 0.8x", met=False)])
    text = summary([good, failed], 3.0, quick=True)
    assert "no_such_benchmark" in text and "FAILED: exit status 1" in text
    assert "0.50x" in text and "targets met: 0 of 1" in text
    results = tmp_path / "results.json"
    record_run(results, [good, failed], 3.0, quick=True)
    run = json.loads(results.read_text())["_run"]
    assert run["mode"] == "quick"
    assert run["benchmarks"]["no_such_benchmark"]["error"].startswith("exit status")


def test_unknown_benchmarks_are_refused(capsys):
    from bench.__main__ import main

    with pytest.raises(SystemExit) as stopped:
        main(["--only", "nope"])
    assert stopped.value.code == 2
    assert "no benchmark nope" in capsys.readouterr().err
