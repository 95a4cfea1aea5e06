"""Bias in, bias out, measured: the Provenance tab's small GAN (demos/provenance/skew.py) trained on
`shapes` pictures with a growing share of red, and how often its samples are red by each witness.

    python -m benchmarks.bias                                   # skews 1/6 to 0.9 x seeds 0-2, default steps (~9 min on 2 cores)
    python -m benchmarks.bias --steps 300 --seeds 0 --threads 1

The question: at amplification 1 the generator gives the skew back as the data held it; above 1 it
exaggerates it. Each figure is red's share among the samples the witness could give a colour to,
at the last round, and averaged over the rounds of the run's second half (a GAN's colours swing
from round to round); the mean and the range over the seeds, never the best seed.
"""

from __future__ import annotations

import argparse
import math
import statistics

SKEWS = (1 / 6, 0.3, 0.5, 0.7, 0.9)


def _cell(values: list[float], fmt: str) -> str:
    """'mean (low-high)' of the values that are numbers; n/a when none is."""
    numbers = [v for v in values if not math.isnan(v)]
    if not numbers:
        return "n/a"
    return f"{statistics.fmean(numbers):{fmt}} ({min(numbers):{fmt}}-{max(numbers):{fmt}})"


def main(argv: list[str] | None = None) -> None:
    import torch

    from demos.provenance import options, skew

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=options.DEFAULTS.skew_steps)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=2, help="torch's CPU threads (the Space has 2 cores)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    rows = []
    for share in SKEWS:
        last = [list(skew.run_skewed(share, args.steps, seed))[-1] for seed in args.seeds]
        rows.append(last)
        print(f"skew {share:.3f}: {[round(r.seconds, 1) for r in last]} s", flush=True)

    seeds = ", ".join(map(str, args.seeds))
    print(f"\n## Bias in, bias out: {args.steps} steps, seeds {seeds}, {args.threads} CPU threads\n")
    print(f"Red among the judged samples ({skew.EVAL_SAMPLES} of fixed noise per run): mean (range over the seeds). "
          "Late: averaged over the rounds of the second half.\n")
    print("| red in the data | red, classifier | red, pixels | amplification, classifier | amplification, pixels "
          "| late amplification, classifier | late amplification, pixels | judged, classifier | judged, pixels "
          "| seconds per run |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for last in rows:
        cells = [_cell([r.red_share(w) for r in last], ".1%") for w in ("classifier", "pixels")]
        cells += [_cell([r.amplification(w) for r in last], ".2f") for w in ("classifier", "pixels")]
        cells += [_cell([r.late_amplification(w) for r in last], ".2f") for w in ("classifier", "pixels")]
        cells += [_cell([r.judged(w) for r in last], ".0%") for w in ("classifier", "pixels")]
        data_red = last[0].data_shares[skew.RED]
        print(f"| {data_red:.1%} | {' | '.join(cells)} | {statistics.fmean(r.seconds for r in last):.1f} |")


if __name__ == "__main__":
    main()
