"""Bias in, bias out, measured: the share of each shape and each colour in a set of pictures, read by
the two witnesses of the suite (shared/witnesses.py): the shapes classifier (a picture counts for
its class only when recognised as a shape with confidence >= 0.9) and the pixels alone (the core
colour within shared/pixel_check.py's distance of a palette colour, in one clean piece).

    shares = shares_of(images)        # uint8 (n, 32, 32, 3)
    shares["colour"]["blue"]          # the classifier's share of blue among all n
    shares["pixel_colour"]["blue"]    # the pixels' share

Shares are of all n pictures, so a generator's unrecognised samples lower every class (the shares
of the classes sum to its valid share, not to 1).
"""

from __future__ import annotations

import numpy as np

from shared.datasets import LABEL_NAMES


def shares_of(images: np.ndarray) -> dict[str, dict[str, float]]:
    """{"shape": {name: share}, "colour": {...}, "pixel_colour": {...}} over uint8 (n, 32, 32, 3)."""
    from shared.shapes_classifier import HEAD_CLASSES
    from shared.witnesses import read

    seen = read(images)
    names = HEAD_CLASSES["shape"]
    shape, valid, colour, clean, check = seen.shape, seen.valid, seen.colour, seen.clean, seen.pixels
    n = len(images)
    return {
        "shape": {s: float((valid & (shape == names.index(s))).sum() / n) for s in LABEL_NAMES["shape"]},
        "colour": {c: float((valid & (colour == i)).sum() / n) for i, c in enumerate(HEAD_CLASSES["colour"])},
        "pixel_colour": {c: float((clean & (check.colour == i)).sum() / n) for i, c in enumerate(LABEL_NAMES["colour"])},
    }


def label_shares(labels: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """The true shares of a labelled set (shared.datasets.ShapesData.labels: class indices per name)."""
    return {name: {c: float((labels[name] == i).mean()) for i, c in enumerate(LABEL_NAMES[name])}
            for name in ("shape", "colour")}
