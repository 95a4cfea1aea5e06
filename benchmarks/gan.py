"""Speed and quality of the GAN tab on this machine: latent-walk frames, live 2-D training, and
the bundled checkpoint's scores.

    python -m benchmarks.gan
    python -m benchmarks.gan --checkpoints runs/a runs/b    # only: compare saved GANs over five latent sets
    python -m benchmarks.gan --conditional [--save-samples DIR]   # only: the class-conditional GAN (issue 34)

Goals (issue 3): one walk frame in at most 20 ms on 2 CPU cores; live training streams at least
five updates a second.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import numpy as np
import torch
from PIL import Image

from shared.animation import to_gif
from shared.metrics import tensor_to_images
from shared.timing import median_ms


def walk_speed() -> None:
    from demos.gan import explore, latent
    from demos.gan.ui import scrub, zoom

    gan = explore.load_gan().model
    z1 = latent.latents_for_seeds([0], gan.z_dim)
    walk = explore.walk_seeds("0, 6, 8, 15", 37)
    cache = {"images": walk.rendered.images, "p_real": walk.rendered.p_real}

    def png(image: np.ndarray) -> None:
        Image.fromarray(image).save(io.BytesIO(), format="PNG")

    rows = [
        ("one frame from its latent: generator + discriminator", median_ms(lambda: latent.render(gan, z1))),
        ("one frame rendered and encoded as the page's PNG", median_ms(lambda: png(zoom(latent.render(gan, z1).images[0])))),
        ("scrubbing: a cached frame, enlarged, encoded and stored", median_ms(lambda: scrub(cache, 20))),
        # the walk itself, not its memo (the tab serves a repeated walk from memory)
        ("a whole 37-frame walk (latents, frames, verdicts)",
         median_ms(lambda: explore._walk_seeds.__wrapped__((0, 6, 8, 15), 37, "slerp", 1.0), 10)),
        ("its GIF", median_ms(lambda: to_gif(walk.rendered.images, 12, scale=4), 10)),
        ("its filmstrip", median_ms(lambda: latent.filmstrip(walk.rendered), 10)),
    ]
    print(f"## Latent walk ({torch.get_num_threads()} CPU threads; goal: a frame in at most 20 ms)\n")
    print("| step | median ms |\n|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.1f} |")


def training_speed(seconds: float = 8.0) -> None:
    from demos.gan.live import ToyGAN
    from demos.gan.options import PRESETS
    from demos.gan.views import render_snapshot

    print(f"\n## Live 2-D training ({seconds:.0f} s per preset; goal: at least 5 updates a second)\n")
    print("| preset | training steps/s (bare) | updates/s streamed | steps/s while streaming | snapshot + drawing + PNG ms |")
    print("|---|---|---|---|---|")
    for name, (settings, _) in PRESETS.items():
        bare = ToyGAN(settings)
        bare.train(20)
        t0 = time.perf_counter()
        bare.train(200)
        bare_rate = 200 / (time.perf_counter() - t0)

        trainer = ToyGAN(settings)
        updates, draw = 0, []
        t0 = time.perf_counter()
        for snap in trainer.run(seconds):
            d0 = time.perf_counter()
            Image.fromarray(render_snapshot(snap, settings.dataset)).save(io.BytesIO(), format="PNG")
            draw.append(time.perf_counter() - d0)
            updates += 1
        wall = time.perf_counter() - t0
        print(f"| {name} | {bare_rate:,.0f} | {updates / wall:.1f} | {trainer.step / wall:,.0f} | "
              f"{1000 * statistics.median(draw):.0f} |")


def served_training_speed(seconds: float = 8.0) -> None:
    """The same, end to end: the GAN tab served in-process, training streamed to a gradio_client,
    as a browser would receive it (the PNG encoding and the HTTP stream included)."""
    import logging

    from gradio_client import Client

    from demos.gan.options import PRESETS
    from demos.gan.ui import SETTING_FIELDS, build
    from shared.ui import launch
    from tests.conftest import free_port

    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = build()
    _, url, _ = launch(app, "127.0.0.1", free_port(), prevent_thread_lock=True, quiet=True)
    client = Client(url, verbose=False)
    print(f"\n## Live 2-D training served over HTTP ({seconds:.0f} s per preset; goal: at least 5 updates a second)\n")
    print("| preset | updates/s received | steps/s |\n|---|---|---|")
    try:
        for name, (settings, _) in PRESETS.items():
            args = [getattr(settings, f) for f in SETTING_FIELDS]
            client.predict(*args, api_name="/gan_train_reset")
            job = client.submit(*args, api_name="/gan_train")
            time.sleep(1.0)  # the first update: start-up of the stream, not its rate
            first = len(job.outputs())
            first_step = _step(job.outputs()[-1][1]) if first else 0
            time.sleep(seconds)
            outputs = job.outputs()
            client.predict(api_name="/gan_train_pause")
            job.cancel()
            print(f"| {name} | {(len(outputs) - first) / seconds:.1f} | {(_step(outputs[-1][1]) - first_step) / seconds:,.0f} |")
    finally:
        app.close()


def _step(status: str) -> int:
    return int(status.split("**Step ")[1].split("**")[0].replace(",", ""))


def five_sets(gan) -> str:
    """Valid share over five sets of 1,000 latents. One set moves "valid" by a few points (its
    standard error is about 1.3): the other four show how much of a difference between checkpoints
    is luck of the draw."""
    from demos.gan.train import EVAL_SEED, sample_images
    from shared.metrics import score_images

    seeds = (EVAL_SEED, 1, 2, 3, 4)
    valid = [score_images(sample_images(gan.generator, 1000, seed, gan.z_dim)).valid_fraction for seed in seeds]
    return (f"Valid over five sets of 1,000 latents (seeds {', '.join(map(str, seeds))}): {valid[0]:.1%} on the first, "
            f"mean {statistics.mean(valid):.1%}, range {min(valid):.1%} to {max(valid):.1%}")


def quality() -> None:
    from demos.gan import explore, latent
    from demos.gan.train import EVAL_SEED, evaluate
    from shared.metrics import score_images, tensor_to_images

    gan = explore.load_gan().model
    scores = evaluate(gan.generator, gan.z_dim)
    print(f"\n## Bundled checkpoint quality (1,000 samples, latents from seed {EVAL_SEED}; goal: 80% valid, every class 5%)\n")
    print(scores.as_markdown())
    print("\n| colour | share of samples |\n|---|---|")
    for name, share in scores.colour_shares.items():
        print(f"| {name} | {share:.1%} |")
    print("\n" + five_sets(gan))
    z = latent.latents_for_seeds(list(range(1000)), gan.z_dim)
    with torch.inference_mode():
        by_psi = {psi: score_images(tensor_to_images(gan.generator(latent.truncate(z, psi)))).valid_fraction
                  for psi in (1.0, 0.85, 0.7)}
    print("Truncation (1,000 latents, seeds 0-999): " + ", ".join(f"psi {p}: {v:.1%} valid" for p, v in by_psi.items()))


def arithmetic(amount: float = 2.0, n: int = 500) -> None:
    """How often latent arithmetic does what it says: of the samples (seeds 0 to n-1) the classifier
    reads as `source`, the share it reads as `target` after moving `amount` along the direction."""
    from demos.gan import explore, latent
    from shared.metrics import _bundled_classifier
    from shared.shapes_classifier import HEAD_CLASSES, classify

    gan, classifier = explore.load_gan().model, _bundled_classifier()
    z = latent.latents_for_seeds(list(range(n)), gan.z_dim)
    print(f"\n## Latent arithmetic (samples from seeds 0-{n - 1}, moved {amount} along each direction)\n")
    print("| attribute | from | to | samples read as 'from' | share read as 'to' after the move |\n|---|---|---|---|---|")
    read = classify(classifier, latent.render(gan, z).images)[0]  # attribute -> (n, classes) probabilities
    for attribute, source, target in [("colour", "orange", "green"), ("colour", "green", "orange"),
                                      ("colour", "yellow", "red"), ("colour", "orange", "red"),
                                      ("shape", "circle", "square"), ("size", "small", "large")]:
        names = HEAD_CLASSES[attribute]
        before = read[attribute].argmax(1) == names.index(source)
        direction = latent.attribute_direction(gan, classifier, attribute, source, target)
        moved = z[torch.from_numpy(before)] + amount * direction.vector
        after = classify(classifier, latent.render(gan, moved).images)[0][attribute].argmax(1) == names.index(target)
        print(f"| {attribute} | {source} | {target} | {int(before.sum())} | {after.mean():.0%} |")


def conditional(folder: str, per_pair: int = 30, seeds: tuple[int, ...] = (2024, 1, 2, 3, 4), save_samples: str = "") -> None:
    """The conditional GAN's goals over five latent sets (the card's seed first), by the classifier
    and by the pixels; each held-out pair; the time of a 16-tile grid; with save_samples, the first
    set's raw 32x32 samples as DIR/<shape>-<colour>/<k>.png."""
    from pathlib import Path

    from demos.gan.model import ConditionalShapesGAN, layout_for_seeds
    from demos.gan.train_conditional import GOALS, pair_figures, sample_pairs
    from shared.checkpoints import load
    from shared.datasets import LABEL_NAMES

    gan = (ConditionalShapesGAN.from_pretrained(folder) if Path(folder).is_dir()  # a training run's folder
           else load(ConditionalShapesGAN, folder, device="cpu").model).eval()
    runs = []
    for seed in seeds:
        images, shape, colour = sample_pairs(gan.generator, per_pair, seed, gan.z_dim)
        runs.append(pair_figures(images, shape, colour))
        if save_samples and seed == seeds[0]:
            for k, (image, s, c) in enumerate(zip(images, shape, colour)):
                pair_dir = Path(save_samples) / f"{LABEL_NAMES['shape'][s]}-{LABEL_NAMES['colour'][c]}"
                pair_dir.mkdir(parents=True, exist_ok=True)
                Image.fromarray(image).save(pair_dir / f"{k % per_pair}.png")
    print(f"## Class-conditional GAN: {folder} ({per_pair} samples of each of 36 pairs, seeds {', '.join(map(str, seeds))})\n")
    print("| measure | mean | lowest | highest | goal |\n|---|---|---|---|---|")
    labels = {"as_asked": "asked for (shape, colour), drawn so (classifier)", "pixels_as_asked": "the same, colour by the pixels",
              "valid": "valid shapes", "min_colour": "smallest colour share", "min_shape": "smallest shape share",
              "held_out": "held-out pairs drawn as asked (classifier)", "held_out_pixels": "held-out pairs, colour by the pixels"}
    for key, label in labels.items():
        values = [r[key] for r in runs]
        goal = f">= {GOALS[key]:.0%}" if key in GOALS else "report"
        print(f"| {label} | {statistics.fmean(values):.1%} | {min(values):.1%} | {max(values):.1%} | {goal} |")
    print("\n| held-out pair | drawn as asked (mean of the seeds) |\n|---|---|")
    for pair in runs[0]["per_held_out_pair"]:
        print(f"| {pair} | {statistics.fmean(r['per_held_out_pair'][pair] for r in runs):.1%} |")
    z = torch.randn(16, gan.z_dim, generator=torch.Generator().manual_seed(0))
    labels = (torch.full((16,), 4), torch.full((16,), 4)) + (layout_for_seeds(list(range(16))) if gan.told_layout else ())
    with torch.inference_mode():
        ms = median_ms(lambda: tensor_to_images(gan.generator(z, *labels)))
    print(f"\nA 16-tile grid (generator and conversion to uint8): {ms:.0f} ms on {torch.get_num_threads()} CPU threads (goal <= 300 ms)")
    if save_samples:
        print(f"Samples of seed {seeds[0]} written to {save_samples}/<shape>-<colour>/<k>.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", nargs="+", default=[],
                        help="score only these saved ShapesGAN folders (e.g. training runs) over five latent sets")
    parser.add_argument("--conditional", nargs="?", const="gan-shapes-conditional", default="",
                        help="measure only the class-conditional GAN (a bundled name or a folder)")
    parser.add_argument("--save-samples", default="", help="with --conditional: write the raw samples here")
    args = parser.parse_args()
    if args.conditional:
        conditional(args.conditional, save_samples=args.save_samples)
        return
    if args.checkpoints:
        from demos.gan.model import ShapesGAN

        for folder in args.checkpoints:
            print(f"{folder}: {five_sets(ShapesGAN.from_pretrained(folder).eval())}")
        return
    walk_speed()
    training_speed()
    served_training_speed()
    quality()
    arithmetic()


if __name__ == "__main__":
    main()
