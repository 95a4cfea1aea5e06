"""The Stable Diffusion tab's logic through the Hub path: a tiny pipeline saved under the Hub id the
tab offers (stabilityai/sd-turbo) in the tests' offline cache, loaded by shared.checkpoints.load."""

import re

import numpy as np
import pytest
import torch

from demos.stable_diffusion import explore, options
from demos.stable_diffusion.train import save_pipeline
from shared import checkpoints
from shared.limits import LimitError
from tests.hub_cache import hub_snapshot_dir

HUB = options.HUB_PIPELINE


@pytest.fixture(scope="module")
def hub_pipeline():
    from tests.sd_tiny import tiny_parts

    parts = tiny_parts()
    save_pipeline(hub_snapshot_dir(HUB), parts.vae, parts.text_encoder, parts.tokenizer, parts.unet)
    checkpoints.clear_cache()
    yield HUB
    checkpoints.clear_cache()


def test_the_pipeline_loads_through_the_one_loading_path_in_float32(hub_pipeline):
    parts = explore.load_pipeline(hub_pipeline)
    assert type(parts.unet).__name__ == "UNet2DConditionModel" and parts.unet.dtype == torch.float32
    assert parts.scheduler_config["steps_offset"] == 1 and parts.context == 24
    assert explore.tensor_shapes(parts) == {"token ids": (1, 24), "text embeddings": (2, 24, 32), "latent": (1, 4, 8, 8),
                                            "UNet input": (2, 4, 8, 8), "noise prediction": (2, 4, 8, 8),
                                            "image": (1, 3, 32, 32)}


def test_text_to_image_streams_every_step_and_repeats_under_a_seed(hub_pipeline):
    views = list(explore.text_to_image(hub_pipeline, "a red circle", "", 4.0, 6, 3, "DDIM"))
    assert [v.step for v in views] == [1, 2, 3, 4, 5, 6] and views[0].timestep > views[-1].timestep
    assert views[-1].image.shape == (32, 32, 3) and views[-1].latent.shape == views[-1].noise_uncond.shape == (4, 8, 8)
    again = list(explore.text_to_image(hub_pipeline, "a red circle", "", 4.0, 6, 3, "DDIM"))
    assert np.array_equal(views[-1].image, again[-1].image)
    plain = list(explore.text_to_image(hub_pipeline, "a red circle", "", 1.0, 2, 3, "Euler"))
    assert plain[0].noise_uncond is None


def test_image_to_image_at_strength_zero_is_the_reconstruction(hub_pipeline):
    parts = explore.load_pipeline(hub_pipeline)
    image = np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    out = explore.image_to_image(hub_pipeline, image, "a red circle", strength=0.0, steps=10)
    with torch.no_grad():
        x = torch.from_numpy(image).permute(2, 0, 1)[None].float() / 127.5 - 1
        recon = explore.decode(parts, parts.vae.encode(x).latent_dist.mean * parts.scaling)[0]
    assert np.array_equal(out, recon)
    changed = explore.image_to_image(hub_pipeline, image, "a red circle", strength=0.8, steps=10)
    assert not np.array_equal(changed, recon)


def test_word_maps_give_each_latent_pixel_a_distribution_over_the_tokens(hub_pipeline):
    result = explore.word_maps(hub_pipeline, "a red circle", 4.0, 3, 0)
    assert result.tokens == ["<|startoftext|>", "a", "red", "circle", "<|endoftext|>"]
    assert result.maps.shape == (5, 8, 8)
    # softmax over all 24 token positions (pads included): the shown tokens hold at most all of it
    assert (result.maps.sum(0) <= 1 + 1e-5).all() and result.maps.min() >= 0


def test_guidance_grid_rows_share_their_noise(hub_pipeline):
    grid = explore.guidance_grid(hub_pipeline, "a red circle", [1.0, 4.0], [0, 1], steps=3)
    assert grid.shape == (2, 2, 32, 32, 3)
    assert not np.array_equal(grid[0, 0], grid[1, 0])  # two seeds
    first = list(explore.text_to_image(hub_pipeline, "a red circle", "", 4.0, 3, 1, "DDIM"))[-1].image
    assert np.array_equal(grid[1, 1], first)


def test_prompts_are_read_as_the_encoder_reads_them(hub_pipeline):
    parts = explore.load_pipeline(hub_pipeline)
    assert explore.prepare_prompt(parts, " a\tred\x00 circle ") == ("a red circle", None)
    assert explore.prepare_prompt(parts, "") == ("", "The prompt is empty: this is the unconditional model, drawing "
                                                     "whatever it likes.")
    text, notice = explore.prepare_prompt(parts, "a red star " * 10)
    assert text == "a red star a red star a red star a red star a red star a red star a red star a"
    assert notice.startswith("The prompt is 32 tokens long")
    with pytest.raises(LimitError, match=re.escape("The prompt must be text; got the number 5.")):
        explore.prepare_prompt(parts, 5)
    # a Hub pipeline reads any word: no notice, nothing left out
    assert parts.known_words is None and explore.prepare_prompt(parts, "a scarlet dragon") == ("a scarlet dragon", None)


def test_the_bundled_pipeline_names_each_unknown_word_and_reads_the_rest(hub_pipeline):
    from dataclasses import replace

    from shared import phrasings

    parts = replace(explore.load_pipeline(hub_pipeline), known_words=frozenset(phrasings.known_words()))
    assert explore.prepare_prompt(parts, "Draw a BIG crimson star!") == ("Draw a BIG crimson star!", None)
    assert explore.prepare_prompt(parts, "a scarlet dragon at the top left") == (
        "a red at the top left",
        "In the prompt: 'scarlet' is not a word this model knows: read as 'red'. 'dragon' is not a word this model "
        "knows (nearest words it knows: 'diamond', 'draw'): ignored.")
    assert explore.prepare_prompt(parts, "a cat") == (
        "", "In the prompt: 'cat' is not a word this model knows (nearest words it knows: 'at'): ignored. None of its "
            "words names a shape, colour, size or position this model knows, so it reads nothing; for words outside "
            "the shapes world, use the Hub pipeline stabilityai/sd-turbo (it needs the network once).")
    text, notice = explore.prepare_prompt(parts, "a shiny circle", "negative prompt")
    assert text == "a circle" and notice.startswith("In the negative prompt: 'shiny' is not a word")


@pytest.mark.parametrize("kwargs, message", [
    ({"guidance": 99}, "The guidance scale must be a number from 0 to 20; got 99."),
    ({"steps": 0}, "The number of steps must be from 1 to 200; got 0."),
    ({"scheduler": "PNDM"}, "Unknown scheduler 'PNDM'; choose one of"),
    ({"seed": -1}, "The seed must be from 0 to 4294967295; got -1."),
])
def test_bad_settings_get_a_message(hub_pipeline, kwargs, message):
    args = {"guidance": 4.0, "steps": 2, "seed": 0, "scheduler": "DDIM", **kwargs}
    with pytest.raises(LimitError, match=re.escape(message)):
        list(explore.text_to_image(hub_pipeline, "a red circle", "", **args))


def test_the_cost_of_pixels_is_measured_on_both_unets(hub_pipeline):
    from demos.stable_diffusion import cost

    latent, pixel = cost.measure.__wrapped__(hub_pipeline, 2)
    assert (latent.input_shape, latent.numbers) == ((4, 8, 8), 256)
    assert (pixel.input_shape, pixel.numbers) == ((3, 32, 32), 3072)
    assert pixel.parameters == 1_806_275  # the bundled DDPM, as its card says
    assert latent.milliseconds > 0 and pixel.milliseconds > 0 and latent.activation_mb > 0 and pixel.activation_mb > 0


def test_views_draw_channels_word_maps_grids_and_the_diagram(hub_pipeline):
    from demos.stable_diffusion import views

    view = list(explore.text_to_image(hub_pipeline, "a red circle", "", 4.0, 2, 0, "DDIM"))[-1]
    picture = views.channels_sheet([("latent", view.latent), ("noise | prompt", view.noise_cond)])
    assert picture.dtype == np.uint8 and picture.shape[1] == 4 * (8 * views.CHANNEL_SCALE + 4) + 4
    maps = views.word_maps_sheet(explore.word_maps(hub_pipeline, "a red circle", 4.0, 2, 0))
    assert maps.dtype == np.uint8
    html = views.pipeline_diagram(explore.tensor_shapes(explore.load_pipeline(hub_pipeline)), 3, 30)
    assert "2 × 24 × 32" in html and "step 3 of 30" in html
