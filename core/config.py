"""The operator's configuration of scheduled jobs and notifiers: a small TOML or JSON
file named by ``--config`` or ``FOLLOWUP_CONFIG`` (or the JSON itself in that variable,
for deployments configured by environment only). Secrets are never in it: a notifier
names the environment variable that holds its password or shared secret."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.notifying import ConfigError

CONFIG_VARIABLE = "FOLLOWUP_CONFIG"
SECTIONS = ("timezone", "notifiers", "jobs")


@dataclass(frozen=True)
class Config:
    """The configuration as read: `source` says where from (for messages)."""

    source: str
    timezone: str = "UTC"
    notifiers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    jobs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def load_config(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the configuration; without any, every job keeps its defaults and nothing
    is notified."""
    environ = os.environ if environ is None else environ
    value = explicit or environ.get(CONFIG_VARIABLE) or ""
    if not value.strip():
        return Config("defaults")
    if value.lstrip().startswith("{"):
        source = f"${CONFIG_VARIABLE}"
        try:
            data = json.loads(value)
        except json.JSONDecodeError as error:
            raise ConfigError(f"{source}: not valid JSON ({error.msg})") from None
    else:
        path = Path(value)
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"{source}: cannot be read ({error.strerror})") from None
        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
        except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"{source}: {error}") from None
    return parse_config(data, source)


def parse_config(data: Any, source: str) -> Config:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: the configuration is a table (an object)")
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"{source}: {unknown[0]} is not a setting; known: {', '.join(SECTIONS)}")
    timezone = data.get("timezone", "UTC")
    if not isinstance(timezone, str):
        raise ConfigError(f"{source}: timezone is a name such as UTC or Europe/Amsterdam")
    sections = {}
    for name in ("notifiers", "jobs"):
        section = data.get(name, {})
        if not isinstance(section, Mapping) or not all(
            isinstance(v, Mapping) for v in section.values()
        ):
            raise ConfigError(f"{source}: {name} is a table of tables ([{name}.NAME])")
        sections[name] = {key: dict(value) for key, value in section.items()}
    return Config(source, timezone, sections["notifiers"], sections["jobs"])
