"""The provenance tab's networks: the small GAN that "bias in, bias out" trains live (below), and
a detector of generated pictures (issue 36): a small CNN that reads a 32x32
`shapes` picture and gives the probability that a model made it (Wang et al. 2020's recipe in
miniature: trained on real pictures against one generator's, here the unconditional GAN's, then
tried on generators it never saw).

    (B, 3, 32, 32) in [-1, 1] -> high-pass residual x - mean_3x3(x), x10
        -> conv 32, 32 -> stride-2 conv 64 -> conv 64 -> stride-2 conv 64 -> global max -> logit

Why the high-pass and the max: on the raw pictures a plain CNN with a global mean stalled at loss 0.55,
having learned only that blue and purple pictures are real (the GAN draws neither); the residual
exposes the faint texture a generator leaves on the flat background and edges, and the max lets one
telling spot decide. Then it separates the GAN's held-out samples from held-out real pictures in
about 800 steps.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from shared.checkpoints import SafetensorsHubMixin
from shared.datasets import BACKGROUND

BUNDLED_NAME = "detector-shapes"


class GeneratedDetector(
    nn.Module,
    SafetensorsHubMixin,
    library_name="genai-demos",
    tags=["image-classification", "synthetic-image-detection", "shapes"],
    license="mit",
):
    def __init__(self, width: int = 32) -> None:
        super().__init__()
        w = width
        self.features = nn.Sequential(
            nn.Conv2d(3, w, 3, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(w, w, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(w, 2 * w, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * w, 2 * w, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * w, 2 * w, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
        )  # (B, 2w, 8, 8)
        self.head = nn.Linear(2 * w, 1)

    @staticmethod
    def high_pass(x: torch.Tensor) -> torch.Tensor:
        """x minus its 3x3 local mean, scaled up: what is left of a picture after its smooth part."""
        return 10 * (x - F.avg_pool2d(x, 3, 1, 1, count_include_pad=False))

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 2w, 8, 8): what the head reads, its max over positions (where it looks, for a map)."""
        return self.features(self.high_pass(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B,) logits: > 0 means generated."""
        return self.head(self.feature_map(x).amax((2, 3))).squeeze(1)


# ---- the small GAN that bias in bias out trains live -------------------------------------------
# The small GAN that "bias in, bias out" trains live (demos/provenance/skew.py): a DCGAN in miniature,
# sized to learn coloured blobs on a dark background in a few hundred steps on two CPU cores.
#
#     gan = SkewGAN(z_dim=32, width=16)
#     x = gan.generator(z)            # z: (B, z_dim) -> x: (B, 3, 32, 32) in [-1, 1]
#     logit = gan.discriminator(x)    # (B,), high for "real"
#
# What made a 600-step run draw coloured blobs (tried against the GAN tab's recipe, which needs thousands
# of steps): the generator's last bias starts at the data's background colour, so it begins from an
# empty picture and learns only the object; nearest-neighbour upsampling and a 3x3 convolution rather
# than transposed convolutions, whose checkerboard shows on the flat background; GroupNorm, not
# BatchNorm, so a sample does not depend on its batch (each round's fixed noise is drawn the way
# training drew it); spectral norm on the discriminator; and a feature-matching term in the generator's
# loss (g_loss), which spread the colours within a batch where the plain loss drew one colour at a
# time. Tried and dropped: a minibatch standard-deviation feature and "packing" several samples into
# one discriminator input (PacGAN), neither of which stopped the colours swinging at a learning rate of
# 5e-4; a generator that paints one colour through a learned mask (its colours went grey).


class SkewGenerator(nn.Module):
    def __init__(self, z_dim: int, width: int) -> None:
        super().__init__()
        w = width

        def up(c_in: int, c_out: int) -> list[nn.Module]:
            # (B, c_in, H, W) -> (B, c_out, 2H, 2W)
            return [nn.Upsample(scale_factor=2), nn.Conv2d(c_in, c_out, 3, padding=1), nn.GroupNorm(4, c_out), nn.ReLU()]

        self.body = nn.Sequential(
            nn.Linear(z_dim, 4 * w * 4 * 4), nn.Unflatten(1, (4 * w, 4, 4)), nn.GroupNorm(4, 4 * w), nn.ReLU(),
            *up(4 * w, 2 * w), *up(2 * w, w),  # 4 -> 8 -> 16
            nn.Upsample(scale_factor=2), nn.Conv2d(w, 3, 3, padding=1),  # -> 32
        )
        with torch.no_grad():  # tanh(bias) = the background in [-1, 1]: training starts from an empty picture
            self.body[-1].bias.copy_(torch.atanh(torch.tensor(BACKGROUND, dtype=torch.float32) / 127.5 - 1))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """z: (B, z_dim) -> images (B, 3, 32, 32) in [-1, 1]."""
        return torch.tanh(self.body(z))


class SkewDiscriminator(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        w = width

        def down(c_in: int, c_out: int) -> list[nn.Module]:
            # (B, c_in, H, W) -> (B, c_out, H/2, W/2)
            return [spectral_norm(nn.Conv2d(c_in, c_out, 4, 2, 1)), nn.LeakyReLU(0.2)]

        self.body = nn.Sequential(*down(3, w), *down(w, 2 * w), *down(2 * w, 4 * w), nn.Flatten())  # 32 -> 16 -> 8 -> 4
        self.head = spectral_norm(nn.Linear(4 * w * 4 * 4, 1))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, 3, 32, 32) in [-1, 1] -> (B, 4 * width * 16), what the head reads and feature matching compares."""
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, 3, 32, 32) in [-1, 1] -> logits (B,), high for "real"."""
        return self.head(self.body(x)).squeeze(1)


class SkewGAN(nn.Module):
    """The generator and the discriminator of one live run (never saved: each run trains its own)."""

    def __init__(self, z_dim: int = 32, width: int = 16) -> None:
        super().__init__()
        self.z_dim = z_dim
        self.generator = SkewGenerator(z_dim, width)
        self.discriminator = SkewDiscriminator(width)


def d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """-log D(x) - log(1 - D(G(z))), D = sigmoid(logit); real and fake logits (B,) each."""
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def g_loss(fake: torch.Tensor, real_features: torch.Tensor, fake_features: torch.Tensor, matching: float) -> torch.Tensor:
    """-log D(G(z)) (non-saturating: strong gradients while D is sure the samples are fake)
    + matching * ||mean f(x) - mean f(G(z))||^2 over the batch (feature matching, Salimans et al. 2016);
    logits (B,), features (B, F)."""
    gap = real_features.detach().mean(0) - fake_features.mean(0)
    return F.softplus(-fake).mean() + matching * gap.pow(2).sum()
