"""The bundled shapes GAN: it loads through the one loading path, fits its budget, and scores what
its model card says. Plus the Hub-style round trip of the model class itself."""

import re

import pytest
import torch

from demos.gan.model import BUNDLED_NAME, ShapesGAN
from shared.checkpoints import CHECKPOINTS_DIR, load

FOLDER = CHECKPOINTS_DIR / BUNDLED_NAME


def card_figure(label: str) -> float:
    """A percentage from the model card's quality table, as a fraction."""
    text = (FOLDER / "README.md").read_text()
    match = re.search(rf"\| {re.escape(label)}[^|]* \| ([\d.]+)% \|", text)
    assert match, f"no '{label}' row in the model card"
    return float(match.group(1)) / 100


@pytest.fixture(scope="module")
def gan():
    return load(ShapesGAN, BUNDLED_NAME, device="cpu").model


def test_checkpoint_fits_its_budget_and_is_safetensors():
    assert (FOLDER / "model.safetensors").stat().st_size <= 10 * 2**20
    assert not list(FOLDER.glob("*.bin")) and not list(FOLDER.glob("*.pt"))
    card = (FOLDER / "README.md").read_text()
    assert "python -m demos.gan.train" in card and "What was tried" in card


def test_generator_and_discriminator_shapes(gan):
    z = torch.randn(3, gan.z_dim, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        x = gan.generator(z)
    assert x.shape == (3, 3, 32, 32) and x.min() >= -1 and x.max() <= 1
    p = gan.p_real(x)
    assert p.shape == (3,) and ((p >= 0) & (p <= 1)).all()


def test_a_frame_is_the_same_alone_or_in_a_batch(gan):
    """GroupNorm, not BatchNorm: scrubbing a walk must show the frame the walk rendered."""
    z = torch.randn(5, gan.z_dim, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        torch.testing.assert_close(gan.generator(z)[2:3], gan.generator(z[2:3]), rtol=1e-4, atol=1e-5)


def test_quality_matches_the_model_card(gan):
    from demos.gan.train import EVAL_SEED, evaluate

    scores = evaluate(gan.generator, gan.z_dim)  # the card's own measurement: 1,000 samples from EVAL_SEED
    assert EVAL_SEED == 2024
    assert scores.valid_fraction == pytest.approx(card_figure("recognised as a valid shape"), abs=0.01)
    assert scores.min_class_share == pytest.approx(card_figure("smallest shape-class share"), abs=0.01)
    assert scores.min_class_share >= 0.05, "every shape class holds at least 5% of the samples"


def test_save_and_load_like_a_hub_model(tmp_path):
    tiny = ShapesGAN(z_dim=8, width=16)
    tiny.save_pretrained(tmp_path / "tiny-gan")
    loaded = load(ShapesGAN, tmp_path / "tiny-gan", device="cpu")
    assert loaded.model.z_dim == 8 and loaded.source == "local"
    for a, b in zip(tiny.state_dict().values(), loaded.model.state_dict().values()):
        torch.testing.assert_close(a, b)


def test_a_grown_model_draws_and_judges_what_its_checkpoint_did():
    """The gated residual branches start closed: growing a trained model changes nothing until training."""
    small = ShapesGAN(z_dim=8, width=16).eval()
    grown = ShapesGAN(z_dim=8, width=16, mapping_layers=3, res_blocks=1, d_res_blocks=1).eval()
    grown.grow_from(small)
    z = torch.randn(4, 8, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        x = small.generator(z)
        torch.testing.assert_close(grown.generator(z), x)
        torch.testing.assert_close(grown.discriminator(x), small.discriminator(x))
    assert len(grown.state_dict()) > len(small.state_dict())


def test_growing_from_another_architecture_is_refused():
    with pytest.raises(ValueError, match="cannot grow"):
        ShapesGAN(z_dim=8, width=32).grow_from(ShapesGAN(z_dim=8, width=16))
    with pytest.raises(ValueError, match="cannot grow"):  # shrinking drops trained branches
        ShapesGAN(z_dim=8, width=16).grow_from(ShapesGAN(z_dim=8, width=16, mapping_layers=2))


def test_the_trainer_grows_a_checkpoint_and_saves_the_larger_model(tmp_path):
    from demos.gan.train import TrainConfig, train

    ShapesGAN(z_dim=8, width=16).save_pretrained(tmp_path / "small")
    cfg = TrainConfig(steps=3, batch_size=8, z_dim=8, width=16, mapping_layers=2, res_blocks=1, data_size=64,
                      eval_every=1000, device="cpu", init_from=str(tmp_path / "small"),
                      out=str(tmp_path / "grown"), state_dir=str(tmp_path / "state"))
    train(cfg)
    grown = load(ShapesGAN, tmp_path / "grown", device="cpu").model
    assert grown.generator.mapping.gate.abs() > 0, "training opened the mapping's gate"
    card = (tmp_path / "grown" / "README.md").read_text()
    assert "--mapping-layers 2 --res-blocks 1" in card and "residual mapping" in card


def test_the_trainer_resumes_where_it_stopped_and_continues_the_same_way(tmp_path):
    from demos.gan.train import TrainConfig, fit
    from tests.resume_check import assert_resumes_the_same

    cfg = TrainConfig(batch_size=8, z_dim=8, width=16, data_size=64, eval_every=1000, device="cpu")
    assert_resumes_the_same(cfg, fit, lambda s: torch.nn.ModuleDict({"gan": s.gan, "ema": s.g_ema}), tmp_path)


def test_the_two_witness_section_is_what_the_first_seed_gives(gan):
    """The card's five-seed table by the classifier and the pixels: its first seed re-measured. The
    collapsed GAN draws clean shapes (its trouble is the missing colours, not blends)."""
    from demos.gan.train import EVAL_SEED, sample_images
    from tests.witness_check import assert_first_seed_is_the_card_s

    card = (CHECKPOINTS_DIR / BUNDLED_NAME / "README.md").read_text()
    measured = assert_first_seed_is_the_card_s(card, sample_images(gan.generator, 1000, EVAL_SEED, gan.z_dim))
    assert measured["min_colour"] == 0.0  # blue and purple: never drawn (issue 34)
