"""The Stable Diffusion tab through its HTTP API: a streamed generation with every step, the word
maps, the grid, image to image and the cost table; bad values get the app's own messages."""

import re

import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from demos.stable_diffusion import options
from tests.api.visitors import visitor

SETTINGS = (options.BUNDLED, "a large red circle in the center", "", 5.0, 6, 0, "DDIM")


@pytest.fixture(scope="module")
def client(suite_url):
    return visitor(suite_url)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from shared.datasets import make_shapes

    folder = tmp_path_factory.mktemp("sd-files")
    star = folder / "star.png"
    Image.fromarray(make_shapes(1, 3).images[0]).save(star)
    text = folder / "notes.png"
    text.write_text("not an image")
    return {"star": star, "text": text}


def editor(path) -> dict:
    """What a browser sends for the image editor holding the file."""
    return {"background": handle_file(str(path)), "layers": [], "composite": handle_file(str(path))}


def test_a_drawing_on_the_empty_canvas_is_read_on_the_datas_background(client, tmp_path):
    canvas = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    canvas.paste((40, 200, 60, 255), (80, 80, 176, 176))  # a green square, drawn
    canvas.save(tmp_path / "drawing.png")
    out, text = client.predict(options.BUNDLED, editor(tmp_path / "drawing.png"), "a large green square in the center",
                               0.0, 5.0, 6, 0, "DDIM", api_name="/sd_image_to_image")
    from shared.datasets import BACKGROUND

    corner = Image.open(out).convert("RGB").getpixel((4, 4))  # strength 0: the autoencoder's reconstruction
    assert all(abs(a - b) <= 12 for a, b in zip(corner, BACKGROUND)), corner
    assert text.startswith("Strength 0: the image's latent was noised to step 0 of 6")


def test_a_free_prompt_with_unknown_words_says_which_before_every_step(client):
    outputs = list(client.submit(options.BUNDLED, "Draw a BIG scarlet dragon!", "", 5.0, 6, 0, "DDIM",
                                 api_name="/sd_generate"))
    notice = ("In the prompt: 'scarlet' is not a word this model knows: read as 'red'. 'dragon' is not a word this "
              "model knows (nearest words it knows: 'diamond', 'draw'): ignored.")
    assert outputs[-1][2] == f"{notice}\n\nStep 6 of 6 (t = 1). Guidance 5: the prediction used is noise|empty + w × difference."
    assert outputs[0][2] == "Starting: 6 denoising steps…"  # at once, before the pipeline is loaded
    assert all(o[2].startswith(notice) for o in outputs[1:])  # every step
    assert Image.open(outputs[-1][0]).size == (256, 256)


def test_generation_streams_every_step(client):
    job = client.submit(*SETTINGS, api_name="/sd_generate")
    outputs = list(job)
    statuses = [o[2] for o in outputs]
    assert statuses[-1] == "Step 6 of 6 (t = 1). Guidance 5: the prediction used is noise|empty + w × difference."
    assert len({s.split(" (")[0] for s in statuses}) >= 2  # several steps arrived, not only the last
    image, channels, status, diagram = outputs[-1]
    assert Image.open(image).size == (256, 256)
    assert Image.open(channels).size[0] == 4 * (8 * 12 + 4) + 4  # four channels a row
    assert "step 6 of 6" in diagram and "2 × 24 × 128" in diagram


def test_word_maps_grid_image_to_image_and_cost(client, files):
    sheet, text = client.predict(options.BUNDLED, "a large red circle", 5.0, 6, 0, "DDIM", api_name="/sd_word_maps")
    assert text.startswith("Each map: how much every latent pixel's cross-attention went to that token")
    grid = client.predict(options.BUNDLED, "a red star", "1, 5", "0, 1, 2", 4, "DDIM", api_name="/sd_grid")
    assert Image.open(grid).size == (2 * (96 + 4) + 4, 3 * (96 + 14 + 4) + 4)
    out, text = client.predict(options.BUNDLED, editor(files["star"]), "a blue square", 0.5, 5.0, 6, 0, "DDIM",
                               api_name="/sd_image_to_image")
    assert text == "Strength 0.5: the image's latent was noised to step 3 of 6 and denoised with the prompt."
    table = client.predict(options.BUNDLED, api_name="/sd_cost")
    assert re.search(r"\| latent UNet \(guided: 2 passes\) \| 4 × 8 × 8 \(256\) \| [\d,]+ \| \d+\.\d \| \d+\.\d \|", table), table
    assert "| pixel UNet (diffusion tab) | 3 × 32 × 32 (3,072) | 1,806,275 |" in table


def test_the_hub_pipeline_offline_says_it_needs_the_network(client):
    with pytest.raises(AppError, match=re.escape("stabilityai/sd-turbo comes from the Hugging Face Hub: this needs the "
                                                 "network once")):
        client.predict(options.HUB_PIPELINE, "a cat", "", 0.0, 1, 0, "Euler", api_name="/sd_generate")


@pytest.mark.parametrize("api_name, args, message", [
    ("/sd_generate", (options.BUNDLED, "a red star", "", 99.0, 6, 0, "DDIM"),
     "The guidance scale must be a number from 0 to 20; got 99.0."),
    ("/sd_generate", (options.BUNDLED, "a red star", "", 5.0, 0, 0, "DDIM"), "The number of steps must be from 1 to 200; got 0."),
    ("/sd_generate", (options.BUNDLED, "a red star", "", 5.0, 6, 0, "PNDM"), "Unknown scheduler 'PNDM'; choose one of"),
    ("/sd_generate", (options.BUNDLED, 42, "", 5.0, 6, 0, "DDIM"), "The prompt must be text; got the number 42."),
    ("/sd_generate", ("evil/pipe", "a red star", "", 5.0, 6, 0, "DDIM"), "Unknown pipeline 'evil/pipe'; choose one of"),
    ("/sd_grid", (options.BUNDLED, "a red star", "1, 5", "0, x", 4, "DDIM"), "The seed must be"),
    ("/sd_grid", (options.BUNDLED, "a red star", "", "0", 4, "DDIM"), "Type the guidance scales, separated by commas"),
    ("/sd_grid", (options.BUNDLED, "a red star", "1,2,3,4,5,6,7", "0", 4, "DDIM"), "At most 6 guidance scales; got 7."),
    ("/sd_image_to_image", (options.BUNDLED, None, "a red star", 0.5, 5.0, 6, 0, "DDIM"),
     "There is no starting image: upload one, draw one or take one from the data."),
    ("/sd_image_to_image", (options.BUNDLED, "TEXT", "a red star", 0.5, 5.0, 6, 0, "DDIM"), "The file is not an image"),
    ("/sd_image_to_image", (options.BUNDLED, "STAR", "a red star", 1.5, 5.0, 6, 0, "DDIM"),
     "The strength must be a number from 0 to 1; got 1.5."),
])
def test_bad_values_get_a_message_and_the_app_keeps_serving(client, files, api_name, args, message):
    swap = {"TEXT": editor(files["text"]), "STAR": editor(files["star"])}
    args = [swap.get(a, a) if isinstance(a, str) else a for a in args]
    with pytest.raises(AppError, match=re.escape(message)):
        client.predict(*args, api_name=api_name)
    value, caption = client.predict(5, api_name="/sd_data_image")
    assert caption == "*a small blue star at the bottom right*" and value["composite"] == value["background"]
