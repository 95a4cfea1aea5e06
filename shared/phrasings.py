"""The caption language: the many ways people say the labels of a `shapes` image.

`shared.datasets.caption` writes one sentence per image ("a small red circle at the top left"). People
type "red circle", "Draw a big crimson star in the upper right corner!", "circle" or "something
blue". This module writes such phrasings from labels, in two splits, so that generalisation is
measured rather than memorised:

- **train**: every order of size and colour before the noun, any non-empty subset of the four
  attributes (a missing shape becomes "shape", "thing" or "object"), colour or size after the noun
  ("a circle that is red", "a star in blue"), training synonyms ("big", "crimson", "disc"), fillers
  ("a picture of", "please draw"), articles or none, any letter case, with or without punctuation.
- **held_out** (templates): the same words in arrangements training never shows: the position
  first ("in the top left, a red circle"), size and colour both after the noun ("a circle that is
  small and red"), the article "the" and filler combinations ("please make a picture of").
- **held_out_words** (synonyms): training templates with synonyms no training phrasing contains
  ("scarlet", "giant", "lozenge"). A model trained here cannot know them; `read_prompt` maps them
  to the word they stand for, through SYNONYM_TABLE, and says so.

`known_words()` is the vocabulary of the train split: the words the bundled text models know.
`read_prompt(text)` tells which words of a text are outside it, the nearest known words, and what the
bundled model will read. Pure Python: no torch, no UI.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from shared.datasets import LABEL_NAMES, caption

Split = Literal["train", "held_out", "held_out_words"]
SPLITS: tuple[str, ...] = ("train", "held_out", "held_out_words")
ATTRIBUTES: tuple[str, ...] = tuple(LABEL_NAMES)  # shape, colour, size, position

# ---- words ---------------------------------------------------------------------------------------
# value -> words that name it; the first is the caption's own word. Training phrasings use these.
SHAPE_WORDS: dict[str, tuple[str, ...]] = {
    "circle": ("circle", "disc", "dot"),
    "square": ("square", "box", "block"),
    "triangle": ("triangle", "pyramid"),
    "diamond": ("diamond", "rhombus"),
    "star": ("star",),
    "cross": ("cross", "plus"),
}
COLOUR_WORDS: dict[str, tuple[str, ...]] = {
    "red": ("red", "crimson"),
    "orange": ("orange", "tangerine"),
    "yellow": ("yellow", "gold"),
    "green": ("green", "lime"),
    "blue": ("blue", "navy"),
    "purple": ("purple", "violet"),
}
SIZE_WORDS: dict[str, tuple[str, ...]] = {
    "small": ("small", "tiny", "little"),
    "large": ("large", "big", "huge"),
}
# a position is (vertical, horizontal) words; the centre has its own words
VERTICAL_WORDS: dict[str, tuple[str, ...]] = {"top": ("top", "upper"), "bottom": ("bottom",)}
HORIZONTAL_WORDS: dict[str, tuple[str, ...]] = {"left": ("left",), "right": ("right",)}
CENTRE_WORDS: tuple[str, ...] = ("center", "centre", "middle")

# Held-out synonyms: in no training phrasing, so not in the bundled vocabulary.
HELD_OUT_SHAPE_WORDS: dict[str, tuple[str, ...]] = {
    "circle": ("disk", "ball"), "square": ("tile",), "triangle": ("wedge",), "diamond": ("lozenge",),
    "star": ("pentagram",), "cross": (),
}
HELD_OUT_COLOUR_WORDS: dict[str, tuple[str, ...]] = {
    "red": ("scarlet", "ruby"), "orange": ("amber",), "yellow": ("golden", "lemon"), "green": ("emerald",),
    "blue": ("azure", "cobalt"), "purple": ("lilac", "lavender"),
}
HELD_OUT_SIZE_WORDS: dict[str, tuple[str, ...]] = {"small": ("mini", "petite"), "large": ("giant", "enormous")}
HELD_OUT_VERTICAL_WORDS: dict[str, tuple[str, ...]] = {"top": (), "bottom": ("lower",)}
HELD_OUT_CENTRE_WORDS: tuple[str, ...] = ("central",)

GENERIC_NOUNS: tuple[str, ...] = ("shape", "thing", "object")  # when the shape is not named
PREFIXES_TRAIN: tuple[str, ...] = ("", "", "", "", "a picture of", "an image of", "draw", "please draw", "make", "draw me")
PREFIXES_HELD_OUT: tuple[str, ...] = ("please make", "draw a picture of", "make me", "please draw me an image of")
ENDINGS: tuple[str, ...] = ("", "", "", ".", "!")
PUNCTUATION: tuple[str, ...] = (",", ".", "!", "-")
# other words training phrasings use (articles, prepositions, fillers)
FUNCTION_WORDS: tuple[str, ...] = ("a", "an", "one", "at", "the", "in", "on", "of", "that", "is", "and", "something",
                                   "corner", "picture", "image", "draw", "please", "make", "me")


def _values(table: Mapping[str, tuple[str, ...]]) -> list[str]:
    return [w for words in table.values() for w in words]


def _position_vocabulary(held_out: bool) -> list[str]:
    if held_out:
        return _values(HELD_OUT_VERTICAL_WORDS) + list(HELD_OUT_CENTRE_WORDS)
    return _values(VERTICAL_WORDS) + _values(HORIZONTAL_WORDS) + list(CENTRE_WORDS)


def word_groups() -> dict[str, list[str]]:
    """The words the bundled text models know, grouped: shapes, colours, sizes, positions, other."""
    return {
        "shapes": _values(SHAPE_WORDS),
        "colours": _values(COLOUR_WORDS),
        "sizes": _values(SIZE_WORDS),
        "positions": _position_vocabulary(False) + ["corner"],
        "other": [w for w in FUNCTION_WORDS if w != "corner"] + list(GENERIC_NOUNS),
    }


def known_words() -> list[str]:
    """Every word of the train split, in a fixed order (the bundled tokenizer's vocabulary)."""
    words: list[str] = []
    for group in word_groups().values():
        words += [w for w in group if w not in words]
    return words


# held-out or variant word -> the known word it stands for
SYNONYM_TABLE: dict[str, str] = {
    **{w: value for value, words in HELD_OUT_SHAPE_WORDS.items() for w in words},
    **{w: value for value, words in HELD_OUT_COLOUR_WORDS.items() for w in words},
    **{w: value for value, words in HELD_OUT_SIZE_WORDS.items() for w in words},
    **{w: value for value, words in HELD_OUT_VERTICAL_WORDS.items() for w in words},
    **{w: "center" for w in HELD_OUT_CENTRE_WORDS},
    # spellings and plurals people type
    "colour": "", "color": "", "circles": "circle", "squares": "square", "triangles": "triangle",
    "diamonds": "diamond", "stars": "star", "crosses": "cross", "grey": "", "gray": "",
    "centred": "center", "centered": "center",
}
SYNONYM_TABLE = {k: v for k, v in SYNONYM_TABLE.items() if v}  # "" marked words with no stand-in


# ---- writing phrasings ---------------------------------------------------------------------------


def _pick(rng: np.random.Generator, options: tuple[str, ...] | list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _words_for(split: Split, table: Mapping[str, tuple[str, ...]], held: Mapping[str, tuple[str, ...]], value: str,
               rng: np.random.Generator) -> str:
    if split == "held_out_words" and held.get(value):
        return _pick(rng, held[value])
    return _pick(rng, table[value])


def _position_phrase(position: str, split: Split, rng: np.random.Generator, *, bare_ok: bool = True) -> str:
    """'at the top left', 'in the upper right corner', 'in the middle', 'bottom-left' ..."""
    if position == "center":
        word = _pick(rng, HELD_OUT_CENTRE_WORDS) if split == "held_out_words" else _pick(rng, CENTRE_WORDS)
        forms = ["in the {w}", "at the {w}", "in the {w}"] + (["{w}"] if bare_ok else [])
        return _pick(rng, forms).format(w=word)
    v, h = position.split()
    vw = _words_for(split, VERTICAL_WORDS, HELD_OUT_VERTICAL_WORDS, v, rng)
    hw = _pick(rng, HORIZONTAL_WORDS[h])
    forms = ["at the {v} {h}", "in the {v} {h}", "in the {v} {h} corner", "at the {v} {h} corner", "on the {v} {h}"]
    if bare_ok:
        forms += ["{v} {h}", "{v}-{h}"]
    return _pick(rng, forms).format(v=vw, h=hw)


def _article(next_word: str, rng: np.random.Generator, split: Split) -> str:
    if split == "held_out" and rng.random() < 0.5:
        return "the"
    choice = _pick(rng, ("a", "a", "a", "one", ""))
    if choice == "a" and next_word[:1] in "aeiou":
        return "an"
    return choice


def phrase(labels: Mapping[str, str], rng: np.random.Generator, split: Split = "train") -> str:
    """One phrasing naming exactly the attributes in labels (any non-empty subset of shape, colour,
    size, position; values as in LABEL_NAMES), in the given split's forms."""
    if not labels or not set(labels) <= set(ATTRIBUTES):
        raise ValueError(f"labels must name some of {ATTRIBUTES}; got {dict(labels)}")
    shape, colour, size, position = (labels.get(a) for a in ATTRIBUTES)
    colour_w = _words_for(split, COLOUR_WORDS, HELD_OUT_COLOUR_WORDS, colour, rng) if colour else None
    size_w = _words_for(split, SIZE_WORDS, HELD_OUT_SIZE_WORDS, size, rng) if size else None
    shape_w = _words_for(split, SHAPE_WORDS, HELD_OUT_SHAPE_WORDS, shape, rng) if shape else None

    # bare words: "red", "circle", "big red", "top left"
    if split != "held_out" and len(labels) <= 2 and rng.random() < 0.3:
        parts = [w for w in (size_w, colour_w, shape_w) if w]
        if position:
            parts.append(_position_phrase(position, split, rng))
        return _case(" ".join(parts), rng)

    post: list[str] = []  # attributes said after the noun
    pre = [w for w in (size_w, colour_w) if w]
    held_out_form = 0  # held out: 0 a filler combination and article, 1 size and colour after the noun, 2 position first
    if split == "held_out":
        possible = [0] + ([1] if size_w and colour_w else []) + ([2] if position else [])
        held_out_form = _pick(rng, possible)
    if held_out_form == 1 and size_w and colour_w:  # both after the noun
        post, pre = [f"that is {size_w} and {colour_w}"], []
    elif len(pre) == 2 and rng.random() < 0.5:
        pre.reverse()  # colour before size
    if not post and pre and rng.random() < 0.2:  # one adjective after the noun
        moved = pre.pop(int(rng.integers(len(pre))))
        post.append(_pick(rng, ("that is {w}", "in {w}")).format(w=moved) if moved == colour_w else f"that is {moved}")
    if len(pre) == 2 and rng.random() < 0.15:
        pre = [f"{pre[0]} and {pre[1]}"]  # "a small and red circle"
    noun = shape_w or _pick(rng, GENERIC_NOUNS)
    if not shape_w and colour_w and not size_w and not position and rng.random() < 0.3:
        core = f"something {colour_w}"
    else:
        core = " ".join([*pre, noun, *post])
        article = _article(core, rng, split)
        core = f"{article} {core}".strip()
    prefix = _pick(rng, PREFIXES_HELD_OUT) if split == "held_out" and held_out_form == 0 else _pick(rng, PREFIXES_TRAIN)
    if split == "held_out" and held_out_form == 2 and position:  # the position first
        text = f"{_position_phrase(position, split, rng, bare_ok=False)}, {prefix} {core}"
    else:
        text = f"{prefix} {core}"
        if position:
            text += (", " if rng.random() < 0.15 else " ") + _position_phrase(position, split, rng)
    return _case(" ".join(text.split()) + _pick(rng, ENDINGS), rng)


def _case(text: str, rng: np.random.Generator) -> str:
    r = rng.random()
    if r < 0.7:
        return text
    if r < 0.85:
        return text[:1].upper() + text[1:]
    if r < 0.95:
        return text.title()
    return text.upper()


NAMED_SUBSETS: tuple[tuple[str, ...], ...] = tuple(
    tuple(a for k, a in enumerate(ATTRIBUTES) if mask >> k & 1) for mask in range(1, 16))


def random_named(rng: np.random.Generator, all_four: float = 0.3) -> tuple[str, ...]:
    """Which attributes a phrasing names: all four with probability all_four, else any non-empty subset."""
    if rng.random() < all_four:
        return ATTRIBUTES
    return NAMED_SUBSETS[int(rng.integers(len(NAMED_SUBSETS)))]


def describe(labels: Mapping[str, str], rng: np.random.Generator, split: Split = "train",
             named: Iterable[str] | None = None) -> tuple[str, tuple[str, ...]]:
    """A phrasing of an image's labels naming `named` (random subset when None); returns it and the named attributes."""
    named = tuple(named) if named is not None else random_named(rng)
    return phrase({a: labels[a] for a in named}, rng, split), named


# ---- reading what people type ---------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+|[^a-z0-9\s]")


@dataclass(frozen=True)
class UnknownWord:
    word: str
    nearest: tuple[str, ...]  # known words near it (synonym first, then by spelling)
    read_as: str | None  # the known word the model reads instead, or None: ignored

    def sentence(self) -> str:
        if self.read_as:
            return f"'{self.word}' is not a word this model knows: read as '{self.read_as}'."
        near = f" (nearest words it knows: {', '.join(repr(w) for w in self.nearest)})" if self.nearest else ""
        return f"'{self.word}' is not a word this model knows{near}: ignored."


@dataclass(frozen=True)
class Reading:
    """What a bundled text model reads of a text: `text` (lower case, unknown words dropped or
    replaced), the unknown words, and whether any known word is left."""

    original: str
    text: str
    unknown: tuple[UnknownWord, ...] = field(default_factory=tuple)

    @property
    def understood(self) -> bool:
        """Whether a word naming a shape, colour, size or position is left."""
        return bool(set(_TOKEN.findall(self.text)) & content_words())

    def notice(self, hub_hint: str = "") -> str | None:
        """The status sentence: each unknown word, or None when every word is known."""
        if not self.unknown:
            return None
        said = " ".join(u.sentence() for u in self.unknown)
        if not self.understood:
            said += (" None of its words names a shape, colour, size or position this model knows, so it reads "
                     "nothing" + (f"; {hub_hint}" if hub_hint else "."))
        return said


def content_words() -> frozenset[str]:
    """The known words that name a label: shapes, colours, sizes, positions."""
    groups = word_groups()
    return frozenset(w for g in ("shapes", "colours", "sizes", "positions") for w in groups[g] if w != "corner")


def nearest_known(word: str, known: Iterable[str], n: int = 3) -> tuple[str, ...]:
    """Known words close to `word`: its synonym-table word first, then by spelling (difflib's ratio)."""
    known = list(known)
    found = [SYNONYM_TABLE[word]] if word in SYNONYM_TABLE else []
    found += [w for w in difflib.get_close_matches(word, known, n=n, cutoff=0.6) if w not in found]
    return tuple(found[:n])


def read_prompt(text: str, known: Iterable[str] | None = None) -> Reading:
    """What the bundled model reads of `text`: known words and punctuation kept (lower case, as CLIP's
    tokenizer reads them); a word in SYNONYM_TABLE read as its known word; any other word ignored."""
    vocabulary = set(known if known is not None else known_words())
    kept: list[str] = []
    unknown: list[UnknownWord] = []
    for token in _TOKEN.findall(text.lower()):
        if token in vocabulary or token in PUNCTUATION:
            kept.append(token)
            continue
        stand_in = SYNONYM_TABLE.get(token)
        read_as = stand_in if stand_in in vocabulary else None
        if not any(u.word == token for u in unknown):
            unknown.append(UnknownWord(token, nearest_known(token, vocabulary) if token.isalpha() else (), read_as))
        if read_as:
            kept.append(read_as)
    words: list[str] = []
    for k, token in enumerate(kept):  # no punctuation first or twice; "a" / "an" fit the word read after them
        if token in PUNCTUATION and (not words or words[-1] in PUNCTUATION):
            continue
        if token in ("a", "an") and k + 1 < len(kept) and kept[k + 1] in content_words():
            token = "an" if kept[k + 1][0] in "aeiou" else "a"
        words.append(token)
    joined = re.sub(r" ([,.!])", r"\1", " ".join(words)).replace(" - ", "-")
    return Reading(text, joined, tuple(unknown))


def for_bundled(text: str) -> str:
    """The text a bundled model is given: as typed when every word is known, else read_prompt's
    reading ("" when no word naming a label is left)."""
    reading = read_prompt(text)
    if not reading.unknown:
        return text
    return reading.text if reading.understood else ""


KNOWN_WORDS_TITLE = "Words this model knows"


def known_words_markdown() -> str:
    """The 'words this model knows' panel of the Stable Diffusion and CLIP tabs and pages, in Markdown."""
    rows = "\n".join(f"| {group} | {', '.join(words)} |" for group, words in word_groups().items())
    stand_ins = ", ".join(f"{w} → {v}" for w, v in sorted(SYNONYM_TABLE.items()))
    return (f"The bundled model learned these words, in any order, any letter case, with or without articles "
            f"and punctuation (a Hub model reads any text):\n\n| group | words |\n|---|---|\n{rows}\n\n"
            f"Words it never learned but knows a stand-in for, read as that word (and the status says so): "
            f"{stand_ins}. Any other word is left out, and the status names it with the nearest words it knows.")


def batch_phrasings(labels: np.ndarray, rng: np.random.Generator, template_share: float = 0.25) -> tuple[list[str], np.ndarray]:
    """A training phrasing of each image's labels (B, 4) (label indices in LABEL_NAMES order): the
    caption template a template_share of the time, else shared.phrasings' train split naming a random
    subset. Returns the texts and which attributes each names, bool (B, 4)."""
    names = list(LABEL_NAMES.values())
    texts, named = [], np.zeros(labels.shape, bool)
    for i, row in enumerate(labels):
        values = {a: names[k][v] for k, (a, v) in enumerate(zip(LABEL_NAMES, row))}
        if rng.random() < template_share:
            texts.append(caption(**values))
            named[i] = True
            continue
        text, said = describe(values, rng, "train")
        texts.append(text)
        named[i] = [a in said for a in LABEL_NAMES]
    return texts, named
