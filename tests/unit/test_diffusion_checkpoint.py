"""The bundled DDPM: a diffusers folder that loads exactly as a Hub model does, fits its budget, and
scores what its model card says (the card's own measurement: 500 samples, 50 DDIM steps)."""

import re

import pytest

from demos.diffusion.model import BUNDLED_NAME
from shared.checkpoints import CHECKPOINTS_DIR

FOLDER = CHECKPOINTS_DIR / BUNDLED_NAME


def card_figure(label: str) -> float:
    text = (FOLDER / "README.md").read_text()
    match = re.search(rf"\| {re.escape(label)}[^|]* \| ([\d.]+)%? \|", text)
    assert match, f"no '{label}' row in the model card"
    return float(match.group(1))


def test_folder_is_in_diffusers_layout_within_budget():
    weights = FOLDER / "diffusion_pytorch_model.safetensors"
    assert weights.stat().st_size <= 10 * 2**20
    assert (FOLDER / "config.json").exists() and (FOLDER / "scheduler_config.json").exists()
    assert not list(FOLDER.glob("*.bin")) and not list(FOLDER.glob("*.pt"))
    card = (FOLDER / "README.md").read_text()
    assert "python -m demos.diffusion.train" in card and "library_name: diffusers" in card


def test_diffusers_loads_the_folder_as_it_loads_a_hub_model():
    from diffusers import DDIMScheduler, DDPMScheduler, UNet2DModel

    unet = UNet2DModel.from_pretrained(FOLDER, use_safetensors=True)
    assert unet.config.sample_size == 32 and unet.config.in_channels == 3
    assert DDPMScheduler.from_pretrained(FOLDER).config.num_train_timesteps == 1000
    assert DDIMScheduler.from_pretrained(FOLDER).config.beta_schedule == "squaredcos_cap_v2"


def test_quality_matches_the_model_card():
    """The card's figures come from 500 samples, which take minutes on 2 CPU cores at this model's
    size; re-measure the first 100 (same seed, same sampler) and hold them to the card within the
    spread of a 100-sample estimate. `python -m benchmarks.diffusion --quality-samples 500` re-measures all."""
    from demos.diffusion.sampling import load_model
    from demos.diffusion.train import EVAL_SAMPLES, EVAL_SEED, EVAL_STEPS, evaluate

    assert (EVAL_SAMPLES, EVAL_SEED, EVAL_STEPS) == (500, 2024, 50)
    model = load_model("")
    scores = evaluate(model.unet, model.scheduler_config, n=100)
    card_valid = card_figure("recognised as a valid shape")
    assert 100 * scores.valid_fraction == pytest.approx(card_valid, abs=8.0)  # about 3 standard errors at 90%
    assert card_figure("smallest shape-class share") >= 5.0 and 100 * scores.min_class_share >= 2.0
    assert card_figure("Fréchet distance") < 1000
