"""GAN tab: latent walks on the bundled shapes GAN, and live GAN training on 2-D data. Glue only:
the logic is in explore.py (walks), views.py (what a walk and a snapshot show), latent.py
(interpolation) and live.py (the 2-D GAN, and what Start, Pause, Step and Reset do).
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from demos.gan import wording as words
from demos.gan.options import SETTING_FIELDS  # noqa: F401 (the endpoints' order; benchmarks read it here)
from demos.gan.views import zoom  # noqa: F401 (re-exported for the benchmarks)
from demos.gan.wording import PSI_INFO
from shared import datasets
from shared.image_files import png_file, write_atomic
from shared.live import LiveRun
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import demo_container, explainer, fill_on_open, header, notify, seed_control, shows_errors, spec_slider

HERE = Path(__file__).parent
# the events that run the bundled GAN share one pool: thirty users never run thirty generators at once
GAN_MODEL = {"concurrency_limit": 2, "concurrency_id": "gan-model"}


# ---- latent walk -----------------------------------------------------------------------------


@shows_errors
def show_grid(seed: int, psi: float):
    """The grid as one picture (one file for the browser to fetch, not sixteen), and its first seed."""
    from demos.gan import views

    grid = views.grid_picture(seed, psi)  # validates; memoised
    notify(grid.notice)
    return write_atomic(grid.png, ".png"), grid.seeds[0]


def add_waypoint(text: str, first_seed: int | None, evt: gr.SelectData) -> str:
    """Clicking a grid tile appends its seed to the waypoints."""
    from demos.gan import views

    at = evt.index if isinstance(evt.index, (list, tuple)) and len(evt.index) == 2 else None
    seed = views.tile_seed(first_seed, at[0], at[1]) if at else None
    return text if seed is None else views.add_waypoint(text, seed)


@shows_errors
def run_walk(seeds_text: str, frames: int, mode: str, psi: float, fps: int):
    from demos.gan import views

    media = views.walk_media(seeds_text, frames, mode, psi, fps)  # validates; memoised
    notify(media.notice)
    gif = write_atomic(media.gif, ".gif", prefix="latent-walk-")
    cache = {"images": media.images, "p_real": media.p_real}
    return (cache, write_atomic(media.filmstrip_png, ".png"), gif, gif, media.figure,
            gr.Slider(minimum=0, maximum=media.last, value=0, step=1, interactive=True),
            write_atomic(media.first_png, ".png"), views.frame_caption(media.p_real, 0))


def scrub(cache: dict | None, frame: int):
    """Show one cached frame of the last walk: no model call, so the slider keeps up with the hand."""
    from demos.gan import views

    if not cache:
        raise gr.Error("Press Walk first: the slider scrubs the frames of the last walk.")
    picture, caption = views.walk_frame(cache["images"], cache["p_real"],
                                            frame if isinstance(frame, (int, float)) else 0)
    return png_file(picture), caption


@shows_errors
def run_arithmetic(seed: int, attribute: str, source: str, target: str, amount: float, psi: float):
    from demos.gan import views

    result = views.arithmetic_view(seed, attribute, source, target, amount, psi)
    notify(result.notice)
    return png_file(result.strip), png_file(result.moved), result.text


def attribute_values(attribute: str):
    from demos.gan import views

    values, (source, target) = views.attribute_pair(attribute)
    return gr.Dropdown(choices=list(values), value=source), gr.Dropdown(choices=list(values), value=target)


# ---- the conditional GAN -----------------------------------------------------------------------


@shows_errors
def run_conditional_grid(shape: str, colour: str, seed: int, psi: float):
    """The grid of the asked class, its sentence, and the truncation rows of that class."""
    from demos.gan import views

    view = views.grid_view(shape, colour, seed, psi)  # validates; memoised
    notify(view.notice)
    return write_atomic(view.grid_png, ".png"), view.text, write_atomic(view.truncation_png, ".png")


@shows_errors
def run_class_walk(from_shape: str, from_colour: str, to_shape: str, to_colour: str, seed: int, frames: int,
                   psi: float):
    from demos.gan import views

    view = views.walk_view(from_shape, from_colour, to_shape, to_colour, seed, frames, psi)
    notify(view.notice)
    return write_atomic(view.by_class_png, ".png"), write_atomic(view.by_noise_png, ".png"), view.text


@shows_errors
def run_colour_shares():
    from demos.gan import views

    view = views.shares_view()  # memoised: measured once per server
    notify(view.notice)
    return view.figure, view.text


def conditional_section() -> None:
    """Tell the GAN what to draw: a grid of the asked class, truncation per class, the class walk
    beside the noise walk, and the colour shares of both GANs."""
    from demos.gan.options import CLASS_WALK_FRAMES_SLIDER, COLOUR_CHOICES, CONDITIONAL, PSI_SLIDER, SHAPE_CHOICES
    from shared.datasets import LABEL_NAMES

    c = CONDITIONAL
    gr.Markdown(f"### {words.CONDITIONAL_HEADING}\n{words.CONDITIONAL_INTRO}")
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            with gr.Row():
                shape = gr.Dropdown(list(SHAPE_CHOICES), value=c.shape, label="Shape", elem_id="gan-cond-shape")
                colour = gr.Dropdown(list(COLOUR_CHOICES), value=c.colour, label="Colour", elem_id="gan-cond-colour")
            seed = seed_control(c.seed, label="Seed (tile i uses seed + i)", elem_id="gan-cond-seed")
            psi = spec_slider(PSI_SLIDER, "Truncation psi", info=PSI_INFO)  # c.psi: the spec's value
            draw_btn = gr.Button("Draw", variant="primary", elem_id="gan-cond-draw")
            cond_text = gr.Markdown(elem_id="gan-cond-text")
        with gr.Column(scale=3):
            cond_grid = gr.Image(label=words.CONDITIONAL_GRID_CAPTION,
                                 type="filepath", interactive=False, format="png", elem_id="gan-cond-grid")
            truncation = gr.Image(label=words.TRUNCATION_CAPTION, type="filepath", interactive=False, format="png",
                                  elem_id="gan-cond-truncation")
    draw_btn.click(run_conditional_grid, [shape, colour, seed, psi], [cond_grid, cond_text, truncation],
                   api_name="gan_conditional_grid", preprocess=False, **GAN_MODEL)

    gr.Markdown(f"#### {words.CLASS_WALK_HEADING}")
    shapes, colours = list(LABEL_NAMES["shape"]), list(LABEL_NAMES["colour"])
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            with gr.Row():
                from_shape = gr.Dropdown(shapes, value=c.walk_from[0], label="From shape")
                from_colour = gr.Dropdown(colours, value=c.walk_from[1], label="From colour")
            with gr.Row():
                to_shape = gr.Dropdown(shapes, value=c.walk_to[0], label="To shape")
                to_colour = gr.Dropdown(colours, value=c.walk_to[1], label="To colour")
            walk_frames = spec_slider(CLASS_WALK_FRAMES_SLIDER, "Frames")  # c.walk_frames: the spec's value
            walk_btn = gr.Button("Walk between classes", elem_id="gan-class-walk-go")
        with gr.Column(scale=3):
            by_class = gr.Image(label="One latent, the class moving", type="filepath", interactive=False,
                                format="png", elem_id="gan-class-walk")
            by_noise = gr.Image(label="One class, the latent moving", type="filepath", interactive=False,
                                format="png", elem_id="gan-noise-walk")
            walk_text = gr.Markdown(elem_id="gan-class-walk-text")
    walk_btn.click(run_class_walk, [from_shape, from_colour, to_shape, to_colour, seed, walk_frames, psi],
                   [by_class, by_noise, walk_text], api_name="gan_class_walk", preprocess=False, **GAN_MODEL)

    gr.Markdown(f"#### {words.SHARES_HEADING}\n{words.SHARES_INTRO}")
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            shares_btn = gr.Button(words.SHARES_BUTTON, elem_id="gan-shares-go")
            shares_text = gr.Markdown(elem_id="gan-shares-text")
        shares_plot = gr.Plot(label="Colour shares", elem_id="gan-colour-shares", scale=3)
    shares_btn.click(run_colour_shares, None, [shares_plot, shares_text], api_name="gan_colour_shares", **GAN_MODEL)


# ---- live training ---------------------------------------------------------------------------


def _settings(*values):
    from demos.gan import live

    return live.settings_from_values(values)


def _view(trainer, speed: float | None = None, snap=None):  # noqa: ANN001
    from demos.gan import views

    picture, status = views.live_view(trainer, speed, snap)
    return png_file(picture), status


@shows_errors
def reset(slot: LiveRun, *values):
    """A new run with the settings; a running one is stopped first (and waited for)."""
    from demos.gan import live

    return _view(live.reset(slot, _settings(*values)))


@shows_errors
def apply_preset(slot: LiveRun, name: str):
    from demos.gan import live

    settings, text, trainer = live.apply_preset(slot, name)
    return (text, *_view(trainer), *live.setting_values(settings))


@shows_errors
def start(slot: LiveRun, *values):
    """Train in this session's run, streaming the view; one Start at a time per session."""
    from demos.gan import live

    settings = _settings(*values)
    press = live.new_press(slot)
    for snap in live.start(slot, settings, press):
        yield _view(slot.run, press.speed(slot.run.step), snap)
    if press.capped:  # ended by the time limit, not by Pause
        gr.Info(live.CAPPED)


@shows_errors
def pause(slot: LiveRun):
    """Stop the running loop after its current chunk and show exactly where it stopped."""
    from shared import live

    return _view(live.pause(slot))


@shows_errors
def single_step(slot: LiveRun, *values):
    from demos.gan import live

    return _view(live.step(slot, _settings(*values)))


def build() -> gr.Blocks:
    from demos.gan.options import (
        AMOUNT_SLIDER,
        ATTRIBUTE_PAIRS,
        ATTRIBUTES,
        BATCH_SLIDER,
        D_STEPS_SLIDER,
        FIRST_PRESET,
        FPS_SLIDER,
        HIDDEN_SLIDER,
        INTERPOLATIONS,
        LAYERS_SLIDER,
        LINK_PARAMS,
        LOSSES,
        LR,
        PRESETS,
        PSI_SLIDER,
        R1_SLIDER,
        WALK,
        WALK_FRAMES_SLIDER,
        WAYPOINTS,
        Z_DIM_SLIDER,
        ToySettings,
    )

    with demo_container("GAN") as demo:
        header(words.TITLE, words.SUBTITLE)
        explainer(HERE)

        gr.Markdown(f"## {words.WALK_HEADING}")
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                grid_seed = seed_control(WALK.grid_seed, label="Grid seed (tile i uses seed + i)", elem_id="gan-grid-seed")
                psi = spec_slider(PSI_SLIDER, "Truncation psi", info=PSI_INFO)
                grid_btn = gr.Button("Sample grid")
            gallery = gr.Image(label="Samples: click one to add it as a waypoint", type="filepath", interactive=False,
                               format="png", show_label=True, elem_id="gan-grid", scale=3)
            grid_first_seed = gr.State(None)  # the seed of the grid's first tile, to read a click back
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                seeds = gr.Textbox(WALK.waypoints, label=f"Waypoint seeds ({WAYPOINTS.low} to {WAYPOINTS.high})",
                                   elem_id="gan-waypoints", info=words.WAYPOINTS_INFO)
                frames = spec_slider(WALK_FRAMES_SLIDER, "Frames")
                mode = gr.Radio(list(INTERPOLATIONS), value=WALK.mode, label="Interpolation",
                                info=words.INTERPOLATION_INFO)
                fps = spec_slider(FPS_SLIDER, "Animation frames per second")
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
        strip = gr.Image(label=words.FILMSTRIP_CAPTION, type="numpy",
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
        # a presenter link sets these and shows the walk (shared/presenter_ui.py)
        link_controls = {"seeds": seeds, "psi": psi, "frames": frames, "mode": mode, "fps": fps, "grid_seed": grid_seed}
        copy_link_button("gan", LINK_PARAMS, link_controls)
        walk_outputs = [walk_cache, strip, gif, gif_file, p_plot, frame_slider, frame_img, frame_text]
        linkable(demo, "GAN", LINK_PARAMS, link_controls,
                 run=(run_walk, [seeds, frames, mode, psi, fps], walk_outputs), run_options=GAN_MODEL)

        gr.Markdown(f"### {words.ARITHMETIC_HEADING}\n{words.ARITHMETIC_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                arith_seed = seed_control(WALK.arithmetic_seed, label="Sample seed", elem_id="gan-arith-seed")
                attribute = gr.Dropdown(list(ATTRIBUTES), value=WALK.attribute, label="Attribute")
                first_pair = ATTRIBUTE_PAIRS[WALK.attribute]
                with gr.Row():
                    source = gr.Dropdown(list(ATTRIBUTES[WALK.attribute]), value=first_pair[0], label="From")
                    target = gr.Dropdown(list(ATTRIBUTES[WALK.attribute]), value=first_pair[1], label="To")
                amount = spec_slider(AMOUNT_SLIDER, "Amount along the direction")
                arith_btn = gr.Button("Move the sample")
            with gr.Column(scale=3):
                arith_strip = gr.Image(label=words.ARITHMETIC_STRIP_CAPTION, type="numpy",
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

        conditional_section()

        gr.Markdown(f"## {words.TRAINING_HEADING}\n{words.TRAINING_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                d = ToySettings()
                preset = gr.Dropdown(list(PRESETS), value=FIRST_PRESET, label="Preset", elem_id="gan-preset")
                preset_text = gr.Markdown(PRESETS[FIRST_PRESET][1], elem_id="gan-preset-text")
                with gr.Row():
                    start_btn = gr.Button("▶ Start", variant="primary", elem_id="gan-train-start")
                    pause_btn = gr.Button("⏸ Pause", elem_id="gan-train-pause")
                    step_btn = gr.Button("Step", elem_id="gan-train-step")
                    reset_btn = gr.Button("↺ Reset", elem_id="gan-train-reset")
                with gr.Accordion(words.SETTINGS_HEADING, open=False):
                    dataset = gr.Dropdown([(v, k) for k, v in datasets.TOY_2D_NAMES.items()], value=d.dataset,
                                          label="Data set")
                    loss = gr.Radio(list(LOSSES), value=d.loss, label="Loss")
                    z_dim = spec_slider(Z_DIM_SLIDER, words.SETTING_LABELS["z_dim"])
                    g_hidden = spec_slider(HIDDEN_SLIDER, words.SETTING_LABELS["g_hidden"])
                    g_layers = spec_slider(LAYERS_SLIDER, words.SETTING_LABELS["g_layers"])
                    d_hidden = spec_slider(HIDDEN_SLIDER, words.SETTING_LABELS["d_hidden"])
                    d_layers = spec_slider(LAYERS_SLIDER, words.SETTING_LABELS["d_layers"])
                    lr_g = gr.Number(value=d.lr_g, label=f"{words.SETTING_LABELS['lr_g']} ({LR.low:g} to {LR.high:g})")
                    lr_d = gr.Number(value=d.lr_d, label=f"{words.SETTING_LABELS['lr_d']} ({LR.low:g} to {LR.high:g})")
                    d_steps = spec_slider(D_STEPS_SLIDER, words.SETTING_LABELS["d_steps"])
                    r1 = spec_slider(R1_SLIDER, words.SETTING_LABELS["r1_gamma"])
                    batch = spec_slider(BATCH_SLIDER, words.SETTING_LABELS["batch"])
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
