"""The GAN tab through its HTTP API, as a user's script would call it."""

import re
import time
from pathlib import Path

import numpy as np
import pytest
from gradio_client.exceptions import AppError

from tests.api.visitors import visitor

GOOD_SETTINGS = ("ring8", "non-saturating", 2, 64, 2, 64, 2, 1e-3, 1e-3, 1, 0.0, 256, 0)


@pytest.fixture(scope="module")
def client(suite_url):
    return visitor(suite_url)


def test_sample_grid_is_repeatable(client):
    from PIL import Image

    from shared.contact_sheet import SHEET_LABEL_H, SHEET_PAD

    grid = client.predict(5, 1.0, api_name="/gan_sample_grid")
    sheet = np.asarray(Image.open(grid).convert("RGB"))
    tile = 32 * 4  # 16 samples, 8 a row, each at 128 x 128 with its seed under it
    assert sheet.shape == (2 * (tile + SHEET_LABEL_H + SHEET_PAD) + SHEET_PAD, 8 * (tile + SHEET_PAD) + SHEET_PAD, 3)
    again = np.asarray(Image.open(client.predict(5, 1.0, api_name="/gan_sample_grid")).convert("RGB"))
    assert np.array_equal(again, sheet)
    other = np.asarray(Image.open(client.predict(6, 1.0, api_name="/gan_sample_grid")).convert("RGB"))
    # seed 6's grid is seed 5's shifted by one tile: its first tile is seed 5's second
    first = (slice(SHEET_PAD, SHEET_PAD + tile), slice(SHEET_PAD, SHEET_PAD + tile))
    second = (slice(SHEET_PAD, SHEET_PAD + tile), slice(2 * SHEET_PAD + tile, 2 * SHEET_PAD + 2 * tile))
    assert np.array_equal(other[first], sheet[second]) and not np.array_equal(other[first], sheet[first])


def test_walk(client):
    strip, gif, gif_file, plot, slider, frame, text = client.predict("0, 6, 8", 9, "slerp", 0.8, 12, api_name="/gan_walk")
    assert gif.endswith(".gif") and plot is not None
    assert text.startswith("Frame 0 of 8: p(real) = ")


# Every value reaches the app's own checks (the public listeners skip Gradio's preprocessing, and
# shared.ui says in words when Gradio's data models refuse a file or a conversation), so each case
# names the message the app gives, from shared.limits or the demo's logic, as plain text: a crash
# that the app wraps as "Something went wrong (TypeError ...)" is still an error, but not this one.
@pytest.mark.parametrize("args, message", [
    (("1", 9, "slerp", 1.0, 12), "The number of waypoints must be from 2 to 8; got 1."),
    (("1, banana", 9, "slerp", 1.0, 12),
     "Waypoints are seeds separated by commas, like '3, 17, 42'; 'banana' is not a whole number."),
    (("1, -2", 9, "slerp", 1.0, 12), "The seed must be from 0 to 4294967295; got -2."),
    (("1, 2", 100_000, "slerp", 1.0, 12), "The number of frames must be from 2 to 240; got 100000."),
    (("1, 2", 9, "cubic", 1.0, 12), "Unknown interpolation 'cubic'; choose one of 'slerp', 'lerp'."),
    (("1, 2", 9, "slerp", 7.0, 12), "The truncation psi must be a number from 0 to 1; got 7.0."),
    (("1, 2", 9, "slerp", 1.0, 0), "The frames per second must be from 1 to 50; got 0."),
    (("x" * 5000, 9, "slerp", 1.0, 12), "The list of waypoint seeds is 5,000 characters long; the limit is 200."),
    ((None, None, None, None, None), "The frames per second must be a whole number from 1 to 50."),
])
def test_bad_walks_get_a_message_and_the_app_keeps_serving(client, args, message):
    with pytest.raises(AppError, match=re.escape(message)) as info:
        client.predict(*args, api_name="/gan_walk")
    assert "Something went wrong" not in str(info.value)
    assert client.predict("1, 2", 2, "lerp", 1.0, 5, api_name="/gan_walk")[-1].startswith("Frame 0 of 1")


def test_arithmetic(client):
    strip, image, text = client.predict(0, "colour", "orange", "green", 2.0, 1.0, api_name="/gan_arithmetic")
    assert "read as **orange**" in text and "classifier reads the sample's colour as" in text


@pytest.mark.parametrize("args, message", [
    ((0, "mood", "a", "b", 1.0, 1.0), "Unknown attribute 'mood'; choose one of 'colour', 'shape', 'size'."),
    ((0, "colour", "orange", "orange", 1.0, 1.0),
     "Pick two different values of colour to find a direction between them."),
    ((0, "colour", "orange", "green", 99.0, 1.0),
     "The amount along the direction must be a number from -4 to 4; got 99.0."),
    ((-1, "colour", "orange", "green", 1.0, 1.0), "The seed must be from 0 to 4294967295; got -1."),
])
def test_arithmetic_limits(client, args, message):
    with pytest.raises(AppError, match=re.escape(message)) as info:
        client.predict(*args, api_name="/gan_arithmetic")
    assert "Something went wrong" not in str(info.value)


def test_live_training_streams_updates(client):
    """Correctness only: updates arrive and training moves on between them. How many a second
    is measured by `python -m benchmarks.gan`, not asserted on a shared CI machine."""
    job = client.submit(*GOOD_SETTINGS, api_name="/gan_train")
    time.sleep(4.0)
    outputs = list(job.outputs())
    job.cancel()
    assert len(outputs) >= 3, f"only {len(outputs)} updates in 4 s"
    steps = [int(o[1].split("**Step ")[1].split("**")[0].replace(",", "")) for o in outputs]
    assert steps == sorted(steps) and steps[-1] > steps[0]


def test_training_reset_and_step(client):
    image, status = client.predict(*GOOD_SETTINGS, api_name="/gan_train_reset")
    assert status.startswith("**Step 0**")
    image, status = client.predict(*GOOD_SETTINGS, api_name="/gan_train_step")
    assert status.startswith("**Step 1**")


@pytest.mark.parametrize("field, value, message", [
    (7, 5.0, "The generator's learning rate must be a number from 1e-05 to 0.1; got 5.0."),
    (8, -1.0, "The discriminator's learning rate must be a number from 1e-05 to 0.1; got -1.0."),
    (3, 10**6, "The generator's hidden width must be from 4 to 256; got 1000000."),
    (0, "mnist", "Unknown data set 'mnist'; choose one of 'ring8', 'moons', 'spiral', 'checkerboard', 'swiss_roll'."),
    (1, "wasserstein", "Unknown loss 'wasserstein'; choose one of 'non-saturating', 'least-squares', 'hinge'."),
    (12, -4, "The seed must be from 0 to 4294967295; got -4."),
    (9, 99, "The discriminator steps per generator step must be from 1 to 10; got 99."),
    (11, 1, "The batch size must be from 16 to 1024; got 1."),
])
def test_bad_training_settings_get_a_message(client, field, value, message):
    args = list(GOOD_SETTINGS)
    args[field] = value
    with pytest.raises(AppError, match=re.escape(message)) as info:
        client.predict(*args, api_name="/gan_train_reset")
    assert "Something went wrong" not in str(info.value)


def test_conditional_grid_draws_the_asked_class_and_refuses_unknown_ones(client):
    """Asked for a blue star: 16 tiles whose pixels the non-neural check reads mostly as blue; the
    same call twice gives the same picture; an unknown colour gets the app's own message."""
    from PIL import Image

    from shared.datasets import LABEL_NAMES
    from shared.pixel_check import pixel_check
    from tests.browser.test_gan_in_browser import MIN_TILES_OF_THE_COLOUR, grid_tiles

    grid, text, truncation = client.predict("star", "blue", 0, 1.0, api_name="/gan_conditional_grid")
    assert text.startswith("Asked for a **blue star**: the shapes classifier reads **")
    tiles = grid_tiles(Path(grid).read_bytes())
    assert (pixel_check(tiles).colour == LABEL_NAMES["colour"].index("blue")).sum() >= MIN_TILES_OF_THE_COLOUR
    again = client.predict("star", "blue", 0, 1.0, api_name="/gan_conditional_grid")[0]
    assert np.array_equal(np.asarray(Image.open(again)), np.asarray(Image.open(grid)))
    assert Image.open(truncation).size[1] > Image.open(truncation).size[0] / 3  # four rows of eight
    held = client.predict("circle", "purple", 0, 1.0, api_name="/gan_conditional_grid")[1]
    assert "Of the 16 held-out tiles here," in held
    with pytest.raises(AppError, match=re.escape("Unknown colour 'teal'")):
        client.predict("star", "teal", 0, 1.0, api_name="/gan_conditional_grid")
    with pytest.raises(AppError, match=re.escape("The number of frames must be from 2 to 24; got 500.")):
        client.predict("circle", "red", "star", "blue", 0, 500, 1.0, api_name="/gan_class_walk")


def test_class_walk_and_colour_shares(client):
    by_class, by_noise, text = client.predict("circle", "red", "star", "blue", 3, 5, 1.0, api_name="/gan_class_walk")
    assert "the latent of seed 3, the class code mixed from a red circle (0) to a blue star (1)" in text
    assert by_class.endswith(".png") and by_noise.endswith(".png")
    figure, text = client.predict(api_name="/gan_colour_shares")
    assert text.startswith("The unconditional GAN draws no blue and no purple")
