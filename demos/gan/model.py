"""DCGAN-style generator and discriminator for 32x32 RGB `shapes`, saved together as one Hub model.

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

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from shared.checkpoints import SafetensorsHubMixin

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
