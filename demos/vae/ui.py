"""VAE tab: interpolation against a pixel cross-fade, the latent map, one dimension at a time,
reconstructions and samples, anomaly scores, and real photos through a Hub autoencoder. Glue only:
the logic is in explore.py and photos.py, the limits and defaults in options.py.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import numpy as np

from demos.vae import options
from shared import contact_sheet, limits
from shared.image_files import png_bytes, png_file, write_atomic
from shared.memo import memoised
from shared.ui import explainer, file_path, fill_on_open, header, seed_control, shows_errors

HERE = Path(__file__).parent
ZOOM = 8  # a 32x32 image shown at 256x256, pixels kept sharp
# the events that run the bundled VAEs share one pool: thirty users never run thirty at once
VAE_MODEL = {"concurrency_limit": 2, "concurrency_id": "vae-model"}
PHOTO_MODEL = {"concurrency_limit": 1, "concurrency_id": "vae-photos"}
NOT_A_SHAPE = "not a shape"


def zoom(image: np.ndarray, k: int = ZOOM) -> np.ndarray:
    return np.asarray(image).repeat(k, 0).repeat(k, 1)


# ---- Gradio's data formats -> the logic's --------------------------------------------------------


def editor_image(value: object, what: str) -> np.ndarray:
    """The picture in a gr.ImageEditor (its flattened composite, else its background) as the
    models' input, uint8 (32, 32, 3). The value arrives raw: a dict of FileData dicts, or a path."""
    from demos.vae import explore

    if isinstance(value, dict):
        path = file_path(value.get("composite")) or file_path(value.get("background"))
    else:
        path = file_path(value)
    return explore.read_image(path, what)


def data_picture(seed: int) -> tuple[dict, str]:
    """A shapes image, enlarged to draw on, as an editor value, and its caption."""
    from demos.vae import explore

    image, caption = explore.data_image(seed)
    path = png_file(zoom(image, options.SHOWN_SIDE // options.SIDE))
    return {"background": path, "layers": [], "composite": path}, f"*{caption}* (data image {int(seed)})"


@shows_errors
def pick_data(seed: int):
    return data_picture(seed)


# ---- interpolation -------------------------------------------------------------------------------


def _interpolation_outputs(a: np.ndarray, b: np.ndarray, frames: int, mode: str, fps: int, beta: str):
    """Everything the interpolation shows. The same images and settings (thirty people pressing
    the default) are computed and encoded once: only the content-named files are looked up."""
    from demos.vae import explore

    fps = options.FPS.check(fps)
    frames = options.FRAMES.check(frames)
    mode = limits.check_choice("interpolation", mode, options.INTERPOLATIONS)
    model = explore.beta_model(beta)
    cache, sheet, summary, gif, frame_files = _interpolation_media(
        np.ascontiguousarray(a, np.uint8).tobytes(), np.ascontiguousarray(b, np.uint8).tobytes(), frames, mode, fps, model)
    gif_path = write_atomic(gif, ".gif", prefix="vae-interpolation-")
    first = (write_atomic(frame_files[0], ".png"), write_atomic(frame_files[1], ".png"), _frame_text(cache, 0))
    return (cache, write_atomic(sheet, ".png"), summary, gif_path, gif_path,
            gr.Slider(minimum=0, maximum=len(cache["latent"]) - 1, value=0, step=1, interactive=True), *first)


@memoised(maxsize=32)
def _interpolation_media(a: bytes, b: bytes, frames: int, mode: str, fps: int, model: str):  # noqa: ANN202
    """(session cache, sheet PNG, summary, GIF, first frames' PNGs) of an interpolation, already validated."""
    from demos.vae import explore
    from shared.animation import to_gif

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
    cache = {"latent": result.latent, "fade": result.fade, "latent_verdicts": tuple(result.latent_verdicts),
             "fade_verdicts": tuple(result.fade_verdicts)}
    first = (png_bytes(zoom(result.latent[0])), png_bytes(zoom(result.fade[0])))
    return cache, png_bytes(explore.interpolation_sheet(result)), summary, gif, first


def _frame_text(cache: dict, i: int) -> str:
    return (f"Frame {i} of {len(cache['latent']) - 1}: latent walk reads **{cache['latent_verdicts'][i]}**, "
            f"cross-fade reads **{cache['fade_verdicts'][i]}**")


def _frame(cache: dict, i: int):
    return png_file(zoom(cache["latent"][i])), png_file(zoom(cache["fade"][i])), _frame_text(cache, i)


@shows_errors
def run_interpolation(editor_a, editor_b, frames: int, mode: str, fps: int, beta: str):  # noqa: ANN001
    a, b = editor_image(editor_a, "image A"), editor_image(editor_b, "image B")
    return _interpolation_outputs(a, b, frames, mode, fps, beta)


@shows_errors
def first_view(seed_a: int, seed_b: int, frames: int, mode: str, fps: int, beta: str):
    """What the tab shows when first opened: two data images and the walk between them."""
    from demos.vae import explore

    (editor_a, caption_a), (editor_b, caption_b) = data_picture(seed_a), data_picture(seed_b)
    a, b = explore.data_image(seed_a)[0], explore.data_image(seed_b)[0]
    return (editor_a, caption_a, editor_b, caption_b, *_interpolation_outputs(a, b, frames, mode, fps, beta))


def scrub(cache: dict | None, frame: int):
    """One frame of the last interpolation, from the session's cache: no model call."""
    if not cache:
        raise gr.Error("Press Interpolate first: the slider scrubs its frames.")
    last = len(cache["latent"]) - 1
    i = int(limits.IntRange("frame", 0, last).check(frame)) if isinstance(frame, (int, float)) else 0
    return _frame(cache, i)


# ---- latent map ----------------------------------------------------------------------------------

LABEL_COLOURS = {  # shapes' own colours for the colour label; a qualitative palette for the rest
    "red": "#dc2d2d", "orange": "#f58c19", "yellow": "#e0c400", "green": "#2daf46", "blue": "#3264e6",
    "purple": "#9641c8",
}
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]


def map_figure(colour_by: str, marks: list[tuple[str, np.ndarray, np.ndarray]]):
    """The held-out data's codes coloured by a label, and each marked image as its mean with a
    2-sigma ellipse (its encoder's spread)."""
    import plotly.graph_objects as go

    from demos.vae import explore
    from shared.datasets import LABEL_NAMES

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


@shows_errors
def show_map(colour_by: str, editor_a=None, editor_b=None):  # noqa: ANN001
    """The decoded plane and the scatter, with images A and B placed on it when there are any."""
    from demos.vae import explore

    colour_by = limits.check_choice("label to colour by", colour_by, options.COLOUR_BY)
    marks = []
    for label, value in (("A", editor_a), ("B", editor_b)):
        if value:  # an empty editor places nothing
            marks.append((label, *explore.place_on_map(editor_image(value, f"image {label}"))))
    return png_file(explore.latent_map().plane), map_figure(colour_by, marks)


def click_plane(evt: gr.SelectData):
    """Decode the point of the plane that was clicked."""
    from demos.vae import explore

    at = evt.index if isinstance(evt.index, (list, tuple)) and len(evt.index) == 2 else None
    if at is None:
        return gr.skip(), gr.skip()
    z1, z2 = explore.plane_point(at[0], at[1], options.MAP_TILES * 32)
    image, verdict = explore.decode_point(z1, z2)
    return png_file(zoom(image)), f"z = ({z1:+.2f}, {z2:+.2f}) decodes to: **{verdict}**"


# ---- one dimension at a time ---------------------------------------------------------------------


def _traversal_picture(z: np.ndarray, model: str) -> str:
    from demos.vae import explore

    rows = explore.traversal(z, model)
    d, v = rows.shape[:2]
    labels = [f"z{i}={x:+g}" for i in range(d) for x in options.TRAVERSAL_VALUES]
    return png_file(contact_sheet.sheet(rows.reshape(d * v, 32, 32, 3), labels, columns=v, scale=2))


@shows_errors
def start_from_image(editor_a, beta: str):  # noqa: ANN001
    """Sliders set to image A's code; the decoded image; every dimension swept from it."""
    from demos.vae import explore

    model = explore.beta_model(beta)
    z = explore.encode(explore.load_vae(model), editor_image(editor_a, "image A")[None])[0][0]
    z = np.clip(z, options.LATENT_VALUE.low, options.LATENT_VALUE.high)
    image = explore.decode_latent(list(z), model)
    return (*[round(float(x), 2) for x in z], png_file(zoom(image)), f"Decoded: **{explore.verdicts(image[None])[0]}**",
            _traversal_picture(z, model))


@shows_errors
def decode_sliders(beta: str, *values: float):
    from demos.vae import explore

    image = explore.decode_latent(list(values), explore.beta_model(beta))
    return png_file(zoom(image)), f"Decoded: **{explore.verdicts(image[None])[0]}**"


@shows_errors
def measure_dimensions(beta: str):
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


def code_figure(mean: np.ndarray, std: np.ndarray):
    import plotly.graph_objects as go

    dims = [f"z{i}" for i in range(len(mean))]
    return go.Figure({"data": [{"type": "bar", "x": dims, "y": [float(v) for v in mean], "marker": {"color": "#6b46c1"},
                                "error_y": {"type": "data", "array": [float(2 * s) for s in std], "visible": True},
                                "hovertemplate": "%{x}: mean %{y:.2f} ± %{error_y.array:.2f} (2σ)<extra></extra>"}],
                      "layout": {"height": 260, "margin": {"l": 40, "r": 10, "t": 36, "b": 30}, "template": "plotly_white",
                                 "title": {"text": "The encoder's answer: a mean and a spread (2σ) per dimension",
                                           "font": {"size": 13}}, "yaxis": {"range": [-4, 4]}}})


@shows_errors
def run_reconstruct(editor_a, beta: str):  # noqa: ANN001
    from demos.vae import explore

    r = explore.reconstruct(editor_image(editor_a, "image A"), explore.beta_model(beta))
    text = (f"Reconstruction reads **{r.verdict}** · reconstruction error {r.recon_mse:.4f} (mean squared, "
            f"values in [-1, 1]) · negative ELBO {r.bits_per_dim:.2f} bits per dimension")
    return png_file(zoom(r.image)), png_file(zoom(r.recon)), code_figure(r.mean, r.std), text


@shows_errors
def run_sample(prior: str, temperature: float, seed: int, n: int, beta: str):
    from demos.vae import explore

    images, judged = explore.sample(n, temperature, seed, prior, explore.beta_model(beta))
    ok = sum(v != NOT_A_SHAPE for v in judged)
    text = f"{ok} of {len(judged)} samples read as one clean shape."
    return png_file(contact_sheet.sheet(np.asarray(images), list(judged), columns=8, scale=3)), text


@shows_errors
def run_beta_comparison():
    from demos.vae import explore

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
    return png_file(picture), "\n".join(rows) + f"\n\nMeasured on {n} held-out images and {n} samples per model."


# ---- anomaly score -------------------------------------------------------------------------------


def anomaly_figure(result, score: str):  # noqa: ANN001 (explore.AnomalyResult)
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


@shows_errors
def run_anomaly(editor_a, score: str):  # noqa: ANN001
    from demos.vae import explore

    score = limits.check_choice("score", score, options.SCORES)
    result = explore.score_anomaly(editor_image(editor_a, "image A"))
    verdict = ("**unusual**: it scores higher than 99% of real shapes" if result.unusual
               else "**looks like the training data**")
    text = (f"Negative ELBO {result.scores['bits_per_dim']:.2f} bits per dimension, higher than "
            f"{result.percentile['bits_per_dim']:.0f}% of held-out shapes; reconstruction error "
            f"{result.scores['recon_mse']:.4f} (higher than {result.percentile['recon_mse']:.0f}%). Verdict: {verdict}.")
    return anomaly_figure(result, score), text


# ---- real photos ---------------------------------------------------------------------------------


@shows_errors
def run_photos(photo_a, photo_b, model_id: str, side: int, frames: int, mode: str):  # noqa: ANN001
    from demos.vae import photos

    walk = photos.photo_interpolation(file_path(photo_a), file_path(photo_b), frames, mode, model_id, side)
    n = len(walk.t)
    labels = [f"latent t={t:.2f}" for t in walk.t] + [f"pixels t={t:.2f}" for t in walk.t]
    sheet = contact_sheet.sheet(np.concatenate([walk.latent, walk.fade]), labels, columns=n, scale=1)
    text = (f"Each photo became a latent of shape {' x '.join(map(str, walk.latent_shape))} "
            f"({int(np.prod(walk.latent_shape)):,} numbers for {3 * walk.latent.shape[1] ** 2:,} pixel values). "
            "Top: decoded along the latent path; bottom: the pixel cross-fade.")
    return png_file(sheet), text


# ---- layout ----------------------------------------------------------------------------------------


def _editor(label: str, elem_id: str) -> gr.ImageEditor:
    from shared.datasets import COLOURS

    return gr.ImageEditor(type="filepath", image_mode="RGB", sources=("upload", "clipboard"), label=label,
                          brush=gr.Brush(default_size=24, colors=[f"#{r:02x}{g:02x}{b:02x}" for r, g, b in COLOURS.values()],
                                         default_color="#dc2d2d"),
                          transforms=(), layers=False, canvas_size=(options.SHOWN_SIDE, options.SHOWN_SIDE), height=320,
                          elem_id=elem_id)


def build() -> gr.Blocks:
    from shared.datasets import LABEL_NAMES

    with gr.Blocks(title="VAE") as demo:
        header("VAE: an encoder to a distribution, a decoder back, a latent space you can walk",
               "Interpolate between two images in latent space and in pixels, map a 2-D latent space, slide one "
               "latent dimension at a time, sample from two priors, score how unusual an image is, and walk "
               "between real photos with Stable Diffusion's autoencoder.")
        explainer(HERE)

        gr.Markdown("## 1 · Interpolate: latent walk against pixel cross-fade\nImages A and B are used by every "
                    "section below. Take them from the data, upload your own, or draw on the canvas.")
        with gr.Row():
            with gr.Column(min_width=260):
                editor_a = _editor("Image A", "vae-image-a")
                with gr.Row(equal_height=True):
                    seed_a = gr.Number(options.DEFAULT_SEEDS[0], precision=0, label="Data image", scale=3)
                    pick_a = gr.Button("Use data image", scale=2)
                caption_a = gr.Markdown(elem_id="vae-caption-a")
            with gr.Column(min_width=260):
                editor_b = _editor("Image B", "vae-image-b")
                with gr.Row(equal_height=True):
                    seed_b = gr.Number(options.DEFAULT_SEEDS[1], precision=0, label="Data image", scale=3)
                    pick_b = gr.Button("Use data image", scale=2)
                caption_b = gr.Markdown(elem_id="vae-caption-b")
            with gr.Column(min_width=260):
                frames = gr.Slider(options.FRAMES.low, options.FRAMES.high, value=options.DEFAULT_FRAMES, step=1,
                                   label="Frames")
                mode = gr.Radio(list(options.INTERPOLATIONS), value="slerp", label="Interpolation",
                                info="slerp keeps the path at the norm Gaussian latents have; lerp cuts through the centre")
                fps = gr.Slider(options.FPS.low, options.FPS.high, value=6, step=1, label="Animation frames per second")
                beta = gr.Dropdown(list(options.BETA_MODELS), value=options.DEFAULT_BETA, label="Model (KL weight β)",
                                   info="used by every section but the latent map")
                interp_btn = gr.Button("Interpolate", variant="primary", elem_id="vae-main-action")
        interp_sheet = gr.Image(label="Top: latent walk · bottom: pixel cross-fade · under each frame, what the "
                                      "classifier reads", type="filepath", interactive=False, format="png",
                                elem_id="vae-interp-sheet")
        interp_text = gr.Markdown(elem_id="vae-interp-text")
        with gr.Row():
            latent_frame = gr.Image(label="Latent walk", type="filepath", interactive=False, height=260, width=260,
                                    elem_id="vae-latent-frame")
            fade_frame = gr.Image(label="Cross-fade", type="filepath", interactive=False, height=260, width=260,
                                  elem_id="vae-fade-frame")
            with gr.Column():
                frame_slider = gr.Slider(0, 1, value=0, step=1, label="Scrub the frames", interactive=False,
                                         elem_id="vae-frame-slider")
                frame_text = gr.Markdown(elem_id="vae-frame-text")
                gif = gr.Image(label="Animation (latent walk | cross-fade)", type="filepath", interactive=False,
                               height=150, elem_id="vae-gif")
                gif_file = gr.File(label="Download the animation (GIF)", elem_id="vae-gif-file")
        interp_cache = gr.State(None)
        interp_outputs = [interp_cache, interp_sheet, interp_text, gif, gif_file, frame_slider, latent_frame, fade_frame,
                          frame_text]

        pick_a.click(pick_data, seed_a, [editor_a, caption_a], api_name="vae_data_image", preprocess=False)
        pick_b.click(pick_data, seed_b, [editor_b, caption_b], api_visibility="private", preprocess=False)
        interp_btn.click(run_interpolation, [editor_a, editor_b, frames, mode, fps, beta], interp_outputs,
                         api_name="vae_interpolate", preprocess=False, **VAE_MODEL)
        frame_slider.change(scrub, [interp_cache, frame_slider], [latent_frame, fade_frame, frame_text],
                            api_visibility="private", queue=False, show_progress="hidden", trigger_mode="always_last")

        gr.Markdown("## 2 · The latent map\nA second VAE with only two latent dimensions, so its whole latent space "
                    "fits on the screen. Left: the plane decoded tile by tile; click it to decode that point. Right: "
                    "where the encoder puts held-out images; images A and B appear as their mean (★) with an "
                    "ellipse two standard deviations wide.")
        with gr.Row():
            plane = gr.Image(label="The decoded plane, z1 left to right, z2 bottom to top: click a point",
                             type="filepath", interactive=False, format="png", elem_id="vae-map-plane", scale=2)
            map_plot = gr.Plot(label="Encoded data", elem_id="vae-map-plot", scale=3)
            with gr.Column(scale=1, min_width=220):
                colour_by = gr.Radio(list(options.COLOUR_BY), value="shape", label="Colour the points by")
                map_btn = gr.Button("Place A and B on the map")
                point_img = gr.Image(label="The point you clicked", type="filepath", interactive=False, height=200,
                                     width=200, elem_id="vae-map-point")
                point_text = gr.Markdown("Click the decoded plane.", elem_id="vae-map-point-text")
        map_btn.click(show_map, [colour_by, editor_a, editor_b], [plane, map_plot], api_name="vae_map",
                      preprocess=False, **VAE_MODEL)
        colour_by.input(show_map, [colour_by, editor_a, editor_b], [plane, map_plot], api_visibility="private",
                        preprocess=False, **VAE_MODEL)
        plane.select(click_plane, None, [point_img, point_text], api_visibility="private", **VAE_MODEL)

        gr.Markdown("## 3 · One dimension at a time\nSixteen sliders, one per latent dimension of the chosen model. "
                    "Start from image A's code, then move one slider: which property of the image changes? The "
                    "picture sweeps every dimension from -3 to 3 (one row each); the table measures, with the "
                    "shapes classifier, which label each dimension changes.")
        sliders = []
        for row in range(2):  # two rows of eight
            with gr.Row():
                for i in range(8 * row, 8 * row + 8):
                    sliders.append(gr.Slider(options.LATENT_VALUE.low, options.LATENT_VALUE.high, value=0.0, step=0.05,
                                             label=f"z{i}", min_width=100))
        with gr.Row():
            from_a_btn = gr.Button("Start from image A")
            table_btn = gr.Button("Measure what each dimension moves")
        with gr.Row():
            with gr.Column(scale=1, min_width=240):
                dims_img = gr.Image(label="Decoded", type="filepath", interactive=False, height=256, width=256,
                                    elem_id="vae-dims-image")
                dims_text = gr.Markdown(elem_id="vae-dims-text")
            traversal_img = gr.Image(label="Each row: one dimension swept from -3 to 3", type="filepath",
                                     interactive=False, format="png", elem_id="vae-traversal", scale=3)
        dims_table = gr.Dataframe(headers=["dimension", "KL (nats)", *[f"{k} changes" for k in LABEL_NAMES],
                                           "moves most", "purity"], interactive=False, elem_id="vae-dims-table")
        dims_summary = gr.Markdown(elem_id="vae-dims-summary")
        from_a_btn.click(start_from_image, [editor_a, beta], [*sliders, dims_img, dims_text, traversal_img],
                         api_name="vae_start_from_image", preprocess=False, **VAE_MODEL)
        for s in sliders:
            s.release(decode_sliders, [beta, *sliders], [dims_img, dims_text], api_visibility="private",
                      trigger_mode="always_last", show_progress="hidden", preprocess=False, **VAE_MODEL)
        decode_btn = gr.Button("Decode", visible=False)  # the sliders' decode as a public endpoint
        decode_btn.click(decode_sliders, [beta, *sliders], [dims_img, dims_text], api_name="vae_decode_latent",
                         preprocess=False, **VAE_MODEL)
        table_btn.click(measure_dimensions, beta, [dims_table, dims_summary], api_name="vae_dimension_table",
                        preprocess=False, **VAE_MODEL)

        gr.Markdown("## 4 · Reconstruct and sample\nThe encoder turns image A into a Gaussian per dimension; the "
                    "decoder turns its mean back into an image. Samples decode latents drawn from a prior: the "
                    "standard normal the VAE was trained against, or a mixture of Gaussians fitted afterwards to "
                    "where the encoder actually puts the data.")
        with gr.Row():
            recon_in = gr.Image(label="Image A", type="filepath", interactive=False, height=200, width=200)
            recon_out = gr.Image(label="Reconstruction", type="filepath", interactive=False, height=200, width=200,
                                 elem_id="vae-recon")
            code_plot = gr.Plot(label="The code", elem_id="vae-code-plot")
        with gr.Row():
            recon_btn = gr.Button("Reconstruct image A")
            recon_text = gr.Markdown(elem_id="vae-recon-text")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                prior = gr.Radio([(v, k) for k, v in options.PRIORS.items()], value="fitted", label="Prior")
                temperature = gr.Slider(options.TEMPERATURE.low, options.TEMPERATURE.high, value=1.0, step=0.05,
                                        label="Temperature", info="scales the noise: lower = more typical, less varied")
                sample_seed = seed_control(0, label="Seed", elem_id="vae-sample-seed")
                n_samples = gr.Slider(options.SAMPLES.low, options.SAMPLES.high, value=options.DEFAULT_SAMPLES, step=1,
                                      label="Samples")
                sample_btn = gr.Button("Sample")
            with gr.Column(scale=3):
                samples_img = gr.Image(label="Samples, with what the classifier reads", type="filepath",
                                       interactive=False, format="png", elem_id="vae-samples")
                samples_text = gr.Markdown(elem_id="vae-samples-text")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                beta_btn = gr.Button("Compare the KL weights")
                gr.Markdown("Three VAEs that differ only in β. Per row: six reconstructions, then six samples from "
                            "N(0, I).")
            with gr.Column(scale=3):
                beta_img = gr.Image(label="β = 1, 6, 24 from top to bottom", type="filepath", interactive=False,
                                    format="png", elem_id="vae-beta-sheet")
                beta_table = gr.Markdown(elem_id="vae-beta-table")
        recon_btn.click(run_reconstruct, [editor_a, beta], [recon_in, recon_out, code_plot, recon_text],
                        api_name="vae_reconstruct", preprocess=False, **VAE_MODEL)
        sample_btn.click(run_sample, [prior, temperature, sample_seed, n_samples, beta], [samples_img, samples_text],
                         api_name="vae_sample", preprocess=False, **VAE_MODEL)
        beta_btn.click(run_beta_comparison, None, [beta_img, beta_table], api_name="vae_beta_comparison", **VAE_MODEL)

        gr.Markdown("## 5 · How unusual is an image?\nA VAE gives every image a score: how badly it reconstructs "
                    "it, and its negative ELBO (a bound on -log p(x)). Images unlike the training data score high. "
                    "Draw something that is not a shape as image A, or upload a photo, and score it.")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                score_kind = gr.Radio([(v, k) for k, v in options.SCORES.items()], value="bits_per_dim",
                                      label="Histogram of")
                anomaly_btn = gr.Button("Score image A")
                anomaly_text = gr.Markdown(elem_id="vae-anomaly-text")
            anomaly_plot = gr.Plot(label="Scores", elem_id="vae-anomaly-plot", scale=3)
        anomaly_btn.click(run_anomaly, [editor_a, score_kind], [anomaly_plot, anomaly_text], api_name="vae_anomaly",
                          preprocess=False, **VAE_MODEL)

        gr.Markdown("## 6 · Real photos through a pretrained autoencoder\nThe same walk between two photos with the "
                    "autoencoder of Stable Diffusion (or its tiny distilled twin, TAESD), downloaded from the "
                    "Hugging Face Hub the first time.")
        with gr.Row():
            photo_a = gr.Image(label="Photo A", type="filepath", sources=("upload", "clipboard"), height=220,
                               elem_id="vae-photo-a")
            photo_b = gr.Image(label="Photo B", type="filepath", sources=("upload", "clipboard"), height=220,
                               elem_id="vae-photo-b")
            with gr.Column(min_width=240):
                hub_model = gr.Dropdown(list(options.HUB_AUTOENCODERS), value=options.HUB_DEFAULT, label="Autoencoder")
                photo_side = gr.Slider(options.PHOTO_SIDE.low, options.PHOTO_SIDE.high, value=options.DEFAULT_PHOTO_SIDE,
                                       step=8, label="Photo size (pixels)")
                photo_btn = gr.Button("Interpolate the photos")
        photo_sheet = gr.Image(label="Top: latent walk · bottom: pixel cross-fade", type="filepath", interactive=False,
                               format="png", elem_id="vae-photo-sheet")
        photo_text = gr.Markdown(elem_id="vae-photo-text")
        photo_btn.click(run_photos, [photo_a, photo_b, hub_model, photo_side, frames, mode], [photo_sheet, photo_text],
                        api_name="vae_photo_interpolate", preprocess=False, **PHOTO_MODEL)

        fill_on_open(demo, first_view, [seed_a, seed_b, frames, mode, fps, beta],
                     [editor_a, caption_a, editor_b, caption_b, *interp_outputs])
        fill_on_open(demo, show_map, [colour_by], [plane, map_plot])
        fill_on_open(demo, run_sample, [prior, temperature, sample_seed, n_samples, beta], [samples_img, samples_text])
    return demo
