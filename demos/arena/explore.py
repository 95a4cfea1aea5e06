"""The Arena tab's logic, for both front ends: every image family of the suite (demos/arena_families.py)
on the same data, the same judge and the same bits per dimension.

    rows = stored_rows()                      # the full table: python -m benchmarks.arena --store ...
    for round in measure_now(n=16, seed=0):   # every family again, n samples, one seed, row by row
        show(round.rows, round.samples)

A live round is a pure function of (n, seed), so it is shared (shared/shared_stream.py): thirty
visitors pressing "Measure now" with the default measure it once and all watch the rows arrive.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from demos.arena import options
from shared import limits
from shared.shared_stream import SharedStreams


@dataclass(frozen=True)
class Row:
    """One family's line of the table."""

    key: str
    name: str
    figures: dict[str, float]  # shared.witnesses.MEASURES: the mean over the seeds
    ranges: dict[str, tuple[float, float]] | None  # the lowest and highest seed (the stored table); None live
    n: int  # samples per seed
    seeds: int
    bits: float | None  # bits per dimension on held-out images, where the family defines one
    bits_kind: str  # "exact", "bound", or why there is no figure
    bits_images: int  # held-out images the bits were averaged over
    ms_per_sample: float
    parameters: int
    trained: str
    machine: str


def stored_rows() -> list[Row]:
    """The full table (five seeds of 200 samples, 2,000 held-out images), as the benchmark stored it;
    [] if it was never stored."""
    from demos.arena_families import FAMILIES
    from shared.datasets import HELD_OUT_IMAGES

    if not options.STORED.exists():
        return []
    stored = json.loads(options.STORED.read_text())
    order = [f.key for f in FAMILIES]
    return [Row(key, r["name"], r["mean"], {k: tuple(v) for k, v in r["range"].items()}, r["n"], len(r["seeds"]),
                r["bits"], r["bits_kind"], HELD_OUT_IMAGES, r["ms_per_sample"], r["parameters"], r["trained"], r["machine"])
            for key, r in sorted(stored.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))]


@functools.cache
def _held_out() -> np.ndarray:
    """The first options.BITS_IMAGES held-out images (shared.datasets: never trained on)."""
    from shared.datasets import held_out_shapes

    return held_out_shapes()[:options.BITS_IMAGES]


def stored_samples() -> dict[str, np.ndarray]:
    """Each stored family's first samples of the full table's first seed, uint8 (k, 32, 32, 3)."""
    if not options.STORED_SAMPLES.exists():
        return {}
    with np.load(options.STORED_SAMPLES) as stored:
        return {key: stored[key] for key in stored.files}


def stored_round() -> Round:
    """The stored table as a finished round: its rows and their samples."""
    rows = stored_rows()
    samples = stored_samples()
    rows = [row for row in rows if row.key in samples]
    return Round(tuple(rows), tuple(samples[row.key][:options.SHOWN] for row in rows), tuple(r.name for r in rows),
                 rows[0].n if rows else 0, 0.0)


def measure_family(key: str, n: int, seed: int) -> tuple[Row, np.ndarray]:
    """One family measured live: n samples from `seed` judged by both witnesses, bits per dimension on
    the first options.BITS_IMAGES held-out images; the row and the samples, uint8 (n, 32, 32, 3)."""
    import torch

    from demos.arena_families import family
    from shared import witnesses

    f = family(key)
    parameters = f.parameters()  # loads the model, so the timing below is sampling alone
    t0 = time.perf_counter()
    images = f.sample(n, seed)
    ms = 1000 * (time.perf_counter() - t0) / n
    bits = float(f.bits(_held_out()).mean()) if f.bits is not None else None
    machine = f"{torch.get_num_threads()} CPU threads, this server"
    return Row(key, f.name, witnesses.witness(images), None, n, 1, bits, f.bits_kind, options.BITS_IMAGES, ms,
               parameters, f.trained, machine), images


@dataclass(frozen=True)
class Round:
    """A live measurement so far: the rows of the families measured, and their first samples."""

    rows: tuple[Row, ...]
    samples: tuple[np.ndarray, ...]  # uint8 (options.SHOWN, 32, 32, 3) per measured family
    names: tuple[str, ...]  # every family, in order
    n: int  # samples per family
    seconds: float

    @property
    def done(self) -> bool:
        return len(self.rows) == len(self.names)

    @property
    def measuring(self) -> str | None:
        """The family being measured now."""
        return None if self.done else self.names[len(self.rows)]


def _rounds(n: int, seed: int) -> Iterator[Round]:
    from demos.arena_families import FAMILIES

    names = tuple(f.name for f in FAMILIES)
    rows: tuple[Row, ...] = ()
    samples: tuple[np.ndarray, ...] = ()
    t0 = time.perf_counter()
    yield Round(rows, samples, names, n, 0.0)
    for f in FAMILIES:
        row, images = measure_family(f.key, n, seed)
        rows, samples = rows + (row,), samples + (images[:options.SHOWN],)
        yield Round(rows, samples, names, n, time.perf_counter() - t0)


_shared_rounds = SharedStreams(_rounds, keep=4, name="arena-rounds")


def measure_now(n: object, seed: object) -> Iterator[Round]:
    """Every family measured again on n samples from one seed, a row at a time; checked here first."""
    return _shared_rounds(options.SAMPLES.check(n), limits.SEED.check(seed))
