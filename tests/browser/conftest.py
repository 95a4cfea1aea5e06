"""A real browser: Playwright driving the system Chromium (never a downloaded one)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
# Without the networking flags Chromium keeps trying to reach Google's services, which a closed
# network refuses, many times a second.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic"]
# Console errors that say something of this machine, not of the app: with no GPU, Model3D's
# Babylon.js tries WebGPU first (Chromium advertises it), logs this, and draws with WebGL instead.
MACHINE_NOTICES = ("A fatal error occurred during WebGPU creation/initialization",)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install chromium` to run the browser tests (CI always runs them)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageProblems(list):
    """Console errors, uncaught page errors and failed requests seen while a test ran."""


def new_page(browser):
    """A page in a context of its own that records its problems, its requests and those in flight."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    problems = PageProblems()
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" and not any(n in m.text for n in MACHINE_NOTICES) else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.problems = problems
    # every address the page asks for (requests and websockets), for the offline check
    page.requested = []
    page.on("request", lambda r: page.requested.append(r.url))
    page.on("websocket", lambda ws: page.requested.append(ws.url))
    # requests in flight, for wait_for_quiet(); the session heartbeat stays open for the whole
    # visit (Gradio opens it for per-session state that must be cleaned up), so it is not counted
    pending: set = set()
    page.on("request", lambda r: pending.add(r) if "/heartbeat/" not in r.url else None)
    page.on("requestfinished", lambda r: pending.discard(r))
    page.on("requestfailed", lambda r: pending.discard(r))
    page.pending_requests = pending
    SCREENSHOTS.mkdir(exist_ok=True)
    return page


@pytest.fixture
def page(browser):
    page = new_page(browser)
    yield page
    page.context.close()


def one_visit(slug: str):  # returns a pytest fixture
    """A `page` fixture for a test file of one tab: one visitor's page, opened on the tab once and used by
    the file's tests in turn, each on its own part of the tab (as a visitor tries one thing after another).
    Opening costs more than most steps: the suite's page and the tab's first fill took 4-9 CPU-seconds
    of Chromium here, and the VAE tab 7 s to settle (`python -m benchmarks.page_open`)."""

    @pytest.fixture(scope="module")
    def page(browser, suite_url):
        from tests.browser.test_suite_in_browser import open_tab

        page = new_page(browser)
        open_tab(page, suite_url, slug)
        yield page
        page.context.close()

    return page


def in_flight(page) -> list[str]:
    """The page's requests still open, less result streams the served app has finished with.

    Under load (two test workers on two cores), Gradio 6 sometimes leaves a session's result stream
    (`queue/data`) open after the app has sent every result and holds nothing more for the session:
    its queue is empty, no job runs, and only the stream's heartbeat goes on (seen in the state that
    `server_state.describe_server` prints). The page has its results: the tests check what it shows
    and that no progress tracker is left. The served suite runs in this process, so its queue is
    asked directly."""
    from urllib.parse import parse_qs, urlparse

    from tests.server_state import session_idle

    def finished_stream(url: str) -> bool:
        parts = urlparse(url)
        session = parse_qs(parts.query).get("session_hash", [""])[0]
        return parts.path.endswith("/queue/data") and bool(session) and session_idle(session)

    return [r.url for r in list(page.pending_requests) if not finished_stream(r.url)]


def wait_for_quiet(page, quiet_ms: int = 500, timeout_ms: int = 60_000) -> None:
    """Like Playwright's "networkidle", but blind to the long-lived session heartbeat."""
    waited = quiet = 0
    while quiet < quiet_ms:
        if waited > timeout_ms:
            from tests.server_state import describe_server

            raise TimeoutError(f"requests still in flight after {timeout_ms} ms: {in_flight(page)}\n{describe_server()}")
        page.wait_for_timeout(100)
        waited += 100
        quiet = quiet + 100 if not in_flight(page) else 0


def foreign_hosts(requested: list[str], app_url: str) -> list[str]:
    """The requests that went to any host but the app's own (a talk's network may reach nothing)."""
    from urllib.parse import urlparse

    own = urlparse(app_url).netloc
    return sorted({u for u in requested if urlparse(u).scheme in ("http", "https", "ws", "wss")
                   and urlparse(u).netloc != own})


# What a main action must leave on screen: a decoded picture (loaded, with a width), a plot with data,
# or a chat answer with text, inside `root`. Counted, so a test can require that the action added some.
SHOWN_JS = """(root) => {
  const el = document.querySelector(root);
  if (!el) return {images: 0, plots: 0, answers: 0};
  const visible = e => e.offsetParent !== null;
  return {
    images: [...el.querySelectorAll('img')].filter(i => visible(i) && i.complete && i.naturalWidth > 0).length,
    plots: [...el.querySelectorAll('.js-plotly-plot')].filter(p => visible(p) && (p.data || []).length > 0).length,
    answers: [...el.querySelectorAll('[data-testid="bot"], .message.bot, [data-testid="stChatMessage"]')]
      .filter(m => visible(m) && m.innerText.trim().length > 0).length,
  };
}"""


def shown(page, root: str) -> dict[str, int]:
    """How many decoded pictures, plots with data and chat answers with text `root` shows now."""
    return page.evaluate(SHOWN_JS, root)


def wait_for_shown(page, root: str, kind: str, timeout_ms: int = 30_000) -> None:
    """Wait until `root` shows at least one of `kind` (decoded pictures, plots with data, answers);
    the error names what it shows instead."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(f"(root) => ({SHOWN_JS})(root).{kind} >= 1", arg=root, timeout=timeout_ms)
    except PlaywrightTimeout:
        raise AssertionError(f"{root} shows no {kind} after {timeout_ms} ms: {shown(page, root)}") from None
