"""The class-conditional GAN (issue 34): its networks read the classes, its data leaves the held-out
pairs out, its trainer resumes the same way, and its figures read asked-for classes right."""

import numpy as np
import pytest
import torch

from demos.gan.model import N_COLOURS, N_SHAPES, ConditionalShapesGAN
from demos.gan.train_conditional import PAIRS, TrainConfig, build, fit, is_held_out, pair_figures
from shared.datasets import HELD_OUT_PAIRS, LABEL_NAMES, make_shapes

TINY = TrainConfig(batch_size=8, width=16, z_dim=8, cond_dim=8, mapping_layers=1, res_blocks=1, data_size=256,
                   eval_every=1000, device="cpu", grow_from="")


def test_the_networks_read_the_classes_and_the_class_paths_start_closed():
    torch.manual_seed(0)
    gan = ConditionalShapesGAN(z_dim=8, width=16, cond_dim=8)
    for module in gan.generator.modulate:
        assert not module.gain.weight.any() and not module.bias.weight.any()  # a plain GroupNorm at first
    assert not gan.generator.to_z.weight.any() and gan.discriminator.projection_gate == 0
    z = torch.randn(1, 8).repeat(2, 1)  # one latent, two classes
    shape, colour = torch.tensor([0, 4]), torch.tensor([0, 4])
    assert torch.equal(*gan.generator(z, shape, colour))  # closed: the class changes nothing yet
    with torch.no_grad():  # opened a little, as training does
        gan.generator.to_z.weight.normal_()
        gan.discriminator.projection_gate.fill_(1.0)
    x = gan.generator(z, shape, colour)
    assert x.shape == (2, 3, 32, 32) and x.abs().max() <= 1 and not torch.allclose(x[0], x[1])
    logits = gan.discriminator(x, shape, colour)
    assert logits.shape == (2,)
    assert not torch.allclose(logits, gan.discriminator(x, shape.flip(0), colour.flip(0)))  # the projection reads the classes


def test_told_the_layout_the_networks_need_and_read_the_size_and_the_position():
    from demos.gan.model import N_POSITIONS, N_SIZES, layout_for_seeds

    torch.manual_seed(0)
    gan = ConditionalShapesGAN(z_dim=8, width=16, cond_dim=8, told_layout=True)
    with torch.no_grad():  # opened, as training does
        gan.generator.to_z.weight.normal_()
        gan.discriminator.projection_gate.fill_(1.0)
    z, shape, colour = torch.randn(1, 8).repeat(2, 1), torch.tensor([4, 4]), torch.tensor([4, 4])
    with pytest.raises(ValueError, match="told the size and the position too: pass both"):
        gan.generator(z, shape, colour)
    size, position = torch.tensor([0, 1]), torch.tensor([2, 2])
    x = gan.generator(z, shape, colour, size, position)
    assert not torch.allclose(x[0], x[1])  # one latent, one class, two sizes: two pictures
    logits, heads = gan.discriminator.judge(x, shape, colour, size, position)
    assert [h.shape[1] for h in heads] == [N_SHAPES, N_COLOURS, N_SIZES, N_POSITIONS]
    assert not torch.allclose(logits, gan.discriminator(x, shape, colour, size.flip(0), position))
    # a seed's layout is its own: the same in any list of seeds, and uniform over many seeds
    sizes, positions = layout_for_seeds(list(range(3000)))
    some_sizes, some_positions = layout_for_seeds([7, 2999])
    assert torch.equal(some_sizes, sizes[[7, 2999]]) and torch.equal(some_positions, positions[[7, 2999]])
    assert abs(sizes.float().mean().item() - 0.5) < 0.03
    assert torch.bincount(positions, minlength=N_POSITIONS).min().item() > 3000 / N_POSITIONS * 0.9


def test_grown_from_the_unconditional_gan_it_draws_and_judges_the_same():
    """The class paths start closed, so the grown model is the unconditional one until trained."""
    from demos.gan.model import ShapesGAN

    torch.manual_seed(1)
    plain = ShapesGAN(z_dim=8, width=16, mapping_layers=2, res_blocks=1, d_res_blocks=1).eval()
    with torch.no_grad():  # gates opened, as in a trained checkpoint
        for name, p in plain.named_parameters():
            if name.endswith("gate"):
                p.fill_(0.5)
    grown = ConditionalShapesGAN(8, 16, 8, mapping_layers=2, res_blocks=1, d_res_blocks=1).eval()
    grown.grow_from(plain)
    z, shape, colour = torch.randn(4, 8), torch.tensor([0, 1, 2, 3]), torch.tensor([5, 4, 3, 2])
    with torch.no_grad():
        x = plain.generator(z)
        assert torch.equal(grown.generator(z, shape, colour), x)
        assert torch.allclose(grown.discriminator(x, shape, colour), plain.discriminator(x))
    with pytest.raises(ValueError, match="cannot grow from this checkpoint: other sizes"):
        ConditionalShapesGAN(8, 32, 8, 2, 1, 1).grow_from(plain)


def test_every_pair_is_asked_for_and_the_held_out_pairs_are_never_trained_on():
    assert len(PAIRS) == N_SHAPES * N_COLOURS == 36
    held = [(LABEL_NAMES["shape"][s], LABEL_NAMES["colour"][c]) for s, c in PAIRS if is_held_out(s, c)]
    assert set(held) == HELD_OUT_PAIRS and len(held) == 4
    setup = build(TINY, _Run())
    trained = {(LABEL_NAMES["shape"][s], LABEL_NAMES["colour"][c]) for s, c in zip(setup.shape.tolist(), setup.colour.tolist())}
    assert not trained & HELD_OUT_PAIRS and len(setup.data) == len(setup.shape) < TINY.data_size
    assert [len(y) for y in setup.labels] == [len(setup.data)] * 4  # shape, colour, size, position (told the layout)
    assert setup.gan.discriminator.projection_gate == 1  # fresh: the projection open from the first step


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

    from demos.gan.model import CONDITIONAL_NAME
    from demos.gan.train_conditional import EVAL_SEED, sample_pairs
    from shared.checkpoints import CHECKPOINTS_DIR, load
    from tests.witness_check import assert_first_seed_is_the_card_s

    gan = load(ConditionalShapesGAN, CONDITIONAL_NAME, device="cpu").model.eval()
    assert (CHECKPOINTS_DIR / CONDITIONAL_NAME / "model.safetensors").stat().st_size <= 10 * 2**20
    card = (CHECKPOINTS_DIR / CONDITIONAL_NAME / "README.md").read_text()
    per_pair = int(re.search(r"^(\d+) samples of each of the 36", card, re.M).group(1))
    images, shape, colour = sample_pairs(gan.generator, per_pair, EVAL_SEED, gan.z_dim)
    measured = pair_figures(images, shape, colour)
    # the two-witness section's first seed is this draw: the classifier's and the pixels' figures, FD
    witnessed = assert_first_seed_is_the_card_s(card, images)
    assert witnessed["valid"] >= 0.95 and witnessed["clean"] >= 0.99, witnessed
    rows = {"drawn as asked (classifier": "as_asked", "drawn as asked (pixels": "pixels_as_asked", "valid shapes": "valid",
            "smallest colour share": "min_colour", "smallest shape share": "min_shape"}
    for label, key in rows.items():
        card_value = float(re.search(rf"^\| {re.escape(label)}[^|]* \| ([\d.]+)% \|", card, re.M).group(1)) / 100
        assert measured[key] == pytest.approx(card_value, abs=0.0006), label  # deterministic: same latents, same weights


def test_the_tab_logic_asks_checks_and_marks_held_out_pairs():
    from demos.gan import conditional
    from demos.gan.views import grid_view
    from shared.limits import LimitError

    shapes, colours = conditional.asked_classes("any", "blue", 600, seed=3)
    assert set(colours) == {"blue"} and set(shapes) == set(LABEL_NAMES["shape"])
    assert all(abs(shapes.count(s) / 600 - 1 / 6) < 0.05 for s in LABEL_NAMES["shape"])  # uniform
    assert (shapes, colours) == conditional.asked_classes("any", "blue", 600, seed=3)  # repeatable
    grid = conditional.class_grid("circle", "purple", 5, 0.8)
    assert grid.asked == ("circle", "purple") and grid.seeds == list(range(5, 21)) and all(grid.held_out)
    assert grid.images.shape == (16, 32, 32, 3) and not grid.images.flags.writeable
    assert "Of the 16 held-out tiles here," in grid_view("circle", "purple", 5, 0.8).text
    assert not any(conditional.class_grid("star", "blue", 5, 0.8).held_out)
    with pytest.raises(LimitError, match="Unknown shape 'hexagon'"):
        conditional.class_grid("hexagon", "blue", 0, 1.0)
    with pytest.raises(LimitError, match="the largest seed is 4294967295"):
        conditional.class_grid("star", "blue", 2**32 - 2, 1.0)
    with pytest.raises(LimitError, match="Unknown shape 'any'"):  # a walk's ends are classes, not "any"
        conditional.class_walk(("any", "red"), ("star", "blue"), 0, 5, 1.0)
    walk = conditional.class_walk(("circle", "red"), ("star", "blue"), 0, 5, 1.0)
    assert walk.by_class.shape == walk.by_noise.shape == (5, 32, 32, 3)
    # the two walks start from the same picture: the latent of seed 0 and the class "red circle"
    assert (walk.by_class[0].astype(int) - walk.by_noise[0]).__abs__().max() <= 1


def test_the_bundled_model_draws_the_asked_size_and_position_by_the_pixels():
    """The layout labels, read without the classifier: each sample's object centre lies nearest the
    asked position, and asked for large rather than small (same latent, same class), it covers more pixels."""
    from demos.gan.model import CONDITIONAL_NAME, N_POSITIONS
    from shared.checkpoints import load
    from shared.datasets import BACKGROUND, POSITIONS
    from shared.metrics import tensor_to_images

    gan = load(ConditionalShapesGAN, CONDITIONAL_NAME, device="cpu").model.eval()
    assert gan.told_layout
    n = 6 * 6 * N_POSITIONS  # every shape, colour and position
    gen = torch.Generator().manual_seed(11)
    shape, colour = torch.arange(n) % 6, torch.arange(n) // 6 % 6
    position = torch.arange(n) // 36
    z = torch.randn(n, gan.z_dim, generator=gen)
    with torch.inference_mode():
        small, large = (tensor_to_images(gan.generator(z, shape, colour, torch.full((n,), s), position)) for s in (0, 1))
    centres = torch.tensor(list(POSITIONS.values()))  # (5, 2) x, y in pixels

    def objects(images):  # bool (n, 32, 32): pixels far from the background colour
        return np.abs(images.astype(int) - np.array(BACKGROUND)).sum(-1) > 90

    for images in (small, large):
        mask = objects(images)
        ys, xs = np.mgrid[:32, :32]
        area = mask.sum((1, 2)).clip(1)
        centre = torch.tensor(np.stack([(mask * xs).sum((1, 2)) / area, (mask * ys).sum((1, 2)) / area], 1))
        nearest = torch.cdist(centre.float(), centres.float()).argmin(1)
        assert (nearest == position).float().mean() >= 0.95
    assert (objects(large).sum((1, 2)) > objects(small).sum((1, 2))).mean() >= 0.95
