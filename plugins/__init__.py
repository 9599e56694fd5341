"""Plugin manager. Built-in areas of the 2007 report are plugins like any other; third
parties add theirs through the entry-point group ``followup.plugins``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pluggy

from plugins import hookspecs

PROJECT = "followup"
ENTRY_POINT_GROUP = "followup.plugins"
#: Installed plugins (entry-point names, comma-separated) not to load: an operator turns
#: a plugin off without uninstalling it.
DISABLE_VARIABLE = "FOLLOWUP_DISABLE_PLUGINS"

hookimpl = pluggy.HookimplMarker(PROJECT)

#: Built-in plugins, one module per area of the report plus the technology adapters.
BUILTIN = (
    "plugins.builtin.legal_framework",
    "plugins.builtin.membership",
    "plugins.builtin.diplomatic_support",
    "plugins.builtin.judicial_assistance",
    "plugins.builtin.situations",
    "plugins.builtin.arrest_and_surrender",
    "plugins.builtin.non_cooperation",
    "plugins.builtin.custody",
    "plugins.builtin.witness_protection",
    "plugins.builtin.contributions",
    "plugins.builtin.logistics",
    "plugins.builtin.personnel",
    "plugins.builtin.united_nations",
    "plugins.builtin.court_outputs",
    "plugins.builtin.regional_organisations",
    "plugins.builtin.record_keeping",
    "plugins.builtin.organisations",
    "plugins.builtin.access",
    "plugins.builtin.scheduled_jobs",
    "plugins.builtin.transparency",
    "plugins.builtin.stores",
    "plugins.builtin.importers",
    "plugins.builtin.notifiers",
)


def plugin_manager(
    *, load_entry_points: bool = True, extra: Iterable[Any] = ()
) -> pluggy.PluginManager:
    """A manager with the built-ins, `extra` plugin objects, and (unless told not to, as
    tests do) every plugin installed under the entry-point group."""
    import importlib

    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    for name in BUILTIN:
        manager.register(importlib.import_module(name), name=name)
    for plugin in extra:
        manager.register(plugin)
    if load_entry_points:
        for name in disabled_plugins():
            if manager.get_plugin(name) is None:  # built-ins cannot be turned off
                manager.set_blocked(name)
        manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    return manager


def disabled_plugins() -> list[str]:
    """The installed plugins FOLLOWUP_DISABLE_PLUGINS names."""
    import os

    value = os.environ.get(DISABLE_VARIABLE, "")
    return [name.strip() for name in value.split(",") if name.strip()]


def collect(hook: Any) -> list[Any]:
    """Flatten the lists a hook returns, in registration order."""
    return [item for result in reversed(hook()) for item in (result or [])]


__all__ = ["DISABLE_VARIABLE", "ENTRY_POINT_GROUP", "collect", "hookimpl", "plugin_manager"]
