"""Stable Diffusion tab: text to image streamed step by step with every tensor shown, the pipeline
diagram with the run's shapes, where each word looks, a guidance grid, image to image, and the cost
of pixels. Glue only: the logic is in explore.py and cost.py, the pictures in views.py, the limits
and defaults in options.py.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from demos.stable_diffusion import options, views
from demos.stable_diffusion import wording as words
from shared import limits, phrasings
from shared.image_files import png_file
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import (
    demo_container,
    editor_path,
    editor_value,
    explainer,
    header,
    notify,
    seed_control,
    shapes_editor,
    shows_errors,
    spec_slider,
    started,
)

HERE = Path(__file__).parent
SD_MODEL = {"concurrency_limit": 2, "concurrency_id": "sd-model"}


def _spaces_gpu(fn):  # noqa: ANN001
    """On a ZeroGPU Space (the `spaces` package importable), run fn on the GPU; a no-op elsewhere."""
    try:
        import spaces

        gpu = spaces.GPU
    except (ImportError, AttributeError):  # not installed (or some other "spaces" without GPU on the path)
        return fn
    return gpu(fn)


@shows_errors
@_spaces_gpu
def generate(pipeline: str, prompt: str, negative: str, guidance: float, steps: int, seed: int, scheduler: str):
    """Stream every step: the decoded latent, the latent's and the noise predictions' channels, the diagram."""
    from demos.stable_diffusion import explore

    # the start, before the pipeline is loaded (a fresh server may still be importing diffusers)
    yield started(4, 2, words.STARTED.format(steps=explore.check_request(pipeline, prompt, negative, guidance, steps,
                                                                          scheduler)))
    notice, shapes = explore.prepare_run(pipeline, prompt, guidance, steps, scheduler)
    notify(notice)
    for view in explore.text_to_image(pipeline, prompt, negative, guidance, steps, seed, scheduler):
        yield (png_file(views.zoom(view.image)), png_file(views.step_channels(view)), views.step_status(view, notice),
               views.pipeline_diagram(shapes, view.step, view.steps))


@shows_errors
def show_word_maps(pipeline: str, prompt: str, guidance: float, steps: int, seed: int, scheduler: str):
    from demos.stable_diffusion import explore

    result = explore.word_maps(pipeline, prompt, guidance, steps, seed, scheduler)
    return png_file(views.word_maps_sheet(result)), views.WORD_MAPS_NOTE


@shows_errors
def show_grid(pipeline: str, prompt: str, scales: str, seeds: str, steps: int, scheduler: str):
    from demos.stable_diffusion import explore

    scale_list = explore.parse_values(scales, "guidance scales", options.GUIDANCE.check)
    seed_list = explore.parse_values(seeds, "seeds", limits.SEED.check)
    grid = explore.guidance_grid(pipeline, prompt, scale_list, seed_list, steps, scheduler)
    return png_file(views.grid_sheet(grid, scale_list, seed_list))


@shows_errors
def run_image_to_image(pipeline: str, picture: object, prompt: str, strength: float, guidance: float, steps: int,
                       seed: int, scheduler: str):
    from demos.stable_diffusion import explore

    image = explore.starting_image(pipeline, _editor_path(picture))
    out = explore.image_to_image(pipeline, image, prompt, strength, guidance, steps, seed, scheduler)
    return png_file(views.zoom(out)), views.image_to_image_note(strength, steps)


def _editor_path(picture: object) -> str:
    """A gr.ImageEditor's raw value (its flattened composite, else its background), or a file, as a path."""
    path = editor_path(picture)
    if not path:
        raise limits.LimitError("There is no starting image: upload one, draw one or take one from the data.")
    return path


@shows_errors
def pick_data(seed: int):
    from shared import datasets

    image, caption = datasets.data_image(seed)
    return editor_value(png_file(views.zoom(image))), f"*{caption}*"


@shows_errors
def show_cost(pipeline: str):
    from demos.stable_diffusion import cost

    return cost.cost_table(*cost.compare(pipeline))


def _editor(value: dict) -> gr.ImageEditor:
    """The starting image: an upload, a data image, or a drawing in the data's colours."""
    return shapes_editor("Starting image: upload one, take one from the data, or draw", "sd-start-image", value=value)


def build() -> gr.Blocks:
    with demo_container("Stable Diffusion") as demo:
        gr.HTML(f"<style>{views.DIAGRAM_CSS}</style>")
        header(words.TITLE, words.SUBTITLE)
        explainer(HERE)
        with gr.Row():
            with gr.Column(scale=2, min_width=320):
                pipeline = gr.Dropdown([(label, name) for name, label in options.PIPELINE_LABELS.items()],
                                       value=options.BUNDLED, label="Pipeline")
                prompt = gr.Textbox(options.DEFAULT_PROMPT, label="Prompt", elem_id="sd-prompt")
                negative = gr.Textbox(options.DEFAULT_NEGATIVE, label="Negative prompt",
                                      info=words.NEGATIVE_INFO)
                with gr.Row():
                    scheduler = gr.Dropdown(list(options.SCHEDULERS), value=options.DEFAULT_SCHEDULER, label="Scheduler")
                    steps = spec_slider(options.STEPS_SLIDER, "Steps")
                guidance = spec_slider(options.GUIDANCE_SLIDER, "Guidance scale w", info=words.GUIDANCE_INFO)
                seed = seed_control(options.DEFAULT_SEED, label="Seed", elem_id="sd-seed")
                go = gr.Button("Generate", variant="primary", elem_id="stable_diffusion-main-action")
                with gr.Accordion(words.KNOWN_WORDS_TITLE, open=False, elem_id="sd-known-words"):
                    gr.Markdown(phrasings.known_words_markdown())
            with gr.Column(scale=3):
                with gr.Row():
                    image = gr.Image(label=words.IMAGE_CAPTION, type="filepath", interactive=False, height=280,
                                     width=280, elem_id="sd-image")
                    channels = gr.Image(label=words.CHANNELS_CAPTION, type="filepath",
                                        interactive=False, format="png", elem_id="sd-channels")
                status = gr.Markdown(elem_id="sd-status")
        diagram = gr.HTML(elem_id="sd-diagram")
        settings = [pipeline, prompt, negative, guidance, steps, seed, scheduler]
        go.click(generate, settings, [image, channels, status, diagram], api_name="sd_generate", preprocess=False,
                 **SD_MODEL)
        # a presenter link sets these, then streams the generation (shared/presenter_ui.py)
        link_controls = {"pipeline": pipeline, "prompt": prompt, "sampler": scheduler, "steps": steps, "w": guidance,
                         "seed": seed}
        copy_link_button("stable_diffusion", options.LINK_PARAMS, link_controls)
        linkable(demo, "Stable Diffusion", options.LINK_PARAMS, link_controls,
                 run=(generate, settings, [image, channels, status, diagram]), run_options=SD_MODEL)

        gr.Markdown(f"## {words.WORDS_HEADING}\n{words.WORDS_INTRO}")
        with gr.Row():
            words_btn = gr.Button("Show the word maps", elem_id="sd-words")
            words_text = gr.Markdown(elem_id="sd-words-text")
        words_img = gr.Image(label=words.WORD_MAPS_CAPTION, type="filepath", interactive=False,
                             format="png", elem_id="sd-word-maps")
        words_btn.click(show_word_maps, [pipeline, prompt, guidance, steps, seed, scheduler], [words_img, words_text],
                        api_name="sd_word_maps", preprocess=False, **SD_MODEL)

        gr.Markdown(f"## {words.GRID_HEADING}\n{words.GRID_INTRO}")
        with gr.Row():
            scales = gr.Textbox(options.DEFAULT_GRID_SCALES, label="Guidance scales")
            seeds = gr.Textbox(options.DEFAULT_GRID_SEEDS, label="Seeds")
            grid_btn = gr.Button("Draw the grid", elem_id="sd-grid-btn")
        grid_img = gr.Image(label=words.GRID_CAPTION, type="filepath", interactive=False, format="png",
                            elem_id="sd-grid")
        grid_btn.click(show_grid, [pipeline, prompt, scales, seeds, steps, scheduler], grid_img, api_name="sd_grid",
                       preprocess=False, **SD_MODEL)

        gr.Markdown(f"## {words.IMAGE_TO_IMAGE_HEADING}\n{words.IMAGE_TO_IMAGE_INTRO}")
        with gr.Row():
            with gr.Column(min_width=240):
                # the first data image is in the page itself, not written by an event on opening: Gradio
                # re-renders every component an event wrote at each status message of any later event, and
                # an image editor's re-render (four fetches of its picture) delayed Generate's first frame
                first_image, first_caption = pick_data(options.DEFAULT_IMAGE_SEED)
                start_img = _editor(first_image)
                with gr.Row(equal_height=True):
                    data_seed = gr.Number(options.DEFAULT_IMAGE_SEED, precision=0, label="Data image", scale=3)
                    data_btn = gr.Button("Use data image", scale=2)
                data_caption = gr.Markdown(first_caption)
            with gr.Column(min_width=240):
                strength = spec_slider(options.STRENGTH_SLIDER, "Strength")
                i2i_btn = gr.Button("Transform it with the prompt", elem_id="sd-i2i-btn")
                i2i_text = gr.Markdown(elem_id="sd-i2i-text")
            i2i_img = gr.Image(label="Result", type="filepath", interactive=False, height=256, width=256, elem_id="sd-i2i")
        data_btn.click(pick_data, data_seed, [start_img, data_caption], api_name="sd_data_image", preprocess=False)
        i2i_btn.click(run_image_to_image, [pipeline, start_img, prompt, strength, guidance, steps, seed, scheduler],
                      [i2i_img, i2i_text], api_name="sd_image_to_image", preprocess=False, **SD_MODEL)

        gr.Markdown(f"## {words.COST_HEADING}\n{words.COST_INTRO}")
        cost_btn = gr.Button("Measure", elem_id="sd-cost-btn")
        cost_text = gr.Markdown(elem_id="sd-cost")
        cost_btn.click(show_cost, pipeline, cost_text, api_name="sd_cost", preprocess=False, **SD_MODEL)
    return demo
