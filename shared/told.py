"""Telling an image model what to draw: the labels of a `shapes` picture as a model takes them, for
every model that can be told (the PixelCNN, the image flow).

A labels tensor is (n, 4) long, one column per LABEL_HEADS (shape, colour, size, position), each an
index into shared.datasets.LABEL_NAMES[head], or that head's NOT_TOLD index (its count of names):
"not told". A model trained with heads dropped (dropped_labels) learns p(x | some labels) and, with
every head not told, p(x) itself. Torch-free at import, so a front end's options can take the
choices from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from shared import limits
from shared.datasets import LABEL_NAMES

if TYPE_CHECKING:
    import torch

    from shared.datasets import ShapesData

ANY = "any"  # drawn at random for each image, as the data draws it (size and position always are)
SHAPE_CHOICES: tuple[str, ...] = (ANY, *LABEL_NAMES["shape"])
COLOUR_CHOICES: tuple[str, ...] = (ANY, *LABEL_NAMES["colour"])
LABEL_HEADS: tuple[str, ...] = tuple(LABEL_NAMES)  # shape, colour, size, position: the columns of a labels tensor
NOT_TOLD: tuple[int, ...] = tuple(len(names) for names in LABEL_NAMES.values())  # each head's "not told" index


def not_told(n: int, device: torch.device | str | None = None) -> torch.Tensor:
    """(n, 4) labels that tell nothing: the unconditional model."""
    import torch

    return torch.tensor(NOT_TOLD, device=device).expand(n, -1).clone()


def labels_of(data: ShapesData) -> torch.Tensor:
    """(n, 4) long: the labels of every picture of a data set."""
    import torch

    return torch.from_numpy(np.stack([data.labels[head] for head in LABEL_HEADS], axis=1)).long()


def dropped_labels(labels: torch.Tensor, drop_all: float, drop_head: float, gen: torch.Generator) -> torch.Tensor:
    """(B, 4) labels with some not told: every head of an image with probability drop_all, else
    each head alone with probability drop_head."""
    import torch

    b, k = labels.shape
    u_all = torch.rand(b, 1, generator=gen, device=labels.device)
    u_head = torch.rand(b, k, generator=gen, device=labels.device)
    drop = (u_all < drop_all) | (u_head < drop_head)
    return torch.where(drop, not_told(b, labels.device), labels)


def random_labels(n: int, seed: int) -> np.ndarray:
    """(n, 4) labels drawn as the data draws them (each head uniform), from the seed: what a sample
    is told when the visitor leaves a head at "any"."""
    rng = np.random.default_rng([limits.SEED.check(seed), 4])  # 4: apart from other draws of the same seed
    return np.stack([rng.integers(0, k, size=n) for k in NOT_TOLD], axis=1)


def check_labels(labels: object, n: int) -> torch.Tensor:
    """labels as a model takes them, (n, 4) long with each head's "not told" allowed, or a plain message."""
    import torch

    told = np.asarray(labels)
    if told.shape != (n, len(NOT_TOLD)) or not np.issubdtype(told.dtype, np.integer):
        raise limits.LimitError(f"Labels must be {n} rows of {len(NOT_TOLD)} whole numbers; got {told.dtype} {told.shape}.")
    if (told < 0).any() or (told > np.array(NOT_TOLD)).any():
        raise limits.LimitError(f"Each label must be from 0 to its head's count {NOT_TOLD} (the count: not told).")
    return torch.from_numpy(told.astype(np.int64))


def told_labels(n: int, seed: int, shape: str, colour: str) -> np.ndarray:
    """(n, 4) what each of n images is told: the shape and colour asked for, or drawn at random
    (ANY), size and position drawn at random as the data draws them, all from the seed."""
    shape = limits.check_choice("shape", shape, SHAPE_CHOICES)
    colour = limits.check_choice("colour", colour, COLOUR_CHOICES)
    labels = random_labels(n, seed)
    if shape != ANY:
        labels[:, 0] = LABEL_NAMES["shape"].index(shape)
    if colour != ANY:
        labels[:, 1] = LABEL_NAMES["colour"].index(colour)
    return labels


def captions(labels: np.ndarray) -> list[str]:
    """Each image's told size, colour and shape ("large blue star"), "?" for a head not told."""
    def name(head: str, k: int) -> str:
        names = LABEL_NAMES[head]
        return names[k] if k < len(names) else "?"

    return [f"{name('size', s)} {name('colour', c)} {name('shape', h)}" for h, c, s, _ in np.asarray(labels).tolist()]
