"""Open the suite in Chromium, visit every tab, run its main action, and save a screenshot of each
under screenshots/. Any console error, uncaught exception or error toast fails the test."""

from __future__ import annotations

import pytest

from demos import REGISTRY
from tests.browser.conftest import SCREENSHOTS, foreign_hosts, wait_for_quiet, wait_for_shown

TAB_QUIET_MS = 120_000
BUSY = ("() => [...document.querySelectorAll('[data-testid=status-tracker]')]"
        ".some(e => e.offsetParent !== null && !e.classList.contains('hide'))")


def wait_until_idle(page, timeout_ms: int = 120_000) -> None:
    """Wait for every running event to finish (no visible progress tracker)."""
    page.wait_for_timeout(300)
    wait_for_quiet(page, timeout_ms=timeout_ms)  # the event's request and its result stream are done
    page.wait_for_function(f"() => !({BUSY})()", timeout=timeout_ms)


def wait_for_text(page, elem_id: str, text: str, at_start: bool = False, timeout: int = 120_000) -> None:
    """Wait until the element's visible text starts with (at_start) or contains `text`."""
    test = "startsWith" if at_start else "includes"
    page.wait_for_function(f"() => (document.querySelector('#{elem_id}')?.innerText || '').{test}('{text}')",
                           timeout=timeout)


def error_toasts(page) -> list[str]:
    return page.locator('[data-testid="toast-body"].error').all_inner_texts()


def open_tab(page, url: str, slug: str) -> None:
    page.goto(f"{url}?tab={slug}")
    page.wait_for_selector(f"#tab-{slug}", state="visible", timeout=30_000)
    # the page-load events of every tab (hidden ones too) finish before the test acts; leaving
    # the page mid-request would abort them and log errors that are not the app's
    wait_for_quiet(page, timeout_ms=TAB_QUIET_MS)  # a loaded CI machine can take long over the first model loads
    page.wait_for_function(f"() => !({BUSY})()", timeout=120_000)  # and no event shows progress


def test_overview_links_to_tabs(page, suite_url):
    open_tab(page, suite_url, "overview")
    concept_map = page.locator("#concept-map")
    assert concept_map.is_visible()
    for needed in ("GANs", "Diffusion", "CLIP", "RLHF"):
        assert needed in concept_map.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)
    assert not page.problems and not error_toasts(page)
    # a card's link opens its tab, through the ?tab= deep link
    page.locator('#concept-map a[href="?tab=data"]').first.click()
    page.wait_for_selector("#tab-data", state="visible", timeout=30_000)
    assert "tab=data" in page.url
    assert not [p for p in page.problems if not left_behind(p)] and not error_toasts(page)


# What Chromium logs of the page a link leaves: the result stream Gradio may keep open on an idle
# session (see conftest.in_flight) is aborted by the navigation. Said of the old page, not the new.
LEAVING = ("AbortError: signal is aborted without reason", "Unexpected error Connection errored out")


def left_behind(problem: str) -> bool:
    return any(text in problem for text in LEAVING)


# where each tab's main action shows its result, and what it must show there
MAIN_OUTPUT = {
    "data": ("#data-grid", "images"), "gan": ("#gan-filmstrip", "images"), "diffusion": ("#diffusion-result", "images"),
    "flows": ("#flows-live-view", "images"), "pixelcnn": ("#pixelcnn-samples", "images"),
    "gpt": ("#gpt-chat", "answers"),
    "alignment": ("#alignment-cross-plot", "plots"), "three_d": ("#three_d-plot", "plots"), "vae": ("#vae-interp-sheet", "images"),
    "clip": ("#clip-results", "images"), "stable_diffusion": ("#sd-image", "images"),
    "arena": ("#arena-samples", "images"), "provenance": ("#provenance-picture", "images"),
}


def test_every_tab_has_its_main_output_named():
    assert set(MAIN_OUTPUT) == {spec.slug for spec in REGISTRY}


@pytest.mark.parametrize("slug", [spec.slug for spec in REGISTRY])
def test_tab_main_action(page, suite_url, slug):
    open_tab(page, suite_url, slug)
    assert page.locator("#tab-overview").is_hidden()  # the deep link opened this tab, not the first
    root, kind = MAIN_OUTPUT[slug]
    page.locator(f"#{slug}-main-action").click()
    wait_until_idle(page)
    wait_for_shown(page, root, kind)  # the action's result is on screen (a plot drawn, a picture decoded)
    page.screenshot(path=str(SCREENSHOTS / f"{slug}.png"), full_page=True)
    assert not error_toasts(page), error_toasts(page)
    assert not page.problems, page.problems
    # the page stays offline: opening the tab and running its main action asked no other host
    assert not foreign_hosts(page.requested, suite_url), foreign_hosts(page.requested, suite_url)


def test_data_tab_shows_judged_images(page, suite_url):
    open_tab(page, suite_url, "data")
    page.locator("#data-main-action").click()
    wait_until_idle(page)
    assert page.locator("#data-grid figure.judged img").count() == 24
    assert page.locator("#data-grid figure.judged.invalid").count() >= 6  # the non-shapes are caught
    assert "recognised as a valid shape" in page.locator("#data-scores").inner_text()
    page.wait_for_selector("#data-shares .js-plotly-plot", timeout=10_000)


def test_switching_tabs_updates_the_address(page, suite_url):
    slug = REGISTRY[0].slug
    open_tab(page, suite_url, slug)
    # the first tab's select when the tabs mount did not overwrite the deep link
    assert f"tab={slug}" in page.url
    page.get_by_role("tab", name="Overview").click()
    # written by the browser alone, with no round trip to the server
    page.wait_for_function("() => window.location.search.includes('tab=overview')", timeout=10_000)
    page.get_by_role("tab", name=REGISTRY[0].title).click()
    page.wait_for_function(f"() => window.location.search.includes('tab={slug}')", timeout=10_000)


def test_unknown_tab_warns_and_opens_overview(page, suite_url):
    page.goto(f"{suite_url}?tab=nope")
    page.wait_for_selector("#tab-overview", state="visible", timeout=30_000)
    page.wait_for_selector('[data-testid="toast-body"]', timeout=10_000)
    assert "no tab called 'nope'" in page.locator('[data-testid="toast-body"]').first.inner_text()


def test_bad_value_in_the_browser_shows_a_message(page, suite_url):
    """A value the server refuses shows the server's message in a toast, and the tab keeps working."""
    open_tab(page, suite_url, "data")
    box = page.locator("#data-seed input")
    box.fill("-5")
    box.press("Enter")
    page.locator("#data-main-action").click()
    page.wait_for_selector('[data-testid="toast-body"]', timeout=30_000)
    assert "seed" in page.locator('[data-testid="toast-body"]').first.inner_text().lower()
    page.problems.clear()
