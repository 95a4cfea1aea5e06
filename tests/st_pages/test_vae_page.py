"""The VAE page under AppTest: its sections call demos/vae/views.py and show what those functions
return for the same images and settings; bad values and bad files get the Gradio tab's messages."""

from __future__ import annotations

import io

import numpy as np

from demos.vae import options, views
from tests.st_pages.conftest import shown_errors

SLUG = "vae"


def markdowns(at) -> list[str]:
    return [m.value for m in at.markdown]


def default_images() -> tuple[np.ndarray, np.ndarray]:
    return views.data_picture(options.DEFAULT_SEEDS[0])[0], views.data_picture(options.DEFAULT_SEEDS[1])[0]


def test_interpolate_and_scrub(open_page):
    at = open_page(SLUG)
    a, b = default_images()
    opened = views.interpolation(a, b)  # the page opens on the walk between the default images
    assert opened.summary in markdowns(at)

    at.slider(key="vae-frames").set_value(4)
    at.radio(key="vae-mode").set_value("lerp")
    at.button(key=f"{SLUG}-main-action").click().run()
    assert not shown_errors(at)
    view = views.interpolation(a, b, frames=4, mode="lerp")
    shown = at.session_state["vae-interpolation"]
    assert np.array_equal(shown.latent, view.latent) and shown.latent_verdicts == view.latent_verdicts
    assert view.summary in markdowns(at) and views.frame_text(view, 0) in markdowns(at)

    at.slider(key="vae-frame").set_value(2).run()
    assert views.frame(view, 2)[2] in markdowns(at)


def test_sections_show_what_the_logic_returns(open_page):
    at = open_page(SLUG)
    a, _ = default_images()
    _, sample_text = views.samples()  # the samples are filled on open with the defaults
    assert sample_text in markdowns(at)

    at.button(key="vae-start-from-a").click().run()
    start = views.start_from_image(a)
    assert [at.slider(key=f"vae-dim-{i}").value for i in range(options.LATENT_DIMS)] == list(start.values)
    assert views.decode_sliders(options.DEFAULT_BETA, start.values)[1] in markdowns(at)

    at.button(key="vae-reconstruct").click().run()
    assert views.reconstruction(a).text in markdowns(at)


def _png(image: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG")
    return buf.getvalue()


def test_uploads_and_bad_values_get_the_tabs_messages(open_page):
    at = open_page(SLUG)
    picture = views.data_picture(7)[0]
    at.file_uploader(key="vae-upload-a").set_value(("mine.png", _png(views.zoom(picture)), "image/png")).run()
    assert not shown_errors(at)
    assert np.array_equal(at.session_state["vae-images"]["A"][0], picture)  # 8x enlarged, read back to 32x32

    at.file_uploader(key="vae-upload-b").set_value(("notes.png", b"not a picture", "image/png")).run()
    assert shown_errors(at) == ["The file is not an image that can be opened (PNG, JPEG, WebP, BMP, GIF, TIFF...)."]

    at.number_input(key="vae-seed-a").set_value(-5)
    at.button(key="vae-pick-a").click().run()
    assert shown_errors(at) == ["The seed must be from 0 to 4294967295; got -5."]

    at.button(key="vae-photo-interpolate").click().run()
    assert shown_errors(at) == ["Upload photo A first."]
