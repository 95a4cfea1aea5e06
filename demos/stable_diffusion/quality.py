"""Does the picture show what the prompt says? Prompts in the caption template and in the caption
language's phrasings (shared/phrasings.py), read as the app reads them, and two witnesses:

- the bundled shapes classifier: every attribute the prompt names is read in the image;
- shared/pixel_check (no network): the object is one piece and, where named, its core colour, size
  and position are right (the shape itself only the classifier judges).

    prompts = prompt_set("held_out", "seen", n=200, seed=0)
    result = judge(images, prompts.labels, prompts.named)   # {"classifier": 0.97, "pixels": 0.96, ...}
No UI code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shared import phrasings
from shared.datasets import HELD_OUT_PAIRS, LABEL_NAMES, caption

KINDS: dict[str, str] = {
    "template": "the caption template ('a small red circle at the top left')",
    "train": "training phrasings (any subset, any order, synonyms and fillers seen in training)",
    "held_out": "held-out phrasings (templates never trained on, known words)",
    "held_out_words": "held-out synonyms ('scarlet', 'giant': words never trained on, read through the synonym table)",
}


@dataclass(frozen=True)
class PromptSet:
    prompts: list[str]  # as typed
    read: list[str]  # as the bundled model reads them (phrasings.for_bundled)
    labels: np.ndarray  # int (n, 4): the image's wanted labels in LABEL_NAMES order (unnamed ones arbitrary)
    named: np.ndarray  # bool (n, 4): which attributes the prompt names


def _pairs_pool(pairs: str) -> list[tuple[int, int]]:
    shapes, colours = LABEL_NAMES["shape"], LABEL_NAMES["colour"]
    return [(s, c) for s in range(len(shapes)) for c in range(len(colours))
            if ((shapes[s], colours[c]) in HELD_OUT_PAIRS) == (pairs == "unseen")]


def prompt_set(kind: str, pairs: str, n: int, seed: int) -> PromptSet:
    """n prompts of a kind (KINDS) over the seen or the unseen (shape, colour) pairs. Prompts over
    unseen pairs always name the shape and the colour (that is what makes the pair unseen)."""
    if kind not in KINDS or pairs not in ("seen", "unseen"):
        raise ValueError(f"kind must be one of {tuple(KINDS)} and pairs 'seen' or 'unseen'; got {kind!r}, {pairs!r}")
    rng = np.random.default_rng(seed)
    pool = _pairs_pool(pairs)
    names = list(LABEL_NAMES.values())
    prompts, labels, named = [], np.zeros((n, 4), int), np.zeros((n, 4), bool)
    for i in range(n):
        s, c = pool[int(rng.integers(len(pool)))]
        labels[i] = (s, c, rng.integers(len(names[2])), rng.integers(len(names[3])))
        values = {a: names[k][v] for k, (a, v) in enumerate(zip(LABEL_NAMES, labels[i]))}
        if kind == "template":
            prompts.append(caption(**values))
            named[i] = True
            continue
        said = phrasings.random_named(rng)
        if pairs == "unseen":
            said = tuple(a for a in LABEL_NAMES if a in said or a in ("shape", "colour"))
        elif not set(said) & {"shape", "colour"}:  # a prompt naming only size or position says little: name one more
            said = (*said, "shape")
        text, said = phrasings.describe(values, rng, kind, said)  # type: ignore[arg-type]
        prompts.append(text)
        named[i] = [a in said for a in LABEL_NAMES]
    return PromptSet(prompts, [phrasings.for_bundled(p) for p in prompts], labels, named)


def judge(images: np.ndarray, labels: np.ndarray, named: np.ndarray) -> dict[str, float]:
    """Share of images (uint8 (n, 32, 32, 3)) showing every named attribute, by the classifier and by
    the pixels (one piece; colour, size, position where named), and per attribute by the classifier."""
    from shared.metrics import _bundled_classifier
    from shared.pixel_check import pixel_check
    from shared.shapes_classifier import classify

    probs, _ = classify(_bundled_classifier(), images)
    hits = np.stack([probs[name].argmax(1) == labels[:, k] for k, name in enumerate(LABEL_NAMES)], 1)
    out = {"classifier": float((hits | ~named).all(1).mean()), "pixels": float(pixel_check(images).agrees(labels, named).mean())}
    for k, name in enumerate(LABEL_NAMES):
        if named[:, k].any():
            out[name] = float(hits[named[:, k], k].mean())
    return out


def measure(parts, kind: str, pairs: str, n: int, seed: int, steps: int = 30, guidance: float = 5.0) -> dict[str, float]:  # noqa: ANN001
    """Generate n images for prompt_set(kind, pairs, n, seed) (noise seed = seed) and judge them. The
    prompts are read as the app reads them for these parts: through phrasings.for_bundled when the
    parts know their words (the bundled pipeline), as typed otherwise (an earlier checkpoint, say)."""
    from demos.stable_diffusion.pipeline import generate

    prompts = prompt_set(kind, pairs, n, seed)
    texts = prompts.read if parts.known_words is not None else prompts.prompts
    images = generate(parts, texts, guidance=guidance, steps=steps, seed=seed)
    return judge(images, prompts.labels, prompts.named)


# Prompts written by hand with words the bundled model never learned: the text, the labels the known
# words (or their stand-ins) name, and the unknown words the notice must name.
UNKNOWN_WORD_PROMPTS: tuple[tuple[str, dict[str, str], tuple[str, ...]], ...] = (
    ("a scarlet circle", {"shape": "circle", "colour": "red"}, ("scarlet",)),
    ("an emerald star in the lower right", {"shape": "star", "colour": "green", "position": "bottom right"}, ("emerald", "lower")),
    ("a giant azure wedge", {"shape": "triangle", "colour": "blue", "size": "large"}, ("giant", "azure", "wedge")),
    ("a shiny red square", {"shape": "square", "colour": "red"}, ("shiny",)),
    ("a beautiful blue diamond, 4k, trending on artstation", {"shape": "diamond", "colour": "blue"},
     ("beautiful", "4k", "trending", "artstation")),
    ("a dragon made of yellow crosses", {"colour": "yellow", "shape": "cross"}, ("dragon", "made")),
    ("a purple hexagon", {"colour": "purple"}, ("hexagon",)),
    ("a lilac lozenge at the top left", {"shape": "diamond", "colour": "purple", "position": "top left"}, ("lilac", "lozenge")),
    ("an orange circel", {"colour": "orange"}, ("circel",)),
    ("mini golden pentagram", {"shape": "star", "colour": "yellow", "size": "small"}, ("mini", "golden", "pentagram")),
    ("a cat", {}, ("cat",)),
    ("an astronaut riding a horse on the moon", {}, ("astronaut", "riding", "horse", "moon")),
)


def unknown_word_report(notice_for) -> list[tuple[str, bool, str | None]]:  # noqa: ANN001 (prompt -> notice)
    """For each UNKNOWN_WORD_PROMPTS text: whether its notice names every unknown word, and the notice."""
    rows = []
    for text, _, unknown in UNKNOWN_WORD_PROMPTS:
        notice = notice_for(text)
        rows.append((text, bool(notice) and all(f"'{w}'" in notice for w in unknown), notice))
    return rows
