"""What the Provenance tab reads from disk: the quiz's pictures, the detector's measured table (its checkpoint's
training.json, re-measured by tests/checkpoints) and the stored shape and colour shares."""

from __future__ import annotations

import functools
import json

import numpy as np

from demos.provenance import options
from demos.provenance import wording as words
from shared import limits

REAL = "real"


def detector_table() -> dict[str, dict[str, float]]:
    """family key (and "real") -> the card's figures (demos/provenance/train.py's measure())."""
    from demos.provenance.model import BUNDLED_NAME
    from shared.checkpoints import CHECKPOINTS_DIR

    return json.loads((CHECKPOINTS_DIR / BUNDLED_NAME / "training.json").read_text())["table"]


def stored_shares() -> dict[str, dict]:
    """"data" and each family key -> {"name", "n", "shape", "colour", "pixel_colour", ...}; {} if not stored."""
    return json.loads(options.SHARES.read_text()) if options.SHARES.exists() else {}


@functools.cache
def exhibits() -> dict[str, np.ndarray]:
    """source -> uint8 (k, 32, 32, 3): "real" and every family key (read-only arrays)."""
    if not options.EXHIBITS.exists():
        raise limits.LimitError(words.NO_EXHIBITS.format(command=options.EXHIBITS_COMMAND))
    with np.load(options.EXHIBITS) as stored:
        pictures = {key: stored[key] for key in stored.files}
    for array in pictures.values():
        array.setflags(write=False)
    return pictures


@functools.cache
def source_names() -> dict[str, str]:
    """source -> how the table names it, in the arena's order."""
    from demos.arena_families import FAMILIES

    names = {f.key: f.name for f in FAMILIES}
    return {REAL: words.REAL_NAME, **{k: names.get(k, k) for k in exhibits() if k != REAL}}
