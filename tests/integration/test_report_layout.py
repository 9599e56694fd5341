"""The report's tables stay on the page: a long unbroken word (a 490-character title)
breaks instead of widening its table past the page edge, and the tables' own short
words (a recommendation's status) are not broken for it."""

from __future__ import annotations

from typing import Any

from followup.bootstrap import bootstrap
from reports.annual import gather_data, with_document
from reports.annual.document import FOLDER, Drawing, drawing, html, local_only
from tests.report_history import SETTINGS, record

LONG_TITLE = "W" + "x" * 489


def laid_out(data: dict[str, Any], drawn_with: Drawing) -> Any:
    from weasyprint import HTML

    page = html(data, drawn_with)
    return HTML(string=page, base_url=str(FOLDER) + "/", url_fetcher=local_only()).render()


def overflowing(document: Any) -> list[tuple[int, str, float]]:
    """Boxes whose right edge lies past their page's right edge: (page, text, by)."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        edge = page.width
        for box in page._page_box.descendants():
            right = getattr(box, "position_x", 0) + box.margin_width()
            if right > edge + 0.5:
                found.append((number, str(getattr(box, "text", ""))[:40], right - edge))
    return found


def test_a_long_unbroken_title_breaks_inside_its_table(tmp_path):
    services = bootstrap(f"sqlite:///{tmp_path}/followup.sqlite", load_entry_points=False)
    try:
        record(services.app)
        record(
            services.app,
            [
                {
                    "type": "WorkshopHeld",
                    "occurred_on": "2024-09-09",
                    "title": LONG_TITLE,
                    "organiser": "UGA",
                    "participants": ["UGA"],
                    "attendees": 3,
                    "topics": ["cooperation"],
                }
            ],
        )
        data = with_document(gather_data(services, year=2024, config=SETTINGS))
        drawn_with = drawing(services)
    finally:
        services.close()
    document = laid_out(data, drawn_with)
    assert overflowing(document) == []
    lines = [
        box.text
        for page in document.pages
        for box in page._page_box.descendants()
        if getattr(box, "text", None) and "xxxxxxxxxx" in box.text
    ]
    assert len(lines) >= 4  # the title, broken over several lines of its cell
    statuses = [
        box.text
        for page in document.pages
        for box in page._page_box.descendants()
        if getattr(box, "text", None) in ("Implemented", "Implemente", "d")
    ]
    assert "Implemented" in statuses and "Implemente" not in statuses
