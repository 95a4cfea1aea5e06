"""CLIP as a Streamlit page: search a gallery by text or by an image (and add your own images),
zero-shot classification with typed labels, the contrastive objective trained live, and the joint
space. Glue only, over the same logic as the Gradio tab (demos/clip/ui.py): explore.py and live.py
compute, views.py draws and words, options.py holds every limit and default.

Streamlit reruns this script on every widget change, so what an action produced is kept in
st.session_state and only redrawn; the model and the default gallery load once per process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import streamlit as st

from demos.clip import explore, live, options, views
from demos.clip import wording as words
from demos.clip.session import UserGallery
from demos.clip.uploads import saved_uploads
from shared import datasets, phrasings, st_ui
from shared.image_files import png_bytes
from shared.live import LiveRun

HERE = Path(__file__).parent
MAIN_ACTION = "clip-main-action"  # the Gradio tab's Search button has the same elem_id
PICTURE_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]
QUERY_WIDTH = 220  # pixels: the query picture beside the search box

Progress = Callable[[float, str], None]


@contextmanager
def progress_bar(start: str) -> Iterator[Progress]:
    """The logic's (fraction, words) progress callback as an st.progress bar, removed afterwards."""
    bar = st.progress(0.0, text=start)
    try:
        yield lambda fraction, what: bar.progress(min(max(float(fraction), 0.0), 1.0), text=what)
    finally:
        bar.empty()


def load_model(name: str) -> explore.Clip:
    """The CLIP, loaded on first use and shared by every session (a Hub one fails with the
    offline notice when it is not cached)."""
    return st_ui.resource(f"clip:{name}", lambda: explore.load_clip(name))


def _use_model_texts() -> None:
    """A Hub CLIP searches photos: the query and the labels change with the model (as in the tab)."""
    query, labels = options.default_texts(st.session_state["clip-model"])
    st.session_state["clip-query"], st.session_state["clip-labels"] = query, labels


# ---- the query picture -----------------------------------------------------------------------


def set_picture(image: np.ndarray | object, shown: np.ndarray | object, caption: str, source: str) -> None:
    """The picture that 'Search by this image' and zero-shot classification use, kept per session."""
    st.session_state["clip-picture"] = {"image": image, "png": png_bytes(shown), "caption": caption, "source": source}


def use_data_image(seed: object) -> None:
    image, caption = datasets.data_image(seed)
    set_picture(image, views.enlarge(image, views.QUERY_SIDE), views.data_caption(caption, int(seed)), f"data:{seed}")


def use_uploaded_picture(upload) -> None:  # noqa: ANN001 (streamlit UploadedFile)
    """Read an uploaded query picture once: a rerun, or a data image chosen since, does not read it
    again (a failed read shows its message once)."""
    source = f"upload:{upload.file_id}"
    if st.session_state.get("clip-upload-seen") == source:
        return
    st.session_state["clip-upload-seen"] = source
    with saved_uploads([(upload.name, upload.getvalue())]) as paths:
        picture = explore.read_picture(paths[0])
    shown = picture.copy()
    shown.thumbnail((views.QUERY_SIDE, views.QUERY_SIDE))
    set_picture(picture, shown, f"*{views.escaped(upload.name)}* (uploaded)", source)


def query_picture() -> object:
    picture = st.session_state.get("clip-picture")
    if picture is None:
        explore.read_picture(None)  # raises the tab's 'There is no query image' message
    return picture["image"]


# ---- 1 · search ------------------------------------------------------------------------------


def run_search(kind: str, model: str, k: int, user: UserGallery) -> None:
    """Search by text or by the query picture; the drawn sheet and summary are kept for reruns."""
    load_model(model)
    with progress_bar("Embedding the query…") as progress:
        if kind == "text":
            result = explore.search_text(model, st.session_state["clip-query"], k, user, progress)
        else:
            result = explore.search_image(model, query_picture(), k, user, progress)
    st.session_state["clip-result"] = {"png": png_bytes(views.results_sheet(result)),
                                       "summary": views.search_summary(result), "notice": result.notice}


def search_section(model: str, user: UserGallery) -> None:
    st.markdown(f"## {words.SEARCH_HEADING}\n{words.SEARCH_INTRO}")
    left, right = st.columns([2, 1])
    with left:
        st.text_input(words.QUERY, key="clip-query", help=options.QUERY_HELP)
        k = st_ui.spec_slider(words.RESULTS, options.TOP_K_SLIDER, key="clip-top-k")
        by_text = st.button(words.SEARCH, type="primary", key=MAIN_ACTION)
        with st.expander(words.KNOWN_WORDS_TITLE, expanded=False):
            st.markdown(phrasings.known_words_markdown())
    with right:
        upload = st.file_uploader(words.PICTURE, type=PICTURE_TYPES,
                                  key="clip-picture-upload")
        seed = st.number_input(words.DATA_IMAGE, value=options.DEFAULT_IMAGE_SEED, step=1, key="clip-data-seed")
        picked = st.button(words.USE_DATA_IMAGE, key="clip-data-btn")
        with st_ui.shows_errors():
            if picked:
                use_data_image(seed)
            elif upload is not None:  # read once, when it is new
                use_uploaded_picture(upload)
            elif "clip-picture" not in st.session_state:  # the tab opens with a data image as the query
                use_data_image(options.DEFAULT_IMAGE_SEED)
        picture = st.session_state.get("clip-picture")
        if picture is not None:
            st.image(picture["png"], width=QUERY_WIDTH, output_format="PNG")
            st.markdown(picture["caption"])
        by_image = st.button(words.SEARCH_BY_IMAGE, key="clip-image-search")

    with st_ui.shows_errors():
        if by_image:
            run_search("image", model, k, user)
        elif by_text or "clip-result" not in st.session_state:  # the tab opens on the default query's results
            run_search("text", model, k, user)
    shown = st.session_state.get("clip-result")
    if shown is not None:
        st.image(shown["png"], output_format="PNG", caption=words.RESULTS_CAPTION)
        st_ui.notify(shown["notice"])
        st.markdown(shown["summary"])


def gallery_section(model: str, user: UserGallery) -> None:
    """The visitor's own images: read through UploadReader and kept in this session's UserGallery."""
    with st.expander(words.ADD_HEADING):
        st.markdown(views.upload_rules())
        # a new key empties the uploader once its files are added (the tab clears its File box)
        key = f"clip-uploads-{st.session_state.setdefault('clip-uploads-round', 0)}"
        files = st.file_uploader(words.UPLOADS, type=[*PICTURE_TYPES, "zip"], accept_multiple_files=True, key=key)
        add_col, clear_col = st.columns(2)
        add = add_col.button(words.ADD, key="clip-add")
        clear = clear_col.button(words.CLEAR, key="clip-clear")
        with st_ui.shows_errors():
            if add:
                load_model(model)
                with saved_uploads((f.name, f.getvalue()) for f in files or []) as paths, \
                        progress_bar("Reading the images…") as progress:
                    st.session_state["clip-upload-text"] = user.add(model, paths, progress)
                st.session_state["clip-uploads-round"] += 1
                st.rerun()
            if clear:
                st.session_state["clip-upload-text"] = user.remove_all()
        if st.session_state.get("clip-upload-text"):
            st.markdown(st.session_state["clip-upload-text"])


# ---- 2 · zero-shot ---------------------------------------------------------------------------


def zero_shot_section(model: str) -> None:
    st.markdown(f"## {words.ZERO_SHOT_HEADING}\n{words.ZERO_SHOT_INTRO}")
    left, right = st.columns([1, 2])
    with left:
        labels = st.text_area(words.LABELS, key="clip-labels", height=100, help=words.LABELS_HELP)
        with st_ui.shows_errors():
            if st.button(words.CLASSIFY, key="clip-zero-shot"):
                load_model(model)
                st.session_state["clip-zero"] = explore.zero_shot(model, query_picture(), labels)
    result = st.session_state.get("clip-zero")
    if result is not None:
        with left:
            st_ui.notify(result.notice)
            st.markdown(views.zero_shot_summary(result))
        right.plotly_chart(views.zero_shot_figure(result), key="clip-zero-plot")


# ---- 3 · the objective, live -----------------------------------------------------------------


TICKER = st_ui.LiveTicker("clip-live", options.LIVE_CHUNK_S)


def live_run(slot: LiveRun, steps: int, seed: int) -> live.LiveCLIP:
    """The session's run for these settings: a changed slider or seed starts a new one, as in the tab."""
    model = slot.run
    if model is None or (model.steps, model.seed) != (steps, seed):
        TICKER.halt()
        model = slot.replace(live.LiveCLIP(steps, seed))
        st.session_state["clip-live-frame"] = model.frame()
    return model


def draw(slot: LiveRun, frame: live.LiveFrame | None) -> None:
    """The latest frame: the status, the similarity heatmap and the curves."""
    if frame is not None:
        st.session_state["clip-live-frame"] = frame
    frame = st.session_state["clip-live-frame"]
    st.markdown(live.status_text(frame))
    st.plotly_chart(live.heatmap_figure(frame, slot.run.shown_captions), key="clip-live-heatmap")
    st.plotly_chart(live.curves_figure(frame), key="clip-live-curves")


def live_section() -> None:
    st.markdown(f"## {words.LIVE_HEADING}\n{words.LIVE_INTRO}")
    slot = st_ui.live_slot("clip-live")
    settings, seed_box, buttons = st.columns([3, 2, 3], vertical_alignment="bottom")
    with settings:
        steps = st_ui.spec_slider(words.LIVE_STEPS, options.LIVE_STEPS_SLIDER, key="clip-live-steps")
    with seed_box:
        seed = st_ui.seed_input("clip-live-seed", options.DEFAULT_LIVE_SEED, label=words.SEED)
    with buttons:
        start_col, pause_col, reset_col = st.columns(3)
        start = start_col.button(words.START, key="clip-live-start", width="stretch")
        pause = pause_col.button(words.PAUSE, key="clip-live-pause", width="stretch")
        reset = reset_col.button(words.RESET, key="clip-live-reset-btn", width="stretch")
    with st_ui.shows_errors():
        if reset:
            TICKER.halt()
            slot.replace(None)
        live_run(slot, steps, seed)
        if start:
            TICKER.start(slot, live.new_press(slot))
        if pause:
            TICKER.pause(slot)
    if slot.run is None:
        return  # a bad seed: its message is shown above
    TICKER.notice()
    # the fragment reruns alone on a timer while the run trains, and not at all once it is paused
    TICKER.show(slot, lambda frame, _speed: draw(slot, frame))


# ---- 4 · the space ---------------------------------------------------------------------------


def space_section() -> None:
    st.markdown(f"## {words.SPACE_HEADING}\n{words.SPACE_INTRO}")
    left, right = st.columns([1, 3])
    with left:
        n = st_ui.spec_slider(words.IMAGES, options.PROJECTION_IMAGES_SLIDER, key="clip-space-images")
        method = st.radio(words.PROJECTION, options.PROJECTIONS,
                          index=options.PROJECTIONS.index(options.DEFAULT_PROJECTION), horizontal=True,
                          key="clip-space-method", help=words.PROJECTION_HELP)
        seed = st_ui.seed_input("clip-space-seed", options.GALLERY_SEED, label=words.SEED)
        with st_ui.shows_errors():
            if st.button(words.PROJECT, key="clip-project"):
                load_model(options.BUNDLED)
                st.session_state["clip-space"] = explore.project_space(n, method, seed)  # memoised in the logic
    projection = st.session_state.get("clip-space")
    if projection is not None:
        with left:
            st_ui.notify(projection.notice)
            st.markdown(views.projection_summary(projection))
        right.plotly_chart(views.projection_figure(projection), key="clip-space-plot")


# ---- the page --------------------------------------------------------------------------------


st_ui.header(words.TITLE, words.SUBTITLE)
st_ui.explainer(HERE)
for key, value in (("clip-model", options.BUNDLED), ("clip-query", options.DEFAULT_QUERY),
                   ("clip-labels", options.DEFAULT_LABELS)):
    st.session_state.setdefault(key, value)
chosen = st.selectbox(words.MODEL, options.MODELS, format_func=options.MODEL_LABELS.__getitem__, key="clip-model",
                      on_change=_use_model_texts)
visitor = st_ui.session_slot("clip-user", UserGallery)  # this visitor's own images, never shared
search_section(chosen, visitor)
gallery_section(chosen, visitor)
zero_shot_section(chosen)
live_section()
space_section()
