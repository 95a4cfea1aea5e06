"""The bundled PointNet: it loads through the one loading path, scores on held-out objects what its
model card says, ignores the points' order, and its critical points alone decide its answer."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from demos.three_d import classify, shapes3d, views
from demos.three_d.model import BUNDLED_NAME, PointNet
from demos.three_d.train import TEST_SEED
from shared.checkpoints import CHECKPOINTS_DIR, load

FOLDER = CHECKPOINTS_DIR / BUNDLED_NAME


@pytest.fixture(scope="module")
def net():
    return load(PointNet, BUNDLED_NAME, device="cpu").model


def test_checkpoint_layout_and_card():
    assert (FOLDER / "model.safetensors").stat().st_size <= 10 * 2**20
    assert (FOLDER / "config.json").exists() and not list(FOLDER.glob("*.bin"))
    card = (FOLDER / "README.md").read_text()
    assert "python -m demos.three_d.train" in card and "Held-out accuracy" in card


def test_held_out_accuracy_matches_the_card(net):
    card = (FOLDER / "README.md").read_text()
    claimed = float(re.search(r"Held-out accuracy: ([\d.]+)%", card).group(1)) / 100
    assert claimed >= 0.95
    x, y = shapes3d.class_dataset(40, 512, TEST_SEED)  # the first 240 of the card's 1,200 test objects
    with torch.inference_mode():
        pred = net(torch.from_numpy(x)).argmax(1).numpy()
    # deterministic: 239 of these 240 are right (99.6%), beside the card's 99.8% over all 1,200
    assert int((pred == y).sum()) == 239
    assert claimed == pytest.approx(0.998)


def test_order_of_the_points_does_not_matter(net):
    points = shapes3d.class_example("torus", 512, np.random.default_rng(0))
    shuffled = points[np.random.default_rng(1).permutation(512)]
    with torch.inference_mode():
        a, b = net(torch.from_numpy(np.stack([points, shuffled])))
    assert torch.allclose(a, b, atol=1e-5)


def test_critical_points_alone_give_the_same_answer(net):
    points = shapes3d.class_example("cone", 512, np.random.default_rng(2))
    logits, critical = net.classify(torch.from_numpy(points)[None])
    kept = points[np.unique(critical[0].numpy())]
    assert len(kept) < 512
    with torch.inference_mode():
        again = net(torch.from_numpy(kept)[None])
    assert torch.allclose(logits, again, atol=1e-4)


@pytest.mark.parametrize("name", shapes3d.CLASSES)
def test_classifies_the_tab_samples(name):
    result = classify.classify(shapes3d.class_sample(name))
    assert result.best[0] == name and result.probabilities.sum() == pytest.approx(1, abs=1e-5)
    assert 0 < len(result.critical) <= 256 and result.points.shape == (512, 3)


def test_every_form_can_be_classified():
    for obj in (shapes3d.voxel_letters(), shapes3d.ball_on_floor_depth(), shapes3d.noisy_scan(2_000)):
        result = classify.classify(obj)
        assert np.isfinite(result.probabilities).all()
    assert views.probability_figure(result).data and views.critical_figure(result).data


def test_save_and_load_round_trip(tmp_path):
    from pathlib import Path

    torch.manual_seed(0)
    model = PointNet(num_classes=3, width=32, classes=["a", "b", "c"]).eval()
    model.save_pretrained(tmp_path)
    again = load(PointNet, Path(tmp_path), device="cpu").model
    x = torch.randn(2, 64, 3)
    assert again.classes == ["a", "b", "c"] and torch.allclose(model(x), again(x))


def test_the_trainer_resumes_where_it_stopped_and_continues_the_same_way(tmp_path):
    from demos.three_d.train import TrainConfig, fit
    from tests.resume_check import assert_resumes_the_same

    cfg = TrainConfig(batch_size=6, n_points=32, width=16, test_per_class=1, eval_every=1000, device="cpu")
    assert_resumes_the_same(cfg, fit, lambda s: s.net, tmp_path)
