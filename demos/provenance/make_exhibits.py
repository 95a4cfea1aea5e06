"""Draw the Provenance tab's exhibits once, from the bundled models (deterministic: the same command
writes the same files):

- exhibits.npz: the quiz's pictures, held-out real ones (seed 4242, never trained on) and
  options.QUIZ_PER_FAMILY samples of every image family of the suite (seed QUIZ_SEED: not the
  detector's training seeds, nor its card's);
- stored-shares.json: bias in, bias out: each shape's and colour's share in the training data (its
  labels, and as the witnesses read it) and in options.SHARES_SAMPLES samples of every family.

    python -m demos.provenance.make_exhibits                     # both (about 10 min on 2 cores)
    python -m demos.provenance.make_exhibits --families gan,vae   # redo some families, keep the rest
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from demos.provenance import options
from demos.provenance.shares import label_shares, shares_of

QUIZ_SEED = 7
SHARES_SEED = 0
DATA_NAME = "Training data"


def quiz_real() -> np.ndarray:
    """The quiz's real pictures: as many as all the generated ones together."""
    from demos.arena_families import FAMILIES
    from shared.datasets import held_out_shapes

    return np.ascontiguousarray(held_out_shapes()[:options.QUIZ_PER_FAMILY * len(FAMILIES)])


def main(argv: list[str] | None = None) -> None:
    import torch

    from demos.arena_families import FAMILIES, family
    from shared.datasets import HELD_OUT_IMAGES, HELD_OUT_SEED, make_shapes

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", default="", help="comma-separated family keys (default: all)")
    parser.add_argument("--samples", type=int, default=options.SHARES_SAMPLES, help="samples per family for the shares")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    keys = [k for k in args.families.split(",") if k] or [f.key for f in FAMILIES]

    pictures = dict(np.load(options.EXHIBITS)) if options.EXHIBITS.exists() else {}
    shares = json.loads(options.SHARES.read_text()) if options.SHARES.exists() else {}
    pictures["real"] = quiz_real()
    data = make_shapes(HELD_OUT_IMAGES, HELD_OUT_SEED)
    shares["data"] = {"name": DATA_NAME, "n": len(data), "labels": label_shares(data.labels), **shares_of(data.images)}
    for key in keys:
        f = family(key)
        t0 = time.perf_counter()
        pictures[key] = f.sample(options.QUIZ_PER_FAMILY, QUIZ_SEED)
        samples = f.sample(args.samples, SHARES_SEED)
        shares[key] = {"name": f.name, "n": args.samples, "seed": SHARES_SEED, **shares_of(samples)}
        print(f"{f.name}: {time.perf_counter() - t0:.0f} s", flush=True)
    order = ["data"] + [f.key for f in FAMILIES]
    np.savez_compressed(options.EXHIBITS, **{k: pictures[k] for k in ["real"] + [f.key for f in FAMILIES] if k in pictures})
    options.SHARES.write_text(json.dumps({k: shares[k] for k in order if k in shares}, indent=1) + "\n")
    print(f"wrote {options.EXHIBITS} and {options.SHARES}")


if __name__ == "__main__":
    main()
