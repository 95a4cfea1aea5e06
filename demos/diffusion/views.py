"""Pictures of the diffusion tab: the forward process on real images, the noise schedules, and
the 2-D flow from noise to data. numpy and PIL in, images and plotly figures out; no UI code.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from demos.diffusion.options import TIMESTEP
from shared import datasets, limits
from shared.draw2d import HEIGHT, PAD, PANEL, SIDE_H, SIDE_W, TEXT, WIDTH, PointPanel, font, line_chart
from shared.memo import memoised

STRIP_TS = (0, 50, 100, 200, 300, 500, 700, 999)
N_IMAGES = 8


def forward_images(seed: int, t: int, schedule: str) -> tuple[np.ndarray, np.ndarray]:
    """Eight `shapes` images at step t of the forward process, and the first of them at every
    t in STRIP_TS; uint8 (8, 32, 32, 3) each. The noise is drawn from the seed too."""
    import torch

    from demos.diffusion.model import SCHEDULES, training_scheduler
    from demos.diffusion.process import add_noise
    from shared.metrics import tensor_to_images
    from shared.shapes_classifier import to_tensor

    seed = limits.SEED.check(seed)
    t = TIMESTEP.check(t)
    schedule = limits.check_choice("schedule", schedule, SCHEDULES)
    abar = training_scheduler(schedule).alphas_cumprod
    x0 = to_tensor(datasets.make_shapes(N_IMAGES, seed).images)
    noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed))
    at_t = add_noise(x0, torch.full((N_IMAGES,), t), noise, abar)
    strip = add_noise(x0[:1].expand(len(STRIP_TS), -1, -1, -1), torch.tensor(STRIP_TS), noise[:1].expand(len(STRIP_TS), -1, -1, -1), abar)
    return tensor_to_images(at_t), tensor_to_images(strip)


def data_picture(seed: int) -> np.ndarray:
    """A `shapes` image to inpaint, uint8 (32, 32, 3). No torch: the Gradio tab draws it at build."""
    return datasets.make_shapes(1, limits.SEED.check(seed)).images[0]


def labelled_row(images: np.ndarray, labels: list[str], scale: int = 4) -> np.ndarray:
    """Images side by side, each enlarged (pixels kept sharp) with a label under it, uint8 RGB."""
    tile, pad, label_h = 32 * scale, 6, 18
    sheet = Image.new("RGB", (len(images) * (tile + pad) + pad, tile + label_h + 2 * pad), "white")
    draw = ImageDraw.Draw(sheet)
    for i, (img, label) in enumerate(zip(images, labels)):
        x = pad + i * (tile + pad)
        sheet.paste(Image.fromarray(img.repeat(scale, 0).repeat(scale, 1)), (x, pad))
        draw.text((x + 2, pad + tile + 2), label, font=font(12), fill=TEXT)
    return np.asarray(sheet)


@memoised(maxsize=64)
def _forward_rows(seed: int, t: int, schedule: str) -> tuple[np.ndarray, np.ndarray]:
    at_t, strip = forward_images(seed, t, schedule)
    row = labelled_row(at_t, [f"t = {int(t)}"] * len(at_t), scale=3)
    across = labelled_row(strip, [f"t = {s}" for s in STRIP_TS], scale=3)
    row.setflags(write=False)
    across.setflags(write=False)
    return row, across


def forward_rows(seed: int, t: int, schedule: str) -> tuple[np.ndarray, np.ndarray]:
    """The forward process as two labelled pictures: eight images at step t, and the first one
    across STRIP_TS. No model: memoised, so an audience dragging to the same t is served from memory
    (read-only arrays)."""
    from demos.diffusion.model import SCHEDULES

    return _forward_rows(limits.SEED.check(seed), TIMESTEP.check(t), limits.check_choice("schedule", schedule, SCHEDULES))


def schedule_figure(t: int):  # noqa: ANN201 (plotly Figure)
    """beta_t, abar_t and log10 SNR_t for the linear and cosine schedules, with a line at t.
    Memoised: the figure is shared, read it only."""
    return _schedule_figure(TIMESTEP.check(t))


@memoised(maxsize=64)
def _schedule_figure(t: int):  # noqa: ANN202
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from demos.diffusion.process import schedule_curves

    fig = make_subplots(rows=1, cols=3, subplot_titles=("β_t: noise added at step t", "ᾱ_t: signal variance left",
                                                        "log₁₀ SNR_t = log₁₀ ᾱ_t / (1 − ᾱ_t)"))
    for schedule, label, colour in (("linear", "linear", "#d97706"), ("squaredcos_cap_v2", "cosine", "#4f46e5")):
        c = schedule_curves(schedule)
        for col, key in enumerate(("beta", "alpha_bar", "log10_snr"), start=1):
            fig.add_trace(go.Scatter(x=c["t"], y=c[key], name=label, line={"color": colour}, legendgroup=label,
                                     showlegend=col == 1), row=1, col=col)
    for col in (1, 2, 3):
        fig.add_vline(x=t, line={"dash": "dot", "color": "#888"}, row=1, col=col)
    fig.update_layout(height=280, margin={"l": 40, "r": 10, "t": 40, "b": 30}, template="plotly_white",
                      legend={"orientation": "h", "y": -0.15})
    fig.update_xaxes(title_text="t")
    return fig


# ---- image sampling ------------------------------------------------------------------------

PANEL_PX = 240  # each of the three grids is about this wide
COLUMN_TITLES = ("x_t: what the network sees", "x̂₀: its guess of the clean image", "ε̂: the noise it predicts")


def _grid(images: np.ndarray, width_px: int = PANEL_PX) -> Image.Image:
    n, side = len(images), images.shape[1]
    columns = int(np.ceil(np.sqrt(n)))
    scale = max(1, width_px // (columns * (side + 2)))
    return Image.fromarray(datasets.image_grid(images, columns=columns, pad=2, scale=scale))


def step_panel(x_t: np.ndarray, x0_hat: np.ndarray, eps: np.ndarray, caption: str,
               known: np.ndarray | None = None, width_px: int = PANEL_PX) -> np.ndarray:
    """One denoising step: grids of x_t, x0-hat and the predicted noise, uint8 (n, h, w, 3) each,
    side by side under a caption; with `known` (inpainting), the masked input first."""
    tiles = [_grid(x_t, width_px), _grid(x0_hat, width_px), _grid(eps, width_px)]
    titles = list(COLUMN_TITLES)
    if known is not None:
        tiles.insert(0, _grid(known[None], width_px))
        titles.insert(0, "input: grey is to be filled")
    pad, top = 10, 46
    width = pad + sum(t.width + pad for t in tiles)
    height = top + max(t.height for t in tiles) + pad
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((pad, 6), caption, font=font(15), fill=TEXT)
    x = pad
    for tile, title in zip(tiles, titles):
        draw.text((x, 28), title, font=font(12), fill=TEXT)
        sheet.paste(tile, (x, top))
        x += tile.width + pad
    return np.asarray(sheet)


def compare_sheet(results: list) -> np.ndarray:
    """One row per sampler run: its samples, with the sampler, steps, time and quality on the left."""
    label_w, pad = 190, 10
    rows = [Image.fromarray(datasets.image_grid(r.images, columns=len(r.images), pad=2, scale=2)) for r in results]
    width = label_w + max(row.width for row in rows) + 2 * pad
    height = pad + sum(row.height + pad for row in rows)
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    y = pad
    for r, row in zip(results, rows):
        quality = f"{r.valid:.0%} valid shapes" if r.valid is not None else ""
        draw.text((pad, y + 2), f"{r.sampler}, {r.steps} steps", font=font(14), fill=TEXT)
        draw.text((pad, y + 22), f"{r.seconds:.2f} s", font=font(13), fill=TEXT)
        draw.text((pad, y + 40), quality, font=font(13), fill=TEXT)
        sheet.paste(row, (label_w, y))
        y += row.height + pad
    return np.asarray(sheet)


NO_QUALITY_NOTE = "No quality column: the shapes judge only knows the bundled model's shapes."


def compare_rows(results: list) -> list[dict[str, str]]:
    """The comparison table, one row per sampler run: sampler, steps, time, per step, valid shapes."""
    return [{"sampler": r.sampler, "steps": str(r.steps), "time": f"{r.seconds:.2f} s",
             "per step": f"{1000 * r.seconds / r.steps:.0f} ms",
             "valid shapes": "" if r.valid is None else f"{r.valid:.0%}"} for r in results]


def compare_markdown(results: list, judged: bool) -> str:
    """The comparison table in markdown, with a note when the judge cannot score the model."""
    rows = compare_rows(results)
    columns = list(rows[0]) if rows else ["sampler", "steps", "time", "per step", "valid shapes"]
    table = "\n".join(["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
                      + ["| " + " | ".join(row[c] for c in columns) + " |" for row in rows])
    return table if judged else f"{table}\n\n*{NO_QUALITY_NOTE}*"


def compare_figure(results: list):  # noqa: ANN201 (sampling.SamplerResult -> plotly Figure)
    """Time against quality (or against steps, for a model the judge cannot score), one point a run."""
    import plotly.graph_objects as go

    judged = all(r.valid is not None for r in results)
    y = [100 * r.valid for r in results] if judged else [r.steps for r in results]
    fig = go.Figure(go.Scatter(
        x=[r.seconds for r in results], y=y, mode="markers+text", marker={"size": 14, "color": "#4f46e5"},
        text=[f"{r.sampler} {r.steps}" for r in results],
        textposition=["top center" if i % 2 == 0 else "bottom center" for i in range(len(results))],
        hovertemplate="%{text}: %{x:.2f} s<extra></extra>"))
    fig.update_layout(height=300, margin={"l": 50, "r": 20, "t": 40, "b": 40}, template="plotly_white",
                      title={"text": "The trade: compute against quality", "font": {"size": 14}},
                      xaxis_title="seconds on this machine", xaxis_rangemode="tozero",
                      yaxis_title="valid shapes (%)" if judged else "denoising steps")
    if judged:
        fig.update_yaxes(range=[-5, 110])
    return fig


# ---- 2-D flow -------------------------------------------------------------------------------

DATA = (22, 120, 60)
POINTS = (79, 70, 229)
TRAIL = (190, 190, 235)
FIELD = (217, 119, 6)
LOSS = (200, 90, 20)
_PANEL = PointPanel(origin=(PAD, PAD), size=PANEL, view_range=3.0)
TRAILS = 120  # points whose paths are drawn
TRAIL_STEPS = 12


def flow_view(real: np.ndarray, points: np.ndarray | None, trail: np.ndarray | None, field: tuple | None,
              losses: list[float], caption: str, train_step: int) -> np.ndarray:
    """The 2-D view: real data (green), current points (blue) with their recent paths, the denoising
    field (orange arrows), and the training loss. trail: (k, n, 2) recent positions, oldest first."""
    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(img)
    _PANEL.dots(draw, real, DATA, 1.6)
    if field is not None:
        grid, direction = field
        _PANEL.arrows(draw, grid, direction, FIELD, longest_px=22)
    if trail is not None and len(trail) > 1:
        for i in range(min(TRAILS, trail.shape[1])):
            draw.line([tuple(p) for p in _PANEL.to_px(np.clip(trail[:, i], -3, 3))], fill=TRAIL, width=1)
    if points is not None:
        _PANEL.dots(draw, points, POINTS, 2.0)
    _PANEL.frame(draw)
    draw.text((PAD + 6, PAD + 4), caption, font=font(14), fill=TEXT)
    legend = [("data", DATA), ("points", POINTS), ("→ where the model moves them", FIELD)]
    x = PAD + 6
    for label, colour in legend:
        draw.text((x, PAD + PANEL - 20), label, font=font(12), fill=colour)
        x += 8 + draw.textlength(label, font=font(12))
    chart = line_chart(f"Training loss (step {train_step:,})", [("noise prediction", losses, LOSS)],
                       (SIDE_W, SIDE_H), empty_text="Press Train and sample.")
    img.paste(chart, (PAD * 2 + PANEL, PAD))
    note = ("The loss falls fast, then flattens:\nthe noise in a point can't be fully\npredicted, only on "
            "average. What\nmatters is the flow on the left.")
    draw.text((PAD * 2 + PANEL + 8, PAD + SIDE_H + 20), note, font=font(13), fill=TEXT)
    return np.asarray(img)
