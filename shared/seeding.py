"""Seeded randomness without touching other users' runs.

Session code takes a `torch.Generator` (or a numpy `default_rng`) for every random draw. One thing
cannot be handed a generator: a module's constructor, which initialises its weights from torch's
global generator. `seeded_global_rng(seed)` makes that safe in a server where other sessions run
at the same time: it takes a process-wide lock, forks the global generator's state, seeds it,
and restores it on exit. Every use of the global generator in session code goes through it, so a
run's initial weights depend on its seed alone, whoever else is using the app.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Held while a model is built or loaded, in any thread. diffusers, transformers and Accelerate patch
# torch process-wide while they build a model (nn.Module.register_parameter onto the meta device,
# the torch.nn.init functions to no-ops, the default dtype): a model built in another thread at that
# moment gets meta tensors ("Tensor on device meta is not on the expected device cpu") or weights
# never initialised. Re-entrant: a loader may build the models it is made of.
MODEL_BUILD_LOCK = threading.RLock()
_GLOBAL_RNG_LOCK = MODEL_BUILD_LOCK  # building a model is what uses the global generator


@contextmanager
def building_models() -> Iterator[None]:
    """Inside: no other thread builds or loads a model (see MODEL_BUILD_LOCK)."""
    with MODEL_BUILD_LOCK:
        yield


@contextmanager
def seeded_global_rng(seed: int) -> Iterator[None]:
    """Inside: torch's global generator is seeded with `seed`, and no other thread may use it or
    build or load a model."""
    import torch

    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
