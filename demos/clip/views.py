"""Pictures of the CLIP tab's results: search hits with their scores, zero-shot probabilities, the
joint space. Plotly figures and uint8 arrays, no UI code, so a Gradio tab and a Streamlit page
show the same thing.
"""

from __future__ import annotations

import base64

import numpy as np

from shared.image_files import png_bytes

SHOWN_SIDE = 128  # a hit is shown at least this large: a 32x32 shape enlarged 4x, pixels kept sharp
QUERY_SIDE = 256  # a data image used as the query is shown this large (32x32 enlarged 8x)


def enlarge(image: np.ndarray, side: int = SHOWN_SIDE) -> np.ndarray:
    """Small images enlarged by whole pixels (sharp), large ones left alone."""
    k = max(1, side // image.shape[0])
    return image.repeat(k, 0).repeat(k, 1) if k > 1 else image


def tile_label(rank: int, hit) -> str:  # noqa: ANN001 (explore.Hit)
    """'3 · 0.872 · unseen': what fits under a tile of the results sheet."""
    return f"{rank} · {hit.score:.3f}" + (" · yours" if hit.yours else "") + (" · unseen" if hit.unseen else "")


def results_sheet(result, columns: int = 6) -> np.ndarray:  # noqa: ANN001 (explore.SearchResult)
    """The hits as one picture, best first, each tile labelled with its rank and similarity: one
    file for the browser to fetch per search, not one per hit (thirty people search at once)."""
    from shared.contact_sheet import sheet

    if not result.hits:
        return np.full((SHOWN_SIDE, SHOWN_SIDE, 3), 255, np.uint8)
    images = np.stack([enlarge(h.image) if h.image.shape[0] < SHOWN_SIDE else _fit(h.image) for h in result.hits])
    return sheet(images, [tile_label(rank, h) for rank, h in enumerate(result.hits, 1)], columns=columns, scale=1)


def _fit(image: np.ndarray) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(image).resize((SHOWN_SIDE, SHOWN_SIDE), Image.Resampling.BOX))


def data_caption(caption: str, seed: int) -> str:
    """What is written under a data image used as the query: its caption and its number."""
    return f"*{caption}* (data image {int(seed)})"


def upload_rules() -> str:
    """What may be added to the gallery, said before the upload box."""
    from demos.clip import options

    return (f"Image files or zips of images: up to {options.UPLOAD_IMAGES:,} images at a time and "
            f"{options.SESSION_IMAGES:,} in all, each at most {options.PICTURE.max_bytes // 2**20} MB and "
            f"{options.PICTURE.max_pixels // 10**6} megapixels. Zips inside zips are not opened. Only you "
            "see your images, and they are forgotten when you close the page.")


def escaped(text: str) -> str:
    """Text (a file name a user chose) shown literally in Markdown, a table cell included."""
    for ch in "\\|*_`[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text


def search_summary(result) -> str:  # noqa: ANN001 (explore.SearchResult)
    """What was searched, how long it took, and the hits as a table: rank, similarity, caption or file."""
    kind = "one matrix product (exact)" if result.index_kind == "exact" else "a FAISS inverted-file index"
    lines = [f"**{len(result.hits)} nearest of {result.searched:,} images** to *{escaped(result.query)}*, by cosine "
             f"similarity; the query took {result.milliseconds:.1f} ms (embedding it, then {kind})."]
    if result.notice:
        lines.append(f"⚠ {result.notice}")
    if any(h.unseen for h in result.hits):
        lines.append("*unseen*: a (shape, colour) pair the model never saw in training.")
    rows = [f"| {rank} | {h.score:.3f} | {escaped(h.name)} | {'yours' if h.yours else 'unseen pair' if h.unseen else ''} |"
            for rank, h in enumerate(result.hits, 1)]
    lines.append("| # | cosine | caption or file | |\n|---|---|---|---|\n" + "\n".join(rows))
    return "\n\n".join(lines)


def zero_shot_summary(result) -> str:  # noqa: ANN001 (explore.ZeroShot)
    """The likeliest label and why no training was needed; the notice (words the model does not know,
    repeats left out) after it."""
    best = int(np.argmax(result.probabilities))
    summary = (f"**{result.labels[best]}**: {result.probabilities[best]:.1%}. The labels' text embeddings are the "
               "classifier's weights: no training on them.")
    return f"{summary}\n\n⚠ {result.notice}" if result.notice else summary


def zero_shot_figure(result):  # noqa: ANN001, ANN201 (explore.ZeroShot -> plotly Figure)
    import plotly.graph_objects as go

    order = np.argsort(result.probabilities)  # the likeliest at the top
    labels = [result.labels[i] for i in order]
    return go.Figure({"data": [{
        "type": "bar", "orientation": "h", "y": labels, "x": [float(result.probabilities[i]) for i in order],
        "text": [f"{result.probabilities[i]:.1%} (cos {result.similarities[i]:.3f})" for i in order],
        "textposition": "auto", "marker": {"color": "#2b6cb0"},
        "hovertemplate": "%{y}: p = %{x:.3f}<extra></extra>"}],
        "layout": {"height": 120 + 28 * len(labels), "margin": {"l": 10, "r": 10, "t": 40, "b": 30},
                   "template": "plotly_white", "yaxis": {"automargin": True},
                   "xaxis": {"range": [0, 1], "title": {"text": "probability"}},
                   "title": {"text": f"softmax of similarity / temperature ({result.temperature:.3f})", "font": {"size": 13}}}})


def _data_uri(image: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode()


def projection_summary(p) -> str:  # noqa: ANN001 (explore.Projection)
    """What the projection shows, in a few words, with the mean cosine of a pair."""
    unseen = int(p.unseen.sum())
    return (f"{len(p.captions)} held-out images (squares) and their captions (diamonds); {unseen} in red are "
            f"(shape, colour) pairs never seen in training. An image's own caption is its nearest text when the line "
            f"is short. Mean cosine of an image with its caption: {p.pair_cosine:.2f}.")


def projection_figure(p):  # noqa: ANN001, ANN201 (explore.Projection -> plotly Figure)
    """Images as thumbnails, captions as diamonds, a grey line from each caption to its image;
    unseen (shape, colour) pairs in red."""
    import plotly.graph_objects as go

    xy = np.concatenate([p.image_xy, p.text_xy])
    span = float(np.ptp(xy, axis=0).max()) or 1.0
    size = span / 14  # a thumbnail's width in data units
    lines_x, lines_y = [], []
    for (ix, iy), (tx, ty) in zip(p.image_xy, p.text_xy):
        lines_x += [float(tx), float(ix), None]
        lines_y += [float(ty), float(iy), None]
    colours = ["#e53e3e" if u else "#2b6cb0" for u in p.unseen]
    traces = [
        {"type": "scatter", "x": lines_x, "y": lines_y, "mode": "lines", "line": {"color": "rgba(90,90,90,0.6)", "width": 1.5},
         "hoverinfo": "skip", "name": "caption → its image"},
        {"type": "scatter", "x": p.image_xy[:, 0].tolist(), "y": p.image_xy[:, 1].tolist(), "mode": "markers",
         "marker": {"size": 30, "symbol": "square-open", "color": colours, "line": {"width": 2}},
         "text": p.captions, "hovertemplate": "image of: %{text}<extra></extra>", "name": "images"},
        {"type": "scatter", "x": p.text_xy[:, 0].tolist(), "y": p.text_xy[:, 1].tolist(), "mode": "markers",
         "marker": {"size": 9, "symbol": "diamond", "color": colours}, "text": p.captions,
         "hovertemplate": "caption: %{text}<extra></extra>", "name": "captions (red: unseen pair)"},
    ]
    images = [{"source": _data_uri(img), "xref": "x", "yref": "y", "x": float(x), "y": float(y), "sizex": size,
               "sizey": size, "xanchor": "center", "yanchor": "middle", "layer": "above"}
              for img, (x, y) in zip(p.images, p.image_xy)]
    return go.Figure({"data": traces, "layout": {
        "height": 620, "margin": {"l": 30, "r": 10, "t": 40, "b": 30}, "template": "plotly_white", "images": images,
        "xaxis": {"title": {"text": f"{p.method} 1"}, "scaleanchor": "y"}, "yaxis": {"title": {"text": f"{p.method} 2"}},
        "legend": {"orientation": "h", "y": -0.08},
        "title": {"text": f"{len(p.captions)} images and their captions in one space ({p.method}); mean cosine of a "
                          f"pair {p.pair_cosine:.2f}", "font": {"size": 13}}}})
