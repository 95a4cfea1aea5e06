"""A class-conditional GAN for 32x32 `shapes`: told the shape and the colour, it draws them.

    gan = ConditionalShapesGAN()
    x = gan.generator(z, shape, colour)          # z: (B, z_dim); shape, colour: (B,) int64 -> (B, 3, 32, 32)
    logit = gan.discriminator(x, shape, colour)  # (B,)

It is the unconditional `ShapesGAN` (demos/gan/model.py, same layers, same names) with class paths
added, each starting at 0, so a conditional GAN grown from the trained `gan-shapes` checkpoint
(`grow_from`) first draws exactly what that one draws, and training opens the class paths:

- Generator: a class code c = e_shape(y_s) + e_colour(y_c) is added to z through a linear map
  (z + W c, W = 0 at first) before the mapping network, and every GroupNorm after the projection
  and the upsamplings is modulated by it, h = GN(h) * (1 + W_g c) + W_b c (BigGAN's conditional
  batch norm without the batch; W_g = W_b = 0 at first).
- Discriminator: a projection head (Miyato & Koyama 2018),
  logit = psi(phi(x)) + gate * <E_shape(y_s) + E_colour(y_c), phi(x)>, gate = 0 at first,
  so a sample scores as real only if it is real *and* of its classes. Spectral norm everywhere.
  Two auxiliary heads read the classes from phi(x) (AC-GAN): learned from real images, they tell
  the generator at once whether its sample shows the asked classes.

With the hinge loss and an EMA generator, as the unconditional GAN.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from demos.gan.model import Discriminator, Generator, ShapesGAN
from shared.checkpoints import SafetensorsHubMixin
from shared.datasets import LABEL_NAMES

CONDITIONAL_NAME = "gan-shapes-conditional"
N_SHAPES, N_COLOURS = len(LABEL_NAMES["shape"]), len(LABEL_NAMES["colour"])


def zero_linear(d_in: int, d_out: int) -> nn.Linear:
    """A linear map that starts at 0: a class path that is closed until training opens it."""
    layer = nn.Linear(d_in, d_out)
    nn.init.zeros_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class ClassModulation(nn.Module):
    """h (B, c, H, W), cond (B, d) -> h * (1 + W_g cond) + W_b cond, applied after a GroupNorm."""

    def __init__(self, c: int, cond_dim: int) -> None:
        super().__init__()
        self.gain, self.bias = zero_linear(cond_dim, c), zero_linear(cond_dim, c)

    def forward(self, h: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        return h * (1 + self.gain(cond)[:, :, None, None]) + self.bias(cond)[:, :, None, None]


class ConditionalGenerator(Generator):
    """The unconditional generator's layers, read with a class code (see the module's docstring)."""

    def __init__(self, z_dim: int, width: int, cond_dim: int = 64, mapping_layers: int = 0, res_blocks: int = 0) -> None:
        super().__init__(z_dim, width, mapping_layers, res_blocks)
        w = width
        self.shape_embed, self.colour_embed = nn.Embedding(N_SHAPES, cond_dim), nn.Embedding(N_COLOURS, cond_dim)
        self.to_z = zero_linear(cond_dim, z_dim)
        # one modulation after the projection's GroupNorm and one after each upsampling's
        self.modulate = nn.ModuleList(ClassModulation(c, cond_dim) for c in (4 * w, 2 * w, w, w // 2))

    def condition(self, shape: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:
        """(B,) shape and colour indices -> the class code (B, cond_dim). A walk between classes mixes codes."""
        return self.shape_embed(shape) + self.colour_embed(colour)

    def from_code(self, z: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """z (B, z_dim) and a class code (B, cond_dim) -> images (B, 3, 32, 32) in [-1, 1]."""
        linear, unflatten, norm, _ = self.project
        h = torch.relu(self.modulate[0](norm(unflatten(linear(self.mapping(z + self.to_z(cond))))), cond))
        for up, modulate in zip(self.body, self.modulate[1:]):
            conv, norm, _, *blocks = up  # ConvTranspose2d, GroupNorm, ReLU, residual blocks
            h = torch.relu(modulate(norm(conv(h)), cond))
            for block in blocks:
                h = block(h)
        return self.to_rgb(h)

    def forward(self, z: torch.Tensor, shape: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return self.from_code(z, self.condition(shape, colour))


class ProjectionDiscriminator(Discriminator):
    def __init__(self, width: int, res_blocks: int = 0) -> None:
        super().__init__(width, res_blocks)
        features = 4 * width * 4 * 4
        self.shape_embed = spectral_norm(nn.Embedding(N_SHAPES, features))
        self.colour_embed = spectral_norm(nn.Embedding(N_COLOURS, features))
        self.projection_gate = nn.Parameter(torch.zeros(()))
        # auxiliary classifier heads (AC-GAN, Odena et al. 2017): trained on real images' labels, they
        # give the generator a direct signal for its classes from the first step, while the
        # projection is still opening
        self.shape_head, self.colour_head = nn.Linear(features, N_SHAPES), nn.Linear(features, N_COLOURS)

    def judge(self, x: torch.Tensor, shape: torch.Tensor, colour: torch.Tensor
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x (B, 3, 32, 32), shape and colour (B,) -> the logits (B,) and the auxiliary heads'
        class logits (B, N_SHAPES) and (B, N_COLOURS)."""
        phi = self.features(x)
        projection = ((self.shape_embed(shape) + self.colour_embed(colour)) * phi).sum(1)
        return self.head(phi).squeeze(1) + self.projection_gate * projection, self.shape_head(phi), self.colour_head(phi)

    def forward(self, x: torch.Tensor, shape: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        """x (B, 3, 32, 32), shape and colour (B,) -> logits (B,), high for "real and of these classes"."""
        return self.judge(x, shape, colour)[0]


class ConditionalShapesGAN(
    nn.Module,
    SafetensorsHubMixin,
    library_name="genai-demos",
    tags=["gan", "conditional-image-generation", "projection-discriminator", "shapes"],
    license="mit",
):
    """Generator (the EMA weights) and projection discriminator in one checkpoint."""

    def __init__(self, z_dim: int = 64, width: int = 64, cond_dim: int = 64, mapping_layers: int = 0,
                 res_blocks: int = 0, d_res_blocks: int = 0) -> None:
        super().__init__()
        self.z_dim = z_dim
        self.generator = ConditionalGenerator(z_dim, width, cond_dim, mapping_layers, res_blocks)
        self.discriminator = ProjectionDiscriminator(width, d_res_blocks)

    def class_parameters(self) -> list[nn.Parameter]:
        """The class paths' parameters (new when grown): trained at a higher learning rate."""
        g, d = self.generator, self.discriminator
        modules = [g.shape_embed, g.colour_embed, g.to_z, g.modulate, d.shape_embed, d.colour_embed, d.shape_head,
                   d.colour_head]
        return [p for m in modules for p in m.parameters()] + [d.projection_gate]

    def grow_from(self, unconditional: ShapesGAN) -> None:
        """Take an unconditional GAN's weights (same sizes); the class paths stay closed, so the two
        draw the same images until training opens them."""
        ours, theirs = self.state_dict(), unconditional.state_dict()
        resized = [k for k in theirs if k in ours and ours[k].shape != theirs[k].shape]
        unexpected = [k for k in theirs if k not in ours]
        if resized or unexpected:
            raise ValueError(f"cannot grow from this checkpoint: other sizes {resized[:3]}, unexpected {unexpected[:3]}")
        self.load_state_dict(theirs, strict=False)
