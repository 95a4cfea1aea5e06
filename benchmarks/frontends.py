"""The Streamlit front end against the Gradio suite doing the same work, in Chromium.

For every demo: the page switch (from the previous page to this one, until it is idle) and its main
action, once cold (the first press: models load) and once warm (the same press again). Then the one
widget change Streamlit's rerun model could make slow: moving the GAN walk's frame slider, which
must only index the frames already made (no model load, no generation).

    python -m benchmarks.frontends [--only gan,diffusion] [--repeats 3]

Both servers run as `make run` and `make streamlit` run them, on this machine, one at a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.startup import free_port  # noqa: E402
from demos import REGISTRY, by_slug  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking"]
ST_RUNNING = "[data-testid='stApp'][data-test-script-state='running']"
GPT_MESSAGE = "In the beginning"
GR_BUSY = ("() => [...document.querySelectorAll('[data-testid=status-tracker]')]"
           ".some(e => e.offsetParent !== null && !e.classList.contains('hide'))")


@dataclass
class Row:
    slug: str
    figures: dict[str, list[float]] = field(default_factory=dict)

    def add(self, key: str, seconds: float | None) -> None:
        if seconds is None:  # timed out: left out of the median, and said so
            print(f"  {self.slug:>16} {key:<7} timed out", flush=True)
            return
        self.figures.setdefault(key, []).append(seconds)
        print(f"  {self.slug:>16} {key:<7} {seconds:6.2f} s", flush=True)

    def median(self, key: str) -> str:
        xs = self.figures.get(key)
        return f"{statistics.median(xs):.2f}" if xs else "-"


def serve(command: list[str], health: str, timeout: float = 180) -> subprocess.Popen:
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            with urllib.request.urlopen(health, timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise TimeoutError(f"{command} did not serve within {timeout} s")


def settle_streamlit(page, t0: float, timeout: float = 120) -> float | None:
    """Seconds from t0 until the script run it started is over (None if it ran past the timeout)."""
    last_busy = None
    seen = False
    while time.perf_counter() - t0 < timeout:
        busy = page.locator(ST_RUNNING).count() > 0
        now = time.perf_counter()
        if busy:
            seen, last_busy = True, now
        elif (seen and now - last_busy > 0.6) or (not seen and now - t0 > 2.0):
            return (last_busy or now) - t0 if seen else now - t0
        page.wait_for_timeout(40)
    return None


def settle_gradio(page, t0: float, timeout: float = 120) -> float | None:
    """Seconds from t0 until no event shows progress and no request is in flight for 0.6 s (None:
    timed out). The session's result stream (`queue/data`) is not counted: Gradio 6 sometimes keeps it
    open after the last result (see tests/browser/conftest.py), which added seconds to some presses."""
    last_busy = t0
    while time.perf_counter() - t0 < timeout:
        now = time.perf_counter()
        fetching = [r for r in page.pending_requests if "/queue/data" not in r.url]
        if fetching or page.evaluate(GR_BUSY):
            last_busy = now
        elif now - last_busy > 0.6:
            return last_busy - t0
        page.wait_for_timeout(40)
    print(f"  still in flight after {timeout:.0f} s: {[r.url for r in page.pending_requests]}")
    return None


def frame_steps(page, slider, steps: int = 5) -> list[float]:
    """Seconds from a key press on the walk's frame slider to the page showing the next frame's
    caption ("Frame k of ..."), for frames 1..steps."""
    times = []
    slider.focus()
    for k in range(1, steps + 1):
        t0 = time.perf_counter()
        slider.press("ArrowRight")
        page.wait_for_function(f"() => document.body.innerText.includes('Frame {k} of')", timeout=30_000)
        times.append(time.perf_counter() - t0)
        print(f"  {'gan':>16} slider  {times[-1]:6.3f} s", flush=True)
    return times


def track_requests(page) -> None:
    pending: set = set()
    page.on("request", lambda r: pending.add(r) if "/heartbeat/" not in r.url else None)
    page.on("requestfinished", lambda r: pending.discard(r))
    page.on("requestfailed", lambda r: pending.discard(r))
    page.pending_requests = pending


def bench_gradio(browser, specs, repeats: int) -> dict[str, Row]:
    port = free_port()
    proc = serve([sys.executable, "app.py", "--port", str(port)], f"http://127.0.0.1:{port}/")
    rows = {s.slug: Row(s.slug) for s in specs}
    try:
        # wide enough for every tab's button: at 1440 px the last tabs fold into an overflow menu
        page = browser.new_page(viewport={"width": 2200, "height": 1000})
        track_requests(page)
        # no ?tab=: the page's tab picker then leaves the tabs alone, where with ?tab=overview its
        # answer could arrive after the first tab click below and switch back to the overview
        page.goto(f"http://127.0.0.1:{port}/")
        settle_gradio(page, time.perf_counter())
        for spec in specs:
            t0 = time.perf_counter()
            page.get_by_role("tab", name=spec.title, exact=True).click()
            page.wait_for_selector(f"#tab-{spec.slug}", state="visible")
            rows[spec.slug].add("switch", settle_gradio(page, t0))
            for i in range(1 + repeats):
                if spec.slug == "gpt":  # Send empties the message box
                    page.locator("#gpt-message textarea").fill(GPT_MESSAGE)
                t0 = time.perf_counter()
                page.locator(f"#{spec.slug}-main-action").click()
                rows[spec.slug].add("cold" if i == 0 else "warm", settle_gradio(page, t0))
            if spec.slug == "gan":
                slider = page.locator("#gan-frame-slider input[type=range]").first
                rows["gan"].figures["slider"] = frame_steps(page, slider)
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return rows


def bench_streamlit(browser, specs, repeats: int) -> dict[str, Row]:
    port = free_port()
    proc = serve([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
                  "--server.headless", "true"], f"http://127.0.0.1:{port}/_stcore/health")
    rows = {s.slug: Row(s.slug) for s in specs}
    try:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("[data-testid='stSidebarNav']")
        settle_streamlit(page, time.perf_counter())
        for spec in specs:
            t0 = time.perf_counter()
            page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=spec.title, exact=True).click()
            page.wait_for_selector(f".st-key-{spec.slug}-main-action button")
            rows[spec.slug].add("switch", settle_streamlit(page, t0))
            for i in range(1 + repeats):
                if spec.slug == "gpt":
                    page.locator(".st-key-gpt-message textarea").fill(GPT_MESSAGE)
                t0 = time.perf_counter()
                page.locator(f".st-key-{spec.slug}-main-action button").click()
                rows[spec.slug].add("cold" if i == 0 else "warm", settle_streamlit(page, t0))
            if spec.slug == "gan":
                slider = page.locator(".st-key-gan-scrub input").first  # Streamlit 1.64 draws a slider over an <input>
                rows["gan"].figures["slider"] = frame_steps(page, slider)
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated demo slugs (default: all)")
    parser.add_argument("--repeats", type=int, default=2, help="warm presses of each main action")
    args = parser.parse_args(argv)
    specs = by_slug([s for s in args.only.split(",") if s]) if args.only else list(REGISTRY)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        gradio = bench_gradio(browser, specs, args.repeats)
        streamlit = bench_streamlit(browser, specs, args.repeats)
        browser.close()
    print("\nSeconds, median (Gradio | Streamlit); cold = first press of the main action, warm = again.\n")
    print("| demo | switch G | switch S | action cold G | action cold S | action warm G | action warm S |")
    print("|---|---|---|---|---|---|---|")
    for spec in specs:
        g, s = gradio[spec.slug], streamlit[spec.slug]
        print(f"| {spec.slug} | {g.median('switch')} | {s.median('switch')} | {g.median('cold')} | {s.median('cold')} "
              f"| {g.median('warm')} | {s.median('warm')} |")
    if "gan" in gradio:
        g, s = (statistics.median(r["gan"].figures.get("slider") or [float("nan")]) for r in (gradio, streamlit))
        print(f"\nGAN walk frame slider, one frame on (key press to the new frame's caption, median of 5): "
              f"Gradio {g * 1000:.0f} ms, Streamlit {s * 1000:.0f} ms (its rerun only indexes the stored frames).")


if __name__ == "__main__":
    main()
