"""The bundled shapes classifier and the metrics built on it, measured on held-out data."""

import numpy as np
import pytest

from shared import datasets
from shared.checkpoints import CHECKPOINTS_DIR, load
from shared.metrics import frechet_distance, score_images, tensor_to_images
from shared.shapes_classifier import BUNDLED_NAME, HEAD_CLASSES, ShapesClassifier, classify
from shared.train_shapes_classifier import HELD_OUT_SEED


@pytest.fixture(scope="module")
def classifier():
    return load(ShapesClassifier, BUNDLED_NAME, device="cpu").model


def test_checkpoint_is_small_and_safetensors():
    folder = CHECKPOINTS_DIR / BUNDLED_NAME
    weights = folder / "model.safetensors"
    assert weights.exists() and weights.stat().st_size < 10 * 1024**2
    assert (folder / "config.json").exists()
    card = (folder / "README.md").read_text()
    assert "python -m shared.train_shapes_classifier" in card and "accuracy_shape" in card


def test_held_out_accuracy_is_at_least_99_percent_per_label(classifier):
    data = datasets.make_shapes(2000, seed=HELD_OUT_SEED + 1)
    probs, feats = classify(classifier, data.images)
    for name in HEAD_CLASSES:
        acc = (probs[name].argmax(1) == data.labels[name]).mean()
        assert acc >= 0.99, f"{name}: {acc:.4f}"
    assert feats.shape == (2000, 128) and np.isfinite(feats).all()


def test_real_shapes_score_well_and_junk_scores_badly(classifier):
    real = score_images(datasets.make_shapes(600, seed=11).images, classifier)
    assert real.valid_fraction >= 0.97
    assert real.min_class_share >= 0.10  # six classes drawn uniformly: about 1/6 each
    assert abs(sum(real.class_shares.values()) - real.valid_fraction) < 1e-9
    junk = score_images(datasets.make_not_shapes(600, seed=11), classifier)
    assert junk.valid_fraction <= 0.05
    assert junk.frechet_distance > 10 * real.frechet_distance


def test_collapsed_generator_shows_in_mode_coverage(classifier):
    data = datasets.make_shapes(1200, seed=12)
    circles = data.images[data.labels["shape"] == datasets.SHAPES.index("circle")][:200]
    scores = score_images(circles, classifier)
    assert scores.class_shares["circle"] > 0.95 and scores.min_class_share == 0.0


def test_frechet_distance_formula():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4000, 3))
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    shift = np.array([1.0, 2.0, 0.0])
    # same covariance, shifted mean: the distance is the squared shift
    assert frechet_distance(a, a + shift) == pytest.approx(5.0, rel=1e-6)


def test_score_refuses_wrong_input(classifier):
    from shared.limits import LimitError

    with pytest.raises(LimitError):
        score_images(np.zeros((4, 16, 16, 3), np.uint8), classifier)
    with pytest.raises(LimitError):
        score_images(np.zeros((4, 32, 32, 3), np.float32), classifier)


def test_tensor_to_images_round_trip():
    import torch

    from shared.shapes_classifier import to_tensor

    imgs = datasets.make_shapes(4, seed=0).images
    assert np.array_equal(tensor_to_images(to_tensor(imgs)), imgs)
    assert tensor_to_images(torch.full((1, 3, 32, 32), 5.0)).max() == 255
