"""Speed and quality of the Flows tab's bundled image flow (checkpoints/flow-shapes) on this machine.

    python -m benchmarks.flow_images                          # the temperatures 0.5, 0.7 and 1 (the default)
    python -m benchmarks.flow_images --n 100 --temperatures 0.7 --save-samples runs/flow-samples
    python -m benchmarks.flow_images --skip-untold          # a told flow: only the tab's default, told

A flow that can be told what to draw (model.py) is measured as the tab draws by default: each
sample told labels drawn as the data draws them (shared.told.random_labels(n, seed)), with how often
each is drawn as told; then the same network told nothing, p(x) (unless --skip-untold).

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
from demos.flows.wording import bits_text
from shared import witnesses
from shared.image_files import save_raw_samples
from shared.timing import median_ms
from shared.told import random_labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="samples per seed for the witnesses")
    parser.add_argument("--temperatures", type=float, nargs="+", default=[0.5, 0.7, 1.0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--save-samples", default="", help="write the first seed's raw samples here")
    parser.add_argument("--skip-untold", action="store_true", help="a told flow: do not measure it told nothing")
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
    print("| images | n | median bits per dimension | better than the median held-out shape |")
    print("|---|---|---|---|")
    for row in images.surprise_table():
        print(f"| {row.kind} | {row.n:,} | {bits_text(row.median_bits)} | {row.better_than_median:.1%} |")

    told_runs = [True, False] if flow.told and not args.skip_untold else [flow.told]
    for temperature in args.temperatures:
        for told in told_runs:
            samples_table(flow, args, temperature, told)


def samples_table(flow, args: argparse.Namespace, temperature: float, told: bool) -> None:
    """Both witnesses over five seeds at one temperature (told: each told random_labels(n, seed), and
    how often each is drawn as told), the first seed's samples saved if asked."""
    what = "told labels drawn as the data's" if told else "told nothing, p(x)" if flow.told else "unconditional"
    print(f"\n## Samples at temperature {temperature:g}, {what} ({args.n} per seed)\n")
    first_seed: list[np.ndarray] = []
    shares: list[dict[str, float]] = []

    def sample(seed: int) -> np.ndarray:
        labels = random_labels(args.n, seed) if told else None
        drawn = images.sample_images(flow, args.n, seed, temperature, labels)
        if told:
            shares.append(witnesses.told_figures(drawn, labels))
        if not first_seed:
            first_seed.append(drawn)
        return drawn

    print(witnesses.five_seed_table(sample).markdown())
    if shares:
        print("\n" + witnesses.told_table(shares, witnesses.SEEDS))
    if args.save_samples:
        folder = save_raw_samples(Path(args.save_samples) / f"t{temperature:g}{'' if told else '-untold'}", first_seed[0])
        print(f"\nSamples of seed {witnesses.SEEDS[0]} written to {folder}/<k>.png")


if __name__ == "__main__":
    main()
