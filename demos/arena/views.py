"""The Arena tab's picture, drawn with PIL: each family's first samples in a row, side by side with
the others (a family still being measured is a light checker)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from demos.arena import options
from shared.draw2d import TEXT, font

SCALE = 2  # 32x32 samples drawn at 64x64
GAP = 6
LABEL_WIDTH = 230
WAITING = ((212, 212, 218), (232, 232, 238))


def _checker(side: int) -> np.ndarray:
    r, c = np.mgrid[:side, :side]
    return np.where(((r // 8 + c // 8) % 2 == 0)[..., None], WAITING[0], WAITING[1]).astype(np.uint8)


def samples_grid(names: Sequence[str], samples: Sequence[np.ndarray], shown: int = options.SHOWN) -> np.ndarray:
    """uint8 (H, W, 3): a row per family, `names` in order; samples[i] is family i's uint8 (k, 32, 32, 3)
    (fewer arrays than names: the rest are still to come)."""
    tile = 32 * SCALE
    height = GAP + len(names) * (tile + GAP)
    width = LABEL_WIDTH + shown * (tile + GAP)
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    label = font(15)
    waiting = Image.fromarray(_checker(tile))
    for i, name in enumerate(names):
        y = GAP + i * (tile + GAP)
        draw.text((8, y + tile // 2), name, fill=TEXT, font=label, anchor="lm")
        images = samples[i] if i < len(samples) else None
        for k in range(shown):
            x = LABEL_WIDTH + k * (tile + GAP)
            if images is None:
                canvas.paste(waiting, (x, y))
            elif k < len(images):
                canvas.paste(Image.fromarray(images[k]).resize((tile, tile), Image.NEAREST), (x, y))
    return np.asarray(canvas)
