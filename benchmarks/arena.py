"""The arena: every image family of the suite on the same data, the same judge and the same bits
per dimension (demos/arena_families.py).

    python -m benchmarks.arena                               # every family, five seeds of 200 samples
    python -m benchmarks.arena --n 100 --families gan pixelcnn --save-samples runs/arena
    python -m benchmarks.arena --store demos/arena/stored-arena.json   # the table the Arena tab shows
    python -m benchmarks.arena --store demos/arena/stored-arena.json --families ddpm --bits-only

With --store FILE, each measured family's row is also written to FILE (JSON; rows of families not
measured this time are kept), the table the Arena tab shows beside its live "measure now".

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
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch

from demos.arena_families import FAMILIES
from shared import witnesses
from shared.image_files import save_raw_samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="samples per seed")
    parser.add_argument("--families", nargs="+", default=[f.key for f in FAMILIES], choices=[f.key for f in FAMILIES])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--save-samples", default="", help="write the first seed's raw samples here")
    parser.add_argument("--bits-only", action="store_true",
                        help="with --store: measure only the bits per dimension of the families and update their stored rows")
    parser.add_argument("--store", default="", help="also write the rows to this JSON file (the Arena tab's table)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from demos.pixelcnn.sampling import held_out_images

    held_out = held_out_images()
    if args.bits_only:
        update_bits(Path(args.store), [f for f in FAMILIES if f.key in args.families], held_out)
        return
    print(f"## The arena ({args.n} samples per seed, seeds {', '.join(map(str, witnesses.SEEDS))}; "
          f"{args.threads} CPU threads)\n")
    print("| family | valid | valid and clean | smallest shape | smallest colour | Fréchet distance | bits per dimension "
          "(held out) | ms per sample | parameters | trained |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for family in (f for f in FAMILIES if f.key in args.families):
        seconds: list[float] = []
        first_samples: list = []

        def sample(seed: int, family=family, seconds=seconds, first_samples=first_samples):
            t0 = time.perf_counter()
            images = family.sample(args.n, seed)
            seconds.append(time.perf_counter() - t0)
            first_samples.append(images)
            if args.save_samples and seed == witnesses.SEEDS[0]:
                save_raw_samples(Path(args.save_samples) / family.key, images)
            return images

        table = witnesses.five_seed_table(sample)

        def cell(key: str, table=table) -> str:
            low, high = table.spread(key)
            if key == "fd":
                return f"{table.mean(key):.1f} ({low:.1f}-{high:.1f})"
            return f"{table.mean(key):.1%} ({low:.1%}-{high:.1%})"

        bits_value = float(family.bits(held_out).mean()) if family.bits is not None else None
        bits = f"{bits_value:.3f} ({family.bits_kind})" if bits_value is not None else family.bits_kind
        ms = 1000 * min(seconds) / args.n  # the quickest seed: the first pays for loading the model
        if args.store:
            store(Path(args.store), family, table, bits_value, ms, args, first_samples[0])
        print(f"| {family.name} | {cell('valid')} | {cell('valid_and_clean')} | {cell('min_shape')} | {cell('min_colour')} "
              f"| {cell('fd')} | {bits} | {ms:.1f} | {family.parameters() / 1e6:.2f} M | {family.trained} |", flush=True)
    if args.save_samples:
        print(f"\nThe first seed's samples are in {args.save_samples}/<family>/<k>.png")


def store(path: Path, family, table: witnesses.SeedTable, bits: float | None, ms: float, args,
          images: np.ndarray) -> None:
    """Add (or replace) the family's row in the JSON table at `path`, keeping the other families' rows,
    and its first seed's first samples in the Arena tab's grid (options.STORED_SAMPLES beside it)."""
    from demos.arena.options import SHOWN

    grid = path.with_name(path.stem + "-samples.npz")
    kept = dict(np.load(grid)) if grid.exists() else {}
    kept[family.key] = images[:SHOWN]
    with open(grid.with_suffix(".tmp"), "wb") as f:
        np.savez_compressed(f, **kept)
    grid.with_suffix(".tmp").replace(grid)
    rows = json.loads(path.read_text()) if path.exists() else {}
    rows[family.key] = {
        "name": family.name, "n": table.n, "seeds": list(table.seeds),
        "mean": {key: table.mean(key) for key in witnesses.MEASURES},
        "range": {key: list(table.spread(key)) for key in witnesses.MEASURES},
        "bits": bits, "bits_kind": family.bits_kind, "ms_per_sample": ms, "parameters": family.parameters(),
        "trained": family.trained,
        "machine": f"{args.threads} CPU threads, {platform.machine()}, {time.strftime('%Y-%m-%d')}",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(rows, indent=1))
    tmp.replace(path)  # never half-written


def update_bits(path: Path, families: list, held_out: np.ndarray) -> None:
    """Re-measure the families' bits per dimension and write them into their stored rows (the rest kept)."""
    rows = json.loads(path.read_text())
    for family in families:
        bits = float(family.bits(held_out).mean()) if family.bits is not None else None
        rows[family.key].update(bits=bits, bits_kind=family.bits_kind)
        print(f"{family.name}: {bits if bits is None else f'{bits:.4f}'} ({family.bits_kind})")
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(rows, indent=1))
    tmp.replace(path)


if __name__ == "__main__":
    main()
