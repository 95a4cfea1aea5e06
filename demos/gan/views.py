"""What the GAN demo shows, for either UI, as plain values (numpy images, PNG/GIF bytes, plotly
figures, text); no UI code. Three halves: the walk, the live 2-D run and, at the end, the
conditional GAN's grid, walk between classes and colour shares.

The walk half, built from explore.py's results: the sample grid as one picture, a walk's
filmstrip, animation and p(real) figure, a frame and its caption, the latent-arithmetic sentence,
and waypoints added from grid tiles.

    media = walk_media("0, 6, 8, 15", 37, "slerp", 1.0, 12)   # validated, memoised, read-only
    picture, caption = walk_frame(media, 20)                  # scrubbing: no model call

The live 2-D run (live.py), one snapshot as a single image, fast enough to stream several times a
second:

    image = render_snapshot(trainer.snapshot(), dataset="ring8")   # uint8 (H, W, 3)

Left: the discriminator's decision surface (green = "real", pink = "fake"), real points, generated
points and the arrows of the generator's gradient on them. Right: both losses over the steps, and
for the ring of 8 Gaussians how many generated points sit on each mode. PIL, not plotly: a
plotly figure re-sent five times a second would cost the browser more than the training.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageDraw

from demos.gan import wording as words
from demos.gan.options import (
    ANY,
    ATTRIBUTE_PAIRS,
    ATTRIBUTES,
    FPS,
    GRID,
    GRID_COLUMNS,
    GRID_SAMPLES,
    GRID_SCALE,
    TRUNCATION_TILES,
    VIEW_RANGE,
    WAYPOINTS,
    ZOOM,
)
from shared import contact_sheet, limits, watermark
from shared.datasets import RING8_STD, ring8_centres
from shared.draw2d import HEIGHT, PAD, PANEL, SIDE_H, SIDE_W, TEXT, WIDTH, PointPanel, font, line_chart
from shared.image_files import png_bytes
from shared.live import status_line
from shared.memo import memoised

if TYPE_CHECKING:  # live.py imports torch; a view needs only the snapshot's arrays
    from demos.gan.live import ToyGAN, ToySnapshot


def zoom(image: np.ndarray, k: int = ZOOM) -> np.ndarray:
    """(h, w, 3) -> (k h, k w, 3), pixels kept sharp."""
    return image.repeat(k, 0).repeat(k, 1)


# ---- the grid --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridPicture:
    png: bytes  # every tile with its seed under it, one picture (one file to fetch, not sixteen)
    seeds: list[int]  # tile i's seed: typing it as a waypoint gives the same image
    notice: str | None


def grid_picture(seed: int, psi: float) -> GridPicture:
    """The grid of GRID_SAMPLES samples from seed, seed + 1, ..., truncated by psi (watermarked when
    the server marks its samples: shared/watermark.py; the grid is wider and taller than MIN_SIDE
    already, so a tile's pixels stay where tile_seed looks)."""
    from demos.gan import explore
    from demos.gan.model import BUNDLED_NAME

    grid = explore.sample_grid(seed, GRID_SAMPLES, psi)  # validates; memoised
    png = watermark.shown_png(_grid_png(grid.seeds[0], float(psi)), BUNDLED_NAME, grid.seeds[0])
    return GridPicture(png, grid.seeds, grid.notice)


@memoised(maxsize=64)
def _grid_png(seed: int, psi: float) -> bytes:
    """The grid drawn and encoded once for everyone who asks for it (inputs already validated)."""
    from demos.gan import explore

    grid = explore.sample_grid(seed, GRID_SAMPLES, psi)
    labels = [f"seed {s}" for s in grid.seeds]
    return png_bytes(contact_sheet.sheet(grid.rendered.images, labels, GRID_COLUMNS, GRID_SCALE))


def tile_seed(first_seed: int | None, x: float, y: float) -> int | None:
    """The seed of the grid tile under pixel (x, y) of the grid picture, or None (a gap, a label)."""
    if first_seed is None:
        return None
    tile = contact_sheet.tile_at(x, y, GRID_SAMPLES, GRID_COLUMNS, GRID_SCALE)
    return None if tile is None else first_seed + tile


def add_waypoint(text: str | None, seed: int) -> str:
    """The waypoint list with `seed` appended, keeping the last WAYPOINTS.high of them."""
    seeds = [s for s in (text or "").replace(",", " ").split() if s] + [str(int(seed))]
    return ", ".join(seeds[-WAYPOINTS.high:])


# ---- a walk ----------------------------------------------------------------------------------


def p_real_figure(p_real: np.ndarray, waypoint_frames: list[float], seeds: list[int]) -> Any:
    """p(real) of every frame, a dotted line at each waypoint (a plotly Figure). Built from one
    dict: plotly's add_vline validates as it goes and cost three times as long (20 ms against 6 ms)."""
    import plotly.graph_objects as go

    lines = [{"type": "line", "x0": at, "x1": at, "y0": 0, "y1": 1, "xref": "x", "yref": "paper",
              "line": {"dash": "dot", "color": "#999"}} for at in waypoint_frames]
    notes = [{"x": at, "y": 1, "xref": "x", "yref": "paper", "text": f"seed {s}", "showarrow": False,
              "xanchor": "left", "yanchor": "bottom"} for at, s in zip(waypoint_frames, seeds)]
    return go.Figure({
        "data": [{"type": "scatter", "y": [float(p) for p in p_real], "mode": "lines+markers", "marker": {"size": 4},
                  "line": {"color": "#6b46c1"}, "hovertemplate": "frame %{x}: p(real) %{y:.2f}<extra></extra>"}],
        "layout": {"height": 230, "margin": {"l": 40, "r": 10, "t": 30, "b": 30}, "yaxis": {"range": [0, 1]},
                   "title": {"text": "Discriminator: probability each frame is real", "font": {"size": 13}},
                   "xaxis": {"title": {"text": "frame"}}, "template": "plotly_white", "shapes": lines, "annotations": notes},
    })


@dataclass(frozen=True)
class WalkMedia:
    """Everything a walk shows. Shared by every caller with the same inputs: read-only."""

    images: np.ndarray  # uint8 (F, 32, 32, 3): every frame, for the scrub slider
    p_real: np.ndarray  # (F,)
    filmstrip_png: bytes  # every frame with its p(real)
    gif: bytes  # the walk as an animation
    first_png: bytes  # frame 0, zoomed
    figure: Any  # plotly Figure: p(real) along the walk
    notice: str | None

    @property
    def last(self) -> int:
        return len(self.images) - 1


def walk_media(seeds_text: str, frames: int, mode: str, psi: float, fps: int) -> WalkMedia:
    """The walk through the typed waypoint seeds, drawn and encoded. Every value is checked."""
    from demos.gan import explore

    fps = FPS.check(fps)
    walk = explore.walk_seeds(seeds_text, frames, mode, psi)  # validates; memoised
    return _walk_media(tuple(walk.seeds), len(walk.rendered.images), mode, float(psi), fps)


@memoised(maxsize=32)
def _walk_media(seeds: tuple[int, ...], frames: int, mode: str, psi: float, fps: int) -> WalkMedia:
    """The same default walk is drawn and encoded once for everyone."""
    from demos.gan import explore, latent
    from shared.animation import to_gif

    walk = explore.walk_seeds(" ".join(map(str, seeds)), frames, mode, psi)  # memoised
    r = walk.rendered
    return WalkMedia(r.images, r.p_real, png_bytes(latent.filmstrip(r)), to_gif(r.images, fps, scale=4),
                     png_bytes(zoom(r.images[0])), p_real_figure(r.p_real, walk.waypoint_frames, walk.seeds),
                     walk.notice)


def frame_caption(p_real: np.ndarray, i: int) -> str:
    return f"Frame {i} of {len(p_real) - 1}: p(real) = {float(p_real[i]):.2f}"


def walk_frame(images: np.ndarray, p_real: np.ndarray, frame: object) -> tuple[np.ndarray, str]:
    """Frame `frame` of a computed walk, zoomed, and its caption: no model call, so a scrub
    slider keeps up with the hand."""
    i = int(limits.IntRange("frame", 0, len(images) - 1).check(frame))
    return zoom(images[i]), frame_caption(p_real, i)


# ---- latent arithmetic -----------------------------------------------------------------------


def attribute_pair(attribute: str) -> tuple[tuple[str, ...], tuple[str, str]]:
    """The values an attribute can take, and the (From, To) pair its widgets start at."""
    attribute = limits.check_choice("attribute", attribute, ATTRIBUTES)
    return ATTRIBUTES[attribute], ATTRIBUTE_PAIRS[attribute]


@dataclass(frozen=True)
class ArithmeticView:
    strip: np.ndarray  # from the sample (left) to the moved sample (right), uint8 RGB
    moved: np.ndarray  # the moved sample, zoomed
    text: str  # what the direction is, and what the classifier reads in the result (markdown)
    notice: str | None


def arithmetic_view(seed: int, attribute: str, source: str, target: str, amount: float, psi: float) -> ArithmeticView:
    """Latent arithmetic (explore.move_along), as the strip, the moved sample and its sentence."""
    from demos.gan import explore, latent

    move = explore.move_along(seed, attribute, source, target, amount, psi)
    strip = latent.filmstrip(move.rendered, columns=len(move.amounts))
    text = (f"Direction = mean latent of {move.counts[1]} samples the classifier reads as **{target}** minus that "
            f"of {move.counts[0]} read as **{source}**. Moved by {float(amount):+.1f}, the classifier reads the "
            f"sample's {attribute} as **{move.verdict}**.")
    return ArithmeticView(strip, zoom(move.rendered.images[-1]), text, move.notice)


# ---- the live 2-D run --------------------------------------------------------------------------

REAL = (22, 120, 60)
FAKE = (128, 40, 170)
ARROW = (90, 20, 120)
LOSS_D = (200, 90, 20)
LOSS_G = (60, 90, 200)

# decision-surface colours at realness 0 (fake), 0.5 and 1 (real)
_SURFACE_STOPS = np.array([[240, 170, 210], [250, 250, 250], [160, 220, 172]], dtype=np.float32)


_PANEL = PointPanel(origin=(PAD, PAD), size=PANEL, view_range=VIEW_RANGE)
_font = font


def surface_image(surface: np.ndarray) -> Image.Image:
    """(GRID, GRID) realness in [0, 1], row 0 at the top -> a PANEL x PANEL colour image."""
    s = np.clip(surface, 0, 1)[..., None] * 2  # 0..2 along the colour stops
    low = np.clip(np.floor(s), 0, 1).astype(int)
    frac = s - low
    rgb = _SURFACE_STOPS[low[..., 0]] * (1 - frac) + _SURFACE_STOPS[low[..., 0] + 1] * frac
    return Image.fromarray(rgb.astype(np.uint8)).resize((PANEL, PANEL), Image.Resampling.BILINEAR)


def _loss_chart(snap: ToySnapshot) -> Image.Image:
    return line_chart("Losses", [("discriminator", snap.loss_d, LOSS_D), ("generator", snap.loss_g, LOSS_G)],
                      (SIDE_W, SIDE_H), empty_text="Press Start or Step to train.")


def _mode_chart(snap: ToySnapshot) -> Image.Image:
    img = Image.new("RGB", (SIDE_W, SIDE_H), "white")
    draw = ImageDraw.Draw(img)
    if snap.mode_counts is None:
        draw.text((8, 4), "Mode coverage", font=_font(15), fill=TEXT)
        draw.text((8, 40), "Counted on the ring of 8 Gaussians,\nwhose modes are separate and easy to count.\n"
                  "Pick that data set to see it.", font=_font(13), fill=TEXT)
        return img
    n = len(snap.fake)
    draw.text((8, 4), f"Mode coverage: {snap.modes_covered} of 8 modes", font=_font(15), fill=TEXT)
    draw.text((8, 24), f"{snap.in_modes:.0%} of generated points lie within 3σ of a mode", font=_font(12), fill=TEXT)
    left, top, bottom = 30, 48, SIDE_H - 22
    width = (SIDE_W - left - 12) / 8
    share = snap.mode_counts / n
    top_share = max(0.2, 1.15 * float(share.max()))
    threshold_y = bottom - 0.02 / top_share * (bottom - top)
    for i, s in enumerate(share):
        x0 = left + i * width + 6
        y = bottom - s / top_share * (bottom - top)
        covered = s >= 0.02
        draw.rectangle((x0, y, x0 + width - 12, bottom), fill=REAL if covered else (200, 200, 200))
        draw.text((x0 + 2, bottom + 4), f"{i + 1}", font=_font(11), fill=TEXT)
        draw.text((x0, max(top, y - 14)), f"{s:.0%}", font=_font(11), fill=TEXT)
    draw.line((left, threshold_y, SIDE_W - 10, threshold_y), fill=(200, 60, 60), width=1)
    draw.text((SIDE_W - 100, top - 18), "— 2% = covered", font=_font(11), fill=(200, 60, 60))
    draw.text((left - 26, bottom - 6), "0%", font=_font(11), fill=TEXT)
    return img


def render_snapshot(snap: ToySnapshot, dataset: str) -> np.ndarray:
    """The whole view, uint8 (HEIGHT, WIDTH, 3)."""
    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    img.paste(surface_image(snap.surface), (PAD, PAD))
    draw = ImageDraw.Draw(img)
    if dataset == "ring8":  # each mode's 3-sigma circle: where "covered" is counted
        r = 3 * RING8_STD * PANEL / (2 * VIEW_RANGE)
        for x, y in _PANEL.to_px(ring8_centres()):
            draw.ellipse((x - r, y - r, x + r, y + r), outline=(120, 120, 120))
    _PANEL.dots(draw, snap.real, REAL, 2.0)
    _PANEL.dots(draw, snap.fake, FAKE, 2.2)
    _PANEL.arrows(draw, snap.arrow_from, snap.arrow_dir, ARROW)
    _PANEL.frame(draw)
    draw.text((PAD + 6, PAD + 4), f"step {snap.step:,}", font=_font(14), fill=TEXT)
    outside = int((np.abs(snap.fake) > VIEW_RANGE).any(1).sum())
    if outside:  # drawn on the border, where they were clipped; say so, or the view looks empty
        draw.text((PAD + 6, PAD + 22), f"{outside} generated points outside the view (drawn on its edge)",
                  font=_font(12), fill=FAKE)
    legend = [("real", REAL), ("generated", FAKE), ("→ generator's gradient", ARROW)]
    x = PAD + 6
    for label, colour in legend:
        draw.text((x, PAD + PANEL - 20), label, font=_font(12), fill=colour)
        x += 8 + draw.textlength(label, font=_font(12))
    img.paste(_loss_chart(snap), (PAD * 2 + PANEL, PAD))
    img.paste(_mode_chart(snap), (PAD * 2 + PANEL, PAD + SIDE_H + (PANEL - 2 * SIDE_H)))
    return np.asarray(img)


__all__ = ["render_snapshot", "WIDTH", "HEIGHT", "GRID"]


def status_text(trainer: ToyGAN, snap: ToySnapshot, speed: float | None = None) -> str:
    """One markdown line: step, losses, modes covered, speed, and whether the run is over."""
    losses = f"D loss {snap.loss_d[-1]:.3f} · G loss {snap.loss_g[-1]:.3f}" if snap.loss_d else ""
    modes = f"modes covered {snap.modes_covered}/8" if snap.modes_covered is not None else ""
    return status_line(snap.step, losses, modes, speed=speed, finished=trainer.finished)


def live_view(trainer: ToyGAN, speed: float | None = None, snap: ToySnapshot | None = None) -> tuple[np.ndarray, str]:
    """The picture of the run (uint8 RGB) and its status line; `snap` defaults to a fresh one."""
    snap = snap if snap is not None else trainer.snapshot()
    return render_snapshot(snap, trainer.settings.dataset), status_text(trainer, snap, speed)


# ---- the conditional half's views --------------------------------------------------------------
# What the GAN demo's conditional half shows, for either UI, as plain values (PNG bytes, plotly
# figures, markdown); no UI code. Built from conditional.py's results:
#
#     picture = grid_view("star", "blue", seed=0, psi=1.0)          # the grid, its sentence, truncation rows
#     walks = walk_view("circle", "red", "star", "blue", 0, 9, 1.0)   # what the label / the noise controls
#     bars = shares_view()                                            # data vs unconditional vs conditional
#
# In the grid a tile's label is the class asked for, with "*" for a pair held out of training; its
# frame is green where the classifier reads the asked shape and colour, and grey where it does not.


READ_AS_ASKED, NOT_AS_ASKED = (34, 160, 70), (190, 190, 190)
# bar colours of the three sources, and of each colour's name in the palette the data is drawn in
SOURCE_COLOURS = {"data": "#888888", "unconditional GAN": "#c0504d", "conditional GAN": "#4f81bd"}


def framed_sheet(images: np.ndarray, labels: list[str], ok: list[bool], columns: int, scale: int) -> np.ndarray:
    """contact_sheet.sheet with a frame around each tile: green where `ok`, grey elsewhere."""
    picture = Image.fromarray(contact_sheet.sheet(images, labels, columns, scale))
    draw = ImageDraw.Draw(picture)
    tile, pad, label_h = images.shape[1] * scale, contact_sheet.SHEET_PAD, contact_sheet.SHEET_LABEL_H
    for i, good in enumerate(ok):
        r, c = divmod(i, min(columns, len(images)))
        x, y = pad + c * (tile + pad), pad + r * (tile + label_h + pad)
        draw.rectangle((x - 2, y - 2, x + tile + 1, y + tile + 1), outline=READ_AS_ASKED if good else NOT_AS_ASKED, width=2)
    return np.asarray(picture)


@dataclass(frozen=True)
class GridView:
    grid_png: bytes  # the tiles, labelled and framed
    text: str  # markdown: what was asked, what the classifier reads, held-out pairs
    truncation_png: bytes  # the same latents at each psi, one row per psi
    notice: str | None


def grid_view(shape: str, colour: str, seed: int, psi: float) -> GridView:
    """The grid of asked-for samples and the truncation rows of the same class. Every value is checked.
    The grid is the generator's samples: watermarked when the server marks them (shared/watermark.py)."""
    from demos.gan import conditional
    from demos.gan.model import CONDITIONAL_NAME

    grid = conditional.class_grid(shape, colour, seed, psi)  # validates; memoised
    view = _grid_view(shape, colour, grid.seeds[0], float(psi))
    return replace(view, grid_png=watermark.shown_png(view.grid_png, CONDITIONAL_NAME, grid.seeds[0]))


@memoised(maxsize=64)
def _grid_view(shape: str, colour: str, seed: int, psi: float) -> GridView:
    from demos.gan import conditional

    grid = conditional.class_grid(shape, colour, seed, psi)
    labels = [f"{c} {s}{'*' if held else ''}" for s, c, held in zip(grid.shapes, grid.colours, grid.held_out)]
    picture = framed_sheet(grid.images, labels, list(grid.as_asked), GRID_COLUMNS, GRID_SCALE)
    rows = conditional.truncation_rows(shape, colour, seed)
    row_labels = [f"psi {psi:g}: {share:.0%}" if i == 0 else "" for psi, share in zip(rows.psis, rows.as_asked)
                  for i in range(TRUNCATION_TILES)]
    truncation = contact_sheet.sheet(rows.images, row_labels, TRUNCATION_TILES, 2)
    return GridView(png_bytes(picture), grid_text(grid), png_bytes(truncation), grid.notice)


def grid_text(grid) -> str:  # noqa: ANN001 (conditional.ClassGrid)
    """One markdown paragraph: what was asked, how many the classifier reads as asked, and the
    held-out pairs among them."""
    n, ok = len(grid.images), sum(grid.as_asked)
    shape, colour = grid.asked
    what = {(False, False): f"a **{colour} {shape}**", (True, False): f"**{colour}**, any shape",
            (False, True): f"a **{shape}**, any colour", (True, True): "any shape in any colour"}[(shape == ANY, colour == ANY)]
    text = [f"Asked for {what}: the shapes classifier reads **{ok} of {n}** as drawn as asked (green frames)."]
    held = [i for i, h in enumerate(grid.held_out) if h]
    if held:
        held_ok = sum(grid.as_asked[i] for i in held)
        text.append(f"{words.HELD_OUT_NOTE} Of the {len(held)} held-out tiles here, {held_ok} are read as asked.")
    return " ".join(text)


@dataclass(frozen=True)
class WalkView:
    by_class_png: bytes  # one latent, the class moving
    by_noise_png: bytes  # one class, the latent moving
    text: str
    notice: str | None


def walk_view(from_shape: str, from_colour: str, to_shape: str, to_colour: str, seed: int, frames: int,
              psi: float) -> WalkView:
    """The walk between two classes at a fixed latent, beside the walk in the latent at a fixed class."""
    from demos.gan import conditional

    walk = conditional.class_walk((from_shape, from_colour), (to_shape, to_colour), seed, frames, psi)  # validates
    return _walk_view(walk.start, walk.end, walk.seed, len(walk.by_class), float(psi))


@memoised(maxsize=32)
def _walk_view(start: tuple[str, str], end: tuple[str, str], seed: int, frames: int, psi: float) -> WalkView:
    from demos.gan import conditional

    walk = conditional.class_walk(start, end, seed, frames, psi)
    t = np.linspace(0, 1, frames)
    by_class = contact_sheet.sheet(walk.by_class, [f"{v:.2f}" for v in t], frames, 3)
    by_noise = contact_sheet.sheet(walk.by_noise, [f"{v:.2f}" for v in t], frames, 3)
    first, last = walk.read_class[0], walk.read_class[-1]
    text = (f"**Top:** the latent of seed {seed}, the class code mixed from a {start[1]} {start[0]} (0) to a "
            f"{end[1]} {end[0]} (1): the label decides what is drawn. The classifier reads the ends as "
            f"**{first}** and **{last}**. **Bottom:** the class stays a {start[1]} {start[0]} while the latent "
            f"moves from seed {seed} to seed {seed + 1}: whatever changes there is what the noise controls. A seed's "
            f"noise is its latent and its layout (a size and a place, drawn from the seed): halfway, a code between "
            f"two layouts draws a picture that is neither, which is why this generator is told the layout.")
    return WalkView(png_bytes(by_class), png_bytes(by_noise), text, walk.notice)


@dataclass(frozen=True)
class SharesView:
    figure: Any  # plotly Figure: grouped bars, one group per colour
    text: str
    notice: str | None


@memoised(maxsize=1)
def shares_view() -> SharesView:
    """The colour shares of the data, the unconditional GAN and the conditional GAN, as bars."""
    import plotly.graph_objects as go

    from demos.gan import conditional

    shares = conditional.colour_shares()
    colours = list(next(iter(shares.shares.values())))
    bars = [{"type": "bar", "name": source, "x": colours, "y": [by_colour[c] for c in colours],
             "marker": {"color": SOURCE_COLOURS.get(source, "#666")},
             "hovertemplate": f"{source}: %{{x}} %{{y:.1%}}<extra></extra>"} for source, by_colour in shares.shares.items()]
    figure = go.Figure({"data": bars, "layout": {
        "barmode": "group", "height": 300, "template": "plotly_white", "margin": {"l": 50, "r": 10, "t": 40, "b": 40},
        "yaxis": {"title": {"text": "share of samples"}, "tickformat": ".0%"},
        "title": {"text": f"Colours the classifier reads in {shares.n} samples of each", "font": {"size": 13}},
        "legend": {"orientation": "h", "y": -0.2}}})
    missing = [c for c in colours if shares.shares["unconditional GAN"][c] == 0]
    lowest = min(shares.shares["conditional GAN"].values())
    text = (f"The unconditional GAN draws {'no ' + ' and no '.join(missing) if missing else 'every colour'}: "
            f"its training collapsed onto fewer colours than the data has (mode collapse). Told the class, "
            f"the conditional GAN cannot drop one: its rarest colour is {lowest:.1%} of its samples "
            f"(1/6 = 16.7% if every sample were valid and read right).")
    return SharesView(figure, text, shares.notice)
