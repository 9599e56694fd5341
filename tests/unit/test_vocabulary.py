"""Areas own their words: core/ and reports/ name no event type and read no view of a
built-in plugin, so that adding an event type touches one file of plugins/. Event-type
names are looked for in every file (code, templates, styles); view names where a view
is named in code: a string given to ``items``, ``item`` or ``view=``, or any string
constant equal to a view's name in a module that reads views."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from followup.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
GUARDED = ("core", "reports")
#: Files that are data, not code: the 2007 report's text and what is parsed from it.
DATA = ("core/data/",)


def guarded_files() -> list[Path]:
    return sorted(
        path
        for folder in GUARDED
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix not in (".ttf", ".pyc")
        and not str(path.relative_to(ROOT)).startswith(DATA)
    )


def test_core_and_reports_name_no_built_in_event_type() -> None:
    registry = Registry.load(load_entry_points=False)
    names = sorted(t.name for t in registry.event_types)
    pattern = re.compile(r"\b(" + "|".join(names) + r")\b")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(1)}"
        for path in guarded_files()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        for match in pattern.finditer(line)
    ]
    assert not found, found


def reads_views(tree: ast.AST) -> bool:
    """Whether a module reads views: it calls ``items(...)`` or ``item(...)`` with
    arguments (a dict's ``items()`` takes none), or gives a ``view=``."""
    return any(
        isinstance(node, ast.Call)
        and (
            (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in ("items", "item")
                and node.args
            )
            or any(keyword.arg == "view" for keyword in node.keywords)
        )
        for node in ast.walk(tree)
    )


def view_names_in(source: str, views: set[str]) -> list[tuple[int, str]]:
    """(line, name) of every string constant naming one of `views` in Python source
    that reads views (elsewhere such a string is a key of data, not a view)."""
    tree = ast.parse(source)
    if not reads_views(tree):
        return []
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in views
    ]


def test_core_and_reports_read_no_view_of_a_built_in_plugin() -> None:
    registry = Registry.load(load_entry_points=False)
    views = {handler.view for handler in registry.view_handlers}
    assert {"agreements", "parties", "warrants", "requests", "assessments"} <= views
    found = [
        f"{path.relative_to(ROOT)}:{line}: {name!r}"
        for path in guarded_files()
        if path.suffix == ".py"
        for line, name in view_names_in(path.read_text(), views)
    ]
    assert not found, found


def test_the_check_finds_a_view_named_in_code() -> None:
    source = 'def f(reading):\n    return reading.items("agreements")\n'
    assert view_names_in(source, {"agreements"}) == [(2, "agreements")]
    # Named apart from the read, in a module that reads views.
    source = 'VIEW = "agreements"\n\ndef f(reading):\n    return reading.items(VIEW)\n'
    assert view_names_in(source, {"agreements"}) == [(1, "agreements")]
    # A key of the report's data that is also a view's name, in a module reading none.
    source = 'def f(data):\n    return data["areas"].get("agreements", {}).items()\n'
    assert view_names_in(source, {"agreements"}) == []
