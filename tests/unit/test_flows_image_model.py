"""The image flow (demos/flows/model.py): squeezing loses nothing, the map inverts exactly, its
log-determinant is the Jacobian's (against autograd's full Jacobian on a small image), its bits per
dimension are the dequantised likelihood, sampling is repeatable, and the trainer resumes bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from demos.flows.model import ImageFlow, squeeze, unsqueeze
from shared import limits
from shared.told import not_told


def small_flow(label_channels: int = 0) -> ImageFlow:
    torch.manual_seed(0)
    flow = ImageFlow(levels=2, steps=2, hidden=8, side=8, label_channels=label_channels).double()
    flow.to_noise(torch.randn(16, 3, 8, 8, dtype=torch.float64))  # ActNorm's data-dependent start
    with torch.no_grad():
        for level in flow.blocks:
            for step in level:
                step.couple.net[-1].weight.normal_(0, 0.1)  # couplings that do something
        for prior in getattr(flow, "priors", []):
            prior.conv.weight.normal_(0, 0.1)  # priors that depend on what is known
            prior.conv.bias.normal_(0, 0.1)
    return flow.eval()


LABELS = torch.tensor([[0, 1, 0, 2], [5, 5, 1, 4], [6, 6, 2, 5]])  # a star, a yellow..., nothing told


def test_squeeze_moves_pixels_to_channels_and_back():
    x = torch.arange(2 * 3 * 4 * 4).view(2, 3, 4, 4)
    s = squeeze(x)
    assert s.shape == (2, 12, 2, 2) and s[0, :4, 0, 0].tolist() == [0, 1, 4, 5]  # channel 0's top-left 2x2 block
    assert torch.equal(unsqueeze(s), x)


def test_the_flow_inverts_exactly_and_its_log_determinant_is_the_jacobians():
    flow = small_flow()
    s = torch.randn(3, 3, 8, 8, dtype=torch.float64)
    zs, logdet = flow.to_noise(s)
    assert [tuple(z.shape[1:]) for z in zs] == flow.latent_shapes() == [(6, 4, 4), (24, 2, 2)]
    torch.testing.assert_close(flow.from_noise(zs), s, rtol=0, atol=1e-10)

    def flat(v: torch.Tensor) -> torch.Tensor:
        return torch.cat([z.flatten(1) for z in flow.to_noise(v.view(1, 3, 8, 8))[0]], 1)[0]

    jacobian = torch.autograd.functional.jacobian(flat, s[1].flatten())
    assert logdet[1].item() == pytest.approx(torch.linalg.slogdet(jacobian)[1].item(), rel=1e-6)


def test_a_told_flow_inverts_exactly_with_its_labels_and_its_log_determinant_counts_the_priors():
    """eps = (z - mu) / sigma at every level: the map from images to eps is still a bijection for
    given labels, and log |det| is its Jacobian's; other labels give other noise for the same image."""
    flow = small_flow(label_channels=4)
    s = torch.randn(3, 3, 8, 8, dtype=torch.float64)
    zs, logdet = flow.to_noise(s, LABELS)
    torch.testing.assert_close(flow.from_noise(zs, LABELS), s, rtol=0, atol=1e-10)

    def flat(v: torch.Tensor) -> torch.Tensor:
        return torch.cat([z.flatten(1) for z in flow.to_noise(v.view(1, 3, 8, 8), LABELS[1:2])[0]], 1)[0]

    jacobian = torch.autograd.functional.jacobian(flat, s[1].flatten())
    assert logdet[1].item() == pytest.approx(torch.linalg.slogdet(jacobian)[1].item(), rel=1e-6)
    other, _ = flow.to_noise(s, LABELS.flip(0))
    assert not torch.allclose(other[0], zs[0])
    untold, _ = flow.to_noise(s)  # None: every head not told
    torch.testing.assert_close(untold[1], flow.to_noise(s, not_told(3))[0][1])


def test_a_new_told_flow_starts_with_standard_normal_priors_and_an_untold_one_refuses_labels():
    flow = ImageFlow(levels=2, steps=1, hidden=8, side=8, label_channels=4)
    assert flow.told and all((p.conv.weight == 0).all() and (p.conv.bias == 0).all() for p in flow.priors)
    plain = ImageFlow(levels=2, steps=1, hidden=8, side=8)
    assert not plain.told and not hasattr(plain, "priors")
    with pytest.raises(ValueError, match="this flow was trained without labels"):
        plain.to_noise(torch.randn(1, 3, 8, 8), LABELS[:1])


def test_bits_per_dimension_is_the_dequantised_likelihood():
    """-(log p(y) - D log 256) / (D ln 2) with y = (x + u) / 256, u the generator's noise."""
    flow = small_flow().float()
    x = torch.randint(0, 256, (2, 3, 8, 8))
    bits = flow.bits_per_dim(x, torch.Generator().manual_seed(3))
    u = torch.rand(x.shape, generator=torch.Generator().manual_seed(3))
    expected = -(flow.log_prob_y((x + u) / 256) - flow.dims * math.log(256)) / (flow.dims * math.log(2))
    torch.testing.assert_close(bits, expected)
    y = torch.rand(2, 3, 8, 8)
    s, squash_ld = flow.squash(y)
    torch.testing.assert_close(flow.unsquash(s), y, rtol=0, atol=1e-5)
    assert (squash_ld > 0).all()  # logit stretches (0, 1) onto the line


def test_sampling_is_repeatable_and_the_temperature_scales_the_noise():
    from demos.flows.train import sample_images

    flow = ImageFlow(levels=3, steps=1, hidden=8).eval()
    flow.to_noise(torch.randn(8, 3, 32, 32))
    a, b = sample_images(flow, 2, 5), sample_images(flow, 2, 5)
    assert a.dtype == np.uint8 and a.shape == (2, 32, 32, 3)
    np.testing.assert_array_equal(a, b)
    cold = flow.sample_noise(1, 0.1, torch.Generator().manual_seed(0))
    warm = flow.sample_noise(1, 1.0, torch.Generator().manual_seed(0))
    torch.testing.assert_close(cold[0] * 10, warm[0])


def test_told_samples_repeat_with_their_labels_and_change_with_them():
    from demos.flows.train import sample_images

    flow = ImageFlow(levels=3, steps=1, hidden=8, label_channels=4).eval()
    flow.to_noise(torch.randn(8, 3, 32, 32))
    with torch.no_grad():
        for prior in flow.priors:
            prior.conv.bias.normal_(0, 0.5)  # priors that differ by label
            prior.conv.weight.normal_(0, 0.5)
    labels = LABELS.numpy()
    a = sample_images(flow, 3, 5, 1.0, labels)
    np.testing.assert_array_equal(a, sample_images(flow, 3, 5, 1.0, labels))
    assert not np.array_equal(a, sample_images(flow, 3, 5, 1.0, labels[::-1].copy()))
    with pytest.raises(limits.LimitError, match=r"Labels must be 3 rows of 4 whole numbers; got int64 \(2, 4\)\."):
        sample_images(flow, 3, 5, 1.0, labels[:2])


def test_the_trainer_resumes_where_it_stopped_and_continues_the_same_way(tmp_path):
    from demos.flows.train import TrainConfig, fit
    from tests.resume_check import assert_resumes_the_same

    cfg = TrainConfig(batch_size=4, levels=2, flow_steps=1, hidden=8, data_size=32, eval_every=1000, device="cpu",
                      label_channels=0, decay_from=0)
    assert_resumes_the_same(cfg, fit, lambda s: s.flow, tmp_path)


def test_the_told_trainer_resumes_the_same_way(tmp_path):
    """With labels dropped at random (run.gen), resuming still continues bit for bit."""
    from demos.flows.train import TrainConfig, fit
    from tests.resume_check import assert_resumes_the_same

    cfg = TrainConfig(batch_size=4, levels=2, flow_steps=1, hidden=8, data_size=32, eval_every=1000, device="cpu",
                      label_channels=2, decay_from=2)
    assert_resumes_the_same(cfg, fit, lambda s: s.flow, tmp_path)
