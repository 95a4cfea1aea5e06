"""Logic of the Data & judge tab: draw data from the shared sets, and let the bundled shapes
classifier judge images the way it judges every generator's samples. No UI code here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from demos.data.options import MIX_SHARE
from shared import datasets, limits
from shared.memo import memoised
from shared.metrics import CONFIDENCE, ShapeScores

if TYPE_CHECKING:  # plotly is imported only when a figure is drawn
    import plotly.graph_objects as go


@dataclass(frozen=True)
class JudgedImage:
    image: np.ndarray  # uint8 (32, 32, 3)
    truth: str  # the caption it was made from, or what kind of non-shape it is
    verdict: str  # what the classifier reads
    confidence: float  # the classifier's probability for its shape verdict
    valid: bool  # one clean shape at confidence >= CONFIDENCE


def draw_and_judge(n: int, seed: int, mix_share: float = 0.0) -> tuple[list[JudgedImage], ShapeScores, str | None]:
    """n images from `shapes` (a share of them replaced by non-shapes), each judged by the classifier.

    Returns the judged images, the scores of the whole batch (as a generator's samples would be
    scored), and a notice when the classifier could not be loaded as asked.
    """
    from shared.checkpoints import load
    from shared.metrics import score_images
    from shared.shapes_classifier import BUNDLED_NAME, HEAD_CLASSES, NOT_A_SHAPE, ShapesClassifier, classify

    n = limits.GRID_IMAGES.check(n)
    seed = limits.SEED.check(seed)
    mix_share = MIX_SHARE.check(mix_share)
    data = datasets.make_shapes(n, seed)
    images = data.images.copy()
    truths = data.captions
    # which images become non-shapes: a seeded choice, so the same settings show the same batch
    n_junk = int(round(mix_share * n))
    junk_at = np.sort(np.random.default_rng(seed).choice(n, size=n_junk, replace=False))
    if n_junk:
        images[junk_at] = datasets.make_not_shapes(n_junk, seed)
        kinds = datasets.NOT_SHAPE_KINDS
        for k, i in enumerate(junk_at):
            truths[i] = f"not a shape ({kinds[k % len(kinds)]})"

    loaded = load(ShapesClassifier, BUNDLED_NAME)
    probs, _ = classify(loaded.model, images)
    judged = []
    for i in range(n):
        p = probs["shape"][i]
        best = int(p.argmax())
        shape = HEAD_CLASSES["shape"][best]
        if shape == NOT_A_SHAPE:
            verdict = "not a shape"
        else:
            others = " ".join(HEAD_CLASSES[h][int(probs[h][i].argmax())] for h in ("size", "colour"))
            where = HEAD_CLASSES["position"][int(probs["position"][i].argmax())]
            verdict = f"{others} {shape}, {where}"
        valid = shape != NOT_A_SHAPE and float(p[best]) >= CONFIDENCE
        judged.append(JudgedImage(images[i], truths[i], verdict, float(p[best]), valid))
    return judged, score_images(images, loaded.model), loaded.notice


@dataclass(frozen=True)
class JudgedBatch:
    """A judged batch as the tab shows it."""

    judged: list[JudgedImage]
    scores: ShapeScores
    grid_html: str  # views.judged_grid_html
    scores_markdown: str
    figure: object  # class_share_figure: a plotly Figure (shared: never mutate it)
    notice: str | None


def checked_batch(n: object, seed: object, mix_share: object) -> tuple[int, int, float]:
    """A batch's settings, checked (each refused with its message)."""
    return limits.GRID_IMAGES.check(n), limits.SEED.check(seed), MIX_SHARE.check(mix_share)


def judged_batch(n: int, seed: int, mix_share: float) -> JudgedBatch:
    """draw_and_judge with everything the tab shows of it; the same settings are served from memory
    (an audience pressing the default button computes it once)."""
    return _judged_batch(*checked_batch(n, seed, mix_share))


@memoised(maxsize=64)
def _judged_batch(n: int, seed: int, mix_share: float) -> JudgedBatch:
    from demos.data.views import judged_grid_html

    judged, scores, notice = draw_and_judge(n, seed, mix_share)
    return JudgedBatch(judged, scores, judged_grid_html(judged), scores.as_markdown(shares=False),
                       class_share_figure(scores), notice)


def class_share_figure(scores: ShapeScores) -> go.Figure:
    """Bar chart: share of the batch recognised as each shape, and the share judged not valid."""
    import plotly.graph_objects as go

    names = list(scores.class_shares) + ["not valid"]
    shares = list(scores.class_shares.values()) + [1.0 - scores.valid_fraction]
    colours = ["#5a67d8"] * len(scores.class_shares) + ["#c53030"]
    fig = go.Figure(go.Bar(x=names, y=shares, marker_color=colours, text=[f"{s:.0%}" for s in shares],
                           textposition="outside"))
    fig.update_layout(title="What the judge sees in this batch (mode coverage)", yaxis_tickformat=".0%",
                      yaxis_range=[0, max(shares + [0.25]) * 1.2], height=320, margin=dict(t=50, b=30, l=40, r=10))
    return fig


def toy_2d_figure(name: str, n: int, seed: int) -> go.Figure:
    """Scatter plot of a toy 2-D set, the data of the live-training views."""
    import plotly.graph_objects as go

    pts = datasets.toy_2d(name, n, seed)
    fig = go.Figure(go.Scattergl(x=pts[:, 0], y=pts[:, 1], mode="markers",
                                 marker=dict(size=3, color="#5a67d8", opacity=0.6)))
    if name == "ring8":
        c = datasets.ring8_centres()
        fig.add_trace(go.Scatter(x=c[:, 0], y=c[:, 1], mode="markers", name="modes",
                                 marker=dict(size=10, symbol="x", color="#dd6b20")))
    fig.update_layout(title=f"{datasets.TOY_2D_NAMES[name]} · {n:,} points", showlegend=False, height=380,
                      xaxis=dict(range=[-3, 3], zeroline=False, constrain="domain"),
                      yaxis=dict(range=[-3, 3], scaleanchor="x", scaleratio=1, zeroline=False, constrain="domain"),
                      margin=dict(t=50, b=30, l=30, r=10))
    return fig


def digits_sheet(n: int, seed: int) -> tuple[np.ndarray, str]:
    """A contact sheet of n scikit-learn digits (uint8 RGB) and their labels in reading order."""
    n = limits.GRID_IMAGES.check(n)
    images, labels = datasets.load_digits(seed)
    grey = (255 * (1 - images[:n])).astype(np.uint8)  # dark ink on white, as written
    rgb = np.repeat(grey[..., None], 3, axis=-1)
    return datasets.image_grid(rgb, columns=16, pad=1, scale=8), " ".join(str(d) for d in labels[:n])
