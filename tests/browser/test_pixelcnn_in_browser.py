"""The PixelCNN tab in Chromium: asked for blue stars, it draws them, pixel by pixel, each tile
captioned with what it was told. Screenshot: screenshots/pixelcnn-told.png."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image

from tests.browser.conftest import SCREENSHOTS, one_visit
from tests.browser.test_gan_in_browser import pick
from tests.browser.test_suite_in_browser import error_toasts, wait_for_text, wait_until_idle

page = one_visit("pixelcnn")

MIN_BLUE_TILES = 12  # of 16: the classifier reads 95.9% of told colours as told (the card)


def sample_tiles(png: bytes, n: int = 16, columns: int = 4, scale: int = 4) -> np.ndarray:
    """The n samples of a finished samples picture (views.samples_picture: captioned rows), (n, 32, 32, 3)."""
    from demos.pixelcnn.views import CAPTION_H, PAD

    picture, side = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")), 32 * scale
    out = []
    for k in range(n):
        y, x = PAD + (k // columns) * (side + PAD + CAPTION_H), PAD + (k % columns) * (side + PAD)
        out.append(picture[y:y + side:scale, x:x + side:scale])
    return np.stack(out)


def blue_tiles(page, picture: str, tiles_of: Callable[[bytes], np.ndarray]) -> np.ndarray:
    """(n,) bool: which tiles of the picture an <img> (CSS selector `picture`) shows the pixels alone read as blue."""
    from shared.datasets import LABEL_NAMES
    from shared.pixel_check import pixel_check

    src = page.locator(picture).get_attribute("src")
    return pixel_check(tiles_of(page.request.get(src).body())).colour == LABEL_NAMES["colour"].index("blue")


def test_told_blue_stars_it_draws_them(page):
    pick(page, "pixelcnn-shape", "star")
    pick(page, "pixelcnn-colour", "blue")
    page.locator("#pixelcnn-main-action").click()
    wait_for_text(page, "pixelcnn-status", "16 images drawn", timeout=60_000)
    wait_until_idle(page)
    blue = blue_tiles(page, "#pixelcnn-samples img", sample_tiles)
    assert blue.sum() >= MIN_BLUE_TILES, blue
    page.locator("#pixelcnn-samples").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "pixelcnn-told.png"), full_page=True)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)
