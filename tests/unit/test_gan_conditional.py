"""The class-conditional GAN (issue 34): its networks read the classes, its data leaves the held-out
pairs out, its trainer resumes the same way, and its figures read asked-for classes right."""

import pytest
import torch

from demos.gan.conditional_model import N_COLOURS, N_SHAPES, ConditionalShapesGAN
from demos.gan.train_conditional import PAIRS, TrainConfig, build, fit, is_held_out, pair_figures
from shared.datasets import HELD_OUT_PAIRS, LABEL_NAMES, make_shapes

TINY = TrainConfig(batch_size=8, width=16, z_dim=8, cond_dim=8, data_size=256, eval_every=1000, device="cpu")


def test_the_networks_read_the_classes_and_the_norms_start_plain():
    torch.manual_seed(0)
    gan = ConditionalShapesGAN(z_dim=8, width=16, cond_dim=8)
    z = torch.randn(1, 8).repeat(2, 1)  # one latent, two classes
    shape, colour = torch.tensor([0, 4]), torch.tensor([0, 4])
    x = gan.generator(z, shape, colour)
    assert x.shape == (2, 3, 32, 32) and x.abs().max() <= 1
    assert not torch.allclose(x[0], x[1])  # the classes enter through z as well as the norms
    logits = gan.discriminator(x, shape, colour)
    assert logits.shape == (2,)
    swapped = gan.discriminator(x, shape.flip(0), colour.flip(0))
    assert not torch.allclose(logits, swapped)  # the projection head reads the classes
    for norm in (m for m in gan.generator.modules() if type(m).__name__ == "ClassNorm"):
        assert not norm.gain.weight.any() and not norm.bias.weight.any()  # a plain GroupNorm at first


def test_every_pair_is_asked_for_and_the_held_out_pairs_are_never_trained_on():
    assert len(PAIRS) == N_SHAPES * N_COLOURS == 36
    held = [(LABEL_NAMES["shape"][s], LABEL_NAMES["colour"][c]) for s, c in PAIRS if is_held_out(s, c)]
    assert set(held) == HELD_OUT_PAIRS and len(held) == 4
    setup = build(TINY, _Run())
    trained = {(LABEL_NAMES["shape"][s], LABEL_NAMES["colour"][c]) for s, c in zip(setup.shape.tolist(), setup.colour.tolist())}
    assert not trained & HELD_OUT_PAIRS and len(setup.data) == len(setup.shape) < TINY.data_size


def test_the_figures_read_real_images_of_the_asked_classes_as_asked():
    """Real data, 'asked for' its own labels: the classifier and the pixels read nearly all as asked;
    asked for other colours, nearly none."""
    data = make_shapes(300, seed=5)
    shape, colour = data.labels["shape"], data.labels["colour"]
    right = pair_figures(data.images, shape, colour)
    assert right["as_asked"] >= 0.95 and right["pixels_as_asked"] >= 0.9 and right["valid"] >= 0.95
    wrong = pair_figures(data.images, shape, (colour + 1) % N_COLOURS)
    assert wrong["as_asked"] <= 0.02 and wrong["pixels_as_asked"] <= 0.02


def test_the_trainer_resumes_where_it_stopped_and_continues_the_same_way(tmp_path):
    from tests.resume_check import assert_resumes_the_same

    assert_resumes_the_same(TINY, fit, lambda s: s.g_ema, tmp_path)


class _Run:
    """Just what build() asks of a TrainingRun, on the CPU."""

    device = torch.device("cpu")

    def prepare(self, *things):
        return things

    def keep(self, module):
        return module



def test_the_bundled_stage_loads_and_measures_what_its_card_says():
    """Re-measured on the card's latents (seed EVAL_SEED, 100 a pair), both witnesses."""
    import re

    from demos.gan.conditional_model import CONDITIONAL_NAME
    from demos.gan.train_conditional import EVAL_SEED, sample_pairs
    from shared.checkpoints import CHECKPOINTS_DIR, load

    gan = load(ConditionalShapesGAN, CONDITIONAL_NAME, device="cpu").model.eval()
    assert (CHECKPOINTS_DIR / CONDITIONAL_NAME / "model.safetensors").stat().st_size <= 10 * 2**20
    card = (CHECKPOINTS_DIR / CONDITIONAL_NAME / "README.md").read_text()
    per_pair = int(re.search(r"^(\d+) samples of each of the 36", card, re.M).group(1))
    measured = pair_figures(*sample_pairs(gan.generator, per_pair, EVAL_SEED, gan.z_dim))
    rows = {"drawn as asked (classifier": "as_asked", "drawn as asked (pixels": "pixels_as_asked", "valid shapes": "valid",
            "smallest colour share": "min_colour", "smallest shape share": "min_shape"}
    for label, key in rows.items():
        card_value = float(re.search(rf"^\| {re.escape(label)}[^|]* \| ([\d.]+)% \|", card, re.M).group(1)) / 100
        assert measured[key] == pytest.approx(card_value, abs=0.0006), label  # deterministic: same latents, same weights
