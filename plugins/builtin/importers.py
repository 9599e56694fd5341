"""Built-in importer adapters: JSON Lines and CSV (``followup events import``)."""

from __future__ import annotations

from adapters import csv_importer, jsonl_importer
from core.importing import Importer
from plugins import hookimpl


@hookimpl
def followup_importers() -> list[Importer]:
    return [jsonl_importer.IMPORTER, csv_importer.IMPORTER]
