"""DCGAN-style generator and discriminator for 32x32 RGB `shapes`, saved together as one Hub model.

    gan = ShapesGAN(z_dim=64, width=64)
    x = gan.generator(z)            # z: (B, z_dim) -> x: (B, 3, 32, 32) in [-1, 1]
    logit = gan.discriminator(x)    # (B,) ; sigmoid(logit) = probability "real"

The discriminator uses spectral normalisation (each layer 1-Lipschitz), which keeps its gradients
useful to the generator; together with the hinge loss and an exponential moving average of the
generator's weights it is what made training reliable (see the model card).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from shared.checkpoints import SafetensorsHubMixin

BUNDLED_NAME = "gan-shapes"


class Generator(nn.Module):
    def __init__(self, z_dim: int, width: int) -> None:
        super().__init__()
        w = width
        self.z_dim = z_dim

        def up(c_in: int, c_out: int) -> nn.Sequential:
            # transposed 4x4 conv, stride 2: (B, c_in, H, W) -> (B, c_out, 2H, 2W)
            return nn.Sequential(nn.ConvTranspose2d(c_in, c_out, 4, 2, 1), nn.GroupNorm(8, c_out), nn.ReLU())

        # GroupNorm, not BatchNorm: a sample must not depend on the others in its batch, so a
        # walk's frame is the same whether rendered alone or with the whole walk
        self.project = nn.Sequential(nn.Linear(z_dim, 4 * w * 4 * 4), nn.Unflatten(1, (4 * w, 4, 4)),
                                     nn.GroupNorm(8, 4 * w), nn.ReLU())
        self.body = nn.Sequential(up(4 * w, 2 * w), up(2 * w, w), up(w, w // 2))  # 4 -> 8 -> 16 -> 32
        self.to_rgb = nn.Sequential(nn.Conv2d(w // 2, 3, 3, padding=1), nn.Tanh())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """z: (B, z_dim) -> images (B, 3, 32, 32) in [-1, 1]."""
        return self.to_rgb(self.body(self.project(z)))


class Discriminator(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        w = width

        def down(c_in: int, c_out: int) -> list[nn.Module]:
            # (B, c_in, H, W) -> (B, c_out, H/2, W/2)
            return [spectral_norm(nn.Conv2d(c_in, c_out, 4, 2, 1)), nn.LeakyReLU(0.2)]

        self.body = nn.Sequential(
            spectral_norm(nn.Conv2d(3, w // 2, 3, padding=1)), nn.LeakyReLU(0.2),
            *down(w // 2, w), *down(w, 2 * w), *down(2 * w, 4 * w),  # 32 -> 16 -> 8 -> 4
        )
        self.head = spectral_norm(nn.Linear(4 * w * 4 * 4, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, 3, 32, 32) in [-1, 1] -> logits (B,), high for "real"."""
        return self.head(self.body(x).flatten(1)).squeeze(1)


class ShapesGAN(
    nn.Module,
    SafetensorsHubMixin,
    library_name="genai-demos",
    tags=["gan", "dcgan", "unconditional-image-generation", "shapes"],
    license="mit",
):
    """Generator and discriminator in one checkpoint; the generator holds the EMA weights."""

    def __init__(self, z_dim: int = 64, width: int = 64) -> None:
        super().__init__()
        self.z_dim = z_dim
        self.generator = Generator(z_dim, width)
        self.discriminator = Discriminator(width)

    @torch.inference_mode()
    def p_real(self, x: torch.Tensor) -> torch.Tensor:
        """The discriminator's probability that each image is real, (B,)."""
        return torch.sigmoid(self.discriminator(x))
