"""The GAN tab in Chromium: a walk scrubbed frame by frame, grid tiles as waypoints, a few seconds
of live training that pauses when asked, and the conditional GAN asked for blue and purple.
Screenshots: screenshots/gan-walk.png, gan-training.png, gan-conditional-*.png, gan-class-walk.png."""

from __future__ import annotations

import io
import re

import numpy as np
from PIL import Image

from tests.browser.conftest import SCREENSHOTS, one_visit
from tests.browser.test_suite_in_browser import error_toasts, wait_for_text, wait_until_idle

page = one_visit("gan")  # the file's tests share one visit to the tab, in order

# of the 16 tiles of a grid asked for one colour, at least this many the pixels read as that colour
MIN_TILES_OF_THE_COLOUR = 12


def status_step(page) -> int:
    text = page.locator("#gan-train-status").inner_text()
    return int(re.search(r"Step ([\d,]+)", text).group(1).replace(",", ""))


def steady_step(page, timeout_s: float = 20.0) -> int:
    """The step shown once it stops changing (Pause answers within a training chunk)."""
    last, waited = status_step(page), 0.0
    while waited < timeout_s:
        page.wait_for_timeout(1_000)
        waited += 1.0
        now = status_step(page)
        if now == last:
            return now
        last = now
    raise AssertionError(f"training went on after Pause: {page.locator('#gan-train-status').inner_text()}")


def test_walk_and_scrub(page):
    page.locator("#gan-main-action").click()
    page.wait_for_selector("#gan-filmstrip img", timeout=60_000)
    wait_until_idle(page)
    assert "Frame 0 of 36" in page.locator("#gan-frame-text").inner_text()
    box = page.locator("#gan-frame-slider input[type=number]")
    box.fill("20")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('#gan-frame-text').innerText.includes('Frame 20 of 36')",
                           timeout=10_000)
    page.wait_for_selector("#gan-p-real .js-plotly-plot", timeout=10_000)
    page.screenshot(path=str(SCREENSHOTS / "gan-walk.png"), full_page=True)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)


def test_grid_tile_becomes_a_waypoint(page):
    page.get_by_role("button", name="Sample grid").click()
    wait_until_idle(page)
    # the grid is one picture of 8 x 2 tiles: click the middle of the fifth (seed 0 + 4)
    grid = page.locator("#gan-grid img")
    box = grid.bounding_box()
    natural = grid.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    k = box["width"] / natural[0]
    grid.click(position={"x": (4 + 4 * (128 + 4) + 64) * k, "y": (4 + 64) * k})
    page.wait_for_function("() => document.querySelector('#gan-waypoints textarea').value.trim().endsWith('4')",
                           timeout=10_000)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)


def test_live_training_runs_and_pauses(page):
    page.wait_for_function("() => document.querySelector('#gan-train-status').innerText.includes('Step 0')",
                           timeout=30_000)
    page.locator("#gan-preset input").click()
    page.get_by_role("option", name="Fixed: fast critic + R1").click()
    page.wait_for_function("() => document.querySelector('#gan-preset-text').innerText.includes('R1 gradient')",
                           timeout=10_000)
    wait_until_idle(page)
    page.locator("#gan-train-start").click()
    page.wait_for_timeout(5_000)  # some steps trained and drawn (each second here costs a core: the run and its frames)
    running = status_step(page)
    assert running > 0
    # pressed through the DOM: on a loaded machine the renderer, drawing the live frames several
    # times a second, can hold a pointer click back past any wait (seen at 90 s under two workers)
    page.evaluate("document.querySelector('#gan-train-pause').click()")
    paused = steady_step(page)
    assert paused >= running
    page.wait_for_timeout(1_500)
    assert status_step(page) == paused, "training went on after Pause"
    page.locator("#gan-train-view").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "gan-training.png"), full_page=True)
    page.locator("#gan-train-step").click()
    page.wait_for_function(f"() => document.querySelector('#gan-train-status').innerText.includes('Step {paused + 1:,}')",
                           timeout=10_000)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)


def grid_tiles(png: bytes) -> np.ndarray:
    """The 16 samples of a grid picture (8 a row, each at 4x), uint8 (16, 32, 32, 3)."""
    from shared.contact_sheet import tiles

    return tiles(np.asarray(Image.open(io.BytesIO(png)).convert("RGB")), 16, columns=8, scale=4)


def pick(page, elem_id: str, option: str) -> None:
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_told_blue_and_purple_it_draws_them(page):
    """The colours the unconditional GAN never draws, asked for in the browser: the grid it shows
    is read by the pixels alone (shared/pixel_check.py) as that colour, tile by tile."""
    from shared.datasets import LABEL_NAMES
    from shared.pixel_check import pixel_check

    for shape, colour in (("star", "blue"), ("any", "purple")):
        pick(page, "gan-cond-shape", shape)
        pick(page, "gan-cond-colour", colour)
        page.locator("#gan-cond-draw").click()
        asked = f"Asked for a {colour} {shape}" if shape != "any" else f"Asked for {colour}, any shape"
        wait_for_text(page, "gan-cond-text", asked, timeout=60_000)
        wait_until_idle(page)
        src = page.locator("#gan-cond-grid img").get_attribute("src")
        tiles = grid_tiles(page.request.get(src).body())
        drawn = pixel_check(tiles).colour == LABEL_NAMES["colour"].index(colour)
        assert drawn.sum() >= MIN_TILES_OF_THE_COLOUR, (colour, drawn)
        page.locator("#gan-cond-grid").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"gan-conditional-{colour}.png"), full_page=True)
    page.locator("#gan-class-walk-go").click()
    wait_for_text(page, "gan-class-walk-text", "the label decides what is drawn", timeout=60_000)
    wait_until_idle(page)
    page.locator("#gan-class-walk").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "gan-class-walk.png"), full_page=True)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)
