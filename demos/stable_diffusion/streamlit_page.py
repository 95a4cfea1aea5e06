"""Stable Diffusion as a Streamlit page: text to image streamed step by step with every tensor shown
(then a slider to scrub back through the steps), the pipeline diagram with the run's shapes, where
each word looks, a guidance grid, image to image, and the cost of pixels. Glue only, over the same
logic as the Gradio tab (demos/stable_diffusion/ui.py): explore.py and cost.py compute, views.py
draws and words, options.py holds every limit and default.

Streamlit reruns this script on every widget change, so every result is kept in st.session_state
and only redrawn; a run's steps are kept so the scrub slider never samples again.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from demos.stable_diffusion import cost, explore, options, views
from demos.stable_diffusion import wording as words
from shared import datasets, limits, phrasings, st_ui
from shared.image_files import png_bytes

HERE = Path(__file__).parent
MAIN_ACTION = "stable_diffusion-main-action"  # the Gradio tab's Generate button has the same elem_id
PICTURE_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]


def load(name: str) -> explore.Parts:
    """The pipeline's parts, loaded on first use and shared by every session (a Hub pipeline fails
    with the offline notice when it is not cached)."""
    return st_ui.resource(f"sd:{name}", lambda: explore.load_pipeline(name))


@contextmanager
def on_disk(data: bytes, name: str) -> Iterator[str]:
    """Bytes held by Streamlit as a file for the logic, which opens pictures by path; removed after."""
    suffix = os.path.splitext(name)[1][:10] or ".png"
    with tempfile.TemporaryDirectory(prefix="sd-start-") as folder:
        path = os.path.join(folder, "start" + suffix)
        with open(path, "wb") as out:
            out.write(data)
        yield path


# ---- text to image, step by step ---------------------------------------------------------------


class StepSlots:
    """Where one step is drawn: the same placeholders while streaming and when scrubbing."""

    def __init__(self) -> None:
        pictures = st.columns([2, 3], vertical_alignment="top")
        self.image, self.channels = pictures[0].empty(), pictures[1].empty()
        self.status = st.empty()

    def draw(self, view: explore.StepView, notice: str | None = None) -> None:
        st_ui.streamed_png(self.image, views.zoom(view.image), caption=words.IMAGE_CAPTION)
        st_ui.streamed_png(self.channels, views.step_channels(view), caption=words.CHANNELS_CAPTION)
        self.status.markdown(views.step_status(view, notice))


def generate(settings: dict, slots: StepSlots, diagram) -> None:  # noqa: ANN001 (a Streamlit placeholder)
    """Stream a run into the slots, one step at a time, and keep its steps for the scrub slider."""
    load(settings["pipeline"])
    notice, shapes = explore.prepare_run(settings["pipeline"], settings["prompt"], settings["guidance"],
                                         settings["steps"], settings["scheduler"])  # a bad value fails here
    st_ui.notify(notice)
    bar = st.progress(0.0, text="denoising…")
    steps: list[explore.StepView] = []
    for view in explore.text_to_image(settings["pipeline"], settings["prompt"], settings["negative"],
                                      settings["guidance"], settings["steps"], settings["seed"], settings["scheduler"]):
        steps.append(view)
        slots.draw(view, notice)
        diagram.html(diagram_html(shapes, view))
        bar.progress(view.step / view.steps, text=f"step {view.step} of {view.steps}")
    bar.empty()
    st.session_state["sd-run"] = {"steps": steps, "shapes": shapes, "notice": notice}
    st.session_state["sd-scrub"] = len(steps)  # the slider (made after this) starts on the last step


def diagram_html(shapes: dict, view: explore.StepView | None = None) -> str:
    step = (view.step, view.steps) if view is not None else (None, None)
    return f"<style>{views.DIAGRAM_CSS}</style>" + views.pipeline_diagram(shapes, *step)


def settings_panel() -> tuple[dict, bool]:
    """The run's settings (ranges and defaults from options.py) and whether Generate was pressed."""
    pipeline = st.selectbox("Pipeline", options.PIPELINES, format_func=options.PIPELINE_LABELS.__getitem__,
                            key="sd-pipeline")
    prompt = st.text_input("Prompt", options.DEFAULT_PROMPT, key="sd-prompt")
    negative = st.text_input("Negative prompt", options.DEFAULT_NEGATIVE, key="sd-negative",
                             help=words.NEGATIVE_INFO)
    left, right = st.columns(2)
    scheduler = left.selectbox("Scheduler", options.SCHEDULERS, index=options.SCHEDULERS.index(options.DEFAULT_SCHEDULER),
                               key="sd-scheduler")
    with right:
        steps = st_ui.spec_slider("Steps", options.STEPS_SLIDER, key="sd-steps")
    guidance = st_ui.spec_slider("Guidance scale w", options.GUIDANCE_SLIDER, key="sd-guidance", help=words.GUIDANCE_INFO)
    seed = st_ui.seed_input("sd-seed", options.DEFAULT_SEED)
    pressed = st.button("Generate", type="primary", key=MAIN_ACTION)
    with st.expander(words.KNOWN_WORDS_TITLE, expanded=False):
        st.markdown(phrasings.known_words_markdown())
    return dict(pipeline=pipeline, prompt=prompt, negative=negative, guidance=guidance, steps=steps, seed=seed,
                scheduler=scheduler), pressed


def text_to_image_section() -> dict:
    left, right = st.columns([2, 3])
    with left:
        settings, pressed = settings_panel()
    with right:
        slots = StepSlots()
        scrub_slot = st.container()
    diagram = st.empty()
    with right, st_ui.shows_errors():
        if pressed:
            generate(settings, slots, diagram)
    run = st.session_state.get("sd-run")
    if run is not None:
        steps = run["steps"]
        with scrub_slot:
            st_ui.notify(run["notice"])
            shown = st.slider("Step", 1, len(steps), key="sd-scrub") if len(steps) > 1 else 1
        slots.draw(steps[shown - 1], run["notice"])
        diagram.html(diagram_html(run["shapes"], steps[shown - 1]))
    return settings


# ---- word maps, the guidance grid -------------------------------------------------------------


def word_maps_section(settings: dict) -> None:
    st.markdown(f"## {words.WORDS_HEADING}\n{words.WORDS_INTRO}")
    with st_ui.shows_errors():
        if st.button("Show the word maps", key="sd-words"):
            load(settings["pipeline"])
            result = explore.word_maps(settings["pipeline"], settings["prompt"], settings["guidance"], settings["steps"],
                                       settings["seed"], settings["scheduler"])
            st.session_state["sd-word-maps"] = png_bytes(views.word_maps_sheet(result))
    if "sd-word-maps" in st.session_state:
        st.markdown(views.WORD_MAPS_NOTE)
        st.image(st.session_state["sd-word-maps"], output_format="PNG", caption=words.WORD_MAPS_CAPTION)


def grid_section(settings: dict) -> None:
    st.markdown(f"## {words.GRID_HEADING}\n{words.GRID_INTRO}")
    left, right = st.columns(2)
    scales = left.text_input("Guidance scales", options.DEFAULT_GRID_SCALES, key="sd-grid-scales")
    seeds = right.text_input("Seeds", options.DEFAULT_GRID_SEEDS, key="sd-grid-seeds")
    with st_ui.shows_errors():
        if st.button("Draw the grid", key="sd-grid-btn"):
            scale_list = explore.parse_values(scales, "guidance scales", options.GUIDANCE.check)
            seed_list = explore.parse_values(seeds, "seeds", limits.SEED.check)
            load(settings["pipeline"])
            grid = explore.guidance_grid(settings["pipeline"], settings["prompt"], scale_list, seed_list,
                                         settings["steps"], settings["scheduler"])
            st.session_state["sd-grid"] = png_bytes(views.grid_sheet(grid, scale_list, seed_list))
    if "sd-grid" in st.session_state:
        st.image(st.session_state["sd-grid"], output_format="PNG", caption=words.GRID_CAPTION)


# ---- image to image ---------------------------------------------------------------------------


def set_start(data: bytes, name: str, caption: str, source: str) -> None:
    """The starting image as the file the tab's image editor would hold (a data image enlarged 8x)."""
    st.session_state["sd-start"] = {"data": data, "name": name, "caption": caption, "source": source}


def use_data_image(seed: object) -> None:
    image, caption = datasets.data_image(seed)
    set_start(png_bytes(views.zoom(image)), "data.png", f"*{caption}*", f"data:{seed}")


def starting_image_panel() -> None:
    upload = st.file_uploader("Starting image: upload one, or take one from the data", type=PICTURE_TYPES,
                              key="sd-start-upload")
    st_ui.cannot("drawing the starting image (Streamlit has no drawing canvas): upload one or take one from the data.")
    seed = st.number_input("Data image", value=options.DEFAULT_IMAGE_SEED, step=1, key="sd-data-seed")
    with st_ui.shows_errors():
        if st.button("Use data image", key="sd-data-btn"):
            use_data_image(seed)
        elif upload is not None and st.session_state.get("sd-start-seen") != upload.file_id:
            st.session_state["sd-start-seen"] = upload.file_id  # a new upload replaces the start, once
            with on_disk(upload.getvalue(), upload.name) as path:
                explore.open_start(path)  # a file that is not a usable picture is refused now, with its reason
            set_start(upload.getvalue(), upload.name, "*(uploaded)*", f"upload:{upload.file_id}")
        elif "sd-start" not in st.session_state:  # the tab opens with a data image as the start
            use_data_image(options.DEFAULT_IMAGE_SEED)
    start = st.session_state.get("sd-start")
    if start is not None:
        st.image(start["data"], width=256, output_format="PNG")
        st.markdown(start["caption"])


def image_to_image_section(settings: dict) -> None:
    st.markdown(f"## {words.IMAGE_TO_IMAGE_HEADING}\n{words.IMAGE_TO_IMAGE_INTRO}")
    left, middle, right = st.columns(3)
    with left:
        starting_image_panel()
    with middle:
        strength = st_ui.spec_slider("Strength", options.STRENGTH_SLIDER, key="sd-strength")
        pressed = st.button("Transform it with the prompt", key="sd-i2i-btn")
    with middle, st_ui.shows_errors():
        if pressed:
            start = st.session_state.get("sd-start") or {}
            load(settings["pipeline"])
            with on_disk(start.get("data", b""), start.get("name", "start.png")) as path:
                image = explore.starting_image(settings["pipeline"], path if start else None)
            out = explore.image_to_image(settings["pipeline"], image, settings["prompt"], strength, settings["guidance"],
                                         settings["steps"], settings["seed"], settings["scheduler"])
            st.session_state["sd-i2i"] = (png_bytes(views.zoom(out)), views.image_to_image_note(strength, settings["steps"]))
    if "sd-i2i" in st.session_state:
        picture, note = st.session_state["sd-i2i"]
        middle.markdown(note)
        right.image(picture, output_format="PNG", width=256, caption="Result")


# ---- the cost of pixels -----------------------------------------------------------------------


def cost_section(settings: dict) -> None:
    st.markdown(f"## {words.COST_HEADING}\n{words.COST_INTRO}")
    with st_ui.shows_errors():
        if st.button("Measure", key="sd-cost-btn"):
            load(settings["pipeline"])
            with st.spinner("Timing both steps…"):
                st.session_state["sd-cost"] = cost.compare(settings["pipeline"])  # measured once per process
    if "sd-cost" in st.session_state:
        st.markdown(cost.cost_table(*st.session_state["sd-cost"]))


# ---- the page ---------------------------------------------------------------------------------


st_ui.header(words.TITLE, words.SUBTITLE)
st_ui.explainer(HERE)
chosen = text_to_image_section()
word_maps_section(chosen)
grid_section(chosen)
image_to_image_section(chosen)
cost_section(chosen)
