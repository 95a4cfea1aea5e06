"""`streamlit run streamlit_app.py` in Chromium: open every page, press its main action, and fail on
an exception shown on the page, a console error, or a request to any host but the app's own.
Screenshots go to screenshots/streamlit_<page>.png."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from demos import REGISTRY
from tests.browser.conftest import SCREENSHOTS, foreign_hosts, new_page, shown
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
RUNNING = "[data-testid='stApp'][data-test-script-state='running']"  # while the script (or a fragment) runs
EXCEPTIONS = "[data-testid='stException']"
MAIN = "[data-testid='stMain']"
MAIN_OUTPUT_KIND = {"gpt": "answers", "three_d": "plots", "alignment": "plots"}  # what each page's main action adds (else pictures)
SHOWN_ON_OPEN = {"clip", "vae", "flows"}  # pages that open on their main action's default result


@pytest.fixture(scope="module")
def streamlit_url():
    """streamlit_app.py served by `streamlit run`, as `make streamlit` serves it."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"streamlit did not start:\n{server.stdout.read()[-3000:]}")
        time.sleep(0.3)
    yield url
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


def wait_until_done(page, timeout_ms: int = 180_000) -> None:
    """Wait for the script run (and any rerun it triggers) to finish."""
    page.wait_for_timeout(400)
    quiet_since = None
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        if page.locator(RUNNING).count() == 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 1.0:
                return
        else:
            quiet_since = None
        page.wait_for_timeout(200)
    raise TimeoutError(f"the page was still running after {timeout_ms} ms")


def open_page(page, url: str) -> list[str]:
    """Open the app on its overview; page.requested records every request the page makes."""
    page.goto(url)
    page.wait_for_selector("[data-testid='stSidebarNav']", timeout=60_000)
    wait_until_done(page)
    return page.requested


def go_to(page, title: str) -> None:
    """Follow the sidebar's link to the page with this title, as a visitor does (opening /<page>
    directly makes Streamlit's client try /<page>/_stcore/... first, which logs 404s), and wait for
    its script to finish."""
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title, exact=True).click()
    wait_until_done(page)


@pytest.fixture(scope="module")
def visitor(browser, streamlit_url):
    """One visitor's tab, opened on the overview once and led from page to page through the sidebar
    by the tests below, as a person tours the app (a page's problems are cleared when it is left)."""
    page = new_page(browser)
    open_page(page, streamlit_url)
    yield page
    page.context.close()


def test_overview_lists_every_page(page, streamlit_url):
    requests = open_page(page, streamlit_url)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    for spec in REGISTRY:
        assert spec.title in nav
    assert "GANs" in page.locator("[data-testid='stMain']").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "streamlit_overview.png"), full_page=True)
    assert page.locator(EXCEPTIONS).count() == 0
    assert not page.problems, page.problems
    assert not foreign_hosts(requests, streamlit_url)


@pytest.mark.parametrize("slug", [spec.slug for spec in REGISTRY])
def test_page_main_action(visitor, streamlit_url, slug):
    page = visitor
    page.problems.clear()
    go_to(page, next(s.title for s in REGISTRY if s.slug == slug))
    requests = page.requested
    assert page.url.rstrip("/").endswith(f"/{slug}")
    assert page.locator(EXCEPTIONS).count() == 0, page.locator(EXCEPTIONS).all_inner_texts()
    before = shown(page, MAIN)
    page.locator(f".st-key-{slug}-main-action button").click()
    wait_until_done(page)
    page.wait_for_timeout(500)  # let plots finish drawing before the picture
    page.screenshot(path=str(SCREENSHOTS / f"streamlit_{slug}.png"), full_page=True)
    kind = MAIN_OUTPUT_KIND.get(slug, "images")
    after = shown(page, MAIN)
    if slug in SHOWN_ON_OPEN:  # the default result is there from the first moment, and stays after the press
        assert before[kind] >= 1 and after[kind] >= before[kind], (kind, before, after)
    else:
        assert after[kind] > before[kind], (kind, before, after)  # the action added its result to the page
    assert page.locator(EXCEPTIONS).count() == 0, page.locator(EXCEPTIONS).all_inner_texts()
    errors = page.locator("[data-testid='stAlertContentError']").all_inner_texts()
    assert not errors, errors
    assert not page.problems, page.problems
    assert not foreign_hosts(requests, streamlit_url), foreign_hosts(requests, streamlit_url)
