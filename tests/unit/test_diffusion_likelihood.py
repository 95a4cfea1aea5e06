"""The diffusion model's variational bound (demos/diffusion/likelihood.py): the discretised decoder is
a distribution over the 256 values, the KL terms vanish when the model knows the noise, and the
one-t-per-image estimate agrees with the whole sum over every t on a small schedule."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from demos.diffusion.likelihood import Bound, bits_per_dim, discretised_log_likelihood, exact_bits_per_dim


def test_the_decoder_is_a_distribution_over_the_256_values():
    values = torch.arange(256, dtype=torch.float64) / 127.5 - 1
    for mean, log_scale in [(0.0, -3.0), (0.7, -5.0), (-1.2, -1.0)]:
        p = discretised_log_likelihood(values, torch.full_like(values, mean), torch.full_like(values, log_scale)).exp()
        assert float(p.sum()) == pytest.approx(1.0, abs=1e-6)


class Oracle(torch.nn.Module):
    """A 'UNet' that returns the noise actually added (it is told x_0): every KL term is then 0."""

    def __init__(self, x0: torch.Tensor, abar: torch.Tensor) -> None:
        super().__init__()
        self.x0, self.abar = x0, abar

    def forward(self, x_t, t):
        a = self.abar[t].view(-1, 1, 1, 1).float()
        return type("Out", (), {"sample": (x_t - a.sqrt() * self.x0) / (1 - a).sqrt()})


class Zero(torch.nn.Module):
    def forward(self, x_t, t):
        return type("Out", (), {"sample": torch.zeros_like(x_t)})


def small_config(steps: int = 12):
    from diffusers import DDPMScheduler

    return DDPMScheduler(num_train_timesteps=steps, beta_schedule="squaredcos_cap_v2", prediction_type="epsilon",
                         clip_sample=True).config


def images(n: int, seed: int = 0) -> np.ndarray:
    from shared.datasets import make_shapes

    return make_shapes(n, seed).images


def test_an_oracle_pays_only_for_the_decoder_and_the_prior():
    config, x = small_config(1000), images(3)  # the bundled model's schedule length: a narrow decoder
    bound = Bound(config)
    x0 = torch.from_numpy(x.astype(np.float32)).permute(0, 3, 1, 2) / 127.5 - 1
    oracle = Oracle(x0, bound.abar)
    for t in (1, 50, 999):
        kl = bound.term_nats(oracle, x0, torch.full((3,), t), torch.randn(x0.shape))
        assert float(kl.abs().max()) < 1e-3 * x0[0].numel()
    # with a model that knows x_0 the decoder's mean is the posterior's: a fraction of a bit per value
    assert (bits_per_dim(oracle, config, x) < 1.0).all()


def test_one_t_per_image_estimates_the_whole_sum():
    config, x = small_config(), np.repeat(images(1), 240, axis=0)
    unet = Zero()  # a poor model: large, uneven terms over t, a hard case for the estimate
    exact = float(exact_bits_per_dim(unet, config, x[:40]).mean())
    estimate = bits_per_dim(unet, config, x, seed=3)
    assert estimate.mean() == pytest.approx(exact, rel=0.05)
    assert bits_per_dim(unet, config, x[:8], seed=3).tolist() == bits_per_dim(unet, config, x[:8], seed=3).tolist()
