"""Choices, limits and defaults of the Stable Diffusion tab, importable without torch. The logic
checks every value against these; the widgets take their ranges from them."""

from __future__ import annotations

from shared import limits

BUNDLED = "sd-shapes"
HUB_PIPELINE = "stabilityai/sd-turbo"  # 1 to 4 steps, guidance 0
HUB_PREVIEW = "madebyollin/taesd"  # per-step previews of the Hub pipeline's latents
PIPELINES: tuple[str, ...] = (BUNDLED, HUB_PIPELINE)
SCHEDULERS: tuple[str, ...] = ("DDIM", "DDPM", "Euler", "DPM-Solver++")

DEFAULT_PROMPT = "a large red circle in the center"
PROMPT_CHARS = 1_000
STEPS = limits.IntRange("number of steps", 1, 200)
DEFAULT_STEPS = 30
GUIDANCE = limits.FloatRange("guidance scale", 0.0, 20.0)
DEFAULT_GUIDANCE = 5.0
STRENGTH = limits.FloatRange("strength", 0.0, 1.0)
