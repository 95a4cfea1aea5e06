"""GAN tab: latent walks on the bundled shapes GAN, and live GAN training on 2-D data. Glue only:
the logic is in explore.py (walks), latent.py (interpolation) and toy.py (live training).
"""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr
import numpy as np

from shared import contact_sheet, datasets, limits
from shared.image_files import png_bytes, png_file, write_atomic
from shared.live import LiveRun
from shared.memo import memoised
from shared.ui import explainer, fill_on_open, header, notify, seed_control, shows_errors

HERE = Path(__file__).parent
DEFAULT_WAYPOINTS = "0, 6, 8, 15"  # seeds the bundled model draws cleanly: a good first walk
RUN_SECONDS = 120  # one press of Start trains at most this long, so a forgotten tab stops itself
ZOOM = 8  # a 32x32 frame shown at 256x256, pixels kept sharp
# the events that run the bundled GAN share one pool: thirty users never run thirty generators at once
GAN_MODEL = {"concurrency_limit": 2, "concurrency_id": "gan-model"}
ALREADY_TRAINING = ("This session is already training: press Pause to stop it (or Reset to start again), "
                    "then Start.")
STEP_WHILE_TRAINING = "Training is running: press Pause first; Step moves a paused run on by one step."
PSI_INFO = ("Truncation pulls every latent towards the centre of the latent space, where the generator "
            "saw the most training: lower psi gives cleaner, more typical images but less variety; "
            "psi = 0 gives one average image.")


def zoom(image: np.ndarray, k: int = ZOOM) -> np.ndarray:
    return image.repeat(k, 0).repeat(k, 1)


# ---- latent walk -----------------------------------------------------------------------------

GRID_COLUMNS, GRID_SCALE = 8, 4  # the grid: 16 tiles in two rows, each 32x32 sample at 128x128


@shows_errors
def show_grid(seed: int, psi: float):
    """The grid as one picture (one file for the browser to fetch, not sixteen), and its first seed."""
    from demos.gan import explore

    grid = explore.sample_grid(seed, 16, psi)  # validates; memoised
    notify(grid.notice)
    return write_atomic(_grid_sheet(grid.seeds[0], float(psi)), ".png"), grid.seeds[0]


@memoised(maxsize=64)
def _grid_sheet(seed: int, psi: float) -> bytes:
    """The grid's tiles with their seeds, drawn and encoded once for everyone who asks for it."""
    from demos.gan import explore

    grid = explore.sample_grid(seed, 16, psi)
    return png_bytes(contact_sheet.sheet(grid.rendered.images, [f"seed {s}" for s in grid.seeds], GRID_COLUMNS, GRID_SCALE))


def add_waypoint(text: str, first_seed: int | None, evt: gr.SelectData) -> str:
    """Clicking a grid tile appends its seed to the waypoints (keeping the last 8)."""
    at = evt.index if isinstance(evt.index, (list, tuple)) and len(evt.index) == 2 else None
    tile = contact_sheet.tile_at(at[0], at[1], 16, GRID_COLUMNS, GRID_SCALE) if at and first_seed is not None else None
    if tile is None:
        return text
    seeds = [s for s in (text or "").replace(",", " ").split() if s] + [str(first_seed + tile)]
    return ", ".join(seeds[-8:])


def p_real_figure(p_real: np.ndarray, waypoint_frames: list[float], seeds: list[int]):
    """p(real) of every frame, a dotted line at each waypoint. Built from one dict: plotly's
    add_vline validates as it goes and cost three times as long (20 ms against 6 ms a walk)."""
    import plotly.graph_objects as go

    lines = [{"type": "line", "x0": at, "x1": at, "y0": 0, "y1": 1, "xref": "x", "yref": "paper",
              "line": {"dash": "dot", "color": "#999"}} for at in waypoint_frames]
    notes = [{"x": at, "y": 1, "xref": "x", "yref": "paper", "text": f"seed {s}", "showarrow": False,
              "xanchor": "left", "yanchor": "bottom"} for at, s in zip(waypoint_frames, seeds)]
    return go.Figure({
        "data": [{"type": "scatter", "y": [float(p) for p in p_real], "mode": "lines+markers", "marker": {"size": 4},
                  "line": {"color": "#6b46c1"}, "hovertemplate": "frame %{x}: p(real) %{y:.2f}<extra></extra>"}],
        "layout": {"height": 230, "margin": {"l": 40, "r": 10, "t": 30, "b": 30}, "yaxis": {"range": [0, 1]},
                   "title": {"text": "Discriminator: probability each frame is real", "font": {"size": 13}},
                   "xaxis": {"title": {"text": "frame"}}, "template": "plotly_white", "shapes": lines, "annotations": notes},
    })


@memoised(maxsize=32)
def _walk_media(seeds: tuple[int, ...], frames: int, mode: str, psi: float, fps: int):  # noqa: ANN202
    """The encoded filmstrip, GIF and first frame of a walk (already validated), and its p(real)
    figure: the same default walk is drawn and encoded once."""
    from demos.gan import explore, latent
    from shared.animation import to_gif

    walk = explore.walk_seeds(" ".join(map(str, seeds)), frames, mode, psi)  # memoised
    r = walk.rendered
    return (png_bytes(latent.filmstrip(r)), to_gif(r.images, fps, scale=4), png_bytes(zoom(r.images[0])),
            p_real_figure(r.p_real, walk.waypoint_frames, walk.seeds))


@shows_errors
def run_walk(seeds_text: str, frames: int, mode: str, psi: float, fps: int):
    from demos.gan import explore, latent

    fps = latent.FPS.check(fps)
    walk = explore.walk_seeds(seeds_text, frames, mode, psi)
    notify(walk.notice)
    r = walk.rendered
    strip, gif_data, first, figure = _walk_media(tuple(walk.seeds), len(r.images), mode, float(psi), fps)
    gif = write_atomic(gif_data, ".gif", prefix="latent-walk-")
    cache = {"images": r.images, "p_real": r.p_real}
    last = len(r.images) - 1
    return (cache, write_atomic(strip, ".png"), gif, gif, figure,
            gr.Slider(minimum=0, maximum=last, value=0, step=1, interactive=True),
            write_atomic(first, ".png"), f"Frame 0 of {last}: p(real) = {r.p_real[0]:.2f}")


def scrub(cache: dict | None, frame: int):
    """Show one cached frame of the last walk: no model call, so the slider keeps up with the hand."""
    if not cache:
        raise gr.Error("Press Walk first: the slider scrubs the frames of the last walk.")
    images = cache["images"]
    i = limits.IntRange("frame", 0, len(images) - 1).check(frame) if isinstance(frame, (int, float)) else 0
    i = int(i)
    return png_file(zoom(images[i])), f"Frame {i} of {len(images) - 1}: p(real) = {cache['p_real'][i]:.2f}"


@shows_errors
def run_arithmetic(seed: int, attribute: str, source: str, target: str, amount: float, psi: float):
    from demos.gan import explore, latent

    move = explore.move_along(seed, attribute, source, target, amount, psi)
    notify(move.notice)
    strip = latent.filmstrip(move.rendered, columns=len(move.amounts))
    text = (f"Direction = mean latent of {move.counts[1]} samples the classifier reads as **{target}** minus that "
            f"of {move.counts[0]} read as **{source}**. Moved by {amount:+.1f}, the classifier reads the "
            f"sample's {attribute} as **{move.verdict}**.")
    return png_file(strip), png_file(zoom(move.rendered.images[-1])), text


def attribute_values(attribute: str):
    from demos.gan.options import ATTRIBUTES

    values = ATTRIBUTES[limits.check_choice("attribute", attribute, ATTRIBUTES)]
    defaults = {"colour": ("orange", "green"), "shape": ("circle", "square"), "size": ("small", "large")}[attribute]
    return gr.Dropdown(choices=list(values), value=defaults[0]), gr.Dropdown(choices=list(values), value=defaults[1])


# ---- live training ---------------------------------------------------------------------------

SETTING_FIELDS = ("dataset", "loss", "z_dim", "g_hidden", "g_layers", "d_hidden", "d_layers", "lr_g", "lr_d",
                  "d_steps", "r1_gamma", "batch", "seed")


def _settings(*values):  # noqa: ANN202
    from demos.gan.toy import ToySettings

    return ToySettings(**dict(zip(SETTING_FIELDS, values))).checked()


def _view(trainer, speed: float | None = None, snap=None):  # noqa: ANN001, ANN202
    from demos.gan.toy_view import render_snapshot

    snap = snap if snap is not None else trainer.snapshot()
    parts = [f"**Step {snap.step:,}**"]
    if snap.loss_d:
        parts.append(f"D loss {snap.loss_d[-1]:.3f} · G loss {snap.loss_g[-1]:.3f}")
    if snap.modes_covered is not None:
        parts.append(f"modes covered {snap.modes_covered}/8")
    if speed:
        parts.append(f"{speed:,.0f} steps/s")
    if trainer.finished:
        parts.append("reached the maximum length of a run: press Reset to start again")
    return png_file(render_snapshot(snap, trainer.settings.dataset)), " · ".join(parts)


@shows_errors
def reset(live: LiveRun, *values):
    """A new run with the settings; a running one is stopped first (and waited for)."""
    from demos.gan.toy import ToyGAN

    return _view(live.replace(ToyGAN(_settings(*values))))


@shows_errors
def apply_preset(live: LiveRun, name: str):
    from demos.gan.toy import PRESETS, ToyGAN, settings_from

    settings = settings_from(name)
    trainer = live.replace(ToyGAN(settings))
    return (PRESETS[name][1], *_view(trainer), *(getattr(settings, f) for f in SETTING_FIELDS))


@shows_errors
def start(live: LiveRun, *values):
    """Train in this session's run, streaming the view; one Start at a time per session."""
    from demos.gan.toy import ToyGAN

    with live.driving(ALREADY_TRAINING):
        if live.run is None:
            live.run = ToyGAN(_settings(*values))
        trainer = live.run
        if trainer.finished:
            raise gr.Error("This run has reached its maximum length; press Reset to start a new one.")
        step0, t0 = trainer.step, time.perf_counter()
        for snap in trainer.run(RUN_SECONDS):
            speed = (trainer.step - step0) / max(time.perf_counter() - t0, 1e-6)
            yield _view(trainer, speed, snap)
    if time.perf_counter() - t0 >= RUN_SECONDS - 1:  # ended by the time limit, not by Pause
        gr.Info(f"Paused after {RUN_SECONDS // 60} minutes of training; press Start to go on.")


@shows_errors
def pause(live: LiveRun):
    """Stop the running loop after its current chunk and show exactly where it stopped."""
    if live.run is None:
        raise gr.Error("Nothing is training yet: press Start.")
    live.run.pause()
    return _view(live.run)


@shows_errors
def single_step(live: LiveRun, *values):
    from demos.gan.toy import ToyGAN

    with live.driving(STEP_WHILE_TRAINING):
        if live.run is None:
            live.run = ToyGAN(_settings(*values))
        if not live.run.finished:
            live.run.train(1)
        return _view(live.run)


def build() -> gr.Blocks:
    from demos.gan.options import ATTRIBUTES, INTERPOLATIONS, LOSSES, PRESETS, WALK_FRAMES, ToySettings

    with gr.Blocks(title="GAN") as demo:
        header("GAN: a generator and a discriminator, trained against each other",
               "Walk the latent space of a GAN trained on shapes, then train one live on 2-D points and watch "
               "mode collapse happen, and get fixed.")
        explainer(HERE)

        gr.Markdown("## 1 · Walk the latent space")
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                grid_seed = seed_control(0, label="Grid seed (tile i uses seed + i)", elem_id="gan-grid-seed")
                psi = gr.Slider(0.0, 1.0, value=1.0, step=0.05, label="Truncation psi", info=PSI_INFO)
                grid_btn = gr.Button("Sample grid")
            gallery = gr.Image(label="Samples: click one to add it as a waypoint", type="filepath", interactive=False,
                               format="png", show_label=True, elem_id="gan-grid", scale=3)
            grid_first_seed = gr.State(None)  # the seed of the grid's first tile, to read a click back
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                seeds = gr.Textbox(DEFAULT_WAYPOINTS, label="Waypoint seeds (2 to 8)", elem_id="gan-waypoints",
                                   info="Click grid tiles to add them, or type seeds separated by commas.")
                frames = gr.Slider(WALK_FRAMES.low, WALK_FRAMES.high, value=37, step=1, label="Frames")
                mode = gr.Radio(list(INTERPOLATIONS), value="slerp", label="Interpolation",
                                info="slerp follows the sphere where Gaussian latents live; lerp cuts through "
                                     "the middle, where images fade")
                fps = gr.Slider(1, 50, value=12, step=1, label="Animation frames per second")
                walk_btn = gr.Button("Walk", variant="primary", elem_id="gan-main-action")
            with gr.Column(scale=3):
                with gr.Row():
                    frame_img = gr.Image(label="Frame", type="numpy", interactive=False, format="png",
                                         height=260, width=260, elem_id="gan-frame", scale=1)
                    with gr.Column(scale=2):
                        frame_slider = gr.Slider(0, 1, value=0, step=1, label="Scrub the walk", interactive=False,
                                                 elem_id="gan-frame-slider")
                        frame_text = gr.Markdown("Press **Walk**, then drag the slider.", elem_id="gan-frame-text")
                        gif = gr.Image(label="Animation", type="filepath", interactive=False, height=150,
                                       elem_id="gan-gif")
                        gif_file = gr.File(label="Download the animation (GIF)", elem_id="gan-gif-file")
                p_plot = gr.Plot(label="p(real) along the walk", elem_id="gan-p-real")
        strip = gr.Image(label="Filmstrip: every frame with the discriminator's p(real)", type="numpy",
                         interactive=False, format="png", elem_id="gan-filmstrip")
        walk_cache = gr.State(None)

        grid_btn.click(show_grid, [grid_seed, psi], [gallery, grid_first_seed], api_name="gan_sample_grid",
                       preprocess=False, **GAN_MODEL)
        gallery.select(add_waypoint, [seeds, grid_first_seed], seeds, api_visibility="private", queue=False)
        walk_btn.click(run_walk, [seeds, frames, mode, psi, fps],
                       [walk_cache, strip, gif, gif_file, p_plot, frame_slider, frame_img, frame_text],
                       api_name="gan_walk", preprocess=False, **GAN_MODEL)
        frame_slider.change(scrub, [walk_cache, frame_slider], [frame_img, frame_text], api_visibility="private",
                            queue=False, show_progress="hidden", trigger_mode="always_last")

        gr.Markdown("### Latent arithmetic\nA direction in latent space from labelled samples: the mean latent of "
                    "samples the shapes classifier reads as one value minus the mean of another. Adding it moves a "
                    "sample towards the first.")
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                arith_seed = seed_control(0, label="Sample seed", elem_id="gan-arith-seed")
                attribute = gr.Dropdown(list(ATTRIBUTES), value="colour", label="Attribute")
                with gr.Row():
                    source = gr.Dropdown(list(ATTRIBUTES["colour"]), value="orange", label="From")
                    target = gr.Dropdown(list(ATTRIBUTES["colour"]), value="green", label="To")
                amount = gr.Slider(-4, 4, value=2.0, step=0.1, label="Amount along the direction")
                arith_btn = gr.Button("Move the sample")
            with gr.Column(scale=3):
                arith_strip = gr.Image(label="From the sample (left) to the moved sample (right)", type="numpy",
                                       interactive=False, format="png", elem_id="gan-arith-strip")
                with gr.Row():
                    arith_img = gr.Image(label="Moved sample", type="numpy", interactive=False, format="png",
                                         height=200, width=200, scale=1)
                    arith_text = gr.Markdown(scale=3)
        attribute.change(attribute_values, attribute, [source, target], api_visibility="private", queue=False)
        arith_inputs = [arith_seed, attribute, source, target, amount, psi]
        arith_btn.click(run_arithmetic, arith_inputs, [arith_strip, arith_img, arith_text], api_name="gan_arithmetic",
                        preprocess=False, **GAN_MODEL)
        amount.release(run_arithmetic, arith_inputs, [arith_strip, arith_img, arith_text], api_visibility="private",
                       trigger_mode="always_last", **GAN_MODEL)

        gr.Markdown("## 2 · Train a GAN live on 2-D points\nThe generator maps noise to points; the discriminator "
                    "colours the plane by how real it finds each place; the arrows show where the generator's loss "
                    "pushes its points. Each session trains its own networks.")
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                d = ToySettings()
                preset = gr.Dropdown(list(PRESETS), value="Mode collapse", label="Preset", elem_id="gan-preset")
                preset_text = gr.Markdown(PRESETS["Mode collapse"][1], elem_id="gan-preset-text")
                with gr.Row():
                    start_btn = gr.Button("▶ Start", variant="primary", elem_id="gan-train-start")
                    pause_btn = gr.Button("⏸ Pause", elem_id="gan-train-pause")
                    step_btn = gr.Button("Step", elem_id="gan-train-step")
                    reset_btn = gr.Button("↺ Reset", elem_id="gan-train-reset")
                with gr.Accordion("Settings (changing one starts a new run)", open=False):
                    dataset = gr.Dropdown([(v, k) for k, v in datasets.TOY_2D_NAMES.items()], value=d.dataset,
                                          label="Data set")
                    loss = gr.Radio(list(LOSSES), value=d.loss, label="Loss")
                    z_dim = gr.Slider(1, 16, value=d.z_dim, step=1, label="Noise dimensions")
                    g_hidden = gr.Slider(4, 256, value=d.g_hidden, step=4, label="Generator width")
                    g_layers = gr.Slider(1, 4, value=d.g_layers, step=1, label="Generator hidden layers")
                    d_hidden = gr.Slider(4, 256, value=d.d_hidden, step=4, label="Discriminator width")
                    d_layers = gr.Slider(1, 4, value=d.d_layers, step=1, label="Discriminator hidden layers")
                    lr_g = gr.Number(value=d.lr_g, label="Generator learning rate (1e-5 to 0.1)")
                    lr_d = gr.Number(value=d.lr_d, label="Discriminator learning rate (1e-5 to 0.1)")
                    d_steps = gr.Slider(1, 10, value=d.d_steps, step=1, label="Discriminator steps per generator step")
                    r1 = gr.Slider(0, 10, value=d.r1_gamma, step=0.1, label="R1 gradient penalty weight")
                    batch = gr.Slider(16, 1024, value=d.batch, step=16, label="Batch size")
                    toy_seed = gr.Number(value=d.seed, precision=0, label="Seed")
            with gr.Column(scale=3):
                toy_img = gr.Image(label="Live training", type="numpy", interactive=False, format="png",
                                   elem_id="gan-train-view", show_label=False)
                toy_status = gr.Markdown("Choose a preset and press **Start**.", elem_id="gan-train-status")
        settings = [dataset, loss, z_dim, g_hidden, g_layers, d_hidden, d_layers, lr_g, lr_d, d_steps, r1, batch, toy_seed]
        # the run lives in the user's session (each session gets its own LiveRun); when the session
        # ends its loop is told to stop
        trainer = gr.State(LiveRun(), delete_callback=lambda live: live.stop() if live is not None else None)
        view = [toy_img, toy_status]

        preset.change(apply_preset, [trainer, preset], [preset_text, *view, *settings], api_visibility="private")
        for comp in settings:
            comp.input(reset, [trainer, *settings], view, api_visibility="private")
        reset_btn.click(reset, [trainer, *settings], view, api_name="gan_train_reset", preprocess=False)
        run_event = start_btn.click(start, [trainer, *settings], view, api_name="gan_train", preprocess=False,
                                    concurrency_limit=4, concurrency_id="gan-live-training")
        # pause() stops the loop after its chunk and shows where it stopped; cancelling the event as
        # well ends the stream even if the loop never sees the flag (a Start still waiting in the queue)
        pause_btn.click(pause, trainer, view, api_name="gan_train_pause", preprocess=False, concurrency_id="gan-pause",
                        cancels=[run_event])
        step_btn.click(single_step, [trainer, *settings], view, api_name="gan_train_step", preprocess=False)
        # when the tab is first opened: a grid to click at once, and the first preset ready to Start
        fill_on_open(demo, show_grid, [grid_seed, psi], [gallery, grid_first_seed])
        fill_on_open(demo, apply_preset, [trainer, preset], [preset_text, *view, *settings])
    return demo
