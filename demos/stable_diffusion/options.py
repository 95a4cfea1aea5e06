"""Choices, limits and defaults of the Stable Diffusion tab, importable without torch. The logic
checks every value against these; the widgets take their ranges from them."""

from __future__ import annotations

from shared import limits

BUNDLED = "sd-shapes"
PIXEL_MODEL = "diffusion-shapes"  # the diffusion tab's bundled pixel-space UNet, by checkpoint name: the cost-of-pixels comparison
HUB_PIPELINE = "stabilityai/sd-turbo"  # 1 to 4 steps, guidance 0
HUB_PREVIEW = "madebyollin/taesd"  # per-step previews of the Hub pipeline's latents
PIPELINES: tuple[str, ...] = (BUNDLED, HUB_PIPELINE)
PIPELINE_LABELS: dict[str, str] = {BUNDLED: f"{BUNDLED} (bundled, offline)", HUB_PIPELINE: f"{HUB_PIPELINE} (Hub, 512x512)"}
SCHEDULERS: tuple[str, ...] = ("DDIM", "DDPM", "Euler", "DPM-Solver++")
DEFAULT_SCHEDULER = "DDIM"

DEFAULT_PROMPT = "a large red circle in the center"
DEFAULT_NEGATIVE = ""  # guidance pushes away from the empty prompt
PROMPT_CHARS = 1_000
STEPS = limits.IntRange("number of steps", 1, 200)
# the slider offers 1 to 100 steps; a script may ask for STEPS
STEPS_SLIDER = limits.Slider(limits.IntRange(STEPS.name, STEPS.low, 100), 30, 1)
DEFAULT_STEPS = STEPS_SLIDER.value
GUIDANCE = limits.FloatRange("guidance scale", 0.0, 20.0)
GUIDANCE_SLIDER = limits.Slider(GUIDANCE, 5.0, 0.5)
DEFAULT_GUIDANCE = GUIDANCE_SLIDER.value
DEFAULT_SEED = 0

# ---- the guidance grid ----
GRID_VALUES = 6  # at most this many guidance scales, and as many seeds
DEFAULT_GRID_SCALES = "1, 3, 5, 8"
DEFAULT_GRID_SEEDS = "0, 1, 2"

# ---- image to image ----
STRENGTH = limits.FloatRange("strength", 0.0, 1.0)
STRENGTH_SLIDER = limits.Slider(STRENGTH, 0.6, 0.05)
DEFAULT_STRENGTH = STRENGTH_SLIDER.value
DEFAULT_IMAGE_SEED = 5  # the starting image taken from the data by number
START_IMAGE_BYTES = 20 * 2**20  # an uploaded starting image


# ---- presenter links: ?tab=stable_diffusion&present=1&seed=7&prompt=... generates as on a slide ----
from shared import presenter  # noqa: E402 (kept beside what it declares)

LINK_PARAMS: dict[str, presenter.LinkParam] = {
    "pipeline": presenter.choice_param("pipeline", PIPELINES),  # the Hub one is downloaded the first time
    "prompt": presenter.text_param("prompt", PROMPT_CHARS),
    "sampler": presenter.choice_param("scheduler", SCHEDULERS),
    "steps": presenter.int_param(STEPS_SLIDER.shown),  # what the slider offers
    "w": presenter.float_param(GUIDANCE),
    "seed": presenter.int_param(limits.SEED),
}
# the link the README and the tests open: a held-out (shape, colour) pair, drawn where it was asked
LINK_EXAMPLE: dict[str, str] = {"seed": "7", "prompt": "a small blue triangle at the top left", "w": "5"}
