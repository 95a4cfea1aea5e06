"""How soon a visitor sees something after pressing each tab's main action on a fresh server, in Chromium.

The goal (issue 32): every main action at its defaults answers within 3 s on a fresh server, or streams
visible progress from its first 200 ms. For each tab, on a page of a suite just started (`python app.py`,
its warm-up thread still running, as the first visitor meets it), the first press of the main action:

- **first change**: the first change the press makes inside the tab that is not Gradio's own "pending"
  overlay, a button's state or an attribute of style: a streamed picture, a status line, a plot, a table
  row (a MutationObserver in the page, so the moment is the browser's own);
- **pending shown**: the first moment Gradio's own "pending" overlay (with its running seconds) shows
  on one of the tab's outputs: drawn by the browser before the server answers;
- **progress bar**: the first progress bar Gradio draws for the event (`gr.Progress`), if any;
- **done**: until no event shows progress and no request is in flight (benchmarks/frontends.py).

The first three are timed from the click event the browser dispatches (Playwright's checks before it clicks
are not the app's time); done from the Python call.

    python -m benchmarks.first_progress [--only data,pixelcnn]
    python -m benchmarks.first_progress --only data --mount-only   # a suite of those tabs alone (fewer components)
    python -m benchmarks.first_progress --fresh-page   # each tab in a page of its own, opened at ?tab=<slug>

One page that opens every tab in turn is the hard case: Gradio's page updates the loading status of every
component any of its events has written to at each status message, so each tab opened before slows the next
press (README, "A Gradio page slows as it opens more tabs"). A visitor who follows the Overview's links or a
presenter link opens each tab in a fresh page.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.frontends import ARGS, CHROMIUM, GPT_MESSAGE, serve, settle_gradio, track_requests  # noqa: E402
from benchmarks.startup import free_port  # noqa: E402
from demos import REGISTRY, by_slug  # noqa: E402

ANSWER_S, FIRST_S = 3.0, 0.2  # the goal: done within ANSWER_S, or the first visible change within FIRST_S

# Records, in performance.now() milliseconds, the first change under the tab's root that a visitor
# would read as an answer or as progress, and the first progress bar drawn in it.
WATCH_JS = """(slug) => {
  const root = document.getElementById('tab-' + slug);
  const ignored = (node) => {
    const el = node.nodeType === 1 ? node : node.parentElement;
    return !el || !!el.closest('[data-testid=status-tracker], button, .eta-bar');
  };
  const seen = window.__firstProgress = {start: performance.now(), change: null, bar: null, pending: null};
  // timed from the click the browser dispatches, not from Playwright's call: its checks before clicking
  // (scrolled into view, stable, enabled: ~50 ms here) are not the app's time
  window.addEventListener('click', (e) => { seen.start = e.timeStamp; }, {capture: true, once: true});
  const pendingShown = () => [...root.querySelectorAll('[data-testid=status-tracker]')]
    .some(e => e.offsetParent !== null && !e.classList.contains('hide'));
  const observer = new MutationObserver((records) => {
    const now = performance.now();
    if (seen.pending === null && pendingShown()) seen.pending = now;
    for (const r of records) {
      if (seen.bar === null && r.type === 'childList' && root.querySelector('.progress-bar, .progress-level')) {
        seen.bar = now;
      }
      if (seen.change !== null) continue;
      if (r.type === 'attributes' && !['src', 'href', 'd', 'points', 'width', 'height'].includes(r.attributeName)) continue;
      if (ignored(r.target)) continue;
      if (r.type === 'childList' && [...r.addedNodes, ...r.removedNodes].every(ignored)) continue;
      seen.change = now;
    }
  });
  observer.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
  window.__firstProgressStop = () => observer.disconnect();
}"""
READ_JS = """() => { const s = window.__firstProgress; window.__firstProgressStop();
  const since = (t) => t === null ? null : (t - s.start) / 1000;
  return {change: since(s.change), bar: since(s.bar), pending: since(s.pending)}; }"""


def measure(browser, specs, mount_only: bool = False, fresh_page: bool = False) -> list[dict]:
    port = free_port()
    only = ["--only", ",".join(s.slug for s in specs)] if mount_only else []
    proc = serve([sys.executable, "app.py", "--port", str(port), *only], f"http://127.0.0.1:{port}/")
    rows = []
    try:
        page = None
        for spec in specs:
            if page is None or fresh_page:
                if page is not None:
                    page.close()
                page = browser.new_page(viewport={"width": 2200, "height": 1000})  # every tab's button in view
                track_requests(page)
                # a fresh page opens the tab by its address, as the Overview's links and presenter links do
                page.goto(f"http://127.0.0.1:{port}/" + (f"?tab={spec.slug}" if fresh_page else ""))
                settle_gradio(page, time.perf_counter())
            if not fresh_page:
                page.get_by_role("tab", name=spec.title, exact=True).click()
            page.wait_for_selector(f"#tab-{spec.slug}", state="visible")
            settle_gradio(page, time.perf_counter())  # what the tab fills in on opening is not the press
            if spec.slug == "gpt":
                page.locator("#gpt-message textarea").fill(GPT_MESSAGE)
            page.evaluate(WATCH_JS, spec.slug)
            t0 = time.perf_counter()
            page.locator(f"#{spec.slug}-main-action").click()
            done = settle_gradio(page, t0)
            seen = page.evaluate(READ_JS)
            rows.append({"slug": spec.slug, "done": done, **seen})
            print(f"  {spec.slug:>16} pending {fmt(seen['pending'])} s, first change {fmt(seen['change'])} s, "
                  f"bar {fmt(seen['bar'])} s, done {fmt(done)} s", flush=True)
        if page is not None:
            page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return rows


def fmt(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f}"


def verdict(row: dict) -> str:
    if row["done"] is not None and row["done"] <= ANSWER_S:
        return f"answers within {ANSWER_S:g} s"
    firsts = [s for s in (row["change"], row["bar"]) if s is not None]
    if firsts and min(firsts) <= FIRST_S:
        return f"shows progress within {FIRST_S * 1000:.0f} ms"
    return "**misses**"


def main(argv: list[str] | None = None) -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma-separated slugs (default: every tab)")
    parser.add_argument("--mount-only", action="store_true", help="serve a suite of those tabs alone")
    parser.add_argument("--fresh-page", action="store_true",
                        help="press each tab in a page of its own, opened at ?tab=<slug> (default: one page, every tab in turn)")
    args = parser.parse_args(argv)
    specs = by_slug([s for s in args.only.split(",") if s]) if args.only else list(REGISTRY)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        rows = measure(browser, specs, args.mount_only, args.fresh_page)
        browser.close()
    print(f"\nSeconds from the first press of each main action on a fresh server (goal: done within {ANSWER_S:g} s, "
          f"or the first visible change within {FIRST_S * 1000:.0f} ms).\n")
    print("| demo | pending shown | first change | progress bar | done | goal |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['slug']} | {fmt(row['pending'])} | {fmt(row['change'])} | {fmt(row['bar'])} | {fmt(row['done'])} "
              f"| {verdict(row)} |")


if __name__ == "__main__":
    main()
