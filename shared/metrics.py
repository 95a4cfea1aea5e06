"""Scores for generated 32x32 shapes images, judged by the bundled shapes classifier.

    scores = score_images(images)    # images: uint8 (n, 32, 32, 3)
    scores.valid_fraction            # recognised as one clean shape with confidence >= 0.9
    scores.class_shares              # share of all samples recognised as each shape (mode coverage)
    scores.frechet_distance          # Fréchet distance of classifier features to real data

Every bundled image generator (GAN, VAE, diffusion) is scored with these, so their model cards
can be compared.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from shared import limits

if TYPE_CHECKING:  # torch is imported only when a classifier is used
    from shared.shapes_classifier import ShapesClassifier

CONFIDENCE = 0.9
REFERENCE_SEED = 424_242  # real images the Fréchet distance compares against
REFERENCE_SIZE = 2_000


@dataclass(frozen=True)
class ShapeScores:
    n: int
    valid_fraction: float
    class_shares: dict[str, float]  # shape -> share of all n samples recognised as that shape
    frechet_distance: float
    colour_shares: dict[str, float] = field(default_factory=dict)

    @property
    def min_class_share(self) -> float:
        return min(self.class_shares.values())

    def as_markdown(self, shares: bool = True) -> str:
        """A table for a model card or the UI; shares=False leaves out the per-class rows."""
        rows = [
            "| metric | value |",
            "|---|---|",
            f"| samples | {self.n} |",
            f"| recognised as a valid shape (confidence ≥ {CONFIDENCE}) | {self.valid_fraction:.1%} |",
            f"| smallest shape-class share | {self.min_class_share:.1%} |",
            f"| Fréchet distance to real data (classifier features) | {self.frechet_distance:.2f} |",
        ]
        if shares:
            rows += [f"| share: {name} | {share:.1%} |" for name, share in self.class_shares.items()]
        return "\n".join(rows)


def frechet_distance(feats_a: np.ndarray, feats_b: np.ndarray) -> float:
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)), features (n, d) each."""
    from scipy import linalg

    mu_a, mu_b = feats_a.mean(0), feats_b.mean(0)
    cov_a, cov_b = np.cov(feats_a, rowvar=False), np.cov(feats_b, rowvar=False)
    covmean = linalg.sqrtm(cov_a @ cov_b)  # SciPy >= 1.16 dropped `disp`; both return the root first
    covmean = covmean[0] if isinstance(covmean, tuple) else covmean
    if not np.isfinite(covmean).all():  # near-singular product: regularise, as the FID reference code does
        eps = np.eye(len(cov_a)) * 1e-6
        covmean = linalg.sqrtm((cov_a + eps) @ (cov_b + eps))
    covmean = covmean.real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(covmean))


def _bundled_classifier() -> ShapesClassifier:
    from shared.checkpoints import load
    from shared.shapes_classifier import BUNDLED_NAME, ShapesClassifier

    return load(ShapesClassifier, BUNDLED_NAME).model


# classifier -> features of the real reference images; weak keys so a test's model can be freed
_reference_features: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def reference_features(model) -> np.ndarray:  # noqa: ANN001
    """Features of REFERENCE_SIZE real images from REFERENCE_SEED, float64 (n, d), cached per model."""
    from shared.datasets import make_shapes
    from shared.shapes_classifier import classify

    if model not in _reference_features:
        _reference_features[model] = classify(model, make_shapes(REFERENCE_SIZE, REFERENCE_SEED).images)[1]
    return _reference_features[model]


def score_images(images: np.ndarray, classifier=None) -> ShapeScores:  # noqa: ANN001 (torch-free signature)
    """Score generated images, uint8 (n, 32, 32, 3), against real `shapes` data."""
    from shared.shapes_classifier import HEAD_CLASSES, NOT_A_SHAPE, classify

    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1:] != (32, 32, 3) or images.dtype != np.uint8:
        raise limits.LimitError(f"Images to score must be uint8 (n, 32, 32, 3); got {images.dtype} {images.shape}.")
    limits.SCORED_IMAGES.check(len(images))
    model = classifier if classifier is not None else _bundled_classifier()
    probs, feats = classify(model, images)
    shape_p = probs["shape"]
    names = HEAD_CLASSES["shape"]
    best = shape_p.argmax(1)
    valid = (shape_p.max(1) >= CONFIDENCE) & (best != names.index(NOT_A_SHAPE))
    n = len(images)
    class_shares = {name: float((valid & (best == i)).sum() / n) for i, name in enumerate(names) if name != NOT_A_SHAPE}
    colours = probs["colour"].argmax(1)
    colour_shares = {name: float((valid & (colours == i)).sum() / n) for i, name in enumerate(HEAD_CLASSES["colour"])}
    # the Fréchet distance needs a covariance estimate: with very few samples it is meaningless
    fd = frechet_distance(feats, reference_features(model)) if n >= 2 else float("nan")
    return ShapeScores(n=n, valid_fraction=float(valid.mean()), class_shares=class_shares,
                       frechet_distance=fd, colour_shares=colour_shares)


def tensor_to_images(x) -> np.ndarray:  # noqa: ANN001
    """A model's output, float (n, 3, 32, 32) in [-1, 1] (torch or numpy), -> uint8 (n, 32, 32, 3)."""
    arr = x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)
    return ((arr.clip(-1, 1) + 1) * 127.5).round().astype(np.uint8).transpose(0, 2, 3, 1)
