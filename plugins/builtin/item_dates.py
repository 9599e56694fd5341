"""The dated facts of a view's item as they stood on a day (its ``present`` step)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from core.views.figures import hide_later
from core.views.model import Item


def hide_later_with_details(item: Item, on: date, details: Mapping[str, Sequence[str]]) -> Item:
    """Blank the dated facts of an item that were not yet true on `on`, with the
    details each brought (``{"closed_on": ("close_reason",)}``): a fact not yet true
    says nothing of how it came about. A date the item lacks reads as None."""
    shown = hide_later(item, on, *details)
    for field, with_it in details.items():
        if shown.get(field) is None:
            shown.update(dict.fromkeys(with_it))
            shown[field] = None
    return shown
