"""How long a deep link takes to show its tab, in Chromium, against a running suite.

    make run &                                   # or: python app.py --port 7860
    python -m benchmarks.page_open http://127.0.0.1:7860/ [--tabs gan,vae,data] [--repeats 3]

For each tab: a fresh browser context opens `?tab=<slug>`; printed are the seconds until the tab is
visible, the number of queue requests the page made in that time (each page-load event is one), the
seconds until it settles (no progress tracker left) and the CPU seconds this machine spent until then
(Chromium, and the server when it runs here; Linux's /proc/stat, so run nothing else beside it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

SETTLED_JS = "document.querySelectorAll('.pending, .generating, .eta-bar').length === 0"


def busy_cpu_seconds() -> float:
    """CPU seconds this machine has spent busy since boot (user, nice, system, irq, softirq)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return float("nan")
    return sum(int(fields[i]) for i in (0, 1, 2, 5, 6)) / 100


def settle(page, timeout_s: float = 60.0) -> None:
    """Wait until no progress tracker has shown for two checks in a row."""
    quiet, end = 0, time.perf_counter() + timeout_s
    while quiet < 2 and time.perf_counter() < end:
        page.wait_for_timeout(250)
        quiet = quiet + 1 if page.evaluate(SETTLED_JS) else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--tabs", default="gan,vae,data,stable_diffusion")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    url = args.url if args.url.endswith("/") else args.url + "/"
    print("| tab | seconds to show (median) | queue requests | seconds to settle | CPU seconds to settle |\n|---|---|---|---|---|")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for slug in args.tabs.split(","):
            seconds, joins, settled, cpu = [], [], [], []
            for _ in range(args.repeats):
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                page = context.new_page()
                posted: list[str] = []
                page.on("request", lambda r, posted=posted: posted.append(r.url) if "/queue/join" in r.url else None)
                t0, c0 = time.perf_counter(), busy_cpu_seconds()
                page.goto(f"{url}?tab={slug}")
                page.wait_for_selector(f"#tab-{slug}", state="visible", timeout=60_000)
                seconds.append(time.perf_counter() - t0)
                joins.append(len(posted))
                settle(page)
                settled.append(time.perf_counter() - t0)
                cpu.append(busy_cpu_seconds() - c0)
                context.close()
            print(f"| {slug} | {statistics.median(seconds):.2f} | {statistics.median(joins):.0f} | "
                  f"{statistics.median(settled):.2f} | {statistics.median(cpu):.1f} |")
        browser.close()


if __name__ == "__main__":
    main()
