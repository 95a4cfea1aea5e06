"""What the walk half of the GAN demo shows, built from explore.py's results for either UI: the
sample grid as one picture, a walk's filmstrip, animation and p(real) figure, a frame and its
caption, the latent-arithmetic sentence, and waypoints added from grid tiles.

    media = walk_media("0, 6, 8, 15", 37, "slerp", 1.0, 12)   # validated, memoised, read-only
    picture, caption = walk_frame(media, 20)                  # scrubbing: no model call

Plain values out (numpy images, PNG/GIF bytes, plotly figures, text); no UI code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from demos.gan.options import (
    ATTRIBUTE_PAIRS,
    ATTRIBUTES,
    FPS,
    GRID_COLUMNS,
    GRID_SAMPLES,
    GRID_SCALE,
    WAYPOINTS,
    ZOOM,
)
from shared import contact_sheet, limits
from shared.image_files import png_bytes
from shared.memo import memoised


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
    """The grid of GRID_SAMPLES samples from seed, seed + 1, ..., truncated by psi."""
    from demos.gan import explore

    grid = explore.sample_grid(seed, GRID_SAMPLES, psi)  # validates; memoised
    return GridPicture(_grid_png(grid.seeds[0], float(psi)), grid.seeds, grid.notice)


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
