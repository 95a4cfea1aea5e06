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


# ---- told what to draw: labels as gate biases, "not told", classifier-free guidance ----


@pytest.fixture(scope="module")
def told_model(model) -> GatedPixelCNN:
    """The module's model grown to take labels (its weights kept), its label weights then drawn too."""
    m = GatedPixelCNN(PALETTE, channels=16, dilations=(1, 2, 1), label_dim=6).eval()
    missing, unexpected = m.load_state_dict(model.state_dict(), strict=False)
    assert not unexpected and missing and all("label" in key for key in missing)
    return m


LABELS = torch.tensor([[0, 1, 0, 2], [5, 5, 1, 4], [6, 6, 2, 5]])  # the last row: nothing told (NOT_TOLD)


def test_a_model_grown_to_take_labels_starts_as_the_model_it_grew_from(model, told_model):
    """The label weights start at zero: whatever it is told, it predicts as before."""
    x = torch.randint(len(PALETTE), (3, 32, 32))
    with torch.no_grad():
        torch.testing.assert_close(told_model(x, LABELS), model(x), rtol=0, atol=1e-6)
        torch.testing.assert_close(told_model(x), model(x), rtol=0, atol=1e-6)


@pytest.fixture(scope="module")
def drawn_told(told_model) -> GatedPixelCNN:
    import copy

    m = copy.deepcopy(told_model)
    torch.manual_seed(1)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if "label" in name:
                p.normal_(0, 0.3)
    return m


def test_labels_change_the_prediction_and_the_samplers_give_exactly_the_networks_logits(drawn_told):
    from demos.pixelcnn.model import not_told

    x = torch.randint(len(PALETTE), (3, 32, 32))
    rows = RowSampler(drawn_told, 3)
    with torch.no_grad():
        full = drawn_told(x, LABELS)
        untold = drawn_told(x)
        assert (full[:2] - untold[:2]).abs().amax() > 0.1  # told rows predict otherwise
        torch.testing.assert_close(full[2], untold[2], rtol=0, atol=1e-6)  # not told == nothing passed
        torch.testing.assert_close(drawn_told(x, not_told(3)), untold, rtol=0, atol=0)
        for i in (0, 13, 31):
            rows.start(drawn_told.row_state(x, i, LABELS))
            got = torch.stack([rows.next_logits(x[:, i, j - 1] if j else None) for j in range(32)], dim=-1)
            torch.testing.assert_close(got, full[:, :, i], rtol=0, atol=1e-5)


def test_guided_sampling_draws_each_pixel_from_told_plus_w_times_told_minus_untold(drawn_told):
    """The first pixel's distribution is the guided one, computed here from forward(); guidance 0
    with labels is the told model; the samples repeat for a seed."""
    labels = LABELS[:2].numpy()
    w, blank = 1.5, torch.zeros(2, 32, 32, dtype=torch.long)
    with torch.no_grad():
        told, untold = drawn_told(blank, LABELS[:2])[:, :, 0, 0], drawn_told(blank)[:, :, 0, 0]
    first = next(sample(drawn_told, 2, seed=3, labels=labels, guidance=w))
    np.testing.assert_allclose(first.probs, torch.softmax(told + w * (told - untold), 1).numpy(), rtol=1e-4, atol=1e-6)
    plain = next(sample(drawn_told, 2, seed=3, labels=labels, guidance=0.0))
    np.testing.assert_allclose(plain.probs, torch.softmax(told, 1).numpy(), rtol=1e-4, atol=1e-6)
    a = sample_images(drawn_told, 2, 3, labels=labels, guidance=w)
    np.testing.assert_array_equal(a, sample_images(drawn_told, 2, 3, labels=labels, guidance=w))
    assert not np.array_equal(a, sample_images(drawn_told, 2, 3))


@pytest.mark.parametrize("labels, message", [
    (np.zeros((2, 3), dtype=int), r"Labels must be 2 rows of 4 whole numbers; got int64 \(2, 3\)"),
    (np.zeros((2, 4)), r"Labels must be 2 rows of 4 whole numbers; got float64 \(2, 4\)"),
    (np.array([[0, 0, 0, 6], [0, 0, 0, 0]]), r"Each label must be from 0 to its head's count \(6, 6, 2, 5\)"),
    (np.array([[-1, 0, 0, 0], [0, 0, 0, 0]]), r"Each label must be from 0"),
])
def test_labels_are_checked(drawn_told, labels, message):
    with pytest.raises(LimitError, match=message):
        next(sample(drawn_told, 2, seed=0, labels=labels, guidance=1.0))


def test_a_model_trained_without_labels_refuses_them(model):
    with pytest.raises(LimitError, match="trained without labels: it cannot be told what to draw"):
        next(sample(model, 1, seed=0, labels=np.zeros((1, 4), dtype=int)))
    with pytest.raises(LimitError, match="guidance"):
        next(sample(model, 1, seed=0, guidance=9.0))


def test_random_labels_are_uniform_like_the_data_and_repeat_for_a_seed():
    from demos.pixelcnn.sampling import random_labels

    labels = random_labels(6000, 7)
    np.testing.assert_array_equal(labels, random_labels(6000, 7))
    for k, count in enumerate((6, 6, 2, 5)):
        share = np.bincount(labels[:, k], minlength=count) / len(labels)
        assert share.shape == (count,) and np.abs(share - 1 / count).max() < 0.02, (k, share)


def test_training_drops_whole_label_sets_and_single_heads_at_the_asked_rates():
    from demos.pixelcnn.model import NOT_TOLD
    from shared.told import dropped_labels

    labels = torch.zeros(20000, 4, dtype=torch.long)
    out = dropped_labels(labels, 0.2, 0.15, torch.Generator().manual_seed(0))
    dropped = out == torch.tensor(NOT_TOLD)
    assert ((out == 0) | dropped).all()
    assert dropped.all(1).float().mean().item() == pytest.approx(0.2 + 0.8 * 0.15 ** 4, abs=0.01)
    assert dropped.float().mean().item() == pytest.approx(0.2 + 0.8 * 0.15, abs=0.01)


def test_the_card_of_a_told_model_says_how_often_its_samples_are_drawn_as_told(tmp_path, told_model):
    """measure_witnesses on a saved told model: the two-witness table, then the told table after it
    (replaced, not added, when measured again)."""
    from demos.pixelcnn.train import measure_witnesses
    from shared.witnesses import TOLD_END, TOLD_START, write_told_section

    told_model.save_pretrained(tmp_path)
    (tmp_path / "README.md").write_text("# a card\n\n## Use\n")
    text = measure_witnesses(tmp_path, 2)
    card = (tmp_path / "README.md").read_text()
    assert card.index("## Two witnesses") < card.index(TOLD_START) < card.index(TOLD_END) < card.index("## Use")
    assert "each told labels drawn as the data draws them, no guidance" in card
    table = text.split("\n\n")[-1]
    assert table.startswith("| drawn as told, by the classifier (seeds 0, 1, 2, 3, 4) | mean | range |") and table in card
    assert [line.split(" |")[0] for line in table.splitlines()[2:]] == [
        "| valid, all four as told", "| shape as told", "| colour as told", "| size as told", "| position as told"]
    write_told_section(tmp_path / "README.md", "| another table |")
    card = (tmp_path / "README.md").read_text()
    assert card.count(TOLD_START) == 1 and "| another table |" in card and table not in card


def test_drawn_as_told_reads_the_datas_own_labels_as_told():
    """told_figures on real pictures against their true labels: the classifier reads (almost) all as
    told, and against labels shifted by one, none."""
    from demos.pixelcnn.model import LABEL_HEADS, NOT_TOLD
    from shared.witnesses import told_figures

    data = make_shapes(120, seed=11)
    labels = np.stack([data.labels[h] for h in LABEL_HEADS], axis=1)
    right = told_figures(data.images, labels)
    assert right["valid, all four as told"] >= 0.97 and min(right.values()) >= 0.97
    wrong = told_figures(data.images, (labels + 1) % np.array(NOT_TOLD))
    assert wrong["valid, all four as told"] == 0.0 and max(v for k, v in wrong.items() if k != "valid, all four as told") <= 0.03
