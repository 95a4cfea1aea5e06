"""The diffusion tab's choices and limits, torch-free so the UI can be built without loading torch."""

from __future__ import annotations

from shared import limits

SAMPLERS: tuple[str, ...] = ("DDPM", "DDIM", "Euler", "DPM-Solver++")
STEPS = limits.IntRange("number of denoising steps", 1, 1000)
SAMPLES = limits.IntRange("number of samples", 1, 16)
MAX_SIDE = 64  # largest image side sampled here: a 256x256 UNet takes seconds per step on a CPU
COMPARE_RUNS = limits.IntRange("number of samplers to compare", 1, 3)
COMPARE_SAMPLES = limits.IntRange("number of images per sampler", 1, 16)
REGIONS: tuple[str, ...] = ("centre square", "left half", "right half", "top half", "bottom half")
