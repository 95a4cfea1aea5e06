"""Logic of the GAN tab's latent-walk half: sample grids, walks between seeds, moves along an
attribute direction, each from the bundled GAN (or any ShapesGAN folder or Hub id). No UI code here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from demos.gan import latent
from shared import limits
from shared.memo import memoised

GRID_TILES = limits.IntRange("number of samples", 1, 64)
ARITHMETIC_FRAMES = 9  # images in the strip from the sample to the moved sample


@dataclass(frozen=True)
class Grid:
    seeds: list[int]  # one per tile: typing the seed as a waypoint gives the same image
    rendered: latent.Rendered
    notice: str | None


@dataclass(frozen=True)
class Walk:
    seeds: list[int]
    rendered: latent.Rendered  # every frame and the discriminator's verdict on it
    waypoint_frames: list[float]  # where along the frames each waypoint sits
    notice: str | None


@dataclass(frozen=True)
class Move:
    rendered: latent.Rendered  # amount 0 -> amount in ARITHMETIC_FRAMES steps
    amounts: np.ndarray
    counts: tuple[int, int]  # labelled samples behind the direction: (source, target)
    verdict: str  # what the classifier reads in the moved sample
    notice: str | None


def load_gan(spec: str | None = None):  # noqa: ANN201 (Loaded[ShapesGAN])
    from demos.gan.model import BUNDLED_NAME, ShapesGAN
    from shared.checkpoints import load

    return load(ShapesGAN, spec or BUNDLED_NAME, fallback=BUNDLED_NAME)


def bundled_folders(loaded) -> tuple[Path, Path] | None:  # noqa: ANN001 (Loaded[ShapesGAN])
    """(the bundled GAN's folder, the bundled classifier's folder) when `loaded` is the bundled GAN:
    where the arithmetic's stored labelling lives (latent.labelled_latents)."""
    from demos.gan.model import BUNDLED_NAME
    from shared.checkpoints import resolve
    from shared.shapes_classifier import BUNDLED_NAME as CLASSIFIER

    if loaded.source != "bundled" or loaded.spec != BUNDLED_NAME:
        return None
    return Path(resolve(BUNDLED_NAME)[1]), Path(resolve(CLASSIFIER)[1])


def sample_grid(seed: int, n: int = 16, psi: float = 1.0) -> Grid:
    """n samples, tile i from seed + i, truncated by psi. Memoised: the result is read-only."""
    seed = limits.SEED.check(seed)
    n = GRID_TILES.check(n)
    if seed + n - 1 > limits.SEED.high:
        raise limits.LimitError(f"The grid uses seeds {seed} to {seed + n - 1}; the largest seed is {limits.SEED.high}.")
    return _sample_grid(seed, n, latent.PSI.check(psi))


@memoised(maxsize=64)
def _sample_grid(seed: int, n: int, psi: float) -> Grid:
    loaded = load_gan()
    seeds = list(range(seed, seed + n))
    z = latent.truncate(latent.latents_for_seeds(seeds, loaded.model.z_dim), psi)
    return Grid(seeds, latent.render(loaded.model, z).read_only(), loaded.notice)


def walk_seeds(seeds_text: str, frames: int, mode: str = "slerp", psi: float = 1.0) -> Walk:
    """The walk through the typed waypoint seeds, every frame rendered and judged. Memoised: the
    result is read-only."""
    seeds = tuple(latent.parse_seeds(seeds_text))
    frames = latent.WALK_FRAMES.check(frames)
    mode = limits.check_choice("interpolation", mode, latent.INTERPOLATIONS)
    return _walk_seeds(seeds, frames, mode, latent.PSI.check(psi))


@memoised(maxsize=64)
def _walk_seeds(seeds: tuple[int, ...], frames: int, mode: str, psi: float) -> Walk:
    loaded = load_gan()
    waypoints = latent.truncate(latent.latents_for_seeds(list(seeds), loaded.model.z_dim), psi)
    z = latent.walk(waypoints, frames, mode)
    at = [i * (frames - 1) / (len(seeds) - 1) for i in range(len(seeds))]
    return Walk(list(seeds), latent.render(loaded.model, z).read_only(), at, loaded.notice)


def move_along(seed: int, attribute: str, source: str, target: str, amount: float, psi: float = 1.0) -> Move:
    """Latent arithmetic: z + a * (mean z of `target` samples - mean z of `source` samples), for a
    from 0 to `amount`, and what the shapes classifier reads in the result."""
    from shared.metrics import _bundled_classifier
    from shared.shapes_classifier import HEAD_CLASSES, classify

    seed = limits.SEED.check(seed)
    amount = latent.AMOUNT.check(amount)
    loaded = load_gan()
    gan = loaded.model
    classifier = _bundled_classifier()
    direction = latent.attribute_direction(gan, classifier, attribute, source, target, stored_in=bundled_folders(loaded))
    z = latent.truncate(latent.latent_for_seed(seed, gan.z_dim), psi)
    amounts = np.linspace(0.0, amount, ARITHMETIC_FRAMES)
    zs = z[None] + torch.as_tensor(amounts, dtype=torch.float32)[:, None] * direction.vector[None]
    rendered = latent.render(gan, zs)
    probs, _ = classify(classifier, rendered.images[-1:])
    names = HEAD_CLASSES[attribute]
    verdict = f"{names[int(probs[attribute][0].argmax())]} ({float(probs[attribute][0].max()):.0%})"
    return Move(rendered, amounts, direction.counts, verdict, loaded.notice)

