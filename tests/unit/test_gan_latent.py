"""Latent-space maths of the GAN tab: interpolation, truncation, seeds, GIF and filmstrip."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from demos.gan import latent
from shared.animation import to_gif
from shared.limits import LimitError


@pytest.fixture
def pair():
    g = torch.Generator().manual_seed(0)
    return torch.randn(64, generator=g), torch.randn(64, generator=g) * 1.3


@pytest.mark.parametrize("step", [latent.slerp, latent.lerp])
def test_interpolation_endpoints_are_exact(pair, step):
    z0, z1 = pair
    path = step(z0, z1, torch.tensor([0.0, 0.5, 1.0]))
    torch.testing.assert_close(path[0], z0, rtol=0, atol=1e-6)
    torch.testing.assert_close(path[-1], z1, rtol=0, atol=1e-6)


def test_slerp_keeps_the_norm(pair):
    z0, _ = pair
    z1 = torch.randn(64, generator=torch.Generator().manual_seed(5))
    z1 = z1 / z1.norm() * z0.norm()  # equal norms: every frame keeps that norm
    t = torch.linspace(0, 1, 17)
    norms = latent.slerp(z0, z1, t).norm(dim=1)
    torch.testing.assert_close(norms, torch.full_like(norms, float(z0.norm())), rtol=1e-5, atol=1e-5)
    # while a straight line dips towards the centre, where Gaussian latents almost never are
    assert latent.lerp(z0, z1, t).norm(dim=1)[8] < 0.8 * z0.norm()


def test_slerp_moves_the_norm_linearly_between_different_norms(pair):
    z0, z1 = pair
    t = torch.linspace(0, 1, 5)
    expected = (1 - t) * z0.norm() + t * z1.norm()
    torch.testing.assert_close(latent.slerp(z0, z1, t).norm(dim=1), expected, rtol=1e-5, atol=1e-5)


def test_slerp_of_parallel_latents_does_not_divide_by_zero():
    z = torch.ones(8)
    path = latent.slerp(z, 2 * z, torch.linspace(0, 1, 3))
    assert torch.isfinite(path).all()
    torch.testing.assert_close(path[1], 1.5 * z)


@pytest.mark.parametrize("mode", latent.INTERPOLATIONS)
def test_walk_passes_through_every_waypoint(mode):
    waypoints = latent.latents_for_seeds([1, 2, 3, 4], 16)
    path = latent.walk(waypoints, 10, mode)  # frames - 1 = 9 is a multiple of 3 segments
    assert path.shape == (10, 16)
    for k, frame in enumerate((0, 3, 6, 9)):
        torch.testing.assert_close(path[frame], waypoints[k], rtol=0, atol=1e-5)


def test_seed_gives_the_same_latent_every_time():
    torch.testing.assert_close(latent.latent_for_seed(42, 64), latent.latent_for_seed(42, 64))
    assert not torch.equal(latent.latent_for_seed(42, 64), latent.latent_for_seed(43, 64))


def test_truncation_scales_towards_the_centre():
    z = latent.latent_for_seed(1, 64)
    torch.testing.assert_close(latent.truncate(z, 0.5), 0.5 * z)
    assert latent.truncate(z, 0.0).abs().sum() == 0
    with pytest.raises(LimitError):
        latent.truncate(z, 1.5)


@pytest.mark.parametrize("text, expected", [("3, 17 42", [3, 17, 42]), (" 1,2 ", [1, 2])])
def test_parse_seeds(text, expected):
    assert latent.parse_seeds(text) == expected


@pytest.mark.parametrize("text, message", [
    ("", "The list of waypoint seeds is empty."),
    ("5", "The number of waypoints must be from 2 to 8; got 1."),
    ("1, two", "Waypoints are seeds separated by commas, like '3, 17, 42'; 'two' is not a whole number."),
    ("1, -4", "The seed must be from 0 to 4294967295; got -4."),
    ("1, 99999999999", "The seed must be from 0 to 4294967295; got 99999999999."),
    (",".join(["1"] * 9), "The number of waypoints must be from 2 to 8; got 9."),
    ("1.5, 2", "Waypoints are seeds separated by commas, like '3, 17, 42'; '1.5' is not a whole number."),
])
def test_parse_seeds_rejects_bad_text_with_a_message(text, message):
    with pytest.raises(LimitError) as info:
        latent.parse_seeds(text)
    assert str(info.value) == message


@pytest.mark.parametrize("frames", [1, 241, -3])
def test_walk_frame_count_is_limited(frames):
    with pytest.raises(LimitError):
        latent.walk(latent.latents_for_seeds([1, 2], 8), frames)


def test_gif_has_every_frame_and_loops():
    frames = np.random.default_rng(0).integers(0, 255, (6, 32, 32, 3), dtype=np.uint8)
    gif = Image.open(io.BytesIO(to_gif(frames, fps=10, scale=2)))
    assert gif.n_frames == 6 and gif.size == (64, 64) and gif.info.get("loop") == 0


def test_filmstrip_labels_every_frame():
    r = latent.Rendered(np.zeros((5, 32, 32, 3), np.uint8), np.linspace(0, 1, 5))
    sheet = latent.filmstrip(r, columns=3, scale=2)
    assert sheet.dtype == np.uint8 and sheet.shape[2] == 3
    assert sheet.shape[1] == 3 * (64 + 4) + 4  # three columns of 64-pixel tiles


def test_the_arithmetic_reads_its_stored_labelling_which_a_fresh_one_repeats(monkeypatch):
    """The bundled GAN's 2,000 labelled latents are stored beside its weights: the arithmetic reads
    them instead of labelling on its first press, and labelling the first 200 again gives the same."""
    from demos.gan import explore
    from shared.metrics import _bundled_classifier

    loaded = explore.load_gan()
    gan, classifier = loaded.model, _bundled_classifier()
    folders = explore.bundled_folders(loaded)
    assert folders is not None
    monkeypatch.setattr(latent, "_labelled", {})
    z = latent.seeded_latents(2000, gan.z_dim, 0)
    valid, labels = latent.label_latents(gan, classifier, z[:200])

    def no_labelling(*args):
        raise AssertionError("labelled live although a stored labelling exists")

    with monkeypatch.context() as m:
        m.setattr(latent, "label_latents", no_labelling)
        drawn = latent.labelled_latents(gan, classifier, 2000, 0, folders)
    torch.testing.assert_close(drawn.z, z, rtol=0, atol=0)
    np.testing.assert_array_equal(drawn.valid[:200], valid)
    for attribute, read in labels.items():
        np.testing.assert_array_equal(drawn.labels[attribute][:200], read)
    assert 0.5 < drawn.valid.mean() < 1.0  # the card's sample validity, near 88%
    # for other inputs (another seed) nothing is stored: labelled now
    assert latent.labelled_latents(gan, classifier, 50, 1, folders).valid.shape == (50,)
