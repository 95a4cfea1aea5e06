"""The image half of the diffusion tab: sample step by step and scrub, samplers side by side, and
inpainting with a brush, on the bundled model or a Hub one. Glue only: the logic is in sampling.py.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import numpy as np

from demos.diffusion.options import MODEL_CHOICES
from shared import limits
from shared.image_files import png_file
from shared.presenter_ui import copy_link_button
from shared.ui import notify, seed_control, shows_errors, spec_slider, started

EDITOR_PX = 256
CONCURRENCY = {"concurrency_limit": 2, "concurrency_id": "diffusion-images"}


def _model(spec: str | None):
    from demos.diffusion import sampling

    model = sampling.load_model(spec or "")
    notify(model.notice)
    return model


def _streamed(recording, steps, running: str, after: str = "Drag the slider to go back through the steps."):  # noqa: ANN001
    """Yield (recording, panel, status, slider) while the run goes, then the final frame.

    While it runs only the picture and the status change: the recording (a gr.State) and the
    slider are sent with the first update and the last, since every component updated costs the
    server a config rebuild per update.
    """
    from demos.diffusion import sampling

    for rec in sampling.stream(recording, steps):
        if not rec.done:
            first = len(rec) == 1
            yield gr.skip(), png_file(rec.panel(-1)), rec.progress_text(running), \
                gr.Slider(interactive=False) if first else gr.skip()
    rec = recording
    yield rec, png_file(rec.panel(-1)), rec.done_text(after), \
        gr.Slider(minimum=0, maximum=len(rec) - 1, value=len(rec) - 1, step=1, interactive=True)


@shows_errors
def sample_images(model_spec: str, sampler: str, steps: int, n: int, seed: int):
    """Stream a sampling run, then the samples, then its animation."""
    from demos.diffusion import sampling
    from demos.diffusion import wording as words

    # the start, before the model is loaded (a fresh server may still be importing diffusers)
    yield started(7, 2, words.STARTED.format(running="Sampling", steps=sampling.check_sampling(model_spec, sampler, steps,
                                                                                                seed, n)))
    model = _model(model_spec)
    recording, run = sampling.sample_steps(model, sampler, steps, seed, n)
    label = model.label  # sent once, with the first step
    for rec, panel, status, slider in _streamed(recording, run, "Sampling"):
        yield rec, panel, status, slider, gr.skip(), gr.skip(), label
        label = gr.skip()
    result = png_file(rec.samples_picture())
    yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), result, gr.skip(), gr.skip()
    yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), rec.gif(), gr.skip()


@shows_errors
def scrub(recording, k: int):  # noqa: ANN001
    if recording is None or not recording.done:
        raise gr.Error("Sample first: the slider goes back through the last finished run.")
    return png_file(recording.panel(limits.IntRange("step", 0, len(recording) - 1).check(k)))


@shows_errors
def compare_samplers(model_spec: str, seed: int, n: int, *pairs):
    """The same noise through up to three samplers; results stream in as each finishes."""
    from demos.diffusion import sampling, views

    model = _model(model_spec)
    runs = [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2) if pairs[i]]
    results = []
    for result in sampling.compare(model, runs, seed, sampling.COMPARE_SAMPLES.check(n)):
        results.append(result)
        yield png_file(views.compare_sheet(results)), views.compare_figure(results), \
            views.compare_markdown(results, model.judged)


@shows_errors
def new_picture(seed: int) -> dict:
    """A `shapes` image, enlarged for the brush, as the editor's background."""
    from demos.diffusion import views

    image = views.data_picture(seed)
    scale = EDITOR_PX // image.shape[0]
    return {"background": png_file(image.repeat(scale, 0).repeat(scale, 1)), "layers": [], "composite": None}


def _editor_file(item: Any) -> Any:
    """A layer of the editor's value: a file as Gradio sends it when the listener skips
    preprocessing is a dict holding its path."""
    return item.get("path") if isinstance(item, dict) else item


def read_editor(value: Any, side: int, region: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """The picture and mask from gr.ImageEditor's value {background, layers, composite}: the
    background, and the pixels any layer painted (alpha > 0), through sampling.image_and_mask.

    Returns the image, uint8 (side, side, 3); keep, bool (side, side): False where the brush painted
    (or, with no strokes, in `region`); and whether brush strokes were used."""
    from demos.diffusion import sampling

    if not isinstance(value, dict) or value.get("background") is None:
        raise limits.LimitError("Put a picture in the editor first (or press 'New picture').")
    background = sampling.as_rgba(_editor_file(value["background"]))
    painted = np.zeros(background.shape[:2], bool)
    for layer in value.get("layers") or []:
        rgba = sampling.as_rgba(_editor_file(layer))
        if rgba is not None and rgba.shape[:2] == painted.shape:
            painted |= rgba[..., 3] > 0
    return sampling.image_and_mask(background, painted, side, region)


@shows_errors
def inpaint(model_spec: str, editor: dict, region: str, sampler: str, steps: int, seed: int):
    from demos.diffusion import sampling
    from demos.diffusion import wording as words

    model = _model(model_spec)
    image, keep, brushed = read_editor(editor, model.side, region)
    recording, run = sampling.inpaint_steps(model, image, keep, sampler, steps, seed)
    what = "the painted area" if brushed else f"the {region}"
    for _, panel, status, _ in _streamed(recording, run, f"Filling {what}", words.INPAINT_KEPT):
        yield panel, status, gr.skip()  # panel: already a file
    yield gr.skip(), gr.skip(), png_file(recording.filled_picture())  # _streamed's last update carries `recording`


def build_sections() -> tuple[dict, tuple]:
    """The sections, inside the caller's gr.Blocks. Returns what a presenter link sets (the
    sampling controls, by link name) and the run that shows them: (fn, inputs, outputs)."""
    from demos.diffusion import options
    from demos.diffusion import wording as words
    from demos.diffusion.options import (
        COMPARE_SAMPLES_SLIDER,
        DEFAULTS,
        INPAINT_SAMPLERS,
        INPAINT_STEPS_SLIDER,
        SAMPLERS,
        SAMPLES_SLIDER,
        STEPS,
        STEPS_SLIDER,
    )

    gr.Markdown(f"## {words.SAMPLING_HEADING}\n{words.SAMPLING_INTRO}")
    with gr.Row():
        model = gr.Dropdown(list(MODEL_CHOICES), value=DEFAULTS.model, allow_custom_value=True, label="Image model",
                            info=words.MODEL_INFO,
                            elem_id="diffusion-model", scale=3)
        model_info = gr.Markdown("", elem_id="diffusion-model-info")
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            sampler = gr.Radio(list(SAMPLERS), value=DEFAULTS.sampler, label="Sampler")
            steps = spec_slider(STEPS_SLIDER, "Denoising steps", info=words.STEPS_INFO)
            n = spec_slider(SAMPLES_SLIDER, "Images")
            seed = seed_control(DEFAULTS.seed, label="Noise seed", elem_id="diffusion-sample-seed")
            go = gr.Button("Sample", variant="primary", elem_id="diffusion-main-action")
            stop = gr.Button("Stop")
        with gr.Column(scale=3):
            panel = gr.Image(label="The current step", show_label=False, type="numpy", interactive=False,
                             format="png", elem_id="diffusion-steps")
            status = gr.Markdown("Press **Sample**.", elem_id="diffusion-sample-status")
            slider = gr.Slider(0, 1, value=0, step=1, label="Go back through the steps", interactive=False,
                               elem_id="diffusion-scrub")
            with gr.Row():
                result = gr.Image(label="Samples", type="numpy", interactive=False, format="png",
                                  elem_id="diffusion-result")
                gif = gr.File(label="The whole run as an animation (GIF)", elem_id="diffusion-gif")
    recording = gr.State(None)
    sample_inputs = [model, sampler, steps, n, seed]
    sample_outputs = [recording, panel, status, slider, result, gif, model_info]
    event = go.click(sample_images, sample_inputs, sample_outputs, api_name="diffusion_sample", preprocess=False,
                     **CONCURRENCY)
    stop.click(None, cancels=[event])
    slider.change(scrub, [recording, slider], panel, api_visibility="private", trigger_mode="always_last",
                  show_progress="hidden")
    link_controls = {"model": model, "sampler": sampler, "steps": steps, "images": n, "seed": seed}
    copy_link_button("diffusion", options.LINK_PARAMS, link_controls)

    gr.Markdown(f"## {words.COMPARE_HEADING}\n{words.COMPARE_INTRO}")
    pairs = []
    with gr.Row():
        for i, (name, count) in enumerate(DEFAULTS.compare):
            with gr.Column(min_width=180):
                pairs.append(gr.Dropdown([("(none)", ""), *[(s, s) for s in SAMPLERS]], value=name,
                                         label=f"Sampler {i + 1}"))
                pairs.append(gr.Number(count, precision=0, label="steps", minimum=STEPS.low, maximum=STEPS.high))
        with gr.Column(min_width=180):
            cmp_n = spec_slider(COMPARE_SAMPLES_SLIDER, "Images per sampler")
            cmp_seed = gr.Number(DEFAULTS.compare_seed, precision=0, label="Noise seed")
            cmp_go = gr.Button("Compare", variant="primary", elem_id="diffusion-compare")
    with gr.Row():
        cmp_sheet = gr.Image(label="Same noise, three samplers", show_label=False, type="numpy", interactive=False, format="png",
                             elem_id="diffusion-compare-sheet", scale=3)
        cmp_plot = gr.Plot(label="Time and quality", scale=2)
    cmp_table = gr.Markdown("")
    cmp_go.click(compare_samplers, [model, cmp_seed, cmp_n, *pairs], [cmp_sheet, cmp_plot, cmp_table],
                 api_name="diffusion_compare", preprocess=False, **CONCURRENCY)

    gr.Markdown(f"## {words.INPAINT_HEADING}\n{words.INPAINT_INTRO}")
    with gr.Row():
        with gr.Column(scale=2):
            editor = gr.ImageEditor(value=new_picture(DEFAULTS.picture_seed), type="filepath", image_mode="RGB", sources=("upload",),
                                    label="Picture: paint what to fill (uploads are resized to the model's size)",
                                    brush=gr.Brush(default_size=28, colors=[("#ff00cc", 0.6)], color_mode="fixed"),
                                    transforms=(), layers=False, canvas_size=(EDITOR_PX, EDITOR_PX), height=360,
                                    elem_id="diffusion-editor")
        with gr.Column(scale=1, min_width=240):
            pic_seed = gr.Number(DEFAULTS.picture_seed, precision=0, label="Picture seed")
            new_pic = gr.Button("New picture")
            region = gr.Radio(list(options.REGIONS), value=DEFAULTS.region, label="Region to fill when nothing is painted")
            inp_sampler = gr.Radio(list(INPAINT_SAMPLERS), value=DEFAULTS.inpaint_sampler, label="Sampler")
            inp_steps = spec_slider(INPAINT_STEPS_SLIDER, "Steps")
            inp_seed = gr.Number(DEFAULTS.inpaint_seed, precision=0, label="Noise seed")
            inp_go = gr.Button("Fill", variant="primary", elem_id="diffusion-inpaint")
            inp_stop = gr.Button("Stop")
    with gr.Row():
        inp_panel = gr.Image(label="The current step", show_label=False, type="numpy", interactive=False, format="png", scale=3,
                             elem_id="diffusion-inpaint-steps")
        inp_result = gr.Image(label="Filled", type="numpy", interactive=False, format="png", scale=1)
    inp_status = gr.Markdown("", elem_id="diffusion-inpaint-status")
    new_pic.click(new_picture, pic_seed, editor, api_visibility="private")
    inp_event = inp_go.click(inpaint, [model, editor, region, inp_sampler, inp_steps, inp_seed],
                             [inp_panel, inp_status, inp_result], api_name="diffusion_inpaint", preprocess=False, **CONCURRENCY)
    inp_stop.click(None, cancels=[inp_event])
    return link_controls, (sample_images, sample_inputs, sample_outputs)
