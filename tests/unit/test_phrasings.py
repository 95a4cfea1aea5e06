"""The caption language (shared/phrasings.py): what each split says, that the held-out split is
never said in training, and what the bundled models are told about words they do not know."""

import re

import numpy as np
import pytest

from shared import phrasings
from shared.datasets import LABEL_NAMES, make_shapes

WORD = re.compile(r"[a-z0-9]+")


def sample(split: str, n: int = 3000, seed: int = 0) -> list[tuple[str, dict[str, str], tuple[str, ...]]]:
    rng = np.random.default_rng(seed)
    data = make_shapes(n, seed)
    out = []
    for i in range(n):
        labels = data.label(i)
        text, named = phrasings.describe(labels, rng, split)
        out.append((text, labels, named))
    return out


@pytest.mark.parametrize("split", ["train", "held_out"])
def test_training_and_held_out_template_phrasings_use_only_known_words(split):
    known = set(phrasings.known_words())
    used = {w for text, _, _ in sample(split) for w in WORD.findall(text.lower())}
    assert used <= known
    if split == "train":
        assert used == known  # every known word is trained on


def test_held_out_synonyms_are_never_in_training_and_each_has_a_stand_in():
    known = set(phrasings.known_words())
    unknown = {w for text, _, _ in sample("held_out_words") for w in WORD.findall(text.lower())} - known
    assert unknown and unknown <= set(phrasings.SYNONYM_TABLE)
    assert {"scarlet", "giant", "lozenge", "lower", "central"} <= unknown
    assert all(phrasings.SYNONYM_TABLE[w] in known for w in unknown)


def test_no_held_out_phrasing_is_ever_a_training_phrasing():
    def norm(text: str) -> str:
        return " ".join(WORD.findall(text.lower()))

    train = {norm(t) for t, _, _ in sample("train", 6000, 1)}
    held = [norm(t) for t, _, _ in sample("held_out", 3000, 2)]
    assert not train & set(held)
    assert len(set(held)) > 1000  # and there are many of them


@pytest.mark.parametrize("split", phrasings.SPLITS)
def test_a_phrasing_names_exactly_its_attributes(split):
    colour_words = {v: set(phrasings.COLOUR_WORDS[v]) | set(phrasings.HELD_OUT_COLOUR_WORDS[v]) for v in LABEL_NAMES["colour"]}
    shape_words = {v: set(phrasings.SHAPE_WORDS[v]) | set(phrasings.HELD_OUT_SHAPE_WORDS[v]) for v in LABEL_NAMES["shape"]}
    for text, labels, named in sample(split, 1500, 3):
        words = set(WORD.findall(text.lower()))
        for attribute, table in (("colour", colour_words), ("shape", shape_words)):
            said = {value for value, ws in table.items() if words & ws}
            assert said == ({labels[attribute]} if attribute in named else set()), (text, named)


def test_every_subset_of_attributes_is_said():
    subsets = {named for _, _, named in sample("train", 3000, 4)}
    assert len(subsets) == 15


def test_a_known_prompt_is_read_as_typed_and_gets_no_notice():
    reading = phrasings.read_prompt("Draw a BIG crimson star, top-left!")
    assert reading.unknown == () and reading.notice() is None and reading.understood
    assert phrasings.for_bundled("Draw a BIG crimson star, top-left!") == "Draw a BIG crimson star, top-left!"


def test_unknown_words_are_named_with_the_nearest_known_words_and_synonyms_read_as_their_word():
    reading = phrasings.read_prompt("A shiny scarlet circel in the lower left")
    assert reading.text == "a red in the bottom left"
    assert reading.notice() == (
        "'shiny' is not a word this model knows (nearest words it knows: 'tiny', 'thing'): ignored. "
        "'scarlet' is not a word this model knows: read as 'red'. "
        "'circel' is not a word this model knows (nearest words it knows: 'circle'): ignored. "
        "'lower' is not a word this model knows: read as 'bottom'.")


def test_a_prompt_with_no_known_label_word_says_so_and_reads_nothing():
    reading = phrasings.read_prompt("an astronaut riding a horse")
    assert not reading.understood and phrasings.for_bundled("an astronaut riding a horse") == ""
    assert reading.notice("try the Hub.") == (
        "'astronaut' is not a word this model knows: ignored. 'riding' is not a word this model knows: ignored. "
        "'horse' is not a word this model knows: ignored. None of its words names a shape, colour, size or "
        "position this model knows, so it reads nothing; try the Hub.")


def test_the_known_words_panel_lists_every_group():
    text = phrasings.known_words_markdown()
    for group, words in phrasings.word_groups().items():
        assert f"| {group} | {', '.join(words)} |" in text
    assert "scarlet → red" in text


def test_the_readme_lists_the_words_the_bundled_models_know():
    from shared.checkpoints import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text()
    for group, words in phrasings.word_groups().items():
        assert f"| {group} | {', '.join(words)} |" in readme, group
