"""The Overview page under AppTest: every concept of the map (demos.concepts) is shown, each one
whose demo has a Streamlit page links to it by its url path, the others are marked as coming."""

from __future__ import annotations

from pathlib import Path

from demos import REGISTRY
from demos.concepts import sections

DEMOS = Path(__file__).resolve().parents[2] / "demos"


def test_every_concept_is_shown_and_linked_to_its_page_or_marked_coming(open_page):
    at = open_page("overview")
    shown = [m.value for m in at.markdown]
    concepts = [c for _, items in sections() for c in items]
    for concept in concepts:
        assert f"#### {concept.title}" in shown and concept.text in shown
    titles = {s.slug: s.title for s in REGISTRY if (DEMOS / s.slug / "streamlit_page.py").exists()}
    linked = [c for c in concepts if c.slug in titles]
    links = [(link.proto.page, link.proto.label) for link in at.get("page_link")]
    assert links == [(c.slug, f"Open the {titles[c.slug]} page") for c in linked]
    coming = [c.value for c in at.caption if c.value == "*Page coming*"]
    assert len(coming) == len(concepts) - len(linked)
    assert [h.value for h in at.subheader] == [name for name, _ in sections()]
