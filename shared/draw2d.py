"""Fast drawing of 2-D point views and small line charts with PIL, for live views that stream
several images a second (GAN and diffusion training on toy 2-D data).

    panel = PointPanel(origin=(12, 12), size=440, view_range=3.0)
    panel.dots(draw, points, colour)            # points in data coordinates [-3, 3]^2
    panel.arrows(draw, starts, directions, colour)
    chart = line_chart("Loss", [("train", values, colour)], (420, 210))
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

TEXT = (30, 30, 40)
GRIDLINE = (225, 225, 232)
# the live 2-D views (GAN, diffusion): a square point panel on the left, charts stacked on its right
PANEL, PAD = 440, 12  # the point panel's side and the margins, pixels
SIDE_W, SIDE_H = 420, 210  # each chart on the right
WIDTH, HEIGHT = PAD * 3 + PANEL + SIDE_W, PAD * 2 + PANEL


@functools.lru_cache(maxsize=16)
def font(size: int) -> ImageFont.ImageFont:
    # DejaVu (Debian's fonts-dejavu-core, on Spaces too) has σ and arrows; PIL's own font is the fallback
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class PointPanel:
    """A square view of [-view_range, view_range]^2 drawn at `origin` (pixels), `size` pixels wide."""

    origin: tuple[int, int]
    size: int
    view_range: float

    @property
    def scale(self) -> float:
        return self.size / (2 * self.view_range)

    def to_px(self, points: np.ndarray) -> np.ndarray:
        """Data coordinates (n, 2) -> pixel coordinates (n, 2), y up."""
        x0, y0 = self.origin
        return np.stack([x0 + (points[:, 0] + self.view_range) * self.scale,
                         y0 + (self.view_range - points[:, 1]) * self.scale], 1)

    def dots(self, draw: ImageDraw.ImageDraw, points: np.ndarray, colour: tuple[int, int, int], r: float) -> None:
        for x, y in self.to_px(np.clip(points, -self.view_range, self.view_range)):
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)

    def arrows(self, draw: ImageDraw.ImageDraw, starts: np.ndarray, directions: np.ndarray,
               colour: tuple[int, int, int], longest_px: float = 36) -> None:
        """Arrows from each start along its direction; the longest is `longest_px`, the rest in proportion."""
        length = np.linalg.norm(directions, axis=1)
        if not np.isfinite(length).all() or length.max() <= 0:
            return
        d = directions / length.max() * longest_px / self.scale
        for (x0, y0), (x1, y1) in zip(self.to_px(starts), self.to_px(starts + d)):
            draw.line((x0, y0, x1, y1), fill=colour, width=2)
            if np.hypot(x1 - x0, y1 - y0) > 5:
                ang = np.arctan2(y1 - y0, x1 - x0)
                for side in (2.6, -2.6):  # two short strokes make the head
                    draw.line((x1, y1, x1 + 6 * np.cos(ang + side), y1 + 6 * np.sin(ang + side)), fill=colour, width=2)

    def frame(self, draw: ImageDraw.ImageDraw) -> None:
        x0, y0 = self.origin
        draw.rectangle((x0, y0, x0 + self.size, y0 + self.size), outline=(160, 160, 170))


def smooth(values: list[float] | np.ndarray, n_out: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """(steps, mean value) in at most n_out buckets: a readable curve from thousands of noisy steps."""
    v = np.asarray(values, dtype=np.float64)
    starts = np.unique(np.linspace(0, len(v), min(len(v), n_out) + 1).astype(int)[:-1])
    sizes = np.diff(np.append(starts, len(v)))
    return starts + sizes / 2, np.add.reduceat(v, starts) / sizes


def line_chart(title: str, series: list[tuple[str, list[float], tuple[int, int, int]]], size: tuple[int, int],
               empty_text: str = "No data yet.") -> Image.Image:
    """Noisy per-step series, bucket-averaged, on shared axes, with a legend in the title line."""
    width, height = size
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    draw.text((8, 4), title, font=font(15), fill=TEXT)
    x = 16 + draw.textlength(title, font=font(15))
    for name, _, colour in series:
        draw.text((x, 6), f"— {name}", font=font(12), fill=colour)
        x += 16 + draw.textlength(f"— {name}", font=font(12))
    left, top, right, bottom = 44, 26, width - 10, height - 24
    draw.rectangle((left, top, right, bottom), outline=GRIDLINE)
    n = max((len(v) for _, v, _ in series), default=0)
    if n == 0:
        draw.text((left + 10, top + 60), empty_text, font=font(13), fill=TEXT)
        return img
    curves = [(smooth(v), colour) for _, v, colour in series if len(v)]
    finite = np.concatenate([c[0][1] for c in curves])
    finite = finite[np.isfinite(finite)]
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    if hi - lo < 1e-6:
        lo, hi = lo - 0.5, hi + 0.5
    for frac in (0, 0.5, 1):
        y = bottom - frac * (bottom - top)
        draw.line((left, y, right, y), fill=GRIDLINE)
        draw.text((4, y - 7), f"{lo + frac * (hi - lo):.2f}", font=font(11), fill=TEXT)
    draw.text((left, bottom + 4), "0", font=font(11), fill=TEXT)
    draw.text((right - 70, bottom + 4), f"step {n:,}", font=font(11), fill=TEXT)
    for (steps, vals), colour in curves:
        ok = np.isfinite(vals)
        xs = left + steps[ok] / max(n - 1, 1) * (right - left)
        ys = bottom - (vals[ok] - lo) / (hi - lo) * (bottom - top)
        if len(xs) > 1:
            draw.line(list(zip(xs.tolist(), ys.tolist())), fill=colour, width=2)
    return img
