"""PixelCNN page (Streamlit): samples streamed pixel by pixel, completions, a pixel's receptive field,
bits per dimension. Glue only: the same logic (explore.py, field.py, views.py), limits and defaults
(options.py) as the Gradio tab."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from demos.pixelcnn import options
from demos.pixelcnn import wording as words
from demos.pixelcnn.options import DEFAULTS
from shared import st_ui
from shared.image_files import png_bytes

HERE = Path(__file__).parent


def stream_into(slot, status, frames, original=None, seed: int | None = None) -> None:  # noqa: ANN001
    """Each frame drawn into the placeholder as it comes, embedded (st_ui.streamed_png); with the
    sampling run's `seed`, its last frame as the tab shows it (views.shown_samples: marked)."""
    from demos.pixelcnn import views

    completing = original is not None
    for frame in frames:
        st_ui.streamed_png(slot, views.samples_picture(frame, original=original) if seed is None else views.shown_samples(frame, seed))
        status.markdown(words.status_of(frame, completing=completing))


st_ui.header(words.TITLE, words.SUBTITLE)
st_ui.explainer(HERE)

st.header(words.SAMPLE_HEADING)
st.markdown(words.SAMPLE_INTRO)
left, right = st.columns([1, 3])
with left:
    n = st_ui.spec_slider("Number of images", options.SAMPLES_SLIDER, key="pixelcnn-n")
    temperature = st_ui.spec_slider("Temperature", options.TEMPERATURE_SLIDER, key="pixelcnn-temperature",
                                    help=words.TEMPERATURE_INFO)
    seed = st_ui.seed_input("pixelcnn-seed", DEFAULTS.seed)
    told, shape, colour = st_ui.told_controls("pixelcnn", DEFAULTS.told, DEFAULTS.shape, DEFAULTS.colour, words.TOLD,
                                              words.TOLD_INFO)
    guidance = st_ui.spec_slider("Guidance", options.GUIDANCE_SLIDER, key="pixelcnn-guidance", help=words.GUIDANCE_INFO)
    sample = st.button(words.SAMPLE, key="pixelcnn-main-action", type="primary")
with right:
    slot, status = st.empty(), st.empty()
    if sample:
        from demos.pixelcnn import explore

        with st_ui.shows_errors():
            stream_into(slot, status, explore.stream_samples(n, seed, temperature, shape, colour, guidance, told), seed=seed)
    else:
        status.markdown(words.READY)

st.header(words.COMPLETE_HEADING)
st.markdown(words.COMPLETE_INTRO)
left, right = st.columns([1, 3])
with left:
    image = st.number_input(f"Held-out image (0–{options.IMAGE.high})", options.IMAGE.low, options.IMAGE.high,
                            DEFAULTS.image, key="pixelcnn-image")
    rows = st_ui.spec_slider("Rows kept", options.ROWS_KEPT_SLIDER, key="pixelcnn-rows", help=words.ROWS_INFO)
    completions = st_ui.spec_slider("Completions", options.COMPLETIONS_SLIDER, key="pixelcnn-completions")
    complete = st.button(words.COMPLETE, key="pixelcnn-complete", type="primary")
with right:
    slot, status = st.empty(), st.empty()
    if complete:
        from demos.pixelcnn import explore

        with st_ui.shows_errors():
            stream_into(slot, status, explore.stream_completions(image, rows, completions, seed, temperature),
                        original=explore.held_out_image(image))
    else:
        status.markdown(words.COMPLETE_READY)

st.header(words.FIELD_HEADING)
st.markdown(words.FIELD_INTRO)
left, right = st.columns([1, 3])
with left:
    row = st_ui.spec_slider("Pixel row", options.PIXEL_SLIDER, key="pixelcnn-row")
    col = st_ui.spec_slider("Pixel column", options.PIXEL_SLIDER, key="pixelcnn-col")
with right, st_ui.shows_errors():
    from demos.pixelcnn import field, views

    f = st_ui.remembered("pixelcnn-field-now", (row, col), lambda: field.receptive_field(row, col))
    st.image(png_bytes(views.field_picture(f)), output_format="PNG")
    st.markdown(words.field_status(f))

st.header(words.BITS_HEADING)
st.markdown(words.BITS_INTRO)
left, right = st.columns([1, 3])
with left:
    bits_image = st.number_input(f"Held-out image (0–{options.IMAGE.high})", options.IMAGE.low, options.IMAGE.high,
                                 DEFAULTS.image, key="pixelcnn-bits-image")
    upload = st.file_uploader("…or your picture", type=st_ui.PICTURE_TYPES, key="pixelcnn-upload")
with right, st_ui.shows_errors():
    from demos.pixelcnn import explore, views

    with st_ui.uploaded_path(upload, options.PICTURE.max_bytes) as path:
        picture = explore.read_picture(path) if path else explore.held_out_image(bits_image)
    bits = explore.pixel_bits(picture)
    st.image(png_bytes(views.bits_picture(bits)), output_format="PNG")
    st.markdown(words.bits_status(bits, None if upload is not None else int(bits_image)))
