"""The bundled PixelCNN: a Hub-layout folder that loads through the one loading path, within its
budget, and measures what its card says: held-out bits per dimension re-measured on the first 500
held-out images (the card's last figure during training; its 2,000-image figure takes four times as
long: `python -m benchmarks.arena --families pixelcnn` re-measures that), and the first seed's first
batch of samples judged again by both witnesses (`python -m demos.pixelcnn.train --measure-only 1`
re-measures the whole five-seed table)."""

from __future__ import annotations

import re

import pytest

from demos.pixelcnn.model import GatedPixelCNN
from demos.pixelcnn.options import BUNDLED
from shared import witnesses
from shared.checkpoints import CHECKPOINTS_DIR, load

FOLDER = CHECKPOINTS_DIR / BUNDLED


@pytest.fixture(scope="module")
def model() -> GatedPixelCNN:
    return load(GatedPixelCNN, BUNDLED, device="cpu").model.eval()


def card_figure(pattern: str) -> float:
    return float(re.search(pattern, (FOLDER / "README.md").read_text()).group(1).replace(",", ""))


def test_folder_is_in_hub_layout_within_budget(model):
    assert {p.name for p in FOLDER.iterdir()} >= {"config.json", "model.safetensors", "README.md"}
    assert sum(p.stat().st_size for p in FOLDER.iterdir()) < 3 * 2**20
    assert model.n_colours == 146 and not any(p.requires_grad and p.grad is not None for p in model.parameters())
    assert model.told and model.label_dim == 32  # it can be told what to draw (the tab's default)


def test_held_out_bits_per_dimension_is_what_the_card_says_and_meets_the_goal(model):
    from demos.pixelcnn.sampling import bits_per_dim, held_out_images

    card = (FOLDER / "README.md").read_text()
    during = re.search(r"during training \((\d+) images, every [\d,]+ steps\): .* ([\d.]+) at ([\d,]+)\n", card)
    n, last, at = int(during.group(1)), float(during.group(2)), during.group(3)
    assert n == 500 and f"{at} steps of batch" in card  # the last figure is the bundled model's, at its final step
    measured = float(bits_per_dim(model, held_out_images()[:n]).mean())
    assert measured == pytest.approx(last, abs=5e-5)  # the card's 4 decimals
    # the 2,000 images' figure the card leads with is within the 500's spread of it, and meets the goal
    assert card_figure(r"never trained on[^)]*\): \*\*([\d.]+)\*\*") == pytest.approx(measured, abs=2e-3)
    assert measured <= 1.0  # the goal


# The first seed's first 100 samples (its first batch: the card's seed-0 figures are over 200, twice the
# sampling time), each told labels drawn as the data's, as measured on 2026-12-06 with the 29,000-step
# model told what to draw: valid, clean, both, smallest shape and colour shares, and the Fréchet
# distance (biased up at 100 samples against the card's 200).
FIRST_BATCH = 100
FIRST_BATCH_FIGURES = {"valid": 0.80, "clean": 0.99, "valid_and_clean": 0.80, "min_shape": 0.09, "min_colour": 0.09,
                       "fd": 258.46}
# The same samples read against what each was told (demos.pixelcnn.train.told_figures)
FIRST_BATCH_TOLD = {"valid, all four as told": 0.68, "shape as told": 0.75, "colour as told": 0.97, "size as told": 0.94,
                    "position as told": 0.99}


def test_the_first_seeds_samples_are_what_the_card_says(model):
    """Its first batch judged again by both witnesses and against what each sample was told: what it
    gave when the card was written (one sample's verdict of slack, for float rounding), and within
    sampling noise of the card's first seed; the told shares within the card's range over the seeds,
    give or take that noise."""
    from demos.pixelcnn.train import sample_seed, seed_labels
    from shared.witnesses import told_figures

    card = (FOLDER / "README.md").read_text()
    n = int(re.search(r"(\d+) samples at temperature 1", card).group(1))
    assert n >= FIRST_BATCH
    images = sample_seed(model, FIRST_BATCH, witnesses.SEEDS[0])  # the first FIRST_BATCH of the card's
    told = told_figures(images, seed_labels(FIRST_BATCH, witnesses.SEEDS[0]))
    for key, value in told.items():
        assert value == pytest.approx(FIRST_BATCH_TOLD[key], abs=1.5 / FIRST_BATCH), key
        mean, low, high = (float(x) / 100 for x in re.search(rf"\| {key} \| ([\d.]+)% \| ([\d.]+)%-([\d.]+)% \|", card).groups())
        noise = 3 * (mean * (1 - mean) / FIRST_BATCH) ** 0.5
        assert low <= mean <= high and low - noise <= value <= high + noise, key
    assert told["valid, all four as told"] >= 0.6 and told["shape as told"] >= 0.7  # told what to draw, it mostly does
    figures = witnesses.witness(images)
    for key in witnesses.MEASURES:
        mean, low, high, first = witnesses.card_row(card, key)
        assert low <= first <= high and low <= mean <= high, key
        tolerance = 2.0 if key == "fd" else 1.5 / FIRST_BATCH
        assert figures[key] == pytest.approx(FIRST_BATCH_FIGURES[key], abs=tolerance), key
        if key in ("valid", "clean", "valid_and_clean"):  # three binomial standard errors of 100 samples
            assert abs(figures[key] - first) <= 3 * (first * (1 - first) / FIRST_BATCH) ** 0.5 + 1 / FIRST_BATCH, key
