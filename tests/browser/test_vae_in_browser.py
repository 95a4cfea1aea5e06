"""The VAE tab in Chromium: it opens on two data images and the walk between them, scrubs it,
draws the latent map and decodes a clicked point, samples, and scores a drawing.
Screenshots: screenshots/vae-interpolation.png, vae-map.png, vae-samples.png, vae-dimensions.png."""

from __future__ import annotations

from tests.browser.conftest import SCREENSHOTS, one_visit
from tests.browser.test_suite_in_browser import error_toasts, wait_until_idle

page = one_visit("vae")  # the file's tests share one visit to the tab, in order


def test_interpolate_and_scrub(page):
    # the tab fills itself when first opened: images A and B and the walk between them
    page.wait_for_function("() => document.querySelector('#vae-frame-text').innerText.includes('Frame 0 of 7')",
                           timeout=60_000)
    assert "small blue circle" in page.locator("#vae-caption-a").inner_text()
    page.locator("#vae-main-action").click()
    wait_until_idle(page)
    assert "8 of 8 frames read as one clean shape" in page.locator("#vae-interp-text").inner_text()
    box = page.locator("#vae-frame-slider input[type=number]")
    box.fill("4")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('#vae-frame-text').innerText.includes('Frame 4 of 7')",
                           timeout=10_000)
    text = page.locator("#vae-frame-text").inner_text()
    assert "cross-fade reads not a shape" in text and "latent walk reads not a shape" not in text, text
    page.wait_for_selector("#vae-interp-sheet img", timeout=10_000)
    page.locator("#vae-interp-sheet").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "vae-interpolation.png"), full_page=False)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)


def test_latent_map_click_decodes_the_point(page):
    page.wait_for_selector("#vae-map-plane img", timeout=60_000)
    page.wait_for_selector("#vae-map-plot .js-plotly-plot", timeout=30_000)
    wait_until_idle(page)
    page.get_by_role("button", name="Place A and B on the map").click()
    wait_until_idle(page)
    plane = page.locator("#vae-map-plane img")
    plane.scroll_into_view_if_needed()
    box = plane.bounding_box()
    plane.click(position={"x": box["width"] / 2, "y": box["height"] / 2})  # the centre: z = (0, 0)
    page.wait_for_function("() => document.querySelector('#vae-map-point-text').innerText.includes('decodes to')",
                           timeout=15_000)
    assert "z = (+0.0" in page.locator("#vae-map-point-text").inner_text().replace("-0.0", "+0.0")
    page.locator("#vae-map-plot").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "vae-map.png"), full_page=False)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)


def test_samples_beta_comparison_and_anomaly(page):
    page.wait_for_function("() => document.querySelector('#vae-samples-text').innerText.includes('samples read as')",
                           timeout=60_000)
    wait_until_idle(page)
    page.get_by_role("button", name="Compare the KL weights").click()
    page.wait_for_function("() => document.querySelector('#vae-beta-table').innerText.includes('β = 24')",
                           timeout=120_000)
    page.get_by_role("button", name="Score image A").click()
    page.wait_for_function("() => document.querySelector('#vae-anomaly-text').innerText.includes('Verdict')",
                           timeout=60_000)
    assert "looks like the training data" in page.locator("#vae-anomaly-text").inner_text()
    page.locator("#vae-samples").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "vae-samples.png"), full_page=False)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)


def test_one_dimension_at_a_time(page):
    page.wait_for_function("() => document.querySelector('#vae-caption-a').innerText.includes('blue circle')",
                           timeout=60_000)
    wait_until_idle(page)
    page.get_by_role("button", name="Start from image A").click()
    page.wait_for_function("() => document.querySelector('#vae-dims-text').innerText.includes('Decoded: blue circle')",
                           timeout=60_000)
    page.get_by_role("button", name="Measure what each dimension moves").click()
    page.wait_for_function("() => document.querySelector('#vae-dims-summary').innerText.includes('dimensions carry')",
                           timeout=120_000)
    page.wait_for_selector("#vae-traversal img", timeout=10_000)
    page.locator("#vae-dims-image").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "vae-dimensions.png"), full_page=False)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)
