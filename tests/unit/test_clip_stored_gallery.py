"""The default gallery's embeddings stored beside the bundled CLIP: used only when made by the very
weights, size and seed asked for, and equal to what the tab would compute."""

from __future__ import annotations

import numpy as np

from demos.clip import encoders, options, stored_gallery
from demos.clip.model import new_clip, new_processor
from shared.checkpoints import CHECKPOINTS_DIR
from shared.datasets import make_shapes


def test_a_stored_gallery_is_used_only_for_its_own_weights_size_and_seed(tmp_path):
    new_clip(width=32, layers=1).save_pretrained(tmp_path)
    new_processor().save_pretrained(tmp_path)
    vectors = np.random.default_rng(0).normal(size=(12, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    stored_gallery.save(tmp_path, vectors, 12, 7)
    back = stored_gallery.load(tmp_path, 12, 7)
    assert back.dtype == np.float32 and back.shape == (12, 64)
    np.testing.assert_allclose(back, vectors, atol=2e-3)  # float16 on disk
    assert stored_gallery.load(tmp_path, 13, 7) is None and stored_gallery.load(tmp_path, 12, 8) is None
    new_clip(width=32, layers=1).save_pretrained(tmp_path)  # retrained: other weights
    assert stored_gallery.load(tmp_path, 12, 7) is None


def test_the_bundled_gallery_is_stored_for_the_bundled_weights_and_matches_a_fresh_embedding():
    folder = CHECKPOINTS_DIR / options.BUNDLED
    stored = stored_gallery.load(folder, options.GALLERY_SIZE, options.GALLERY_SEED)
    assert stored is not None, "rerun `python -m demos.clip.train --measure-only 1` to store the gallery"
    images = make_shapes(options.GALLERY_SIZE, options.GALLERY_SEED).images[:300]
    fresh = encoders.embed_images(encoders.clip_in_folder(folder), images)
    cosine = (fresh * stored[:300]).sum(1)
    assert cosine.min() > 0.999, cosine.min()
