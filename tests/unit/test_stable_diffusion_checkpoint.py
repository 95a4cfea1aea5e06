"""The bundled Stable Diffusion pipeline, re-measured against its model card: the autoencoder's
reconstructions, and text to image at the default guidance and without guidance, on seen and on
held-out (shape, colour) pairs, and the first seed of its two-witness section. Also the issue's goals.

The card's figures come from 100 images per split (its phrasing table from 50 and 100, the
autoencoder's from 2,000); measuring all of them again took 150 worker-seconds of the suite. Each
test here measures the first half of the card's own prompts (the first quarter of the autoencoder's
images), pins what that gives (a batch's noise depends on its size, so these are not the card's
images), and checks it is within sampling noise of the card's figure; but the seen prompts at the default
guidance are the card's own 100 images, the first seed of its two-witness section. `python -m
demos.stable_diffusion.train --stage measure` re-measures the whole card."""

import math
import re

import pytest

from shared.checkpoints import CHECKPOINTS_DIR

FOLDER = CHECKPOINTS_DIR / "sd-shapes"

ROWS = {"all": "shape, colour, size and position all as prompted", "shape_and_colour": "shape and colour", "shape": "shape",
        "colour": "colour", "size": "size", "position": "position"}


def card_tables() -> dict[str, dict[str, tuple[float, float]]]:
    """{'seen': {key: (guided, plain)}, 'unseen': ...} from the card's two text-to-image tables."""
    card = (FOLDER / "README.md").read_text()
    seen, unseen = card.split("**Text to image**")[1].split("On ", 1)
    out = {}
    for split, text in (("seen", seen), ("unseen", unseen.split("### During training")[0])):
        out[split] = {key: tuple(float(v) / 100 for v in re.search(rf"^\| {re.escape(label)} \| ([\d.]+)% \| ([\d.]+)% \|$",
                                                                    text, re.M).groups())
                      for key, label in ROWS.items()}
    return out


# measured on the first half of the card's prompts (tests/unit/test_stable_diffusion_checkpoint.py's
# own measurement, 2026-12-05); exact for a deterministic pipeline, one image of slack for numerics
PINNED = {
    (5.0, "unseen"): {"shape": 0.98, "colour": 1.0, "size": 1.0, "position": 1.0, "shape_and_colour": 0.98, "all": 0.98},
    (1.0, "seen"): {"shape": 0.94, "colour": 0.94, "size": 0.98, "position": 0.96, "shape_and_colour": 0.88, "all": 0.84},
    (1.0, "unseen"): {"shape": 0.80, "colour": 0.78, "size": 0.98, "position": 0.98, "shape_and_colour": 0.58, "all": 0.56},
}
PINNED_PHRASINGS = {"seen": (1.0, 1.0), "unseen": (0.94, 1.0)}  # (classifier, pixels): 25 and 50 prompts
PINNED_AUTOENCODER = {"mse": 0.000434, "shape_and_colour": 1.0, "all": 1.0}  # the first 500 held-out images


def within_noise(measured: float, card: float, n: int) -> bool:
    """A share measured on n images against the card's: three binomial standard errors, plus one image."""
    return abs(measured - card) <= 3 * math.sqrt(card * (1 - card) / n) + 1 / n


def unet_config() -> dict:
    import json

    return json.loads((FOLDER / "unet" / "training.json").read_text())["config"]


def card_phrasing_rows() -> dict[str, tuple[float, float]]:
    """The card's free-phrasings table: row label -> (classifier, pixels) as fractions."""
    table = (FOLDER / "README.md").read_text().split("**Free phrasings**")[1].split("Held-out synonyms are")[0]
    return {m[0]: (float(m[1]) / 100, float(m[2]) / 100) for m in re.findall(r"^\| (.+?) \| ([\d.]+)% \| ([\d.]+)% \|$", table, re.M)}


@pytest.fixture(scope="module")
def parts():
    from demos.stable_diffusion.train import load_parts

    return load_parts(FOLDER)


def test_the_folder_is_a_diffusers_pipeline_in_float16_within_budget():
    import json

    index = json.loads((FOLDER / "model_index.json").read_text())
    assert index["_class_name"] == "StableDiffusionPipeline" and index["unet"] == ["diffusers", "UNet2DConditionModel"]
    for weights in FOLDER.rglob("*.safetensors"):
        assert weights.stat().st_size <= 10 * 2**20, weights


def test_autoencoder_is_what_the_card_says(parts):
    from demos.stable_diffusion.train import autoencoder_quality

    card = (FOLDER / "README.md").read_text()
    mse, same, every = re.search(r"mean squared error ([\d.]+) \(pixels in \[-1, 1\]\); the classifier\s+reads the same "
                                 r"shape and colour in the reconstruction ([\d.]+)% of the time, all four\s+labels ([\d.]+)%",
                                 card).groups()
    quality = autoencoder_quality(parts.vae, 500)
    assert quality["mse"] == pytest.approx(PINNED_AUTOENCODER["mse"], abs=2e-6)
    assert quality["mse"] == pytest.approx(float(mse), abs=1e-4)  # the card rounds to 4 decimals
    for key, card_value in (("shape_and_colour", same), ("all", every)):
        assert quality[key] == pytest.approx(PINNED_AUTOENCODER[key], abs=0.002), key
        assert within_noise(quality[key], float(card_value) / 100, 500), (key, quality[key], card_value)
    assert quality["shape_and_colour"] >= 0.97


@pytest.mark.parametrize("guidance, column", [(5.0, 0), (1.0, 1)])
def test_text_to_image_is_what_the_card_says(parts, guidance, column):
    from demos.stable_diffusion.pipeline import generate
    from demos.stable_diffusion.train import EVAL_SEED, eval_prompts, label_agreement
    from tests.witness_check import assert_first_seed_is_the_card_s

    card = card_tables()
    n = unet_config()["eval_samples"] // 2  # the first half of the card's 100 prompts per split
    measured = {}
    for split in ("seen", "unseen"):
        prompts, labels = eval_prompts(2 * n, split == "unseen")
        if guidance == 5.0 and split == "seen":  # the card's own 100 images: its figures, and its two-witness section
            images = generate(parts, prompts, guidance=guidance, steps=30, seed=EVAL_SEED)
            measured[split] = label_agreement(images, labels)
            for key in ROWS:  # one image of slack for numerics, as PINNED
                assert measured[split][key] == pytest.approx(card[split][key][column], abs=1.01 / (2 * n)), key
            assert_first_seed_is_the_card_s((FOLDER / "README.md").read_text(), images)
            continue
        measured[split] = label_agreement(generate(parts, prompts[:n], guidance=guidance, steps=30, seed=EVAL_SEED), labels[:n])
        for key in ROWS:
            value = measured[split][key]
            assert value == pytest.approx(PINNED[guidance, split][key], abs=1.01 / n), (split, key)
            assert within_noise(value, card[split][key][column], n), (split, key, value, card[split][key][column])
    if guidance == 5.0:  # the goals, at the default guidance
        assert measured["seen"]["all"] >= 0.98 and measured["unseen"]["shape_and_colour"] >= 0.95  # issue 31: no regression


def test_held_out_phrasings_are_what_the_card_says_and_meet_the_goals(parts):
    """Re-measured on the first half of the card's own prompts (seed PHRASING_SEED): held-out
    phrasings on seen pairs and on unseen (shape, colour) pairs, both witnesses."""
    from demos.stable_diffusion import quality
    from demos.stable_diffusion.train import PHRASING_SEED

    rows = card_phrasing_rows()
    n = unet_config()["eval_samples"] // 4  # the card: 50 seen, 100 unseen
    label = quality.KINDS["held_out"]
    for pairs, count, key in (("seen", n, label), ("unseen", 2 * n, f"{label}, unseen (shape, colour) pairs")):
        measured = quality.measure(parts, "held_out", pairs, count, PHRASING_SEED)
        for witness, pinned, card in zip(("classifier", "pixels"), PINNED_PHRASINGS[pairs], rows[key]):
            assert measured[witness] == pytest.approx(pinned, abs=1.01 / count), (key, witness)
            assert within_noise(measured[witness], card, count), (key, witness, measured[witness], card)
        assert measured["classifier"] >= (0.90 if pairs == "seen" else 0.80)  # issue 31's goals
