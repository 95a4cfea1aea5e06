"""What the GAN demo's conditional half shows, for either UI, as plain values (PNG bytes, plotly
figures, markdown); no UI code. Built from conditional.py's results:

    picture = grid_view("star", "blue", seed=0, psi=1.0)          # the grid, its sentence, truncation rows
    walks = walk_view("circle", "red", "star", "blue", 0, 9, 1.0)   # what the label / the noise controls
    bars = shares_view()                                            # data vs unconditional vs conditional

In the grid a tile's label is the class asked for, with "*" for a pair held out of training; its
frame is green where the classifier reads the asked shape and colour, and grey where it does not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from demos.gan import wording as words
from demos.gan.options import ANY, GRID_COLUMNS, GRID_SCALE, TRUNCATION_TILES
from shared import contact_sheet, watermark
from shared.image_files import png_bytes
from shared.memo import memoised

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
