"""The diffusion page under AppTest: sampling, the samplers side by side, inpainting and the live 2-D
run show what demos/diffusion/sampling.py, views.py and live.py return for the same inputs; the
scrub sliders index the stored runs without sampling again; bad values get the tab's messages."""

from __future__ import annotations

import numpy as np

from demos.diffusion import sampling, views
from demos.diffusion.options import DEFAULTS, FLOW_POINTS
from tests.st_pages.conftest import shown_errors

SLUG = "diffusion"


def markdowns(at) -> list[str]:
    return [m.value for m in at.markdown]


def recorded(sampler: str, steps: int, seed: int, n: int) -> sampling.Recording:
    """The same run through the logic, for comparison."""
    rec, run = sampling.sample_steps(sampling.load_model(""), sampler, steps, seed, n)
    for _ in sampling.stream(rec, run):
        pass
    return rec


def test_sample_streams_then_the_slider_scrubs_the_stored_steps(open_page, monkeypatch):
    at = open_page(SLUG)
    assert "Press **Sample**." in markdowns(at)
    at.slider(key="diffusion-steps").set_value(5)
    at.slider(key="diffusion-n").set_value(2)
    at.button(key=f"{SLUG}-main-action").click().run()
    assert not shown_errors(at)
    inputs, shown = at.session_state["diffusion-recording"]
    assert inputs == (DEFAULTS.model, DEFAULTS.sampler, 5, 2, DEFAULTS.seed)
    expected = recorded(DEFAULTS.sampler, 5, DEFAULTS.seed, 2)
    assert np.array_equal(shown.final, expected.final) and shown.indices == expected.indices == [0, 1, 2, 3, 4]
    assert any(m.startswith("Done: 5 steps in ") for m in markdowns(at))

    calls = []
    monkeypatch.setattr(sampling, "sample_steps", lambda *a: calls.append(a))  # sampling again would be seen
    at.slider(key="diffusion-scrub").set_value(1).run()
    assert not calls and not shown_errors(at) and at.slider(key="diffusion-scrub").value == 1


def test_samplers_side_by_side_show_the_logics_table(open_page):
    at = open_page(SLUG)
    for i in range(3):
        at.number_input(key=f"diffusion-cmp-steps-{i}").set_value(2)
    at.slider(key="diffusion-cmp-n").set_value(1)
    at.button(key="diffusion-compare").click().run()
    assert not shown_errors(at)
    runs = [(name, 2) for name, _ in DEFAULTS.compare]
    expected = views.compare_rows(list(sampling.compare(sampling.load_model(""), runs, DEFAULTS.compare_seed, 1)))
    table = at.table[0].value
    assert list(table.columns) == list(expected[0])
    untimed = ["sampler", "steps", "valid shapes"]  # time and per step differ from run to run
    assert table[untimed].to_dict("records") == [{k: row[k] for k in untimed} for row in expected]


def test_inpainting_a_rectangle_keeps_the_other_pixels_and_an_empty_one_is_refused(open_page):
    at = open_page(SLUG)
    at.radio(key="diffusion-region").set_value("rectangle").run()
    at.slider(key="diffusion-rect-rows").set_value((0, 50))
    at.slider(key="diffusion-rect-cols").set_value((0, 100))
    at.slider(key="diffusion-inpaint-steps").set_value(3)
    at.button(key="diffusion-inpaint").click().run()
    assert not shown_errors(at)
    picture = views.data_picture(DEFAULTS.picture_seed)
    keep = sampling.rectangle_keep(picture.shape[0], 0, 50, 0, 100)  # the top half is filled
    filled = at.session_state["diffusion-inpainting"][1].final[0]
    assert np.abs(filled[keep].astype(int) - picture[keep]).max() <= 1  # rounding of [-1, 1] back to uint8
    assert any(m.startswith("Done: 3 steps") and m.endswith("The kept pixels are exactly the input's.")
               for m in markdowns(at))

    at.slider(key="diffusion-rect-rows").set_value((50, 50)).run()
    assert shown_errors(at) == ["The rectangle is empty: its bottom edge must lie below its top edge, and its "
                                "right edge right of its left edge."]


def test_live_2d_run_trains_samples_and_replays(open_page):
    at = open_page(SLUG)
    at.slider(key="diffusion-press-steps").set_value(100)
    at.button(key="diffusion-toy-action").click().run()
    assert not shown_errors(at)
    assert f"Trained 100 steps; {FLOW_POINTS} points sampled. Drag the slider to replay the flow." in markdowns(at)
    run, flow = at.session_state["diffusion-live"].run, at.session_state["diffusion-toy-flow"]
    assert run.step == 100 and flow.path.shape == (101, FLOW_POINTS, 2)
    at.slider(key="diffusion-flow-slider").set_value(10).run()
    assert not shown_errors(at) and at.session_state["diffusion-live"].run.step == 100  # a replay trains nothing
