"""`python -m bench.views --pages-of URL`: the list endpoints' first pages timed on a
store already built, which can be measured again (its token is revoked)."""

from __future__ import annotations

from bench import views as bench_views
from bench.history import build
from followup.bootstrap import bootstrap


def test_the_first_pages_are_timed_on_an_existing_store_again_and_again(sqlite_url):
    services = bootstrap(sqlite_url, load_entry_points=False)
    build(services.app, 400, seed=5)
    services.views.projection.catch_up()
    head = services.app.head().position
    services.close()

    for _ in range(2):  # a store can be measured again
        figures = bench_views.main(["--pages-of", sqlite_url])
        timed = [f for f in figures if f.target]
        assert [f.name for f in timed] == [
            f"GET {path} first page (100) p50" for path in bench_views.LISTS
        ]
        assert all(f.value > 0 and f.unit == "ms" for f in figures)
        assert len(figures) == 2 * len(bench_views.LISTS)

    services = bootstrap(sqlite_url, load_entry_points=False)
    tokens = [t for t in services.tokens.list() if t.label.startswith("bench-pages-")]
    assert services.app.head().position == head + 4  # issued and revoked, twice
    services.close()
    assert len(tokens) == 2 and all(t.revoked for t in tokens)
