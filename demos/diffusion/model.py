"""The bundled diffusion model's network and noise schedule, in diffusers' own classes.

    unet = shapes_unet()                 # UNet2DModel: (B, 3, 32, 32) noisy images, timesteps -> predicted noise
    scheduler = training_scheduler()     # DDPMScheduler: 1,000 steps, cosine schedule, epsilon prediction

The checkpoint folder holds the UNet (config.json, diffusion_pytorch_model.safetensors) and the
scheduler (scheduler_config.json) side by side, as `google/ddpm-cifar10-32` does, so
`UNet2DModel.from_pretrained(folder)` and `DDPMScheduler.from_pretrained(folder)` work on it exactly
as on that Hub model.
"""

from __future__ import annotations

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
