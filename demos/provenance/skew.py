"""Bias in, bias out, live: a small GAN trained on `shapes` pictures where red is over-represented,
and two witnesses that count how often its samples are red.

    images, colours = skewed_set(0.5, 2000, seed=0)       # exactly half red, the rest equal among five
    for round in train_skewed(0.5, 600, seed=0):          # a Round at step 0, every 50 steps, and the last
        show(round.samples, round.classifier_shares, round.amplification("classifier"))

The question it answers: does a generator give back the data's skew as it found it (amplification 1),
or exaggerate it (above 1: red drawn more often than the data holds)? Each witness counts only the
samples it can judge:
- **classifier**: the colour head of the bundled shapes classifier, counted where its top colour has
  probability >= shared.metrics.CONFIDENCE (0.9); a sample below that counts for no colour. The colour
  alone, not "a valid shape": after a few hundred steps the GAN draws coloured blobs, not shapes, and
  the question is about colour.
- **pixels**: shared.pixel_check's core colour, counted where it lies within its distance of a palette
  colour (`colour >= 0`), whether or not the object is in one piece.
A Round's shares are of all the samples, so they sum to the share each witness could judge (at most
1); the amplification is measured among the judged samples only: (red / judged) / the data's red share.

A run is a pure function of (skew, steps, seed), so it is shared (shared/shared_stream.py): thirty
visitors pressing Train with the same settings train it once and all watch the same rounds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

from demos.provenance import options
from shared import limits
from shared.datasets import COLOURS, LABEL_NAMES, POSITIONS, SHAPES, SIZES, render_shape
from shared.shared_stream import SharedStreams

RED = list(COLOURS).index("red")
TRAIN_SIZE = 2_000  # pictures in the skewed training set
BATCH = 64
EVAL_SAMPLES = 512  # samples of fixed noise each Round is measured on
EVAL_EVERY = 50  # steps between Rounds
SHOWN = 16  # samples a Round carries for the grid
WIDTH = 16  # the GAN's channels (model.SkewGAN): 24 took 46 s for the default 600 steps on 2 cores
# Adam's learning rates: at 5e-4 the generator's colours swung all at once from round to round (every
# sample red, then every one purple); at 2e-4 each round holds most colours and their shares settle
LR_G, LR_D = 2e-4, 2e-4
FEATURE_MATCHING = 0.1  # weight of the generator's feature-matching term (model.g_loss)
Witness = Literal["classifier", "pixels"]


def colour_counts(skew: float, n: int) -> np.ndarray:
    """int (6,): round(skew * n) red pictures, the other n - red split equally among the five other
    colours (the first ones in COLOURS get one more where it does not divide)."""
    red = round(skew * n)
    rest, extra = divmod(n - red, len(COLOURS) - 1)
    others = [rest + (k < extra) for k in range(len(COLOURS) - 1)]
    return np.array(others[:RED] + [red] + others[RED:], dtype=np.int64)


def skewed_set(skew: float, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n `shapes` pictures with colour_counts(skew, n) of each colour, in a random order; shape, size,
    position and jitter drawn as shared.datasets.make_shapes draws them. Returns uint8 (n, 32, 32, 3)
    and each picture's colour, int64 (n,) index into COLOURS."""
    skew = options.SKEW.check(skew)
    n = limits.DATASET_SIZE.check(n)
    rng = np.random.default_rng(limits.SEED.check(seed))
    colour = rng.permutation(np.repeat(np.arange(len(COLOURS)), colour_counts(skew, n)))
    shape, size, position = (rng.integers(0, len(names), size=n) for names in (SHAPES, SIZES, POSITIONS))
    # make_shapes' jitter: small enough that every label stays exact
    jitter = np.stack([rng.uniform(-1.0, 1.0, n), rng.uniform(-1.0, 1.0, n), rng.uniform(-0.5, 0.5, n),
                       rng.uniform(-math.radians(12), math.radians(12), n)], axis=1)
    images = np.empty((n, 32, 32, 3), dtype=np.uint8)
    for i in range(n):
        labels = (LABEL_NAMES[name][k[i]] for name, k in (("shape", shape), ("colour", colour), ("size", size), ("position", position)))
        images[i] = render_shape(*labels, jitter=tuple(jitter[i]))
    return images, colour


def colour_shares(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each colour's share of the pictures, uint8 (n, 32, 32, 3), by the two witnesses (see the module's
    doc): (classifier, pixels), float (6,) each in COLOURS order; each sums to the share it judged."""
    from shared.witnesses import read

    n = len(images)
    seen = read(images)
    classifier = np.bincount(seen.colour[seen.colour_sure], minlength=len(COLOURS)) / n
    found = seen.pixels.colour
    pixels = np.bincount(found[found >= 0], minlength=len(COLOURS)) / n
    return classifier.astype(np.float64), pixels.astype(np.float64)


def _red_among_judged(shares: np.ndarray) -> float:
    judged = shares.sum()
    return float(shares[RED] / judged) if judged > 0 else math.nan


@dataclass(frozen=True, eq=False)  # eq=False: arrays have no single truth value
class Round:
    """A run of train_skewed at one step: the data's shares, the samples' shares by each witness."""

    step: int
    steps: int
    skew: float
    data_shares: np.ndarray  # float (6,), COLOURS order: the training set's, exact
    classifier_shares: np.ndarray  # float (6,): share of the EVAL_SAMPLES samples the classifier calls each colour
    pixel_shares: np.ndarray  # float (6,): share whose core colour the pixel check finds to be each colour
    samples: np.ndarray  # uint8 (SHOWN, 32, 32, 3): the first samples of the fixed noise
    seconds: float  # since the run started (making the data included)
    history: np.ndarray  # float (rounds so far, 3): step, red_share("classifier"), red_share("pixels"); this one last

    @property
    def done(self) -> bool:
        return self.step == self.steps

    def shares(self, witness: Witness) -> np.ndarray:
        return self.classifier_shares if witness == "classifier" else self.pixel_shares

    def judged(self, witness: Witness) -> float:
        """The share of the samples that the witness could give a colour to."""
        return float(self.shares(witness).sum())

    def red_share(self, witness: Witness) -> float:
        """Red's share among the samples the witness judged; nan when it judged none."""
        return _red_among_judged(self.shares(witness))

    def amplification(self, witness: Witness) -> float:
        """red_share / the data's red share: 1 gives the skew back as it was, above 1 exaggerates it."""
        return self.red_share(witness) / float(self.data_shares[RED])

    def late_amplification(self, witness: Witness) -> float:
        """The amplification averaged over the rounds of the second half of the run so far (step >= this
        step / 2, step 0 left out): a GAN's colours swing from round to round, and one round can catch a
        swing. nan before the first trained round."""
        steps, red = self.history[:, 0], self.history[:, 1 if witness == "classifier" else 2]
        late = red[(steps > 0) & (steps >= self.step / 2) & ~np.isnan(red)]
        return float(late.mean() / self.data_shares[RED]) if len(late) else math.nan


def run_skewed(skew: object, steps: object, seed: object) -> Iterator[Round]:
    """One run, not shared (a benchmark's, a test's): a GAN trained on skewed_set(skew, TRAIN_SIZE, seed)
    for `steps` steps; a Round at step 0, every EVAL_EVERY steps and at the last. The inputs are
    checked before any work."""
    skew, steps, seed = options.SKEW.check(skew), options.SKEW_STEPS.check(steps), limits.SEED.check(seed)
    return _rounds(skew, steps, seed)


def _rounds(skew: float, steps: int, seed: int) -> Iterator[Round]:
    import torch

    from demos.provenance.model import SkewGAN, d_loss, g_loss
    from shared.metrics import tensor_to_images
    from shared.seeding import seeded_global_rng
    from shared.shapes_classifier import to_tensor

    t0 = time.perf_counter()
    images, colours = skewed_set(skew, TRAIN_SIZE, seed)
    data_shares = np.bincount(colours, minlength=len(COLOURS)) / len(colours)
    # contiguous: to_tensor's permuted (channels-last) layout makes every batch train ~10x slower on CPU
    data = to_tensor(images).contiguous()
    with seeded_global_rng(seed):
        gan = SkewGAN(width=WIDTH)
    g, d = gan.generator, gan.discriminator
    opt_g = torch.optim.Adam(g.parameters(), lr=LR_G, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=LR_D, betas=(0.5, 0.999))
    gen = torch.Generator().manual_seed(seed)
    # the evaluation's noise from a stream no training seed uses (seeds stop at 2**32 - 1)
    noise = torch.randn(EVAL_SAMPLES, gan.z_dim, generator=torch.Generator().manual_seed(seed + 2**32))

    history: list[tuple[float, float, float]] = []

    def measured(step: int) -> Round:
        with torch.inference_mode():
            samples = tensor_to_images(g(noise))
        classifier, pixels = colour_shares(samples)
        history.append((step, _red_among_judged(classifier), _red_among_judged(pixels)))
        return Round(step, steps, skew, data_shares, classifier, pixels, samples[:SHOWN], time.perf_counter() - t0,
                     np.array(history))

    yield measured(0)
    for step in range(1, steps + 1):
        real = data[torch.randint(len(data), (BATCH,), generator=gen)]
        fake = g(torch.randn(BATCH, gan.z_dim, generator=gen))
        # real and fake in one pass: spectral norm keeps no batch statistics, so it is the same as two
        logits = d(torch.cat([real, fake.detach()]))
        loss_d = d_loss(logits[:BATCH], logits[BATCH:])
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        features = d.features(torch.cat([real, fake]))
        loss_g = g_loss(d.head(features[BATCH:]).squeeze(1), features[:BATCH], features[BATCH:], FEATURE_MATCHING)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()  # also leaves gradients on D, cleared before D's next step
        opt_g.step()
        if step % EVAL_EVERY == 0 or step == steps:
            yield measured(step)


_shared_runs = SharedStreams(_rounds, keep=4, name="skew-runs")


def train_skewed(skew: object, steps: object, seed: object) -> Iterator[Round]:
    """run_skewed, shared: the same (skew, steps, seed) trains once for every caller, at the same time or
    later (the last few runs are kept). The inputs are checked here, before any work."""
    return _shared_runs(options.SKEW.check(skew), options.SKEW_STEPS.check(steps), limits.SEED.check(seed))
