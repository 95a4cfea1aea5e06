"""What one press of a tab's main action costs the browser's page, in Chromium, on a suite it starts.

    python -m benchmarks.page_events [--tab pixelcnn] [--only pixelcnn,data]

Gradio's page keeps a loading status for every component any event has written to, and at each status
message of any event (each streamed frame too) it updates all of them (`update_loading_stati_state`, one
`update_state` each, each a search of the page's component tree). This opens the suite, opens the tab, then
records one press with V8's sampling profiler and its call counts: the status passes, the `update_state`
calls (per pass: the components the page keeps a status for), and the page's CPU seconds in those passes
and in all. On 2 cores on 2026-12-06, one PixelCNN press at defaults: 38 passes and 6,537 `update_state`
calls (54 ms of CPU a pass) while the presenter links' load events wrote to every linkable demo's controls
and outputs; 46 passes and 1,712 calls (18 ms a pass) once they did not; 44 passes and 779 calls (7 ms a
pass) once a page without a presenter link ran no server event on opening (shared.presenter_ui.load_js).
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.frontends import ARGS, CHROMIUM, serve, settle_gradio, track_requests  # noqa: E402
from benchmarks.startup import free_port  # noqa: E402
from demos import by_slug  # noqa: E402

COUNTED = ("update_loading_stati_state", "update_state")


def profile_press(slug: str, only: str = "", settle_s: float = 30.0) -> dict:
    """One press of `slug`'s main action, profiled: passes, update_state calls, CPU seconds."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = serve([sys.executable, "app.py", "--port", str(port), *(["--only", only] if only else [])],
                 f"http://127.0.0.1:{port}/")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 2200, "height": 1000})
            page = context.new_page()
            track_requests(page)
            page.goto(f"http://127.0.0.1:{port}/")
            settle_gradio(page, time.perf_counter())
            time.sleep(settle_s)  # the server's warm-up, so the press measures the page, not a cold model
            page.get_by_role("tab", name=by_slug([slug])[0].title, exact=True).click()
            settle_gradio(page, time.perf_counter())
            cdp = context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 200})
            cdp.send("Profiler.start")
            cdp.send("Profiler.startPreciseCoverage", {"callCount": True, "detailed": False})
            page.locator(f"#{slug}-main-action").click()
            settle_gradio(page, time.perf_counter())
            profile = cdp.send("Profiler.stop")["profile"]
            coverage = cdp.send("Profiler.takePreciseCoverage")["result"]
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    calls = collections.Counter()
    for script in coverage:
        for fn in script["functions"]:
            if fn["functionName"] in COUNTED:
                calls[fn["functionName"]] += fn["ranges"][0]["count"]
    return {"calls": calls, **cpu_seconds(profile)}


def cpu_seconds(profile: dict) -> dict:
    """The page's busy CPU seconds in the profile, and those inside update_loading_stati_state."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {child: n["id"] for n in profile["nodes"] for child in n.get("children", [])}
    busy = passes = 0.0
    for sample, delta in zip(profile["samples"], profile["timeDeltas"]):
        name = nodes[sample]["callFrame"]["functionName"]
        if name in ("(idle)", "(root)"):
            continue
        busy += delta / 1e6
        node = sample
        while node is not None:
            if nodes[node]["callFrame"]["functionName"] == COUNTED[0]:
                passes += delta / 1e6
                break
            node = parent.get(node)
    return {"busy_s": busy, "status_passes_s": passes}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tab", default="pixelcnn", help="the demo whose main action is pressed")
    parser.add_argument("--only", default="", help="mount only these demos (comma-separated; default: all)")
    args = parser.parse_args(argv)
    r = profile_press(args.tab, args.only)
    passes, updates = r["calls"][COUNTED[0]], r["calls"][COUNTED[1]]
    print("| tab | status passes | update_state calls | per pass | CPU s in the passes | ms a pass | page CPU s |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.tab} | {passes} | {updates:,} | {updates / max(passes, 1):.0f} | {r['status_passes_s']:.2f} "
          f"| {1000 * r['status_passes_s'] / max(passes, 1):.0f} | {r['busy_s']:.2f} |")


if __name__ == "__main__":
    main()
