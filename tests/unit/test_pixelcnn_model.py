"""The gated PixelCNN: raster order without a blind spot, the row-by-row sampler giving exactly the
network's logits, the palette code of the data lossless, bits per dimension the exact likelihood,
sampling repeatable and completing a half-masked image, every value checked, and the trainer resuming
bit for bit."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from demos.pixelcnn.model import GatedPixelCNN, PlainPixelCNN, RowSampler
from demos.pixelcnn.sampling import DIMS, bits_per_dim, sample, sample_images, to_codes, to_images
from shared.datasets import make_shapes
from shared.limits import LimitError

PALETTE = [[i, 255 - i, (7 * i) % 256] for i in range(12)]


@pytest.fixture(scope="module")
def model() -> GatedPixelCNN:
    torch.manual_seed(0)
    m = GatedPixelCNN(PALETTE, channels=16, dilations=(1, 2, 1)).eval()
    with torch.no_grad():
        for p in m.parameters():  # weights of a size that makes every path count
            p.normal_(0, 0.3)
    return m


def test_each_pixel_sees_every_pixel_before_it_in_reach_and_none_after(model):
    """Gradients of pixel (10, 10)'s logits with respect to the input embeddings: nonzero left of it
    in its row and on the rows above, including above-right (the original PixelCNN's blind spot);
    zero at itself and after it."""
    x = torch.randint(len(PALETTE), (1, 32, 32))
    e = model.embed(x).permute(0, 3, 1, 2).detach().requires_grad_(True)
    v, h = model.v_in(e), model.h_in(e)
    for layer in model.layers:
        v, h = layer(v, h)
    model.out(torch.nn.functional.elu(h))[0, :, 10, 10].sum().backward()
    seen = e.grad[0].abs().sum(0)  # (32, 32)
    for before in [(10, 9), (10, 0 + 5), (9, 10), (9, 13), (8, 14), (10 - model.rows_seen, 10)]:
        assert seen[before] > 0, before
    for after in [(10, 10), (10, 11), (11, 0), (31, 31)]:
        assert seen[after] == 0, after
    assert seen[: 10 - model.rows_seen].sum() == 0  # beyond the reach the model reports


def test_the_row_sampler_gives_exactly_the_networks_logits(model):
    x = torch.randint(len(PALETTE), (3, 32, 32))
    with torch.no_grad():
        full = model(x)
        for i in (0, 1, 7, 19, 31):
            state = model.row_state(x, i)
            torch.testing.assert_close(model.row_logits(x, i, state), full[:, :, i], rtol=0, atol=1e-5)
            torch.testing.assert_close(model.row_logits(x, i, state, upto=5), full[:, :, i, :5], rtol=0, atol=1e-5)


def test_the_column_sampler_gives_exactly_the_networks_logits(model):
    """RowSampler: one column at a time from its cache, every pixel of every row as forward() gives it."""
    x = torch.randint(len(PALETTE), (3, 32, 32))
    rows = RowSampler(model, 3)
    with torch.no_grad():
        full = model(x)
        for i in range(32):
            rows.start(model.row_state(x, i))
            got = torch.stack([rows.next_logits(x[:, i, j - 1] if j else None) for j in range(32)], dim=-1)
            torch.testing.assert_close(got, full[:, :, i], rtol=0, atol=1e-5)


def test_the_plain_stack_has_the_blind_spot_the_gated_one_removes():
    """The first PixelCNN's masked stack, 4 layers: pixel (10, 10) sees (9, 11) and (8, 12) (the
    up-right diagonal each layer adds), but not (9, 13), earlier in raster order and 4 columns away."""
    x = torch.zeros(1, 1, 32, 32, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(PlainPixelCNN(4).double()(x)[0, 0, 10, 10], x)
    seen = grad[0, 0] > 0
    assert seen[9, 11] and seen[8, 12] and seen[10, 6] and seen[6, 10] and seen[6, 6]
    assert not seen[9, 13] and not seen[8, 14] and not seen[9, 14]  # the blind spot: before (10, 10), never seen
    assert not seen[10, 10] and not seen[10, 11] and not seen[11, 0]


def test_the_palette_code_of_the_data_is_lossless_and_uploads_snap_to_it():
    images = make_shapes(50, seed=3).images
    palette = np.unique(images.reshape(-1, 3), axis=0).tolist()
    codes, missing = to_codes(images, palette)
    assert missing == 0 and codes.shape == (50, 32, 32)
    np.testing.assert_array_equal(to_images(codes, palette), images)
    odd = images.copy()
    odd[0, 0, 0] = np.clip(odd[0, 0, 0].astype(int) + 3, 0, 255)
    codes, missing = to_codes(odd, palette)
    assert missing == 1 and tuple(palette[codes[0, 0, 0]]) == tuple(images[0, 0, 0])
    with pytest.raises(LimitError, match="Images must be uint8"):
        to_codes(images.astype(np.float32), palette)


def test_bits_per_dim_is_the_exact_negative_log_likelihood(model):
    codes = torch.randint(len(PALETTE), (4, 32, 32))
    images = to_images(codes, PALETTE)
    with torch.no_grad():
        log_p = torch.log_softmax(model(codes), 1).gather(1, codes[:, None])[:, 0].sum((1, 2)).double()
    np.testing.assert_allclose(bits_per_dim(model, images), (-log_p / (DIMS * math.log(2))).numpy(), rtol=1e-6)


def test_sampling_is_repeatable_streams_every_pixel_and_completes_a_masked_image(model):
    steps = [dataclasses.replace(s, codes=s.codes.copy()) for s in sample(model, 2, seed=5, temperature=0.8)]
    assert len(steps) == 32 * 32 and (steps[0].row, steps[0].col) == (0, 0) and (steps[-1].row, steps[-1].col) == (31, 31)
    assert (steps[0].codes == -1).sum() == 2 * (32 * 32 - 1)  # one pixel drawn in each image
    np.testing.assert_allclose(steps[40].probs.sum(1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(sample_images(model, 2, 5, 0.8), to_images(steps[-1].codes, PALETTE))
    top = steps[-1].codes.copy()
    done = [dataclasses.replace(s, codes=s.codes.copy()) for s in sample(model, 2, seed=9, start=top, from_pixel=16 * 32)]
    assert len(done) == 16 * 32
    np.testing.assert_array_equal(done[-1].codes[:, :16], top[:, :16])  # the kept half is untouched


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, "number of samples"), ({"n": 101}, "number of samples"), ({"seed": -1}, "seed"),
    ({"temperature": 0.0}, "temperature"), ({"temperature": "hot"}, "temperature"),
])
def test_sampling_values_are_checked(model, kwargs, message):
    args = {"n": 1, "seed": 0, "temperature": 1.0, **kwargs}
    with pytest.raises(LimitError, match=message):
        next(sample(model, **args))


def test_the_trainer_resumes_where_it_stopped_and_continues_the_same_way(tmp_path):
    from demos.pixelcnn.train import TrainConfig, fit
    from tests.resume_check import assert_resumes_the_same

    cfg = TrainConfig(batch_size=4, channels=8, data_size=64, eval_every=1000, device="cpu")
    assert_resumes_the_same(cfg, fit, lambda s: s.model, tmp_path)


def test_a_run_continued_from_saved_weights_starts_at_their_step_with_them_and_anneals_its_rate(tmp_path):
    """--init-from: the bundled model's run state was lost; a run continues from its weights, steps,
    minutes and history (a fresh optimiser), and --decay-from brings the rate down to lr/20 by the end."""
    import json

    from demos.pixelcnn.train import TrainConfig, fit, learning_rate

    first = TrainConfig(steps=3, batch_size=4, channels=8, data_size=64, eval_every=2, eval_images=8, device="cpu",
                        out=str(tmp_path / "out"), state_dir=str(tmp_path / "state"))
    run, s = fit(first)
    saved = run.unwrap(s.model)
    saved.save_pretrained(tmp_path / "out")
    (tmp_path / "out" / "training.json").write_text(json.dumps(
        {"config": {"steps": 3}, "history": run.history, "minutes": 1.5}))
    more = TrainConfig(steps=5, batch_size=4, channels=8, data_size=64, eval_every=2, eval_images=8, device="cpu",
                       decay_from=3, init_from=str(tmp_path / "out"), state_dir=str(tmp_path / "state2"),
                       out=str(tmp_path / "out2"))
    later, s2 = fit(more, stop_at=3)  # no step taken: the weights and the counts are the saved run's
    assert later.step == 3 and later.history == run.history and later.elapsed == pytest.approx(90.0, abs=1.0)
    for a, b in zip(saved.state_dict().values(), later.unwrap(s2.model).state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert [learning_rate(more, k) for k in (0, 3)] == [more.lr, more.lr]
    assert learning_rate(more, 4) == pytest.approx(more.lr * (0.05 + 0.95 * 0.5))  # half way down the cosine
    assert learning_rate(more, 5) == pytest.approx(more.lr / 20)
