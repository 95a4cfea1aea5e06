"""The cost of pixels: one denoising step of the latent UNet (on a (4, 8, 8) latent, with the
prompt) against one of the diffusion tab's pixel-space UNet (on a (3, 32, 32) image), measured on
this machine. Time is the median of a few steps; memory is the size of every activation the step
creates (the outputs of all the network's layers, summed: what a training step would have to keep).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from demos.stable_diffusion import options
from shared import heavy, limits
from shared.memo import memoised
from shared.timing import median_ms


@dataclass(frozen=True)
class StepCost:
    name: str
    input_shape: tuple[int, ...]
    numbers: int  # values denoised per image
    parameters: int
    milliseconds: float  # one step, batch 1 (two passes when guided: the conditional and the unconditional)
    activation_mb: float


def _activation_mb(model: torch.nn.Module, fn) -> float:  # noqa: ANN001
    """Bytes of the outputs of every leaf layer of `model` during fn(), in MB."""
    total = [0]

    def count(_module, _inputs, output) -> None:  # noqa: ANN001
        for t in output if isinstance(output, (tuple, list)) else (output,):
            if isinstance(t, torch.Tensor):
                total[0] += t.numel() * t.element_size()

    leaves = [m for m in model.modules() if not list(m.children())]
    handles = [m.register_forward_hook(count) for m in leaves]
    try:
        fn()
    finally:
        for h in handles:
            h.remove()
    return total[0] / 2**20


@memoised(maxsize=2)
def measure(pipeline_name: str, repeats: int = 10) -> tuple[StepCost, StepCost]:
    """(latent step, pixel step) on the CPU, batch 1; the latent one with guidance (two UNet passes)."""
    heavy.ready("diffusers")
    from diffusers import UNet2DModel

    from demos.stable_diffusion.explore import load_pipeline
    from demos.stable_diffusion.pipeline import encode_prompts
    from shared.checkpoints import load

    parts = load_pipeline(pipeline_name)
    pixel = load(UNet2DModel, options.PIXEL_MODEL).model
    cond = torch.cat([encode_prompts(parts, [""]), encode_prompts(parts, ["a red circle"])])
    c, s = int(parts.unet.config.in_channels), int(parts.unet.config.sample_size)
    z = torch.randn(2, c, s, s, device=parts.unet.device)
    t = torch.tensor(500)
    x = torch.randn(1, 3, 32, 32, device=next(pixel.parameters()).device)

    @torch.inference_mode()
    def latent_step() -> None:
        parts.unet(z, t, encoder_hidden_states=cond)

    @torch.inference_mode()
    def pixel_step() -> None:
        pixel(x, t)

    return (StepCost("latent UNet (guided: 2 passes)", (c, s, s), c * s * s, sum(p.numel() for p in parts.unet.parameters()),
                     median_ms(latent_step, repeats), _activation_mb(parts.unet, latent_step)),
            StepCost("pixel UNet (diffusion tab)", (3, 32, 32), 3 * 32 * 32, sum(p.numel() for p in pixel.parameters()),
                     median_ms(pixel_step, repeats), _activation_mb(pixel, pixel_step)))


def compare(pipeline_name: object) -> tuple[StepCost, StepCost]:
    """(latent step, pixel step) for a pipeline of options.PIPELINES (measured once per process)."""
    return measure(limits.check_choice("pipeline", pipeline_name, options.PIPELINES))


def cost_table(latent: StepCost, pixel: StepCost) -> str:
    """The two steps side by side as a Markdown table, and what the ratios mean."""
    rows = "\n".join(f"| {c.name} | {' × '.join(map(str, c.input_shape))} ({c.numbers:,}) | {c.parameters:,} | "
                     f"{c.milliseconds:.1f} | {c.activation_mb:.1f} |" for c in (latent, pixel))
    return (f"| one denoising step | denoises | parameters | ms | activations MB |\n|---|---|---|---|---|\n{rows}\n\n"
            f"Per step the latent model works on {pixel.numbers / latent.numbers:.0f}x fewer numbers, and takes "
            f"{latent.milliseconds / pixel.milliseconds:.2f}x the pixel model's time and "
            f"{latent.activation_mb / pixel.activation_mb:.2f}x its activation memory, with guidance's two passes and "
            "a UNet of more parameters. The saving grows with the image: at Stable Diffusion's 512x512, a (4, 64, 64) "
            "latent holds 48x fewer numbers than the (3, 512, 512) image, and attention's cost grows with the square "
            "of the pixels.")
