"""The PixelCNN demo's choices, limits and defaults: the one place both UIs build their widgets
from, torch-free so a UI can be built without loading torch."""

from __future__ import annotations

from dataclasses import dataclass

from shared import limits

BUNDLED = "pixelcnn-shapes"  # checkpoints/pixelcnn-shapes (demos/pixelcnn/train.py)
SIDE = 32  # the images are SIDE x SIDE pixels

# ---- sampling, pixel by pixel ----
SAMPLES = limits.IntRange("number of samples", 1, 16)
SAMPLES_SLIDER = limits.Slider(SAMPLES, 16, 1)
TEMPERATURE = limits.FloatRange("temperature", 0.1, 1.5)
TEMPERATURE_SLIDER = limits.Slider(TEMPERATURE, 1.0, 0.05)

# ---- told what to draw (a PixelCNN trained with labels: model.py) ----
from shared.told import ANY, COLOUR_CHOICES, SHAPE_CHOICES  # noqa: E402 (the choices both UIs offer)

GUIDANCE = limits.FloatRange("guidance", 0.0, 5.0)  # classifier-free, per pixel (sampling.py); 0: none
# default 0: at 1 more samples are drawn as told (71.5% against 68.1%) but fewer come out whole
# (82.4% valid against 85.2%), at twice the work (python -m benchmarks.pixelcnn --guidance 1)
GUIDANCE_SLIDER = limits.Slider(limits.FloatRange(GUIDANCE.name, 0.0, 3.0), 0.0, 0.25)
FRAME_EVERY_S = 0.25  # a streamed picture at most this often (the first one after the first pixel)
TOP_COLOURS = 8  # the current pixel's distribution shows its most likely colours

# ---- completion: the lower rows of a held-out image drawn again ----
IMAGE = limits.IntRange("held-out image", 0, 1999)  # demos/pixelcnn/train.py: HELD_OUT images
ROWS_KEPT = limits.IntRange("rows kept", 1, SIDE - 1)
ROWS_KEPT_SLIDER = limits.Slider(limits.IntRange(ROWS_KEPT.name, 4, 28), 16, 1)  # 16: the lower half masked
COMPLETIONS = limits.IntRange("number of completions", 1, 8)
COMPLETIONS_SLIDER = limits.Slider(COMPLETIONS, 4, 1)

# ---- bits per dimension of any picture ----
from shared.datasets import BACKGROUND  # noqa: E402
from shared.pictures import PictureLimits  # noqa: E402

PICTURE = PictureLimits(max_bytes=20 * 2**20, max_pixels=4096 * 4096, min_side=8, noun="image", background=BACKGROUND)

# ---- the receptive field of one pixel ----
PIXEL = limits.IntRange("pixel row or column", 0, SIDE - 1)
PIXEL_SLIDER = limits.Slider(PIXEL, 16, 1)


@dataclass(frozen=True)
class Defaults:
    """Where every widget starts, in both UIs."""

    samples: int = SAMPLES_SLIDER.value
    temperature: float = TEMPERATURE_SLIDER.value
    told: bool = True  # each image is told its labels (shape, colour, size, position); False: p(x), nothing told
    shape: str = ANY
    colour: str = ANY
    guidance: float = GUIDANCE_SLIDER.value
    seed: int = 0
    image: int = 32  # a large purple triangle across the middle: the kept rows hold its top half
    rows_kept: int = ROWS_KEPT_SLIDER.value
    completions: int = COMPLETIONS_SLIDER.value
    row: int = PIXEL_SLIDER.value
    col: int = PIXEL_SLIDER.value


DEFAULTS = Defaults()


# ---- presenter links: ?tab=pixelcnn&present=1&n=16&temperature=0.8&seed=3 opens the tab with these ----
from shared import presenter  # noqa: E402 (kept beside what it declares)

LINK_PARAMS: dict[str, presenter.LinkParam] = {
    "n": presenter.int_param(SAMPLES),
    "temperature": presenter.float_param(TEMPERATURE),
    "seed": presenter.int_param(limits.SEED),
    "shape": presenter.choice_param("shape", SHAPE_CHOICES),
    "colour": presenter.choice_param("colour", COLOUR_CHOICES),
    "guidance": presenter.float_param(GUIDANCE),
}
LINK_EXAMPLE: dict[str, str] = {"n": "16", "temperature": "0.8", "seed": "3", "shape": "star", "colour": "blue"}
