"""Presenter links in Chromium: ?tab=<slug>&present=1&... opens one demo full-width, in the state
the link names; "Copy link to this view" gives the same link back; bad values become notices; the
app embedded in another page through an iframe opens in the linked state."""

from __future__ import annotations

import importlib
from urllib.parse import parse_qsl, urlparse

import pytest

from demos import REGISTRY
from shared import presenter
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_suite_in_browser import error_toasts, wait_until_idle

LINKED = [spec.slug for spec in REGISTRY
          if hasattr(importlib.import_module(f"demos.{spec.slug}.options"), "LINK_PARAMS")]


def example(slug: str) -> tuple[str, dict]:
    """The demo's example link (its query) and the values it stands for."""
    options = importlib.import_module(f"demos.{slug}.options")
    values, notices = presenter.read(options.LINK_EXAMPLE, options.LINK_PARAMS)
    assert not notices
    return presenter.link(slug, values, options.LINK_PARAMS), values


# Gradio's notices fade after a few seconds: record every toast as it appears
RECORD_TOASTS = """
window.__toasts = [];
document.addEventListener('DOMContentLoaded', () => {
  new MutationObserver(() => {
    for (const t of document.querySelectorAll('[data-testid="toast-body"]')) {
      const entry = t.className + '|' + t.innerText;
      if (!window.__toasts.includes(entry)) window.__toasts.push(entry);
    }
  }).observe(document.body, {childList: true, subtree: true});
});
"""


def toasts(page, kind: str) -> list[str]:
    """The text of every toast of this kind ('warning', 'error') shown since the page opened."""
    return [e.split("|", 1)[1] for e in page.evaluate("window.__toasts || []") if kind in e.split("|", 1)[0]]


def open_link(page, url: str, slug: str) -> None:
    page.add_init_script(RECORD_TOASTS)
    page.goto(url)
    page.wait_for_selector(f"#tab-{slug}", state="visible", timeout=60_000)
    wait_until_idle(page)
    page.wait_for_timeout(500)


@pytest.mark.parametrize("slug", LINKED)
def test_a_presenter_link_opens_the_slide(page, suite_url, slug):
    query, values = example(slug)
    open_link(page, suite_url + query, slug)
    assert page.evaluate("document.body.classList.contains('genai-present')")
    assert page.locator("#suite-tabs [role=tablist]").first.is_hidden()  # no tab bar on the projector
    assert page.locator(f"#{slug}-main-action").is_visible()
    page.screenshot(path=str(SCREENSHOTS / f"presenter-{slug}.png"), full_page=False)
    assert not error_toasts(page) and not toasts(page, "warning"), (error_toasts(page), toasts(page, "warning"))
    assert not page.problems, page.problems
    # "Copy link to this view" (hidden on the projector, pressed here through the DOM) reads the
    # controls the link set, and gives the same values back
    page.evaluate(f"document.querySelector('#{slug}-copy-link').click()")
    box = page.locator(f"#{slug}-link textarea, #{slug}-link input").first
    page.wait_for_function("(el) => el.value.includes('?tab=')", arg=box.element_handle(), timeout=30_000)
    copied = urlparse(box.input_value())
    assert copied.netloc == urlparse(suite_url).netloc  # a whole link, with the app's own address
    options = importlib.import_module(f"demos.{slug}.options")
    read_back, notices = presenter.read(dict(parse_qsl(copied.query)), options.LINK_PARAMS)
    assert not notices
    assert {k: read_back[k] for k in values} == values  # every linked value reached its control
    assert not page.problems, page.problems


def test_the_gan_link_shows_the_walk(page, suite_url):
    open_link(page, suite_url + "?tab=gan&present=1&seeds=3,17,42&psi=0.7", "gan")
    assert page.locator("#gan-waypoints textarea").input_value() == "3, 17, 42"
    assert page.locator("#gan-frame-text").inner_text().startswith("Frame 0 of")
    assert not error_toasts(page)


def test_bad_link_values_are_notices_not_errors(page, suite_url):
    open_link(page, suite_url + "?tab=gan&present=1&seeds=3&psi=7&colour=blue", "gan")
    notices = " | ".join(toasts(page, "warning"))
    assert "The link's 'seeds' was ignored: The number of waypoints must be from 2 to 8; got 1." in notices
    assert "The link's 'psi' was ignored: The truncation psi must be a number from 0 to 1; got '7'." in notices
    assert "The link's 'colour' is not a setting of the GAN tab" in notices
    assert not error_toasts(page)
    page.locator("#gan-main-action").click()  # and the tab works with its defaults
    wait_until_idle(page)
    assert page.locator("#gan-frame-text").inner_text().startswith("Frame 0 of")
    page.problems.clear()  # the notices are expected


def test_embedded_in_an_iframe(page, suite_url):
    link = suite_url + "?tab=gan&present=1&seeds=3,17,42&psi=0.7"
    page.set_content(f'<h1>My talk</h1><iframe id="demo" src="{link}" width="1300" height="900" '
                     'style="border:0"></iframe>')
    frame = page.frame_locator("#demo")
    frame.locator("#gan-frame-text").filter(has_text="Frame 0 of").wait_for(timeout=120_000)
    assert frame.locator("#gan-waypoints textarea").input_value() == "3, 17, 42"
    assert frame.locator("#suite-tabs [role=tablist]").first.is_hidden()
    page.screenshot(path=str(SCREENSHOTS / "presenter-embedded.png"))
    assert not page.problems, page.problems
