"""PixelCNN tab: samples streamed pixel by pixel, completions, a pixel's receptive field, bits per
dimension. Glue only: the logic is in explore.py and field.py, the pictures in views.py."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from demos.pixelcnn.options import DEFAULTS
from shared.image_files import png_file
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import (
    demo_container,
    explainer,
    file_path,
    fill_on_open,
    header,
    seed_control,
    shows_errors,
    started,
    told_controls,
)

HERE = Path(__file__).parent
# sampling is a few seconds of one core's work: two at a time, the rest queue (identical presses share one run)
SAMPLING = {"concurrency_limit": 2, "concurrency_id": "pixelcnn-sampling"}


@shows_errors
def sample(n, temperature, seed, shape=DEFAULTS.shape, colour=DEFAULTS.colour,  # noqa: ANN001
           guidance=DEFAULTS.guidance, told=DEFAULTS.told):  # noqa: ANN001
    """Streams (picture, status) as the pixels are drawn."""
    from demos.pixelcnn import explore, options, views
    from demos.pixelcnn import wording as words

    frames = explore.stream_samples(n, seed, temperature, shape, colour, guidance, told)  # checked, and started, here
    yield started(2, 1, words.STARTED.format(n=options.SAMPLES.check(n)))
    for frame in frames:
        yield png_file(views.shown_samples(frame, seed)), words.status_of(frame)


@shows_errors
def complete(image, rows_kept, n, seed, temperature):  # noqa: ANN001
    from demos.pixelcnn import explore, views
    from demos.pixelcnn import wording as words

    original = explore.held_out_image(image)
    for frame in explore.stream_completions(image, rows_kept, n, seed, temperature):
        yield png_file(views.samples_picture(frame, original=original)), words.status_of(frame, completing=True)


@shows_errors
def receptive_field(row, col):  # noqa: ANN001
    from demos.pixelcnn import field, views
    from demos.pixelcnn import wording as words

    f = field.receptive_field(row, col)
    return png_file(views.field_picture(f)), words.field_status(f)


@shows_errors
def measure(image, upload):  # noqa: ANN001
    """Bits per dimension of the upload if there is one, else of held-out image `image`."""
    from demos.pixelcnn import explore, views
    from demos.pixelcnn import wording as words

    path = file_path(upload)
    picture = explore.read_picture(path) if path else explore.held_out_image(image)
    bits = explore.pixel_bits(picture)
    return png_file(views.bits_picture(bits)), words.bits_status(bits, None if path else int(image))


def build() -> gr.Blocks:
    from demos.pixelcnn import options
    from demos.pixelcnn import wording as words

    with demo_container("PixelCNN") as demo:
        header(words.TITLE, words.SUBTITLE)
        explainer(HERE)

        gr.Markdown(f"## {words.SAMPLE_HEADING}\n{words.SAMPLE_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                n = gr.Slider(options.SAMPLES_SLIDER.shown.low, options.SAMPLES_SLIDER.shown.high, value=DEFAULTS.samples,
                              step=options.SAMPLES_SLIDER.step, label="Number of images")
                temperature = gr.Slider(options.TEMPERATURE_SLIDER.shown.low, options.TEMPERATURE_SLIDER.shown.high,
                                        value=DEFAULTS.temperature, step=options.TEMPERATURE_SLIDER.step,
                                        label="Temperature", info=words.TEMPERATURE_INFO)
                seed = seed_control(DEFAULTS.seed, elem_id="pixelcnn-seed")
                told, shape, colour = told_controls("pixelcnn", DEFAULTS.told, DEFAULTS.shape, DEFAULTS.colour,
                                                    words.TOLD, words.TOLD_INFO)
                guidance = gr.Slider(options.GUIDANCE_SLIDER.shown.low, options.GUIDANCE_SLIDER.shown.high,
                                     value=DEFAULTS.guidance, step=options.GUIDANCE_SLIDER.step, label="Guidance",
                                     info=words.GUIDANCE_INFO)
                sample_btn = gr.Button(words.SAMPLE, variant="primary", elem_id="pixelcnn-main-action")
            with gr.Column(scale=3):
                samples = gr.Image(label="Samples", type="filepath", interactive=False, show_label=False,
                                   elem_id="pixelcnn-samples")
                sample_md = gr.Markdown(words.READY, elem_id="pixelcnn-status")
        link_controls = {"n": n, "temperature": temperature, "seed": seed, "shape": shape, "colour": colour,
                         "guidance": guidance}
        sampling = [n, temperature, seed, shape, colour, guidance, told]  # new settings go last: the API keeps its order
        copy_link_button("pixelcnn", options.LINK_PARAMS, link_controls)
        linkable(demo, "PixelCNN", options.LINK_PARAMS, link_controls, run=(sample, sampling, [samples, sample_md]),
                 run_options=SAMPLING)
        sample_btn.click(sample, sampling, [samples, sample_md], api_name="pixelcnn_sample",
                         preprocess=False, **SAMPLING)

        gr.Markdown(f"## {words.COMPLETE_HEADING}\n{words.COMPLETE_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                image = gr.Number(DEFAULTS.image, precision=0, minimum=options.IMAGE.low, maximum=options.IMAGE.high,
                                  label=f"Held-out image (0–{options.IMAGE.high})")
                rows = gr.Slider(options.ROWS_KEPT_SLIDER.shown.low, options.ROWS_KEPT_SLIDER.shown.high,
                                 value=DEFAULTS.rows_kept, step=options.ROWS_KEPT_SLIDER.step, label="Rows kept",
                                 info=words.ROWS_INFO)
                completions = gr.Slider(options.COMPLETIONS_SLIDER.shown.low, options.COMPLETIONS_SLIDER.shown.high,
                                        value=DEFAULTS.completions, step=options.COMPLETIONS_SLIDER.step,
                                        label="Completions")
                complete_btn = gr.Button(words.COMPLETE, variant="primary", elem_id="pixelcnn-complete")
            with gr.Column(scale=3):
                completed = gr.Image(label="Completions", type="filepath", interactive=False, show_label=False,
                                     elem_id="pixelcnn-completions")
                complete_md = gr.Markdown(words.COMPLETE_READY, elem_id="pixelcnn-complete-status")
        complete_btn.click(complete, [image, rows, completions, seed, temperature], [completed, complete_md],
                           api_name="pixelcnn_complete", preprocess=False, **SAMPLING)

        gr.Markdown(f"## {words.FIELD_HEADING}\n{words.FIELD_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                row = gr.Slider(options.PIXEL_SLIDER.shown.low, options.PIXEL_SLIDER.shown.high, value=DEFAULTS.row,
                                step=options.PIXEL_SLIDER.step, label="Pixel row")
                col = gr.Slider(options.PIXEL_SLIDER.shown.low, options.PIXEL_SLIDER.shown.high, value=DEFAULTS.col,
                                step=options.PIXEL_SLIDER.step, label="Pixel column")
            with gr.Column(scale=3):
                field_pic = gr.Image(label="Receptive field", type="filepath", interactive=False, show_label=False,
                                     elem_id="pixelcnn-field")
                field_md = gr.Markdown(elem_id="pixelcnn-field-status")
        gr.on([row.release, col.release], receptive_field, [row, col], [field_pic, field_md],
              api_name="pixelcnn_field", preprocess=False, trigger_mode="always_last")

        gr.Markdown(f"## {words.BITS_HEADING}\n{words.BITS_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                bits_image = gr.Number(DEFAULTS.image, precision=0, minimum=options.IMAGE.low, maximum=options.IMAGE.high,
                                       label=f"Held-out image (0–{options.IMAGE.high})")
                upload = gr.Image(label="…or your picture", type="filepath", sources=("upload", "clipboard"), height=180)
                bits_btn = gr.Button(words.BITS, variant="primary", elem_id="pixelcnn-bits")
            with gr.Column(scale=3):
                bits_pic = gr.Image(label="Bits per pixel", type="filepath", interactive=False, show_label=False,
                                    elem_id="pixelcnn-bits-map")
                bits_md = gr.Markdown(elem_id="pixelcnn-bits-status")
        bits_btn.click(measure, [bits_image, upload], [bits_pic, bits_md], api_name="pixelcnn_bits", preprocess=False)
        fill_on_open(demo, receptive_field, [row, col], [field_pic, field_md])
        fill_on_open(demo, measure, [bits_image, upload], [bits_pic, bits_md])
    return demo
