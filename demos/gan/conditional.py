"""Logic of the GAN tab's conditional half: the class-conditional GAN told which shape and colour to
draw (demos/gan/model.py), beside the unconditional one. No UI code here.

    grid = class_grid("star", "blue", seed=0, psi=1.0)        # 16 blue stars; "any" draws classes at random
    walk = class_walk(("circle", "red"), ("star", "blue"), seed=0, frames=9, psi=1.0)
    walk.by_class   # one z, the class code moving from a red circle to a blue star: what the label controls
    walk.by_noise   # one class, z moving from seed to seed + 1: what the noise controls
    shares = colour_shares()                                  # data vs unconditional vs conditional
    rows = truncation_rows("star", "blue", seed=0)            # the same latents at psi 1, 0.7, 0.4, 0

Every result is memoised and read-only; every input is validated (the HTTP API can send anything).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demos.gan.options import (
    ANY,
    CLASS_WALK_FRAMES,
    COLOUR_CHOICES,
    GRID_SAMPLES,
    SHAPE_CHOICES,
    SHARE_SAMPLES,
    TRUNCATION_PSIS,
    TRUNCATION_TILES,
)
from shared import limits
from shared.datasets import HELD_OUT_PAIRS, LABEL_NAMES
from shared.memo import memoised


def load_conditional(spec: str | None = None):  # noqa: ANN201 (Loaded[ConditionalShapesGAN])
    from demos.gan.model import CONDITIONAL_NAME, ConditionalShapesGAN
    from shared.checkpoints import load

    return load(ConditionalShapesGAN, spec or CONDITIONAL_NAME, fallback=CONDITIONAL_NAME)


def is_held_out(shape: str, colour: str) -> bool:
    """Whether no (shape, colour) sample of this pair was in the training data."""
    return (shape, colour) in HELD_OUT_PAIRS


@dataclass(frozen=True)
class Reading:
    """What the shapes classifier reads in images: a valid shape (confident, not "no shape"), which
    shape and which colour, per image."""

    valid: np.ndarray  # bool (n,)
    shape: tuple[str, ...]
    colour: tuple[str, ...]

    def as_asked(self, shapes: tuple[str, ...], colours: tuple[str, ...]) -> np.ndarray:
        """bool (n,): a valid shape of the asked shape and the asked colour."""
        return self.valid & (np.array(self.shape) == np.array(shapes)) & (np.array(self.colour) == np.array(colours))


def read_classes(images: np.ndarray) -> Reading:
    """The bundled classifier's reading of uint8 (n, 32, 32, 3) images."""
    from shared.metrics import CONFIDENCE, _bundled_classifier
    from shared.shapes_classifier import HEAD_CLASSES, NOT_A_SHAPE, classify

    probs, _ = classify(_bundled_classifier(), images)
    names = HEAD_CLASSES["shape"]
    shape = probs["shape"].argmax(1)
    valid = (probs["shape"].max(1) >= CONFIDENCE) & (shape != names.index(NOT_A_SHAPE))
    return Reading(valid, tuple(names[i] for i in shape), tuple(HEAD_CLASSES["colour"][i] for i in probs["colour"].argmax(1)))


def asked_classes(shape: str, colour: str, n: int, seed: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The (shape, colour) of each of n tiles: as picked, or for "any" drawn uniformly from the seed."""
    rng = np.random.default_rng([seed, 34])
    shapes = LABEL_NAMES["shape"] if shape == ANY else (shape,)
    colours = LABEL_NAMES["colour"] if colour == ANY else (colour,)
    return (tuple(shapes[i] for i in rng.integers(len(shapes), size=n)),
            tuple(colours[i] for i in rng.integers(len(colours), size=n)))


def _indices(shapes: tuple[str, ...], colours: tuple[str, ...]):  # noqa: ANN202 (two int64 tensors)
    import torch

    return (torch.tensor([LABEL_NAMES["shape"].index(s) for s in shapes]),
            torch.tensor([LABEL_NAMES["colour"].index(c) for c in colours]))


def _draw(model, z, code) -> np.ndarray:  # noqa: ANN001 (generator, tensors)
    """Images for latents (n, z_dim) and class codes (n, cond_dim), uint8 (n, 32, 32, 3)."""
    import torch

    from shared.metrics import tensor_to_images

    device = next(model.parameters()).device
    with torch.inference_mode():
        return tensor_to_images(model.generator.from_code(z.to(device), code.to(device)))


def _codes(model, shapes: tuple[str, ...], colours: tuple[str, ...], seeds: list[int]):  # noqa: ANN001, ANN202 (a tensor)
    """The class codes (n, cond_dim) of n tiles; a generator told the layout also gets each tile's size
    and position, drawn from the tile's seed (so the noise of a seed is its latent and its layout)."""
    import torch

    from demos.gan.model import layout_for_seeds

    device = next(model.parameters()).device
    labels = _indices(shapes, colours) + (layout_for_seeds(seeds) if model.told_layout else ())
    with torch.inference_mode():
        return model.generator.condition(*(t.to(device) for t in labels)).cpu()


def _latents(seeds: list[int], z_dim: int, psi: float):  # noqa: ANN202 (a tensor)
    from demos.gan import latent

    return latent.truncate(latent.latents_for_seeds(seeds, z_dim), psi)


def _check_pair(shape: str, colour: str, any_allowed: bool = True) -> tuple[str, str]:
    shapes = SHAPE_CHOICES if any_allowed else LABEL_NAMES["shape"]
    colours = COLOUR_CHOICES if any_allowed else LABEL_NAMES["colour"]
    return limits.check_choice("shape", shape, shapes), limits.check_choice("colour", colour, colours)


def _check_seed_span(seed: int, n: int) -> int:
    seed = limits.SEED.check(seed)
    if seed + n - 1 > limits.SEED.high:
        raise limits.LimitError(f"This uses seeds {seed} to {seed + n - 1}; the largest seed is {limits.SEED.high}.")
    return seed


# ---- a grid of asked-for classes ---------------------------------------------------------------


@dataclass(frozen=True)
class ClassGrid:
    asked: tuple[str, str]  # the (shape, colour) picked, either may be "any"
    images: np.ndarray  # uint8 (n, 32, 32, 3), tile i from latent seed + i
    seeds: list[int]
    shapes: tuple[str, ...]  # asked, per tile
    colours: tuple[str, ...]
    held_out: tuple[bool, ...]  # the asked pair was never in the training data
    as_asked: tuple[bool, ...]  # the classifier reads a valid shape of the asked shape and colour
    notice: str | None


def class_grid(shape: str, colour: str, seed: int, psi: float, n: int = GRID_SAMPLES) -> ClassGrid:
    """n samples of the asked shape and colour ("any": drawn at random), tile i from latent seed + i."""
    from demos.gan import latent

    shape, colour = _check_pair(shape, colour)
    n = limits.IntRange("number of samples", 1, 64).check(n)
    return _class_grid(shape, colour, _check_seed_span(seed, n), latent.PSI.check(psi), n)


@memoised(maxsize=64)
def _class_grid(shape: str, colour: str, seed: int, psi: float, n: int) -> ClassGrid:
    loaded = load_conditional()
    model = loaded.model
    seeds = list(range(seed, seed + n))
    shapes, colours = asked_classes(shape, colour, n, seed)
    images = _draw(model, _latents(seeds, model.z_dim, psi), _codes(model, shapes, colours, seeds))
    images.setflags(write=False)
    ok = read_classes(images).as_asked(shapes, colours)
    return ClassGrid((shape, colour), images, seeds, shapes, colours, tuple(is_held_out(s, c) for s, c in zip(shapes, colours)),
                     tuple(bool(v) for v in ok), loaded.notice)


# ---- what the label controls and what the noise controls ----------------------------------------


@dataclass(frozen=True)
class ClassWalk:
    by_class: np.ndarray  # uint8 (frames, 32, 32, 3): one latent, the class code from `start` to `end`
    by_noise: np.ndarray  # uint8 (frames, 32, 32, 3): the class `start`, the latent from seed to seed + 1
    start: tuple[str, str]
    end: tuple[str, str]
    seed: int
    read_class: tuple[str, ...]  # what the classifier reads along the class walk ("no clear shape" if not valid)
    notice: str | None


def class_walk(start: tuple[str, str], end: tuple[str, str], seed: int, frames: int, psi: float) -> ClassWalk:
    """Two walks of `frames` frames: at the fixed latent of `seed`, the class code mixed linearly
    from `start` (shape, colour) to `end`; and at the fixed class `start`, the latent slerped from
    seed to seed + 1."""
    from demos.gan import latent

    start, end = _check_pair(*start, any_allowed=False), _check_pair(*end, any_allowed=False)
    frames = CLASS_WALK_FRAMES.check(frames)
    return _class_walk(start, end, _check_seed_span(seed, 2), frames, latent.PSI.check(psi))


@memoised(maxsize=64)
def _class_walk(start: tuple[str, str], end: tuple[str, str], seed: int, frames: int, psi: float) -> ClassWalk:
    import torch

    from demos.gan import latent

    loaded = load_conditional()
    model = loaded.model
    z = _latents([seed, seed + 1], model.z_dim, psi)
    codes = _codes(model, (start[0], end[0]), (start[1], end[1]), [seed, seed])  # (2, cond_dim): one layout
    t = torch.linspace(0, 1, frames)[:, None]
    by_class = _draw(model, z[:1].expand(frames, -1), (1 - t) * codes[:1] + t * codes[1:])
    # the noise of a seed is its latent and, for a generator told the layout, its size and position
    noise_codes = _codes(model, (start[0],) * 2, (start[1],) * 2, [seed, seed + 1])
    by_noise = _draw(model, latent.walk(z, frames, "slerp"), (1 - t) * noise_codes[:1] + t * noise_codes[1:])
    reading = read_classes(by_class)
    read = tuple(f"{c} {s}" if ok else "no clear shape" for ok, s, c in zip(reading.valid, reading.shape, reading.colour))
    for images in (by_class, by_noise):
        images.setflags(write=False)
    return ClassWalk(by_class, by_noise, start, end, seed, read, loaded.notice)


# ---- mode collapse measured: the colours each GAN draws ------------------------------------------


@dataclass(frozen=True)
class ColourShares:
    n: int  # samples per source
    shares: dict[str, dict[str, float]]  # source -> colour -> share of all n samples read as a valid shape of it
    valid: dict[str, float]  # source -> share of valid shapes
    notice: str | None


def colour_shares(seed: int = 0) -> ColourShares:
    """The colours the classifier reads in SHARE_SAMPLES samples of the data, of the unconditional
    GAN and of the conditional one (classes drawn uniformly): the first GAN's collapse, and the fix."""
    return _colour_shares(SHARE_SAMPLES, limits.SEED.check(seed))


@memoised(maxsize=4)
def _colour_shares(n: int, seed: int) -> ColourShares:
    import torch

    from demos.gan import explore, latent
    from shared.datasets import make_shapes

    unconditional, conditional = explore.load_gan(), load_conditional()
    gen = torch.Generator().manual_seed(seed)
    images = {"data": make_shapes(n, seed=seed + 1).images}
    images["unconditional GAN"] = latent.render(unconditional.model, torch.randn(n, unconditional.model.z_dim, generator=gen)).images
    shapes, colours = asked_classes(ANY, ANY, n, seed)
    model = conditional.model
    images["conditional GAN"] = _draw(model, torch.randn(n, model.z_dim, generator=gen),
                                      _codes(model, shapes, colours, list(range(seed, seed + n))))
    shares, valid = {}, {}
    for source, pictures in images.items():
        reading = read_classes(pictures)
        valid[source] = float(reading.valid.mean())
        shares[source] = {c: float((reading.valid & (np.array(reading.colour) == c)).mean()) for c in LABEL_NAMES["colour"]}
    notice = " ".join(x for x in (unconditional.notice, conditional.notice) if x) or None
    return ColourShares(n, shares, valid, notice)


# ---- truncation, per class -----------------------------------------------------------------------


@dataclass(frozen=True)
class TruncationRows:
    images: np.ndarray  # uint8 (len(psis) * tiles, 32, 32, 3): row r at psis[r], the same latents in every row
    psis: tuple[float, ...]
    as_asked: tuple[float, ...]  # per row: the share the classifier reads as asked
    notice: str | None


def truncation_rows(shape: str, colour: str, seed: int, tiles: int = TRUNCATION_TILES) -> TruncationRows:
    """The same latents (seed, seed + 1, ...) of one class at each truncation psi: lower psi, more
    typical and alike."""
    shape, colour = _check_pair(shape, colour)
    tiles = limits.IntRange("number of samples per row", 1, 16).check(tiles)
    return _truncation_rows(shape, colour, _check_seed_span(seed, tiles), tiles)


@memoised(maxsize=64)
def _truncation_rows(shape: str, colour: str, seed: int, tiles: int) -> TruncationRows:
    loaded = load_conditional()
    model = loaded.model
    seeds = list(range(seed, seed + tiles))
    shapes, colours = asked_classes(shape, colour, tiles, seed)
    code = _codes(model, shapes, colours, seeds)
    images = np.concatenate([_draw(model, _latents(seeds, model.z_dim, psi), code) for psi in TRUNCATION_PSIS])
    images.setflags(write=False)
    ok = read_classes(images).as_asked(shapes * len(TRUNCATION_PSIS), colours * len(TRUNCATION_PSIS))
    rows = tuple(float(r.mean()) for r in np.split(ok, len(TRUNCATION_PSIS)))
    return TruncationRows(images, TRUNCATION_PSIS, rows, loaded.notice)
