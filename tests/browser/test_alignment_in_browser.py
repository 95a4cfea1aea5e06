"""The Alignment tab in Chromium: the three stages answer side by side, then the vote-and-tune loop
as a visitor drives it: eight pairs drawn and voted on, a live DPO on the votes streamed to its end,
and the next pair drawn from the tuned model. Screenshots: screenshots/alignment-compare.png,
alignment-tuned.png."""

from __future__ import annotations

from demos.alignment import options
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_suite_in_browser import error_toasts, open_tab, wait_for_text, wait_until_idle


def test_three_stages_then_votes_tune_the_model(page, suite_url):
    open_tab(page, suite_url, "alignment")
    page.wait_for_selector("#alignment-dpo-curves .js-plotly-plot", timeout=60_000)  # TRL's stored curves on open
    wait_for_text(page, "alignment-worked", "margin =")
    page.locator("#alignment-main-action").click()
    wait_for_text(page, "alignment-answer-1", "discriminator")
    page.wait_for_selector("#alignment-cross-plot .js-plotly-plot", timeout=30_000)
    assert "SFT (taught by examples)" in page.locator("#alignment-answer-1").inner_text()
    wait_until_idle(page)
    page.screenshot(path=str(SCREENSHOTS / "alignment-compare.png"), full_page=False)

    for n in range(1, options.MIN_VOTES + 1):
        page.locator("#alignment-draw").click()
        wait_for_text(page, "alignment-a", "A.")
        wait_until_idle(page)
        page.locator("#alignment-vote-a" if n % 2 else "#alignment-vote-b").click()
        wait_for_text(page, "alignment-book", f"{n} vote")
        wait_until_idle(page)
    assert "8 votes" in page.locator("#alignment-book").inner_text()
    steps = page.locator("#alignment-steps input[type=number]")
    steps.fill("4")
    steps.press("Enter")
    page.locator("#alignment-tune").click()
    wait_for_text(page, "alignment-tune-status", "Tuned: 4 steps on 8 votes", at_start=True)
    wait_for_text(page, "alignment-book", "tuned 1 time")
    page.wait_for_selector("#alignment-tune-plot .js-plotly-plot", timeout=30_000)
    page.locator("#alignment-draw").click()
    wait_for_text(page, "alignment-a", "A.")
    wait_until_idle(page)
    page.locator("#alignment-tune-plot").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "alignment-tuned.png"))
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)
