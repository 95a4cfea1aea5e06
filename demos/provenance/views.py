"""The Provenance tab's pictures and figures, for both front ends: PIL images and plotly figures."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from demos.provenance import options
from shared.draw2d import TEXT, font

PANEL = 192  # each panel of the detector's view, pixels a side


def quiz_picture(picture: np.ndarray) -> np.ndarray:
    """A 32x32 picture at options.QUIZ_SHOWN a side, nearest neighbour (no smoothing to hide behind)."""
    return np.asarray(Image.fromarray(picture).resize((options.QUIZ_SHOWN,) * 2, Image.NEAREST))


def _diverging(values: np.ndarray, scale: float) -> np.ndarray:
    """float (h, w) -> uint8 (h, w, 3): white at 0, red for positive, blue for negative, full at |scale|."""
    t = np.clip(values / max(scale, 1e-9), -1, 1)[..., None]
    red, blue, white = np.array([214, 39, 40.0]), np.array([31, 119, 180.0]), np.array([255, 255, 255.0])
    return np.where(t >= 0, white + t * (red - white), white - t * (blue - white)).astype(np.uint8)


def look_figure(look) -> np.ndarray:  # noqa: ANN001 (explain.Look)
    """uint8 (H, W, 3): the picture | the high-pass residual the network reads | the evidence over it."""
    gap, top = 12, 26
    canvas = Image.new("RGB", (3 * PANEL + 4 * gap, PANEL + top + gap), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    label = font(13)
    picture = Image.fromarray(look.picture).resize((PANEL, PANEL), Image.NEAREST)
    residual = look.residual / max(float(look.residual.max()), 1e-9)
    residual = Image.fromarray((255 * (1 - residual) ** 1.5).astype(np.uint8)).resize((PANEL, PANEL), Image.NEAREST).convert("RGB")
    scale = float(np.abs(look.evidence).max())
    heat = Image.fromarray(_diverging(look.evidence, scale)).resize((PANEL, PANEL), Image.NEAREST)
    overlay = Image.blend(picture.convert("L").convert("RGB"), heat, 0.65)
    panels = [(picture, "the picture"), (residual, "what it reads (residual)"), (overlay, "red: generated, blue: real")]
    for k, (panel, title) in enumerate(panels):
        x = gap + k * (PANEL + gap)
        canvas.paste(panel, (x, top))
        draw.text((x, top // 2), title, fill=TEXT, font=label, anchor="lm")
    return np.asarray(canvas)


def among_recognised(source: dict, kind: str) -> dict[str, float]:
    """A source's shares of `kind` ("colour", "shape", "pixel_colour") among the samples its witness
    recognised, so a generator that draws few valid shapes is compared on the ones it does draw."""
    total = sum(source[kind].values())
    return {k: v / total if total else 0.0 for k, v in source[kind].items()}


def shares_figure(shares: dict[str, dict]) -> Any:
    """A plotly heatmap: a row per source (the data, then each generator), a column per colour and per
    shape, each cell that class's share among the samples the classifier recognised (the first
    column: the share recognised at all)."""
    import plotly.graph_objects as go

    from shared.datasets import LABEL_NAMES

    rows = list(shares)
    columns = [("colour", c) for c in LABEL_NAMES["colour"]] + [("shape", s) for s in LABEL_NAMES["shape"]]
    z = [[among_recognised(shares[r], kind)[name] for kind, name in columns] for r in rows]
    recognised = [sum(shares[r]["shape"].values()) for r in rows]
    names = [f"{shares[r]['name']} ({v:.0%} recognised)" for r, v in zip(rows, recognised)]
    figure = go.Figure({"data": [{
        "type": "heatmap", "z": z, "x": [name for _, name in columns], "y": names, "zmin": 0, "zmax": 0.34,
        "colorscale": [[0, "#fff5eb"], [1 / 6 / 0.34, "#fdae6b"], [1, "#7f2704"]],
        "text": [[f"{v:.0%}" for v in row] for row in z], "texttemplate": "%{text}", "showscale": False,
        "hovertemplate": "%{y}: %{x} %{z:.1%}<extra></extra>", "xgap": 2, "ygap": 2,
    }], "layout": {
        "height": 90 + 34 * len(rows), "template": "plotly_white", "margin": {"l": 270, "r": 10, "t": 60, "b": 20},
        "yaxis": {"autorange": "reversed"}, "xaxis": {"side": "top"},
        "shapes": [{"type": "line", "x0": 5.5, "x1": 5.5, "y0": -0.5, "y1": len(rows) - 0.5, "line": {"color": "#333", "width": 2}}],
        "title": {"text": "Each colour's and shape's share of the samples the classifier recognises (1/6 = 17% in the data)",
                  "font": {"size": 13}, "y": 0.99},
    }})
    return figure


def skew_figure(round_) -> Any:  # noqa: ANN001 (skew.Round)
    """Grouped bars: each colour's share in the skewed training set and in the samples, by both
    witnesses (among the samples each could give a colour to)."""
    import plotly.graph_objects as go

    from shared.datasets import COLOURS

    colours = list(COLOURS)

    def among(shares: np.ndarray) -> list[float]:
        total = float(shares.sum())
        return [float(v) / total if total else 0.0 for v in shares]

    series = [("training data", list(map(float, round_.data_shares)), "#555"),
              ("samples, by the classifier", among(round_.classifier_shares), "#d62728"),
              ("samples, by the pixels", among(round_.pixel_shares), "#ff9896")]
    bars = [{"type": "bar", "name": name, "x": colours, "y": values, "marker": {"color": colour},
             "hovertemplate": f"{name}: %{{x}} %{{y:.1%}}<extra></extra>"} for name, values, colour in series]
    steps = [int(v) for v in round_.history[:, 0]]
    lines = [{"type": "scatter", "mode": "lines+markers", "name": name, "x": steps, "y": list(map(float, round_.history[:, k])),
              "line": {"color": colour}, "xaxis": "x2", "yaxis": "y2", "showlegend": False,
              "hovertemplate": f"{name}: step %{{x}}, red %{{y:.0%}}<extra></extra>"}
             for k, name, colour in ((1, "classifier", "#d62728"), (2, "pixels", "#ff9896"))]
    data_line = {"type": "scatter", "mode": "lines", "x": [0, round_.steps], "y": [round_.skew] * 2, "xaxis": "x2", "yaxis": "y2",
                 "line": {"color": "#555", "dash": "dot"}, "showlegend": False, "hoverinfo": "skip"}
    return go.Figure({"data": bars + lines + [data_line], "layout": {
        "barmode": "group", "height": 320, "template": "plotly_white", "margin": {"l": 50, "r": 10, "t": 40, "b": 40},
        "xaxis": {"domain": [0, 0.58]}, "yaxis": {"title": {"text": "share"}, "tickformat": ".0%", "range": [0, 1]},
        "xaxis2": {"domain": [0.68, 1], "anchor": "y2", "title": {"text": "step"}, "range": [0, round_.steps]},
        "yaxis2": {"anchor": "x2", "tickformat": ".0%", "range": [0, 1], "title": {"text": "red among the samples"}},
        "title": {"text": f"Step {round_.step} of {round_.steps}: each colour's share, and red's over the run (dotted: the data)",
                  "font": {"size": 13}},
        "legend": {"orientation": "h", "y": -0.15}}})


def skew_samples(round_) -> np.ndarray:  # noqa: ANN001 (skew.Round)
    """The round's first samples in one row, 2x."""
    from shared.datasets import image_grid

    return image_grid(round_.samples, columns=len(round_.samples), pad=2, scale=2)
