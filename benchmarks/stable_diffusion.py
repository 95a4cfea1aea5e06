"""Speed of the Stable Diffusion tab on this machine, and the cost of pixels.

    python -m benchmarks.stable_diffusion
    python -m benchmarks.stable_diffusion --quality [--n 100]   # what the images show, five seeds

--quality (issue 31): prompts in the caption template and in the caption language's phrasings
(demos/stable_diffusion/quality.py), read as the app reads them, judged by the shapes classifier and
by the pixels alone (shared/pixel_check.py), over five prompt-and-noise seeds: mean and range. Then
the hand-written prompts with unknown words: whether the status names each unknown word.

Goals (issue 22): the first streamed step within 300 ms of pressing Generate (the pipeline loaded
beforehand). The cost rows compare one denoising step in latent space with one of the diffusion
tab's pixel-space UNet (demos/stable_diffusion/cost.py): time and activation memory, and their
ratios.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from shared.timing import median_ms

QUALITY_SEEDS = (101, 102, 103, 104, 105)
QUALITY_ROWS = (("template", "seen"), ("template", "unseen"), ("train", "seen"), ("held_out", "seen"),
                ("held_out", "unseen"), ("held_out_words", "seen"))


def quality(n: int, folder: str | None = None) -> None:
    """folder: another pipeline folder (an earlier checkpoint) read as that checkpoint's app read it:
    prompts as typed, no notice for unknown words."""
    from pathlib import Path

    from demos.stable_diffusion import explore, options
    from demos.stable_diffusion import quality as q
    from demos.stable_diffusion.pipeline import generate
    from demos.stable_diffusion.train import load_parts

    if folder:  # an earlier checkpoint, read as its app read it: prompts as typed, no notice
        from dataclasses import replace

        parts = replace(load_parts(Path(folder)), known_words=None)
    else:
        parts = explore.load_pipeline(options.BUNDLED)
    print(f"## Stable Diffusion: does the image show what the prompt names? ({n} prompts a row and seed, seeds "
          f"{QUALITY_SEEDS}, guidance {options.DEFAULT_GUIDANCE:g}, {options.DEFAULT_STEPS} DDIM steps)\n")
    print("| prompts | pairs | classifier mean | min | max | pixels mean | min | max |\n|---|---|---|---|---|---|---|---|")
    for kind, pairs in QUALITY_ROWS:
        runs = [q.measure(parts, kind, pairs, n, seed, options.DEFAULT_STEPS, options.DEFAULT_GUIDANCE) for seed in QUALITY_SEEDS]
        c, p = [r["classifier"] for r in runs], [r["pixels"] for r in runs]
        print(f"| {q.KINDS[kind]} | {pairs} | {np.mean(c):.1%} | {min(c):.1%} | {max(c):.1%} | "
              f"{np.mean(p):.1%} | {min(p):.1%} | {max(p):.1%} |", flush=True)

    print("\n## Prompts with words the bundled model does not know\n")
    report = q.unknown_word_report(lambda text: explore.prepare_prompt(parts, text)[1])
    images = generate(parts, [explore.prepare_prompt(parts, t)[0] for t, _, _ in q.UNKNOWN_WORD_PROMPTS], seed=0)
    from shared.datasets import LABEL_NAMES

    print("| prompt | status names every unknown word | known labels drawn (classifier) | status |\n|---|---|---|---|")
    for (text, named, _), (_, says_why, notice), image in zip(q.UNKNOWN_WORD_PROMPTS, report, images):
        labels = np.array([[LABEL_NAMES[a].index(named[a]) if a in named else 0 for a in LABEL_NAMES]])
        mask = np.array([[a in named for a in LABEL_NAMES]])
        drawn = f"{q.judge(image[None], labels, mask)['classifier']:.0%}" if named else "n/a (nothing it knows)"
        print(f"| {text} | {'yes' if says_why else 'NO'} | {drawn} | {notice} |")
    print(f"\nprompts with an unknown word whose status says why: {np.mean([r[1] for r in report]):.0%}")


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", action="store_true", help="only the quality tables (five seeds)")
    parser.add_argument("--n", type=int, default=100, help="prompts a row and seed (--quality)")
    parser.add_argument("--model", help="with --quality: a pipeline folder to measure instead of the bundled one")
    args = parser.parse_args(argv)
    if args.quality:
        quality(args.n, args.model)
        return
    speed()


def speed() -> None:
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
