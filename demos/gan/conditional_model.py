"""A class-conditional GAN for 32x32 `shapes`: told the shape and the colour, it draws them.

    gan = ConditionalShapesGAN()
    x = gan.generator(z, shape, colour)          # z: (B, z_dim); shape, colour: (B,) int64 -> (B, 3, 32, 32)
    logit = gan.discriminator(x, shape, colour)  # (B,)

    gan = ConditionalShapesGAN(told_layout=True)  # also told the size and the position
    size, position = layout_for_seeds(seeds)      # (B,) int64 each, drawn from each sample's seed
    x = gan.generator(z, shape, colour, size, position)

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

Told the layout too (`told_layout`), the class code also sums a size and a position embedding, and
the discriminator projects and reads them as well. Then the noise z is left only the small shifts,
turns and size changes within one (shape, colour, size, position): a continuous generator maps
the connected Gaussian onto the data's 10 separate layouts per class otherwise, and the latents
that land between two of them draw a shape that is neither (Khayatkhoei et al. 2018). The bundled
model is trained so, fresh; grown from the unconditional GAN and told only the shape and the colour,
it drew the same layout for every z of a class and 56% as asked after 70 minutes (its card's history).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from demos.gan.model import Discriminator, Generator, ShapesGAN
from shared.checkpoints import SafetensorsHubMixin
from shared.datasets import LABEL_NAMES

CONDITIONAL_NAME = "gan-shapes-conditional"
N_SHAPES, N_COLOURS = len(LABEL_NAMES["shape"]), len(LABEL_NAMES["colour"])
N_SIZES, N_POSITIONS = len(LABEL_NAMES["size"]), len(LABEL_NAMES["position"])
LAYOUT_STREAM = 35  # the random stream of a seed's layout: numpy.random.default_rng([seed, LAYOUT_STREAM])


def layout_for_seeds(seeds: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """The size and the position index (B,) of each seed's sample, uniform as in the data, each drawn
    from its own seed: a tile looks the same in any grid that holds it."""
    draws = [np.random.default_rng([seed, LAYOUT_STREAM]).integers((N_SIZES, N_POSITIONS)) for seed in seeds]
    return torch.tensor([int(d[0]) for d in draws]), torch.tensor([int(d[1]) for d in draws])


def random_layout(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n sizes and positions (n,) drawn uniformly from one seed: the layouts of a batch of samples
    scored together (the card's, the benchmark's), where no sample has a seed of its own."""
    rng = np.random.default_rng([seed, LAYOUT_STREAM])
    return torch.from_numpy(rng.integers(N_SIZES, size=n)), torch.from_numpy(rng.integers(N_POSITIONS, size=n))


def _layout_code(size_embed: nn.Module, position_embed: nn.Module, size: torch.Tensor | None,
                 position: torch.Tensor | None) -> torch.Tensor:
    if size is None or position is None:
        raise ValueError("This GAN is told the size and the position too: pass both (layout_for_seeds draws them).")
    return size_embed(size) + position_embed(position)


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

    def __init__(self, z_dim: int, width: int, cond_dim: int = 64, mapping_layers: int = 0, res_blocks: int = 0,
                 told_layout: bool = False) -> None:
        super().__init__(z_dim, width, mapping_layers, res_blocks)
        w = width
        self.told_layout = told_layout
        self.shape_embed, self.colour_embed = nn.Embedding(N_SHAPES, cond_dim), nn.Embedding(N_COLOURS, cond_dim)
        if told_layout:
            self.size_embed, self.position_embed = nn.Embedding(N_SIZES, cond_dim), nn.Embedding(N_POSITIONS, cond_dim)
        self.to_z = zero_linear(cond_dim, z_dim)
        # one modulation after the projection's GroupNorm and one after each upsampling's
        self.modulate = nn.ModuleList(ClassModulation(c, cond_dim) for c in (4 * w, 2 * w, w, w // 2))

    def condition(self, shape: torch.Tensor, colour: torch.Tensor, size: torch.Tensor | None = None,
                  position: torch.Tensor | None = None) -> torch.Tensor:
        """(B,) shape and colour indices (and size and position when told the layout) -> the class code
        (B, cond_dim). A walk between classes mixes codes."""
        code = self.shape_embed(shape) + self.colour_embed(colour)
        if self.told_layout:
            code = code + _layout_code(self.size_embed, self.position_embed, size, position)
        return code

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

    def forward(self, z: torch.Tensor, shape: torch.Tensor, colour: torch.Tensor,  # type: ignore[override]
                size: torch.Tensor | None = None, position: torch.Tensor | None = None) -> torch.Tensor:
        return self.from_code(z, self.condition(shape, colour, size, position))


class ProjectionDiscriminator(Discriminator):
    def __init__(self, width: int, res_blocks: int = 0, told_layout: bool = False) -> None:
        super().__init__(width, res_blocks)
        features = 4 * width * 4 * 4
        self.told_layout = told_layout
        self.shape_embed = spectral_norm(nn.Embedding(N_SHAPES, features))
        self.colour_embed = spectral_norm(nn.Embedding(N_COLOURS, features))
        self.projection_gate = nn.Parameter(torch.zeros(()))
        # auxiliary classifier heads (AC-GAN, Odena et al. 2017): trained on real images' labels, they
        # give the generator a direct signal for its classes from the first step, while the
        # projection is still opening
        self.shape_head, self.colour_head = nn.Linear(features, N_SHAPES), nn.Linear(features, N_COLOURS)
        if told_layout:
            self.size_embed = spectral_norm(nn.Embedding(N_SIZES, features))
            self.position_embed = spectral_norm(nn.Embedding(N_POSITIONS, features))
            self.size_head, self.position_head = nn.Linear(features, N_SIZES), nn.Linear(features, N_POSITIONS)

    def judge(self, x: torch.Tensor, shape: torch.Tensor, colour: torch.Tensor, size: torch.Tensor | None = None,
              position: torch.Tensor | None = None) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        """x (B, 3, 32, 32), shape and colour (B,) (and size and position when told the layout) -> the
        logits (B,) and the auxiliary heads' class logits, one (B, n_classes) per label in that order."""
        phi = self.features(x)
        embedded = self.shape_embed(shape) + self.colour_embed(colour)
        heads = [self.shape_head(phi), self.colour_head(phi)]
        if self.told_layout:
            embedded = embedded + _layout_code(self.size_embed, self.position_embed, size, position)
            heads += [self.size_head(phi), self.position_head(phi)]
        projection = (embedded * phi).sum(1)
        return self.head(phi).squeeze(1) + self.projection_gate * projection, tuple(heads)

    def forward(self, x: torch.Tensor, shape: torch.Tensor, colour: torch.Tensor,  # type: ignore[override]
                size: torch.Tensor | None = None, position: torch.Tensor | None = None) -> torch.Tensor:
        """x (B, 3, 32, 32), shape and colour (B,) -> logits (B,), high for "real and of these classes"."""
        return self.judge(x, shape, colour, size, position)[0]


class ConditionalShapesGAN(
    nn.Module,
    SafetensorsHubMixin,
    library_name="genai-demos",
    tags=["gan", "conditional-image-generation", "projection-discriminator", "shapes"],
    license="mit",
):
    """Generator (the EMA weights) and projection discriminator in one checkpoint."""

    def __init__(self, z_dim: int = 64, width: int = 64, cond_dim: int = 64, mapping_layers: int = 0,
                 res_blocks: int = 0, d_res_blocks: int = 0, told_layout: bool = False) -> None:
        super().__init__()
        self.z_dim, self.told_layout = z_dim, told_layout
        self.generator = ConditionalGenerator(z_dim, width, cond_dim, mapping_layers, res_blocks, told_layout)
        self.discriminator = ProjectionDiscriminator(width, d_res_blocks, told_layout)

    def class_parameters(self) -> list[nn.Parameter]:
        """The class paths' parameters (new when grown): trained at a higher learning rate."""
        g, d = self.generator, self.discriminator
        modules = [g.shape_embed, g.colour_embed, g.to_z, g.modulate, d.shape_embed, d.colour_embed, d.shape_head,
                   d.colour_head]
        if self.told_layout:
            modules += [g.size_embed, g.position_embed, d.size_embed, d.position_embed, d.size_head, d.position_head]
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
