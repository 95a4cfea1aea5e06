"""The Overview tab: a concept map of generative AI, each idea linked to the tab that shows it. The
concepts themselves live in demos.concepts (no UI code), shared with the Streamlit Overview."""

from __future__ import annotations

from collections.abc import Collection

import gradio as gr

from demos.concepts import concept_map_html


def build(titles: Collection[tuple[str, str]]) -> None:
    """Render the Overview into the current Blocks context; titles: (slug, title) of mounted demos."""
    gr.Markdown(
        "# How generative AI works, on real models you can run\n"
        "Each tab is one idea, shown live on a small model this project trained and ships, so it works "
        "offline; where a real pretrained model exists you can switch to it from the Hugging Face Hub. "
        "Pick a concept below, or a tab above. Links like `?tab=gan` open the suite on one tab.",
        elem_classes=["demo-header"],
    )
    gr.HTML(concept_map_html(dict(titles)), elem_id="concept-map")
