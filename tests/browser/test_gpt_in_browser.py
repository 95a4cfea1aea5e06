"""The GPT tab in Chromium: a chat answer streams from the bundled model, its tokens appear and a
click on one draws that position's next-token distribution; the attention map and a few seconds of
live pre-training follow. Screenshots: screenshots/gpt-chat.png, gpt-attention.png, gpt-pretrain.png."""

from __future__ import annotations

from tests.browser.conftest import SCREENSHOTS, one_visit
from tests.browser.test_suite_in_browser import error_toasts, wait_for_text, wait_until_idle

page = one_visit("gpt")  # the file's tests share one visit to the tab, in order


def test_chat_tokens_distribution_and_attention(page):
    page.locator("#gpt-main-action").click()
    wait_for_text(page, "gpt-status", "tokens/s); stopped")
    wait_until_idle(page)
    assert page.locator("#gpt-chat .message").count() >= 2  # the user's message and the answer
    # the default model is the bundled assistant, and the default question is about a concept it knows
    answer = page.locator("#gpt-chat .message").last.inner_text()
    assert "generator" in answer and "discriminator" in answer, answer
    page.wait_for_selector("#gpt-distribution .js-plotly-plot", timeout=30_000)
    spans = page.locator("#gpt-tokens .token")
    assert spans.count() > 3
    spans.nth(2).click()
    page.wait_for_function("() => (document.querySelector('#gpt-distribution')?.innerText || '').includes('Position 2')",
                           timeout=30_000)
    wait_until_idle(page)
    page.locator("#gpt-tokens").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "gpt-chat.png"), full_page=True)

    page.locator("#gpt-attention-action").click()
    page.wait_for_selector("#gpt-attention .js-plotly-plot", timeout=30_000)
    wait_until_idle(page)
    page.locator("#gpt-attention").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "gpt-attention.png"))
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)


def test_pretraining_live(page):
    page.wait_for_function("() => (document.querySelector('#gpt-train-text textarea')?.value || '').length > 1000",
                           timeout=30_000)
    box = page.locator("#gpt-train-seconds input[type=number]")
    box.fill("8")
    box.press("Enter")
    page.locator("#gpt-train-action").click()
    wait_for_text(page, "gpt-train-status", "Done: step", at_start=True)
    wait_until_idle(page)
    page.wait_for_selector("#gpt-loss .js-plotly-plot", timeout=30_000)
    page.locator("#gpt-loss").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "gpt-pretrain.png"))
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)
