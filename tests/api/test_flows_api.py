"""The flows tab through its HTTP API, as a user's script would call it: the untrained view, a press
that trains its steps and streams, Step, and every bad value answered in the app's own words."""

import re

import numpy as np
import pytest
from gradio_client.exceptions import AppError
from PIL import Image

from demos.flows import wording as words
from demos.flows.options import STEP_STEPS
from shared.told import random_labels
from tests.api.visitors import visitor

SETTINGS = ("ring8", "nsf", 3, 0)


@pytest.fixture
def client(suite_url):
    c = visitor(suite_url)
    yield c
    c.close()


def picture(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def test_reset_shows_the_untrained_flow_and_a_press_trains_its_steps(client):
    image, status = client.predict(*SETTINGS, api_name="/flows_train_reset")
    assert status == words.READY
    before = picture(image)
    job = client.submit(*SETTINGS, 40, api_name="/flows_train")
    updates = list(job)
    image, status = job.result()
    assert len(updates) >= 1 and status.startswith("**Step 40**") and "held-out −log p" in status
    after = picture(image)
    assert after.shape == before.shape and np.abs(after.astype(int) - before).mean() > 1  # the view changed
    _, status = client.predict(*SETTINGS, api_name="/flows_train_step")
    assert status.startswith(f"**Step {40 + STEP_STEPS}**")


@pytest.mark.parametrize("args, message", [
    (("spirals", "nsf", 3, 0, 100), "Unknown data set 'spirals'"),
    (("ring8", "maf", 3, 0, 100), "Unknown flow 'maf'; choose one of 'nsf', 'realnvp'."),
    (("ring8", "nsf", 12, 0, 100), "The number of layers must be from 1 to 8; got 12."),
    (("ring8", "nsf", 3, -4, 100), "The seed must be from 0 to 4294967295; got -4."),
    (("ring8", "nsf", 3, 0, 1e9), "The training steps per press must be from 10 to 20000; got 1000000000."),
    (("ring8", "nsf", 3, 0, None), "The training steps per press must be a whole number from 10 to 20000."),
])
def test_bad_values_get_the_apps_message(client, args, message):
    with pytest.raises(AppError, match=re.escape(message)):
        client.predict(*args, api_name="/flows_train")


def test_pause_with_nothing_running_says_so(client):
    with pytest.raises(AppError, match="Nothing is training yet: press Start."):
        client.predict(api_name="/flows_train_pause")


def test_image_flow_endpoints_return_the_logics_pictures_and_figures(client):
    from demos.flows import images, views
    from shared.datasets import image_grid

    path, status = client.predict(4, 0.7, 9, api_name="/flows_image_samples")  # three values: told, any shape and colour
    assert status == words.SAMPLED_IMAGES.format(n=4, temperature=0.7, seed=9) + words.SAMPLED_TOLD
    expected = images.sample_images(images.load_image_flow(), 4, 9, 0.7, labels=random_labels(4, 9))
    for k in range(4):
        np.testing.assert_array_equal(sheet_tile(picture(path), k), expected[k])
    path, status = client.predict(4, 0.7, 9, "any", "any", False, api_name="/flows_image_samples")
    assert status.endswith(words.SAMPLED_UNTOLD)
    np.testing.assert_array_equal(picture(path), views.image_strip(images.samples(4, 0.7, 9, told=False)))

    path, status = client.predict("held-out shape", 12, None, api_name="/flows_image_bits")
    scored = images.score(images.held_out_image(12))
    assert status == words.BITS_STATUS.format(bits=scored.bits, better=scored.better_than)
    np.testing.assert_array_equal(picture(path), views.bits_picture(scored))

    path, status = client.predict(3, 40, 5, api_name="/flows_image_interpolate")
    assert status == "5 frames from held-out image 3 to held-out image 40."
    np.testing.assert_array_equal(picture(path), image_grid(images.interpolate(3, 40, 5), columns=5, pad=4, scale=3))


def sheet_tile(sheet: np.ndarray, k: int, scale: int = 4) -> np.ndarray:
    """Tile k of a shared.contact_sheet.sheet of 32x32 images at `scale`, back at 32x32."""
    from shared.contact_sheet import SHEET_PAD

    tile = 32 * scale
    x = SHEET_PAD + (k % 8) * (tile + SHEET_PAD)
    return sheet[SHEET_PAD:SHEET_PAD + tile:scale, x:x + tile:scale]


def test_samples_told_a_shape_and_colour_are_the_logics_and_captioned_so(client):
    from demos.flows import images, views
    from shared.told import captions, told_labels

    path, _ = client.predict(3, 1.0, 5, "star", "blue", True, api_name="/flows_image_samples")
    labels = told_labels(3, 5, "star", "blue")
    assert (labels[:, :2] == [4, 4]).all()  # star, blue: the indices of shared.datasets.LABEL_NAMES
    assert all(c.endswith("blue star") for c in captions(labels))
    expected = images.sample_images(images.load_image_flow(), 3, 5, 1.0, labels=labels)
    for k in range(3):
        np.testing.assert_array_equal(sheet_tile(picture(path), k), expected[k])
    np.testing.assert_array_equal(picture(path), views.samples_strip(expected, 5, labels))


def test_a_drawn_or_uploaded_picture_is_measured_as_the_flow_reads_it(client, tmp_path):
    from gradio_client import handle_file

    from demos.flows import images, views
    from shared.datasets import held_out_shapes

    path = tmp_path / "star.png"
    Image.fromarray(held_out_shapes()[7]).resize((256, 256), Image.NEAREST).save(path)
    editor = {"background": handle_file(str(path)), "layers": [], "composite": handle_file(str(path))}
    shown, status = client.predict("your picture", 0, editor, api_name="/flows_image_bits")
    scored = images.score(images.read_picture(str(path)))
    assert status == words.BITS_STATUS.format(bits=scored.bits, better=scored.better_than)
    np.testing.assert_array_equal(picture(shown), views.bits_picture(scored))
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    with pytest.raises(AppError) as caught:
        client.predict("your picture", 0, {"background": None, "layers": [], "composite": handle_file(str(text))},
                       api_name="/flows_image_bits")
    assert "The file is not an image that can be opened (PNG, JPEG, WebP, BMP, GIF, TIFF...)." in str(caught.value)


@pytest.mark.parametrize("api_name, args, message", [
    ("/flows_image_samples", (0, 0.7, 0), "The number of samples must be from 1 to 32; got 0."),
    ("/flows_image_samples", (4, "hot", 0), "The temperature must be a number from 0 to 1.5"),
    ("/flows_image_samples", (4, 1.0, 0, "cat", "any", True), "Unknown shape 'cat'; choose one of 'any', 'circle'"),
    ("/flows_image_samples", (4, 1.0, 0, "star", "blue", "yes"), "'told' must be true or false; got another kind of value."),
    ("/flows_image_bits", ("a cat", 0, None), "Unknown image to measure 'a cat'"),
    ("/flows_image_bits", ("held-out shape", 2000, None), "The held-out image must be from 0 to 1999; got 2000."),
    ("/flows_image_bits", ("your picture", 0, None), "There is no picture: upload one"),
    ("/flows_image_interpolate", (3, 40, 99), "The number of frames must be from 2 to 16; got 99."),
])
def test_image_flow_bad_values_get_the_apps_message(client, api_name, args, message):
    with pytest.raises(AppError) as caught:
        client.predict(*args, api_name=api_name)
    assert message in str(caught.value)
