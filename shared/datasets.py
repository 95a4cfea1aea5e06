"""The offline data every demo shares, each set deterministic from a seed.

- ``shapes``: procedural 32x32 RGB images of one coloured shape on a plain background, with exact
  labels (shape, colour, size, position) and a caption built from them.
- ``digits``: scikit-learn's bundled 8x8 handwritten digits.
- toy 2-D point sets (ring of 8 Gaussians, two moons, spiral, checkerboard, swiss roll) for the
  live-training views.

Only numpy, Pillow and scikit-learn: no torch, so the UI can import this module at start-up.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw

from shared import limits

# --------------------------------------------------------------------------------------------
# shapes
# --------------------------------------------------------------------------------------------

IMAGE_SIZE = 32
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "star", "cross")
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 45, 45),
    "orange": (245, 140, 25),
    "yellow": (240, 215, 40),
    "green": (45, 175, 70),
    "blue": (50, 100, 230),
    "purple": (150, 65, 200),
}
SIZES: dict[str, float] = {"small": 5.0, "large": 8.0}  # circumradius in pixels
# Centre of each position in pixels; chosen so a large shape still fits inside the image.
POSITIONS: dict[str, tuple[float, float]] = {
    "top left": (9.5, 9.5),
    "top right": (22.5, 9.5),
    "center": (16.0, 16.0),
    "bottom left": (9.5, 22.5),
    "bottom right": (22.5, 22.5),
}
BACKGROUND = (28, 30, 38)
LABEL_NAMES: dict[str, tuple[str, ...]] = {
    "shape": SHAPES,
    "colour": tuple(COLOURS),
    "size": tuple(SIZES),
    "position": tuple(POSITIONS),
}

_SUPERSAMPLE = 4  # draw at 4x and downsample, so edges are anti-aliased like real images


def caption(shape: str, colour: str, size: str, position: str) -> str:
    """'a small red circle at the top left' / 'a large blue star in the center'."""
    where = "in the center" if position == "center" else f"at the {position}"
    return f"a {size} {colour} {shape} {where}"


# Held out of every model trained on captions (CLIP, Stable Diffusion): one pair per shape and colour
# at most, so every shape and every colour is still seen in training; figures are given for seen and
# unseen pairs apart.
HELD_OUT_PAIRS: frozenset[tuple[str, str]] = frozenset({
    ("circle", "purple"), ("square", "yellow"), ("triangle", "blue"), ("star", "red"),
})
# every caption, in label order: caption index = ((shape * 6 + colour) * 2 + size) * 5 + position
ALL_LABELS: list[tuple[int, ...]] = list(itertools.product(*(range(len(v)) for v in LABEL_NAMES.values())))
ALL_CAPTIONS: list[str] = [caption(*(names[i] for names, i in zip(LABEL_NAMES.values(), labels))) for labels in ALL_LABELS]


def caption_index(labels: dict[str, np.ndarray]) -> np.ndarray:
    """(n,) index into ALL_CAPTIONS of each image's caption."""
    idx = np.zeros_like(labels["shape"])
    for name, names in LABEL_NAMES.items():
        idx = idx * len(names) + labels[name]
    return idx


def unseen_mask(labels: dict[str, np.ndarray]) -> np.ndarray:
    """True where the image's (shape, colour) pair is held out of training."""
    shapes, colours = LABEL_NAMES["shape"], LABEL_NAMES["colour"]
    return np.array([(shapes[s], colours[c]) in HELD_OUT_PAIRS for s, c in zip(labels["shape"], labels["colour"])],
                    dtype=bool)


def _polygon(shape: str, cx: float, cy: float, r: float, angle: float) -> list[tuple[float, float]]:
    """Vertices of a shape of circumradius r centred on (cx, cy), rotated by angle (radians)."""
    if shape == "square":
        radii, n, phase = [r * 0.92], 4, math.pi / 4
    elif shape == "diamond":
        radii, n, phase = [r], 4, 0.0
    elif shape == "triangle":
        # shifted down so the triangle's bounding box, not its centroid, sits on the centre
        radii, n, phase, cy = [r * 1.05], 3, -math.pi / 2, cy + r * 0.22
    elif shape == "star":
        radii, n, phase = [r * 1.08, r * 0.45], 10, -math.pi / 2
    elif shape == "cross":
        # a plus sign: 12 vertices around arms of half-width w
        w = r * 0.34
        pts = [(w, r), (w, w), (r, w), (r, -w), (w, -w), (w, -r),
               (-w, -r), (-w, -w), (-r, -w), (-r, w), (-w, w), (-w, r)]
        c, s = math.cos(angle), math.sin(angle)
        return [(cx + x * c - y * s, cy + x * s + y * c) for x, y in pts]
    else:
        raise ValueError(f"no polygon for shape {shape!r}")
    verts = []
    for k in range(n):
        theta = phase + angle + 2 * math.pi * k / n
        rad = radii[k % len(radii)]
        verts.append((cx + rad * math.cos(theta), cy + rad * math.sin(theta)))
    return verts


def render_shape(
    shape: str,
    colour: str,
    size: str,
    position: str,
    *,
    jitter: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0),
) -> np.ndarray:
    """One 32x32 RGB image, uint8 (32, 32, 3).

    jitter = (dx, dy, dr, angle): pixel offsets of the centre, change of radius in pixels and a
    rotation in radians; small enough that every label stays exact.
    """
    dx, dy, dr, angle = jitter
    cx, cy = POSITIONS[position]
    cx, cy, r = cx + dx, cy + dy, SIZES[size] + dr
    k = _SUPERSAMPLE
    big = Image.new("RGB", (IMAGE_SIZE * k, IMAGE_SIZE * k), BACKGROUND)
    draw = ImageDraw.Draw(big)
    fill = COLOURS[colour]
    if shape == "circle":
        draw.ellipse([(cx - r) * k, (cy - r) * k, (cx + r) * k, (cy + r) * k], fill=fill)
    else:
        draw.polygon([(x * k, y * k) for x, y in _polygon(shape, cx, cy, r, angle)], fill=fill)
    return np.asarray(big.resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.BOX))


@dataclass(frozen=True)
class ShapesData:
    """n images with their exact labels.

    images: uint8 (n, 32, 32, 3); labels: name -> int64 (n,) index into LABEL_NAMES[name].
    """

    images: np.ndarray
    labels: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.images)

    def label(self, i: int) -> dict[str, str]:
        return {name: LABEL_NAMES[name][int(idx[i])] for name, idx in self.labels.items()}

    def caption(self, i: int) -> str:
        return caption(**self.label(i))

    @property
    def captions(self) -> list[str]:
        return [self.caption(i) for i in range(len(self))]


def make_shapes(n: int, seed: int) -> ShapesData:
    """n random shapes, every label drawn uniformly; the same (n, seed) gives the same data."""
    n = limits.DATASET_SIZE.check(n)
    seed = limits.SEED.check(seed)
    rng = np.random.default_rng(seed)
    labels = {name: rng.integers(0, len(names), size=n) for name, names in LABEL_NAMES.items()}
    jitter = np.stack(
        [
            rng.uniform(-1.0, 1.0, n),  # dx
            rng.uniform(-1.0, 1.0, n),  # dy
            rng.uniform(-0.5, 0.5, n),  # dr
            rng.uniform(-math.radians(12), math.radians(12), n),  # angle
        ],
        axis=1,
    )
    images = np.empty((n, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    for i in range(n):
        images[i] = render_shape(
            SHAPES[labels["shape"][i]],
            LABEL_NAMES["colour"][labels["colour"][i]],
            LABEL_NAMES["size"][labels["size"][i]],
            LABEL_NAMES["position"][labels["position"][i]],
            jitter=tuple(jitter[i]),
        )
    return ShapesData(images=images, labels=labels)


def data_image(seed: object) -> tuple[np.ndarray, str]:
    """Image number `seed` of the shapes data (always the same picture) and its caption: what the
    tabs' "Use data image" buttons show."""
    data = make_shapes(1, limits.SEED.check(seed))
    return data.images[0], data.caption(0)


NOT_SHAPE_KINDS: tuple[str, ...] = ("noise", "background", "blend", "two shapes", "blobs")


# the images every likelihood figure is measured on (PixelCNN, the image flow, the arena; the VAE and
# Stable Diffusion cards use the same seed): never trained on, since every trainer draws seed 0
HELD_OUT_SEED = 4242
HELD_OUT_IMAGES = 2000


@functools.lru_cache(maxsize=1)
def held_out_shapes() -> np.ndarray:
    """uint8 (HELD_OUT_IMAGES, 32, 32, 3), read-only: the held-out images of seed HELD_OUT_SEED."""
    images = make_shapes(HELD_OUT_IMAGES, HELD_OUT_SEED).images
    images.setflags(write=False)
    return images


def make_not_shapes(n: int, seed: int) -> np.ndarray:
    """n images that are *not* one clean shape, uint8 (n, 32, 32, 3), kinds cycling through NOT_SHAPE_KINDS.

    They teach the shapes classifier to say "none", which is what makes its confidence a fair
    test of generated samples: a generator that averages two modes makes blends like these.
    """
    n = limits.DATASET_SIZE.check(n)
    seed = limits.SEED.check(seed)
    rng = np.random.default_rng(seed)
    a, b = make_shapes(n, seed + 1).images.astype(np.float32), make_shapes(n, seed + 2).images.astype(np.float32)
    bg = np.asarray(BACKGROUND, dtype=np.float32)
    out = np.empty((n, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.float32)
    for i in range(n):
        kind = NOT_SHAPE_KINDS[i % len(NOT_SHAPE_KINDS)]
        if kind == "noise":
            out[i] = rng.uniform(0, 255, (IMAGE_SIZE, IMAGE_SIZE, 3))
        elif kind == "background":
            out[i] = bg + rng.normal(0, rng.uniform(0, 12), (IMAGE_SIZE, IMAGE_SIZE, 3))
        elif kind == "blend":
            t = rng.uniform(0.3, 0.7)
            out[i] = t * a[i] + (1 - t) * b[i]
        elif kind == "two shapes":
            # b's shape pasted over a; if they coincide the image stays one shape, so shift b
            shifted = np.roll(b[i], shift=(int(rng.integers(8, 24)), int(rng.integers(8, 24))), axis=(0, 1))
            mask = np.abs(shifted - bg).sum(-1, keepdims=True) > 30
            out[i] = np.where(mask, shifted, a[i])
        else:  # blobs: smooth random colour fields, like an untrained generator's output
            coarse = rng.uniform(0, 255, (4, 4, 3)).astype(np.float32)
            out[i] = np.asarray(Image.fromarray(coarse.astype(np.uint8)).resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.BICUBIC))
    return np.clip(out, 0, 255).astype(np.uint8)


def image_grid(images: np.ndarray, columns: int = 8, pad: int = 2, scale: int = 1) -> np.ndarray:
    """Tile uint8 (n, h, w, 3) images into one uint8 image, `scale`x nearest-neighbour upscaled."""
    n, h, w, c = images.shape
    rows = max(1, math.ceil(n / columns))
    cols = min(columns, n)
    grid = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, c), 255, dtype=np.uint8)
    for i, img in enumerate(images):
        r, q = divmod(i, columns)
        y, x = pad + r * (h + pad), pad + q * (w + pad)
        grid[y : y + h, x : x + w] = img
    if scale > 1:
        grid = grid.repeat(scale, axis=0).repeat(scale, axis=1)
    return grid


# --------------------------------------------------------------------------------------------
# digits
# --------------------------------------------------------------------------------------------


def load_digits(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 handwritten digits, shuffled by seed.

    Returns images float32 (1797, 8, 8) in [0, 1] and labels int64 (1797,).
    """
    from sklearn.datasets import load_digits as _sklearn_digits

    seed = limits.SEED.check(seed)
    bunch = _sklearn_digits()
    order = np.random.default_rng(seed).permutation(len(bunch.target))
    images = (bunch.images[order] / 16.0).astype(np.float32)
    return images, bunch.target[order].astype(np.int64)


# --------------------------------------------------------------------------------------------
# toy 2-D point sets
# --------------------------------------------------------------------------------------------

Toy2D = Literal["ring8", "moons", "spiral", "checkerboard", "swiss_roll"]
TOY_2D_NAMES: dict[str, str] = {
    "ring8": "ring of 8 Gaussians",
    "moons": "two moons",
    "spiral": "spiral",
    "checkerboard": "checkerboard",
    "swiss_roll": "swiss roll",
}
RING8_RADIUS = 2.0
RING8_STD = 0.05 * RING8_RADIUS


def ring8_centres() -> np.ndarray:
    """The 8 mode centres of ``ring8``, float32 (8, 2)."""
    theta = 2 * np.pi * np.arange(8) / 8
    return (RING8_RADIUS * np.stack([np.cos(theta), np.sin(theta)], axis=1)).astype(np.float32)


def toy_2d(name: Toy2D, n: int, seed: int) -> np.ndarray:
    """n points of a toy 2-D distribution, float32 (n, 2), scaled to roughly [-2.5, 2.5]^2."""
    name = limits.check_choice("toy data set", name, TOY_2D_NAMES)
    n = limits.POINTS_2D.check(n)
    seed = limits.SEED.check(seed)
    rng = np.random.default_rng(seed)
    if name == "ring8":
        modes = rng.integers(0, 8, n)
        pts = ring8_centres()[modes] + rng.normal(0, RING8_STD, (n, 2))
    elif name == "moons":
        upper = rng.random(n) < 0.5
        t = rng.uniform(0, np.pi, n)
        x = np.where(upper, np.cos(t), 1 - np.cos(t))
        y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
        pts = np.stack([x - 0.5, y - 0.25], axis=1) * 1.6 + rng.normal(0, 0.06, (n, 2))
    elif name == "spiral":
        # two interleaved arms, r growing with the angle
        t = np.sqrt(rng.random(n)) * 3 * np.pi
        arm = np.where(rng.random(n) < 0.5, 0.0, np.pi)
        r = t / (3 * np.pi) * 2.2
        pts = np.stack([r * np.cos(t + arm), r * np.sin(t + arm)], axis=1) + rng.normal(0, 0.05, (n, 2))
    elif name == "checkerboard":
        # 4x4 board on [-2, 2]^2, points only in the "black" cells
        cell = rng.integers(0, 8, n)
        row = cell // 2
        col = 2 * (cell % 2) + (row % 2)
        pts = np.stack([col + rng.random(n), row + rng.random(n)], axis=1) - 2.0
    else:  # swiss_roll: the 2-D projection of scikit-learn's swiss roll
        t = 1.5 * np.pi * (1 + 2 * rng.random(n))
        pts = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / 7.0 + rng.normal(0, 0.05, (n, 2))
    return pts.astype(np.float32)
