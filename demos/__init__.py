"""The demos the suite mounts, in tab order.

Each entry names a module with a ``build() -> gr.Blocks`` function; ``app.py`` imports it when the
app starts (cheap: building the UI loads no model) and renders it in its own tab. A demo that
fails to import or build becomes a tab that shows the error. The same order gives the pages of the
Streamlit front end (``streamlit_app.py``): each demo's ``<slug>/streamlit_page.py``, after the
Overview (``overview_streamlit_page.py``; its concepts live in ``concepts.py``, shared with the
Gradio Overview in ``overview_ui.py``).

Both front ends call the same logic: every module of a demo other than ``ui.py``, ``*_ui.py`` and
``streamlit_page.py`` imports neither gradio nor streamlit.

The main action of each demo (the button a first-time visitor should press) has the elem_id
``<slug>-main-action`` in the Gradio tab and the key ``<slug>-main-action`` on the Streamlit page:
the browser tests click it on every tab and page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSpec:
    slug: str  # tab id, ?tab=<slug> deep link, `python -m demos.<slug>`, --only <slug>
    title: str  # the tab's label
    module: str  # dotted path of the module with build() -> gr.Blocks


REGISTRY: list[DemoSpec] = [
    DemoSpec("data", "Data & judge", "demos.data.ui"),
    DemoSpec("gan", "GAN", "demos.gan.ui"),
    DemoSpec("diffusion", "Diffusion", "demos.diffusion.ui"),
    DemoSpec("flows", "Flows", "demos.flows.ui"),
    DemoSpec("pixelcnn", "PixelCNN", "demos.pixelcnn.ui"),
    DemoSpec("gpt", "GPT", "demos.gpt.ui"),
    DemoSpec("alignment", "Alignment", "demos.alignment.ui"),
    DemoSpec("three_d", "3-D data", "demos.three_d.ui"),
    DemoSpec("vae", "VAE", "demos.vae.ui"),
    DemoSpec("clip", "CLIP", "demos.clip.ui"),
    DemoSpec("stable_diffusion", "Stable Diffusion", "demos.stable_diffusion.ui"),
    DemoSpec("arena", "Arena", "demos.arena.ui"),
    DemoSpec("provenance", "Provenance", "demos.provenance.ui"),
]


def by_slug(slugs: list[str] | None = None) -> list[DemoSpec]:
    """The registry, or the named subset of it in registry order; unknown slugs raise ValueError."""
    if not slugs:
        return list(REGISTRY)
    known = {spec.slug for spec in REGISTRY}
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise ValueError(f"unknown demo {', '.join(map(repr, unknown))}; the demos are {', '.join(sorted(known))}")
    return [spec for spec in REGISTRY if spec.slug in slugs]
