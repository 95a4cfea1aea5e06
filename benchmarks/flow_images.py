"""Speed and quality of the Flows tab's bundled image flow (checkpoints/flow-shapes) on this machine.

    python -m benchmarks.flow_images                          # the temperatures 0.5, 0.7 (the default) and 1
    python -m benchmarks.flow_images --n 100 --temperatures 0.7 --save-samples runs/flow-samples

Prints (1) the time of 16 samples, of one image's bits per dimension and of an 8-frame interpolation;
(2) bits per dimension (dequantised: exact for the flow's continuous density) of the 2,000 held-out
shapes and of each kind of image that is not a shape, with the share of them the flow likes better than
the median held-out shape (Nalisnick et al. 2019's surprise); (3) the samples at each temperature by
both witnesses over five seeds (shared/witnesses.py: mean and range). With --save-samples DIR, the first
seed's raw 32x32 samples at each temperature are written as DIR/t<temperature>/<k>.png.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from demos.flows import images
from shared import witnesses
from shared.image_files import save_raw_samples
from shared.timing import median_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="samples per seed for the witnesses")
    parser.add_argument("--temperatures", type=float, nargs="+", default=[0.5, 0.7, 1.0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--save-samples", default="", help="write the first seed's raw samples here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    flow = images.load_image_flow()
    held_image = images.held_out_image(0)

    print(f"## Speed ({args.threads} CPU threads, {sum(p.numel() for p in flow.parameters()):,} parameters)\n")
    sixteen = median_ms(lambda: images.sample_images(flow, 16, 0), repeats=3)
    one = median_ms(lambda: images.bits_per_dim(flow, held_image[None]), repeats=5)
    line = median_ms(lambda: images._interpolate.fn(3, 40, 8), repeats=3)
    print("| 16 samples (ms) | bits of one image (ms) | 8-frame interpolation (ms) |")
    print("|---|---|---|")
    print(f"| {sixteen:.0f} | {one:.1f} | {line:.0f} |")

    print("\n## Bits per dimension (held-out shapes and images that are not shapes)\n")
    print("| images | n | mean bits per dimension | better than the median held-out shape |")
    print("|---|---|---|---|")
    for row in images.surprise_table():
        print(f"| {row.kind} | {row.n:,} | {row.mean_bits:.4f} | {row.better_than_median:.1%} |")

    for temperature in args.temperatures:
        print(f"\n## Samples at temperature {temperature:g} ({args.n} per seed)\n")
        first_seed: list[np.ndarray] = []

        def sample(seed: int, temperature=temperature, first_seed=first_seed) -> np.ndarray:
            drawn = images.sample_images(flow, args.n, seed, temperature)
            if not first_seed:
                first_seed.append(drawn)
            return drawn

        print(witnesses.five_seed_table(sample).markdown())
        if args.save_samples:
            folder = save_raw_samples(Path(args.save_samples) / f"t{temperature:g}", first_seed[0])
            print(f"\nSamples of seed {witnesses.SEEDS[0]} written to {folder}/<k>.png")


if __name__ == "__main__":
    main()
