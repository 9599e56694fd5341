"""The README's tables of event types and of the 66 recommendations are what the
catalogue says (scripts/catalogue_tables.py --check): every type is there with its area,
writers, the recommendations it serves and its rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "catalogue_tables.py"


def test_the_readme_tables_are_current():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_every_type_of_the_catalogue_is_in_the_readme(memory_services):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[
        readme.index("<!-- event-types:begin -->") : readme.index("<!-- event-types:end -->")
    ]
    for name in memory_services.catalogue.names():
        assert f"| `{name}` |" in table, name
    rows = readme[readme.index("<!-- recommendations:begin -->") :]
    assert all(f"\n| {n} | " in rows for n in range(1, 67))
