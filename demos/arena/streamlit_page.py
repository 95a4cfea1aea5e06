"""Arena page (Streamlit), the page twin of ui.py. Glue only: the same logic (explore.py), picture
(views.py), limits and sentences as the Gradio tab."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from demos.arena import explore, options, views
from demos.arena import wording as words
from demos.arena.options import DEFAULTS
from shared import st_ui
from shared.image_files import png_bytes

HERE = Path(__file__).parent

st_ui.header(words.TITLE, words.SUBTITLE)
st_ui.explainer(HERE)

st.header(words.TABLE_HEADING)
with st_ui.shows_errors():
    rows = explore.stored_rows()
    st.markdown(words.table_intro(rows))
    st.markdown(words.table_markdown(rows))
    stored = explore.stored_round()
    if stored.rows:
        st.image(png_bytes(views.samples_grid(stored.names, stored.samples)), caption="Samples (the first seed)",
                 output_format="PNG")

st.header(words.LIVE_HEADING)
st.markdown(words.LIVE_INTRO.format(bits_images=options.BITS_IMAGES))
left, right = st.columns([1, 3])
with left:
    n = st_ui.spec_slider("Samples per family", options.SAMPLES_SLIDER, key="arena-n", help=words.SAMPLES_INFO)
    seed = st_ui.seed_input("arena-seed", DEFAULTS.seed)
    go = st.button(words.MEASURE, key="arena-main-action", type="primary")
with right:
    status, table, grid = st.empty(), st.empty(), st.empty()
    if go:
        with st_ui.shows_errors():
            for round_ in explore.measure_now(n, seed):
                status.markdown(words.status_of(round_))
                table.markdown(words.table_markdown(round_.rows, live=True))
                st_ui.streamed_png(grid, views.samples_grid(round_.names, round_.samples))
    else:
        status.markdown(words.READY)
