"""Arena tab: every image family on the same data, judge and bits per dimension. Glue only: the logic
is in explore.py (and demos/arena_families.py), the picture in views.py, the sentences in wording.py."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from shared.image_files import png_file
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import demo_container, explainer, fill_on_open, header, seed_control, shows_errors

HERE = Path(__file__).parent
# a live round loads every family and samples each: one at a time, the rest queue (identical presses share one round)
MEASURING = {"concurrency_limit": 1, "concurrency_id": "arena-measure"}


@shows_errors
def show_stored():
    """The full table and its samples, as the benchmark stored them."""
    from demos.arena import explore, views
    from demos.arena import wording as words

    stored = explore.stored_round()
    rows = explore.stored_rows()
    grid = png_file(views.samples_grid(stored.names, stored.samples)) if stored.rows else None
    return words.table_intro(rows) + "\n\n" + words.table_markdown(rows), grid


@shows_errors
def measure(n, seed):  # noqa: ANN001
    """Streams (table, samples, status) as each family is measured."""
    from demos.arena import explore, views
    from demos.arena import wording as words

    for round_ in explore.measure_now(n, seed):
        # the first round (nothing measured yet) is the start: its table and status at once, the
        # picture with the first family's samples
        picture = png_file(views.samples_grid(round_.names, round_.samples)) if round_.samples else gr.skip()
        yield words.table_markdown(round_.rows, live=True), picture, words.status_of(round_)


def build() -> gr.Blocks:
    from demos.arena import options
    from demos.arena import wording as words
    from demos.arena.options import DEFAULTS

    with demo_container("Arena") as demo:
        header(words.TITLE, words.SUBTITLE)
        explainer(HERE)

        gr.Markdown(f"## {words.TABLE_HEADING}")
        stored_md = gr.Markdown(elem_id="arena-table")
        stored_grid = gr.Image(label="Samples (the first seed)", type="filepath", interactive=False,
                               elem_id="arena-stored-samples")

        gr.Markdown(f"## {words.LIVE_HEADING}\n{words.LIVE_INTRO.format(bits_images=options.BITS_IMAGES)}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                n = gr.Slider(options.SAMPLES_SLIDER.shown.low, options.SAMPLES_SLIDER.shown.high, value=DEFAULTS.samples,
                              step=options.SAMPLES_SLIDER.step, label="Samples per family", info=words.SAMPLES_INFO)
                seed = seed_control(DEFAULTS.seed, elem_id="arena-seed")
                measure_btn = gr.Button(words.MEASURE, variant="primary", elem_id="arena-main-action")
            with gr.Column(scale=3):
                live_md = gr.Markdown(words.READY, elem_id="arena-status")
                live_table = gr.Markdown(elem_id="arena-live-table")
                live_grid = gr.Image(label="Samples", type="filepath", interactive=False, show_label=False,
                                     elem_id="arena-samples")
        link_controls = {"n": n, "seed": seed}
        copy_link_button("arena", options.LINK_PARAMS, link_controls)
        linkable(demo, "Arena", options.LINK_PARAMS, link_controls, run=(measure, [n, seed], [live_table, live_grid, live_md]),
                 run_options=MEASURING)
        measure_btn.click(measure, [n, seed], [live_table, live_grid, live_md], api_name="arena_measure",
                          preprocess=False, **MEASURING)
        fill_on_open(demo, show_stored, [], [stored_md, stored_grid])
    return demo
