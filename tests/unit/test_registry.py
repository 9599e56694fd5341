"""The composition root calls every hook once (followup/registry.py), whatever the
services then build, and refuses a name two plugins contribute."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from core.jobs import Job
from followup.bootstrap import bootstrap
from followup.registry import Registry
from plugins import hookimpl, hookspecs
from reports.annual import gather_data
from tests.report_history import record

HOOKS = sorted(name for name in vars(hookspecs) if name.startswith("followup_"))


class Counting:
    """A plugin that counts how often each hook is called."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        for name in HOOKS:
            setattr(self, name, hookimpl(self._counter(name)))

    def _counter(self, name: str) -> Any:
        def hook() -> list[Any]:
            self.calls[name] += 1
            return []

        hook.__name__ = name
        return hook


def test_every_hook_is_called_once_whatever_is_built() -> None:
    counting = Counting()
    services = bootstrap("memory://", load_entry_points=False, extra_plugins=[counting])
    try:
        record(services.app)
        gather_data(
            services, year=2024, draft=True
        )  # views, figures, indicators, report contributions
        assert services.jobs and services.importers and services.notifier_kinds
        assert services.tokens.list() == []
    finally:
        services.close()
    assert counting.calls == Counter(dict.fromkeys(HOOKS, 1))


def test_a_name_two_plugins_contribute_is_refused() -> None:
    class Again:
        @hookimpl
        def followup_jobs(self) -> list[Job[Any]]:
            return [Job("digest", "Another digest.", "0 6 * * 1", 60, {}, lambda w, d, o: None)]

    with pytest.raises(ValueError, match="job 'digest' is contributed twice"):
        Registry.load(load_entry_points=False, extra_plugins=[Again()])
