"""Pixels in, pixels out: the palette code of `shapes` images, exact bits per dimension, and
sampling pixel by pixel (streamed), with the distribution of each pixel as it is drawn.

    codes = to_codes(images, model.palette)            # uint8 (n, 32, 32, 3) -> (n, 32, 32) indices
    bits_per_dim(model, images)                        # -log2 p(x) / (32 * 32 * 3), exact
    for step in sample(model, n=16, seed=0):           # one step per pixel, raster order
        show(step.images, step.probs)
    sample(model, 16, 0, labels=random_labels(16, 0), guidance=1.0)   # told what to draw, guided

Guidance (classifier-free, per pixel): logits = l(x | labels) + w * (l(x | labels) - l(x | nothing told)),
the told and the untold batch run side by side (2n rows), so w > 0 costs twice the work.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from demos.pixelcnn.model import RowSampler, not_told
from demos.pixelcnn.options import GUIDANCE, SIDE, TEMPERATURE
from shared import datasets, limits
from shared.told import check_labels as check_told_labels
from shared.told import random_labels  # noqa: F401 (the tab's draw of labels, imported from here)

DIMS = SIDE * SIDE * 3  # what "per dimension" divides by: every colour channel of every pixel
HELD_OUT_SEED, HELD_OUT = datasets.HELD_OUT_SEED, datasets.HELD_OUT_IMAGES
held_out_images = datasets.held_out_shapes  # the images the card's bits per dimension are measured on
SAMPLES = limits.IntRange("number of samples", 1, 100)  # one batch of the sampler (the tab asks for at most 16)


def palette_keys(palette: list[list[int]] | np.ndarray) -> np.ndarray:
    p = np.asarray(palette, dtype=np.int64)
    return p[:, 0] * 65536 + p[:, 1] * 256 + p[:, 2]


def to_codes(images: np.ndarray, palette: list[list[int]]) -> tuple[np.ndarray, int]:
    """uint8 (n, H, W, 3) -> (palette indices (n, H, W) int64, pixels not in the palette). A pixel
    outside the palette takes its nearest palette colour (an upload's; the data has none)."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3 or images.dtype != np.uint8:
        raise limits.LimitError(f"Images must be uint8 (n, height, width, 3); got {images.dtype} {images.shape}.")
    keys = images.astype(np.int64)
    keys = keys[..., 0] * 65536 + keys[..., 1] * 256 + keys[..., 2]
    table = palette_keys(palette)
    order = np.argsort(table)
    pos = np.clip(np.searchsorted(table[order], keys), 0, len(table) - 1)
    codes = order[pos]
    exact = table[codes] == keys
    if not exact.all():
        colours = np.asarray(palette, dtype=np.float32)
        off = images[~exact].astype(np.float32)
        codes[~exact] = ((off[:, None, :] - colours[None]) ** 2).sum(-1).argmin(1)
    return codes, int((~exact).sum())


def to_images(codes: np.ndarray | torch.Tensor, palette: list[list[int]]) -> np.ndarray:
    """Palette indices (n, H, W) -> uint8 (n, H, W, 3)."""
    codes = codes.numpy() if isinstance(codes, torch.Tensor) else codes
    return np.asarray(palette, dtype=np.uint8)[codes]


@torch.no_grad()
def bits_per_dim(model, images: np.ndarray, batch: int = 256) -> np.ndarray:  # noqa: ANN001 (model.GatedPixelCNN)
    """Exact -log2 p(x) / (H * W * 3) of each image, float64 (n,). Colours outside the palette have
    probability 0 under the model; they are scored as their nearest palette colour (to_codes)."""
    codes, _ = to_codes(images, model.palette)
    model.eval()
    out = [model.nats(torch.from_numpy(codes[i:i + batch])).double() for i in range(0, len(codes), batch)]
    return (torch.cat(out) / (DIMS * math.log(2))).numpy()


@dataclass(frozen=True)
class SampleStep:
    """The samples after one more pixel: codes (n, H, W) with -1 where nothing is drawn yet (the
    sampler's own array, changed by the next step: copy what you keep)."""

    codes: np.ndarray
    row: int
    col: int
    probs: np.ndarray  # (n, n_colours): the distribution this pixel was drawn from (after temperature)


def check_labels(model, labels: object, n: int) -> torch.Tensor | None:  # noqa: ANN001
    """labels as the model takes them, (n, 4) long with each head's "not told" allowed; None stays None."""
    if labels is None:
        return None
    if not model.told:
        raise limits.LimitError("This PixelCNN was trained without labels: it cannot be told what to draw.")
    return check_told_labels(labels, n)


@torch.no_grad()
def sample(model, n: int, seed: int, temperature: float = 1.0, start: np.ndarray | None = None,  # noqa: ANN001
           from_pixel: int = 0, labels: np.ndarray | None = None, guidance: float = 0.0) -> Iterator[SampleStep]:
    """Draw n images pixel by pixel in raster order, from the seed; yields after every pixel.
    start: (n, H, W) codes to keep before `from_pixel` (a completion of a masked image); labels:
    (n, 4) what each image is told (None: nothing); guidance: w above (0: none)."""
    n, seed = SAMPLES.check(n), limits.SEED.check(seed)
    temperature, guidance = TEMPERATURE.check(temperature), GUIDANCE.check(guidance)
    told = check_labels(model, labels, n)
    guided = told is not None and guidance > 0
    batch_labels = torch.cat([told, not_told(n)]) if guided else told  # guided: rows n.. are the untold
    gen = torch.Generator().manual_seed(seed)
    model.eval()
    x = torch.zeros(n, SIDE, SIDE, dtype=torch.long)
    drawn = torch.full((n, SIDE, SIDE), -1, dtype=torch.long)
    if start is not None:
        x.view(n, -1)[:, :from_pixel] = torch.as_tensor(start).reshape(n, -1)[:, :from_pixel]
        drawn.view(n, -1)[:, :from_pixel] = x.view(n, -1)[:, :from_pixel]
    twice = (lambda t: torch.cat([t, t])) if guided else (lambda t: t)
    rows = RowSampler(model, 2 * n if guided else n, SIDE)
    for i in range(from_pixel // SIDE, SIDE):
        rows.start(model.row_state(twice(x), i, batch_labels))
        first = from_pixel - i * SIDE if i == from_pixel // SIDE else 0
        for j in range(SIDE):
            logits = rows.next_logits(twice(x[:, i, j - 1]) if j else None)  # the kept pixels' columns too
            if j < first:
                continue
            if guided:
                logits = logits[:n] + guidance * (logits[:n] - logits[n:])
            probs = torch.softmax(logits / temperature, dim=1)
            x[:, i, j] = drawn[:, i, j] = torch.multinomial(probs, 1, generator=gen)[:, 0]
            yield SampleStep(drawn.numpy(), i, j, probs.numpy())  # a view: valid until the next step


def sample_images(model, n: int, seed: int, temperature: float = 1.0, labels: np.ndarray | None = None,  # noqa: ANN001
                  guidance: float = 0.0) -> np.ndarray:
    """n finished samples, uint8 (n, 32, 32, 3)."""
    last = None
    for last in sample(model, n, seed, temperature, labels=labels, guidance=guidance):  # noqa: B007 (the last step holds the images)
        pass
    return to_images(last.codes, model.palette)
