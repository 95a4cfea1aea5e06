"""The pixel diffusion model's variational bound in bits per dimension (Ho et al. 2020, sec. 3.3; the
computation of Nichol & Dhariwal 2021's improved-diffusion `calc_bpd_loop`), for the arena.

With x_0 the 8-bit image scaled to [-1, 1] and t = 0 .. T-1 the diffusers timestep index:

    -log p(x_0) <= L_prior + sum_{t=1}^{T-1} L_t + L_0
    L_prior = KL( q(x_T | x_0) || N(0, I) )                                   closed form, no network
    L_t     = KL( q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t) )                 two Gaussians, one UNet pass
    L_0     = -log p(x_0 | x_1), a Gaussian discretised over the 256 bins of each value

p's mean comes from the UNet's noise prediction (x_0 predicted, clipped to [-1, 1], then the posterior
mean); its variance is the scheduler's ("fixed_small": the posterior's own, so L_t is the squared
distance of the means over twice that variance). The sum over t costs T UNet passes per image; the
bound here draws one t per image instead, stratified over 1 .. T-1 across the images, and scales it
by T - 1: an unbiased estimate of the mean bound over the images (with L_0 and L_prior exact), two
UNet passes per image.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from shared import heavy

LN2 = math.log(2)


def _normal_cdf(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


def discretised_log_likelihood(x0: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor) -> torch.Tensor:
    """log P(x0) per value, x0 on the 256 bin centres of [-1, 1] (width 2/255), under N(mean, exp(log_scale)^2)
    integrated over the bin; the edge bins reach to -inf and +inf, so the 256 probabilities sum to 1."""
    centred = x0 - mean
    inv = torch.exp(-log_scale)
    cdf_plus = _normal_cdf(inv * (centred + 1 / 255))
    cdf_minus = _normal_cdf(inv * (centred - 1 / 255))
    log_cdf_plus = cdf_plus.clamp(min=1e-12).log()
    log_one_minus_cdf_minus = (1 - cdf_minus).clamp(min=1e-12).log()
    log_delta = (cdf_plus - cdf_minus).clamp(min=1e-12).log()
    return torch.where(x0 < -0.999, log_cdf_plus, torch.where(x0 > 0.999, log_one_minus_cdf_minus, log_delta))


def _gaussian_kl(mean1: torch.Tensor, logvar1: torch.Tensor, mean2: torch.Tensor, logvar2: torch.Tensor) -> torch.Tensor:
    """KL( N(mean1, e^logvar1) || N(mean2, e^logvar2) ) per value, nats."""
    return 0.5 * (-1.0 + logvar2 - logvar1 + torch.exp(logvar1 - logvar2) + (mean1 - mean2) ** 2 * torch.exp(-logvar2))


class Bound:
    """The schedule's constants, float64 (T,): abar_t, the posterior's coefficients and log variance."""

    def __init__(self, config) -> None:  # noqa: ANN001 (a DDPMScheduler config)
        heavy.ready("diffusers")  # shared/heavy.py: no two threads race its lazy import
        from diffusers import DDPMScheduler

        scheduler = DDPMScheduler.from_config(config)
        if scheduler.config.prediction_type != "epsilon" or scheduler.config.variance_type != "fixed_small":
            raise ValueError("the bound is written for an epsilon-predicting model with the posterior's variance")
        self.T = scheduler.config.num_train_timesteps
        betas = scheduler.betas.double()
        self.abar = scheduler.alphas_cumprod.double()
        abar_prev = torch.cat([torch.ones(1, dtype=torch.float64), self.abar[:-1]])
        self.coef_x0 = betas * abar_prev.sqrt() / (1 - self.abar)
        self.coef_xt = (1 - abar_prev) * (1 - betas).sqrt() / (1 - self.abar)
        variance = betas * (1 - abar_prev) / (1 - self.abar)
        # t = 0 has no posterior variance; improved-diffusion uses t = 1's there (a finite decoder scale)
        self.logvar = torch.cat([variance[1:2], variance[1:]]).log()

    def prior_nats(self, x0: torch.Tensor) -> torch.Tensor:
        """L_prior per image, (B,)."""
        a = self.abar[-1]
        mean, logvar = a.sqrt() * x0.double(), torch.full_like(x0, float(torch.log(1 - a)), dtype=torch.float64)
        return _gaussian_kl(mean, logvar, torch.zeros_like(mean), torch.zeros_like(logvar)).flatten(1).sum(1)

    @torch.no_grad()
    def term_nats(self, unet, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:  # noqa: ANN001
        """L_t per image (L_0 where t = 0), (B,); x0, noise (B, 3, 32, 32) float, t (B,) long."""
        a = self.abar[t].view(-1, 1, 1, 1)
        x_t = (a.sqrt() * x0.double() + (1 - a).sqrt() * noise.double()).float()
        eps = unet(x_t, t).sample.double()
        x0_hat = ((x_t.double() - (1 - a).sqrt() * eps) / a.sqrt()).clamp(-1, 1)
        c0, ct = self.coef_x0[t].view(-1, 1, 1, 1), self.coef_xt[t].view(-1, 1, 1, 1)
        model_mean, true_mean = c0 * x0_hat + ct * x_t.double(), c0 * x0.double() + ct * x_t.double()
        logvar = self.logvar[t].view(-1, 1, 1, 1).expand_as(model_mean)
        kl = _gaussian_kl(true_mean, logvar, model_mean, logvar).flatten(1).sum(1)
        decoder = -discretised_log_likelihood(x0.double(), model_mean, 0.5 * logvar).flatten(1).sum(1)
        return torch.where(t == 0, decoder, kl)


def to_model_range(images: np.ndarray) -> torch.Tensor:
    """uint8 (n, 32, 32, 3) -> float (n, 3, 32, 32) on the bin centres of [-1, 1]."""
    return torch.from_numpy(np.array(images, dtype=np.float32)).permute(0, 3, 1, 2) / 127.5 - 1


def bits_per_dim(unet, config, images: np.ndarray, seed: int = 0, batch: int = 250) -> np.ndarray:  # noqa: ANN001
    """(n,) per image: L_prior + L_0 + (T - 1) L_t for one t, stratified over 1 .. T-1 across the images,
    in bits per dimension. Their mean estimates the images' mean bound without bias."""
    bound = Bound(config)
    gen = torch.Generator().manual_seed(seed)
    x = to_model_range(images)
    n, dims = len(x), x[0].numel()
    strata = (torch.arange(n, dtype=torch.float64) + torch.rand(n, generator=gen, dtype=torch.float64)) / n
    ts = 1 + (strata * (bound.T - 1)).long().clamp(max=bound.T - 2)
    out = []
    for i in range(0, n, batch):
        x0, t = x[i:i + batch], ts[i:i + batch]
        noise_t, noise_0 = torch.randn(x0.shape, generator=gen), torch.randn(x0.shape, generator=gen)
        nats = (bound.prior_nats(x0) + bound.term_nats(unet, x0, torch.zeros_like(t), noise_0)
                + (bound.T - 1) * bound.term_nats(unet, x0, t, noise_t))
        out.append(nats / (dims * LN2))
    return torch.cat(out).numpy()


def exact_bits_per_dim(unet, config, images: np.ndarray, seed: int = 0) -> np.ndarray:  # noqa: ANN001
    """(n,) the whole sum, every t, one noise draw per t: T UNet passes per image (tests, small T)."""
    bound = Bound(config)
    gen = torch.Generator().manual_seed(seed)
    x0 = to_model_range(images)
    nats = bound.prior_nats(x0)
    for t in range(bound.T):
        nats = nats + bound.term_nats(unet, x0, torch.full((len(x0),), t), torch.randn(x0.shape, generator=gen))
    return (nats / (x0[0].numel() * LN2)).numpy()
