"""A plugin needs nothing but its own package: tests/plugin_sanctions imports only the
plugin API (``followup.plugin``) and contributes an event type with its sentence in
English and French, a view, a figure and a section of the annual report, which then
appear in the catalogue, the views, the summary, the activities, the report's cluster
4 and its attached data, with no line changed anywhere else."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import followup.plugin
import tests.plugin_sanctions as sanctions
from core.views.model import Level
from core.words import Words
from followup.bootstrap import Services, bootstrap
from plugins.builtin import queries
from reports.annual import gather_data
from reports.annual.document import drawing, html
from tests.report_history import record

STDLIB = set(sys.stdlib_module_names) | {"__future__"}


def test_the_plugin_imports_the_plugin_api_only() -> None:
    tree = ast.parse(Path(sanctions.__file__).read_text())
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert {name for name in imported if name.split(".")[0] not in STDLIB} == {"followup.plugin"}


def test_the_plugin_api_exports_what_it_lists() -> None:
    missing = [name for name in followup.plugin.__all__ if not hasattr(followup.plugin, name)]
    assert not missing


@pytest.fixture
def services() -> Services:
    services = bootstrap("memory://", load_entry_points=False, extra_plugins=[sanctions])
    record(services.app)
    for raw in (
        {
            "type": "SanctionsRegimeAdopted",
            "occurred_on": "2024-03-05",
            "regime": "SR-NLD",
            "state": "NLD",
            "measure": "asset_freeze",
            "persons": 3,
        },
        {
            "type": "SanctionsRegimeAdopted",
            "occurred_on": "2024-04-01",
            "regime": "SR-KEN",
            "state": "KEN",
            "measure": "travel_ban",
            "persons": 12,
            "classification": "restricted",
        },
    ):
        services.app.record_raw(raw, "focal-point", None)
    yield services
    services.close()


def test_a_plugin_adds_a_type_its_sentence_a_view_a_figure_and_a_report_section(
    services: Services,
) -> None:
    event_type = services.catalogue["SanctionsRegimeAdopted"]
    payload = {"regime": "SR-X", "state": "AUT", "measure": "asset_freeze", "persons": 1}
    assert event_type.reads(payload, Words("en")) == (
        "Austria adopted a sanctions regime (asset freeze) covering one listed person."
    )
    assert event_type.reads(payload, Words("fr")) == (
        "Autriche\u00a0: adoption d’un régime de sanctions (gel des avoirs) visant une "
        "personne inscrite."
    )

    views = services.views
    reading = views.reading(Level.RESTRICTED)
    assert sorted(i["state"] for i in reading.items("sanctions_regimes")) == ["KEN", "NLD"]
    assert views.summary(reading)["sanctions.states"]["value"] == 2
    listed = queries.activities(reading, types=["SanctionsRegimeAdopted"])
    assert [a["regime"] for a in listed] == ["SR-NLD", "SR-KEN"]

    data = gather_data(services, year=2024, draft=True)
    cluster = data["sections"]["I.D"]
    # The data keeps each event's type and payload; the document writes its sentence.
    texts = [
        services.app.catalogue[row["type"]].reads(row["payload"], Words("en"))
        for row in cluster["activities"]
    ]
    assert (
        "Netherlands (Kingdom of the) adopted a sanctions regime (asset freeze) covering "
        "three listed persons." in texts
    )
    assert not any("Kenya adopted" in text for text in texts)  # restricted: not itemised
    assert cluster["withheld"] == 1
    assert data["figures"]["sanctions.states"]["value"] == 2
    # The built-in areas' sections are there too (non-cooperation, contributions).
    [added] = [s for s in data["plugin_sections"] if s["key"] == "sanctions.regimes"]
    assert added["after"] == "I.D"
    assert "2 States had a sanctions regime; public: NLD." in added["html"]
    document = html(data, drawing(services), "en")
    assert document.index("Sanctions regimes") > document.index("Cluster 4: Arrest and surrender")
