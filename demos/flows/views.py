"""Pictures of the flows demo: the live 2-D view (the learned density as a heatmap, samples against
the data, the loss, and every layer's warp in both directions). numpy and PIL in, images out; no UI code.
"""

from __future__ import annotations

import colorsys

import numpy as np
from PIL import Image, ImageDraw

from demos.flows import wording as words
from demos.flows.options import IMAGE_FLOW, VIEW_RANGE
from shared import live, watermark
from shared.draw2d import PAD, TEXT, PointPanel, font, line_chart
from shared.memo import memoised

WIDTH = 1180
TOP = 380  # the heatmap and the samples panel are TOP x TOP, the loss chart beside them
CHART_W = WIDTH - 4 * PAD - 2 * TOP
LAYER_RANGE = 3.5  # the layer panels show [-3.5, 3.5]^2: the noise side is a Gaussian's tails
STRIP_TITLE_H = 22
DATA_GREY = (175, 175, 185)
SAMPLE = (110, 40, 160)
LOSS = (200, 90, 20)
GRID = (200, 200, 210)  # the noise grid's lines, carried through the layers
# the heatmap's colours, from low to high log-density (a dark-to-light ramp, like viridis)
_RAMP = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], dtype=np.float32)
LOG_P_FLOOR = 8.0  # the heatmap spans [max - 8, max] nats: below that, the darkest colour


def heat_colours(log_p: np.ndarray) -> np.ndarray:
    """(H, W) log-densities -> (H, W, 3) uint8 on the ramp; non-finite values drawn black."""
    finite = np.isfinite(log_p)
    top = float(log_p[finite].max()) if finite.any() else 0.0
    t = np.clip((np.where(finite, log_p, -np.inf) - (top - LOG_P_FLOOR)) / LOG_P_FLOOR, 0, 1) * (len(_RAMP) - 1)
    low = np.minimum(np.floor(t).astype(int), len(_RAMP) - 2)
    frac = (t - low)[..., None]
    rgb = _RAMP[low] * (1 - frac) + _RAMP[low + 1] * frac
    rgb[~finite] = 0
    return rgb.astype(np.uint8)


def angle_colours(points: np.ndarray) -> np.ndarray:
    """A colour per point from its angle around the origin (and lighter near it): points can be
    followed from panel to panel. (n, 2) -> (n, 3) uint8."""
    hue = (np.arctan2(points[:, 1], points[:, 0]) / (2 * np.pi)) % 1.0
    light = np.clip(np.linalg.norm(points, axis=1) / 2.5, 0, 1)
    return np.array([colorsys.hsv_to_rgb(h, 0.35 + 0.6 * v, 0.95 - 0.25 * v) for h, v in zip(hue, light)]) * 255


def splat(canvas: np.ndarray, panel: PointPanel, points: np.ndarray, colours: np.ndarray | tuple, r: int = 1) -> None:
    """Points drawn as (2r + 1)^2-pixel squares straight into the canvas (fast: no shape per point);
    points outside the panel's view are left out."""
    inside = np.all(np.abs(points) <= panel.view_range, axis=1) & np.isfinite(points).all(1)
    px = np.rint(panel.to_px(points[inside])).astype(int)
    col = np.broadcast_to(np.asarray(colours, dtype=np.uint8), (len(points), 3))[inside]
    h, w = canvas.shape[:2]
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            y, x = np.clip(px[:, 1] + dy, 0, h - 1), np.clip(px[:, 0] + dx, 0, w - 1)
            canvas[y, x] = col


def _lines(draw: ImageDraw.ImageDraw, panel: PointPanel, lines: np.ndarray, colour: tuple[int, int, int]) -> None:
    lim = panel.view_range
    for line in lines:
        keep = np.isfinite(line).all(1)
        pts = panel.to_px(np.clip(line[keep], -lim, lim))
        if len(pts) > 1:
            draw.line(list(map(tuple, pts.tolist())), fill=colour, width=1)


def _strip(canvas: np.ndarray, top: int, title: str, steps: list[np.ndarray], colours: np.ndarray,
           grids: list[np.ndarray] | None, names: list[str]) -> None:
    """One row of small panels: the points (and grid lines) after each layer."""
    n = len(steps)
    side = min(180, (WIDTH - PAD) // n - PAD)
    left = (WIDTH - n * (side + PAD) + PAD) // 2  # the row centred
    img = Image.fromarray(canvas)
    draw = ImageDraw.Draw(img)
    draw.text((left, top), title, font=font(14), fill=TEXT)
    panels = [PointPanel((left + i * (side + PAD), top + STRIP_TITLE_H), side, LAYER_RANGE) for i in range(n)]
    for i, panel in enumerate(panels):
        panel.frame(draw)
        if grids is not None:
            _lines(draw, panel, grids[i], GRID)
        draw.text((panel.origin[0] + 4, panel.origin[1] + side + 2), names[i], font=font(11), fill=TEXT)
    canvas[:] = np.asarray(img)
    for panel, points in zip(panels, steps):
        splat(canvas, panel, points, colours, r=1 if side >= 140 else 0)


def strip_height(n_panels: int) -> int:
    side = min(180, (WIDTH - PAD) // n_panels - PAD)
    return STRIP_TITLE_H + side + 18


def flow_picture(snap) -> np.ndarray:  # noqa: ANN001 (live.FlowSnapshot)
    """The whole live view of a snapshot, uint8 RGB."""
    n = len(snap.to_noise)
    height = PAD + TOP + PAD + 2 * (strip_height(n) + PAD)
    canvas = np.full((height, WIDTH, 3), 255, dtype=np.uint8)
    # the learned density, with the data over it
    heat = Image.fromarray(heat_colours(snap.log_density)).resize((TOP, TOP), Image.Resampling.BILINEAR)
    canvas[PAD:PAD + TOP, PAD:PAD + TOP] = np.asarray(heat)
    samples = PointPanel((2 * PAD + TOP, PAD), TOP, VIEW_RANGE)
    splat(canvas, samples, snap.to_noise[0], DATA_GREY, r=1)
    splat(canvas, samples, snap.samples, SAMPLE, r=1)
    img = Image.fromarray(canvas)
    draw = ImageDraw.Draw(img)
    samples.frame(draw)
    draw.text((PAD + 6, PAD + 4), "log p(x), exact", font=font(13), fill=(255, 255, 255))
    draw.text((2 * PAD + TOP + 6, PAD + 4), "samples (purple) and data (grey)", font=font(13), fill=TEXT)
    chart = line_chart(f"−log p, held out {snap.test_nll:.3f}", [("batch", snap.train_nll, LOSS)], (CHART_W, TOP),
                       empty_text="Press Start to train.")
    img.paste(chart, (3 * PAD + 2 * TOP, PAD))
    canvas = np.asarray(img).copy()
    layer_names = ["noise"] + [f"undo layer {i}" for i in range(n - 1, 0, -1)]
    layer_names[-1] = layer_names[-1] + " = data"
    top = 2 * PAD + TOP
    _strip(canvas, top, words.NOISE_TO_DATA, snap.to_data_samples, angle_colours(snap.to_data_samples[0]),
           snap.to_data_grid, layer_names)
    top += strip_height(n) + PAD
    names = ["data"] + [f"after layer {i}" for i in range(1, n)]
    names[-1] = names[-1] + " = noise"
    _strip(canvas, top, words.DATA_TO_NOISE, snap.to_noise, angle_colours(snap.to_noise[0]), None, names)
    return canvas


def live_view(run, speed: float | None = None, snap=None) -> tuple[np.ndarray, str]:  # noqa: ANN001
    """(picture, status markdown) of a live run (its current snapshot unless one is given)."""
    snap = run.snapshot() if snap is None else snap
    if not snap.train_nll:
        return flow_picture(snap), words.READY
    status = live.status_line(snap.step, f"training −log p {np.mean(snap.train_nll[-50:]):.3f}",
                              f"held-out −log p {snap.test_nll:.3f} nats per point", speed=speed,
                              finished=run.full)
    return flow_picture(snap), status


# ---- the image flow on shapes (demos/flows/images.py) ---------------------------------------------

TILE_SCALE = 3  # 32x32 images drawn at 96x96
MARK = (220, 40, 40)
BARS = (120, 120, 200)


def image_strip(images: np.ndarray, columns: int = 8, scale: int = TILE_SCALE) -> np.ndarray:
    """uint8 (n, 32, 32, 3) in rows of `columns`, each tile `scale`x (nearest neighbour)."""
    from shared.datasets import image_grid

    return image_grid(images, columns=columns, pad=4, scale=scale)


def samples_png(n: object, temperature: object, seed: object, shape: object, colour: object, told: object) -> bytes:
    """The tab's samples picture (samples_strip of images.samples(...)) as PNG bytes, every value checked;
    memoised, so thirty identical presses draw and encode it once. Watermarked when the server marks."""
    from demos.flows import options
    from shared import limits

    n, seed = options.IMAGE_SAMPLES.check(n), limits.SEED.check(seed)
    temperature = options.IMAGE_TEMPERATURE.check(temperature)
    shape = limits.check_choice("shape", shape, options.SHAPE_CHOICES)
    colour = limits.check_choice("colour", colour, options.COLOUR_CHOICES)
    if not limits.check_bool("told", told):  # the same picture whatever the unused settings say
        shape, colour = options.ANY, options.ANY
    return watermark.shown_png(_samples_png(n, temperature, seed, shape, colour, told), IMAGE_FLOW, seed)


@memoised(32)
def _samples_png(n: int, temperature: float, seed: int, shape: str, colour: str, told: bool) -> bytes:
    from demos.flows import images
    from shared.image_files import png_bytes

    drawn = images.samples(n, temperature, seed, shape, colour, told)
    labels = images.sample_labels(n, seed, shape, colour, told)
    return png_bytes(_strip_of(drawn, labels))


def _strip_of(drawn: np.ndarray, labels: np.ndarray | None) -> np.ndarray:
    from shared.contact_sheet import sheet
    from shared.told import captions

    return image_strip(drawn) if labels is None else sheet(drawn, captions(labels), columns=8, scale=4)


def samples_strip(drawn: np.ndarray, seed: int, labels: np.ndarray | None = None) -> np.ndarray:
    """The image flow's samples (images.samples(n, temperature, seed, ...)) in a strip, each captioned
    with what it was told (labels, (n, 4); None: nothing told): the generator's result, watermarked
    with the model and the seed when the server marks its samples (shared/watermark.py)."""
    return watermark.shown(_strip_of(drawn, labels), IMAGE_FLOW, seed)


def bits_picture(scored, width: int = 760, height: int = 200) -> np.ndarray:  # noqa: ANN001 (images.Scored)
    """The measured image, and where its bits per dimension fall among the held-out shapes' (a histogram)."""
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    side = height - 2 * PAD
    canvas.paste(Image.fromarray(scored.image).resize((side, side), Image.NEAREST), (PAD, PAD))
    left, right, top, bottom = 2 * PAD + side + 10, width - PAD, PAD + 20, height - PAD - 18
    held = scored.held_out
    high = max(float(np.quantile(held, 0.995)) * 1.15, scored.bits * 1.08)
    counts, edges = np.histogram(np.clip(held, 0, high), bins=48, range=(0, high))

    def x_of(v: float) -> float:
        return left + (right - left) * min(v, high) / high

    peak = counts.max() or 1
    for c, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
        if c:
            draw.rectangle([x_of(a), bottom - (bottom - top) * c / peak, x_of(b) - 1, bottom], fill=BARS)
    draw.line([left, bottom, right, bottom], fill=TEXT)
    small = font(12)
    for v in np.linspace(0, high, 5):
        draw.text((x_of(v), bottom + 3), f"{v:.2f}", fill=TEXT, font=small, anchor="mt")
    draw.line([x_of(scored.bits), top - 6, x_of(scored.bits), bottom], fill=MARK, width=3)
    draw.text((left, PAD), words.BITS_AXIS, fill=TEXT, font=small)
    return np.asarray(canvas)


def surprise_picture(rows) -> np.ndarray:  # noqa: ANN001 (a sequence of images.KindRow)
    """Each kind of image's first example, its name and its mean bits per dimension beneath."""
    tile, label_h = 32 * TILE_SCALE, 38
    width = PAD + len(rows) * (tile + PAD)
    canvas = Image.new("RGB", (width, PAD + tile + label_h), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    small = font(12)
    for k, row in enumerate(rows):
        x = PAD + k * (tile + PAD)
        canvas.paste(Image.fromarray(row.example).resize((tile, tile), Image.NEAREST), (x, PAD))
        draw.text((x + tile // 2, PAD + tile + 4), row.kind, fill=TEXT, font=small, anchor="mt")
        draw.text((x + tile // 2, PAD + tile + 20), f"{words.bits_text(row.median_bits)} bits", fill=TEXT, font=small, anchor="mt")
    return np.asarray(canvas)
