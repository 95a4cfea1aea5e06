"""The flows tab's image flow, for both front ends: the bundled Glow-style flow on `shapes`
(demos/flows/model.py, trained by demos/flows/train.py): samples at a temperature, the exact
bits per dimension of any image, a straight line between two images' latent codes, and the known
surprise, measured: which images that are not shapes the flow likes better than shapes.

    images = sample_images(load_image_flow(), n=16, seed=0, temperature=0.7)   # uint8 (16, 32, 32, 3)
    scored = score(picture)          # scored.bits: bits per dimension; scored.better_than: share of held-out shapes
    frames = interpolate(a=3, b=40, frames=8)
    rows = surprise_table()          # mean bits per kind of image, memoised
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from demos.flows import options
from shared import limits
from shared.memo import memoised

if TYPE_CHECKING:
    import torch

    from demos.flows.model import ImageFlow


def load_image_flow() -> ImageFlow:
    """The bundled image flow, loaded once per process."""
    from demos.flows.model import ImageFlow
    from shared.checkpoints import load

    return load(ImageFlow, options.IMAGE_FLOW, device="cpu").model.eval()


def as_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 (n, 32, 32, 3) -> uint8 (n, 3, 32, 32)."""
    import torch

    return torch.from_numpy(np.array(images, dtype=np.uint8)).permute(0, 3, 1, 2).contiguous()


def bits_per_dim(flow: ImageFlow, images: np.ndarray, seed: int = 0, batch: int = 250,
                 labels: torch.Tensor | None = None) -> np.ndarray:
    """(n,) the dequantised bound in bits per dimension of uint8 (n, 32, 32, 3) images, the noise from
    `seed`; labels (n, 4): told each image's (a told flow's -log2 p(x | labels)), None: p(x)."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    x = as_tensor(images)
    with torch.no_grad():
        return torch.cat([flow.bits_per_dim(x[i:i + batch], gen, None if labels is None else labels[i:i + batch])
                          for i in range(0, len(x), batch)]).double().numpy()


def sample_images(flow: ImageFlow, n: int, seed: int, temperature: float = options.IMAGE_TEMPERATURE_SLIDER.value,
                  labels: np.ndarray | None = None) -> np.ndarray:
    """n samples, uint8 (n, 32, 32, 3), the noise of every level from `seed`, scaled by `temperature`;
    labels: (n, 4) what each is told (shared/told.py; None: nothing)."""
    import torch

    from shared.told import check_labels

    told = None if labels is None else check_labels(labels, n)
    with torch.no_grad():
        zs = flow.sample_noise(n, temperature, torch.Generator().manual_seed(seed))
        pixels = (flow.decode(zs, told) * 256).floor().clamp(0, 255)  # y = (x + u) / 256: x is y's bin
    return pixels.to(torch.uint8).permute(0, 2, 3, 1).numpy()


def samples(n: object, temperature: object, seed: object, shape: object = options.ANY, colour: object = options.ANY,
            told: object = options.IMAGE_DEFAULTS.told) -> np.ndarray:
    """The tab's samples, checked here first; the same inputs are drawn once for everyone (read-only).
    told: each is told the labels sample_labels gives; else p(x), nothing told."""
    n, seed = options.IMAGE_SAMPLES.check(n), limits.SEED.check(seed)
    labels = sample_labels(n, seed, shape, colour, told)
    return _samples(n, options.IMAGE_TEMPERATURE.check(temperature), seed,
                    None if labels is None else tuple(map(tuple, labels.tolist())))


def sample_labels(n: int, seed: int, shape: object, colour: object, told: object) -> np.ndarray | None:
    """(n, 4) what each of the tab's n samples of `seed` is told: the shape and colour asked for (or
    drawn at random: "any"), size and position drawn as the data draws them; None when not told."""
    from shared.told import told_labels

    shape = limits.check_choice("shape", shape, options.SHAPE_CHOICES)
    colour = limits.check_choice("colour", colour, options.COLOUR_CHOICES)
    if not limits.check_bool("told", told) or not load_image_flow().told:
        return None  # p(x), nothing told (as a flow trained without labels always draws)
    return told_labels(n, seed, shape, colour)


@memoised(32)
def _samples(n: int, temperature: float, seed: int, labels: tuple[tuple[int, ...], ...] | None) -> np.ndarray:
    images = sample_images(load_image_flow(), n, seed, temperature, None if labels is None else np.array(labels))
    images.setflags(write=False)
    return images


# ---- bits per dimension of any image -------------------------------------------------------------


@memoised(1)
def held_out_bits() -> np.ndarray:
    """(HELD_OUT_IMAGES,) bits per dimension of every held-out shape (shared.datasets: never trained on), read-only."""
    from shared.datasets import held_out_shapes

    bits = bits_per_dim(load_image_flow(), held_out_shapes())
    bits.setflags(write=False)
    return bits


def held_out_image(index: object) -> np.ndarray:
    from shared.datasets import held_out_shapes

    return held_out_shapes()[options.IMAGE_INDEX.check(index)]


def read_picture(path: object) -> np.ndarray:
    """An uploaded picture as the flow reads it: upright RGB on the data's background, the centre
    square shrunk to 32x32; uint8 (32, 32, 3)."""
    from shared.pictures import centre_square, open_picture

    if not path or not isinstance(path, str):
        raise limits.LimitError("There is no picture: upload one, or pick a held-out image or another kind.")
    return centre_square(open_picture(path, options.PICTURE), 32)


@memoised(8)
def example_of_kind(kind: str) -> np.ndarray:
    """One image of a kind that is not a shape (shared.datasets.NOT_SHAPE_KINDS), uint8 (32, 32, 3)."""
    from shared.datasets import NOT_SHAPE_KINDS

    kind = limits.check_choice("kind of image", kind, NOT_SHAPE_KINDS)
    return _not_shapes()[NOT_SHAPE_KINDS.index(kind)]  # the one the surprise table pictures


@memoised(1)
def _not_shapes() -> np.ndarray:
    """The surprise table's images that are not shapes, the kinds cycling, read-only."""
    from shared.datasets import make_not_shapes

    odd = make_not_shapes(options.SURPRISE_IMAGES, seed=options.SURPRISE_SEED)
    odd.setflags(write=False)
    return odd


@dataclass(frozen=True)
class Scored:
    image: np.ndarray  # uint8 (32, 32, 3), as the flow read it
    bits: float  # bits per dimension (an upper bound: one draw of the dequantisation noise)
    better_than: float  # the share of held-out shapes with more bits per dimension (that the flow likes less)
    held_out: np.ndarray  # every held-out shape's bits per dimension, for the histogram


def picture_to_score(source: object, index: object, path: object) -> np.ndarray:
    """The image the tab measures: a held-out shape (`index`), an example of a kind that is not a shape,
    or the uploaded picture at `path`."""
    from shared.datasets import NOT_SHAPE_KINDS

    source = limits.check_choice("image to measure", source, options.SOURCES)
    if source == options.HELD_OUT_SOURCE:
        return held_out_image(index)
    if source == options.UPLOAD_SOURCE:
        return read_picture(path)
    assert source in NOT_SHAPE_KINDS
    return example_of_kind(source)


def score(image: np.ndarray) -> Scored:
    """The exact (dequantised) bits per dimension of a uint8 (32, 32, 3) image, and its place among the held-out shapes."""
    image = np.asarray(image)
    if image.shape != (32, 32, 3) or image.dtype != np.uint8:
        raise limits.LimitError(f"The image must be 32x32 RGB; got {image.dtype} {image.shape}.")
    bits = float(bits_per_dim(load_image_flow(), image[None])[0])
    held = held_out_bits()
    return Scored(image, bits, float((held > bits).mean()), held)


# ---- a straight line between two images' codes ----------------------------------------------------


def encode(flow: ImageFlow, images: np.ndarray) -> list[torch.Tensor]:
    """Every level's z of uint8 (n, 32, 32, 3) images, each value at the middle of its 8-bit bin (no noise)."""
    import torch

    with torch.no_grad():
        s, _ = flow.squash((as_tensor(images).float() + 0.5) / 256)
        zs, _ = flow.to_noise(s)
    return zs


def interpolate(a: object, b: object, frames: object) -> np.ndarray:
    """`frames` images decoded along the straight line between the codes of held-out images a and b
    (a and b themselves, but for their bins' rounding, at the ends), uint8 (frames, 32, 32, 3), read-only."""
    return _interpolate(options.IMAGE_INDEX.check(a), options.IMAGE_INDEX.check(b), options.FRAMES.check(frames))


@memoised(32)
def _interpolate(a: int, b: int, frames: int) -> np.ndarray:
    import torch

    flow = load_image_flow()
    za, zb = encode(flow, held_out_image(a)[None]), encode(flow, held_out_image(b)[None])
    t = torch.linspace(0, 1, frames).view(-1, 1, 1, 1)
    zs = [(1 - t) * x + t * y for x, y in zip(za, zb, strict=True)]
    with torch.no_grad():
        pixels = (flow.decode(zs) * 256).floor().clamp(0, 255)
    images = pixels.to(torch.uint8).permute(0, 2, 3, 1).numpy()
    images.setflags(write=False)
    return images


# ---- the surprise: which images that are not shapes does the flow like? --------------------------


@dataclass(frozen=True)
class KindRow:
    kind: str  # "held-out shapes" or one of shared.datasets.NOT_SHAPE_KINDS
    n: int
    median_bits: float  # the median: a few images the flow all but rules out would swamp a mean
    better_than_median: float  # the share of these images that score better than the median held-out shape
    example: np.ndarray  # uint8 (32, 32, 3): the first image of the kind


@memoised(1)
def surprise_table() -> tuple[KindRow, ...]:
    """Median bits per dimension of held-out shapes and of each kind of image that is not a shape
    (options.SURPRISE_IMAGES, cycling through the kinds); memoised: the same for every visitor."""
    from shared.datasets import NOT_SHAPE_KINDS, held_out_shapes

    held = held_out_bits()
    median = float(np.median(held))
    odd = _not_shapes()
    odd_bits = bits_per_dim(load_image_flow(), odd)
    rows = [KindRow("held-out shapes", len(held), float(np.median(held)), 0.5, held_out_shapes()[0])]
    for k, kind in enumerate(NOT_SHAPE_KINDS):
        bits = odd_bits[k::len(NOT_SHAPE_KINDS)]
        rows.append(KindRow(kind, len(bits), float(np.median(bits)), float((bits < median).mean()),
                            odd[k]))
    return tuple(rows)
