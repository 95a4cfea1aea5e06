"""The Data & judge page under AppTest: Draw and judge shows the grid, scores and coverage chart the
logic gives for the same settings; the toy set and digits follow their widgets; a bad seed gets the
tab's message."""

from __future__ import annotations

import json

from demos.data import explore
from tests.st_pages.conftest import shown_errors


def test_draw_and_judge_shows_the_logics_batch(open_page):
    at = open_page("data")
    at.slider(key="data-n").set_value(12)
    at.slider(key="data-mix").set_value(0.25)
    at.number_input(key="data-seed").set_value(7)
    at.button(key="data-main-action").click().run()
    assert not at.exception and not shown_errors(at)
    batch = explore.judged_batch(12, 7, 0.25)
    grid = at.get("html")[0].proto.body
    assert grid.endswith(batch.grid_html) and grid.count("<figure") == 12
    assert grid.count("truth: not a shape (") == 3  # a quarter replaced
    assert any(m.value == batch.scores_markdown for m in at.markdown)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert "What the judge sees in this batch (mode coverage)" in titles


def test_toy_set_and_digits_follow_their_widgets(open_page):
    at = open_page("data")
    at.selectbox(key="data-toy").set_value("moons")
    at.slider(key="data-digits-n").set_value(16)
    at.run()
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert titles == [explore.toy_2d_figure("moons", 2_000, 0).layout.title.text]
    _, labels = explore.digits_sheet(16, 0)
    assert any(m.value == f"Labels, in reading order: {labels}" for m in at.markdown)
    assert len(at.image) == 1


def test_a_bad_seed_gets_the_tabs_message(open_page):
    at = open_page("data")
    at.number_input(key="data-seed").set_value(-1)
    at.button(key="data-main-action").click().run()
    assert shown_errors(at) == ["The seed must be from 0 to 4294967295; got -1."]
