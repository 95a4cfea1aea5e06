"""A convolutional VAE for 32x32 RGB `shapes`, saved as a Hub model.

    vae = ShapesVAE(latent_dim=16, width=64)
    mean, log_var = vae.encode(x)        # x: (B, 3, 32, 32) in [-1, 1] -> two (B, latent_dim)
    z = vae.reparameterise(mean, log_var, generator)   # z = mean + exp(log_var / 2) * eps
    x_hat = vae.decode(z)                # (B, latent_dim) -> (B, 3, 32, 32), the decoder's mean
    loss = vae.negative_elbo(x, generator, beta)       # per image, nats
    z = vae.sample_latents(16, generator, prior="fitted")   # (16, latent_dim) from a prior

Two priors. The VAE is trained against the standard normal N(0, I); after training, a mixture of
Gaussians is fitted to where the encoder actually puts the data (the aggregate posterior: "ex-post
density estimation", Ghosh et al. 2020; a two-stage VAE in Dai and Wipf 2019 is the same idea).
The shapes data are made of discrete factors (6 shapes x 6 colours x 2 sizes x 5 positions), so the
encoder's codes form separate clusters with holes between them that N(0, I) still fills: its
samples land in the holes and decode to blends. The fitted mixture samples the clusters.

The decoder is a Gaussian with one learned standard deviation for every pixel value (sigma), so
the negative ELBO is a true bound on the data's negative log-likelihood and can be reported in bits
per dimension; beta weighs the KL term (beta = 1 is the ELBO itself).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from shared.checkpoints import SafetensorsHubMixin

BUNDLED_NAME = "vae-shapes"
BIN = 2 / 256  # the data are 8-bit values mapped to [-1, 1]: one value step


class ShapesVAE(
    nn.Module,
    SafetensorsHubMixin,
    library_name="genai-demos",
    tags=["vae", "variational-autoencoder", "shapes"],
    license="mit",
):
    def __init__(self, latent_dim: int = 16, width: int = 64, min_sigma: float = 0.0, prior_components: int = 0) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.prior_components = prior_components
        # a floor under the decoder's sigma: a learned sigma shrinks until reconstructions are sharp
        # and the KL term no longer shapes the latent space (measured: 99% faithful reconstructions,
        # 5% valid samples from the prior); the floor keeps the prior worth sampling
        self.min_sigma = min_sigma
        w = width
        # (B, 3, 32, 32) -> (B, 4w, 4, 4) -> (B, 2 * latent_dim)
        self.encoder = nn.Sequential(
            nn.Conv2d(3, w, 4, 2, 1), nn.SiLU(),
            nn.Conv2d(w, 2 * w, 4, 2, 1), nn.GroupNorm(8, 2 * w), nn.SiLU(),
            nn.Conv2d(2 * w, 4 * w, 4, 2, 1), nn.GroupNorm(8, 4 * w), nn.SiLU(),
            nn.Flatten(), nn.Linear(4 * w * 16, 2 * latent_dim),
        )
        # (B, latent_dim) -> (B, 4w, 4, 4) -> (B, 3, 32, 32)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, 4 * w * 16), nn.SiLU(), nn.Unflatten(1, (4 * w, 4, 4)),
            nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1), nn.GroupNorm(8, 2 * w), nn.SiLU(),
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1), nn.GroupNorm(8, w), nn.SiLU(),
            nn.ConvTranspose2d(w, 3, 4, 2, 1),
        )
        self.log_sigma = nn.Parameter(torch.tensor(math.log(0.1)))  # the decoder's standard deviation
        # the fitted prior, K components: weights (K,), means (K, d), Cholesky factors (K, d, d);
        # zero until set_fitted_prior() fills them (buffers: saved with the weights, never trained).
        # A model without one (K = 0) has no such buffers: the trainer trains that and adds the prior.
        k, d = prior_components, latent_dim
        if k:
            self.register_buffer("prior_weights", torch.zeros(k))
            self.register_buffer("prior_means", torch.zeros(k, d))
            self.register_buffer("prior_scale_tril", torch.zeros(k, d, d))

    @property
    def has_fitted_prior(self) -> bool:
        return self.prior_components > 0 and bool(self.prior_weights.sum() > 0)

    def set_fitted_prior(self, weights: torch.Tensor, means: torch.Tensor, scale_tril: torch.Tensor) -> None:
        """Store a mixture prior: weights (K,) summing to 1, means (K, d), lower-triangular (K, d, d)."""
        k, d = self.prior_components, self.latent_dim
        if weights.shape != (k,) or means.shape != (k, d) or scale_tril.shape != (k, d, d):
            raise ValueError(f"a fitted prior of this model has {k} components over {d} dimensions")
        for buffer, value in ((self.prior_weights, weights), (self.prior_means, means), (self.prior_scale_tril, scale_tril)):
            buffer.copy_(value.to(buffer))

    def fitted_prior(self) -> torch.distributions.MixtureSameFamily:
        """The fitted mixture as a torch distribution over (latent_dim,)."""
        if not self.has_fitted_prior:
            raise ValueError("this VAE has no fitted prior; sample the standard normal instead")
        from torch.distributions import Categorical, MixtureSameFamily, MultivariateNormal

        return MixtureSameFamily(Categorical(probs=self.prior_weights),
                                 MultivariateNormal(self.prior_means, scale_tril=self.prior_scale_tril))

    def sample_latents(self, n: int, generator: torch.Generator | None = None, temperature: float = 1.0,
                       prior: str = "standard") -> torch.Tensor:
        """(n, latent_dim) latents from the standard normal (eps * temperature) or from the fitted
        mixture (a component by its weight, then its mean + temperature * L eps)."""
        eps = torch.randn(n, self.latent_dim, generator=generator)
        if prior == "standard":
            return (temperature * eps).to(self.log_sigma.device)
        if prior != "fitted":
            raise ValueError(f"unknown prior {prior!r}")
        if not self.has_fitted_prior:
            raise ValueError("this VAE has no fitted prior; sample the standard normal instead")
        weights = self.prior_weights.cpu()
        k = torch.multinomial(weights, n, replacement=True, generator=generator)
        return (self.prior_means.cpu()[k] + temperature * (self.prior_scale_tril.cpu()[k] @ eps.unsqueeze(-1)).squeeze(-1)
                ).to(self.log_sigma.device)

    @property
    def sigma(self) -> torch.Tensor:
        """The decoder's standard deviation, at least min_sigma."""
        return self.log_sigma.exp().clamp(min=self.min_sigma)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """q(z|x) = N(mean, exp(log_var)): (B, 3, 32, 32) -> mean, log_var, each (B, latent_dim)."""
        mean, log_var = self.encoder(x).chunk(2, dim=1)
        return mean, log_var.clamp(-12, 8)

    @staticmethod
    def reparameterise(mean: torch.Tensor, log_var: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """z = mean + exp(log_var / 2) * eps, eps ~ N(0, I): a sample that gradients flow through."""
        eps = torch.randn(mean.shape, generator=generator, device="cpu").to(mean.device)
        return mean + (0.5 * log_var).exp() * eps

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """The mean of p(x|z): (B, latent_dim) -> (B, 3, 32, 32), clamped to [-1, 1] for display."""
        return self.decoder(z)

    def negative_elbo(self, x: torch.Tensor, generator: torch.Generator | None = None, beta: float = 1.0,
                      prior: str = "standard") -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Per image, in nats: (recon + beta * KL, recon, KL), each (B,).

        recon = -log N(x; x_hat, sigma^2) summed over the 3 * 32 * 32 values (a density);
        against N(0, I): KL(q(z|x) || p(z)) = 1/2 sum(mean^2 + exp(log_var) - 1 - log_var);
        against the fitted mixture, which has no closed form, its one-sample estimate at the z
        the decoder saw: log q(z|x) - log p(z).
        """
        mean, log_var = self.encode(x)
        z = self.reparameterise(mean, log_var, generator)
        x_hat = self.decode(z)
        sigma = self.sigma
        recon = (0.5 * ((x - x_hat) / sigma) ** 2 + sigma.log() + 0.5 * math.log(2 * math.pi)).flatten(1).sum(1)
        if prior == "fitted":
            log_q = (-0.5 * ((z - mean) ** 2 / log_var.exp() + log_var + math.log(2 * math.pi))).sum(1)
            kl = log_q - self.fitted_prior().log_prob(z)
        elif prior == "standard":
            kl = 0.5 * (mean**2 + log_var.exp() - 1 - log_var).sum(1)
        else:
            raise ValueError(f"unknown prior {prior!r}")
        return recon + beta * kl, recon, kl

    @torch.inference_mode()
    def anomaly_scores(self, x: torch.Tensor, generator: torch.Generator | None = None, prior: str = "standard",
                       batch_size: int = 500) -> dict[str, torch.Tensor]:
        """Per image of x (n, 3, 32, 32): the reconstruction error (mean squared, decoded from the
        encoder's mean) and the negative ELBO in bits per dimension. Higher = less like the data."""
        nelbo, mse = [], []
        for c in x.split(batch_size):
            nelbo.append(self.negative_elbo(c, generator, prior=prior)[0])
            mse.append(((self.decode(self.encode(c)[0]).clamp(-1, 1) - c) ** 2).flatten(1).mean(1))
        return {"recon_mse": torch.cat(mse), "bits_per_dim": bits_per_dim(torch.cat(nelbo))}


def bits_per_dim(negative_elbo_nats: torch.Tensor, dims: int = 3 * 32 * 32) -> torch.Tensor:
    """A density bound on [-1, 1] turned into bits per 8-bit value: each value's bin has width BIN,
    so -log P(bin) <= -log p(x) - log BIN, per dimension, over log 2."""
    return (negative_elbo_nats / dims - math.log(BIN)) / math.log(2)
