"""The Stable Diffusion tab in Chromium: generate from a prompt (streamed), then the word maps and
the guidance grid, a free prompt, image to image from the data image the page holds. Screenshots:
screenshots/stable_diffusion-generate.png, stable_diffusion-words.png, stable_diffusion-free-prompt.png,
stable_diffusion-image-to-image.png."""

from __future__ import annotations

from demos.stable_diffusion import options, views
from shared import datasets
from tests.browser.conftest import SCREENSHOTS, one_visit
from tests.browser.test_suite_in_browser import error_toasts, wait_for_text, wait_until_idle

page = one_visit("stable_diffusion")  # the file's tests share one visit to the tab, in order


def test_generate_then_word_maps_and_grid(page):
    page.locator("#sd-prompt textarea").fill("a large green square in the center")
    page.locator("#stable_diffusion-main-action").click()
    wait_for_text(page, "sd-status", "Step 30 of 30", at_start=True)
    wait_until_idle(page)
    page.wait_for_selector("#sd-image img", timeout=10_000)
    assert "text embeddings" in page.locator("#sd-diagram").inner_text()
    page.locator("#sd-image").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "stable_diffusion-generate.png"), full_page=False)
    page.locator("#sd-words").click()
    wait_for_text(page, "sd-words-text", "Each map")
    page.locator("#sd-grid-btn").click()
    wait_until_idle(page)
    page.wait_for_selector("#sd-grid img", timeout=60_000)
    page.locator("#sd-word-maps").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "stable_diffusion-words.png"), full_page=False)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)


FREE_PROMPT = "Please draw a BIG scarlet star, top-left!"
FREE_NOTICE = "In the prompt: 'scarlet' is not a word this model knows: read as 'red'."


def test_a_free_prompt_draws_an_image_and_names_the_word_it_read_as_another(page):
    page.locator("#sd-prompt textarea").fill(FREE_PROMPT)
    page.locator("#stable_diffusion-main-action").click()
    # (wait_for_text's JavaScript string cannot hold quotes; the status still holds the last run's "Step 30 of 30")
    wait_for_text(page, "sd-status", "is not a word this model knows")
    wait_for_text(page, "sd-status", "Step 30 of 30")
    wait_until_idle(page)
    assert page.locator("#sd-status").inner_text().startswith(FREE_NOTICE)
    page.wait_for_selector("#sd-image img", timeout=10_000)
    assert page.locator("#sd-image img").first.evaluate("img => img.naturalWidth") == 256
    page.locator("#sd-known-words").get_by_text("Words this model knows").click()  # the folded panel opens
    page.wait_for_selector("#sd-known-words >> text=crimson", timeout=10_000)
    page.locator("#sd-image").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "stable_diffusion-free-prompt.png"), full_page=False)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)


def test_image_to_image_starts_from_the_data_image_the_page_holds(page):
    # the starting image is in the page (not written by an event on opening): its caption shows at once
    caption = datasets.data_image(options.DEFAULT_IMAGE_SEED)[1]
    assert page.locator("#sd-start-image").evaluate(
        "e => e.closest('.column').innerText").count(caption) == 1, caption
    page.locator("#sd-i2i-btn").scroll_into_view_if_needed()
    page.locator("#sd-i2i-btn").click()
    wait_for_text(page, "sd-i2i-text", "Strength")
    wait_until_idle(page)
    assert page.locator("#sd-i2i-text").inner_text() == views.image_to_image_note(options.DEFAULT_STRENGTH,
                                                                                options.DEFAULT_STEPS)
    page.wait_for_selector("#sd-i2i img", timeout=10_000)
    assert page.locator("#sd-i2i img").first.evaluate("img => img.naturalWidth") == 256
    page.screenshot(path=str(SCREENSHOTS / "stable_diffusion-image-to-image.png"), full_page=False)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)
