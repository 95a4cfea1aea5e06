"""The Data & judge tab's choices, limits and widget defaults: the one place both front ends take
their ranges and starting values from. Pure Python (the UIs are built without numpy or torch)."""

from __future__ import annotations

from shared import limits
from shared.datasets import TOY_2D_NAMES

MIX_SHARE = limits.FloatRange("share of non-shapes", 0.0, 1.0)
TOY_NAMES = TOY_2D_NAMES  # key -> label of the toy 2-D sets
DEFAULT_TOY = "ring8"


Slider = limits.Slider  # the slider spec both UIs build from (shared/limits.py)


JUDGED_IMAGES_SLIDER = Slider(limits.GRID_IMAGES, 24, 1)
MIX_SHARE_SLIDER = Slider(MIX_SHARE, 0.25, 0.05)
TOY_POINTS_SLIDER = Slider(limits.IntRange(limits.POINTS_2D.name, 100, 20_000), 2_000, 100)  # the view's handy part
DIGITS_SLIDER = Slider(limits.GRID_IMAGES, 48, 1)


# ---- presenter links: ?tab=data&present=1&images=32&mix=0.3&seed=3 opens the judged batch as on a slide ----
from shared import presenter  # noqa: E402 (kept beside what it declares)

LINK_PARAMS: dict[str, presenter.LinkParam] = {
    "images": presenter.int_param(JUDGED_IMAGES_SLIDER.shown),
    "mix": presenter.float_param(MIX_SHARE),
    "seed": presenter.int_param(limits.SEED),
}
# a batch with a third of non-shapes: the judge's green frames and its 'not a shape' side by side
LINK_EXAMPLE: dict[str, str] = {"images": "32", "mix": "0.3", "seed": "3"}
