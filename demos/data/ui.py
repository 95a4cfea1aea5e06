"""Data & judge tab: widgets wired to demos.data.explore. Glue only."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from demos.data import options
from demos.data import wording as words
from shared.image_files import png_file
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import demo_container, explainer, fill_on_open, header, notify, seed_control, shows_errors, spec_slider, started

HERE = Path(__file__).parent


@shows_errors
def draw_and_judge(n: int, seed: int, mix_share: float):
    from demos.data import explore  # numpy/torch work is imported on first use, not at start-up

    n, seed, mix_share = explore.checked_batch(n, seed, mix_share)
    # the start at once (a fresh server's first press waits for its warm-up's batch: about 3 s)
    yield started(3, 1, words.JUDGING.format(n=n))
    batch = explore.judged_batch(n, seed, mix_share)
    notify(batch.notice)
    yield batch.grid_html, batch.scores_markdown, batch.figure


@shows_errors
def show_toy_2d(name: str, n: int, seed: int):
    from demos.data import explore

    return explore.toy_2d_figure(name, n, seed)


@shows_errors
def show_digits(n: int, seed: int):
    from demos.data import explore

    sheet, labels = explore.digits_sheet(n, seed)
    return png_file(sheet), words.digits_caption(labels)



def build() -> gr.Blocks:
    with demo_container("Data & judge") as demo:
        header(words.TITLE, words.SUBTITLE)
        explainer(HERE)
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                gr.Markdown(f"### {words.SHAPES_HEADING}\n{words.SHAPES_INTRO}")
                seed = seed_control(0, elem_id="data-seed")
                n = spec_slider(options.JUDGED_IMAGES_SLIDER, words.IMAGES)
                mix = spec_slider(options.MIX_SHARE_SLIDER, words.MIX, info=words.MIX_HELP)
                run = gr.Button(words.DRAW, variant="primary", elem_id="data-main-action")
            with gr.Column(scale=3):
                grid = gr.HTML(f"<p class='placeholder'>{words.grid_placeholder(f'<b>{words.DRAW}</b>')}</p>",
                               label="Images with the judge's verdict", elem_id="data-grid")
        with gr.Row():
            shares = gr.Plot(label="Mode coverage", elem_id="data-shares", scale=3)
            with gr.Column(scale=2, min_width=340):
                scores = gr.Markdown("The batch's scores appear here.", elem_id="data-scores")
        run.click(draw_and_judge, [n, seed, mix], [grid, scores, shares], api_name="data_draw_and_judge", preprocess=False)
        # a presenter link sets these and draws the batch (shared/presenter_ui.py)
        link_controls = {"images": n, "mix": mix, "seed": seed}
        copy_link_button("data", options.LINK_PARAMS, link_controls)
        linkable(demo, "Data & judge", options.LINK_PARAMS, link_controls,
                 run=(draw_and_judge, [n, seed, mix], [grid, scores, shares]))

        gr.Markdown(f"### {words.TOY_HEADING}\n{words.TOY_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                toy_name = gr.Dropdown([(label, key) for key, label in options.TOY_NAMES.items()],
                                       value=options.DEFAULT_TOY, label=words.TOY_SET)
                toy_n = spec_slider(options.TOY_POINTS_SLIDER, words.TOY_POINTS)
                toy_seed = gr.Number(value=0, precision=0, label=words.SEED)
                toy_run = gr.Button("Show points")
            toy_plot = gr.Plot(label="Points", scale=3)
        gr.on([toy_run.click, toy_name.change], show_toy_2d, [toy_name, toy_n, toy_seed], toy_plot,
              api_name="data_toy_2d", preprocess=False)

        gr.Markdown(f"### {words.DIGITS_HEADING}\n{words.DIGITS_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                dig_n = spec_slider(options.DIGITS_SLIDER, words.DIGITS)
                dig_seed = gr.Number(value=0, precision=0, label=words.SEED)
                dig_run = gr.Button("Show digits")
            with gr.Column(scale=3):
                dig_img = gr.Image(label="Digits", show_label=False, type="numpy", interactive=False, format="png")
                dig_labels = gr.Markdown()
        dig_run.click(show_digits, [dig_n, dig_seed], [dig_img, dig_labels], api_name="data_digits", preprocess=False)
        # the cheap panels (numpy and plotly, no model) fill in when the tab is first opened
        fill_on_open(demo, show_toy_2d, [toy_name, toy_n, toy_seed], toy_plot)
        fill_on_open(demo, show_digits, [dig_n, dig_seed], [dig_img, dig_labels])
    return demo
