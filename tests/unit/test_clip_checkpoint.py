"""The bundled CLIP: it loads with transformers' own classes, fits its budget, and measures what its
model card says (re-measured, never read back), on seen and unseen (shape, colour) pairs."""

import re

import pytest

from demos.clip.model import BUNDLED_NAME
from shared.checkpoints import CHECKPOINTS_DIR

FOLDER = CHECKPOINTS_DIR / BUNDLED_NAME


def card_accuracy(label: str) -> tuple[float, float]:
    """(seen, unseen) of a row of the card's zero-shot table, as fractions."""
    match = re.search(rf"^\| {re.escape(label)} \| ([\d.]+)% \| ([\d.]+)% \|", (FOLDER / "README.md").read_text(), re.M)
    assert match, f"no '{label}' row in the model card"
    return float(match.group(1)) / 100, float(match.group(2)) / 100


@pytest.fixture(scope="module")
def clip():
    from transformers import CLIPModel, CLIPProcessor

    assert (FOLDER / "model.safetensors").stat().st_size <= 10 * 2**20
    assert not list(FOLDER.glob("*.bin"))
    CLIPProcessor.from_pretrained(FOLDER)  # the processor loads from the same folder
    return CLIPModel.from_pretrained(FOLDER).eval()


def test_zero_shot_is_what_the_card_says_and_meets_the_goals(clip):
    from demos.clip.train import evaluate

    result = evaluate(clip)
    for key, label in (("shape", "shape"), ("colour", "colour"), ("size", "size"), ("position", "position"),
                       ("shape_and_colour", "shape and colour"), ("caption", "the whole caption, 360-way")):
        seen, unseen = card_accuracy(label)
        assert result["seen"][key] == pytest.approx(seen, abs=0.0006)
        assert result["unseen"][key] == pytest.approx(unseen, abs=0.0006)
    seen = result["seen"]
    assert seen["shape"] >= 0.98 and seen["colour"] >= 0.98 and seen["size"] >= 0.95 and seen["position"] >= 0.95
    # issue 31's goal: 98% on unseen pairs, as the model trained on captions alone had (99.8%)
    assert seen["caption"] >= 0.98 and result["unseen"]["caption"] >= 0.98
    from demos.clip.quality import VARIANTS

    card = (FOLDER / "README.md").read_text()
    typed = result["typed"]
    for variant, label in VARIANTS.items():
        shape, colour = (float(x) / 100 for x in re.search(rf"^\| {re.escape(label)} \| ([\d.]+)% \| ([\d.]+)% \|$",
                                                           card, re.M).groups())
        assert typed[f"shape_{variant}"] == pytest.approx(shape, abs=0.0006), variant
        assert typed[f"colour_{variant}"] == pytest.approx(colour, abs=0.0006), variant
    # issue 31's goals for labels a person types: bare names, plain, on a light background, re-coloured
    assert typed["shape_plain"] >= 0.97 and typed["colour_plain"] >= 0.97
    assert typed["shape_light"] >= 0.90 and typed["colour_jittered"] >= 0.97
    assert typed["shape_jittered"] >= 0.95  # measured 96.3%: re-coloured, on a new background, tilted and scaled


def test_text_to_image_search_is_what_the_card_says(clip):
    from demos.clip.train import search_precision

    search = search_precision(clip)
    text = (FOLDER / "README.md").read_text()
    seen, unseen = (float(x) / 100 for x in re.search(r"every attribute the query names: ([\d.]+)% on seen pairs,\s+"
                                                      r"([\d.]+)% on queries", text).groups())
    assert search["seen"] == pytest.approx(seen, abs=0.0006) and search["unseen"] == pytest.approx(unseen, abs=0.0006)
    assert search["seen"] >= 0.90
