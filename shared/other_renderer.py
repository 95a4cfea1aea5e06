"""Shapes drawn by a different hand than shared/datasets.py: scikit-image's polygon rasteriser at 8x
then an area average, other proportions (a thinner cross, a fatter star, a taller diamond, an
equilateral triangle about its centroid), centres up to 2.5 pixels from the five positions, any radius
from 4.5 to 8.5 pixels, any rotation up to 15 degrees (at 45 a square is a diamond), and a shade of each
palette colour.

What people upload is not the training renderer's output; the CLIP benchmark measures typed labels on
these. Only numpy and scikit-image.

    images, labels = other_shapes(500, seed=0)   # uint8 (500, 32, 32, 3); {"shape": (500,), "colour": (500,)}
"""

from __future__ import annotations

import math

import numpy as np
from skimage.draw import disk, polygon

from shared.datasets import BACKGROUND, COLOURS, IMAGE_SIZE, POSITIONS, SHAPES

SCALE = 8


def _outline(shape: str, r: float, angle: float) -> np.ndarray:
    """Vertices (k, 2) as (x, y) about the origin."""
    if shape == "square":
        pts = [(r * math.cos(a), r * math.sin(a)) for a in np.pi / 4 + np.arange(4) * np.pi / 2]
        pts = [(x * 0.85, y * 0.85) for x, y in pts]
    elif shape == "diamond":
        pts = [(0, -r), (0.8 * r, 0), (0, r), (-0.8 * r, 0)]
    elif shape == "triangle":
        pts = [(r * math.cos(a), r * math.sin(a)) for a in -np.pi / 2 + np.arange(3) * 2 * np.pi / 3]
    elif shape == "star":
        pts = [((r if k % 2 == 0 else 0.5 * r) * math.cos(-np.pi / 2 + k * np.pi / 5),
                (r if k % 2 == 0 else 0.5 * r) * math.sin(-np.pi / 2 + k * np.pi / 5)) for k in range(10)]
    elif shape == "cross":
        w = 0.3 * r
        pts = [(w, r), (w, w), (r, w), (r, -w), (w, -w), (w, -r), (-w, -r), (-w, -w), (-r, -w), (-r, w), (-w, w), (-w, r)]
    else:
        raise ValueError(shape)
    c, s = math.cos(angle), math.sin(angle)
    return np.array([(x * c - y * s, x * s + y * c) for x, y in pts])


def other_shape(shape: str, colour: tuple[int, int, int], centre: tuple[float, float], r: float, angle: float,
                background: tuple[int, int, int] = BACKGROUND) -> np.ndarray:
    """One uint8 (32, 32, 3) image."""
    side = IMAGE_SIZE * SCALE
    mask = np.zeros((side, side), np.float32)
    cx, cy = centre[0] * SCALE, centre[1] * SCALE
    if shape == "circle":
        rr, cc = disk((cy, cx), r * SCALE, shape=mask.shape)
    else:
        pts = _outline(shape, r * SCALE, angle)
        rr, cc = polygon(pts[:, 1] + cy, pts[:, 0] + cx, shape=mask.shape)
    mask[rr, cc] = 1.0
    alpha = mask.reshape(IMAGE_SIZE, SCALE, IMAGE_SIZE, SCALE).mean((1, 3))[..., None]
    image = alpha * np.asarray(colour, np.float32) + (1 - alpha) * np.asarray(background, np.float32)
    return np.clip(image.round(), 0, 255).astype(np.uint8)


def other_shapes(n: int, seed: int, background: tuple[int, int, int] = BACKGROUND) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """n images, shape and colour uniform; labels index SHAPES and COLOURS."""
    rng = np.random.default_rng(seed)
    palette = np.array(list(COLOURS.values()), np.float32)
    centres = np.array(list(POSITIONS.values()), np.float32)
    shapes, colours = rng.integers(len(SHAPES), size=n), rng.integers(len(COLOURS), size=n)
    images = np.empty((n, IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8)
    for i in range(n):
        r = rng.uniform(4.5, 8.5)
        centre = np.clip(centres[rng.integers(len(centres))] + rng.uniform(-2.5, 2.5, 2), r + 0.5, IMAGE_SIZE - r - 0.5)
        shade = np.clip(palette[colours[i]] * rng.uniform(0.9, 1.08) + rng.normal(0, 6, 3), 0, 255)
        images[i] = other_shape(SHAPES[shapes[i]], tuple(shade), tuple(centre), r, rng.uniform(-0.26, 0.26), background)
    return images, {"shape": shapes, "colour": colours}
