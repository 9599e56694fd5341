"""The annual report end to end against WeasyPrint's own rendering of the same HTML, in
the same run, on a SQLite log with about a tenth of its events dated in the report's
year.

    python -m bench.report [--events N] [--year-share S] [--rounds R]

End to end is `reports.annual.produce`, in English and in French: read the views at
the log's head three ways (the year, the year before, everything to date), gather the
data, write the sentences, draw the charts, render the template, and WeasyPrint's
PDF/A-3 with the data attached.
The baseline is WeasyPrint alone writing the PDF of that same HTML with the same
options. Target: end to end <= 1.5x the baseline. Rounds alternate between the two and
the medians are compared.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from datetime import date

from bench.common import Figure, publish
from bench.history import build
from core.views.model import Level
from followup.bootstrap import bootstrap
from reports.annual import gather_data, produce, with_document
from reports.annual.document import drawing, html, write_pdf
from tests.report_history import SETTINGS

YEAR = 2024
LANGUAGES = ("en", "fr")
#: How `make bench` drives it (bench/__main__.py): full, and quick (under a minute).
FULL_ARGS = ("--events", "10000")
QUICK_ARGS = ("--events", "3000", "--rounds", "1")


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", "--size", type=int, default=5_000, dest="events")
    parser.add_argument("--year-share", type=float, default=0.1, help="share dated in the year")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        services = bootstrap(f"sqlite:///{folder}/log.sqlite", load_entry_points=False)
        started = time.perf_counter()
        build(services.app, args.events, focus_year=YEAR, focus_share=args.year_share)
        services.views.projection.catch_up()
        prepared = time.perf_counter() - started
        data = with_document(gather_data(services, year=YEAR, config=SETTINGS))
        first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
        reading = services.views.reading(Level.RESTRICTED, first=first, last=last, on=last)
        in_year = reading.facts()
        drawn_with = drawing(services)
        print(
            f"log: {args.events:,} events ({len(in_year):,} standing events dated in {YEAR}), "
            f"built and projected in {prepared:.0f} s"
        )
        for language in LANGUAGES:
            document = html(data, drawn_with, language)
            ends, baselines, gathers, drawings = [], [], [], []
            pdf = b""
            for _ in range(args.rounds):
                start = time.perf_counter()
                pdf = produce(services, year=YEAR, config=SETTINGS, lang=language).pdf
                ends.append(time.perf_counter() - start)
                start = time.perf_counter()
                write_pdf(document, data)
                baselines.append(time.perf_counter() - start)
                start = time.perf_counter()
                gathered = with_document(gather_data(services, year=YEAR, config=SETTINGS))
                gathers.append(time.perf_counter() - start)
                start = time.perf_counter()
                html(gathered, drawn_with, language)
                drawings.append(time.perf_counter() - start)
            end, baseline = statistics.median(ends), statistics.median(baselines)
            print(f"report ({language}): {_pages(pdf)} pages, {len(pdf):,} bytes")
            figures += [
                Figure(
                    f"annual report {YEAR} ({language}), end to end",
                    end,
                    "s",
                    baseline=baseline,
                    target="<= 1.5x WeasyPrint alone",
                    met=end <= 1.5 * baseline,
                ),
                Figure(f"WeasyPrint alone, same HTML ({language})", baseline, "s"),
                Figure(
                    f"gathering the data from the views ({language})",
                    statistics.median(gathers),
                    "s",
                ),
                Figure(
                    f"sentences, charts and template, HTML ({language})",
                    statistics.median(drawings),
                    "s",
                ),
            ]
        services.close()
    return figures


def _pages(document: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(document)).pages)


if __name__ == "__main__":
    publish("report", main())
