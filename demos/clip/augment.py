"""What people upload is not what `shapes` renders: other backgrounds (light ones too), other shades of
the colour, a tilt, a different scale. The CLIP image tower is trained on such variations of the data.

A `shapes` image is exactly alpha * fill + (1 - alpha) * background, per pixel (the shape is drawn at
4x and box-downsampled, a linear operation), so alpha is recovered from the known fill colour and the
image re-composed with a jittered fill on a new background:

    alpha = clamp(<x - bg, fill - bg> / |fill - bg|^2, 0, 1)          (B, 1, 32, 32)
    x'    = alpha' * fill' + (1 - alpha') * bg'                        alpha' = alpha rotated and scaled

Every label stays exact: rotations of at most 15 degrees and scales of 0.9-1.1 about the centre move a
corner position by under 2 pixels and keep small (radius 5) and large (radius 8) apart; the fill's
shade moves far less than the distance between two palette colours.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from shared.datasets import BACKGROUND, COLOURS

PALETTE = torch.tensor(list(COLOURS.values()), dtype=torch.float32) / 127.5 - 1.0  # (6, 3) in [-1, 1]
DARK = torch.tensor(BACKGROUND, dtype=torch.float32) / 127.5 - 1.0
MIN_CONTRAST = 0.6  # smallest distance (in [-1, 1] RGB, Euclidean) between a new background and the fill


def shape_alpha(images: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) images in [-1, 1] with the dark background, colour (B,) palette indices -> alpha (B, 1, H, W)."""
    fill = PALETTE[colour].view(-1, 3, 1, 1)
    bg = DARK.view(1, 3, 1, 1)
    direction = fill - bg
    alpha = ((images - bg) * direction).sum(1, keepdim=True) / (direction ** 2).sum(1, keepdim=True)
    return alpha.clamp(0, 1)


def random_backgrounds(fill: torch.Tensor, gen: torch.Generator, p_dark: float = 0.4, p_light: float = 0.25) -> torch.Tensor:
    """(B, 3) backgrounds for fills (B, 3): the data's dark one, a light grey-white, or any colour far
    enough from the fill (MIN_CONTRAST); all in [-1, 1]."""
    b = len(fill)
    kind = torch.rand(b, generator=gen)
    light = 1.0 - 0.35 * torch.rand(b, 1, generator=gen) + 0.05 * torch.randn(b, 3, generator=gen)
    dark = DARK.expand(b, 3) + 0.08 * torch.randn(b, 3, generator=gen)
    out = torch.where((kind < p_dark)[:, None], dark, light)
    other = kind >= p_dark + p_light
    for _ in range(8):  # resample the "any colour" ones until far enough from their fill
        candidate = torch.rand(b, 3, generator=gen) * 2 - 1
        ok = (candidate - fill).norm(dim=1) >= MIN_CONTRAST
        take = other & ok
        out[take] = candidate[take]
        other = other & ~ok
    return out.clamp(-1, 1)


def augment(images: torch.Tensor, colour: torch.Tensor, gen: torch.Generator, p: float = 0.8,
            achromatic: torch.Tensor | None = None) -> torch.Tensor:
    """A fraction p of a batch (B, 3, 32, 32) in [-1, 1] re-composed: tilted, scaled, a new shade of its
    colour on a new background, a little noise; the rest left as the data draws it. Where achromatic
    (B,) is true the shape is always re-composed, in a grey between black and white instead of its
    colour: the same shape in a colour no caption names, so the image tower learns shape apart from colour."""
    b = len(images)
    alpha = shape_alpha(images, colour)
    angle = (torch.rand(b, generator=gen) * 2 - 1) * math.radians(15)
    scale = 0.9 + 0.2 * torch.rand(b, generator=gen)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, torch.zeros(b)], 1), torch.stack([sin, cos, torch.zeros(b)], 1)], 1)
    grid = F.affine_grid(theta, list(alpha.shape), align_corners=False)
    alpha = F.grid_sample(alpha, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    # a shade of the same colour: brightness x0.88-1.1 and a little per-channel wobble (darker, yellow turns gold)
    fill01 = (PALETTE[colour] + 1) / 2
    fill01 = fill01 * (0.88 + 0.22 * torch.rand(b, 1, generator=gen)) + 0.03 * torch.randn(b, 3, generator=gen)
    fill = (fill01.clamp(0, 1) * 2 - 1)
    bg = random_backgrounds(fill, gen)
    if achromatic is not None:  # a light grey on a dark background, a dark one on a light background
        level = torch.rand(b, 1, generator=gen) * 0.9 + 0.05
        grey = torch.where(bg.mean(1, keepdim=True) < 0, level, -level).expand(b, 3)
        fill = torch.where(achromatic[:, None], grey, fill)
    out = alpha * fill.view(b, 3, 1, 1) + (1 - alpha) * bg.view(b, 3, 1, 1)
    out = out + 0.03 * torch.rand(b, 1, 1, 1, generator=gen) * torch.randn(out.shape, generator=gen)
    keep = torch.rand(b, generator=gen) >= p
    if achromatic is not None:
        keep &= ~achromatic
    return torch.where(keep.view(b, 1, 1, 1), images, out.clamp(-1, 1))


def on_background(images: torch.Tensor, colour: torch.Tensor, background: tuple[int, int, int]) -> torch.Tensor:
    """The same shapes on another plain background (RGB 0-255): what the benchmark's light-background row shows."""
    alpha = shape_alpha(images, colour)
    bg = torch.tensor(background, dtype=torch.float32).view(1, 3, 1, 1) / 127.5 - 1.0
    return alpha * PALETTE[colour].view(-1, 3, 1, 1) + (1 - alpha) * bg
