"""Time from `python app.py` to the page being served, against an empty Gradio app started the
same way. Goal: a ratio of the medians of at most 1.5 (heavy libraries load on a demo's first use).

    python -m benchmarks.startup [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 1.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seconds_to_serve(script: str, timeout: float = 120.0) -> float:
    """Start `python <script> --port P` and poll until GET / answers 200."""
    port = free_port()
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, script, "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < timeout:
            if proc.poll() is not None:
                raise RuntimeError(f"{script} exited with {proc.returncode} before serving")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"{script} did not serve within {timeout} s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    seconds_to_serve("benchmarks/empty_app.py")  # warm the OS file cache so neither side pays for it
    times: dict[str, list[float]] = {"empty Gradio app": [], "app.py (whole suite)": []}
    for _ in range(args.runs):  # alternate, so background load affects both alike
        times["empty Gradio app"].append(seconds_to_serve("benchmarks/empty_app.py"))
        times["app.py (whole suite)"].append(seconds_to_serve("app.py"))
    print(f"Start-up to first page served, {args.runs} runs each, {os.cpu_count()} CPU cores\n")
    print(f"| {'app':<22} | median s | min s | max s |")
    print(f"|{'-' * 24}|----------|-------|-------|")
    for name, ts in times.items():
        print(f"| {name:<22} | {statistics.median(ts):8.2f} | {min(ts):5.2f} | {max(ts):5.2f} |")
    ratio = statistics.median(times["app.py (whole suite)"]) / statistics.median(times["empty Gradio app"])
    print(f"\nratio of medians: {ratio:.2f} (goal: at most {GOAL}) -> {'OK' if ratio <= GOAL else 'OVER BUDGET'}")


if __name__ == "__main__":
    main()
