"""Walking the GAN's latent space: seeds to latents, truncation, interpolation, rendering, and
directions found from labelled samples. Pure logic: torch and numpy in, torch and numpy out.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from demos.gan.options import (  # noqa: F401 (re-exported)
    AMOUNT,
    ATTRIBUTES,
    FPS,
    INTERPOLATIONS,
    PSI,
    WALK_FRAMES,
    WAYPOINTS,
    Interpolation,
)
from shared import limits
from shared.contact_sheet import sheet
from shared.metrics import tensor_to_images


def latent_for_seed(seed: int, z_dim: int) -> torch.Tensor:
    """The latent z ~ N(0, I) of one seed, (z_dim,): a grid tile and a typed seed agree."""
    seed = limits.SEED.check(seed)
    return torch.randn(z_dim, generator=torch.Generator().manual_seed(seed))


def latents_for_seeds(seeds: list[int], z_dim: int) -> torch.Tensor:
    """(n, z_dim): one latent per seed."""
    return torch.stack([latent_for_seed(s, z_dim) for s in seeds])


def truncate(z: torch.Tensor, psi: float) -> torch.Tensor:
    """The truncation trick: pull z towards the mean latent (0) by psi in [0, 1].

    psi < 1 keeps samples near the well-trained centre of the latent space: cleaner, more typical
    images, less variety. psi = 0 gives the one "average" image.
    """
    return PSI.check(psi) * z


def lerp(z0: torch.Tensor, z1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Straight line: z0 + t (z1 - z0). z0, z1: (d,); t: (F,) -> (F, d)."""
    return z0 + t[:, None] * (z1 - z0)


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation: the direction moves along the great circle from z0 to z1 and the
    norm moves linearly between theirs, so frames stay at the radius where Gaussian latents live
    (a straight line between two such points dips towards the centre). z0, z1: (d,); t: (F,) -> (F, d).
    """
    n0, n1 = z0.norm(), z1.norm()
    u0, u1 = z0 / n0, z1 / n1
    omega = torch.arccos((u0 @ u1).clamp(-1.0, 1.0))  # angle between them
    if omega.abs() < 1e-6:  # (nearly) the same direction: the great circle degenerates to a point
        return lerp(z0, z1, t)
    # direction: sin((1-t) w)/sin(w) u0 + sin(t w)/sin(w) u1 ; norm: (1-t) n0 + t n1
    direction = (torch.sin((1 - t) * omega)[:, None] * u0 + torch.sin(t * omega)[:, None] * u1) / torch.sin(omega)
    return direction * ((1 - t) * n0 + t * n1)[:, None]


def walk(waypoints: torch.Tensor, frames: int, mode: Interpolation = "slerp") -> torch.Tensor:
    """A path through waypoints (k, d) in `frames` evenly spaced steps, (frames, d); the first and
    last frames are exactly the first and last waypoints, and every waypoint is a frame when
    frames - 1 is a multiple of k - 1."""
    WAYPOINTS.check(len(waypoints))
    frames = WALK_FRAMES.check(frames)
    mode = limits.check_choice("interpolation", mode, INTERPOLATIONS)
    step = slerp if mode == "slerp" else lerp
    u = torch.linspace(0, len(waypoints) - 1, frames, dtype=waypoints.dtype)  # position along the path
    segment = u.floor().long().clamp(max=len(waypoints) - 2)
    t = u - segment
    out = torch.empty(frames, waypoints.shape[1], dtype=waypoints.dtype)
    for s in segment.unique().tolist():
        at = segment == s
        out[at] = step(waypoints[s], waypoints[s + 1], t[at])
    return out


@dataclass(frozen=True)
class Rendered:
    images: np.ndarray  # uint8 (F, 32, 32, 3)
    p_real: np.ndarray  # float (F,): the discriminator's probability that each frame is real

    def read_only(self) -> Rendered:
        """The same arrays, made read-only: a memoised result is shared by every caller."""
        self.images.setflags(write=False)
        self.p_real.setflags(write=False)
        return self


@torch.inference_mode()
def render(gan, z: torch.Tensor, batch: int = 256) -> Rendered:  # noqa: ANN001 (ShapesGAN)
    """Generate images for latents (F, z_dim) and the discriminator's verdict on each."""
    device = next(gan.parameters()).device
    images, p = [], []
    for chunk in z.split(batch):
        x = gan.generator(chunk.to(device))
        images.append(tensor_to_images(x))
        p.append(torch.sigmoid(gan.discriminator(x)).cpu().numpy())
    return Rendered(np.concatenate(images), np.concatenate(p))


def parse_seeds(text: str) -> list[int]:
    """'3, 17 42' -> [3, 17, 42], each checked as a seed, 2 to 8 of them."""
    text = limits.check_text("list of waypoint seeds", text, 200)
    parts = [p for p in text.replace(",", " ").split() if p]
    seeds = []
    for p in parts:
        try:
            number = int(p)
        except ValueError:
            raise limits.LimitError(f"Waypoints are seeds separated by commas, like '3, 17, 42'; {p!r} is not a whole number.") from None
        seeds.append(limits.SEED.check(number))
    WAYPOINTS.check(len(seeds))
    return seeds


def filmstrip(rendered: Rendered, columns: int = 12, scale: int = 3) -> np.ndarray:
    """All frames in reading order, each with the discriminator's p(real) under it, uint8 RGB."""
    return sheet(rendered.images, [f"{i}: p={p:.2f}" for i, p in enumerate(rendered.p_real)], columns, scale)


@dataclass(frozen=True)
class Direction:
    vector: torch.Tensor  # (z_dim,): mean latent of `to` samples minus mean latent of `source` samples
    counts: tuple[int, int]  # how many labelled samples of each went into the means


@dataclass(frozen=True)
class LabelledLatents:
    z: torch.Tensor  # (n, z_dim)
    valid: np.ndarray  # (n,) bool: the classifier reads a shape, sure of it (p >= 0.9)
    labels: dict[str, np.ndarray]  # attribute -> (n,) index into ATTRIBUTES[attribute]


_labelled: dict[tuple, LabelledLatents] = {}
_labelled_lock = threading.Lock()
LABELS_NAME = "arithmetic-labels"  # the stored labelling beside the bundled GAN's weights (shared/stored_results.py)


@torch.inference_mode()
def label_latents(gan, classifier, z: torch.Tensor) -> tuple[np.ndarray, dict[str, np.ndarray]]:  # noqa: ANN001
    """What the shapes classifier reads in the samples of z (n, z_dim): (valid (n,) bool: a shape,
    read with p >= 0.9; labels: attribute -> (n,) index into ATTRIBUTES[attribute])."""
    from shared.shapes_classifier import HEAD_CLASSES, NOT_A_SHAPE, classify

    probs, _ = classify(classifier, render(gan, z).images)
    valid = (probs["shape"].max(1) >= 0.9) & (probs["shape"].argmax(1) != HEAD_CLASSES["shape"].index(NOT_A_SHAPE))
    return valid, {attribute: probs[attribute].argmax(1) for attribute in ATTRIBUTES}


def labels_key(classifier_folder: Path, n: int, seed: int) -> dict:
    """What a stored labelling was made with besides the GAN's weights: the classifier's weights, n, seed."""
    from shared.stored_results import weights_digest

    return {"classifier_sha256": weights_digest(classifier_folder), "n": n, "seed": seed}


def store_labels(gan, classifier, gan_folder: Path, classifier_folder: Path, n: int = 2000, seed: int = 0) -> Path:  # noqa: ANN001
    """Label the seeded draw now and store it beside the GAN's weights, for labelled_latents to read."""
    from shared.stored_results import save_json

    valid, labels = label_latents(gan, classifier, seeded_latents(n, gan.z_dim, seed))
    value = {"valid": valid.astype(int).tolist(), "labels": {a: v.tolist() for a, v in labels.items()}}
    return save_json(gan_folder, LABELS_NAME, value, labels_key(classifier_folder, n, seed))


def seeded_latents(n: int, z_dim: int, seed: int) -> torch.Tensor:
    return torch.randn(n, z_dim, generator=torch.Generator().manual_seed(seed))


def labelled_latents(gan, classifier, n: int = 2000, seed: int = 0,  # noqa: ANN001
                     stored_in: tuple[Path, Path] | None = None) -> LabelledLatents:
    """n latents of the seeded draw, their samples read by the shapes classifier. Cached per
    (model, classifier, n, seed): every direction between two values of any attribute reads the same
    samples, so one draw serves them all (and a room of visitors asking at once waits for one).
    stored_in: (the GAN's folder, the classifier's folder) of bundled models: the labelling stored
    beside the GAN's weights is read when those weights, that classifier, n and seed made it (the
    first press answers at once instead of labelling 2,000 samples, 13 s on 2 cores)."""
    from shared.stored_results import load_json

    key = (id(gan), id(classifier), n, seed)
    with _labelled_lock:
        if key not in _labelled:
            z = seeded_latents(n, gan.z_dim, seed)
            stored = load_json(stored_in[0], LABELS_NAME, labels_key(stored_in[1], n, seed)) if stored_in else None
            if stored is not None:
                valid = np.array(stored["valid"], bool)
                labels = {a: np.array(v, np.int64) for a, v in stored["labels"].items()}
            else:
                valid, labels = label_latents(gan, classifier, z)
            _labelled[key] = LabelledLatents(z, valid, labels)
        return _labelled[key]


def attribute_direction(gan, classifier, attribute: str, source: str, target: str,  # noqa: ANN001
                        n: int = 2000, seed: int = 0, stored_in: tuple[Path, Path] | None = None) -> Direction:
    """The latent direction from `source` to `target` (e.g. from blue to red): generate n samples,
    let the shapes classifier label them, and subtract the mean latents of the two groups."""
    attribute = limits.check_choice("attribute", attribute, ATTRIBUTES)
    source = limits.check_choice(attribute, source, ATTRIBUTES[attribute])
    target = limits.check_choice(attribute, target, ATTRIBUTES[attribute])
    if source == target:
        raise limits.LimitError(f"Pick two different values of {attribute} to find a direction between them.")
    drawn = labelled_latents(gan, classifier, n, seed, stored_in)
    names = ATTRIBUTES[attribute]
    groups = [torch.from_numpy(drawn.valid & (drawn.labels[attribute] == names.index(v))) for v in (source, target)]
    counts = (int(groups[0].sum()), int(groups[1].sum()))
    if min(counts) < 10:
        raise limits.LimitError(f"Too few samples recognised as {source} ({counts[0]}) or {target} ({counts[1]}) to find a direction.")
    return Direction(drawn.z[groups[1]].mean(0) - drawn.z[groups[0]].mean(0), counts)
