"""The bundled detector of generated pictures (checkpoints/detector-shapes): a Hub-layout folder that
loads through the one loading path, whose card's figures are re-measured here (held-out real pictures,
the GAN it was trained against, and the VAE it never saw), and whose high-pass input ignores flat colour."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from demos.provenance.model import BUNDLED_NAME, GeneratedDetector
from demos.provenance.train import called_generated
from shared.checkpoints import CHECKPOINTS_DIR, load
from shared.datasets import held_out_shapes

FOLDER = CHECKPOINTS_DIR / BUNDLED_NAME


@pytest.fixture(scope="module")
def model() -> GeneratedDetector:
    return load(GeneratedDetector, BUNDLED_NAME, device="cpu").model.eval()


def card_row(name: str) -> tuple[float, float]:
    match = re.search(rf"^\| {re.escape(name)}[^|]* \| ([\d.]+)% \| ([\d.]+)% \|", (FOLDER / "README.md").read_text(), re.M)
    return float(match.group(1)) / 100, float(match.group(2)) / 100


def test_folder_is_in_hub_layout_within_budget(model):
    assert {p.name for p in FOLDER.iterdir()} >= {"config.json", "model.safetensors", "README.md"}
    assert sum(p.stat().st_size for p in FOLDER.iterdir()) < 2**20
    flat = torch.full((1, 3, 32, 32), 0.3)
    assert float(GeneratedDetector.high_pass(flat).abs().max()) < 1e-5  # a flat picture leaves no residual


def test_the_cards_figures_are_re_measured_and_the_gan_is_caught(model):
    from demos.arena_families import family

    card = (FOLDER / "README.md").read_text()
    real = 1 - called_generated(model, held_out_shapes()).mean()
    assert real == pytest.approx(float(re.search(r"called real: \*\*([\d.]+)%\*\*", card).group(1)) / 100, abs=6e-4)
    n = int(re.search(r"(\d+) samples of each family", card).group(1))
    for key, name in (("gan", "GAN (unconditional)"), ("vae", "VAE")):
        caught, balanced = card_row(name)
        measured = called_generated(model, family(key).sample(n, 0)).mean()
        assert measured == pytest.approx(caught, abs=1.5 / n) and balanced == pytest.approx((real + caught) / 2, abs=6e-4)
    assert (real + card_row("GAN (unconditional)")[0]) / 2 >= 0.97  # the goal on the generator it saw
    assert isinstance(np.float64(real), np.floating)


def test_the_trainer_resumes_where_it_stopped_and_continues_the_same_way(tmp_path):
    from demos.provenance.train import TrainConfig, fit
    from tests.resume_check import assert_resumes_the_same

    cfg = TrainConfig(batch_size=8, data_size=32, eval_every=1000, device="cpu")
    assert_resumes_the_same(cfg, fit, lambda s: s.model, tmp_path)
