"""The diffusion tab in Chromium: the forward process follows the t slider; training and sampling
on 2-D points streams and ends in a replayable flow. Screenshot: screenshots/diffusion-flow.png."""

from __future__ import annotations

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_suite_in_browser import error_toasts, open_tab, wait_until_idle


def test_forward_process_and_live_flow(page, suite_url):
    open_tab(page, suite_url, "diffusion")
    page.wait_for_selector("#diffusion-forward-row img", timeout=30_000)
    page.wait_for_selector("#diffusion-schedules .js-plotly-plot", timeout=30_000)
    box = page.locator("#diffusion-t input[type=number]")
    box.fill("900")
    box.press("Enter")
    wait_until_idle(page)
    page.locator("#diffusion-main-action").click()
    page.wait_for_function("() => document.querySelector('#diffusion-status').innerText.startsWith('Trained')",
                           timeout=120_000)
    wait_until_idle(page)
    assert page.locator("#diffusion-flow img").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "diffusion-flow.png"), full_page=True)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)
