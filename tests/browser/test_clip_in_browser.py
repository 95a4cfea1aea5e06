"""The CLIP tab in Chromium: it opens on the default query's results, searches by text, then by an
image taken from the data, classifies it zero-shot, trains a small CLIP live and projects the space.
Screenshots: screenshots/clip-search.png, clip-image-search.png, clip-live.png, clip-space.png."""

from __future__ import annotations

from tests.browser.conftest import SCREENSHOTS, one_visit
from tests.browser.test_suite_in_browser import error_toasts, wait_until_idle

page = one_visit("clip")  # the file's tests share one visit to the tab, in order


def summary_has(page, text: str, timeout: int = 60_000) -> None:
    page.wait_for_function("t => document.querySelector('#clip-summary').innerText.includes(t)", arg=text,
                           timeout=timeout)


def test_search_by_text_then_by_image(page):
    summary_has(page, "to a large red star", timeout=120_000)  # the tab fills itself: the default query's results
    wait_until_idle(page)
    query = page.locator("#clip-query textarea")
    query.fill("a small green triangle at the bottom left")
    page.locator("#clip-main-action").click()
    summary_has(page, "to a small green triangle at the bottom left")
    wait_until_idle(page)
    page.wait_for_selector("#clip-results img", timeout=10_000)
    rows = page.locator("#clip-summary table tbody tr")
    assert rows.count() == 12 and "small green triangle" in rows.first.inner_text()
    page.locator("#clip-results").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "clip-search.png"), full_page=False)

    page.get_by_label("Data image").fill("124")
    page.get_by_role("button", name="Use data image").click()
    page.wait_for_function("() => document.querySelector('#clip-image-caption').innerText.includes('data image 124')",
                           timeout=30_000)
    caption = page.locator("#clip-image-caption").inner_text()
    page.locator("#clip-image-search").click()
    summary_has(page, "to an image")
    wait_until_idle(page)
    described = caption.split(" (data image")[0].strip("* ")  # the data image's own caption
    first = page.locator("#clip-summary table tbody tr").first.inner_text()
    assert described in first, (described, first)
    page.locator("#clip-zero-shot").click()
    page.wait_for_function("() => document.querySelector('#clip-zero-text').innerText.includes('%')", timeout=30_000)
    page.locator("#clip-results").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "clip-image-search.png"), full_page=False)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)


def test_live_training_and_the_space(page):
    wait_until_idle(page)
    # 30 steps: on a loaded 2-core machine (the other test worker training beside it) 100 steps took
    # over two minutes, more than one press of Start trains
    page.get_by_label("Training steps").first.fill("30")
    page.get_by_label("Training steps").first.press("Enter")
    wait_until_idle(page)
    page.locator("#clip-live-start").click()
    page.wait_for_function("() => document.querySelector('#clip-live-status').innerText.includes('step 30 of 30')",
                           timeout=240_000)
    wait_until_idle(page)
    page.locator("#clip-live-heatmap").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "clip-live.png"), full_page=False)
    page.locator("#clip-project").click()
    page.wait_for_function("() => document.querySelector('#clip-space-text').innerText.includes('held-out images')",
                           timeout=60_000)
    page.wait_for_selector("#clip-space-plot .js-plotly-plot", timeout=30_000)
    page.locator("#clip-space-plot").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "clip-space.png"), full_page=False)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)
