"""Data & judge tab: widgets wired to demos.data.explore. Glue only."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from demos.data import options
from shared.image_files import png_file
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import explainer, fill_on_open, header, notify, seed_control, shows_errors

HERE = Path(__file__).parent


@shows_errors
def draw_and_judge(n: int, seed: int, mix_share: float):
    from demos.data import explore  # numpy/torch work is imported on first use, not at start-up

    batch = explore.judged_batch(n, seed, mix_share)
    notify(batch.notice)
    return batch.grid_html, batch.scores_markdown, batch.figure


@shows_errors
def show_toy_2d(name: str, n: int, seed: int):
    from demos.data import explore

    return explore.toy_2d_figure(name, n, seed)


@shows_errors
def show_digits(n: int, seed: int):
    from demos.data import explore

    sheet, labels = explore.digits_sheet(n, seed)
    return png_file(sheet), f"Labels, in reading order: {labels}"


def _slider(spec: options.Slider, **kwargs) -> gr.Slider:  # noqa: ANN003
    return gr.Slider(spec.shown.low, spec.shown.high, value=spec.value, step=spec.step, **kwargs)


def build() -> gr.Blocks:
    with gr.Blocks(title="Data & judge") as demo:
        header("The data, and the judge of every image model",
               "One procedural data set feeds the GAN, VAE, diffusion and CLIP tabs; one small classifier "
               "scores what they generate.")
        explainer(HERE)
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                gr.Markdown("### Shapes\n32×32 images with exact labels and a caption.")
                seed = seed_control(0, elem_id="data-seed")
                n = _slider(options.JUDGED_IMAGES_SLIDER, label="Images")
                mix = _slider(options.MIX_SHARE_SLIDER, label="Share replaced by non-shapes",
                              info="noise, blends of two shapes, two shapes at once: the judge should say 'not a shape'")
                run = gr.Button("Draw and judge", variant="primary", elem_id="data-main-action")
            with gr.Column(scale=3):
                grid = gr.HTML("<p class='placeholder'>Press <b>Draw and judge</b>: images appear here with the "
                               "judge's verdict, framed green when it reads one clean shape.</p>",
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

        gr.Markdown("### Toy 2-D sets\nThe point clouds the live-training views (GAN, diffusion) learn in seconds.")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                toy_name = gr.Dropdown([(label, key) for key, label in options.TOY_NAMES.items()],
                                       value=options.DEFAULT_TOY, label="Data set")
                toy_n = _slider(options.TOY_POINTS_SLIDER, label="Points")
                toy_seed = gr.Number(value=0, precision=0, label="Seed")
                toy_run = gr.Button("Show points")
            toy_plot = gr.Plot(label="Points", scale=3)
        gr.on([toy_run.click, toy_name.change], show_toy_2d, [toy_name, toy_n, toy_seed], toy_plot,
              api_name="data_toy_2d", preprocess=False)

        gr.Markdown("### Handwritten digits\nscikit-learn's 1,797 8×8 digits, shipped with the package.")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                dig_n = _slider(options.DIGITS_SLIDER, label="Digits")
                dig_seed = gr.Number(value=0, precision=0, label="Seed")
                dig_run = gr.Button("Show digits")
            with gr.Column(scale=3):
                dig_img = gr.Image(label="Digits", show_label=False, type="numpy", interactive=False, format="png")
                dig_labels = gr.Markdown()
        dig_run.click(show_digits, [dig_n, dig_seed], [dig_img, dig_labels], api_name="data_digits", preprocess=False)
        # the cheap panels (numpy and plotly, no model) fill in when the tab is first opened
        fill_on_open(demo, show_toy_2d, [toy_name, toy_n, toy_seed], toy_plot)
        fill_on_open(demo, show_digits, [dig_n, dig_seed], [dig_img, dig_labels])
    return demo
