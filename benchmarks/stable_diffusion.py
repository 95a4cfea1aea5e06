"""Speed of the Stable Diffusion tab on this machine, and the cost of pixels.

    python -m benchmarks.stable_diffusion

Goals (issue 22): the first streamed step within 300 ms of pressing Generate (the pipeline loaded
beforehand). The cost rows compare one denoising step in latent space with one of the diffusion
tab's pixel-space UNet (demos/stable_diffusion/cost.py): time and activation memory, and their
ratios.
"""

from __future__ import annotations

import time

import torch

from shared.timing import median_ms


def main() -> None:
    from demos.stable_diffusion import cost, explore, options

    explore.load_pipeline(options.BUNDLED)

    def first_step() -> None:
        next(iter(explore.text_to_image(options.BUNDLED, options.DEFAULT_PROMPT, "", options.DEFAULT_GUIDANCE, 30, 0, "DDIM")))

    def whole(steps: int, guidance: float) -> None:
        for _ in explore.text_to_image(options.BUNDLED, options.DEFAULT_PROMPT, "", guidance, steps, 0, "DDIM"):
            pass

    rows = [
        ("time to the first streamed step (goal 300 ms)", median_ms(first_step, 20)),
        ("one step streamed (whole run of 30 / 30), guidance 5", median_ms(lambda: whole(30, 5.0), 5) / 30),
        ("a whole sample, 30 steps, guidance 5 (every step decoded for the view)", median_ms(lambda: whole(30, 5.0), 5)),
        ("a whole sample, 30 steps, guidance 1 (one UNet pass a step)", median_ms(lambda: whole(30, 1.0), 5)),
        ("word maps: a sample with cross-attention recorded",
         median_ms(lambda: explore.word_maps(options.BUNDLED, options.DEFAULT_PROMPT), 5)),
    ]
    print(f"## Stable Diffusion ({torch.get_num_threads()} CPU threads)\n")
    print("| step | median ms |\n|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.1f} |")
    t0 = time.perf_counter()
    latent, pixel = cost.measure.__wrapped__(options.BUNDLED, 20)
    print(f"\n## The cost of pixels (measured in {time.perf_counter() - t0:.1f} s)\n")
    print("| one denoising step, batch 1 | input | numbers | parameters | ms | activations MB |\n|---|---|---|---|---|---|")
    for c in (latent, pixel):
        print(f"| {c.name} | {' x '.join(map(str, c.input_shape))} | {c.numbers:,} | {c.parameters:,} | "
              f"{c.milliseconds:.1f} | {c.activation_mb:.2f} |")
    print(f"\nlatent / pixel: {latent.numbers / pixel.numbers:.3f} of the numbers, {latent.milliseconds / pixel.milliseconds:.2f}x "
          f"the time, {latent.activation_mb / pixel.activation_mb:.2f}x the activation memory")


if __name__ == "__main__":
    main()
