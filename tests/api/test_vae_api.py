"""The VAE tab through its HTTP API, as a user's script would call it: good calls give what the
tab shows, bad values a message in the app's own words, and the app keeps serving."""

import re

import numpy as np
import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from demos.vae import options
from tests.api.visitors import visitor


@pytest.fixture(scope="module")
def client(suite_url):
    return visitor(suite_url)


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vae-pictures")
    from shared.datasets import make_shapes

    files = {}
    for name, seed in (("a", 142), ("b", 105)):
        files[name] = folder / f"{name}.png"
        Image.fromarray(make_shapes(1, seed).images[0].repeat(8, 0).repeat(8, 1)).save(files[name])
    files["drawing"] = folder / "drawing.png"  # a red blob on a transparent canvas, as the sketchpad sends it
    canvas = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    canvas.paste((220, 45, 45, 255), (86, 86, 170, 170))  # the size of a large square in the data, in the centre
    canvas.save(files["drawing"])
    files["text"] = folder / "notes.png"
    files["text"].write_text("not an image")
    return files


def editor(path) -> dict:
    return {"background": handle_file(str(path)), "layers": [], "composite": handle_file(str(path))}


def test_interpolation_of_two_uploads(client, pictures):
    sheet, summary, gif, gif_file, slider, latent, fade, text = client.predict(  # the session cache is not returned
        editor(pictures["a"]), editor(pictures["b"]), 8, "slerp", 6, options.DEFAULT_BETA, api_name="/vae_interpolate")
    assert re.match(r"^Top row, the \*\*latent walk\*\*: \d of 8 frames read as one clean shape\.", summary)
    assert text.startswith("Frame 0 of 7: latent walk reads **red circle**, cross-fade reads **red circle**")
    assert gif.endswith(".gif") and np.asarray(Image.open(sheet)).shape[1] > 8 * 128


def test_a_drawing_on_an_empty_canvas_is_read_on_the_datas_background(client, pictures):
    _, _, _, text = client.predict(editor(pictures["drawing"]), options.DEFAULT_BETA, api_name="/vae_reconstruct")
    assert text.startswith("Reconstruction reads **red square**"), text


def test_data_image_map_sample_and_dimensions(client, pictures):
    value, caption = client.predict(142, api_name="/vae_data_image")
    assert caption == "*a large red circle at the top left* (data image 142)"
    plane, figure = client.predict("colour", editor(pictures["a"]), None, api_name="/vae_map")
    assert np.asarray(Image.open(plane)).shape == (options.MAP_TILES * 32, options.MAP_TILES * 32, 3)
    sheet, text = client.predict("fitted", 1.0, 0, 16, options.DEFAULT_BETA, api_name="/vae_sample")
    assert re.match(r"^\d+ of 16 samples read as one clean shape\.$", text)
    image, verdict = client.predict(options.DEFAULT_BETA, *([0.0] * 16), api_name="/vae_decode_latent")
    assert verdict.startswith("Decoded: **")
    values = client.predict(editor(pictures["a"]), options.DEFAULT_BETA, api_name="/vae_start_from_image")
    assert len(values) == 19 and all(-4 <= v <= 4 for v in values[:16]) and values[17].startswith("Decoded: **")


def test_anomaly_of_a_non_shape(client, pictures):
    from shared.datasets import make_not_shapes

    odd = pictures["a"].parent / "odd.png"
    Image.fromarray(make_not_shapes(1, 99)[0]).save(odd)
    _, text = client.predict(editor(odd), "bits_per_dim", api_name="/vae_anomaly")
    assert text.endswith("Verdict: **unusual**: it scores higher than 99% of real shapes.")


def test_photos_offline_say_they_need_the_network(client, pictures):
    with pytest.raises(AppError, match=re.escape("The photo autoencoders come from the Hugging Face Hub: this "
                                                 "needs the network once")):
        client.predict(handle_file(str(pictures["a"])), handle_file(str(pictures["b"])), "stabilityai/sd-vae-ft-mse",
                       64, 4, "slerp", api_name="/vae_photo_interpolate")


@pytest.mark.parametrize("api_name, args, message", [
    ("/vae_interpolate", ("A", "B", 100, "slerp", 6, "β = 6"), "The number of frames must be from 2 to 24; got 100."),
    ("/vae_interpolate", ("A", "B", 8, "cubic", 6, "β = 6"), "Unknown interpolation 'cubic'; choose one of 'slerp', 'lerp'."),
    ("/vae_interpolate", ("A", "B", 8, "slerp", 6, "β = 99"), "Unknown KL weight 'β = 99'; choose one of"),
    ("/vae_interpolate", (None, "B", 8, "slerp", 6, "β = 6"),
     "There is no image A: pick one from the data, upload one or draw one."),
    ("/vae_interpolate", ("TEXT", "B", 8, "slerp", 6, "β = 6"),
     "The file is not an image that can be opened (PNG, JPEG, WebP, BMP, GIF, TIFF...)."),
    ("/vae_data_image", (-1,), "The seed must be from 0 to 4294967295; got -1."),
    ("/vae_sample", ("fitted", 9.0, 0, 16, "β = 6"), "The temperature must be a number from 0 to 2; got 9.0."),
    ("/vae_sample", ("fitted", 1.0, 0, 1000, "β = 6"), "The number of samples must be from 1 to 64; got 1000."),
    ("/vae_sample", ("uniform", 1.0, 0, 16, "β = 6"), "Unknown prior 'uniform'; choose one of 'fitted', 'standard'."),
    ("/vae_decode_latent", ("β = 6", 99.0, *[0.0] * 15), "The latent value must be a number from -4 to 4; got 99.0."),
    ("/vae_map", ("size of shoe", None, None), "Unknown label to colour by 'size of shoe'; choose one of"),
    ("/vae_anomaly", ("A", "loudness"), "Unknown score 'loudness'; choose one of"),
    ("/vae_photo_interpolate", ("A", "B", "madebyollin/taesd", 100, 8, "slerp"),
     "The photo size must be a multiple of 8 (the autoencoders shrink it 8 times); got 100."),
    ("/vae_photo_interpolate", ("A", "B", "evil/model", 64, 8, "slerp"), "Unknown photo autoencoder 'evil/model'"),
    ("/vae_photo_interpolate", (None, "B", "madebyollin/taesd", 64, 8, "slerp"), "Upload photo A first."),
])
def test_bad_values_get_a_message_and_the_app_keeps_serving(client, pictures, api_name, args, message):
    swap = {"A": editor(pictures["a"]), "B": editor(pictures["b"]), "TEXT": editor(pictures["text"])}
    if api_name == "/vae_photo_interpolate":
        swap = {"A": handle_file(str(pictures["a"])), "B": handle_file(str(pictures["b"]))}
    args = [swap.get(a, a) if isinstance(a, str) else a for a in args]
    with pytest.raises(AppError, match=re.escape(message)):
        client.predict(*args, api_name=api_name)
    _, caption = client.predict(142, api_name="/vae_data_image")  # still serving
    assert caption.startswith("*a large red circle")
