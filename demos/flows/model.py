"""The flows demo's networks: the 2-D flows, from zuko (a maintained PyTorch flows library:
transforms with exact inverses and log-determinants, lazy modules that build a distribution on call),
and the image flow (below), written here.

zuko's convention: a flow's transform f maps data x to noise z = f(x), a composition of layers
f = f_L o ... o f_1, and log p(x) = log N(f(x); 0, I) + sum_i log |det J_{f_i}|. Sampling runs the
layers' inverses in reverse order from z ~ N(0, I).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
import zuko
from torch import nn

from demos.flows.options import FLOW_KINDS, HIDDEN, LAYERS
from shared import limits
from shared.checkpoints import SafetensorsHubMixin
from shared.seeding import seeded_global_rng
from shared.told import NOT_TOLD, not_told


def make_flow(kind: str, layers: int, seed: int, hidden: int = HIDDEN) -> zuko.flows.Flow:
    """A 2-D flow of `layers` layers, its initial weights drawn from `seed`:
    "nsf": masked autoregressive layers whose per-coordinate map is a monotonic rational-quadratic
    spline (8 bins on [-5, 5], the identity outside); "realnvp": coupling layers that shift and
    scale one coordinate by a function of the other, alternating which."""
    kind = limits.check_choice("flow", kind, FLOW_KINDS)
    layers = LAYERS.check(layers)
    with seeded_global_rng(limits.SEED.check(seed)):
        if kind == "nsf":
            return zuko.flows.NSF(2, transforms=layers, hidden_features=(hidden, hidden))
        return zuko.flows.RealNVP(2, transforms=layers, hidden_features=(hidden, hidden))


def layer_maps(flow: zuko.flows.Flow) -> list[torch.distributions.Transform]:
    """The flow's layers as transforms, data side first: layer i maps x_i to x_{i+1} (.inv undoes it)."""
    return [lazy() for lazy in flow.transform.transforms]


# ---- the image flow ----------------------------------------------------------------------------
# The flows demo's image flow: a multi-scale Glow-style flow on 32x32 RGB `shapes` images (Dinh et
# al. 2017's RealNVP architecture with Kingma & Dhariwal 2018's steps), written here: zuko's flows are
# over vectors, and an image flow needs convolutional couplings and squeezes.
#
# Data to noise, f(x) = z:
#     dequantise and squash: y = (x + u) / 256 with u ~ U[0, 1)^D, s = logit(a + (1 - 2a) y)
#     for each level: squeeze (C, H, W) -> (4C, H/2, W/2); K steps of
#         ActNorm (per-channel scale and shift) -> invertible 1x1 convolution (LU-parametrised)
#         -> affine coupling (half the channels scaled and shifted by a conv net of the other half);
#     then split half the channels off as that level's z (the last level keeps them all).
#     z ~ N(0, I) at every level.
# log p(s) = log N(z) + sum of every layer's log |det J|, and the change of variables back to y gives
# log p(y). Since the noise u spreads each 8-bit value over its bin, E_u[log p(y)] - D log 256 is a
# lower bound on the log-probability of the 8-bit image (Theis et al. 2016): its bits per dimension
# are an upper bound, within about the gap of the dequantisation.
#
# Told what to draw (label_channels > 0; Kingma & Dhariwal 2018's class-conditional Glow, with the
# labels as maps): a picture's labels (shared/told.py: shape, colour, size, position, each with a
# "not told" value) become a learned (label_channels, side, side) map per level, one map per label value
# summed over the heads, so a position's map can light up where the shape will be. Every coupling's
# net reads it beside its half of the channels, and every level's z gets a learned prior,
#     z_split ~ N(mu, sigma^2), (mu, log sigma) = conv([the kept half, the map])    (Glow's split prior)
#     z_top ~ N(mu, sigma^2),   (mu, log sigma) = conv(the map),
# written as eps = (z - mu) / sigma ~ N(0, I) with -sum(log sigma) in the log-determinant, so to_noise
# and from_noise still map images to standard normal noise and back. Trained with the labels dropped
# (every head for some images, single heads for others), the same network gives p(x | some labels)
# and, with nothing told, p(x) itself: its bits per dimension stay a bound on the untold model.


IMAGE_FLOW_NAME = "flow-shapes"
ALPHA = 0.05  # the squash keeps logit's argument in [ALPHA, 1 - ALPHA]


def squeeze(x: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) -> (B, 4C, H/2, W/2): each 2x2 block of pixels becomes 4 channels."""
    b, c, h, w = x.shape
    x = x.view(b, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4)
    return x.reshape(b, 4 * c, h // 2, w // 2)


def unsqueeze(x: torch.Tensor) -> torch.Tensor:
    b, c, h, w = x.shape
    x = x.view(b, c // 4, 2, 2, h, w).permute(0, 1, 4, 2, 5, 3)
    return x.reshape(b, c // 4, 2 * h, 2 * w)


class ActNorm(nn.Module):
    """y = (x + bias) * exp(log_scale) per channel; the first batch it sees sets them so that its
    output has zero mean and unit variance per channel (data-dependent initialisation)."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.log_scale = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.register_buffer("initialised", torch.tensor(0, dtype=torch.uint8))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.initialised:
            with torch.no_grad():
                self.bias.copy_(-x.mean((0, 2, 3), keepdim=True))
                self.log_scale.copy_(-(x.std((0, 2, 3), keepdim=True) + 1e-6).log())
                self.initialised.fill_(1)
        return (x + self.bias) * self.log_scale.exp(), self.log_scale.sum() * x.shape[2] * x.shape[3]

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        return y * (-self.log_scale).exp() - self.bias


class InvConv1x1(nn.Module):
    """A 1x1 convolution by W = P L (U + diag(sign * exp(log_s))): invertible, log |det W| = sum(log_s)."""

    def __init__(self, c: int, generator: torch.Generator | None = None) -> None:
        super().__init__()
        q, _ = torch.linalg.qr(torch.randn(c, c, generator=generator))
        p, lower, upper = torch.linalg.lu(q)
        s = torch.diagonal(upper)
        self.register_buffer("p", p)
        self.register_buffer("sign_s", s.sign())
        self.register_buffer("l_mask", torch.tril(torch.ones(c, c), -1))
        self.lower = nn.Parameter(lower)
        self.upper = nn.Parameter(torch.triu(upper, 1))
        self.log_s = nn.Parameter(s.abs().log())

    def weight(self) -> torch.Tensor:
        eye = torch.eye(len(self.log_s), device=self.log_s.device)
        lower = self.lower * self.l_mask + eye
        upper = self.upper * self.l_mask.T + torch.diag(self.sign_s * self.log_s.exp())
        return self.p @ lower @ upper

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        w = self.weight()
        return F.conv2d(x, w[:, :, None, None]), self.log_s.sum() * x.shape[2] * x.shape[3]

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        return F.conv2d(y, torch.linalg.inv(self.weight())[:, :, None, None])


class AffineCoupling(nn.Module):
    """The second half of the channels scaled and shifted by a function of the first half:
    y_b = (x_b + t(x_a)) * s(x_a), s = sigmoid(raw + 2) in (0, 1) (Glow's stable choice). The net's
    last conv starts at zero, so a new coupling is close to the identity."""

    def __init__(self, c: int, hidden: int, cond: int = 0) -> None:
        super().__init__()
        self.half = c // 2
        self.net = nn.Sequential(nn.Conv2d(self.half + cond, hidden, 3, padding=1), nn.ReLU(),
                                 nn.Conv2d(hidden, hidden, 1), nn.ReLU(),
                                 nn.Conv2d(hidden, 2 * (c - self.half), 3, padding=1))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def _shift_logit(self, xa: torch.Tensor, y: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        shift, raw = self.net(xa if y is None else torch.cat([xa, y], 1)).chunk(2, dim=1)
        return shift, raw + 2.0  # scale = sigmoid(logit)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        xa, xb = x[:, :self.half], x[:, self.half:]
        shift, logit = self._shift_logit(xa, y)
        # log sigmoid stays finite where sigmoid underflows to 0 (an image far from the data)
        return torch.cat([xa, (xb + shift) * torch.sigmoid(logit)], 1), F.logsigmoid(logit).flatten(1).sum(1)

    def inverse(self, out: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        oa, ob = out[:, :self.half], out[:, self.half:]
        shift, logit = self._shift_logit(oa, y)
        return torch.cat([oa, ob / torch.sigmoid(logit) - shift], 1)


class FlowStep(nn.Module):
    def __init__(self, c: int, hidden: int, generator: torch.Generator | None = None, cond: int = 0) -> None:
        super().__init__()
        self.norm, self.mix, self.couple = ActNorm(c), InvConv1x1(c, generator), AffineCoupling(c, hidden, cond)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        x, ld_norm = self.norm(x)
        x, ld_mix = self.mix(x)
        x, ld_couple = self.couple(x, y)
        return x, ld_norm + ld_mix + ld_couple

    def inverse(self, out: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.norm.inverse(self.mix.inverse(self.couple.inverse(out, y)))


class LabelMaps(nn.Module):
    """labels (B, 4) -> (B, channels, side, side): a learned map per value of each head (and per head's
    "not told"), summed over the heads."""

    def __init__(self, channels: int, side: int) -> None:
        super().__init__()
        self.channels, self.side = channels, side
        self.register_buffer("offsets", torch.tensor([0, *torch.tensor(NOT_TOLD).add(1).cumsum(0)[:-1].tolist()]),
                             persistent=False)
        self.table = nn.Embedding(sum(n + 1 for n in NOT_TOLD), channels * side * side)
        nn.init.normal_(self.table.weight, std=0.1)

    def forward(self, labels: torch.Tensor) -> torch.Tensor:
        return self.table(labels + self.offsets).sum(1).view(-1, self.channels, self.side, self.side)


class Prior(nn.Module):
    """A level's z ~ N(mu, sigma^2), (mu, log sigma) by a conv of what is known when it is drawn (the
    kept channels and the label map); the conv starts at zero, so the prior starts as N(0, I)."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, 2 * c_out, 3, padding=1)
        nn.init.zeros_(self.conv.weight)
        nn.init.zeros_(self.conv.bias)

    def forward(self, known: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, log_sigma = self.conv(known).chunk(2, dim=1)
        return mu, log_sigma


class ImageFlow(
    nn.Module,
    SafetensorsHubMixin,
    library_name="genai-demos",
    tags=["normalizing-flow", "glow", "realnvp", "unconditional-image-generation", "shapes"],
    license="mit",
):
    """levels x steps Glow steps over (channels, side, side) images; `hidden` channels per coupling net."""

    def __init__(self, levels: int = 3, steps: int = 4, hidden: int = 64, channels: int = 3, side: int = 32,
                 seed: int = 0, label_channels: int = 0) -> None:
        super().__init__()
        self.levels, self.channels, self.side, self.label_channels = levels, channels, side, label_channels
        gen = torch.Generator().manual_seed(seed)  # the 1x1 convolutions' random rotations
        self.blocks = nn.ModuleList()
        c = channels
        for level in range(levels):
            c *= 4
            self.blocks.append(nn.ModuleList(FlowStep(c, hidden, gen, label_channels) for _ in range(steps)))
            if level < levels - 1:
                c //= 2
        if self.told:
            self.label_maps = nn.ModuleList(LabelMaps(label_channels, side >> (level + 1)) for level in range(levels))
            self.priors = nn.ModuleList(
                Prior(shape_c + label_channels if level < levels - 1 else label_channels, shape_c)
                for level, (shape_c, _, _) in enumerate(self.latent_shapes()))

    @property
    def told(self) -> bool:
        """Whether this flow can be told what to draw (labels in every call; None: nothing told)."""
        return self.label_channels > 0

    def _label_maps(self, labels: torch.Tensor | None, n: int, device: torch.device) -> list[torch.Tensor | None]:
        if not self.told:
            if labels is not None:
                raise ValueError("this flow was trained without labels")
            return [None] * self.levels
        labels = not_told(n, device) if labels is None else labels.to(device)
        return [maps(labels) for maps in self.label_maps]

    @property
    def dims(self) -> int:
        return self.channels * self.side * self.side

    def latent_shapes(self) -> list[tuple[int, int, int]]:
        """The shape of each level's z (per image)."""
        shapes, c, s = [], self.channels, self.side
        for level in range(self.levels):
            c, s = 4 * c, s // 2
            if level < self.levels - 1:
                shapes.append((c // 2, s, s))
                c //= 2
            else:
                shapes.append((c, s, s))
        return shapes

    def _prior(self, level: int, kept: torch.Tensor | None, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.priors[level](y if kept is None else torch.cat([kept, y], 1))

    def to_noise(self, s: torch.Tensor, labels: torch.Tensor | None = None) -> tuple[list[torch.Tensor], torch.Tensor]:
        """(B, C, H, W) squashed images -> (every level's noise, N(0, I) under the model; log |det| of the
        whole map, (B,)). labels: (B, 4) what each image is told (a told flow; None: nothing)."""
        ys = self._label_maps(labels, len(s), s.device)
        zs, logdet, h = [], torch.zeros(len(s), device=s.device), s
        for level, steps in enumerate(self.blocks):
            h = squeeze(h)
            for step in steps:
                h, ld = step(h, ys[level])
                logdet = logdet + ld
            last = level == self.levels - 1
            z, h = (h, None) if last else (h[:, h.shape[1] // 2:], h[:, :h.shape[1] // 2])
            if self.told:  # eps = (z - mu) / sigma
                mu, log_sigma = self._prior(level, h, ys[level])
                z = (z - mu) * (-log_sigma).exp()
                logdet = logdet - log_sigma.flatten(1).sum(1)
            zs.append(z)
        return zs, logdet

    def from_noise(self, zs: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Every level's noise -> squashed images, the map's exact inverse."""
        ys = self._label_maps(labels, len(zs[0]), zs[0].device)
        h = None
        for level in reversed(range(self.levels)):
            z = zs[level]
            if self.told:  # z = mu + sigma * eps
                mu, log_sigma = self._prior(level, h, ys[level])
                z = mu + log_sigma.exp() * z
            h = z if h is None else torch.cat([h, z], 1)
            for step in reversed(self.blocks[level]):
                h = step.inverse(h, ys[level])
            h = unsqueeze(h)
        return h

    # ---- pixels <-> the squashed space -----------------------------------------------------------

    @staticmethod
    def squash(y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """y in (0, 1) -> s = logit(a + (1 - 2a) y), and log |ds/dy| summed per image."""
        p = ALPHA + (1 - 2 * ALPHA) * y
        logdet = (math.log(1 - 2 * ALPHA) - p.log() - (1 - p).log()).flatten(1).sum(1)
        return p.log() - (1 - p).log(), logdet

    @staticmethod
    def unsquash(s: torch.Tensor) -> torch.Tensor:
        return ((torch.sigmoid(s) - ALPHA) / (1 - 2 * ALPHA)).clamp(0, 1)

    def log_prob_y(self, y: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """log p(y) (told: log p(y | labels)) of (B, C, H, W) images in (0, 1), nats per image."""
        s, squash_ld = self.squash(y)
        zs, logdet = self.to_noise(s, labels)
        log_pz = sum((-0.5 * z**2 - 0.5 * math.log(2 * math.pi)).flatten(1).sum(1) for z in zs)
        return log_pz + logdet + squash_ld

    def bits_per_dim(self, x: torch.Tensor, generator: torch.Generator | None = None,
                     labels: torch.Tensor | None = None) -> torch.Tensor:
        """(B,) the dequantised bound in bits per dimension of uint8-valued (B, C, H, W) images (0-255,
        any dtype): -(log p((x + u) / 256) - D log 256) / (D ln 2), one draw of u."""
        u = torch.rand(x.shape, generator=generator, device=x.device)
        nats = -self.log_prob_y((x.float() + u) / 256, labels) + self.dims * math.log(256)
        return nats / (self.dims * math.log(2))

    def sample_noise(self, n: int, temperature: float, generator: torch.Generator | None = None) -> list[torch.Tensor]:
        return [temperature * torch.randn(n, *shape, generator=generator) for shape in self.latent_shapes()]

    def decode(self, zs: list[torch.Tensor], labels: torch.Tensor | None = None) -> torch.Tensor:
        """Every level's noise -> (B, C, H, W) images in [0, 1]."""
        return self.unsquash(self.from_noise(zs, labels))
