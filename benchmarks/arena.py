"""The arena: every image family of the suite on the same data, the same judge and the same bits
per dimension (demos/arena_families.py).

    python -m benchmarks.arena                               # every family, five seeds of 200 samples
    python -m benchmarks.arena --n 100 --families gan pixelcnn --save-samples runs/arena

One row per family: valid shapes (the classifier), valid and clean (the classifier and the pixels
alone), the smallest shape and colour shares, the Fréchet distance in the classifier's features
(each the mean over five seeds, the range in brackets; shared/witnesses.py), bits per dimension on
the 2,000 held-out images (exact where the family has a likelihood, the negative ELBO where it has a
bound, else why not), milliseconds per sample on this machine (the first seed's batch), parameters,
and training time and hardware as the family's card gives them. With --save-samples DIR, the first
seed's raw 32x32 samples are written as DIR/<family>/<k>.png.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from PIL import Image

from demos.arena_families import FAMILIES
from shared import witnesses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="samples per seed")
    parser.add_argument("--families", nargs="+", default=[f.key for f in FAMILIES], choices=[f.key for f in FAMILIES])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--save-samples", default="", help="write the first seed's raw samples here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from demos.pixelcnn.sampling import held_out_images

    held_out = held_out_images()
    print(f"## The arena ({args.n} samples per seed, seeds {', '.join(map(str, witnesses.SEEDS))}; "
          f"{args.threads} CPU threads)\n")
    print("| family | valid | valid and clean | smallest shape | smallest colour | Fréchet distance | bits per dimension "
          "(held out) | ms per sample | parameters | trained |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for family in (f for f in FAMILIES if f.key in args.families):
        seconds: list[float] = []

        def sample(seed: int, family=family, seconds=seconds):
            t0 = time.perf_counter()
            images = family.sample(args.n, seed)
            seconds.append(time.perf_counter() - t0)
            if args.save_samples and seed == witnesses.SEEDS[0]:
                folder = Path(args.save_samples) / family.key
                folder.mkdir(parents=True, exist_ok=True)
                for k, image in enumerate(images):
                    Image.fromarray(image).save(folder / f"{k}.png")
            return images

        table = witnesses.five_seed_table(sample)

        def cell(key: str, table=table) -> str:
            low, high = table.spread(key)
            if key == "fd":
                return f"{table.mean(key):.1f} ({low:.1f}-{high:.1f})"
            return f"{table.mean(key):.1%} ({low:.1%}-{high:.1%})"

        if family.bits is not None:
            bits = f"{float(family.bits(held_out).mean()):.3f} ({family.bits_kind})"
        else:
            bits = family.bits_kind
        ms = 1000 * min(seconds) / args.n  # the quickest seed: the first pays for loading the model
        print(f"| {family.name} | {cell('valid')} | {cell('valid_and_clean')} | {cell('min_shape')} | {cell('min_colour')} "
              f"| {cell('fd')} | {bits} | {ms:.1f} | {family.parameters() / 1e6:.2f} M | {family.trained} |", flush=True)
    if args.save_samples:
        print(f"\nThe first seed's samples are in {args.save_samples}/<family>/<k>.png")


if __name__ == "__main__":
    main()
