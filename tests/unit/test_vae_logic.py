"""The VAE tab's logic on the bundled models: interpolation endpoints and its contrast with a
cross-fade, the latent map, the traversal and its table, samples, the beta comparison, anomaly
ordering, and every value checked with a message."""

import numpy as np
import pytest

from demos.vae import explore, options
from shared import datasets
from shared.datasets import make_not_shapes
from shared.limits import LimitError


def test_lerp_and_slerp_start_and_end_on_the_inputs_and_slerp_keeps_the_norm():
    rng = np.random.default_rng(0)
    za, zb = rng.normal(size=16), rng.normal(size=16)
    t = explore.path_weights(9)
    for mode in options.INTERPOLATIONS:
        path = explore.interpolate_latents(za, zb, t, mode)
        assert path.shape == (9, 16)
        assert np.allclose(path[0], za, atol=1e-5) and np.allclose(path[-1], zb, atol=1e-5)
    slerp = explore.interpolate_latents(za, zb, t, "slerp")
    lerp = explore.interpolate_latents(za, zb, t, "lerp")
    norms = np.linalg.norm(slerp, axis=1)
    assert np.allclose(norms, (1 - t) * np.linalg.norm(za) + t * np.linalg.norm(zb), rtol=1e-4)
    assert np.linalg.norm(lerp[4]) < norms[4]  # lerp cuts through the centre
    same = explore.interpolate_latents(za, 2 * za, t, "slerp")  # one direction: slerp is lerp
    assert np.allclose(same, explore.interpolate_latents(za, 2 * za, t, "lerp"), atol=1e-5)


def test_interpolation_frames_end_on_the_inputs_codes_and_beat_the_cross_fade():
    a, b = datasets.data_image(options.DEFAULT_SEEDS[0])[0], datasets.data_image(options.DEFAULT_SEEDS[1])[0]
    result = explore.interpolate(a, b, 8, "slerp")
    vae = explore.load_vae()
    means, _ = explore.encode(vae, np.stack([a, b]))
    ends = explore.decode(vae, means)
    # the same latents; decoded in a batch of 8 rather than 2, float rounding may move a value by one level
    assert np.abs(result.latent[0].astype(int) - ends[0]).max() <= 1
    assert np.abs(result.latent[-1].astype(int) - ends[1]).max() <= 1
    assert np.array_equal(result.fade[0], a) and np.array_equal(result.fade[-1], b)
    walk_ok, fade_ok = result.valid_counts
    assert walk_ok >= 7 and fade_ok <= 5, (result.latent_verdicts, result.fade_verdicts)
    sheet = explore.interpolation_sheet(result)
    assert sheet.shape[1] > 8 * 32 * 4 and sheet.shape[0] > 2 * 32 * 4  # two rows of 8 frames at 4x


def test_the_latent_map_decodes_its_plane_and_places_images():
    m = explore.latent_map()
    assert m.plane.shape == (options.MAP_TILES * 32, options.MAP_TILES * 32, 3)
    assert m.points.shape == (options.MAP_POINTS, 2) and not m.plane.flags.writeable
    centre = options.MAP_TILES // 2
    tile = m.plane[centre * 32:(centre + 1) * 32, centre * 32:(centre + 1) * 32]
    image, verdict = explore.decode_point(0.0, 0.0)
    assert np.array_equal(image, tile) and verdict  # the middle tile is z = (0, 0)
    assert explore.plane_point(0, 0, 480) == (-3.0, 3.0) and explore.plane_point(480, 480, 480) == (3.0, -3.0)
    mean, std = explore.place_on_map(datasets.data_image(3)[0])
    assert mean.shape == std.shape == (2,) and (std > 0).all()
    with pytest.raises(LimitError, match=r"^The latent coordinate must be a number from -3 to 3; got 7\.0\.$"):
        explore.decode_point(7.0, 0.0)


def test_traversal_rows_change_one_dimension_and_the_table_finds_the_factors():
    z = explore.encode(explore.load_vae(), datasets.data_image(3)[0][None])[0][0]
    rows = explore.traversal(z)
    assert rows.shape == (16, len(options.TRAVERSAL_VALUES), 32, 32, 3)
    i, k = 5, options.TRAVERSAL_VALUES.index(-2.0)
    moved = z.copy()
    moved[i] = -2.0
    assert np.array_equal(rows[i, k], explore.decode_latent(list(moved)))
    table = explore.dimension_table()
    assert [r.dim for r in table] == list(range(16))
    moved_most = {r.moves_most for r in table}
    assert {"shape", "colour"} <= moved_most, [(r.dim, r.moves_most, r.changes) for r in table]
    assert all(0 <= share <= 1 for r in table for share in r.changes.values())
    with pytest.raises(LimitError, match=r"^A latent of this model has 16 values\.$"):
        explore.decode_latent([0.0] * 3)
    with pytest.raises(LimitError, match=r"^The latent value must be a number from -4 to 4; got 9\.0\.$"):
        explore.decode_latent([9.0] + [0.0] * 15)


def test_samples_are_repeatable_and_the_fitted_prior_draws_cleaner_shapes_than_n01():
    images, judged = explore.sample(32, 1.0, 7, "fitted")
    again, _ = explore.sample(32, 1.0, 7, "fitted")
    assert images.shape == (32, 32, 32, 3) and np.array_equal(images, again)
    _, standard = explore.sample(32, 1.0, 7, "standard")
    valid = lambda verdicts: sum(v != "not a shape" for v in verdicts)  # noqa: E731
    assert valid(judged) > valid(standard) + 8, (judged, standard)
    with pytest.raises(LimitError, match=r"^The temperature must be a number from 0 to 2; got 3\.0\.$"):
        explore.sample(4, 3.0, 0, "fitted")
    with pytest.raises(LimitError, match="prior"):
        explore.sample(4, 1.0, 0, "uniform")


def test_a_larger_kl_weight_blurs_reconstructions_and_shrinks_the_code():
    results = {r.label: r for r in explore.beta_comparison()}
    low, mid, high = results["β = 1"], results["β = 6"], results["β = 24"]
    assert low.recon_mse < mid.recon_mse < high.recon_mse
    assert low.kl_nats > mid.kl_nats > high.kl_nats
    # at every β the codes leave holes that N(0, I) samples fall into; the fitted prior avoids them
    for r in results.values():
        assert r.valid_standard < 0.15 and r.valid_fitted > r.valid_standard + 0.5, r
    assert low.valid_fitted >= 0.7


def test_non_shapes_score_higher_than_shapes():
    ref = explore.reference_scores()
    assert ref.auroc["bits_per_dim"] > 0.95 and ref.auroc["recon_mse"] > 0.9
    noise = make_not_shapes(1, 99)[0]
    shape = datasets.data_image(3)[0]
    odd, real = explore.score_anomaly(noise), explore.score_anomaly(shape)
    assert odd.scores["bits_per_dim"] > real.scores["bits_per_dim"]
    assert odd.unusual and not real.unusual


def test_reconstruction_reports_the_code_and_scores():
    r = explore.reconstruct(datasets.data_image(3)[0])
    assert r.mean.shape == r.std.shape == (16,) and (r.std > 0).all()
    assert r.verdict.endswith(datasets.data_image(3)[1].split()[3])  # 'a large red square ...' -> 'square'
    # deterministic on the bundled model: measured 0.000435 and 5.066 bits per dimension
    assert r.recon_mse == pytest.approx(0.000435, rel=0.02) and r.bits_per_dim == pytest.approx(5.066, abs=0.005)


def test_uploads_are_read_as_32_pixel_squares(tmp_path):
    from PIL import Image

    path = tmp_path / "wide.png"
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(path)
    image = explore.read_image(str(path))
    assert image.shape == (32, 32, 3) and tuple(image[0, 0]) == options.PICTURE.background
    with pytest.raises(LimitError, match=r"^There is no image A: pick one from the data, upload one or draw one\.$"):
        explore.read_image(None, "image A")
    with pytest.raises(LimitError, match=r"^Unknown model 'gan-shapes'; choose one of 'vae-shapes', 'vae-shapes-beta6', "):
        explore.load_vae("gan-shapes")


def test_each_bundled_vae_has_its_dimension_table_stored_and_it_equals_a_fresh_measurement():
    from shared.checkpoints import CHECKPOINTS_DIR
    from shared.stored_results import load_json

    for name in [*options.BETA_MODELS.values(), options.BUNDLED_2D]:
        assert load_json(CHECKPOINTS_DIR / name, "dimension-table", explore._table_key()) is not None, (
            f"rerun `python -m demos.vae.train --store-table-only 1 --out checkpoints/{name}`")
    fresh = explore.measure_dimensions(explore.load_vae(options.BUNDLED_2D))  # 2 dimensions: a few seconds
    stored = explore.dimension_table(options.BUNDLED_2D)
    # the same figures, to float rounding: a sum over 2,000 images differs in its last digits with the
    # number of threads that computed it (seen: 10.8595285 stored against 10.8595314 fresh)
    assert [(r.dim, r.moves_most, sorted(r.changes)) for r in stored] == [(r.dim, r.moves_most, sorted(r.changes))
                                                                         for r in fresh]
    for old, new in zip(stored, fresh, strict=True):
        assert old.kl == pytest.approx(new.kl, rel=1e-5)
        assert old.changes == pytest.approx(new.changes, abs=1e-5)
