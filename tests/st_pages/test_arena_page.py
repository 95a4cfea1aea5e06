"""The Arena page under AppTest: it opens on the stored table and its samples as the logic reads them;
Measure now fills a row per family to the logic's last round; a bad value gets the tab's message."""

from __future__ import annotations

from demos.arena import explore, views
from demos.arena import wording as words
from shared.image_files import png_bytes
from tests.st_pages.conftest import shown_errors, shows_picture

SLUG = "arena"


def markdowns(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_open_shows_the_stored_table_and_measure_now_fills_every_row(open_page):
    at = open_page(SLUG)
    rows = explore.stored_rows()
    assert rows, "the stored table is missing: python -m benchmarks.arena --store demos/arena/stored-arena.json"
    assert words.table_intro(rows) in markdowns(at) and words.table_markdown(rows) in markdowns(at)
    stored = explore.stored_round()
    assert len(stored.rows) == len(rows) and shows_picture(at, png_bytes(views.samples_grid(stored.names, stored.samples)))
    assert words.READY in markdowns(at)

    at.slider(key="arena-n").set_value(4).run(timeout=240)
    at.button(key="arena-main-action").click().run(timeout=240)
    last = list(explore.measure_now(4, 0))[-1]
    assert last.done and words.status_of(last) in markdowns(at)
    assert words.table_markdown(last.rows, live=True) in markdowns(at)
    assert shows_picture(at, png_bytes(views.samples_grid(last.names, last.samples)))
    assert not shown_errors(at)


def test_a_bad_seed_gets_the_tabs_message(open_page):
    at = open_page(SLUG)
    at.number_input(key="arena-seed").set_value(-1).run()
    at.button(key="arena-main-action").click().run()
    assert any("The seed must be from 0 to 4294967295; got -1." in e for e in shown_errors(at))
