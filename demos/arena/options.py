"""The Arena tab's limits and defaults: the one place both UIs build their widgets from, torch-free."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared import limits

# the full table, five seeds of 200 samples a family: python -m benchmarks.arena --store demos/arena/stored-arena.json
STORED = Path(__file__).parent / "stored-arena.json"
STORED_SAMPLES = Path(__file__).parent / "stored-arena-samples.npz"  # each family's first SHOWN samples, seed 0
STORE_COMMAND = "python -m benchmarks.arena --store demos/arena/stored-arena.json"

# ---- measure now: a small n, one seed, every family ----
SAMPLES = limits.IntRange("samples per family", 4, 64)
SAMPLES_SLIDER = limits.Slider(SAMPLES, 16, 4)
BITS_IMAGES = 64  # held-out images the live bits per dimension are measured on (the full table: 2,000)
SHOWN = 8  # samples of each family in the grid


@dataclass(frozen=True)
class Defaults:
    samples: int = SAMPLES_SLIDER.value
    seed: int = 0


DEFAULTS = Defaults()


# ---- presenter links: ?tab=arena&present=1&n=4&seed=3 opens the tab with these ----
from shared import presenter  # noqa: E402 (kept beside what it declares)

LINK_PARAMS: dict[str, presenter.LinkParam] = {
    "n": presenter.int_param(SAMPLES),
    "seed": presenter.int_param(limits.SEED),
}
LINK_EXAMPLE: dict[str, str] = {"n": "4", "seed": "3"}
