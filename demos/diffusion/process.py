"""The diffusion process, written out step by step so every step can be shown.

Forward (fixed, no network):  x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps,   eps ~ N(0, I)
Reverse (learned): a UNet predicts eps from (x_t, t); a scheduler turns that into x_{t-1}.

    for step in sample(unet, config, "DDIM", steps=50, seed=0):   # one Step per denoising step
        step.x_t, step.x0_hat, step.eps                            # tensors (n, 3, 32, 32)

Any diffusers scheduler built from the training scheduler's config samples the same model
(`DDIMScheduler.from_config(ddpm.config)`): the sampler is a choice made at sampling time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from demos.diffusion.options import SAMPLERS, SAMPLES, STEPS
from shared import heavy, limits


def make_scheduler(name: str, config):  # noqa: ANN001, ANN201 (a diffusers scheduler config)
    """A fresh sampler of the given kind, from the trained model's scheduler config."""
    heavy.ready("diffusers")
    from diffusers import DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler, EulerDiscreteScheduler

    name = limits.check_choice("sampler", name, SAMPLERS)
    if name == "DDPM":
        return DDPMScheduler.from_config(config)
    if name == "DDIM":
        return DDIMScheduler.from_config(config)
    if name == "Euler":
        return EulerDiscreteScheduler.from_config(config)
    return DPMSolverMultistepScheduler.from_config(config, algorithm_type="dpmsolver++")


def alphas_cumprod(config) -> torch.Tensor:  # noqa: ANN001
    """abar_t for t = 0 .. T-1, (T,): the share of the signal's variance left at step t."""
    heavy.ready("diffusers")
    from diffusers import DDPMScheduler

    return DDPMScheduler.from_config(config).alphas_cumprod


def add_noise(x0: torch.Tensor, t: torch.Tensor | int, noise: torch.Tensor, abar: torch.Tensor) -> torch.Tensor:
    """The forward process in closed form: sqrt(abar_t) x0 + sqrt(1 - abar_t) noise. x0, noise: (B, C, H, W)."""
    a = abar[torch.as_tensor(t).long()].to(x0.dtype).reshape(-1, 1, 1, 1)
    return a.sqrt() * x0 + (1 - a).sqrt() * noise


def schedule_curves(schedule: str, timesteps: int = 1000) -> dict[str, np.ndarray]:
    """beta_t, abar_t and log10 SNR_t = log10(abar_t / (1 - abar_t)) of a named beta schedule."""
    heavy.ready("diffusers")
    from diffusers import DDPMScheduler

    s = DDPMScheduler(num_train_timesteps=timesteps, beta_schedule=schedule)
    abar = s.alphas_cumprod.double()
    return {"t": np.arange(timesteps), "beta": s.betas.double().numpy(), "alpha_bar": abar.numpy(),
            "log10_snr": torch.log10(abar / (1 - abar)).numpy()}


@dataclass(frozen=True)
class Step:
    index: int  # 0 .. steps-1
    timestep: int  # the training timestep this step denoises from
    x_t: torch.Tensor  # (n, 3, 32, 32): the noisy images the network saw at this step
    x0_hat: torch.Tensor  # (n, 3, 32, 32): its current guess of the clean images
    eps: torch.Tensor  # (n, 3, 32, 32): the noise it predicted
    x_next: torch.Tensor  # (n, 3, 32, 32): the images after this step


def _x0_from_eps(x_t: torch.Tensor, eps: torch.Tensor, abar_t: torch.Tensor) -> torch.Tensor:
    # invert the forward process: x0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)
    return ((x_t - (1 - abar_t).sqrt() * eps) / abar_t.sqrt()).clamp(-1, 1)


@torch.inference_mode()
def denoise(unet, scheduler, x: torch.Tensor, generator: torch.Generator,  # noqa: ANN001
            known: tuple[torch.Tensor, torch.Tensor] | None = None) -> Iterator[Step]:
    """Run `scheduler` (already set_timesteps) from x, yielding every step.

    known = (x0, keep): RePaint-style inpainting; after each step the pixels where keep is True
    are replaced by x0 noised to the next step's level, and by x0 itself after the last step.
    """
    abar = scheduler.alphas_cumprod
    device = next(unet.parameters()).device
    timesteps = scheduler.timesteps
    for i, t in enumerate(timesteps):
        x_in = scheduler.scale_model_input(x, t)  # Euler works in sigma space; this is the x_t the UNet sees
        eps = unet(x_in.to(device), t.to(device) if torch.is_tensor(t) else t).sample.to(x.dtype).cpu()
        out = scheduler.step(eps, t, x, generator=generator)
        t_int = int(round(float(t)))
        x0_hat = getattr(out, "pred_original_sample", None)
        if x0_hat is None or x0_hat.shape != x.shape:  # DPM-Solver++ does not return it
            x0_hat = _x0_from_eps(x_in, eps, abar[t_int].to(x.dtype))
        elif scheduler.__class__.__name__ == "EulerDiscreteScheduler":
            x0_hat = x0_hat.clamp(-1, 1)
        x_next = out.prev_sample
        if known is not None:
            x0, keep = known
            if i + 1 < len(timesteps):
                noise = torch.randn(x0.shape, generator=generator, dtype=x0.dtype)
                level = add_noise(x0, int(round(float(timesteps[i + 1]))), noise, abar)
            else:
                level = x0
            x_next = torch.where(keep, level, x_next)
        yield Step(i, t_int, x_in, x0_hat, eps, x_next)
        x = x_next


def sample(unet, config, sampler: str, steps: int, seed: int, n: int = 1) -> Iterator[Step]:  # noqa: ANN001
    """n samples from pure noise with the named sampler over `steps` steps: same seed, same images."""
    return start_run(unet, config, sampler, STEPS.check(steps), limits.SEED.check(seed), SAMPLES.check(n))


def start_run(unet, config, sampler: str, steps: int, seed: int, n: int) -> Iterator[Step]:  # noqa: ANN001
    """sample() without the UI's limit on n: evaluation draws hundreds at once."""
    scheduler = make_scheduler(sampler, config)
    scheduler.set_timesteps(steps)
    generator = torch.Generator().manual_seed(seed)
    size = unet.config.sample_size
    x = torch.randn((n, unet.config.in_channels, size, size), generator=generator) * scheduler.init_noise_sigma
    return denoise(unet, scheduler, x, generator)


def inpaint(unet, config, image: torch.Tensor, keep: torch.Tensor, steps: int, seed: int,  # noqa: ANN001
            sampler: str = "DDIM") -> Iterator[Step]:
    """Fill the pixels where keep is False. image: (1, 3, H, W) in [-1, 1]; keep: bool (1, 1, H, W).

    Only the variance-preserving samplers (DDPM, DDIM) take part: the known pixels are re-noised
    with the forward process, which speaks their language."""
    steps = STEPS.check(steps)
    seed = limits.SEED.check(seed)
    if limits.check_choice("sampler", sampler, SAMPLERS) not in ("DDPM", "DDIM"):
        raise limits.LimitError("Inpainting runs with the DDPM or DDIM sampler.")
    if image.shape[-2:] != keep.shape[-2:] or keep.dtype != torch.bool:
        raise limits.LimitError("The mask must be a yes/no map the size of the image.")
    scheduler = make_scheduler(sampler, config)
    scheduler.set_timesteps(steps)
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(image.shape, generator=generator)
    return denoise(unet, scheduler, x, generator, known=(image, keep))


def run_to_end(steps: Iterator[Step]) -> torch.Tensor:
    """Consume a sampling run; the final images, (n, 3, H, W) in [-1, 1]."""
    last = None
    for step in steps:
        last = step
    if last is None:
        raise ValueError("empty run")
    return last.x_next.clamp(-1, 1)
