"""The bundled CLIP's default gallery embeddings, stored beside its weights so the tab's first search
answers at once instead of embedding 10,000 images (about 15 s on 2 cores) in front of an audience.

    save(folder, embeddings, size, seed)          # the training script, after saving the weights
    vectors = load(folder, size, seed)            # None unless made by these very weights, size and seed

The file (stored-gallery.safetensors, float16, about 1.3 MB) names the weights it was made with
(shared/stored_results.py): after a retraining that did not rewrite it, it is ignored and the gallery
is embedded live.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shared.stored_results import PREFIX, stamp

FILE = f"{PREFIX}gallery.safetensors"


def save(folder: Path, embeddings: np.ndarray, size: int, seed: int) -> Path:
    """Store (size, d) unit-length embeddings of make_shapes(size, seed) as made by folder's weights."""
    import torch
    from safetensors.torch import save_file

    assert embeddings.shape[0] == size, (embeddings.shape, size)
    meta = stamp(folder, {"size": size, "seed": seed})
    save_file({"embeddings": torch.from_numpy(np.ascontiguousarray(embeddings, np.float32)).half()},
              str(folder / FILE), metadata=meta)
    return folder / FILE


def load(folder: Path, size: int, seed: int) -> np.ndarray | None:
    """float32 (size, d) embeddings re-normalised to unit length, or None when the file is missing or
    was made for other weights, another size or another seed."""
    from safetensors import safe_open

    path = folder / FILE
    if not path.exists():
        return None
    with safe_open(str(path), framework="numpy") as f:
        if (f.metadata() or {}) != stamp(folder, {"size": size, "seed": seed}):
            return None
        vectors = f.get_tensor("embeddings").astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
