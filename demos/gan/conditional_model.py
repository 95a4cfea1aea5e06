"""A class-conditional GAN for 32x32 `shapes`: told the shape and the colour, it draws them.

    gan = ConditionalShapesGAN()
    x = gan.generator(z, shape, colour)          # z: (B, z_dim); shape, colour: (B,) int64 -> (B, 3, 32, 32)
    logit = gan.discriminator(x, shape, colour)  # (B,)

Generator: the classes enter twice, as embeddings added to z and as class-conditional norms (each
GroupNorm's gain and bias read from the class embeddings, BigGAN's conditional batch norm without
the batch). Discriminator: spectral norm on every layer and a projection head (Miyato & Koyama
2018): logit = psi(phi(x)) + <e_shape(y_s) + e_colour(y_c), phi(x)>, so a sample is real only if it
is real *and* of its classes. With the hinge loss and an EMA generator, as the unconditional GAN.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from shared.checkpoints import SafetensorsHubMixin
from shared.datasets import LABEL_NAMES

CONDITIONAL_NAME = "gan-shapes-conditional"
N_SHAPES, N_COLOURS = len(LABEL_NAMES["shape"]), len(LABEL_NAMES["colour"])


class ClassNorm(nn.Module):
    """GroupNorm whose gain and bias come from the class: (B, c, H, W), cond (B, d) -> (B, c, H, W).
    Gain 1 + W_g cond, bias W_b cond, both linear maps starting at 0 (a plain GroupNorm at first)."""

    def __init__(self, c: int, cond_dim: int) -> None:
        super().__init__()
        self.norm = nn.GroupNorm(8, c, affine=False)
        self.gain, self.bias = nn.Linear(cond_dim, c), nn.Linear(cond_dim, c)
        for layer in (self.gain, self.bias):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return self.norm(x) * (1 + self.gain(cond)[:, :, None, None]) + self.bias(cond)[:, :, None, None]


class UpBlock(nn.Module):
    """(B, c_in, H, W) -> (B, c_out, 2H, 2W): transposed 4x4 conv, class norm, ReLU."""

    def __init__(self, c_in: int, c_out: int, cond_dim: int) -> None:
        super().__init__()
        self.conv = nn.ConvTranspose2d(c_in, c_out, 4, 2, 1)
        self.norm = ClassNorm(c_out, cond_dim)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.norm(self.conv(x), cond))


class ConditionalGenerator(nn.Module):
    def __init__(self, z_dim: int, width: int, cond_dim: int = 64) -> None:
        super().__init__()
        w = width
        self.z_dim = z_dim
        self.shape_embed, self.colour_embed = nn.Embedding(N_SHAPES, cond_dim), nn.Embedding(N_COLOURS, cond_dim)
        self.to_z = nn.Linear(cond_dim, z_dim)  # the classes added to z
        self.project = nn.Linear(z_dim, 4 * w * 4 * 4)
        self.project_norm = ClassNorm(4 * w, cond_dim)
        self.body = nn.ModuleList([UpBlock(4 * w, 2 * w, cond_dim), UpBlock(2 * w, w, cond_dim),
                                   UpBlock(w, w // 2, cond_dim)])  # 4 -> 8 -> 16 -> 32
        self.to_rgb = nn.Sequential(nn.Conv2d(w // 2, 3, 3, padding=1), nn.Tanh())

    def condition(self, shape: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:
        """(B,) shape and colour indices -> the class code (B, cond_dim). A walk between classes mixes codes."""
        return self.shape_embed(shape) + self.colour_embed(colour)

    def from_code(self, z: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """z (B, z_dim) and a class code (B, cond_dim) -> images (B, 3, 32, 32) in [-1, 1]."""
        h = self.project(z + self.to_z(cond)).unflatten(1, (-1, 4, 4))
        h = torch.relu(self.project_norm(h, cond))
        for block in self.body:
            h = block(h, cond)
        return self.to_rgb(h)

    def forward(self, z: torch.Tensor, shape: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:
        return self.from_code(z, self.condition(shape, colour))


class ProjectionDiscriminator(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        w = width

        def down(c_in: int, c_out: int) -> list[nn.Module]:
            return [spectral_norm(nn.Conv2d(c_in, c_out, 4, 2, 1)), nn.LeakyReLU(0.2)]

        self.body = nn.Sequential(spectral_norm(nn.Conv2d(3, w // 2, 3, padding=1)), nn.LeakyReLU(0.2),
                                  *down(w // 2, w), *down(w, 2 * w), *down(2 * w, 4 * w))  # 32 -> 4
        features = 4 * w * 4 * 4
        self.head = spectral_norm(nn.Linear(features, 1))
        self.shape_embed = spectral_norm(nn.Embedding(N_SHAPES, features))
        self.colour_embed = spectral_norm(nn.Embedding(N_COLOURS, features))

    def forward(self, x: torch.Tensor, shape: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:
        """x (B, 3, 32, 32), shape and colour (B,) -> logits (B,), high for "real and of these classes"."""
        phi = self.body(x).flatten(1)
        projection = ((self.shape_embed(shape) + self.colour_embed(colour)) * phi).sum(1)
        return self.head(phi).squeeze(1) + projection


class ConditionalShapesGAN(
    nn.Module,
    SafetensorsHubMixin,
    library_name="genai-demos",
    tags=["gan", "conditional-image-generation", "projection-discriminator", "shapes"],
    license="mit",
):
    """Generator (the EMA weights) and projection discriminator in one checkpoint."""

    def __init__(self, z_dim: int = 64, width: int = 64, cond_dim: int = 64) -> None:
        super().__init__()
        self.z_dim = z_dim
        self.generator = ConditionalGenerator(z_dim, width, cond_dim)
        self.discriminator = ProjectionDiscriminator(width)
