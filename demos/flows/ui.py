"""Flows tab: a normalizing flow on 2-D points, trained live in the session (Start, Pause, Step,
Reset on shared/live.py's protocol). Glue only: the logic is in live.py and views.py.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from demos.flows.options import IMAGE_DEFAULTS
from shared.image_files import png_file, write_atomic
from shared.live import LiveRun
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import (
    demo_container,
    editor_path,
    explainer,
    fill_on_open,
    header,
    seed_control,
    shapes_editor,
    shows_errors,
    started,
    told_controls,
)

HERE = Path(__file__).parent


def _view(run, speed: float | None = None, snap=None):  # noqa: ANN001
    from demos.flows import views

    picture, status = views.live_view(run, speed, snap)
    return png_file(picture), status


def _settings(dataset, kind, layers, seed):  # noqa: ANN001
    from demos.flows import live

    return live.settings_from_values((dataset, kind, layers, seed))


@shows_errors
def reset(slot: LiveRun, dataset, kind, layers, seed):  # noqa: ANN001
    """A new run with the settings (an untrained flow: a plain Gaussian); a running one is stopped first."""
    from demos.flows import live

    return _view(live.reset(slot, _settings(dataset, kind, layers, seed)))


@shows_errors
def start(slot: LiveRun, dataset, kind, layers, seed, steps):  # noqa: ANN001
    """Train this session's flow for the press's steps, streaming the view; one Start at a time."""
    from demos.flows import live
    from demos.flows import wording as words

    press = live.new_press(slot, _settings(dataset, kind, layers, seed), steps)
    if not slot.busy:  # (a second Start is refused at once, with its message)
        yield started(2, 1, words.STARTED.format(steps=slot.run.target - slot.run.step))
    for snap in live.start(slot, press):
        yield _view(slot.run, press.speed(slot.run.step), snap)
    if press.capped:  # ended by the time limit, not by its steps
        gr.Info(live.CAPPED)


@shows_errors
def pause(slot: LiveRun):
    """Pause: the loop returns after its chunk, and the view shows the step it reached."""
    from shared import live

    return _view(live.pause(slot))


@shows_errors
def single_step(slot: LiveRun, dataset, kind, layers, seed):  # noqa: ANN001
    from demos.flows import live

    return _view(live.step(slot, _settings(dataset, kind, layers, seed)))


@shows_errors
def sample_images(n, temperature, seed, shape=IMAGE_DEFAULTS.shape, colour=IMAGE_DEFAULTS.colour,  # noqa: ANN001
                  told=IMAGE_DEFAULTS.told):  # noqa: ANN001
    from demos.flows import images, views
    from demos.flows import wording as words

    png = views.samples_png(n, temperature, seed, shape, colour, told)  # checked here; memoised
    status = words.SAMPLED_IMAGES.format(n=int(n), temperature=float(temperature), seed=int(seed))
    told_anything = images.sample_labels(int(n), int(seed), shape, colour, told) is not None
    return write_atomic(png, ".png"), status + (words.SAMPLED_TOLD if told_anything else words.SAMPLED_UNTOLD)


@shows_errors
def measure_bits(source, index, upload):  # noqa: ANN001
    """Bits per dimension of a held-out shape, an example of a kind that is not a shape, or the upload."""
    from demos.flows import images, views
    from demos.flows import wording as words

    scored = images.score(images.picture_to_score(source, index, editor_path(upload)))
    return png_file(views.bits_picture(scored)), words.BITS_STATUS.format(bits=scored.bits, better=scored.better_than)


@shows_errors
def interpolate(a, b, frames):  # noqa: ANN001
    from demos.flows import images, views
    from demos.flows import wording as words

    strip = images.interpolate(a, b, frames)
    return png_file(views.image_strip(strip, columns=len(strip))), words.INTERPOLATED.format(frames=len(strip), a=int(a),
                                                                                            b=int(b))


@shows_errors
def surprise():
    from demos.flows import images, options, views
    from demos.flows import wording as words

    rows = images.surprise_table()
    return png_file(views.surprise_picture(rows)), (words.SURPRISE_INTRO.format(n=options.SURPRISE_IMAGES) + "\n\n"
                                                    + words.surprise_markdown(rows))


def build_images(demo) -> None:  # noqa: ANN001 (the demo's container)
    """The image flow's panels: samples, bits of any image, an interpolation, the surprise."""
    from demos.flows import options
    from demos.flows import wording as words
    from demos.flows.options import IMAGE_DEFAULTS as D

    gr.Markdown(f"## {words.IMAGES_HEADING}\n{words.IMAGES_INTRO}")
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            n = gr.Slider(options.IMAGE_SAMPLES_SLIDER.shown.low, options.IMAGE_SAMPLES_SLIDER.shown.high, value=D.samples,
                          step=options.IMAGE_SAMPLES_SLIDER.step, label="Number of images")
            temperature = gr.Slider(options.IMAGE_TEMPERATURE_SLIDER.shown.low, options.IMAGE_TEMPERATURE_SLIDER.shown.high,
                                    value=D.temperature, step=options.IMAGE_TEMPERATURE_SLIDER.step, label="Temperature",
                                    info=words.IMAGE_TEMPERATURE_INFO)
            seed = seed_control(D.seed, elem_id="flows-image-seed")
            told, shape, colour = told_controls("flows-image", D.told, D.shape, D.colour, words.IMAGE_TOLD,
                                                words.IMAGE_TOLD_INFO)
            sample_btn = gr.Button(words.SAMPLE_IMAGES, variant="primary", elem_id="flows-sample-images")
        with gr.Column(scale=3):
            sampled = gr.Image(type="filepath", interactive=False, show_label=False, elem_id="flows-image-samples")
            sampled_md = gr.Markdown(elem_id="flows-image-samples-status")
    sampling = [n, temperature, seed, shape, colour, told]  # new settings go last: the API keeps its order
    sample_btn.click(sample_images, sampling, [sampled, sampled_md], api_name="flows_image_samples", preprocess=False)

    gr.Markdown(f"## {words.BITS_HEADING}\n{words.BITS_INTRO}")
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            source = gr.Dropdown(list(options.SOURCES), value=D.source, label="Image", info=words.SOURCE_INFO)
            index = gr.Number(D.image, precision=0, minimum=options.IMAGE_INDEX.low, maximum=options.IMAGE_INDEX.high,
                              label=f"Held-out shape (0–{options.IMAGE_INDEX.high})")
            upload = shapes_editor(words.PICTURE_LABEL, "flows-picture")
            bits_btn = gr.Button(words.MEASURE_BITS, variant="primary", elem_id="flows-measure-bits")
        with gr.Column(scale=3):
            bits_pic = gr.Image(type="filepath", interactive=False, show_label=False, elem_id="flows-bits")
            bits_md = gr.Markdown(elem_id="flows-bits-status")
    bits_btn.click(measure_bits, [source, index, upload], [bits_pic, bits_md], api_name="flows_image_bits",
                   preprocess=False)

    gr.Markdown(f"## {words.INTERP_HEADING}\n{words.INTERP_INTRO}")
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            a = gr.Number(D.a, precision=0, minimum=options.IMAGE_INDEX.low, maximum=options.IMAGE_INDEX.high,
                          label="From held-out image")
            b = gr.Number(D.b, precision=0, minimum=options.IMAGE_INDEX.low, maximum=options.IMAGE_INDEX.high,
                          label="To held-out image")
            frames = gr.Slider(options.FRAMES_SLIDER.shown.low, options.FRAMES_SLIDER.shown.high, value=D.frames,
                               step=options.FRAMES_SLIDER.step, label="Frames")
            interp_btn = gr.Button(words.INTERPOLATE, variant="primary", elem_id="flows-interpolate")
        with gr.Column(scale=3):
            strip = gr.Image(type="filepath", interactive=False, show_label=False, elem_id="flows-interpolation")
            strip_md = gr.Markdown(elem_id="flows-interpolation-status")
    interp_btn.click(interpolate, [a, b, frames], [strip, strip_md], api_name="flows_image_interpolate",
                     preprocess=False)

    gr.Markdown(f"## {words.SURPRISE_HEADING}")
    surprise_md = gr.Markdown(elem_id="flows-surprise")
    surprise_pic = gr.Image(type="filepath", interactive=False, show_label=False, elem_id="flows-surprise-examples")
    fill_on_open(demo, sample_images, sampling, [sampled, sampled_md])
    fill_on_open(demo, measure_bits, [source, index, upload], [bits_pic, bits_md])
    fill_on_open(demo, interpolate, [a, b, frames], [strip, strip_md])
    fill_on_open(demo, surprise, [], [surprise_pic, surprise_md])


def build() -> gr.Blocks:
    from demos.flows import wording as words
    from demos.flows.options import DEFAULTS, FLOW_KINDS, LAYERS_SLIDER, LINK_PARAMS, PRESS_STEPS_SLIDER
    from shared.datasets import TOY_2D_NAMES

    with demo_container("Normalizing flows") as demo:
        header(words.TITLE, words.SUBTITLE)
        explainer(HERE)
        gr.Markdown(f"## {words.TOY_HEADING}\n{words.TOY_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                dataset = gr.Dropdown([(v, k) for k, v in TOY_2D_NAMES.items()], value=DEFAULTS.dataset, label="Data set")
                kind = gr.Radio([(v, k) for k, v in FLOW_KINDS.items()], value=DEFAULTS.kind, label="Layers",
                                info=words.KIND_INFO)
                layers = gr.Slider(LAYERS_SLIDER.shown.low, LAYERS_SLIDER.shown.high, value=DEFAULTS.layers,
                                   step=LAYERS_SLIDER.step, label="Number of layers", info=words.LAYERS_INFO)
                seed = gr.Number(value=DEFAULTS.seed, precision=0, label="Seed")
                steps = gr.Slider(PRESS_STEPS_SLIDER.shown.low, PRESS_STEPS_SLIDER.shown.high, value=DEFAULTS.press_steps,
                                  step=PRESS_STEPS_SLIDER.step, label="Training steps per press", info=words.PRESS_STEPS_INFO)
                with gr.Row():
                    start_btn = gr.Button(words.START, variant="primary", elem_id="flows-main-action")
                    pause_btn = gr.Button(words.PAUSE)
                with gr.Row():
                    step_btn = gr.Button(words.STEP)
                    reset_btn = gr.Button(words.RESET)
            with gr.Column(scale=3):
                picture = gr.Image(label=words.VIEW_LABEL, type="numpy", interactive=False, format="png",
                                   show_label=False, elem_id="flows-live-view")
                status = gr.Markdown(words.READY, elem_id="flows-status")
        settings = [dataset, kind, layers, seed]
        # a presenter link sets these; the tab's opening then shows that untrained flow, ready to Start
        link_controls = {"data": dataset, "flow": kind, "layers": layers, "seed": seed, "steps": steps}
        copy_link_button("flows", LINK_PARAMS, link_controls)
        linkable(demo, "Flows", LINK_PARAMS, link_controls)
        # the run lives in the user's session; when the session ends its loop is told to stop
        trainer = gr.State(LiveRun(), delete_callback=lambda live: live.stop() if live is not None else None)
        view = [picture, status]
        for comp in settings:
            comp.input(reset, [trainer, *settings], view, api_visibility="private")
        reset_btn.click(reset, [trainer, *settings], view, api_name="flows_train_reset", preprocess=False)
        run_event = start_btn.click(start, [trainer, *settings, steps], view, api_name="flows_train", preprocess=False,
                                    concurrency_limit=4, concurrency_id="flows-live-training")
        # pause() stops the loop after its chunk; cancelling the event as well ends a Start still queued
        pause_btn.click(pause, trainer, view, api_name="flows_train_pause", preprocess=False,
                        concurrency_id="flows-pause", cancels=[run_event])
        step_btn.click(single_step, [trainer, *settings], view, api_name="flows_train_step", preprocess=False)
        fill_on_open(demo, reset, [trainer, *settings], view)  # the untrained flow, ready to Start
        build_images(demo)
    return demo
