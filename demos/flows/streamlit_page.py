"""Flows page (Streamlit): a normalizing flow on 2-D points, trained live in the session. Glue only:
the same logic as the Gradio tab (live.py, views.py), the same limits and defaults (options.py);
the run lives in the session's LiveRun and is ticked by shared.st_ui.LiveTicker.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from demos.flows import wording as words
from demos.flows.options import DEFAULTS, FLOW_KINDS, LAYERS_SLIDER, PRESS_STEPS_SLIDER
from shared import limits, st_ui
from shared.datasets import TOY_2D_NAMES

HERE = Path(__file__).parent
TICK_S = 1.0  # the live view's refresh while training: one chunk of training (70% of it) per tick
LIVE = "flows-live"  # this session's run
TICKER = st_ui.LiveTicker("flows", TICK_S)


def settings_widgets() -> tuple:
    """(dataset, kind, layers, seed), in live.FlowSettings' order, and the steps per press."""
    dataset = st.selectbox("Data set", list(TOY_2D_NAMES), index=list(TOY_2D_NAMES).index(DEFAULTS.dataset),
                           format_func=TOY_2D_NAMES.get, key="flows-dataset")
    kind = st.radio("Layers", list(FLOW_KINDS), format_func=FLOW_KINDS.get, key="flows-kind", help=words.KIND_INFO)
    layers = st_ui.spec_slider("Number of layers", LAYERS_SLIDER, key="flows-layers", help=words.LAYERS_INFO)
    seed = st_ui.seed_input("flows-seed", DEFAULTS.seed)
    steps = st_ui.spec_slider("Training steps per press", PRESS_STEPS_SLIDER, key="flows-steps", help=words.PRESS_STEPS_INFO)
    return (dataset, kind, layers, seed), steps


def handle_buttons(slot, values: tuple, steps: int, start: bool, pause: bool, step: bool, reset: bool) -> None:  # noqa: ANN001
    """Start, Pause, Step and Reset on the session's flow (the shared protocol; TICKER trains it)."""
    from demos.flows import live

    settings = live.settings_from_values(values)
    if slot.run is None or slot.run.settings != settings or reset:  # a changed setting starts a new run
        live.reset(slot, settings)
        TICKER.halt()
    if start and not TICKER.running:
        TICKER.start(slot, live.new_press(slot, settings, steps))
    if pause:
        TICKER.pause(slot)
    if step:
        if TICKER.running:  # as in the tab: Step moves a paused run on
            raise limits.LimitError(words.STEP_WHILE_RUNNING)
        live.step(slot, settings)


def live_view(slot) -> None:  # noqa: ANN001
    """The flow's picture and status: TICKER's fragment trains a chunk and redraws it every TICK_S."""
    from demos.flows import views

    def draw(snap, speed: float | None) -> None:  # noqa: ANN001 (live.FlowSnapshot or None)
        picture, status = views.live_view(slot.run, speed, snap)
        st_ui.streamed_png(st.empty(), picture, caption=words.VIEW_LABEL)  # redrawn every tick: embedded, never a stale media URL
        st.markdown(status)

    TICKER.show(slot, draw)


st_ui.header(words.TITLE, words.SUBTITLE)
st_ui.explainer(HERE)
st.header(words.TOY_HEADING)
st.markdown(words.TOY_INTRO)
slot = st_ui.live_slot(LIVE)
left, right = st.columns([1, 3])
with left:
    values, press_steps = settings_widgets()
    top, bottom = st.columns(2), st.columns(2)
    start = top[0].button(words.START, key="flows-main-action", type="primary", width="stretch")
    pause = top[1].button(words.PAUSE, key="flows-pause", width="stretch")
    step = bottom[0].button(words.STEP, key="flows-step", width="stretch")
    reset = bottom[1].button(words.RESET, key="flows-reset", width="stretch")
    with st_ui.shows_errors():
        handle_buttons(slot, values, press_steps, start, pause, step, reset)
    TICKER.notice()
with right:
    if slot.run is not None:
        live_view(slot)


def image_panels() -> None:
    """The image flow's four panels, in the Gradio tab's order."""
    from demos.flows import images, options, views
    from demos.flows.options import IMAGE_DEFAULTS as D
    from shared.image_files import png_bytes

    st.header(words.IMAGES_HEADING)
    st.markdown(words.IMAGES_INTRO)
    left, right = st.columns([1, 3])
    with left:
        n = st_ui.spec_slider("Number of images", options.IMAGE_SAMPLES_SLIDER, key="flows-image-n")
        temperature = st_ui.spec_slider("Temperature", options.IMAGE_TEMPERATURE_SLIDER, key="flows-image-temperature",
                                        help=words.IMAGE_TEMPERATURE_INFO)
        seed = st_ui.seed_input("flows-image-seed", D.seed)
        told, shape, colour = st_ui.told_controls("flows-image", D.told, D.shape, D.colour, words.IMAGE_TOLD,
                                                  words.IMAGE_TOLD_INFO)
    with right, st_ui.shows_errors():
        drawn = images.samples(n, temperature, seed, shape, colour, told)
        labels = images.sample_labels(len(drawn), seed, shape, colour, told)
        st_ui.full_size_image(views.samples_strip(drawn, seed, labels))  # marked, it may be wider than st.image keeps
        st.markdown(words.SAMPLED_IMAGES.format(n=len(drawn), temperature=float(temperature), seed=int(seed))
                    + (words.SAMPLED_UNTOLD if labels is None else words.SAMPLED_TOLD))

    st.header(words.BITS_HEADING)
    st.markdown(words.BITS_INTRO)
    left, right = st.columns([1, 3])
    with left:
        source = st.selectbox("Image", list(options.SOURCES), key="flows-source", help=words.SOURCE_INFO)
        index = st.number_input(f"Held-out shape (0–{options.IMAGE_INDEX.high})", options.IMAGE_INDEX.low,
                                options.IMAGE_INDEX.high, D.image, key="flows-image-index")
        upload = st.file_uploader("Your picture", type=st_ui.PICTURE_TYPES, key="flows-upload")
    with right, st_ui.shows_errors(), st_ui.uploaded_path(upload, options.PICTURE.max_bytes) as path:
        scored = images.score(images.picture_to_score(source, index, path))
        st.image(png_bytes(views.bits_picture(scored)), output_format="PNG")
        st.markdown(words.BITS_STATUS.format(bits=scored.bits, better=scored.better_than))

    st.header(words.INTERP_HEADING)
    st.markdown(words.INTERP_INTRO)
    left, right = st.columns([1, 3])
    with left:
        a = st.number_input("From held-out image", options.IMAGE_INDEX.low, options.IMAGE_INDEX.high, D.a, key="flows-a")
        b = st.number_input("To held-out image", options.IMAGE_INDEX.low, options.IMAGE_INDEX.high, D.b, key="flows-b")
        frames = st_ui.spec_slider("Frames", options.FRAMES_SLIDER, key="flows-frames")
    with right, st_ui.shows_errors():
        strip = images.interpolate(a, b, frames)
        st.image(png_bytes(views.image_strip(strip, columns=len(strip))), output_format="PNG")
        st.markdown(words.INTERPOLATED.format(frames=len(strip), a=int(a), b=int(b)))

    st.header(words.SURPRISE_HEADING)
    with st_ui.shows_errors():
        rows = images.surprise_table()
        st.markdown(words.SURPRISE_INTRO.format(n=options.SURPRISE_IMAGES))
        st.markdown(words.surprise_markdown(rows))
        st.image(png_bytes(views.surprise_picture(rows)), output_format="PNG")


image_panels()
