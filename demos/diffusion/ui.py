"""Diffusion tab: the forward process on real images with its noise schedules; sampling, samplers
side by side and inpainting (images_ui.py); and diffusion on 2-D points trained live in the session.
Glue only: the logic is in process.py, sampling.py, toy.py and views.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr
import numpy as np

from shared import datasets, limits
from shared.image_files import png_bytes, png_file, write_atomic
from shared.live import LiveRun
from shared.memo import memoised
from shared.ui import explainer, fill_on_open, header, seed_control, shows_errors

HERE = Path(__file__).parent
TRAIN_STEPS = limits.IntRange("training steps", 100, 10_000)
FLOW_POINTS = 600
UPDATE_S = 0.15  # one streamed picture about every 150 ms while training
FLOW_STRIDE = 2  # the flow is streamed every second step (100 steps in about 5 s)
ALREADY_RUNNING = "This session's 2-D run is already going: press Stop first, or wait for it to finish."
REPLAY_WHILE_RUNNING = "The 2-D run is still going; the slider replays the flow once it has finished."


@shows_errors
def show_forward(seed: int, t: int, schedule: str):
    from demos.diffusion import views
    from demos.diffusion.model import SCHEDULES

    row, across, figure = _forward_media(limits.SEED.check(seed), views.TIMESTEP.check(t),
                                         limits.check_choice("schedule", schedule, SCHEDULES))
    return write_atomic(row, ".png"), write_atomic(across, ".png"), figure


@memoised(maxsize=64)
def _forward_media(seed: int, t: int, schedule: str):  # noqa: ANN202
    """The forward-process pictures (encoded) and the schedule figure: no model, the same inputs
    give the same outputs, so an audience dragging to the same t is served from memory."""
    from demos.diffusion import views

    at_t, strip = views.forward_images(seed, t, schedule)
    row = views.labelled_row(at_t, [f"t = {int(t)}"] * len(at_t), scale=3)
    across = views.labelled_row(strip, [f"t = {s}" for s in views.STRIP_TS], scale=3)
    return png_bytes(row), png_bytes(across), views.schedule_figure(t)


def _flow_picture(run, flow, k: int):  # noqa: ANN001, ANN202
    """The view at step k of a sampled flow (k = 0: pure noise, k = T: the samples)."""
    from demos.diffusion import views
    from demos.diffusion.toy import T

    t = max(1, T - k)
    field = run.field(t)
    trail = flow.path[max(0, k - views.TRAIL_STEPS):k + 1] if k > 0 else None
    caption = f"reverse step {k} of {T}  (t = {T - k})" if k < T else f"done: {len(flow.path[k])} samples"
    return png_file(views.flow_view(run.data[:1500].numpy(), flow.path[k], trail, (field.grid, field.direction),
                                    run.losses, caption, run.step))


@shows_errors
def train_and_sample(live: LiveRun, dataset: str, seed: int, steps: int):
    """Train the session's run for `steps` more steps (streaming the loss and the field), then
    stream the flow of fresh noise into the data, step by step. One at a time per session."""
    from demos.diffusion import views
    from demos.diffusion.toy import MAX_STEPS, T, ToyDiffusion, ToyDiffusionSettings

    steps = TRAIN_STEPS.check(steps)
    settings = ToyDiffusionSettings(dataset=dataset, seed=seed).checked()
    with live.driving(ALREADY_RUNNING):
        if live.run is None or live.run.settings != settings or live.run.finished:
            live.run = ToyDiffusion(settings)
        run = live.run
        target = min(MAX_STEPS, run.step + steps)
        real = run.data[:1500].numpy()
        chunk = 20
        while run.step < target and not run.stopped:
            t0 = time.perf_counter()
            run.train(min(chunk, target - run.step))
            chunk = int(np.clip(chunk * UPDATE_S / max(time.perf_counter() - t0, 1e-4), 5, 2000))
            field = run.field(T // 4)
            picture = views.flow_view(real, None, None, (field.grid, field.direction), run.losses,
                                      f"training: step {run.step:,} of {target:,}", run.step)
            yield None, png_file(picture), f"Training: step {run.step:,} · loss {run.losses[-1]:.3f}", \
                gr.Slider(interactive=False)
        flow = run.sample(FLOW_POINTS, seed)
        for k in range(0, T + 1, FLOW_STRIDE):
            if run.stopped:
                return
            yield flow, _flow_picture(run, flow, k), f"Sampling: reverse step {k} of {T}", gr.Slider(interactive=False)
            time.sleep(0.03)  # a pace the eye can follow
        yield flow, _flow_picture(run, flow, T), f"Trained {run.step:,} steps; {FLOW_POINTS} points sampled. " \
            "Drag the slider to replay the flow.", gr.Slider(minimum=0, maximum=T, value=T, step=1, interactive=True)


@shows_errors
def scrub_flow(live: LiveRun, flow, k: int):  # noqa: ANN001
    if live.run is None or flow is None:
        raise gr.Error("Press Train and sample first: the slider replays the last flow.")
    from demos.diffusion.toy import T

    k = limits.IntRange("reverse step", 0, T).check(k)
    with live.driving(REPLAY_WHILE_RUNNING):
        return _flow_picture(live.run, flow, int(k))


def build() -> gr.Blocks:
    from demos.diffusion.images_ui import build_sections

    with gr.Blocks(title="Diffusion") as demo:
        header("Diffusion: destroy data with noise, learn to undo it one step at a time",
               "The forward process and its noise schedules; every reverse step of a trained model with four "
               "samplers; inpainting; and a diffusion model trained live on 2-D points.")
        explainer(HERE)

        gr.Markdown("## 1 · The forward process\nNo network here: noise is mixed in by a fixed rule, "
                    "x_t = √ᾱ_t · x₀ + √(1 − ᾱ_t) · ε. Drag t and watch the shapes dissolve.")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                fwd_seed = seed_control(0, label="Images and noise seed", elem_id="diffusion-forward-seed")
                schedule = gr.Radio([("cosine", "squaredcos_cap_v2"), ("linear", "linear")], value="squaredcos_cap_v2",
                                    label="Noise schedule", info="how fast the signal fades as t grows")
                t = gr.Slider(0, 999, value=300, step=1, label="Timestep t", elem_id="diffusion-t")
            with gr.Column(scale=3):
                fwd_row = gr.Image(label="Eight images at step t", type="numpy", interactive=False, format="png",
                                   elem_id="diffusion-forward-row")
                fwd_strip = gr.Image(label="One image across the steps", type="numpy", interactive=False, format="png")
        sched_plot = gr.Plot(label="The schedules", elem_id="diffusion-schedules")
        fwd_inputs = [fwd_seed, t, schedule]
        gr.on([t.release, schedule.change, fwd_seed.submit], show_forward, fwd_inputs, [fwd_row, fwd_strip, sched_plot],
              api_name="diffusion_forward", preprocess=False, trigger_mode="always_last")

        build_sections()

        gr.Markdown("## 5 · Diffusion on 2-D points, live\nA small network learns to predict the noise in noisy "
                    "points. Sampling starts from pure noise and applies it 100 times; the orange arrows show where it "
                    "moves a point at the current step. Each session trains its own network.")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                dataset = gr.Dropdown([(v, k) for k, v in datasets.TOY_2D_NAMES.items()], value="ring8", label="Data set")
                toy_seed = gr.Number(value=0, precision=0, label="Seed")
                steps = gr.Slider(TRAIN_STEPS.low, TRAIN_STEPS.high, value=2000, step=100, label="Training steps per press",
                                  info="2,000 take about 10 s on 2 CPU cores")
                go_btn = gr.Button("Train and sample", variant="primary", elem_id="diffusion-toy-action")
                stop_btn = gr.Button("Stop")
                flow_slider = gr.Slider(0, 100, value=100, step=1, label="Replay the flow (reverse step)",
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
    return demo
