"""3-D data as a Streamlit page: open a sample or a file, view it, convert it, clean a scan with
open3d, ask PointNet what it is, and turn a photo into a depth map. Glue only: every step is a call
to demos/three_d/scene.py, the functions the Gradio tab calls, and this visitor's scene lives in
st.session_state.

The script reruns on every widget change, so each step's figure and status are kept in the session
with the scene: a rerun redraws them and recomputes nothing (only a new colour mode redraws).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from demos.three_d import options
from demos.three_d import wording as words
from shared import st_ui

HERE = Path(__file__).parent
SHOWN = "three_d-shown"  # the last step's scene.Shown: the scene, its figure and status
VIEW = "three_d-view"  # the figure in the colour mode now chosen, with its notices
BEFORE_AFTER = "three_d-before-after"  # the last processing step's figure
VERDICT = "three_d-verdict"  # PointNet's last scene.Verdict
OPENED_UPLOAD = "three_d-opened-upload"  # the upload already opened (a rerun must not reopen it)


@dataclass(frozen=True)
class View:
    """The current object's figure in one colour mode (kept so a rerun does not redraw it)."""

    obj_id: int
    colour: str
    figure: object
    notices: tuple[str, ...] = ()


def _pointnet() -> object:
    from demos.three_d.model import PointNet
    from shared.checkpoints import load

    return load(PointNet, "pointnet-shapes3d", device="cpu").model


def _show(shown, colour: str) -> None:  # noqa: ANN001 (a scene.Shown)
    """Make a step's outcome the session's current object and view."""
    st.session_state[SHOWN] = shown
    st.session_state[VIEW] = View(id(shown.step.obj), colour, shown.figure)


def _current_view(colour: str) -> View | None:
    """The current object's figure in `colour`: the stored one, or redrawn once when the mode changed."""
    from demos.three_d import scene as sc

    shown, view = st.session_state.get(SHOWN), st.session_state.get(VIEW)
    if shown is None:
        return None
    if view is None or view.colour != colour or view.obj_id != id(shown.step.obj):
        figure, notes = sc.recolour(shown.scene, colour)
        view = st.session_state[VIEW] = View(id(shown.step.obj), colour, figure, tuple(notes[-1:]))
    return view


def _scene():
    shown = st.session_state.get(SHOWN)
    return shown.scene if shown else None


def _photo_path(upload) -> str | None:  # noqa: ANN001 (an UploadedFile)
    """An uploaded photo as a file on disk (the logic opens and checks files by path)."""
    from shared.image_files import write_atomic

    return write_atomic(upload.getvalue(), Path(upload.name).suffix.lower(), prefix="three_d-photo-") if upload else None


def open_section() -> tuple[str, st.delta_generator.DeltaGenerator]:
    """Part 1's inputs (sample, upload, camera, colour) and the box the view is drawn in at the end."""
    from demos.three_d import scene as sc
    from demos.three_d.shapes3d import SAMPLES

    st.subheader(words.OPEN_HEADING)
    left, right = st.columns([1, 3])
    with left:
        name = st.selectbox("Built-in sample", list(SAMPLES), index=list(SAMPLES).index(options.DEFAULT_SAMPLE),
                            key="three_d-sample")
        open_clicked = st.button("Open sample", type="primary", key="three_d-main-action")
        upload = st.file_uploader(words.UPLOAD_LABEL,
                                  type=[t.lstrip(".") for t in options.FILE_TYPES], key="three_d-upload",
                                  max_upload_size=options.UPLOAD_BYTES // 2**20)
        st.caption(words.FILE_FORMATS)
        with st.expander(words.CAMERA_TITLE):
            a, b = st.columns(2)
            fx = a.number_input("fx (pixels)", min_value=0.0, value=0.0, key="three_d-fx")
            fy = b.number_input("fy (pixels)", min_value=0.0, value=0.0, key="three_d-fy")
            cx = a.number_input("cx (pixels)", min_value=0.0, value=0.0, key="three_d-cx")
            cy = b.number_input("cy (pixels)", min_value=0.0, value=0.0, key="three_d-cy")
        colour = st.radio("Colour by", list(options.COLOUR_MODES), format_func=options.COLOUR_MODES.get,
                          index=list(options.COLOUR_MODES).index(options.DEFAULT_COLOUR), key="three_d-colour")
        with st_ui.shows_errors():
            if open_clicked:
                _show(sc.open_sample(name, colour), colour)
            # Gradio opens a file on its upload event; here, once per new upload
            if upload is not None and st.session_state.get(OPENED_UPLOAD) != upload.file_id:
                st.session_state[OPENED_UPLOAD] = upload.file_id
                with st.spinner(f"Reading {upload.name}…"):
                    _show(sc.open_bytes(upload.getvalue(), upload.name, colour, (fx, fy, cx, cy)), colour)
    return colour, right.container()


def convert_section(colour: str) -> None:
    from demos.three_d import scene as sc

    st.subheader(words.CONVERT_HEADING)
    st.markdown(words.CONVERT_INTRO)
    a, b, c, d = st.columns(4)
    with a:
        n_points = st_ui.spec_slider(f"{words.POINTS_LABEL} ({words.POINTS_INFO})", options.SURFACE_POINTS_SLIDER,
                                     key="three_d-n-points")
    with b:
        resolution = st_ui.spec_slider(f"{words.RESOLUTION_LABEL} ({words.RESOLUTION_INFO})",
                                       options.VOXEL_RESOLUTION_SLIDER, key="three_d-resolution")
    with c:
        poisson_depth = st_ui.spec_slider(f"{words.POISSON_LABEL} ({words.POISSON_INFO})", options.POISSON_DEPTH_SLIDER,
                                          key="three_d-poisson-depth")
    with d:
        seed = st_ui.seed_input("three_d-seed", label="Sampling seed")
    columns = st.columns(4)
    clicked = [key for i, (key, label) in enumerate(options.CONVERSIONS.items())
               if columns[i % 4].button(label, key=f"three_d-convert-{key}", width="stretch", wrap=True)]
    with st_ui.shows_errors():
        for key in clicked:
            with st.spinner(f"{options.CONVERSIONS[key]}…"):
                _show(sc.convert(_scene(), key, colour, n_points=n_points, resolution=resolution,
                                 poisson_depth=poisson_depth, seed=seed), colour)


def process_section(colour: str) -> None:
    from demos.three_d import actions
    from demos.three_d import scene as sc

    st.subheader(words.PROCESS_HEADING)
    left, right = st.columns([1, 3])
    with left:
        voxel_share = st_ui.spec_slider(words.VOXEL_SHARE_LABEL, options.VOXEL_SIZE_SLIDER, key="three_d-voxel-share",
                                        help=words.VOXEL_SHARE_INFO)
        neighbours = st_ui.spec_slider(words.NEIGHBOURS_LABEL, options.NEIGHBOURS_SLIDER, key="three_d-neighbours",
                                       help=words.NEIGHBOURS_INFO)
        std_ratio = st_ui.spec_slider(words.STD_RATIO_LABEL, options.STD_RATIO_SLIDER, key="three_d-std-ratio")
        clicked = [key for key in actions.PROCESSES
                   if st.button(words.PROCESS_LABELS[key], key=f"three_d-process-{key}")]
        with st_ui.shows_errors():
            for key in clicked:
                with st.spinner(f"{actions.PROCESSES[key]}…"):
                    shown = sc.process(_scene(), key, colour, voxel_share=voxel_share, neighbours=neighbours,
                                       std_ratio=std_ratio)
                _show(shown, colour)
                st.session_state[BEFORE_AFTER] = shown.before_after
    with right:
        if st.session_state.get(BEFORE_AFTER) is not None:
            st.plotly_chart(st.session_state[BEFORE_AFTER], key="three_d-before-after-plot")
        else:
            st.caption(f"{words.BEFORE_AFTER_LABEL} appear here after a processing step.")


def classify_section() -> None:
    from demos.three_d import scene as sc

    st.subheader(words.CLASSIFY_HEADING)
    st.markdown(words.CLASSIFY_INTRO)
    left, right = st.columns([1, 2])
    with left:
        if st.button("Classify the current object", type="primary", key="three_d-classify"):
            with st_ui.shows_errors():
                st_ui.resource("three_d-pointnet", _pointnet)  # loaded once per server, with a spinner
                st.session_state[VERDICT] = sc.classify(_scene())
        verdict = st.session_state.get(VERDICT)
        if verdict is not None:
            st.markdown(verdict.text)
            st.plotly_chart(verdict.probabilities, key="three_d-probabilities")
    if verdict is not None:
        right.plotly_chart(verdict.critical, key="three_d-critical")


def depth_section(colour: str) -> None:
    from demos.three_d import scene as sc

    st.subheader(words.DEPTH_HEADING)
    st.markdown(words.DEPTH_INTRO)
    left, right = st.columns(2)
    photo = left.file_uploader("Photo (PNG, JPEG, WebP…)", type=[t.lstrip(".") for t in options.PHOTO_TYPES],
                               key="three_d-photo", max_upload_size=options.PHOTO_BYTES // 2**20)
    with right:
        model_id = st.text_input("Depth model (Hub id)", options.DEPTH_MODEL, key="three_d-depth-model")
        if st.button("Estimate depth", key="three_d-depth"):
            with st_ui.shows_errors(), st.spinner("Estimating depth (the model downloads the first time)…"):
                _show(sc.photo_to_depth(_scene(), _photo_path(photo), model_id, colour), colour)


def draw_view(box: st.delta_generator.DeltaGenerator, colour: str) -> None:
    """Part 1's view, drawn last so that it shows what this run's actions made."""
    with box:
        st_ui.cannot("the Model3D (GLB) viewer beside the plotly view: Streamlit has no 3-D model viewer, so the "
                     "object is drawn with plotly only")
        view = _current_view(colour)
        if view is None:
            st.markdown(words.NOTHING_OPEN)
            return
        shown = st.session_state[SHOWN]
        st.plotly_chart(view.figure, key="three_d-plot")
        st.markdown(shown.status)
        for notice in view.notices:
            st_ui.notify(notice)
        st.dataframe(list(shown.scene.history), hide_index=True)


st_ui.header(words.TITLE, words.SUBTITLE)
st_ui.explainer(HERE)
chosen_colour, view_box = open_section()
convert_section(chosen_colour)
process_section(chosen_colour)
classify_section()
depth_section(chosen_colour)
with st_ui.shows_errors():
    draw_view(view_box, chosen_colour)
