"""The layers of README's architecture, as imports: each package imports only the
packages below it. Read from the source with ast (imports inside functions and under
TYPE_CHECKING count too), so an arrow up the layers fails here, not in review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Which of the project's packages each package may import (besides itself).
MAY_IMPORT: dict[str, set[str]] = {
    # The outsider's verifier: Python and cryptography only, so that anyone can read it.
    "auditor": set(),
    "core": {"auditor"},
    "adapters": {"core", "auditor"},
    "reports": {"core", "auditor"},
    "plugins": {"core", "adapters", "reports", "auditor"},
    # The composition root, above everything but the entry points.
    "followup": {"core", "adapters", "plugins", "reports", "auditor"},
    # The entry points serve the built-in areas' named view endpoints (plugins/builtin/
    # queries.py) and get everything else from the composition root.
    "api": {"core", "reports", "followup", "plugins", "auditor"},
    "cli": {"core", "reports", "followup", "api", "plugins", "auditor"},
}


def imported_packages(path: Path) -> set[str]:
    """The top-level packages a module imports, wherever the import statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    ours = set(MAY_IMPORT)
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(package)
        for name in imported_packages(path) & ours - {package} - MAY_IMPORT[package]
    }
    assert not wrong, sorted(wrong)


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from plugins import collect\n    import adapters.chain\n")
    assert imported_packages(module) == {"plugins", "adapters"}
