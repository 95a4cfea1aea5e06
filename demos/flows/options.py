"""The flows demo's choices, limits and defaults: the one place both UIs build their widgets from,
torch-free so a UI can be built without loading torch."""

from __future__ import annotations

from dataclasses import dataclass

from shared import limits
from shared.live import CAP_S

# ---- a flow on 2-D points, trained live ----
# (key, label): the two families of layers zuko builds (demos/flows/model.py)
FLOW_KINDS: dict[str, str] = {
    "nsf": "Neural spline flow (monotonic rational-quadratic splines)",
    "realnvp": "RealNVP (affine coupling: shift and scale half the point by the other half)",
}
LAYERS = limits.IntRange("number of layers", 1, 8)
LAYERS_SLIDER = limits.Slider(LAYERS, 4, 1)
HIDDEN = 64  # the width of each layer's two hidden layers (the network that sets its parameters)
LR = 3e-3
BATCH = 256
MAX_STEPS = 20_000  # a run stops here
PRESS_STEPS = limits.IntRange("training steps per press", 10, MAX_STEPS)
PRESS_STEPS_SLIDER = limits.Slider(limits.IntRange(PRESS_STEPS.name, 100, 5000), 500, 100)  # 500: the ring of 8 learned
STEP_STEPS = 25  # what one press of Step trains: a single update is too small to see
RUN_SECONDS = CAP_S  # one press trains at most this long

VIEW_RANGE = 3.0  # the views show [-3, 3]^2; the toy sets lie in about [-2.5, 2.5]^2
SAMPLE_POINTS = 800  # samples drawn in the views, from the same noise all run long (they move as it learns)
DATA_POINTS = 1500  # data points drawn under the samples and pushed through the layers
TEST_POINTS = 2048  # held-out points (another seed of the data set) for the test loss
DENSITY_GRID = 64  # the log-density heatmap is evaluated on DENSITY_GRID^2 points (and drawn smoothed)
GRID_LINES = 13  # lines per direction of the grid warped through the layers
GRID_LINE_POINTS = 60  # points along each grid line


@dataclass(frozen=True)
class Defaults:
    """Where every widget starts, in both UIs."""

    dataset: str = "ring8"
    kind: str = "nsf"
    layers: int = LAYERS_SLIDER.value
    seed: int = 0
    press_steps: int = PRESS_STEPS_SLIDER.value


DEFAULTS = Defaults()


# ---- the image flow on shapes (demos/flows/images.py) ----
IMAGE_FLOW = "flow-shapes"  # checkpoints/flow-shapes (demos/flows/train.py)
IMAGE_SAMPLES = limits.IntRange("number of samples", 1, 32)
IMAGE_SAMPLES_SLIDER = limits.Slider(IMAGE_SAMPLES, 16, 1)
IMAGE_TEMPERATURE = limits.FloatRange("temperature", 0.0, 1.5)
# Glow's 0.7: told labels drawn as the data's, valid shapes 89.6% at 0.7 against 81.8% at 1 (92.0% at 0.5),
# the rarest shape 9.6% against 8.4%, Fréchet distance 195 against 204 (python -m benchmarks.flow_images);
# told nothing, p(x), 16.7% against 18.7% valid: its typical image is nearer the empty background
IMAGE_TEMPERATURE_SLIDER = limits.Slider(IMAGE_TEMPERATURE, 0.7, 0.05)
from shared.told import ANY, COLOUR_CHOICES, SHAPE_CHOICES  # noqa: E402, F401 (told what to draw: model.py)

IMAGE_INDEX = limits.IntRange("held-out image", 0, 1999)  # shared.datasets.held_out_shapes
FRAMES = limits.IntRange("number of frames", 2, 16)
FRAMES_SLIDER = limits.Slider(FRAMES, 8, 1)
HELD_OUT_SOURCE, UPLOAD_SOURCE = "held-out shape", "your picture"
from shared.datasets import BACKGROUND, NOT_SHAPE_KINDS  # noqa: E402
from shared.pictures import PictureLimits  # noqa: E402

SOURCES: tuple[str, ...] = (HELD_OUT_SOURCE, *NOT_SHAPE_KINDS, UPLOAD_SOURCE)
PICTURE = PictureLimits(max_bytes=20 * 2**20, max_pixels=4096 * 4096, min_side=8, noun="image", background=BACKGROUND)
SURPRISE_IMAGES = 500  # images that are not shapes, cycling through the kinds (the card's figure uses the same)
SURPRISE_SEED = 7


@dataclass(frozen=True)
class ImageDefaults:
    samples: int = IMAGE_SAMPLES_SLIDER.value
    temperature: float = IMAGE_TEMPERATURE_SLIDER.value
    seed: int = 0
    told: bool = True  # each sample is told its labels (shape, colour, size, position); False: p(x), nothing told
    shape: str = ANY
    colour: str = ANY
    source: str = HELD_OUT_SOURCE
    image: int = 0
    a: int = 3
    b: int = 40
    frames: int = FRAMES_SLIDER.value


IMAGE_DEFAULTS = ImageDefaults()


# ---- presenter links: ?tab=flows&present=1&data=checkerboard&flow=nsf&layers=6 opens the run ready to Start ----
from shared import presenter  # noqa: E402 (kept beside what it declares)
from shared.datasets import TOY_2D_NAMES  # noqa: E402

LINK_PARAMS: dict[str, presenter.LinkParam] = {
    "data": presenter.choice_param("data set", tuple(TOY_2D_NAMES)),
    "flow": presenter.choice_param("flow", tuple(FLOW_KINDS)),
    "layers": presenter.int_param(LAYERS),
    "seed": presenter.int_param(limits.SEED),
    "steps": presenter.int_param(PRESS_STEPS),
}
LINK_EXAMPLE: dict[str, str] = {"data": "checkerboard", "flow": "nsf", "layers": "6", "steps": "1500"}
