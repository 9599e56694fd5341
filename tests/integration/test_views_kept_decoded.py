"""Between pages the fold keeps items as their JSON, but big ones (a State's record, a
recommendation's assessments) stay decoded while they stand, the KEPT_DECODED touched
last (PageWriter.flush): they change in most pages, and decoding them again cost a
million-event replay's fold 0.8 s (3% of its CPU)."""

from __future__ import annotations

import orjson
import pytest

from core.views import engine, writing
from core.views.model import Level
from tests.integration.test_projection import correct_title, sign_agreement, with_every_type


class CountingDecoder:
    """orjson as writing.py uses it, remembering what it decoded."""

    def __init__(self) -> None:
        self.decoded: list[str] = []

    def loads(self, data: str) -> object:
        self.decoded.append(data)
        return orjson.loads(data)

    def __getattr__(self, name: str) -> object:
        return getattr(orjson, name)


@pytest.mark.parametrize(("kept", "decoded_again"), [(1_000, 0), (1, 1)])
def test_a_big_item_left_alone_for_pages_is_not_decoded_again(
    sqlite_url, monkeypatch, kept, decoded_again
):
    """Every item big here. An agreement signed, two others (a page each), then the
    first corrected: its row, left alone two pages, is still decoded when the
    correction reads it; unless only the one touched last is kept decoded."""
    monkeypatch.setattr(engine, "PRESENTED", 0)
    monkeypatch.setattr(writing, "PRESENTED", 0)
    monkeypatch.setattr(writing, "KEPT_DECODED", kept)
    decoder = CountingDecoder()
    monkeypatch.setattr(writing, "orjson", decoder)
    services = with_every_type(sqlite_url)
    projection = services.views.projection
    projection.helper_min, projection.page = 10**9, 1
    projection.catch_up()  # the samples' events
    app = services.app
    first = sign_agreement(app, "ESA-AUT-2030", "AUT")
    sign_agreement(app, "ESA-AUT-2031", "AUT")
    sign_agreement(app, "ESA-AUT-2032", "AUT")
    correct_title(app, first, "Enforcement")
    decoder.decoded.clear()
    projection.catch_up()
    agreement = [data for data in decoder.decoded if '"ESA-AUT-2030"' in data]
    corrected = projection.snapshot(app.head().position, Level.ALL).items("agreements")
    services.close()
    assert len(agreement) == decoded_again
    assert [i["title"] for i in corrected if i["agreement"] == "ESA-AUT-2030"] == ["Enforcement"]


def test_a_big_item_the_fold_forgets_is_not_kept_decoded(sqlite_url, monkeypatch):
    """The fold keeps KEPT_ITEMS items between pages (one here) and reads the others
    back when it needs them: a big item it forgot holds no decoded copy either."""
    monkeypatch.setattr(engine, "PRESENTED", 0)
    monkeypatch.setattr(writing, "PRESENTED", 0)
    monkeypatch.setattr(writing, "KEPT_ITEMS", 1)
    services = with_every_type(sqlite_url)
    projection = services.views.projection
    projection.helper_min, projection.page = 10**9, 1
    projection.catch_up()
    book = projection._book
    assert book is not None
    held = {id(row) for state in book.items.values() for row in state.rows}
    decoded = [row for row in book.decoded if row._item is not None]
    services.close()
    assert len(book.forgotten) > 1
    assert decoded  # the last page's
    assert all(id(row) in held for row in decoded)
