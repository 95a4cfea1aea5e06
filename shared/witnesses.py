"""What an unconditional generator's samples look like to two witnesses, over several seeds: the
shapes classifier (shared/metrics.py) and the pixels alone (shared/pixel_check.py), reported as the
mean and the range over the seeds, never the best seed.

    table = five_seed_table(lambda seed: sample_images(seed, n=1000))   # uint8 (n, 32, 32, 3) per seed
    table.markdown()        # the rows a model card and a benchmark print
    table.per_seed[0]       # the first seed's figures: what a checkpoint test re-measures

Per seed:
- **valid (classifier)**: recognised as a shape with confidence >= 0.9;
- **clean (pixels)**: one connected object whose core colour lies within COLOUR_DISTANCE of a
  palette colour, so a blend of two colours, a blur or two blobs fails it;
- **valid and clean**: both at once, the share a viewer would call a clean shape;
- **smallest shape share** and **smallest colour share** among the valid samples (of all n);
- **Fréchet distance** to real data in the classifier's features.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEEDS = (0, 1, 2, 3, 4)
MEASURES = {  # key: the row's label in a card
    "valid": "valid shape (classifier)",
    "clean": "one clean object in a palette colour (pixels)",
    "valid_and_clean": "both",
    "min_shape": "smallest shape share",
    "min_colour": "smallest colour share",
    "fd": "Fréchet distance (classifier features)",
}


@dataclass(frozen=True)
class Reading:
    """What both witnesses read in each of n pictures."""

    shape: np.ndarray  # int (n,): the classifier's shape, an index into HEAD_CLASSES["shape"] (NOT_A_SHAPE last)
    valid: np.ndarray  # bool (n,): recognised as one of the shapes with confidence >= CONFIDENCE
    colour: np.ndarray  # int (n,): the classifier's colour, an index into HEAD_CLASSES["colour"]
    colour_sure: np.ndarray  # bool (n,): that colour's probability >= CONFIDENCE
    features: np.ndarray  # float64 (n, n_features): the classifier's, for the Fréchet distance
    pixels: object  # shared.pixel_check.PixelCheck

    @property
    def clean(self) -> np.ndarray:
        """bool (n,): one connected object whose core colour is within the palette's distance."""
        return self.pixels.one_piece & (self.pixels.colour >= 0)


def read(images: np.ndarray) -> Reading:
    """Both witnesses on uint8 (n, 32, 32, 3) pictures: the bundled classifier and the pixels alone."""
    from shared.metrics import CONFIDENCE, _bundled_classifier
    from shared.pixel_check import pixel_check
    from shared.shapes_classifier import HEAD_CLASSES, NOT_A_SHAPE, classify

    probs, feats = classify(_bundled_classifier(), images)
    shape = probs["shape"].argmax(1)
    valid = (probs["shape"].max(1) >= CONFIDENCE) & (shape != HEAD_CLASSES["shape"].index(NOT_A_SHAPE))
    return Reading(shape, valid, probs["colour"].argmax(1), probs["colour"].max(1) >= CONFIDENCE, feats, pixel_check(images))


def witness(images: np.ndarray) -> dict[str, float]:
    """The figures of one seed's samples, uint8 (n, 32, 32, 3)."""
    from shared.metrics import _bundled_classifier, frechet_distance, reference_features
    from shared.shapes_classifier import HEAD_CLASSES, NOT_A_SHAPE

    seen = read(images)
    names = HEAD_CLASSES["shape"]
    valid, shape, colour, clean = seen.valid, seen.shape, seen.colour, seen.clean
    n = len(images)
    return {
        "valid": float(valid.mean()), "clean": float(clean.mean()), "valid_and_clean": float((valid & clean).mean()),
        "min_shape": min(float((valid & (shape == i)).sum() / n) for i, s in enumerate(names) if s != NOT_A_SHAPE),
        "min_colour": min(float((valid & (colour == i)).sum() / n) for i in range(len(HEAD_CLASSES["colour"]))),
        "fd": frechet_distance(seen.features, reference_features(_bundled_classifier())),
    }


@dataclass(frozen=True)
class SeedTable:
    seeds: tuple[int, ...]
    per_seed: list[dict[str, float]]
    n: int  # samples per seed

    def mean(self, key: str) -> float:
        return float(np.mean([row[key] for row in self.per_seed]))

    def spread(self, key: str) -> tuple[float, float]:
        values = [row[key] for row in self.per_seed]
        return min(values), max(values)

    def markdown(self) -> str:
        seeds = ", ".join(map(str, self.seeds))
        lines = [f"| measure ({self.n:,} samples per seed; seeds {seeds}) | mean | range | first seed |", "|---|---|---|---|"]
        for key, label in MEASURES.items():
            fmt = (lambda v: f"{v:.1f}") if key == "fd" else (lambda v: f"{v:.1%}")
            low, high = self.spread(key)
            lines.append(f"| {label} | {fmt(self.mean(key))} | {fmt(low)}-{fmt(high)} | {fmt(self.per_seed[0][key])} |")
        return "\n".join(lines)


def five_seed_table(sample: Callable[[int], np.ndarray], seeds: Sequence[int] = SEEDS) -> SeedTable:
    """Each seed's samples judged by both witnesses."""
    rows, n = [], 0
    for seed in seeds:
        images = sample(seed)
        n = len(images)
        rows.append(witness(images))
    return SeedTable(tuple(seeds), rows, n)


CARD_START, CARD_END = "<!-- two witnesses, five seeds -->", "<!-- /two witnesses, five seeds -->"


def card_section(table: SeedTable, how: str) -> str:
    """The model card's section: `how` says how the samples were drawn and the command that remeasures."""
    return (f"{CARD_START}\n## Two witnesses, five seeds\n{how}\n\n{table.markdown()}\n\n"
            "*Valid* is the classifier's verdict; *clean* is judged by the pixels alone (one connected object "
            "whose core colour is within a fixed distance of a palette colour: `shared/pixel_check.py`), so "
            "a blend of two colours that the classifier snaps to the nearer one is valid but not clean.\n"
            f"{CARD_END}")


def write_card_section(card: str, section: str) -> str:
    """The card with its two-witness section replaced (or added before '## Use', else at the end)."""
    if CARD_START in card:
        start, end = card.index(CARD_START), card.index(CARD_END) + len(CARD_END)
        return card[:start] + section + card[end:]
    at = card.find("\n## Use")
    return card + "\n" + section + "\n" if at < 0 else card[:at] + "\n" + section + "\n" + card[at:]


def card_row(card: str, key: str) -> tuple[float, float, float, float]:
    """(mean, low, high, first seed) of a measure as the card's section prints it (shares as fractions)."""
    import re

    section = card[card.index(CARD_START):card.index(CARD_END)]
    line = next(row for row in section.splitlines() if row.startswith(f"| {MEASURES[key]} |"))
    numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", line.split("|", 2)[2])]  # no signs: all are >= 0
    scale = 1.0 if key == "fd" else 0.01
    mean, low, high, first = numbers
    return mean * scale, low * scale, high * scale, first * scale


def measure_card(out: Path, sample: Callable[[int], np.ndarray], seeds: Sequence[int], what: str, module: str,
                 remeasure: str = "--measure-only 1") -> str:
    """Judge sample(seed) for each seed, write the table into out/README.md's section (`what` names
    the samples of one seed; `python -m module <remeasure> --out <out>` remeasures), and return it."""
    from shared.checkpoints import REPO_ROOT

    table = five_seed_table(sample, seeds)
    shown = out.resolve().relative_to(REPO_ROOT) if out.resolve().is_relative_to(REPO_ROOT) else out
    how = (f"{what} for each of five seeds ({', '.join(map(str, seeds))}). "
           f"Remeasure: `python -m {module} {remeasure} --out {shown}`.")
    card = out / "README.md"
    card.write_text(write_card_section(card.read_text(), card_section(table, how)))
    return table.markdown()


# ---- samples told what to draw (shared/told.py): how often each is drawn as told ----


def told_figures(images: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Of samples told `labels` (n, 4): the share the classifier reads as a valid shape with every
    head as told, and each head's share read as told."""
    from shared.metrics import _bundled_classifier
    from shared.shapes_classifier import classify
    from shared.told import LABEL_HEADS

    probs, _ = classify(_bundled_classifier(), images)
    right = {head: probs[head].argmax(1) == labels[:, k] for k, head in enumerate(LABEL_HEADS)}
    valid = read(images).valid
    return {"valid, all four as told": float((valid & np.all(list(right.values()), 0)).mean()),
            **{f"{head} as told": float(r.mean()) for head, r in right.items()}}


def told_table(rows: list[dict[str, float]], seeds: tuple[int, ...]) -> str:
    """The mean and range over the seeds of told_figures, a markdown table."""
    lines = [f"| drawn as told, by the classifier (seeds {', '.join(map(str, seeds))}) | mean | range |", "|---|---|---|"]
    for key in rows[0]:
        values = [row[key] for row in rows]
        lines.append(f"| {key} | {np.mean(values):.1%} | {min(values):.1%}-{max(values):.1%} |")
    return "\n".join(lines)


TOLD_START, TOLD_END = "<!-- drawn as told -->", "<!-- /drawn as told -->"


def write_told_section(card_path: Path, table: str) -> None:
    """The told table into a card, replacing its own section, else at the end of the two witnesses'."""
    section, card = f"{TOLD_START}\n{table}\n{TOLD_END}", card_path.read_text()
    if TOLD_START in card:
        card = card[:card.index(TOLD_START)] + section + card[card.index(TOLD_END) + len(TOLD_END):]
    else:
        end = card.index(CARD_END)
        card = card[:end] + section + "\n" + card[end:]
    card_path.write_text(card)
