"""What readings keep decoded between them (core/views/decoded.py): found only by the
identical text, within a budget, least recently used first out."""

from __future__ import annotations

import threading
from datetime import date

import orjson

from core.views import decoded, engine
from core.views.decoded import Kept

ON = date(2010, 6, 1)


def test_a_text_is_made_once_and_found_again_by_the_same_text_only():
    kept: Kept[list[str]] = Kept(budget=100)
    made: list[str] = []

    def make(text: str) -> list[str]:
        made.append(text)
        return [text]

    first = kept.get("a" * 10, lambda: make("a" * 10))
    assert kept.get("a" * 10, lambda: make("again")) is first
    assert kept.get("b" * 10, lambda: make("b" * 10)) == ["b" * 10]
    assert kept.get("a" * 10, lambda: make("x"), also="other") == ["x"]
    assert made == ["a" * 10, "b" * 10, "x"]
    assert kept.size == 30


def test_the_least_recently_used_go_first_when_the_texts_pass_the_budget():
    kept: Kept[str] = Kept(budget=30)
    for text in ("a" * 10, "b" * 10, "c" * 10):
        kept.get(text, lambda text=text: text.upper())
    kept.get("a" * 10, lambda: "made again")  # used: now the most recent
    kept.get("d" * 10, lambda: "D")
    assert kept.size == 30
    assert [text[0] for _, text, _ in kept.kept()] == ["c", "a", "d"]
    assert kept.get("b" * 10, lambda: "made again") == "made again"


def test_a_text_longer_than_the_budget_is_made_every_time_and_not_kept():
    kept: Kept[int] = Kept(budget=5)
    calls = []
    for _ in range(2):
        assert kept.get("x" * 6, lambda: calls.append(1) or len(calls)) == len(calls)
    assert calls == [1, 1] and kept.size == 0 and kept.kept() == []


def test_threads_find_what_is_made_of_each_text():
    kept: Kept[str] = Kept(budget=200)
    texts = [f"{n:04d}" * 5 for n in range(40)]  # 20 characters each: 10 fit
    wrong = []

    def read():
        for _ in range(50):
            for text in texts:
                if kept.get(text, lambda text=text: text[::-1]) != text[::-1]:
                    wrong.append(text)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert kept.size == sum(len(text) for _, text, _ in kept.kept()) <= 200


def test_a_big_row_is_presented_once_per_date_and_presenter():
    decoded.PRESENTED.clear()
    events = [f"e{n}" for n in range(1_000)]
    data = orjson.dumps({"party": "FRA", "events": events}).decode()
    assert len(data) > engine.PRESENTED  # as the tables keep it: not presented
    calls = []

    def present(item, on):
        calls.append(on)
        return {**item, "on": on.isoformat()} if on.year > 2000 else None

    first = decoded.presented(data, ON, present)
    assert first == {"party": "FRA", "events": events, "on": "2010-06-01"}
    assert decoded.presented(data, ON, present) is first
    assert decoded.presented(data, date(2011, 1, 1), present)["on"] == "2011-01-01"
    # Hidden on a date (None) is kept too.
    assert decoded.presented(data, date(1999, 1, 1), present) is None
    assert decoded.presented(data, date(1999, 1, 1), present) is None
    assert calls == [ON, date(2011, 1, 1), date(1999, 1, 1)]
    # Another presenter (another set of plugins) presents it again.
    assert decoded.presented(data, ON, lambda item, on: {"other": 1}) == {"other": 1}
    # A new version of the item is another text.
    changed = data.replace('"e999"', '"e1000"')
    assert decoded.presented(changed, ON, present)["events"][-1] == "e1000"


def test_a_small_row_is_presented_on_every_read():
    decoded.PRESENTED.clear()
    data = orjson.dumps({"agreement": "A1"}).decode()
    calls = []

    def present(item, on):
        calls.append(on)
        return item

    for _ in range(2):
        assert decoded.presented(data, ON, present) == {"agreement": "A1"}
    assert len(calls) == 2 and decoded.PRESENTED.kept() == []


def test_a_checkpoints_sums_are_decoded_once():
    document = orjson.dumps({"actions.open": {"2010-01": 2, "2011-03": -1}}).decode()
    found = decoded.monthly(document)
    assert found == {"actions.open": {"2010-01": 2, "2011-03": -1}}
    assert decoded.monthly(document) is found
    assert decoded.monthly(document.replace("-1", "-2")) is not found
    totals = orjson.dumps({"party.FRA.requests.open": 3}).decode()
    assert decoded.totals(totals) == {"party.FRA.requests.open": 3}
    assert decoded.totals(totals) is decoded.totals(totals)
