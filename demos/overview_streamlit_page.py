"""The Overview page (Streamlit): the concept map of generative AI (demos.concepts, the same map as
the Gradio Overview), each concept linked to the page that shows it, the others marked as coming."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from demos import REGISTRY
from demos.concepts import OVERVIEW_TITLE, Concept, overview_intro, sections
from shared import st_ui

DEMOS = Path(__file__).resolve().parent
COLUMNS = 3


def demo_pages() -> dict[str, st.Page]:
    """slug -> the Streamlit page of each demo that has one, made as streamlit_app.py registers it
    (same file, same url path), so st.page_link switches pages in the app; under AppTest, which runs
    this page alone, the link is drawn without being checked against a navigation."""
    return {spec.slug: st.Page(DEMOS / spec.slug / "streamlit_page.py", title=spec.title, url_path=spec.slug)
            for spec in REGISTRY if (DEMOS / spec.slug / "streamlit_page.py").exists()}


def card(concept: Concept, pages: dict[str, st.Page]) -> None:
    with st.container(border=True):
        st.markdown(f"#### {concept.title}")
        st.markdown(concept.text)
        page = pages.get(concept.slug or "")
        if page is not None:
            st.page_link(page, label=f"Open the {page.title} page", icon=":material/play_arrow:")
        else:
            st.caption("*Page coming*")
        if concept.related:
            st.caption(f"related: {', '.join(concept.related)}")


st_ui.header(OVERVIEW_TITLE, overview_intro("page", "in the sidebar", "/gan"))
pages = demo_pages()
for heading, concepts in sections():
    st.subheader(heading)
    for start in range(0, len(concepts), COLUMNS):
        for column, concept in zip(st.columns(COLUMNS), concepts[start:start + COLUMNS]):
            with column:
                card(concept, pages)
