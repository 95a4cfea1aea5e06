"""Diffusion page (Streamlit): the forward process, sampling streamed step by step with a scrub
slider, samplers side by side, inpainting, and diffusion on 2-D points trained live. Glue only: the
same logic as the Gradio tab (views.py, sampling.py, live.py), the same limits and defaults
(options.py).

Streamlit reruns this script on every widget change, so nothing here recomputes unchanged work: the
forward pictures are memoised in the logic, models come from st_ui.resource, and each finished run
(a recording, a comparison, an inpainting, a 2-D flow) is kept in this session's state with the
inputs it was made from; the scrub sliders only index what is stored.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import streamlit as st

from demos.diffusion import live as toy
from demos.diffusion import sampling, views
from demos.diffusion import wording as words
from demos.diffusion.options import (
    COMPARE_SAMPLES,
    COMPARE_SAMPLES_SLIDER,
    DEFAULTS,
    INPAINT_SAMPLERS,
    INPAINT_STEPS_SLIDER,
    MODEL_CHOICES,
    PRESS_STEPS_SLIDER,
    RECT_PERCENT,
    REGIONS,
    SAMPLERS,
    SAMPLES_SLIDER,
    SCHEDULE_CHOICES,
    STEPS,
    STEPS_SLIDER,
    TIMESTEP_SLIDER,
    T,
)
from shared import limits, st_ui
from shared.datasets import TOY_2D_NAMES

HERE = Path(__file__).parent
# stream every step the page can afford: drawing and sending a picture may cost as long as the
# step it shows (the Gradio tab allows 12%, its updates cost a whole component round trip)
STREAM_EVERY_S, STREAM_BUDGET = 0.0, 1.0
ZOOM = 6  # a 32x32 picture shown at 192x192, pixels kept sharp
RECTANGLE = "rectangle"  # the mask choice beside the preset regions
MODEL_LABELS = {spec: label for label, spec in MODEL_CHOICES}


def _model(spec: str) -> sampling.ImageModel:
    """The image model for the spec, loaded once per server and shared by every session."""
    model = st_ui.resource(f"diffusion-model:{spec.strip()}", lambda: sampling.load_model(spec))
    st_ui.notify(model.notice)
    return model


def _zoom(image, k: int = ZOOM):  # noqa: ANN001 (uint8 (h, w, 3) -> (k h, k w, 3))
    return image.repeat(k, 0).repeat(k, 1)


def _stream(recording: sampling.Recording, run, running: str) -> None:  # noqa: ANN001 (steps iterator)
    """Run the steps into the recording, redrawing its last step and a progress bar as it goes."""
    picture, progress = st.empty(), st.progress(0.0)
    for rec in sampling.stream(recording, run, update_s=STREAM_EVERY_S, budget=STREAM_BUDGET):
        picture.image(rec.panel(-1))
        progress.progress((rec.indices[-1] + 1) / rec.total, text=rec.progress_text(running))
    picture.empty()
    progress.empty()


# ---- 1 · the forward process -----------------------------------------------------------------


def forward_section() -> None:
    st.header(words.FORWARD_HEADING)
    st.markdown(words.FORWARD_INTRO)
    left, right = st.columns([1, 3])
    schedules = dict((name, label) for label, name in SCHEDULE_CHOICES)
    with left:
        seed = st_ui.seed_input("diffusion-forward-seed", DEFAULTS.forward_seed, "Images and noise seed")
        schedule = st.radio("Noise schedule", list(schedules), format_func=schedules.get, key="diffusion-schedule",
                            index=list(schedules).index(DEFAULTS.schedule), help=words.SCHEDULE_INFO, horizontal=True)
        t = st_ui.spec_slider("Timestep t", TIMESTEP_SLIDER, key="diffusion-t")
    with right, st_ui.shows_errors():
        row, across = views.forward_rows(seed, t, schedule)  # memoised: a rerun redraws nothing
        st.image(row, caption="Eight images at step t")
        st.image(across, caption="One image across the steps")
    with st_ui.shows_errors():
        st.plotly_chart(views.schedule_figure(t), key="diffusion-schedules")


# ---- 2 · sampling step by step ---------------------------------------------------------------


def model_picker() -> str:
    """The image model's spec: the bundled one, the Hub's, or any typed Hub id."""
    return st.selectbox("Image model", list(MODEL_LABELS), format_func=lambda s: MODEL_LABELS.get(s, s),
                        accept_new_options=True, key="diffusion-model", help=words.MODEL_INFO) or DEFAULTS.model


@st.fragment
def scrub_recording(recording: sampling.Recording) -> None:
    """The stored run's steps: moving the slider reruns only this part and only indexes the run."""
    k = st.slider("Go back through the steps", 0, len(recording) - 1, key="diffusion-scrub")
    with st_ui.shows_errors():
        st.image(recording.panel(k))


def sampling_section() -> str:
    """Sampling; returns the image model's spec (the next sections use it too)."""
    st.header(words.SAMPLING_HEADING)
    st.markdown(words.SAMPLING_INTRO)
    spec = model_picker()
    left, right = st.columns([1, 3])
    with left:
        sampler = st.radio("Sampler", SAMPLERS, index=SAMPLERS.index(DEFAULTS.sampler), key="diffusion-sampler",
                           horizontal=True)
        steps = st_ui.spec_slider("Denoising steps", STEPS_SLIDER, key="diffusion-steps", help=words.STEPS_INFO)
        n = st_ui.spec_slider("Images", SAMPLES_SLIDER, key="diffusion-n")
        seed = st_ui.seed_input("diffusion-sample-seed", DEFAULTS.seed, "Noise seed")
        pressed = st.button("Sample", key="diffusion-main-action", type="primary")
        # a press reruns the page, and a rerun stops a run: Stop needs no handler of its own
        st.button("Stop", key="diffusion-sample-stop")
    inputs = (spec, sampler, steps, n, seed)
    with right:
        if pressed:
            with st_ui.shows_errors():
                model = _model(spec)
                st.caption(model.label)
                recording, run = sampling.sample_steps(model, sampler, steps, seed, n)  # checks every value
                _stream(recording, run, "Sampling")
                st.session_state["diffusion-recording"] = (inputs, recording)
                st.session_state["diffusion-scrub"] = len(recording) - 1  # the new run's last step
        stored = st.session_state.get("diffusion-recording")
        if stored is None:
            st.markdown("Press **Sample**.")
            return spec
        made_from, rec = stored
        if made_from != inputs:
            st.caption("The settings have changed since this run: press **Sample** to run them.")
        st.markdown(rec.done_text())
        scrub_recording(rec)
        result_col, gif_col = st.columns([3, 2])
        st_ui.full_size_image(rec.samples_picture(), "Samples", result_col)  # marked, it may be wider than st.image keeps
        with gif_col:
            gif = _recording_gif(rec)
            st.image(gif, caption="The whole run as an animation")
            st.download_button("Download the animation (GIF)", gif, "diffusion-run.gif", "image/gif",
                               key="diffusion-gif-download")
    return spec


def _recording_gif(rec: sampling.Recording) -> bytes:
    """The run's GIF, encoded once per recording (about 30 ms a frame) and kept beside it."""
    cached = st.session_state.get("diffusion-gif")
    if cached is None or cached[0] is not rec:
        cached = (rec, Path(rec.gif()).read_bytes())
        st.session_state["diffusion-gif"] = cached
    return cached[1]


# ---- 3 · samplers side by side ---------------------------------------------------------------


def _show_comparison(results: list[sampling.SamplerResult], judged: bool, key: str) -> None:
    sheet_col, plot_col = st.columns([3, 2])
    sheet_col.image(views.compare_sheet(results), caption="Same noise, three samplers")
    plot_col.plotly_chart(views.compare_figure(results), key=key)
    st.table(views.compare_rows(results))
    if not judged:
        st.caption(views.NO_QUALITY_NOTE)


def compare_section(spec: str) -> None:
    st.header(words.COMPARE_HEADING)
    st.markdown(words.COMPARE_INTRO)
    choices = ["", *SAMPLERS]
    runs = []
    columns = st.columns(4)
    for i, (name, count) in enumerate(DEFAULTS.compare):
        with columns[i]:
            sampler = st.selectbox(f"Sampler {i + 1}", choices, index=choices.index(name), key=f"diffusion-cmp-sampler-{i}",
                                   format_func=lambda s: s or "(none)")
            steps = st.number_input("steps", STEPS.low, STEPS.high, count, step=1, key=f"diffusion-cmp-steps-{i}")
            if sampler:
                runs.append((sampler, int(steps)))
    with columns[3]:
        n = st_ui.spec_slider("Images per sampler", COMPARE_SAMPLES_SLIDER, key="diffusion-cmp-n")
        seed = st.number_input("Noise seed", limits.SEED.low, limits.SEED.high, DEFAULTS.compare_seed, step=1,
                               key="diffusion-cmp-seed")
        pressed = st.button("Compare", key="diffusion-compare", type="primary")
    inputs = (spec, tuple(runs), n, seed)
    if pressed:
        with st_ui.shows_errors():
            model = _model(spec)
            shown, results = st.empty(), []
            with st.spinner("Sampling the same noise with each sampler…"):
                for result in sampling.compare(model, runs, int(seed), COMPARE_SAMPLES.check(n)):
                    results.append(result)  # each result shown, and kept, as it finishes: a stopped
                    st.session_state["diffusion-comparison"] = (inputs, list(results), model.judged)  # run keeps them
                    with shown.container():
                        _show_comparison(results, model.judged, f"diffusion-compare-streamed-{len(results)}")
            shown.empty()
    stored = st.session_state.get("diffusion-comparison")
    if stored is not None:
        if stored[0] != inputs:
            st.caption("The settings have changed since this comparison: press **Compare** to run them.")
        _show_comparison(stored[1], stored[2], "diffusion-compare-plot")


# ---- 4 · inpainting --------------------------------------------------------------------------


def _mask_inputs() -> tuple[str, tuple[int, int, int, int] | None]:
    """The region to fill: a preset region, or a rectangle (top, bottom, left, right in percent)."""
    region = st.radio("Region to fill", [*REGIONS, RECTANGLE], index=REGIONS.index(DEFAULTS.region),
                      key="diffusion-region")
    if region != RECTANGLE:
        return region, None
    top, bottom, left, right = DEFAULTS.rectangle
    rows = st.slider("Rows (top to bottom, % of the image)", RECT_PERCENT.low, RECT_PERCENT.high, (top, bottom),
                     key="diffusion-rect-rows")
    cols = st.slider("Columns (left to right, % of the image)", RECT_PERCENT.low, RECT_PERCENT.high, (left, right),
                     key="diffusion-rect-cols")
    return DEFAULTS.region, (*rows, *cols)


def _painted(picture, rectangle: tuple[int, int, int, int] | None):  # noqa: ANN001
    """The rectangle as painted pixels of the picture (None for a preset region)."""
    return None if rectangle is None else ~sampling.rectangle_keep(picture.shape[0], *rectangle)


def inpaint_section(spec: str) -> None:
    st.header(words.INPAINT_HEADING)
    st.markdown(words.INPAINT_INTRO)
    st_ui.cannot("painting the area to fill with a brush, or uploading a picture (pick a data picture and a region "
                 "or a rectangle instead)")
    left, middle, right = st.columns([1, 1, 2])
    with left:
        picture_seed = st.number_input("Picture seed", limits.SEED.low, limits.SEED.high, DEFAULTS.picture_seed,
                                       step=1, key="diffusion-picture-seed")
        region, rectangle = _mask_inputs()
    with middle:
        sampler = st.radio("Sampler", INPAINT_SAMPLERS, index=INPAINT_SAMPLERS.index(DEFAULTS.inpaint_sampler),
                           key="diffusion-inpaint-sampler", horizontal=True)
        steps = st_ui.spec_slider("Steps", INPAINT_STEPS_SLIDER, key="diffusion-inpaint-steps")
        seed = st.number_input("Noise seed", limits.SEED.low, limits.SEED.high, DEFAULTS.inpaint_seed, step=1,
                               key="diffusion-inpaint-seed")
        pressed = st.button("Fill", key="diffusion-inpaint", type="primary")
        st.button("Stop", key="diffusion-inpaint-stop")
    inputs = (spec, picture_seed, region, rectangle, sampler, steps, seed)
    with right:
        with st_ui.shows_errors():
            picture = views.data_picture(picture_seed)
            image, keep, _ = sampling.image_and_mask(picture, _painted(picture, rectangle), picture.shape[0], region)
            st.image(_zoom(sampling.shown_mask(image, keep)), caption="The picture: grey is to be filled")
        if pressed:
            with st_ui.shows_errors():
                model = _model(spec)
                image, keep, _ = sampling.image_and_mask(picture, _painted(picture, rectangle), model.side, region)
                recording, run = sampling.inpaint_steps(model, image, keep, sampler, steps, seed)
                what = f"the {'rectangle' if rectangle else region}"
                _stream(recording, run, f"Filling {what}")
                st.session_state["diffusion-inpainting"] = (inputs, recording)
        stored = st.session_state.get("diffusion-inpainting")
        if stored is not None:
            made_from, rec = stored
            if made_from != inputs:
                st.caption("The settings have changed since this fill: press **Fill** to run them.")
            st.image(rec.panel(-1))
            st.image(rec.filled_picture(), caption="Filled")
            st.markdown(rec.done_text(words.INPAINT_KEPT))


# ---- 5 · diffusion on 2-D points, live -------------------------------------------------------

TOY_FRAME, TOY_FLOW = "diffusion-toy-frame", "diffusion-toy-flow"


@st.fragment
def replay_flow(live) -> None:  # noqa: ANN001 (shared.live.LiveRun)
    """Replay the last flow: the slider reruns only this part and redraws a stored step."""
    k = st.slider("Replay the flow (reverse step)", 0, T, key="diffusion-flow-slider")
    with st_ui.shows_errors():
        st.image(toy.replay(live, st.session_state.get(TOY_FLOW), k))


def toy_section() -> None:
    st.header(words.TOY_HEADING)
    st.markdown(words.TOY_INTRO)
    live = st_ui.live_slot("diffusion-live")
    left, right = st.columns([1, 3])
    with left:
        names = list(TOY_2D_NAMES)
        dataset = st.selectbox("Data set", names, index=names.index(DEFAULTS.dataset), format_func=TOY_2D_NAMES.get,
                               key="diffusion-dataset")
        seed = st.number_input("Seed", limits.SEED.low, limits.SEED.high, DEFAULTS.toy_seed, step=1,
                               key="diffusion-toy-seed")
        steps = st_ui.spec_slider("Training steps per press", PRESS_STEPS_SLIDER, key="diffusion-press-steps",
                                  help=words.PRESS_STEPS_INFO)
        pressed = st.button("Train and sample", key="diffusion-toy-action", type="primary")
        # a press reruns the page, and a rerun stops the loop below: Stop needs no handler of its own
        st.button("Stop", key="diffusion-toy-stop")
    with right:
        if pressed:
            picture, status = st.empty(), st.empty()
            st.session_state[TOY_FLOW] = None
            st.session_state["diffusion-flow-slider"] = T  # a new flow is shown at its end
            with st_ui.shows_errors(), contextlib.closing(toy.train_and_sample(live, dataset, int(seed), steps)) as frames:
                for frame in frames:
                    picture.image(frame.picture)
                    status.markdown(frame.status)
                    st.session_state[TOY_FRAME] = frame
                    if frame.done:
                        st.session_state[TOY_FLOW] = frame.flow
            picture.empty()
            status.empty()
        frame = st.session_state.get(TOY_FRAME)
        if frame is None:
            st.markdown("Press **Train and sample**.")
        elif st.session_state.get(TOY_FLOW) is not None:
            st.markdown(frame.status)
            replay_flow(live)
        else:  # stopped part way
            st.image(frame.picture)
            st.markdown(f"Stopped. {frame.status}")


# ---- the page --------------------------------------------------------------------------------

st_ui.header(words.TITLE, words.SUBTITLE)
st_ui.explainer(HERE)
forward_section()
model_spec = sampling_section()
compare_section(model_spec)
inpaint_section(model_spec)
toy_section()
