"""VAE as a Streamlit page: interpolation against a pixel cross-fade, the latent map, one dimension at a
time, reconstructions and samples, the β comparison, anomaly scores and real photos through a Hub
autoencoder. Glue only: every section calls demos/vae/views.py, the functions the Gradio tab calls,
and shows the words of demos/vae/wording.py, the tab's words.

The script reruns on every widget change, so each section's result is kept in st.session_state with
the inputs it was made from, and is only recomputed when those change (or its button is pressed);
the heavy results (interpolations, the map, the tables) are memoised in the logic as well.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from demos.vae import options, views
from demos.vae import wording as words
from shared import st_ui

HERE = Path(__file__).parent
IMAGES = "vae-images"  # {"A": (uint8 (32, 32, 3), caption), "B": ...}: used by every section
INTERPOLATION = "vae-interpolation"  # the last views.InterpolationView: the scrub slider reads its frames
SHOWN_SIDE = options.SHOWN_SIDE  # pixels an image A or B is shown at
# every picture goes out as PNG: they are pixel art, and Streamlit sends arrays as JPEG by default


def _models() -> tuple:
    """The tab's bundled VAEs (16-D at β = 1, and the 2-D one of the map), loaded once per server."""
    from demos.vae import explore

    return explore.load_vae(options.BETA_MODELS[options.DEFAULT_BETA]), explore.load_vae(options.BUNDLED_2D)


def kept(key: str, inputs: tuple, compute: Callable[[], Any]) -> Any:
    """The result kept under `key` if it was made from the same inputs, else computed now and kept:
    a rerun for another widget's change redoes nothing here."""
    held = st.session_state.get(key)
    if held is None or held[0] != inputs:
        held = st.session_state[key] = (inputs, compute())
    return held[1]


def _upload_path(upload) -> str:  # noqa: ANN001 (an UploadedFile)
    """An upload as a file on disk: the logic opens and checks pictures by path, as in the Gradio tab."""
    from shared.image_files import write_atomic

    return write_atomic(upload.getvalue(), Path(upload.name).suffix.lower() or ".bin", prefix="vae-upload-")


def _image(label: str) -> np.ndarray:
    return st.session_state[IMAGES][label][0]


def _image_key(label: str) -> bytes:
    """Image A or B as a hashable key (results that depend on it are kept by it)."""
    return _image(label).tobytes()


# ---- 1 · images A and B, interpolation -----------------------------------------------------------


def image_column(label: str, default_seed: int) -> None:
    """Image A or B: shown, taken from the data or from an upload."""
    from demos.vae import explore

    slug = label.lower()
    shown = st.empty()  # filled last, so it shows what this run picked
    seed = st_ui.seed_input(f"vae-seed-{slug}", default_seed, label="Data image")
    picked = st.button("Use data image", key=f"vae-pick-{slug}")
    upload = st.file_uploader("…or upload a picture", type=["png", "jpg", "jpeg", "webp", "bmp", "gif"],
                              key=f"vae-upload-{slug}", max_upload_size=options.PICTURE.max_bytes // 2**20)
    with st_ui.shows_errors():
        if picked:
            st.session_state[IMAGES][label] = views.data_picture(seed)
        if upload is not None and st.session_state.get(f"vae-opened-{slug}") != upload.file_id:
            st.session_state[f"vae-opened-{slug}"] = upload.file_id  # once per upload, not on every rerun
            image = explore.read_image(_upload_path(upload), f"image {label}")
            st.session_state[IMAGES][label] = (image, f"*uploaded: {upload.name}*")
    image, caption = st.session_state[IMAGES][label]
    with shown.container():
        st.image(views.zoom(image, SHOWN_SIDE // options.SIDE), caption=f"Image {label}", width=SHOWN_SIDE, output_format="PNG")
        st.markdown(caption)


def interpolation_section() -> tuple[int, str, str]:
    """Part 1; returns the frames, interpolation and β chosen (the other sections use them)."""
    st.subheader(words.INTERPOLATE_HEADING)
    st.markdown(words.interpolate_intro(can_draw=False))
    st_ui.cannot("drawing on images A and B (Streamlit has no image editor): take them from the data or upload "
                 "a picture")
    col_a, col_b, settings = st.columns(3)
    with col_a:
        image_column("A", options.DEFAULT_SEEDS[0])
    with col_b:
        image_column("B", options.DEFAULT_SEEDS[1])
    with settings:
        frames = st_ui.spec_slider("Frames", options.FRAMES_SLIDER, key="vae-frames")
        mode = st.radio("Interpolation", options.INTERPOLATIONS,
                        index=options.INTERPOLATIONS.index(options.DEFAULT_INTERPOLATION), key="vae-mode",
                        help=words.INTERPOLATION_INFO)
        fps = st_ui.spec_slider("Animation frames per second", options.FPS_SLIDER, key="vae-fps")
        betas = list(options.BETA_MODELS)
        beta = st.selectbox("Model (KL weight β)", betas, index=betas.index(options.DEFAULT_BETA), key="vae-beta",
                            help=words.BETA_INFO)
        clicked = st.button("Interpolate", type="primary", key="vae-main-action")
    with st_ui.shows_errors():
        # the tab opens on the walk between the two default images, as the Gradio tab does
        if clicked or INTERPOLATION not in st.session_state:
            st.session_state[INTERPOLATION] = views.interpolation(_image("A"), _image("B"), frames, mode, fps, beta)
            st.session_state["vae-frame"] = 0
    view = st.session_state.get(INTERPOLATION)
    if view is not None:
        show_interpolation(view)
    return frames, mode, beta


def show_interpolation(view) -> None:  # noqa: ANN001 (a views.InterpolationView)
    st.image(view.sheet_png, caption=words.INTERPOLATION_SHEET_CAPTION, output_format="PNG")
    st.markdown(view.summary)
    latent_col, fade_col, scrub_col = st.columns([1, 1, 2])
    with scrub_col:
        st.session_state["vae-frame"] = min(st.session_state.get("vae-frame", 0), view.last_frame)
        i = st.slider("Scrub the frames", 0, view.last_frame, step=1, key="vae-frame")
    latent, fade, text = views.frame(view, i)  # from the kept view: no model call
    latent_col.image(latent, caption="Latent walk", width=SHOWN_SIDE, output_format="PNG")
    fade_col.image(fade, caption="Cross-fade", width=SHOWN_SIDE, output_format="PNG")
    with scrub_col:
        st.markdown(text)
        st.image(view.gif, caption=words.GIF_CAPTION)
        st.download_button("Download the animation (GIF)", view.gif, "vae-interpolation.gif", "image/gif",
                           key="vae-gif-file")


# ---- 2 · the latent map --------------------------------------------------------------------------


def map_section() -> None:
    st.subheader(words.MAP_HEADING)
    st.markdown(words.map_intro(clickable=False))
    st_ui.cannot("clicking the decoded plane to decode a point (a Streamlit image takes no clicks): choose z1 and "
                 "z2 with the sliders")
    plane_col, plot_col, side = st.columns([2, 3, 1])
    with side:
        colour_by = st.radio("Colour the points by", options.COLOUR_BY,
                             index=options.COLOUR_BY.index(options.DEFAULT_COLOUR_BY), key="vae-colour-by")
        if st.button("Place A and B on the map", key="vae-map-place", wrap=True):
            st.session_state["vae-map-placed"] = True
        z1 = st_ui.spec_slider("z1", options.MAP_COORDINATE_SLIDER, key="vae-z1")
        z2 = st_ui.spec_slider("z2", options.MAP_COORDINATE_SLIDER, key="vae-z2")
        with st_ui.shows_errors():
            point, text = kept("vae-point", (z1, z2), lambda: views.decoded_point(z1, z2))
            st.image(point, caption="The point (z1, z2)", width=200, output_format="PNG")
            st.markdown(text)
    placed = bool(st.session_state.get("vae-map-placed"))
    inputs = (colour_by, placed, _image_key("A") if placed else None, _image_key("B") if placed else None)
    with st_ui.shows_errors():
        images = {"A": _image("A"), "B": _image("B")} if placed else {}
        plane, figure = kept("vae-map", inputs, lambda: views.latent_map_view(colour_by, images))
        plane_col.image(plane, caption=words.plane_caption(clickable=False), output_format="PNG")
        plot_col.plotly_chart(figure, key="vae-map-plot")


# ---- 3 · one dimension at a time -----------------------------------------------------------------


def dimensions_section(beta: str) -> None:
    st.subheader(words.DIMENSIONS_HEADING)
    st.markdown(words.DIMENSIONS_INTRO)
    keys = [f"vae-dim-{i}" for i in range(options.LATENT_DIMS)]
    start_col, table_col = st.columns(2)
    # the buttons come before the sliders: a slider's value may be set only before it is drawn
    with start_col:
        if st.button("Start from image A", key="vae-start-from-a"):
            with st_ui.shows_errors():
                start = views.start_from_image(_image("A"), beta)
                st.session_state["vae-start"] = start
                for key, value in zip(keys, start.values):
                    st.session_state[key] = value
    with table_col:
        if st.button("Measure what each dimension moves", key="vae-dims-measure"):
            with st_ui.shows_errors(), st.spinner("Sweeping every dimension over 200 images (about half a minute "
                                                  "the first time)…"):
                st.session_state["vae-dims-table"] = views.dimension_table(beta)
    values = []
    spec = options.LATENT_VALUE_SLIDER
    per_row = options.LATENT_DIMS // 2  # two rows of eight, as in the Gradio tab
    for i, key in enumerate(keys):
        if i % per_row == 0:
            columns = st.columns(per_row)
        # the spec's range and step; its value through the session state, which "Start from image A" sets
        st.session_state.setdefault(key, spec.value)
        values.append(columns[i % per_row].slider(f"z{i}", spec.shown.low, spec.shown.high, step=spec.step, key=key))
    decoded_col, traversal_col = st.columns([1, 3])
    with decoded_col, st_ui.shows_errors():
        image, text = kept("vae-decoded", (beta, tuple(values)), lambda: views.decode_sliders(beta, values))
        st.image(image, caption="Decoded", width=SHOWN_SIDE, output_format="PNG")
        st.markdown(text)
    start = st.session_state.get("vae-start")
    if start is not None:
        traversal_col.image(start.traversal, caption=words.TRAVERSAL_CAPTION, output_format="PNG")
    table = st.session_state.get("vae-dims-table")
    if table is not None:
        rows, summary = table
        st.dataframe([dict(zip(views.DIMENSION_HEADERS, row)) for row in rows], hide_index=True)
        st.markdown(summary)


# ---- 4 · reconstruct and sample ------------------------------------------------------------------


def reconstruct_and_sample_section(beta: str) -> None:
    st.subheader(words.RECONSTRUCT_HEADING)
    st.markdown(words.RECONSTRUCT_INTRO)
    if st.button("Reconstruct image A", key="vae-reconstruct"):
        with st_ui.shows_errors():
            st.session_state["vae-recon"] = views.reconstruction(_image("A"), beta)
    recon = st.session_state.get("vae-recon")
    if recon is not None:
        a, b, code = st.columns([1, 1, 3])
        a.image(recon.image, caption="Image A", width=200, output_format="PNG")
        b.image(recon.recon, caption="Reconstruction", width=200, output_format="PNG")
        code.plotly_chart(recon.code, key="vae-code-plot")
        st.markdown(recon.text)

    settings, shown = st.columns([1, 3])
    with settings:
        prior = st.radio("Prior", list(options.PRIORS), format_func=options.PRIORS.get,
                         index=list(options.PRIORS).index(options.DEFAULT_PRIOR), key="vae-prior")
        temperature = st_ui.spec_slider("Temperature", options.TEMPERATURE_SLIDER, key="vae-temperature",
                                        help=words.TEMPERATURE_INFO)
        seed = st_ui.seed_input("vae-sample-seed", 0)
        n = st_ui.spec_slider("Samples", options.SAMPLES_SLIDER, key="vae-n-samples")
        clicked = st.button("Sample", key="vae-sample")
    with shown, st_ui.shows_errors():
        # filled on open with the defaults, as the Gradio tab; then on each press
        if clicked or "vae-samples" not in st.session_state:
            st.session_state["vae-samples"] = views.samples(prior, temperature, seed, n, beta)
        sheet, text = st.session_state["vae-samples"]
        st_ui.full_size_image(sheet, words.SAMPLES_CAPTION)  # marked, it may be wider than st.image keeps
        st.markdown(text)

    left, right = st.columns([1, 3])
    with left:
        clicked = st.button("Compare the KL weights", key="vae-beta-compare")
        st.markdown(words.BETA_COMPARISON_NOTE)
    if clicked:
        with right, st_ui.shows_errors(), st.spinner("Measuring the three models…"):
            st.session_state["vae-beta-comparison"] = views.beta_comparison()
    if "vae-beta-comparison" in st.session_state:
        picture, table = st.session_state["vae-beta-comparison"]
        right.image(picture, caption=words.BETA_SHEET_CAPTION, output_format="PNG")
        right.markdown(table)


# ---- 5 · anomaly score ---------------------------------------------------------------------------


def anomaly_section() -> None:
    st.subheader(words.ANOMALY_HEADING)
    st.markdown(words.anomaly_intro(can_draw=False))
    left, right = st.columns([1, 3])
    with left:
        score = st.radio("Histogram of", list(options.SCORES), format_func=options.SCORES.get,
                         index=list(options.SCORES).index(options.DEFAULT_SCORE), key="vae-score")
        if st.button("Score image A", key="vae-anomaly"):
            with st_ui.shows_errors(), st.spinner("Scoring (the reference histogram is made once)…"):
                st.session_state["vae-anomaly-result"] = views.anomaly(_image("A"), score)
    held = st.session_state.get("vae-anomaly-result")
    if held is not None:
        figure, text = held
        left.markdown(text)
        right.plotly_chart(figure, key="vae-anomaly-plot")


# ---- 6 · real photos -----------------------------------------------------------------------------


def photos_section(frames: int, mode: str) -> None:
    st.subheader(words.PHOTOS_HEADING)
    st.markdown(words.PHOTOS_INTRO)
    col_a, col_b, settings = st.columns(3)
    kinds = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]
    size_mb = options.PHOTO.max_bytes // 2**20
    photo_a = col_a.file_uploader("Photo A", type=kinds, key="vae-photo-a", max_upload_size=size_mb)
    photo_b = col_b.file_uploader("Photo B", type=kinds, key="vae-photo-b", max_upload_size=size_mb)
    with settings:
        hubs = list(options.HUB_AUTOENCODERS)
        model_id = st.selectbox("Autoencoder", hubs, index=hubs.index(options.HUB_DEFAULT), key="vae-hub-model")
        side = st_ui.spec_slider("Photo size (pixels)", options.PHOTO_SIDE_SLIDER, key="vae-photo-side")
        clicked = st.button("Interpolate the photos", key="vae-photo-interpolate")
    if clicked:
        with st_ui.shows_errors(), st.spinner("Encoding, walking and decoding the photos…"):
            paths = [_upload_path(p) if p is not None else None for p in (photo_a, photo_b)]
            st.session_state["vae-photo-walk"] = views.photo_walk(*paths, model_id, side, frames, mode)
    if "vae-photo-walk" in st.session_state:
        sheet, text = st.session_state["vae-photo-walk"]
        st.image(sheet, caption=words.SHEET_CAPTION, output_format="PNG")
        st.markdown(text)


st_ui.header(words.TITLE, words.SUBTITLE)
st_ui.explainer(HERE)
with st_ui.shows_errors():
    st_ui.resource("vae-shapes-models", _models)
    st_ui.session_slot(IMAGES, lambda: {"A": views.data_picture(options.DEFAULT_SEEDS[0]),
                                        "B": views.data_picture(options.DEFAULT_SEEDS[1])})
chosen_frames, chosen_mode, chosen_beta = interpolation_section()
map_section()
dimensions_section(chosen_beta)
reconstruct_and_sample_section(chosen_beta)
anomaly_section()
photos_section(chosen_frames, chosen_mode)
