"""The Flows tab's image flow in Chromium: asked for blue stars, it draws them, each tile captioned
with what it was told. Screenshot: screenshots/flows-told.png."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from tests.browser.conftest import SCREENSHOTS, one_visit
from tests.browser.test_gan_in_browser import pick
from tests.browser.test_pixelcnn_in_browser import blue_tiles
from tests.browser.test_suite_in_browser import error_toasts, wait_for_text, wait_until_idle

page = one_visit("flows")

MIN_BLUE_TILES = 12  # of 16: the classifier reads 100% of told colours as told (the card), the pixels 16 of these 16


def sheet_tiles(png: bytes, n: int = 16, columns: int = 8, scale: int = 4) -> np.ndarray:
    """The n samples of a captioned samples sheet (shared.contact_sheet.sheet), (n, 32, 32, 3)."""
    from shared.contact_sheet import SHEET_LABEL_H, SHEET_PAD

    picture, side = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")), 32 * scale
    out = []
    for k in range(n):
        y = SHEET_PAD + (k // columns) * (side + SHEET_LABEL_H + SHEET_PAD)
        x = SHEET_PAD + (k % columns) * (side + SHEET_PAD)
        out.append(picture[y:y + side:scale, x:x + side:scale])
    return np.stack(out)


def test_told_blue_stars_the_image_flow_draws_them(page):
    pick(page, "flows-image-shape", "star")
    pick(page, "flows-image-colour", "blue")
    page.locator("#flows-sample-images").click()
    wait_for_text(page, "flows-image-samples-status", "Each told what is written under it.", timeout=60_000)
    wait_until_idle(page)
    blue = blue_tiles(page, "#flows-image-samples img", sheet_tiles)
    assert blue.sum() >= MIN_BLUE_TILES, blue
    # the surprise's pictures, filled on open: a lazy image, loaded as a visitor scrolls down to it
    page.locator("#flows-surprise").scroll_into_view_if_needed()
    page.wait_for_selector("#flows-surprise-examples img", timeout=30_000)
    page.locator("#flows-image-samples").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "flows-told.png"), full_page=True)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)
