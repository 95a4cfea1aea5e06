"""The Overview tab: a concept map of generative AI, each idea linked to the tab that shows it. The
concepts themselves live in demos.concepts (no UI code), shared with the Streamlit Overview."""

from __future__ import annotations

from collections.abc import Collection

import gradio as gr

from demos.concepts import OVERVIEW_TITLE, concept_map_html, overview_intro


def build(titles: Collection[tuple[str, str]]) -> None:
    """Render the Overview into the current Blocks context; titles: (slug, title) of mounted demos."""
    gr.Markdown(
        f"# {OVERVIEW_TITLE}\n" + overview_intro("tab", "above", "`?tab=gan`"),
        elem_classes=["demo-header"],
    )
    gr.HTML(concept_map_html(dict(titles)), elem_id="concept-map")
