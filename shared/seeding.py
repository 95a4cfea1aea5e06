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

_GLOBAL_RNG_LOCK = threading.Lock()


@contextmanager
def seeded_global_rng(seed: int) -> Iterator[None]:
    """Inside: torch's global generator is seeded with `seed` and no other thread may use it."""
    import torch

    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
