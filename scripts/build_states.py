#!/usr/bin/env python3
"""Build the States and territories the system knows (core/data/states.json) from OCHA's
Countries & Territories Taxonomy, as the ``hdx-python-country`` wheel ships it.

Why this source: a State, for the follow-up, is one the United Nations lists, and its
name is the one the United Nations uses. The taxonomy carries, for every ISO 3166-1
code, whether the country "Appears in UNTERM list" (the UN terminology database's list
of country names: the 193 Member States, the two observer States — the Holy See and the
State of Palestine — and the Cook Islands and Niue, States whose full treaty-making
capacity the Secretary-General recognises) and the UN Statistics Division's M49 short
names in English and French (Assembly documents use these forms: "Democratic Republic
of the Congo", "Republic of Korea"). Everything else the taxonomy lists (Antarctica,
Bermuda, American Samoa...) is a territory: known, so that events recorded before this
check still read with a name, and refused wherever a State is required.

The taxonomy's "English Short" column was checked against "M49 English" and found
wrong for Nauru ("Naoero"), so names come from the M49 columns.

The source CSV and its licence are kept in ``scripts/data/`` with where they came from
(``scripts/data/ocha-countries-and-territories.json``); ``--check`` (run by the test
suite) proves that the committed ``states.json`` is exactly what they give. To update:

    pip download hdx-python-country --no-deps -d /tmp/hdx
    python scripts/build_states.py --wheel /tmp/hdx/hdx_python_country-*.whl

Usage: python scripts/build_states.py [--wheel WHEEL] [--check]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from typing import Any

from generated import write_or_check

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "scripts" / "data"
SOURCE = DATA / "ocha-countries-and-territories.csv"
LICENCE = DATA / "ocha-countries-and-territories.LICENSE"
PROVENANCE = DATA / "ocha-countries-and-territories.json"
OUTPUT = REPO / "core" / "data" / "states.json"

CSV_IN_WHEEL = re.compile(r"^hdx/location/Countries & Territories Taxonomy.*\.csv$")
LICENCE_IN_WHEEL = re.compile(r"^hdx_python_country-[^/]+\.dist-info/licenses/LICENSE$")
WHEEL_NAME = re.compile(r"^hdx_python_country-(?P<version>[^-]+)-")

#: The number of States of the UNTERM list (193 members, 2 observers, Cook Islands, Niue).
EXPECTED_STATES = 197
CODE = "ISO 3166-1 Alpha 3-Codes"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def from_wheel(wheel: Path) -> None:
    """Copy the taxonomy and the licence out of a wheel, and record where they came from."""
    match = WHEEL_NAME.match(wheel.name)
    if match is None:
        raise SystemExit(f"{wheel.name} is not a hdx-python-country wheel")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        table = [n for n in names if CSV_IN_WHEEL.match(n)]
        licence = [n for n in names if LICENCE_IN_WHEEL.match(n)]
        if len(table) != 1 or len(licence) != 1:
            raise SystemExit(f"{wheel.name} does not hold one taxonomy CSV and one licence")
        data = archive.read(table[0])
        SOURCE.write_bytes(data)
        LICENCE.write_bytes(archive.read(licence[0]))
    provenance = {
        "dataset": "Countries & Territories Taxonomy, UN OCHA",
        "dataset_url": "https://data.humdata.org/dataset/countries-and-territories",
        "package": "hdx-python-country",
        "package_version": match["version"],
        "package_url": f"https://pypi.org/project/hdx-python-country/{match['version']}/",
        "wheel": wheel.name,
        "wheel_sha256": sha256(wheel.read_bytes()),
        "file_in_wheel": table[0],
        "csv_sha256": sha256(data),
        "licence": "MIT (hdx-python-country; the licence is kept beside the CSV)",
        "retrieved_on": datetime.now(UTC).date().isoformat(),
    }
    PROVENANCE.write_text(json.dumps(provenance, indent=1, sort_keys=True) + "\n", "utf-8")


def build(source: bytes, provenance: dict[str, Any]) -> dict[str, Any]:
    """The States and territories, sorted by code, with where they came from."""
    if sha256(source) != provenance["csv_sha256"]:
        raise ValueError(f"{SOURCE.name} is not the file recorded in {PROVENANCE.name}")
    rows = list(csv.DictReader(io.StringIO(source.decode("utf-8"))))
    states: list[dict[str, Any]] = []
    territories: list[dict[str, Any]] = []
    latest = ""
    for row in rows:
        code = row[CODE].strip()
        if not code or row["Deprecated"] == "Y":
            continue  # rows without an ISO code (Kosovo, Sark...) or gone (Netherlands Antilles)
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ValueError(f"not an ISO 3166-1 alpha-3 code: {code!r}")
        listed = row["Appears in UNTERM list"] == "Y"
        if listed != (row["Independent"] == "Y"):
            raise ValueError(f"{code}: the UNTERM list and 'Independent' disagree")
        name = row["M49 English"].strip() or row["Preferred Term"].strip()
        record = {
            "code": code,
            "m49": int(row["m49 numerical code"]) if row["m49 numerical code"] else None,
            "name": name,
            "name_fr": row["M49 French"].strip() or None,
        }
        if listed:
            if not record["name_fr"]:
                raise ValueError(f"{code}: a State without a French name")
            states.append(record)
        else:
            territories.append(record)
        latest = max(latest, row["Reference Period Start"])
    codes = [r["code"] for r in states + territories]
    if len(codes) != len(set(codes)):
        raise ValueError("a code appears twice")
    if len(states) != EXPECTED_STATES:
        raise ValueError(
            f"expected {EXPECTED_STATES} States in the UNTERM list, found {len(states)}"
        )
    return {
        "source": {
            **provenance,
            "data_as_of": latest,
            "states": "rows with 'Appears in UNTERM list' = Y",
            "names": "'M49 English' and 'M49 French' (UN Statistics Division short names)",
            "generated_by": "scripts/build_states.py",
        },
        "states": sorted(states, key=lambda r: r["code"]),
        "territories": sorted(territories, key=lambda r: r["code"]),
    }


def render(data: dict[str, Any]) -> str:
    """Deterministic text, one State or territory a line: regeneration gives identical
    bytes, and a change of the source shows as a readable diff."""

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    parts = [
        f' "source": {json.dumps(data["source"], indent=2, ensure_ascii=False, sort_keys=True)}'
    ]
    for key in ("states", "territories"):
        rows = ",\n".join(f"  {dumps(record)}" for record in data[key])
        parts.append(f' "{key}": [\n{rows}\n ]')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--wheel", type=Path, help="take the taxonomy from this wheel first")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if OUTPUT differs from a fresh build"
    )
    args = parser.parse_args(argv)
    if args.wheel is not None:
        if args.check:
            parser.error("--check reads the committed source; give no --wheel")
        from_wheel(args.wheel)
    provenance = json.loads(PROVENANCE.read_text(encoding="utf-8"))
    fresh = render(build(SOURCE.read_bytes(), provenance))
    return write_or_check(args.output, fresh, check=args.check)


if __name__ == "__main__":
    sys.exit(main())
