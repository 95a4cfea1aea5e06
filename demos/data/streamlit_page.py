"""The Data & judge page (Streamlit): shapes drawn and judged by the bundled classifier, the toy 2-D
sets of the live-training views, and scikit-learn's digits. Glue only: the same logic as the Gradio
tab (demos.data.explore, views); the judge is loaded once per process by the logic's own loader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from demos.data import options
from demos.data import wording as words
from shared import st_ui

HERE = Path(__file__).parent
# The judged grid's look (the Gradio tab has the same rules in shared.ui.CSS, with its theme's colours)
GRID_CSS = """<style>
.judged-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(118px, 1fr)); gap: 8px; }
.judged { margin: 0; padding: 4px; border-radius: 6px; border: 2px solid #38a169; font-size: 0.72em; line-height: 1.25; }
.judged.invalid { border-color: #e53e3e; }
.judged img { width: 96px; height: 96px; image-rendering: pixelated; display: block; margin: 0 auto 3px auto; }
.judged figcaption span { opacity: 0.7; }
</style>"""


def slider(label: str, spec: options.Slider, key: str, **kwargs: Any) -> Any:
    return st_ui.spec_slider(label, spec, key, **kwargs)


def remembered(name: str, inputs: tuple, make: Callable[[], Any]) -> Any:
    return st_ui.remembered(f"data-memo-{name}", inputs, make)


def shapes_section() -> None:
    from demos.data import explore

    left, right = st.columns([3, 7])  # room for the seed box and its dice
    with left:
        st.markdown(f"### {words.SHAPES_HEADING}\n{words.SHAPES_INTRO}")
        seed = st_ui.seed_input("data-seed")
        n = slider(words.IMAGES, options.JUDGED_IMAGES_SLIDER, "data-n")
        mix = slider(words.MIX, options.MIX_SHARE_SLIDER, "data-mix", help=words.MIX_HELP)
        if st.button(words.DRAW, type="primary", key="data-main-action"):
            with st_ui.shows_errors(), st.spinner("Drawing and judging…"):
                st.session_state["data-batch"] = explore.judged_batch(n, seed, mix)
    batch = st.session_state.get("data-batch")
    with right:
        if batch is None:
            st.caption(words.grid_placeholder(f"**{words.DRAW}**"))
            return
        st_ui.notify(batch.notice)
        st.html(GRID_CSS + batch.grid_html)
    shares, scores = st.columns([3, 2])
    shares.plotly_chart(batch.figure, key="data-shares")
    scores.markdown(batch.scores_markdown)


def toy_section() -> None:
    from demos.data import explore

    st.markdown(f"### {words.TOY_HEADING}\n{words.TOY_INTRO}")
    left, right = st.columns([1, 3])
    with left:
        name = st.selectbox(words.TOY_SET, list(options.TOY_NAMES), format_func=options.TOY_NAMES.get,
                            index=list(options.TOY_NAMES).index(options.DEFAULT_TOY), key="data-toy")
        n = slider(words.TOY_POINTS, options.TOY_POINTS_SLIDER, "data-toy-n")
        seed = int(st.number_input(words.SEED, value=0, step=1, key="data-toy-seed"))
    with right, st_ui.shows_errors():
        # drawn from the current values (cheap: numpy and plotly, no model)
        figure = remembered("toy", (name, n, seed), lambda: explore.toy_2d_figure(name, n, seed))
        st.plotly_chart(figure, key="data-toy-plot")


def digits_section() -> None:
    from demos.data import explore

    st.markdown(f"### {words.DIGITS_HEADING}\n{words.DIGITS_INTRO}")
    left, right = st.columns([1, 3])
    with left:
        n = slider(words.DIGITS, options.DIGITS_SLIDER, "data-digits-n")
        seed = int(st.number_input(words.SEED, value=0, step=1, key="data-digits-seed"))
    with right, st_ui.shows_errors():
        sheet, labels = remembered("digits", (n, seed), lambda: explore.digits_sheet(n, seed))
        st.image(sheet, output_format="PNG")  # JPEG would blur the pixels
        st.markdown(words.digits_caption(labels))


st_ui.header(words.TITLE, words.SUBTITLE)
st_ui.explainer(HERE)
shapes_section()
toy_section()
digits_section()
