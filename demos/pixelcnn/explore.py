"""The PixelCNN tab's logic, for both front ends: the bundled model, samples drawn pixel by pixel and
streamed, completions of a held-out image whose lower rows are hidden, and what each pixel costs in
bits.

    for frame in stream_samples(n=16, seed=0, temperature=1.0): show(frame)   # told labels drawn at random
    for frame in stream_samples(16, 0, 1.0, shape="star", colour="blue", guidance=1.0): show(frame)
    for frame in stream_samples(16, 0, 1.0, told=False): show(frame)           # p(x): nothing told
    for frame in stream_completions(image=3, rows_kept=16, n=4, seed=0, temperature=1.0): show(frame)
    bits = pixel_bits(image)   # bits.per_pixel (32, 32), bits.bits_per_dim

Sampling is deterministic given its inputs, so the streams are shared (shared/shared_stream.py):
thirty visitors pressing the default draw it once and all watch the same pixels arrive.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from demos.pixelcnn import options
from shared import limits
from shared.shared_stream import SharedStreams
from shared.told import told_labels

if TYPE_CHECKING:
    from demos.pixelcnn.model import GatedPixelCNN


def load_model() -> GatedPixelCNN:
    """The bundled PixelCNN, loaded once per process."""
    from demos.pixelcnn.model import GatedPixelCNN
    from shared.checkpoints import load

    return load(GatedPixelCNN, options.BUNDLED, device="cpu").model


def held_out_image(index: object) -> np.ndarray:
    """Held-out image `index` (never trained on), uint8 (32, 32, 3)."""
    from demos.pixelcnn.sampling import held_out_images

    return held_out_images()[options.IMAGE.check(index)]


def read_picture(path: object) -> np.ndarray:
    """An uploaded picture as the model reads it: upright RGB, transparent pixels on the data's
    background, the centre square shrunk to 32x32; uint8 (32, 32, 3)."""
    from shared.pictures import centre_square, open_picture

    if not path or not isinstance(path, str):
        raise limits.LimitError("There is no picture: upload one, or measure a held-out image.")
    return centre_square(open_picture(path, options.PICTURE), options.SIDE)


# ---- samples, pixel by pixel ---------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """The images so far: palette codes (n, 32, 32), -1 where no pixel is drawn yet."""

    codes: np.ndarray
    palette: np.ndarray  # (n_colours, 3) uint8
    row: int  # the pixel drawn last
    col: int
    probs: np.ndarray  # (n_colours,) the distribution image 1's pixel (row, col) was drawn from
    drawn: int  # pixels drawn in each image so far
    total: int  # pixels each image will have drawn
    seconds: float
    labels: np.ndarray | None = None  # (n, 4) what each image was told (model.LABEL_HEADS), None: nothing

    @property
    def captions(self) -> list[str] | None:
        """Each image's told shape and colour ("large blue star"), None when nothing was told."""
        from shared.told import captions

        return None if self.labels is None else captions(self.labels)

    @property
    def done(self) -> bool:
        return self.drawn == self.total

    @property
    def images(self) -> np.ndarray:
        """uint8 (n, 32, 32, 3); pixels not drawn yet are black."""
        return np.where((self.codes >= 0)[..., None], self.palette[np.maximum(self.codes, 0)], 0).astype(np.uint8)


def _frames(n: int, seed: int, temperature: float, start: np.ndarray | None, from_pixel: int,
            labels: np.ndarray | None = None, guidance: float = 0.0,
            every_s: float = options.FRAME_EVERY_S) -> Iterator[Frame]:
    """The sampler's steps, one frame after the first pixel, then at most every `every_s`, and the last."""
    from demos.pixelcnn.sampling import sample

    model = load_model()
    palette = np.asarray(model.palette, dtype=np.uint8)
    total = options.SIDE * options.SIDE - from_pixel
    t0 = last = time.perf_counter()
    for k, step in enumerate(sample(model, n, seed, temperature, start, from_pixel, labels, guidance), start=1):
        now = time.perf_counter()
        if k == 1 or k == total or now - last >= every_s:
            last = now
            yield Frame(step.codes.astype(np.int16), palette, step.row, step.col, step.probs[0].astype(np.float32),
                        k, total, now - t0, labels)


def _samples(n: int, seed: int, temperature: float, told: bool = False, shape: str = options.ANY,
             colour: str = options.ANY, guidance: float = 0.0) -> Iterator[Frame]:
    labels = told_labels(n, seed, shape, colour) if told else None
    return _frames(n, seed, temperature, None, 0, labels, guidance)


def _completions(image: int, rows_kept: int, n: int, seed: int, temperature: float) -> Iterator[Frame]:
    from demos.pixelcnn.sampling import to_codes

    codes, _ = to_codes(held_out_image(image)[None], load_model().palette)
    return _frames(n, seed, temperature, np.repeat(codes, n, axis=0), rows_kept * options.SIDE)


_shared_samples = SharedStreams(_samples, keep=8, name="pixelcnn-samples")
_shared_completions = SharedStreams(_completions, keep=8, name="pixelcnn-completions")


def can_be_told() -> bool:
    """Whether the bundled model was trained with labels (its config says so: nothing is loaded)."""
    import json

    from shared.checkpoints import CHECKPOINTS_DIR

    return int(json.loads((CHECKPOINTS_DIR / options.BUNDLED / "config.json").read_text()).get("label_dim", 0)) > 0


def stream_samples(n: object, seed: object, temperature: object, shape: object = options.DEFAULTS.shape,
                   colour: object = options.DEFAULTS.colour, guidance: object = options.DEFAULTS.guidance,
                   told: object = options.DEFAULTS.told) -> Iterator[Frame]:
    """n new images drawn pixel by pixel in raster order; checked here, before anything is drawn.
    told: each image is told its labels (shape and colour as asked, or at random; size and position
    at random) and sampled with guidance; not told: p(x) itself, and shape, colour and guidance are
    not used. A reader slower than the sampler gets the newest frame each time (and always the last)."""
    n, seed = options.SAMPLES.check(n), limits.SEED.check(seed)
    temperature = options.TEMPERATURE.check(temperature)
    shape = limits.check_choice("shape", shape, options.SHAPE_CHOICES)
    colour = limits.check_choice("colour", colour, options.COLOUR_CHOICES)
    guidance = options.GUIDANCE.check(guidance)
    if limits.check_bool("told", told) and not can_be_told():
        told = False  # a model trained without labels (an older checkpoint) draws p(x)
    if not told:  # the same draw whatever the unused settings say: one shared stream
        shape, colour, guidance = options.ANY, options.ANY, 0.0
    return _shared_samples(n, seed, temperature, told, shape, colour, guidance, latest=True)


def stream_completions(image: object, rows_kept: object, n: object, seed: object, temperature: object) -> Iterator[Frame]:
    """Held-out image `image` with its rows from `rows_kept` on hidden, drawn again n times."""
    return _shared_completions(options.IMAGE.check(image), options.ROWS_KEPT.check(rows_kept),
                               options.COMPLETIONS.check(n), limits.SEED.check(seed),
                               options.TEMPERATURE.check(temperature), latest=True)


# ---- what each pixel costs -----------------------------------------------------------------------


@dataclass(frozen=True)
class Bits:
    image: np.ndarray  # uint8 (32, 32, 3), as scored (colours off the palette moved to the nearest)
    per_pixel: np.ndarray  # (32, 32) -log2 p(x_ij | the pixels before it), bits
    off_palette: int  # pixels whose colour the data never uses (scored as the nearest palette colour)

    @property
    def bits_per_dim(self) -> float:
        return float(self.per_pixel.sum()) / (3 * self.per_pixel.size)


def pixel_bits(image: np.ndarray) -> Bits:
    """The exact cost of every pixel of a uint8 (32, 32, 3) image under the bundled model."""
    import torch

    from demos.pixelcnn.sampling import to_codes, to_images

    image = np.asarray(image)
    if image.shape != (options.SIDE, options.SIDE, 3) or image.dtype != np.uint8:
        raise limits.LimitError(f"The image must be {options.SIDE}x{options.SIDE} RGB; got {image.dtype} {image.shape}.")
    model = load_model()
    codes, off = to_codes(image[None], model.palette)
    x = torch.from_numpy(codes)
    with torch.no_grad():
        nats = torch.nn.functional.cross_entropy(model(x), x, reduction="none")[0]
    return Bits(to_images(codes, model.palette)[0], (nats / math.log(2)).numpy().astype(np.float64), off)
