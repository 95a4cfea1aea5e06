"""The PixelCNN page under AppTest: it opens on the receptive field and the bits of the default
held-out image as the logic draws them; Sample and Complete stream the logic's pictures to their
last frame; a bad upload gets the tab's message."""

from __future__ import annotations

from demos.pixelcnn import explore, field, views
from demos.pixelcnn import wording as words
from demos.pixelcnn.options import DEFAULTS
from shared.image_files import png_bytes
from tests.st_pages.conftest import shows_picture

SLUG = "pixelcnn"


def markdowns(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_open_sample_and_complete(open_page):
    at = open_page(SLUG)
    f = field.receptive_field(DEFAULTS.row, DEFAULTS.col)
    assert shows_picture(at, png_bytes(views.field_picture(f))) and words.field_status(f) in markdowns(at)
    bits = explore.pixel_bits(explore.held_out_image(DEFAULTS.image))
    assert shows_picture(at, png_bytes(views.bits_picture(bits))) and words.bits_status(bits, DEFAULTS.image) in markdowns(at)
    assert words.READY in markdowns(at) and words.COMPLETE_READY in markdowns(at)

    at.slider(key="pixelcnn-n").set_value(3).run()
    at.button(key="pixelcnn-main-action").click().run()
    last = list(explore.stream_samples(3, DEFAULTS.seed, DEFAULTS.temperature))[-1]
    assert last.done and shows_picture(at, png_bytes(views.samples_picture(last)))
    assert words.status_of(last) in markdowns(at)

    at.slider(key="pixelcnn-completions").set_value(2).run()
    at.button(key="pixelcnn-complete").click().run()
    last = list(explore.stream_completions(DEFAULTS.image, DEFAULTS.rows_kept, 2, DEFAULTS.seed, DEFAULTS.temperature))[-1]
    original = explore.held_out_image(DEFAULTS.image)
    assert shows_picture(at, png_bytes(views.samples_picture(last, original=original)))
    assert words.status_of(last, completing=True) in markdowns(at)


def test_a_pixel_row_moves_the_field(open_page):
    at = open_page(SLUG)
    at.slider(key="pixelcnn-row").set_value(5).run()
    f = field.receptive_field(5, DEFAULTS.col)
    assert shows_picture(at, png_bytes(views.field_picture(f))) and words.field_status(f) in markdowns(at)
