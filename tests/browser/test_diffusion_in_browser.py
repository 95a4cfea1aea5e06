"""The diffusion tab in Chromium: the forward process follows the t slider; the bundled model samples
step by step and the slider scrubs back through the steps; samplers compare side by side; a region
is inpainted; training and sampling on 2-D points streams and ends in a replayable flow.
Screenshots: screenshots/diffusion-sampling.png, diffusion-inpainting.png, diffusion-flow.png."""

from __future__ import annotations

from tests.browser.conftest import SCREENSHOTS, one_visit
from tests.browser.test_suite_in_browser import error_toasts, wait_for_text, wait_until_idle

page = one_visit("diffusion")  # the file's tests share one visit to the tab, in order


def test_forward_process_and_live_flow(page):
    page.wait_for_selector("#diffusion-forward-row img", timeout=30_000)
    page.wait_for_selector("#diffusion-schedules .js-plotly-plot", timeout=30_000)
    box = page.locator("#diffusion-t input[type=number]")
    box.fill("900")
    box.press("Enter")
    wait_until_idle(page)
    page.locator("#diffusion-toy-action").click()
    page.wait_for_function("() => document.querySelector('#diffusion-status').innerText.startsWith('Trained')",
                           timeout=120_000)
    wait_until_idle(page)
    assert page.locator("#diffusion-flow img").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "diffusion-flow.png"), full_page=True)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)


def test_sample_scrub_compare_and_inpaint(page):
    page.locator("#diffusion-main-action").click()
    wait_for_text(page, "diffusion-sample-status", "Done", at_start=True)
    page.wait_for_selector("#diffusion-result img", timeout=60_000)
    page.wait_for_selector("#diffusion-gif a, #diffusion-gif .file-preview", timeout=60_000)
    wait_until_idle(page)
    last_step = page.locator("#diffusion-steps img").get_attribute("src")
    box = page.locator("#diffusion-scrub input[type=number]")
    box.fill("5")
    box.press("Enter")
    page.wait_for_function("(src) => document.querySelector('#diffusion-steps img').getAttribute('src') !== src",
                           arg=last_step, timeout=30_000)
    page.locator("#diffusion-compare").click()
    page.wait_for_function("() => document.querySelectorAll('#diffusion-compare-sheet img').length > 0", timeout=120_000)
    wait_until_idle(page)
    page.locator("#diffusion-steps").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "diffusion-sampling.png"), full_page=True)

    page.locator("#diffusion-inpaint").click()
    wait_for_text(page, "diffusion-inpaint-status", "Done", at_start=True)
    wait_until_idle(page)
    page.locator("#diffusion-inpaint-steps").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "diffusion-inpainting.png"))
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)
