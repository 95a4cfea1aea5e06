"""Speed and quality of the bundled PixelCNN (checkpoints/pixelcnn-shapes) on this machine.

    python -m benchmarks.pixelcnn                                 # speed, bits per dimension, five seeds of 200
    python -m benchmarks.pixelcnn --n 100 --threads 1 --save-samples runs/pixelcnn-samples
    python -m benchmarks.pixelcnn --guidance 1 --skip-untold      # the told samples under guidance

Prints (1) the time to the first streamed frame of a press (the model loaded), 16 samples in full,
and the cost of a pixel with the column cache against re-running the row's horizontal stack;
(2) exact bits per dimension on the 2,000 held-out images (mean and the 10th-90th percentiles) and
on images unlike the data (shared.datasets.make_not_shapes: noise, blank, blends, two shapes, blobs);
(3) the samples by both witnesses over five seeds (mean, range, first seed; shared/witnesses.py):
for a model trained with labels, as the tab draws them by default (each told labels drawn as the
data's, guided) with the share drawn as told per head, and with nothing told (p(x) itself).
With --save-samples DIR the first seed's samples are written as raw 32x32 PNGs, DIR/<k>.png.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from demos.pixelcnn import explore
from demos.pixelcnn.options import DEFAULTS
from demos.pixelcnn.sampling import bits_per_dim, held_out_images, sample_images
from demos.pixelcnn.train import sample_seed, seed_labels
from shared import witnesses
from shared.datasets import NOT_SHAPE_KINDS, make_not_shapes
from shared.image_files import save_raw_samples
from shared.witnesses import told_figures, told_table


def first_frame_ms(seed: int) -> float:
    """A press at the tab's defaults: its first frame (the model loaded)."""
    d = DEFAULTS
    t0 = time.perf_counter()
    next(iter(explore._samples(16, seed, 1.0, d.told and explore.can_be_told(), d.shape, d.colour, d.guidance)))
    return 1000 * (time.perf_counter() - t0)


def row_pixel_ms(model, n: int = 16) -> tuple[float, float]:
    """(ms per pixel from the column cache, ms per pixel re-running the row's horizontal stack), row 16."""
    from demos.pixelcnn.model import RowSampler

    x = torch.randint(model.n_colours, (n, 32, 32))
    with torch.no_grad():
        state = model.row_state(x, 16)
        rows = RowSampler(model, n)
        rows.start(state)
        t0 = time.perf_counter()
        for j in range(32):
            rows.next_logits(x[:, 16, j - 1] if j else None)
        cached = (time.perf_counter() - t0) / 32
        t0 = time.perf_counter()
        for j in range(32):
            model.row_logits(x, 16, state, upto=j + 1)
        rerun = (time.perf_counter() - t0) / 32
    return 1000 * cached, 1000 * rerun


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="samples per seed for the witnesses")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--save-samples", default="", help="write the first seed's raw samples here")
    parser.add_argument("--guidance", type=float, default=DEFAULTS.guidance, help="the told samples' guidance")
    parser.add_argument("--skip-untold", action="store_true", help="only the told samples (a guidance sweep)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = explore.load_model()

    print(f"## Speed ({args.threads} CPU threads, {sum(p.numel() for p in model.parameters()):,} parameters)\n")
    first = [first_frame_ms(seed) for seed in range(100, 105)]
    t0 = time.perf_counter()
    sample_images(model, 16, 0)
    sixteen = time.perf_counter() - t0
    cached, rerun = row_pixel_ms(model)
    print("| first frame of a press (ms, 5 presses) | 16 samples (s) | ms per pixel, column cache | ms per pixel, row re-run |")
    print("|---|---|---|---|")
    print(f"| {np.median(first):.0f} ({min(first):.0f}-{max(first):.0f}) | {sixteen:.1f} | {cached:.2f} | {rerun:.2f} |")

    print("\n## Exact bits per dimension\n")
    print("| images | n | mean | 10th-90th percentile |")
    print("|---|---|---|---|")
    held = bits_per_dim(model, held_out_images())
    print(f"| held-out shapes (seed 4242) | {len(held):,} | {held.mean():.4f} | "
          f"{np.quantile(held, 0.1):.4f}-{np.quantile(held, 0.9):.4f} |")
    odd = make_not_shapes(500, seed=7)
    odd_bits = bits_per_dim(model, odd)
    print(f"| not shapes ({', '.join(NOT_SHAPE_KINDS)}) | {len(odd):,} | {odd_bits.mean():.4f} | "
          f"{np.quantile(odd_bits, 0.1):.4f}-{np.quantile(odd_bits, 0.9):.4f} |")
    print(f"\nNot-shapes scored below the held-out median: {100 * (odd_bits < np.median(held)).mean():.1f}%")

    told = model.told
    default = " (the tab's default)" if args.guidance == DEFAULTS.guidance else ""
    ways = [(True, f"told labels drawn as the data's, guidance {args.guidance:g}{default}")]
    ways = (ways + [(False, "nothing told: p(x)")] * (not args.skip_untold)) if told else [(False, "the model takes no labels")]
    for tell, how in ways:
        print(f"\n## Samples by both witnesses ({args.n} per seed, temperature 1; {how})\n")
        first_seed: list[np.ndarray] = []
        shares: list[dict[str, float]] = []

        def sample(seed: int, tell: bool = tell, first_seed: list = first_seed, shares: list = shares) -> np.ndarray:
            images = sample_seed(model, args.n, seed, told=tell, guidance=args.guidance)
            if tell:
                shares.append(told_figures(images, seed_labels(args.n, seed)))
            if not first_seed:
                first_seed.append(images)
            return images

        t0 = time.perf_counter()
        table = witnesses.five_seed_table(sample)
        print(table.markdown())
        print(f"\n{(time.perf_counter() - t0) / (5 * args.n):.3f} s per sample in batches of up to 100 (and the judging)")
        if shares:
            print("\n" + told_table(shares, witnesses.SEEDS))
        if args.save_samples and tell == ways[0][0]:
            folder = save_raw_samples(args.save_samples, first_seed[0])
            print(f"Samples of seed {witnesses.SEEDS[0]} ({how}) written to {folder}/<k>.png")

if __name__ == "__main__":
    main()
