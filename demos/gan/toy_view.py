"""Draw one live-training snapshot as a single image, fast enough to stream several times a second.

    image = render_snapshot(trainer.snapshot(), dataset="ring8")   # uint8 (H, W, 3)

Left: the discriminator's decision surface (green = "real", pink = "fake"), real points, generated
points and the arrows of the generator's gradient on them. Right: both losses over the steps, and
for the ring of 8 Gaussians how many generated points sit on each mode. PIL, not plotly: a
plotly figure re-sent five times a second would cost the browser more than the training.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from demos.gan.toy import GRID, VIEW_RANGE, ToySnapshot
from shared.datasets import RING8_STD, ring8_centres
from shared.draw2d import TEXT, PointPanel, font, line_chart

PANEL = 440  # the point view, pixels
SIDE_W, SIDE_H = 420, 210  # each chart on the right
PAD = 12
WIDTH, HEIGHT = PAD * 3 + PANEL + SIDE_W, PAD * 2 + PANEL

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
