"""The diffusion demo's choices, limits and defaults: the one place both UIs build their widgets
from, torch-free so a UI can be built without loading torch."""

from __future__ import annotations

from dataclasses import dataclass

from shared import limits

# ---- the forward process ----
TIMESTEP = limits.IntRange("timestep t", 0, 999)
TIMESTEP_SLIDER = limits.Slider(TIMESTEP, 300, 1)
SCHEDULE_CHOICES: tuple[tuple[str, str], ...] = (("cosine", "squaredcos_cap_v2"), ("linear", "linear"))  # (label, name)

# ---- image sampling, samplers side by side, inpainting ----
HUB_DEFAULT = "google/ddpm-cifar10-32"
MODEL_CHOICES: tuple[tuple[str, str], ...] = (  # (label, spec)
    ("diffusion-shapes (bundled, trained here on shapes)", "diffusion-shapes"),
    (f"{HUB_DEFAULT} (Hugging Face Hub, 35.7 M parameters, CIFAR-10)", HUB_DEFAULT),
)
SAMPLERS: tuple[str, ...] = ("DDPM", "DDIM", "Euler", "DPM-Solver++")
INPAINT_SAMPLERS: tuple[str, ...] = ("DDIM", "DDPM")
STEPS = limits.IntRange("number of denoising steps", 1, 1000)
STEPS_SLIDER = limits.Slider(STEPS, 50, 1)  # sampling
INPAINT_STEPS_SLIDER = limits.Slider(STEPS, 100, 1)
SAMPLES = limits.IntRange("number of samples", 1, 16)
SAMPLES_SLIDER = limits.Slider(SAMPLES, 4, 1)
MAX_SIDE = 64  # largest image side sampled here: a 256x256 UNet takes seconds per step on a CPU
COMPARE_RUNS = limits.IntRange("number of samplers to compare", 1, 3)
COMPARE_SAMPLES = limits.IntRange("number of images per sampler", 1, 16)
COMPARE_SAMPLES_SLIDER = limits.Slider(COMPARE_SAMPLES, 8, 1)
REGIONS: tuple[str, ...] = ("centre square", "left half", "right half", "top half", "bottom half")
# a rectangle to fill, its edges in percent of the image side (the Streamlit page has no brush)
RECT_PERCENT = limits.IntRange("rectangle edge (percent of the image)", 0, 100)

# ---- diffusion on 2-D points, trained live ----
T = 100  # diffusion steps: plenty for 2-D, and a flow that can be watched step by step
HIDDEN = limits.IntRange("hidden width", 16, 512)
LAYERS = limits.IntRange("number of hidden layers", 1, 6)
LR = limits.FloatRange("learning rate", 1e-5, 0.1)
BATCH = limits.IntRange("batch size", 16, 4096)
MAX_STEPS = 20_000  # a run stops here
TRAIN_STEPS = limits.IntRange("number of training steps", 1, MAX_STEPS)
PRESS_STEPS = limits.IntRange("training steps", 100, 10_000)  # one press of Train and sample
PRESS_STEPS_SLIDER = limits.Slider(PRESS_STEPS, 2000, 100)  # 2000: about 10 s on 2 CPU cores
SAMPLE_POINTS = limits.IntRange("number of points", 1, 5000)
FLOW_POINTS = 600  # points sampled after each press


@dataclass(frozen=True)
class Defaults:
    """Where every widget starts, in both UIs."""

    forward_seed: int = 0
    schedule: str = "squaredcos_cap_v2"
    t: int = TIMESTEP_SLIDER.value
    model: str = "diffusion-shapes"
    sampler: str = "DDIM"
    steps: int = STEPS_SLIDER.value
    n: int = SAMPLES_SLIDER.value
    seed: int = 0
    compare: tuple[tuple[str, int], ...] = (("DDPM", 100), ("DDIM", 20), ("DPM-Solver++", 10))
    compare_n: int = COMPARE_SAMPLES_SLIDER.value
    compare_seed: int = 0
    picture_seed: int = 0
    region: str = "centre square"
    inpaint_sampler: str = "DDIM"
    inpaint_steps: int = INPAINT_STEPS_SLIDER.value
    inpaint_seed: int = 0
    rectangle: tuple[int, int, int, int] = (25, 75, 25, 75)  # top, bottom, left, right, in percent
    dataset: str = "ring8"
    toy_seed: int = 0
    press_steps: int = PRESS_STEPS_SLIDER.value


DEFAULTS = Defaults()


# ---- presenter links: ?tab=diffusion&present=1&sampler=DDIM&steps=50&images=8&seed=3 opens a sampling run ----
from shared import presenter  # noqa: E402 (kept beside what it declares)

LINK_PARAMS: dict[str, presenter.LinkParam] = {
    "model": presenter.choice_param("image model", tuple(spec for _, spec in MODEL_CHOICES)),
    "sampler": presenter.choice_param("sampler", SAMPLERS),
    "steps": presenter.int_param(STEPS),
    "images": presenter.int_param(SAMPLES),
    "seed": presenter.int_param(limits.SEED),
}
# the bundled model, 50 DDIM steps (under a second on a CPU), eight samples
LINK_EXAMPLE: dict[str, str] = {"sampler": "DDIM", "steps": "50", "images": "8", "seed": "3"}
