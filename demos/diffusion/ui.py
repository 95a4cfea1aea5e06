"""Diffusion tab: the forward process on real images with its noise schedules; sampling, samplers
side by side and inpainting (images_ui.py); and diffusion on 2-D points trained live in the session.
Glue only: the logic is in process.py, sampling.py, live.py and views.py.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from shared import datasets
from shared.image_files import png_bytes, png_file, write_atomic
from shared.live import LiveRun
from shared.memo import memoised
from shared.presenter_ui import linkable
from shared.ui import demo_container, explainer, fill_on_open, header, seed_control, shows_errors, spec_slider

HERE = Path(__file__).parent


@shows_errors
def show_forward(seed: int, t: int, schedule: str):
    from demos.diffusion import views

    row, across = _forward_media(seed, t, schedule)
    return write_atomic(row, ".png"), write_atomic(across, ".png"), views.schedule_figure(t)


@memoised(maxsize=64)
def _forward_media_png(seed: int, t: int, schedule: str) -> tuple[bytes, bytes]:
    """The forward-process pictures, encoded once (inputs already validated)."""
    from demos.diffusion import views

    row, across = views.forward_rows(seed, t, schedule)
    return png_bytes(row), png_bytes(across)


def _forward_media(seed: int, t: int, schedule: str) -> tuple[bytes, bytes]:
    from demos.diffusion import views

    views.forward_rows(seed, t, schedule)  # validates (and is memoised)
    return _forward_media_png(int(seed), int(t), schedule)


@shows_errors
def train_and_sample(live: LiveRun, dataset: str, seed: int, steps: int):
    """Train the session's run, then stream the flow; the slider becomes a replay at the end."""
    from demos.diffusion import live as toy

    for frame in toy.train_and_sample(live, dataset, seed, steps):
        slider = (gr.Slider(minimum=0, maximum=toy.T, value=toy.T, step=1, interactive=True) if frame.done
                  else gr.Slider(interactive=False))
        yield frame.flow, png_file(frame.picture), frame.status, slider


@shows_errors
def scrub_flow(live: LiveRun, flow, k: int):  # noqa: ANN001
    from demos.diffusion import live as toy

    return png_file(toy.replay(live, flow, k))


def build() -> gr.Blocks:
    from demos.diffusion import wording as words
    from demos.diffusion.images_ui import CONCURRENCY, build_sections
    from demos.diffusion.options import DEFAULTS, LINK_PARAMS, PRESS_STEPS_SLIDER, SCHEDULE_CHOICES, TIMESTEP_SLIDER, T

    with demo_container("Diffusion") as demo:
        header(words.TITLE, words.SUBTITLE)
        explainer(HERE)

        gr.Markdown(f"## {words.FORWARD_HEADING}\n{words.FORWARD_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                fwd_seed = seed_control(DEFAULTS.forward_seed, label="Images and noise seed", elem_id="diffusion-forward-seed")
                schedule = gr.Radio(list(SCHEDULE_CHOICES), value=DEFAULTS.schedule, label="Noise schedule",
                                    info=words.SCHEDULE_INFO)
                t = spec_slider(TIMESTEP_SLIDER, "Timestep t", elem_id="diffusion-t")
            with gr.Column(scale=3):
                fwd_row = gr.Image(label="Eight images at step t", type="numpy", interactive=False, format="png",
                                   elem_id="diffusion-forward-row")
                fwd_strip = gr.Image(label="One image across the steps", type="numpy", interactive=False, format="png")
        sched_plot = gr.Plot(label="The schedules", elem_id="diffusion-schedules")
        fwd_inputs = [fwd_seed, t, schedule]
        gr.on([t.release, schedule.change, fwd_seed.submit], show_forward, fwd_inputs, [fwd_row, fwd_strip, sched_plot],
              api_name="diffusion_forward", preprocess=False, trigger_mode="always_last")

        link_controls, sample_run = build_sections()  # sampling, samplers side by side, inpainting

        gr.Markdown(f"## {words.TOY_HEADING}\n{words.TOY_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                dataset = gr.Dropdown([(v, k) for k, v in datasets.TOY_2D_NAMES.items()], value=DEFAULTS.dataset, label="Data set")
                toy_seed = gr.Number(value=DEFAULTS.toy_seed, precision=0, label="Seed")
                steps = spec_slider(PRESS_STEPS_SLIDER, "Training steps per press", info=words.PRESS_STEPS_INFO)
                go_btn = gr.Button("Train and sample", variant="primary", elem_id="diffusion-toy-action")
                stop_btn = gr.Button("Stop")
                flow_slider = gr.Slider(0, T, value=T, step=1, label="Replay the flow (reverse step)",
                                        interactive=False, elem_id="diffusion-flow-slider")
            with gr.Column(scale=3):
                flow_img = gr.Image(label="Diffusion on 2-D points", type="numpy", interactive=False, format="png",
                                    show_label=False, elem_id="diffusion-flow")
                status = gr.Markdown("Press **Train and sample**.", elem_id="diffusion-status")
        run = gr.State(LiveRun(), delete_callback=lambda live: live.stop() if live is not None else None)
        flow = gr.State(None)
        event = go_btn.click(train_and_sample, [run, dataset, toy_seed, steps], [flow, flow_img, status, flow_slider],
                             api_name="diffusion_train_and_sample", preprocess=False, concurrency_limit=4,
                             concurrency_id="diffusion-live-training")
        stop_btn.click(None, cancels=[event])
        flow_slider.release(scrub_flow, [run, flow, flow_slider], flow_img, api_visibility="private",
                            trigger_mode="always_last")

        fill_on_open(demo, show_forward, fwd_inputs, [fwd_row, fwd_strip, sched_plot])
        # a presenter link sets the sampling controls and runs the sampler (shared/presenter_ui.py)
        linkable(demo, "Diffusion", LINK_PARAMS, link_controls, run=sample_run, run_options=CONCURRENCY)
    return demo
