"""The bundled Stable Diffusion pipeline, re-measured against its model card: the autoencoder's
reconstructions, and text to image at the default guidance and without guidance, on seen and on
held-out (shape, colour) pairs. Also the issue's goals."""

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
    quality = autoencoder_quality(parts.vae)
    assert quality["mse"] == pytest.approx(float(mse), abs=1e-4)
    assert quality["shape_and_colour"] == pytest.approx(float(same) / 100, abs=0.0006) and quality["shape_and_colour"] >= 0.97
    assert quality["all"] == pytest.approx(float(every) / 100, abs=0.0006)


@pytest.mark.parametrize("guidance, column", [(5.0, 0), (1.0, 1)])
def test_text_to_image_is_what_the_card_says(parts, guidance, column):
    from demos.stable_diffusion.train import pipeline_quality

    card = card_tables()
    measured = pipeline_quality(parts, unet_config()["eval_samples"], 30, guidance)
    for split in ("seen", "unseen"):
        for key in ROWS:
            assert measured[split][key] == pytest.approx(card[split][key][column], abs=0.011), (split, key)
    if guidance == 5.0:  # the goals, at the default guidance
        assert measured["seen"]["all"] >= 0.98 and measured["unseen"]["shape_and_colour"] >= 0.95  # issue 31: no regression


def test_held_out_phrasings_are_what_the_card_says_and_meet_the_goals(parts):
    """Re-measured on the card's own prompts and noise (seed PHRASING_SEED): held-out phrasings on
    seen pairs and on unseen (shape, colour) pairs, both witnesses."""
    from demos.stable_diffusion import quality
    from demos.stable_diffusion.train import PHRASING_SEED

    rows = card_phrasing_rows()
    n = unet_config()["eval_samples"] // 2
    seen = quality.measure(parts, "held_out", "seen", n, PHRASING_SEED)
    unseen = quality.measure(parts, "held_out", "unseen", max(100, n // 2), PHRASING_SEED)
    label = quality.KINDS["held_out"]
    for measured, key in ((seen, label), (unseen, f"{label}, unseen (shape, colour) pairs")):
        card_classifier, card_pixels = rows[key]
        assert measured["classifier"] == pytest.approx(card_classifier, abs=0.011), key
        assert measured["pixels"] == pytest.approx(card_pixels, abs=0.011), key
    assert seen["classifier"] >= 0.90 and unseen["classifier"] >= 0.80  # issue 31's goals
