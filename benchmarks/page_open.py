"""How long a deep link takes to show its tab, in Chromium, against a running suite.

    make run &                                   # or: python app.py --port 7860
    python -m benchmarks.page_open http://127.0.0.1:7860/ [--tabs gan,vae,data] [--repeats 3]

For each tab: a fresh browser context opens `?tab=<slug>`; printed are the seconds until the tab is
visible and the number of queue requests the page made in that time (each page-load event is one).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--tabs", default="gan,vae,data,stable_diffusion")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    url = args.url if args.url.endswith("/") else args.url + "/"
    print("| tab | seconds to show (median) | queue requests |\n|---|---|---|")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for slug in args.tabs.split(","):
            seconds, joins = [], []
            for _ in range(args.repeats):
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                page = context.new_page()
                posted: list[str] = []
                page.on("request", lambda r, posted=posted: posted.append(r.url) if "/queue/join" in r.url else None)
                t0 = time.perf_counter()
                page.goto(f"{url}?tab={slug}")
                page.wait_for_selector(f"#tab-{slug}", state="visible", timeout=60_000)
                seconds.append(time.perf_counter() - t0)
                joins.append(len(posted))
                context.close()
            print(f"| {slug} | {statistics.median(seconds):.2f} | {statistics.median(joins):.0f} |")
        browser.close()


if __name__ == "__main__":
    main()
