"""The PixelCNN tab through its HTTP API, as a user's script would call it: samples streamed and
repeatable, completions that keep the top rows, the receptive field and bits per dimension as the
logic computes them, and every bad value answered in the app's own words."""

from __future__ import annotations

import re

import numpy as np
import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from demos.pixelcnn import explore, field
from demos.pixelcnn import wording as words
from demos.pixelcnn.views import PAD
from tests.api.visitors import visitor


@pytest.fixture
def client(suite_url):
    c = visitor(suite_url)
    yield c
    c.close()


def picture(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def tile(image: np.ndarray, k: int, columns: int = 4, scale: int = 4) -> np.ndarray:
    """Tile k of a samples picture, shrunk back to 32x32."""
    side = 32 * scale
    y, x = PAD + (k // columns) * (side + PAD), PAD + (k % columns) * (side + PAD)
    return image[y:y + side:scale, x:x + side:scale]


def test_samples_stream_pixel_by_pixel_and_repeat_with_the_seed(client):
    job = client.submit(4, 1.0, 11, api_name="/pixelcnn_sample")
    updates = list(job)
    image, status = job.result()
    # first the start, before a pixel is drawn (the picture left as it was), then the pixels
    assert updates[0] == ({"__type__": "update"}, "Drawing 4 images, pixel by pixel: starting…")
    assert len(updates) >= 3 and re.fullmatch(r"Drawing pixel \d+ of 1,024 \(\d+\.\d s\)…", updates[1][1])
    assert re.fullmatch(r"4 images drawn, 1,024 pixels each, in \d+\.\d s \(\d+\.\d\d s per image\)\.", status)
    again, _ = client.predict(4, 1.0, 11, api_name="/pixelcnn_sample")
    np.testing.assert_array_equal(picture(image), picture(again))
    other, _ = client.predict(4, 1.0, 12, api_name="/pixelcnn_sample")
    assert not np.array_equal(picture(image), picture(other))
    # the tiles are the logic's samples (a fresh draw in this process: the same seed, the same pixels),
    # each told its labels drawn from the seed as the data draws them
    from demos.pixelcnn.sampling import sample_images

    assert explore.can_be_told()
    labels = explore.told_labels(4, 11, "any", "any")
    expected = sample_images(explore.load_model(), 4, 11, 1.0, labels=labels)
    for k in range(4):
        np.testing.assert_array_equal(tile(picture(image), k), expected[k])


def test_samples_told_a_shape_and_colour_or_nothing_are_the_logics(client):
    """Blue stars at guidance 1 (the told and the untold batch side by side), and p(x) untold, where
    shape, colour and guidance are not used: the same draw whatever they say."""
    from demos.pixelcnn.sampling import sample_images

    model = explore.load_model()
    image, status = client.predict(3, 1.0, 5, "star", "blue", 1.0, True, api_name="/pixelcnn_sample")
    labels = explore.told_labels(3, 5, "star", "blue")
    assert (labels[:, :2] == [4, 4]).all()  # star, blue: the indices of shared.datasets.LABEL_NAMES
    expected = sample_images(model, 3, 5, 1.0, labels=labels, guidance=1.0)
    for k in range(3):
        np.testing.assert_array_equal(tile(picture(image), k), expected[k])
    untold, _ = client.predict(3, 1.0, 5, "star", "blue", 1.0, False, api_name="/pixelcnn_sample")
    untold_any, _ = client.predict(3, 1.0, 5, "any", "red", 0.0, False, api_name="/pixelcnn_sample")
    np.testing.assert_array_equal(picture(untold), picture(untold_any))
    expected = sample_images(model, 3, 5, 1.0)
    for k in range(3):
        np.testing.assert_array_equal(tile(picture(untold), k), expected[k])


def test_completions_keep_the_top_rows_of_the_held_out_image(client):
    image, status = client.predict(3, 12, 3, 5, 1.0, api_name="/pixelcnn_complete")
    assert status.startswith("3 completions of the hidden 20 rows") and status.endswith("First tile: the original.")
    shown, original = picture(image), explore.held_out_image(3)
    rows = [r for r in range(32) if r != 12]  # a line marks the kept rows' end across each tile
    np.testing.assert_array_equal(tile(shown, 0, columns=4)[rows], original[rows])  # the original and 3: one row
    for k in (1, 2, 3):
        np.testing.assert_array_equal(tile(shown, k, columns=4)[:12], original[:12])


def test_the_receptive_field_and_bits_are_the_logics(client, tmp_path):
    image, status = client.predict(20, 9, api_name="/pixelcnn_field")
    f = field.receptive_field(20, 9)
    assert status == words.field_status(f)
    assert f.blind_spot.sum() > 0 and not (f.gated > 0)[~f.before].any()
    assert picture(image).shape[1] > 500

    _, status = client.predict(7, None, api_name="/pixelcnn_bits")
    assert status == words.bits_status(explore.pixel_bits(explore.held_out_image(7)), 7)
    noise = np.random.default_rng(0).integers(0, 256, (48, 48, 3), dtype=np.uint8)  # nothing like the data
    Image.fromarray(noise).save(tmp_path / "noise.png")
    _, status = client.predict(7, handle_file(str(tmp_path / "noise.png")), api_name="/pixelcnn_bits")
    bits = explore.pixel_bits(explore.read_picture(str(tmp_path / "noise.png")))
    assert status == words.bits_status(bits, None) and "use colours the data never does" in status
    assert bits.bits_per_dim > 3 * explore.pixel_bits(explore.held_out_image(7)).bits_per_dim
    (tmp_path / "notes.png").write_text("not a picture")
    with pytest.raises(AppError, match="image"):
        client.predict(7, handle_file(str(tmp_path / "notes.png")), api_name="/pixelcnn_bits")


@pytest.mark.parametrize("api_name, args, message", [
    ("/pixelcnn_sample", (17, 1.0, 0), "The number of samples must be from 1 to 16; got 17."),
    ("/pixelcnn_sample", (4, 0.0, 0), "The temperature must be a number from 0.1 to 1.5; got 0.0."),
    ("/pixelcnn_sample", (4, 1.0, -1), "The seed must be from 0 to 4294967295; got -1."),
    ("/pixelcnn_sample", (4, 1.0, 0, "hexagon", "any", 0.0, True),
     "Unknown shape 'hexagon'; choose one of 'any', 'circle', 'square', 'triangle', 'diamond', 'star', 'cross'."),
    ("/pixelcnn_sample", (4, 1.0, 0, "star", "pink", 0.0, True), "Unknown colour 'pink'; choose one of 'any', 'red', "
     "'orange', 'yellow', 'green', 'blue', 'purple'."),
    ("/pixelcnn_sample", (4, 1.0, 0, "star", "blue", 7.0, True), "The guidance must be a number from 0 to 5; got 7.0."),
    ("/pixelcnn_sample", (4, 1.0, 0, "star", "blue", 1.0, "yes"), "'told' must be true or false; got another kind of value."),
    ("/pixelcnn_complete", (2000, 16, 4, 0, 1.0), "The held-out image must be from 0 to 1999; got 2000."),
    ("/pixelcnn_complete", (3, 32, 4, 0, 1.0), "The rows kept must be from 1 to 31; got 32."),
    ("/pixelcnn_complete", (3, 16, 9, 0, 1.0), "The number of completions must be from 1 to 8; got 9."),
    ("/pixelcnn_field", (32, 0), "The pixel row or column must be from 0 to 31; got 32."),
    ("/pixelcnn_bits", (None, None), "The held-out image must be a whole number from 0 to 1999."),
    ("/pixelcnn_bits", (0, "not-a-file"),
     "This request holds a value the app cannot read where it expects a value of another kind."),
])
def test_bad_values_get_a_message_and_the_app_keeps_serving(client, api_name, args, message):
    with pytest.raises(AppError) as info:
        client.predict(*args, api_name=api_name)
    assert str(info.value) == message
    _, status = client.predict(10, 10, api_name="/pixelcnn_field")
    assert status.startswith("Pixel (row 10, column 10)")
