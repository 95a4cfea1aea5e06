"""What the Data & judge tab draws that is not a figure: the judged images as an HTML grid (each
image at 3x, pixels kept sharp, framed green when the judge reads one clean shape, red otherwise,
with verdict, confidence and truth). Plain values in, HTML out; each UI styles the classes
(`judged-grid`, `judged valid|invalid`) in its own CSS."""

from __future__ import annotations

import base64
import html
import io

import numpy as np


def png_data_uri(image: np.ndarray) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def judged_grid_html(judged) -> str:  # noqa: ANN001 (list of explore.JudgedImage)
    """Each image at 3x, pixels kept sharp, framed green (valid) or red, with verdict and truth."""
    cards = []
    for j in judged:
        state = "valid" if j.valid else "invalid"
        cards.append(
            f'<figure class="judged {state}"><img src="{png_data_uri(j.image)}" alt="{html.escape(j.truth)}">'
            f'<figcaption><b>{"✓" if j.valid else "✗"} {html.escape(j.verdict)}</b> · {j.confidence:.0%}'
            f'<br><span>truth: {html.escape(j.truth)}</span></figcaption></figure>'
        )
    return f'<div class="judged-grid">{"".join(cards)}</div>'
