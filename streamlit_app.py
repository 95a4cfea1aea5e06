"""genai-demos as a Streamlit app: the Overview, then one page per demo in the Gradio tabs' order.

    make streamlit                      # http://127.0.0.1:8501
    streamlit run streamlit_app.py
    http://127.0.0.1:8501/gan           # opens one page (for talks)
    GENAI_DEMOS_WATERMARK=1 streamlit run streamlit_app.py   # samples marked invisibly (shared/watermark.py)

Each page (`demos/<slug>/streamlit_page.py`) calls the same logic functions as its Gradio tab
(`demos/<slug>/ui.py`); neither front end holds logic of its own. Start-up imports streamlit and
the page list only; models load on a page's first use and are shared by every session.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from demos import REGISTRY

ROOT = Path(__file__).resolve().parent
OVERVIEW_PAGE = ROOT / "demos" / "overview_streamlit_page.py"


def page_path(slug: str) -> Path:
    """The Streamlit page of a demo (its url path is the slug, like the Gradio ?tab=<slug>)."""
    return ROOT / "demos" / slug / "streamlit_page.py"


def pages() -> list:
    found = [st.Page(OVERVIEW_PAGE, title="Overview", url_path="overview", default=True)]
    for spec in REGISTRY:
        if page_path(spec.slug).exists():
            found.append(st.Page(page_path(spec.slug), title=spec.title, url_path=spec.slug))
    return found


if __name__ == "__main__":  # `streamlit run` executes this file as __main__ on every rerun
    st.set_page_config(page_title="genai-demos", page_icon="🧪", layout="wide")
    from demos.warm_up import warm_up
    from shared.st_ui import warm_up_once

    warm_up_once(warm_up)  # the first press of a main action finds its model loaded
    st.navigation(pages(), position="sidebar").run()
