"""The flows demo's networks: normalizing flows from zuko (a maintained PyTorch flows library:
transforms with exact inverses and log-determinants, lazy modules that build a distribution on call).

zuko's convention: a flow's transform f maps data x to noise z = f(x), a composition of layers
f = f_L o ... o f_1, and log p(x) = log N(f(x); 0, I) + sum_i log |det J_{f_i}|. Sampling runs the
layers' inverses in reverse order from z ~ N(0, I).
"""

from __future__ import annotations

import torch
import zuko

from demos.flows.options import FLOW_KINDS, HIDDEN, LAYERS
from shared import limits
from shared.seeding import seeded_global_rng


def make_flow(kind: str, layers: int, seed: int, hidden: int = HIDDEN) -> zuko.flows.Flow:
    """A 2-D flow of `layers` layers, its initial weights drawn from `seed`:
    "nsf": masked autoregressive layers whose per-coordinate map is a monotonic rational-quadratic
    spline (8 bins on [-5, 5], the identity outside); "realnvp": coupling layers that shift and
    scale one coordinate by a function of the other, alternating which."""
    kind = limits.check_choice("flow", kind, FLOW_KINDS)
    layers = LAYERS.check(layers)
    with seeded_global_rng(limits.SEED.check(seed)):
        if kind == "nsf":
            return zuko.flows.NSF(2, transforms=layers, hidden_features=(hidden, hidden))
        return zuko.flows.RealNVP(2, transforms=layers, hidden_features=(hidden, hidden))


def layer_maps(flow: zuko.flows.Flow) -> list[torch.distributions.Transform]:
    """The flow's layers as transforms, data side first: layer i maps x_i to x_{i+1} (.inv undoes it)."""
    return [lazy() for lazy in flow.transform.transforms]
