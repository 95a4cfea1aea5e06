"""What the VAE tab shows, UI-free: the interpolation's sheet, GIF, frames and summary; the latent map
figure; the dimension sweep and table; reconstructions with the code figure; sample sheets; the beta
comparison; anomaly histograms; the photo walk; and every sentence under them. Both front ends (the
Gradio tab and the Streamlit page) call these with plain values (uint8 images, numbers, the β label)
and show what comes back: arrays, PNG/GIF bytes, plotly figures and markdown.

    view = interpolation(a, b, frames=8, mode="slerp", fps=6, beta="β = 1")
    latent, fade, text = frame(view, 3)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demos.vae import options
from shared import limits
from shared.memo import memoised

ZOOM = 8  # a 32x32 image is shown at 256x256, pixels kept sharp
NOT_A_SHAPE = "not a shape"
SAMPLE_COLUMNS = 8
LABEL_COLOURS = {  # shapes' own colours for the colour label; a qualitative palette for the rest
    "red": "#dc2d2d", "orange": "#f58c19", "yellow": "#e0c400", "green": "#2daf46", "blue": "#3264e6",
    "purple": "#9641c8",
}
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]


def zoom(image: np.ndarray, k: int = ZOOM) -> np.ndarray:
    """(h, w, 3) -> (k h, k w, 3), each pixel a k x k block."""
    return np.asarray(image).repeat(k, 0).repeat(k, 1)


# ---- images A and B ------------------------------------------------------------------------------


def data_picture(seed: int) -> tuple[np.ndarray, str]:
    """Image `seed` of the shapes data (uint8 (32, 32, 3)) and the caption shown under it."""
    from shared import datasets

    image, caption = datasets.data_image(seed)
    return image, f"*{caption}* (data image {int(seed)})"


# ---- interpolation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InterpolationView:
    """An interpolation as the tab shows it; its arrays are read-only (shared by every visitor who
    asks for the same one). Scrubbing reads frames from here, without a model call."""

    latent: np.ndarray  # uint8 (frames, 32, 32, 3)
    fade: np.ndarray  # uint8 (frames, 32, 32, 3)
    latent_verdicts: tuple[str, ...]
    fade_verdicts: tuple[str, ...]
    sheet_png: bytes  # the two rows with the classifier's verdict under every frame
    summary: str  # markdown
    gif: bytes  # latent walk | cross-fade, side by side
    first_pngs: tuple[bytes, bytes]  # frame 0 of each row, zoomed: what is shown before any scrubbing

    @property
    def last_frame(self) -> int:
        return len(self.latent) - 1


def interpolation(a: np.ndarray, b: np.ndarray, frames: int = options.DEFAULT_FRAMES,
                  mode: str = options.DEFAULT_INTERPOLATION,
                  fps: int = options.DEFAULT_FPS, beta: str = options.DEFAULT_BETA) -> InterpolationView:
    """The latent walk from a to b beside the pixel cross-fade, checked and memoised: the same
    images and settings (thirty people pressing the default) are computed and encoded once."""
    from demos.vae import explore

    fps, frames = options.FPS.check(fps), options.FRAMES.check(frames)
    mode = limits.check_choice("interpolation", mode, options.INTERPOLATIONS)
    return _interpolation(np.ascontiguousarray(a, np.uint8).tobytes(), np.ascontiguousarray(b, np.uint8).tobytes(),
                          frames, mode, fps, explore.beta_model(beta))


@memoised(maxsize=32)
def _interpolation(a: bytes, b: bytes, frames: int, mode: str, fps: int, model: str) -> InterpolationView:
    from demos.vae import explore
    from shared.animation import to_gif
    from shared.image_files import png_bytes

    shape = (options.SIDE, options.SIDE, 3)
    result = explore.interpolate(np.frombuffer(a, np.uint8).reshape(shape), np.frombuffer(b, np.uint8).reshape(shape),
                                 frames, mode, model)
    n = len(result.t)
    walk_ok, fade_ok = result.valid_counts
    summary = (f"Top row, the **latent walk**: {walk_ok} of {n} frames read as one clean shape. Bottom row, the "
               f"**pixel cross-fade**: {fade_ok} of {n}. The walk moves through images the decoder can draw; the "
               "cross-fade lays one image over the other.")
    side_by_side = np.concatenate([result.latent, np.full((n, 32, 2, 3), 255, np.uint8), result.fade], axis=2)
    gif = to_gif(side_by_side, fps, scale=4, hold_last_ms=600)
    for arr in (result.latent, result.fade):
        arr.setflags(write=False)
    return InterpolationView(result.latent, result.fade, tuple(result.latent_verdicts), tuple(result.fade_verdicts),
                             png_bytes(explore.interpolation_sheet(result)), summary, gif,
                             (png_bytes(zoom(result.latent[0])), png_bytes(zoom(result.fade[0]))))


def frame_text(view: InterpolationView, i: int) -> str:
    return (f"Frame {i} of {view.last_frame}: latent walk reads **{view.latent_verdicts[i]}**, "
            f"cross-fade reads **{view.fade_verdicts[i]}**")


def frame(view: InterpolationView | None, i: object) -> tuple[np.ndarray, np.ndarray, str]:
    """Frame i of an interpolation: (latent walk, cross-fade) zoomed, and what the classifier reads."""
    if view is None:
        raise limits.LimitError("Press Interpolate first: the slider scrubs its frames.")
    i = limits.IntRange("frame", 0, view.last_frame).check(i) if isinstance(i, (int, float)) else 0
    return zoom(view.latent[i]), zoom(view.fade[i]), frame_text(view, i)


# ---- latent map ----------------------------------------------------------------------------------


def map_marks(images: dict[str, np.ndarray | None]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Where the 2-D model puts each named image: (label, mean (2,), std (2,)); None places nothing."""
    from demos.vae import explore

    return [(label, *explore.place_on_map(image)) for label, image in images.items() if image is not None]


def latent_map_view(colour_by: str, images: dict[str, np.ndarray | None]):  # noqa: ANN201 (np.ndarray, go.Figure)
    """The decoded plane of the 2-D model and the scatter of the data's codes, with the given images
    (e.g. {"A": a, "B": None}) placed on it."""
    from demos.vae import explore

    colour_by = limits.check_choice("label to colour by", colour_by, options.COLOUR_BY)
    return explore.latent_map().plane, map_figure(colour_by, map_marks(images))


def map_figure(colour_by: str, marks: list[tuple[str, np.ndarray, np.ndarray]] = ()):  # noqa: ANN201 (go.Figure)
    """The held-out data's codes coloured by a label, and each marked image as its mean with a
    2-sigma ellipse (its encoder's spread)."""
    import plotly.graph_objects as go

    from demos.vae import explore
    from shared.datasets import LABEL_NAMES

    colour_by = limits.check_choice("label to colour by", colour_by, options.COLOUR_BY)
    m = explore.latent_map()
    values = m.labels[colour_by]
    traces = []
    for k, name in enumerate(LABEL_NAMES[colour_by]):
        at = np.array([v == name for v in values])
        traces.append({"type": "scattergl", "x": m.points[at, 0].tolist(), "y": m.points[at, 1].tolist(),
                       "mode": "markers", "name": name, "hovertemplate": f"{name}<extra></extra>",
                       "marker": {"size": 4, "opacity": 0.6,
                                  "color": LABEL_COLOURS.get(name, PALETTE[k % len(PALETTE)])}})
    angle = np.linspace(0, 2 * np.pi, 60)
    for label, mean, std in marks:
        traces.append({"type": "scatter", "x": (mean[0] + 2 * std[0] * np.cos(angle)).tolist(),
                       "y": (mean[1] + 2 * std[1] * np.sin(angle)).tolist(), "mode": "lines", "showlegend": False,
                       "line": {"color": "black", "width": 1.5}, "hoverinfo": "skip"})
        traces.append({"type": "scatter", "x": [float(mean[0])], "y": [float(mean[1])], "mode": "markers+text",
                       "text": [label], "textposition": "top center", "name": label,
                       "marker": {"symbol": "star", "size": 16, "color": "black"},
                       "hovertemplate": f"{label}: mean (%{{x:.2f}}, %{{y:.2f}}), 2σ ellipse<extra></extra>"})
    e = options.MAP_EXTENT
    return go.Figure({"data": traces, "layout": {
        "height": 440, "margin": {"l": 40, "r": 10, "t": 36, "b": 36}, "template": "plotly_white",
        "title": {"text": f"Codes of {len(m.points):,} held-out images, by {colour_by}", "font": {"size": 13}},
        "xaxis": {"range": [-e, e], "title": {"text": "z1"}, "constrain": "domain"},
        "yaxis": {"range": [-e, e], "title": {"text": "z2"}, "scaleanchor": "x"},
        "legend": {"itemsizing": "constant"}}})


def decoded_point(z1: float, z2: float) -> tuple[np.ndarray, str]:
    """A point of the plane decoded by the 2-D model (zoomed), and what the classifier reads in it."""
    from demos.vae import explore

    image, verdict = explore.decode_point(z1, z2)
    return zoom(image), f"z = ({z1:+.2f}, {z2:+.2f}) decodes to: **{verdict}**"


# ---- one dimension at a time ---------------------------------------------------------------------

DIMENSION_HEADERS = ("dimension", "KL (nats)", *[f"{k} changes" for k in options.COLOUR_BY], "moves most", "purity")


def decoded_text(image: np.ndarray) -> str:
    from demos.vae import explore

    return f"Decoded: **{explore.verdicts(image[None])[0]}**"


def traversal_sheet(z: np.ndarray, model: str) -> np.ndarray:
    """Every dimension of z swept over options.TRAVERSAL_VALUES, one row each, labelled."""
    from demos.vae import explore
    from shared import contact_sheet

    rows = explore.traversal(z, model)
    d, v = rows.shape[:2]
    labels = [f"z{i}={x:+g}" for i in range(d) for x in options.TRAVERSAL_VALUES]
    return contact_sheet.sheet(rows.reshape(d * v, 32, 32, 3), labels, columns=v, scale=2)


@dataclass(frozen=True)
class StartPoint:
    """Image A's code as the sliders' values, its decoding and every dimension swept from it."""

    values: tuple[float, ...]  # (LATENT_DIMS,) rounded for the sliders, within LATENT_VALUE
    image: np.ndarray  # zoomed decoding
    text: str
    traversal: np.ndarray  # the sweep picture


def start_from_image(image: np.ndarray, beta: str = options.DEFAULT_BETA) -> StartPoint:
    from demos.vae import explore

    model = explore.beta_model(beta)
    z = explore.encode(explore.load_vae(model), np.asarray(image, np.uint8)[None])[0][0]
    z = np.clip(z, options.LATENT_VALUE.low, options.LATENT_VALUE.high)
    decoded = explore.decode_latent(list(z), model)
    return StartPoint(tuple(round(float(x), 2) for x in z), zoom(decoded), decoded_text(decoded),
                      traversal_sheet(z, model))


def decode_sliders(beta: str, values: list[float] | tuple[float, ...]) -> tuple[np.ndarray, str]:
    """The sliders' latent decoded (zoomed) and what the classifier reads in it."""
    from demos.vae import explore

    image = explore.decode_latent(list(values), explore.beta_model(beta))
    return zoom(image), decoded_text(image)


def dimension_table(beta: str = options.DEFAULT_BETA) -> tuple[list[list], str]:
    """The table's rows (see DIMENSION_HEADERS) and the summary under it."""
    from demos.vae import explore
    from shared.datasets import LABEL_NAMES

    rows = explore.dimension_table(explore.beta_model(beta))
    table = [[f"z{r.dim}", round(r.kl, 2), *[f"{r.changes[k]:.0%}" for k in LABEL_NAMES], r.moves_most,
              f"{r.purity:.0%}" if r.moves_most != "nothing" else "–"] for r in rows]
    used = [r for r in rows if r.moves_most != "nothing"]
    factors = sorted({r.moves_most for r in used})
    purity = np.mean([r.purity for r in used]) if used else 0.0
    summary = (f"At {beta}: {len(used)} of {len(rows)} dimensions carry information (KL ≥ {explore.UNUSED_KL} nats); "
               f"they move mostly {', '.join(factors) or 'nothing'}. Mean purity {purity:.0%} (100% would mean each "
               "dimension changes one factor only: a disentangled space).")
    return table, summary


# ---- reconstruct and sample ----------------------------------------------------------------------


def code_figure(mean: np.ndarray, std: np.ndarray):  # noqa: ANN201 (go.Figure)
    import plotly.graph_objects as go

    dims = [f"z{i}" for i in range(len(mean))]
    return go.Figure({"data": [{"type": "bar", "x": dims, "y": [float(v) for v in mean], "marker": {"color": "#6b46c1"},
                                "error_y": {"type": "data", "array": [float(2 * s) for s in std], "visible": True},
                                "hovertemplate": "%{x}: mean %{y:.2f} ± %{error_y.array:.2f} (2σ)<extra></extra>"}],
                      "layout": {"height": 260, "margin": {"l": 40, "r": 10, "t": 36, "b": 30}, "template": "plotly_white",
                                 "title": {"text": "The encoder's answer: a mean and a spread (2σ) per dimension",
                                           "font": {"size": 13}}, "yaxis": {"range": [-4, 4]}}})


@dataclass(frozen=True)
class ReconstructionView:
    image: np.ndarray  # the input, zoomed
    recon: np.ndarray  # its reconstruction, zoomed
    code: object  # plotly Figure of the code's mean and spread
    text: str


def reconstruction(image: np.ndarray, beta: str = options.DEFAULT_BETA) -> ReconstructionView:
    from demos.vae import explore

    r = explore.reconstruct(image, explore.beta_model(beta))
    text = (f"Reconstruction reads **{r.verdict}** · reconstruction error {r.recon_mse:.4f} (mean squared, "
            f"values in [-1, 1]) · negative ELBO {r.bits_per_dim:.2f} bits per dimension")
    return ReconstructionView(zoom(r.image), zoom(r.recon), code_figure(r.mean, r.std), text)


def samples(prior: str = options.DEFAULT_PRIOR, temperature: float = options.DEFAULT_TEMPERATURE, seed: int = 0,
            n: int = options.DEFAULT_SAMPLES,
            beta: str = options.DEFAULT_BETA) -> tuple[np.ndarray, str]:
    """A sheet of samples from the prior with the classifier's verdicts, and how many read as a shape
    (watermarked when the server marks its samples: shared/watermark.py)."""
    from demos.vae import explore
    from shared import contact_sheet, watermark

    model = explore.beta_model(beta)
    images, judged = explore.sample(n, temperature, seed, prior, model)
    ok = sum(v != NOT_A_SHAPE for v in judged)
    sheet = watermark.shown(contact_sheet.sheet(np.asarray(images), list(judged), columns=SAMPLE_COLUMNS, scale=3),
                            model, seed)
    return sheet, f"{ok} of {len(judged)} samples read as one clean shape."


def beta_comparison() -> tuple[np.ndarray, str]:
    """The three KL weights side by side: a sheet (per row, reconstructions then N(0, I) samples) and
    the measured table as markdown."""
    from demos.vae import explore
    from shared import contact_sheet

    results = explore.beta_comparison()
    k = explore.COMPARISON_EXAMPLES
    images, labels = [], []
    for r in results:
        images += [*r.recon_examples, *r.sample_examples]
        labels += [f"{r.label} recon"] * k + [f"{r.label} N(0,I)"] * k
    picture = contact_sheet.sheet(np.stack(images), labels, columns=2 * k, scale=3)
    rows = ["| KL weight | reconstruction error | same shape and colour | KL (nats) | valid samples, N(0, I) "
            "| valid samples, fitted prior |", "|---|---|---|---|---|---|"]
    rows += [f"| {r.label} | {r.recon_mse:.4f} | {r.recon_same:.1%} | {r.kl_nats:.1f} | {r.valid_standard:.1%} | "
             f"{r.valid_fitted:.1%} |" for r in results]
    n = options.COMPARISON_IMAGES
    return picture, "\n".join(rows) + f"\n\nMeasured on {n} held-out images and {n} samples per model."


# ---- anomaly score -------------------------------------------------------------------------------


def anomaly_figure(result, score: str):  # noqa: ANN001, ANN201 (explore.AnomalyResult -> go.Figure)
    import plotly.graph_objects as go

    ref = result.reference
    real, odd = ref.real[score], ref.odd[score]
    lo, hi = float(min(real.min(), odd.min(), result.scores[score])), float(max(np.percentile(odd, 99), result.scores[score]))
    bins = {"start": lo, "end": hi, "size": (hi - lo) / 60 or 1.0}
    at = result.scores[score]
    return go.Figure({"data": [
        {"type": "histogram", "x": real.tolist(), "name": "held-out shapes", "xbins": bins, "opacity": 0.7,
         "marker": {"color": "#2daf46"}},
        {"type": "histogram", "x": odd.tolist(), "name": "non-shapes (noise, stripes...)", "xbins": bins, "opacity": 0.7,
         "marker": {"color": "#9a9a9a"}}],
        "layout": {"height": 280, "barmode": "overlay", "margin": {"l": 40, "r": 10, "t": 36, "b": 36},
                   "template": "plotly_white", "xaxis": {"title": {"text": options.SCORES[score]}},
                   "title": {"text": f"Your image scores {at:.3f}; AUROC shapes vs non-shapes {ref.auroc[score]:.3f}",
                             "font": {"size": 13}},
                   "shapes": [{"type": "line", "x0": at, "x1": at, "y0": 0, "y1": 1, "yref": "paper",
                               "line": {"color": "black", "width": 2, "dash": "dash"}}]}})


def anomaly(image: np.ndarray, score: str = options.DEFAULT_SCORE):  # noqa: ANN201 (go.Figure, str)
    """How unusual an image is: the histogram of one score with the image marked, and the verdict."""
    from demos.vae import explore

    score = limits.check_choice("score", score, options.SCORES)
    result = explore.score_anomaly(image)
    verdict = ("**unusual**: it scores higher than 99% of real shapes" if result.unusual
               else "**looks like the training data**")
    text = (f"Negative ELBO {result.scores['bits_per_dim']:.2f} bits per dimension, higher than "
            f"{result.percentile['bits_per_dim']:.0f}% of held-out shapes; reconstruction error "
            f"{result.scores['recon_mse']:.4f} (higher than {result.percentile['recon_mse']:.0f}%). Verdict: {verdict}.")
    return anomaly_figure(result, score), text


# ---- real photos ---------------------------------------------------------------------------------


def photo_walk(path_a: str | None, path_b: str | None, model_id: str = options.HUB_DEFAULT,
               side: int = options.DEFAULT_PHOTO_SIDE, frames: int = options.DEFAULT_FRAMES,
               mode: str = options.DEFAULT_INTERPOLATION) -> tuple[np.ndarray, str]:
    """Two photos walked through a Hub autoencoder: the sheet (latent walk above the cross-fade) and
    what the latent holds."""
    from demos.vae import photos
    from shared import contact_sheet

    walk = photos.photo_interpolation(path_a, path_b, frames, mode, model_id, side)
    n = len(walk.t)
    labels = [f"latent t={t:.2f}" for t in walk.t] + [f"pixels t={t:.2f}" for t in walk.t]
    sheet = contact_sheet.sheet(np.concatenate([walk.latent, walk.fade]), labels, columns=n, scale=1)
    text = (f"Each photo became a latent of shape {' x '.join(map(str, walk.latent_shape))} "
            f"({int(np.prod(walk.latent_shape)):,} numbers for {3 * walk.latent.shape[1] ** 2:,} pixel values). "
            "Top: decoded along the latent path; bottom: the pixel cross-fade.")
    return sheet, text
