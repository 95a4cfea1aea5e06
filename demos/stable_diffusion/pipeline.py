"""Text to image, one step at a time: the sampling loop of Stable Diffusion written out, so each
step's tensors can be shown. No UI code.

    parts = Parts(vae, text_encoder, tokenizer, unet, scheduler_config)
    for step in denoise(parts, ["a large red star"], guidance=5.0, steps=30, seed=0):
        step.latent            # (B, 4, 8, 8) x_t after this step
        step.noise_cond        # (B, 4, 8, 8) the UNet's noise prediction given the prompt
        step.noise_uncond      # (B, 4, 8, 8) ... given the empty prompt
    images = decode(parts, step.latent)   # uint8 (B, 32, 32, 3)

Classifier-free guidance: eps = eps_uncond + w * (eps_cond - eps_uncond). w = 1 is the plain
conditional model (no guidance); w > 1 pushes the sample further towards what the prompt adds. As in
diffusers, w <= 1 runs the conditional pass alone (sd-turbo is used with w = 0).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from shared import heavy

SCHEDULERS = ("DDIM", "DDPM", "Euler", "DPM-Solver++")


@dataclass
class Parts:
    vae: Any  # diffusers AutoencoderKL
    text_encoder: Any  # transformers CLIPTextModel
    tokenizer: Any  # transformers CLIPTokenizer
    unet: Any  # diffusers UNet2DConditionModel
    scheduler_config: dict
    known_words: frozenset[str] | None = None  # the words its text encoder learned (the bundled one); None: any text

    @property
    def scaling(self) -> float:
        return float(self.vae.config.scaling_factor)

    @property
    def context(self) -> int:
        return int(self.text_encoder.config.max_position_embeddings)


def make_scheduler(name: str, config: dict):  # noqa: ANN201 (a diffusers scheduler)
    heavy.ready("diffusers")
    import diffusers

    cls = {"DDIM": diffusers.DDIMScheduler, "DDPM": diffusers.DDPMScheduler, "Euler": diffusers.EulerDiscreteScheduler,
           "DPM-Solver++": diffusers.DPMSolverMultistepScheduler}[name]
    return cls.from_config(config)


@torch.inference_mode()
def encode_prompts(parts: Parts, prompts: list[str]) -> torch.Tensor:
    """Prompts -> the text encoder's last hidden states (B, context, width): what cross-attention reads."""
    enc = parts.tokenizer(prompts, padding="max_length", max_length=parts.context, truncation=True, return_tensors="pt")
    return parts.text_encoder(input_ids=enc["input_ids"].to(parts.text_encoder.device)).last_hidden_state


@dataclass(frozen=True)
class Step:
    index: int  # 0-based
    timestep: int
    latent: torch.Tensor  # x_t after this step, (B, 4, h, w), unscaled by vae scaling (what the UNet sees)
    noise_cond: torch.Tensor
    noise_uncond: torch.Tensor | None  # None when guidance is 1 (only the conditional pass is run)


@torch.inference_mode()
def denoise(parts: Parts, prompts: list[str], guidance: float = 5.0, steps: int = 30, seed: int = 0,
            scheduler: str = "DDIM", negative: str = "", latents: torch.Tensor | None = None,
            start_step: int = 0) -> Iterator[Step]:
    """The reverse process from pure noise (or from `latents` at step `start_step`, for
    image-to-image), yielding every step."""
    sched = make_scheduler(scheduler, parts.scheduler_config)
    sched.set_timesteps(steps)
    device = parts.unet.device
    cond = encode_prompts(parts, prompts)
    guided = guidance > 1.0
    uncond = encode_prompts(parts, [negative] * len(prompts)) if guided else None
    if latents is None:
        gen = torch.Generator().manual_seed(int(seed))
        shape = (len(prompts), parts.unet.config.in_channels, parts.unet.config.sample_size, parts.unet.config.sample_size)
        latents = torch.randn(shape, generator=gen).to(device) * sched.init_noise_sigma
    for i, t in enumerate(sched.timesteps[start_step:], start=start_step):
        x = sched.scale_model_input(latents, t)
        if guided:
            both = parts.unet(torch.cat([x, x]), t, encoder_hidden_states=torch.cat([uncond, cond])).sample
            eps_uncond, eps_cond = both.chunk(2)
            eps = eps_uncond + guidance * (eps_cond - eps_uncond)
        else:
            eps_cond = parts.unet(x, t, encoder_hidden_states=cond).sample
            eps_uncond, eps = None, eps_cond
        latents = sched.step(eps, t, latents).prev_sample
        yield Step(i, int(t), latents, eps_cond, eps_uncond)


@torch.inference_mode()
def decode(parts: Parts, latents: torch.Tensor) -> np.ndarray:
    """Latents (B, 4, h, w) in the UNet's scale -> uint8 images (B, H, W, 3)."""
    x = parts.vae.decode(latents / parts.scaling).sample
    return ((x.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()


def generate(parts: Parts, prompts: list[str], guidance: float = 5.0, steps: int = 30, seed: int = 0,
             scheduler: str = "DDIM", batch: int = 100) -> np.ndarray:
    """Final images only, in batches: uint8 (len(prompts), H, W, 3). Prompt i's noise depends on
    (seed, its batch) only."""
    out = []
    for b, start in enumerate(range(0, len(prompts), batch)):
        last = None
        for step in denoise(parts, prompts[start:start + batch], guidance, steps, seed + b, scheduler):
            last = step
        out.append(decode(parts, last.latent))
    return np.concatenate(out)
