"""The GAN demo's networks. First the DCGAN-style generator and discriminator for 32x32 RGB `shapes`, saved
together as one Hub model (then the live 2-D GAN's and the class-conditional GAN, below).

    gan = ShapesGAN(z_dim=64, width=64)
    x = gan.generator(z)            # z: (B, z_dim) -> x: (B, 3, 32, 32) in [-1, 1]
    logit = gan.discriminator(x)    # (B,) ; sigmoid(logit) = probability "real"

The discriminator uses spectral normalisation (each layer 1-Lipschitz), which keeps its gradients
useful to the generator; together with the hinge loss and an exponential moving average of the
generator's weights it is what made training reliable (see the model card).

Optional extra depth (`mapping_layers`, `res_blocks`, `d_res_blocks`) is added as residual branches
scaled by a learned gate that starts at 0, so a larger model initialised from a smaller checkpoint
computes exactly what the checkpoint did, and training grows the new branches from there.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from shared.checkpoints import SafetensorsHubMixin
from shared.datasets import LABEL_NAMES

BUNDLED_NAME = "gan-shapes"


class GatedResidual(nn.Module):
    """x + gate * branch(x), gate a learned scalar starting at 0 (as SAGAN's attention is added)."""

    def __init__(self, branch: nn.Module) -> None:
        super().__init__()
        self.branch = branch
        self.gate = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.gate * self.branch(x)


def mapping(z_dim: int, layers: int) -> nn.Module:
    """z -> z + gate * MLP(z), (B, z_dim) -> (B, z_dim): room to bend the Gaussian into the
    separate clusters the shapes form, so fewer latents land between two shapes."""
    if layers == 0:
        return nn.Identity()
    hidden = 4 * z_dim
    sizes = [z_dim] + [hidden] * (layers - 1) + [z_dim]
    mlp: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        mlp += [nn.Linear(a, b)] + ([nn.LeakyReLU(0.2)] if i < layers - 1 else [])
    return GatedResidual(nn.Sequential(*mlp))


def g_res_block(c: int) -> nn.Module:
    """(B, c, H, W) -> (B, c, H, W): two 3x3 convolutions on a gated residual branch."""
    return GatedResidual(nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.GroupNorm(8, c), nn.ReLU(),
                                       nn.Conv2d(c, c, 3, padding=1), nn.GroupNorm(8, c), nn.ReLU()))


def d_res_block(c: int) -> nn.Module:
    """(B, c, H, W) -> (B, c, H, W), spectrally normalised like the rest of the discriminator."""
    return GatedResidual(nn.Sequential(spectral_norm(nn.Conv2d(c, c, 3, padding=1)), nn.LeakyReLU(0.2),
                                       spectral_norm(nn.Conv2d(c, c, 3, padding=1)), nn.LeakyReLU(0.2)))


class Generator(nn.Module):
    def __init__(self, z_dim: int, width: int, mapping_layers: int = 0, res_blocks: int = 0) -> None:
        super().__init__()
        w = width
        self.z_dim = z_dim
        self.mapping = mapping(z_dim, mapping_layers)

        def up(c_in: int, c_out: int) -> nn.Sequential:
            # transposed 4x4 conv, stride 2: (B, c_in, H, W) -> (B, c_out, 2H, 2W), then res_blocks
            return nn.Sequential(nn.ConvTranspose2d(c_in, c_out, 4, 2, 1), nn.GroupNorm(8, c_out), nn.ReLU(),
                                 *(g_res_block(c_out) for _ in range(res_blocks)))

        # GroupNorm, not BatchNorm: a sample must not depend on the others in its batch, so a
        # walk's frame is the same whether rendered alone or with the whole walk
        self.project = nn.Sequential(nn.Linear(z_dim, 4 * w * 4 * 4), nn.Unflatten(1, (4 * w, 4, 4)),
                                     nn.GroupNorm(8, 4 * w), nn.ReLU())
        self.body = nn.Sequential(up(4 * w, 2 * w), up(2 * w, w), up(w, w // 2))  # 4 -> 8 -> 16 -> 32
        self.to_rgb = nn.Sequential(nn.Conv2d(w // 2, 3, 3, padding=1), nn.Tanh())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """z: (B, z_dim) -> images (B, 3, 32, 32) in [-1, 1]."""
        return self.to_rgb(self.body(self.project(self.mapping(z))))


class Discriminator(nn.Module):
    def __init__(self, width: int, res_blocks: int = 0) -> None:
        super().__init__()
        w = width

        def down(c_in: int, c_out: int) -> list[nn.Module]:
            # (B, c_in, H, W) -> (B, c_out, H/2, W/2)
            return [spectral_norm(nn.Conv2d(c_in, c_out, 4, 2, 1)), nn.LeakyReLU(0.2)]

        self.body = nn.Sequential(
            spectral_norm(nn.Conv2d(3, w // 2, 3, padding=1)), nn.LeakyReLU(0.2),
            *down(w // 2, w), *down(w, 2 * w), *down(2 * w, 4 * w),  # 32 -> 16 -> 8 -> 4
        )
        # res_blocks after the downsamplings to 16x16 and 8x8 (at 4x4 they would cost 1.2M weights of the
        # checkpoint's 10 MB budget), kept apart from `body` so that its layer names, those of the
        # checkpoints without them, stay the same
        self.refine = nn.ModuleList(nn.Sequential(*(d_res_block(c) for _ in range(res_blocks))) for c in (w, 2 * w))
        self.head = spectral_norm(nn.Linear(4 * w * 4 * 4, 1))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, 3, 32, 32) in [-1, 1] -> features (B, 4 * width * 4 * 4), what the head reads."""
        h = self.body[:2](x)
        for i, refine in enumerate(self.refine):  # body[2 + 2i : 4 + 2i] is the i-th downsampling
            h = refine(self.body[2 + 2 * i:4 + 2 * i](h))
        return self.body[6:](h).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, 3, 32, 32) in [-1, 1] -> logits (B,), high for "real"."""
        return self.head(self.features(x)).squeeze(1)


class ShapesGAN(
    nn.Module,
    SafetensorsHubMixin,
    library_name="genai-demos",
    tags=["gan", "dcgan", "unconditional-image-generation", "shapes"],
    license="mit",
):
    """Generator and discriminator in one checkpoint; the generator holds the EMA weights."""

    def __init__(self, z_dim: int = 64, width: int = 64, mapping_layers: int = 0, res_blocks: int = 0,
                 d_res_blocks: int = 0) -> None:
        super().__init__()
        self.z_dim = z_dim
        self.generator = Generator(z_dim, width, mapping_layers, res_blocks)
        self.discriminator = Discriminator(width, d_res_blocks)

    def grow_from(self, smaller: ShapesGAN) -> None:
        """Take a checkpoint's weights; this model's extra residual branches (gates at 0) stay new,
        so the two compute the same thing until training moves the gates."""
        ours, theirs = self.state_dict(), smaller.state_dict()
        resized = [k for k in theirs if k in ours and ours[k].shape != theirs[k].shape]
        missing = [k for k in ours if k not in theirs and ".gate" not in k and ".branch." not in k]
        unexpected = [k for k in theirs if k not in ours]
        if resized or missing or unexpected:
            raise ValueError(f"{type(self).__name__} cannot grow from this checkpoint: other sizes {resized[:3]}, "
                             f"missing {missing[:3]}, unexpected {unexpected[:3]}")
        self.load_state_dict(theirs, strict=False)

    @torch.inference_mode()
    def p_real(self, x: torch.Tensor) -> torch.Tensor:
        """The discriminator's probability that each image is real, (B,)."""
        return torch.sigmoid(self.discriminator(x))


# ---- the live 2-D GAN's networks and losses (live.py trains them in a session) ----------------


def mlp(d_in: int, hidden: int, layers: int, d_out: int) -> nn.Sequential:
    mods: list[nn.Module] = []
    for i in range(layers):
        mods += [nn.Linear(d_in if i == 0 else hidden, hidden), nn.LeakyReLU(0.2)]
    return nn.Sequential(*mods, nn.Linear(hidden, d_out))


def d_loss(loss: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Discriminator loss on its outputs for real (B,) and generated (B,) points."""
    if loss == "non-saturating":  # -log D(x) - log(1 - D(G(z))), D = sigmoid(output)
        return F.softplus(-real).mean() + F.softplus(fake).mean()
    if loss == "least-squares":  # 1/2 (D(x) - 1)^2 + 1/2 D(G(z))^2
        return 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean()
    return F.relu(1 - real).mean() + F.relu(1 + fake).mean()  # hinge


def g_loss(loss: str, fake: torch.Tensor) -> torch.Tensor:
    """Generator loss on the discriminator's outputs for generated points (B,)."""
    if loss == "non-saturating":  # -log D(G(z)): strong gradients even when D is sure it is fake
        return F.softplus(-fake).mean()
    if loss == "least-squares":  # 1/2 (D(G(z)) - 1)^2
        return 0.5 * ((fake - 1) ** 2).mean()
    return -fake.mean()  # hinge


def realness(loss: str, out: torch.Tensor) -> torch.Tensor:
    """The discriminator's output mapped to [0, 1], "how real", for the heatmap."""
    return out.clamp(0, 1) if loss == "least-squares" else torch.sigmoid(out)


# ---- the class-conditional GAN -----------------------------------------------------------------
# A class-conditional GAN for 32x32 `shapes`: told the shape and the colour, it draws them.
#
#     gan = ConditionalShapesGAN()
#     x = gan.generator(z, shape, colour)          # z: (B, z_dim); shape, colour: (B,) int64 -> (B, 3, 32, 32)
#     logit = gan.discriminator(x, shape, colour)  # (B,)
#
#     gan = ConditionalShapesGAN(told_layout=True)  # also told the size and the position
#     size, position = layout_for_seeds(seeds)      # (B,) int64 each, drawn from each sample's seed
#     x = gan.generator(z, shape, colour, size, position)
#
# It is the unconditional `ShapesGAN` (demos/gan/model.py, same layers, same names) with class paths
# added, each starting at 0, so a conditional GAN grown from the trained `gan-shapes` checkpoint
# (`grow_from`) first draws exactly what that one draws, and training opens the class paths:
#
# - Generator: a class code c = e_shape(y_s) + e_colour(y_c) is added to z through a linear map
#   (z + W c, W = 0 at first) before the mapping network, and every GroupNorm after the projection
#   and the upsamplings is modulated by it, h = GN(h) * (1 + W_g c) + W_b c (BigGAN's conditional
#   batch norm without the batch; W_g = W_b = 0 at first).
# - Discriminator: a projection head (Miyato & Koyama 2018),
#   logit = psi(phi(x)) + gate * <E_shape(y_s) + E_colour(y_c), phi(x)>, gate = 0 at first,
#   so a sample scores as real only if it is real *and* of its classes. Spectral norm everywhere.
#   Two auxiliary heads read the classes from phi(x) (AC-GAN): learned from real images, they tell
#   the generator at once whether its sample shows the asked classes.
#
# With the hinge loss and an EMA generator, as the unconditional GAN.
#
# Told the layout too (`told_layout`), the class code also sums a size and a position embedding, and
# the discriminator projects and reads them as well. Then the noise z is left only the small shifts,
# turns and size changes within one (shape, colour, size, position): a continuous generator maps
# the connected Gaussian onto the data's 10 separate layouts per class otherwise, and the latents
# that land between two of them draw a shape that is neither (Khayatkhoei et al. 2018). The bundled
# model is trained so, fresh; grown from the unconditional GAN and told only the shape and the colour,
# it drew the same layout for every z of a class and 56% as asked after 70 minutes (its card's history).


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
