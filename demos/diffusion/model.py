"""The bundled diffusion model's network and noise schedule, in diffusers' own classes.

    unet = shapes_unet()                 # UNet2DModel: (B, 3, 32, 32) noisy images, timesteps -> predicted noise
    scheduler = training_scheduler()     # DDPMScheduler: 1,000 steps, cosine schedule, epsilon prediction

The checkpoint folder holds the UNet (config.json, diffusion_pytorch_model.safetensors) and the
scheduler (scheduler_config.json) side by side, as `google/ddpm-cifar10-32` does, so
`UNet2DModel.from_pretrained(folder)` and `DDPMScheduler.from_pretrained(folder)` work on it exactly
as on that Hub model.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from demos.diffusion.options import T
from shared import heavy

BUNDLED_NAME = "diffusion-shapes"
SCHEDULES = ("squaredcos_cap_v2", "linear")  # diffusers' names: cosine (Nichol & Dhariwal), linear (Ho et al.)


def shapes_unet(widths: tuple[int, ...] = (32, 64, 96), layers_per_block: int = 1):  # noqa: ANN201
    """A small UNet for 32x32 RGB: 32 -> 16 -> 8 resolution, self-attention at 8x8 only.

    About 1.8 M parameters (7 MB). Sized so that sampling is quick on 2 CPU cores: one forward pass
    of one image takes about 17 ms (attention at 16x16 would double it), so a 50-step sample fits in
    1.5 s. Widths 16 / 32 / 64 (0.69 M) train three times faster on a CPU but never drew clean shapes
    (see TRAINING_LOG.md).
    """
    heavy.ready("diffusers")
    from diffusers import UNet2DModel

    return UNet2DModel(
        sample_size=32, in_channels=3, out_channels=3, block_out_channels=widths, layers_per_block=layers_per_block,
        down_block_types=("DownBlock2D", "DownBlock2D", "AttnDownBlock2D"),
        up_block_types=("AttnUpBlock2D", "UpBlock2D", "UpBlock2D"), norm_num_groups=8,
    )


def training_scheduler(schedule: str = "squaredcos_cap_v2"):  # noqa: ANN201
    """The forward process the model is trained on; samplers are built from its config."""
    heavy.ready("diffusers")
    from diffusers import DDPMScheduler

    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}")
    return DDPMScheduler(num_train_timesteps=1000, beta_schedule=schedule, prediction_type="epsilon",
                         clip_sample=True, clip_sample_range=1.0)


# ---- the live 2-D model (live.py trains it in a session): T = 100 steps, a cosine schedule ------


def cosine_alpha_bar(steps: int = T, s: float = 0.008) -> torch.Tensor:
    """abar_t for t = 1..steps (index t-1), Nichol & Dhariwal's cosine schedule, (steps,)."""
    f = lambda t: math.cos((t / steps + s) / (1 + s) * math.pi / 2) ** 2  # noqa: E731
    abar = torch.tensor([f(t) / f(0) for t in range(1, steps + 1)], dtype=torch.float32)
    return abar.clamp(min=1e-5)


class Denoiser(nn.Module):
    """eps_theta(x_t, t): an MLP on the point and a sinusoidal embedding of t. (B, 2), (B,) -> (B, 2)."""

    def __init__(self, hidden: int = 128, layers: int = 3, t_dim: int = 16) -> None:
        super().__init__()
        self.t_dim = t_dim
        mods: list[nn.Module] = []
        for i in range(layers):
            mods += [nn.Linear(2 + t_dim if i == 0 else hidden, hidden), nn.SiLU()]
        self.net = nn.Sequential(*mods, nn.Linear(hidden, 2))

    def embed(self, t: torch.Tensor) -> torch.Tensor:
        freqs = torch.exp(torch.linspace(0, math.log(100), self.t_dim // 2))
        angles = t.float()[:, None] / T * freqs[None] * 2 * math.pi
        return torch.cat([angles.sin(), angles.cos()], 1)

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([x, self.embed(t)], 1))
