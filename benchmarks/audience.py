"""The whole suite under a live audience: N people using every tab's main action at once, the page
opened by many browsers at once, and the server's memory before, during and after.

    python -m benchmarks.audience                          # 30 clients (6 to 7 minutes on 2 cores)
    python -m benchmarks.audience --clients 4 --calls 1    # a quick check (about 2 minutes)
    python -m benchmarks.audience --only gan,gpt --no-pages
    python -m benchmarks.audience --root /tmp/before       # serve another checkout's app.py (a git worktree)
    python -m benchmarks.audience --only gan --no-pages --server-env MALLOC_ARENA_MAX=2

The app is served by its own process (`python app.py --port P`, from --root), so its CPU time and
memory are read from /proc/<pid> and the clients, in this process, do not share its GIL. Its log is
kept (the path is printed). Each simulated person is one `gradio_client.Client` (one session) in its
own thread, making K calls one after the other, and fetches every file in each result (and in each
streamed update) over plain HTTP on one kept-alive connection, as a browser does; a file whose bytes
do not match its Content-Length (or its declared size), that a peer cut short, or that does not
decode fully (PNG/GIF/WebP/JPEG: every frame with Pillow; GLB: the length in its header) is a
"truncated" file.
A call's latency is from submitting it until its result and all its files have arrived.

Actions (--only takes tab slugs or action keys):
  data               /data_draw_and_judge  (24, 0, 0.25)                     identical defaults
  gan_grid           /gan_sample_grid      (0, 1.0)                          identical defaults
  gan_walk           /gan_walk             ("0, 6, 8, 15", 37, slerp, 1, 12) identical defaults
  gan_grid_seeds     the grid, person i's call k with grid seed 100*j,        distinct seeds
  gan_walk_seeds     the walk through "j, j+1, j+2", where j = i + N*k        distinct seeds
  diffusion_forward  /diffusion_forward    (0, 300, squaredcos_cap_v2)       identical defaults
  diffusion_sample   /diffusion_sample     (diffusion-shapes, DDIM, 50, 4, 0) streaming, --diffusion-calls each
  gpt_chat           /gpt_chat             ("And God said,", [], gpt-kjv, 80, 0.8, 40, 0.95, 0) streaming
  three_d_open       /three_d_open_sample  ("Torus knot (mesh)", height)     identical defaults
  flows_samples      /flows_image_samples (16, 0.7, 0, any, any, told)   identical defaults
  flows_samples_seeds the same with seed 100*j, told person j's shape      distinct seeds
  vae_interpolate    /vae_interpolate      (data images 23 and 124 uploaded, 8, slerp, 6, β = 1) identical defaults
  vae_sample         /vae_sample           (fitted, 1.0, 0, 16, β = 1)       identical defaults
  vae_sample_seeds   the same with seed 100*j                                 distinct seeds
  clip_search        /clip_search_text     (clip-shapes, "a large red star", 12) identical defaults
  clip_search_many   the same with query j's own shape and colour             distinct queries
  sd_generate        /sd_generate          (sd-shapes, default prompt, 5, 30 steps, seed 0, DDIM) streaming
Before the audience, every action is used once (untimed: models load), then one person alone makes
the same K calls in a row: the baseline for "vs 1 client" (throughput at N clients over throughput
of one). Streaming actions also report the time to the first streamed update or the first queue
position (the `estimation` message a browser shows as "queue: 3/12"), whichever comes first.

Goals: 0 errors and 0 truncated files on every action; identical-default actions p95 <= 1.5 s;
distinct seeds p95 <= 4 s; streaming actions: every person's first update or queue position within
2 s and throughput at N clients >= 80% of one client's; the server's memory, 40 s after the
audience has closed its sessions, within 300 MB of what it was after the warm-up.

Page opens (Playwright with the system Chromium, a fresh browser context per open so nothing comes
from a browser cache): the server's CPU seconds per open of / and /?tab=gan (the page counts as
loaded when #suite-tabs is shown and the load event has set window.genaiTabsReady, plus 3 s for
what the load starts), then --pages pages opened at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import io
import logging
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
LIGHT_P95_S, DISTINCT_P95_S, FIRST_UPDATE_S, THROUGHPUT_SHARE, MEMORY_MB = 1.5, 4.0, 2.0, 0.8, 300
POLL_S = 0.02
PAGE_SETTLE_S = 3.0


# ---- the actions ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    key: str
    tab: str
    api: str
    args: Callable[[int], tuple]  # seed index j -> the call's inputs
    kind: str  # "light" (identical defaults), "distinct" (distinct seeds) or "streaming"

    @property
    def streaming(self) -> bool:
        return self.kind == "streaming"


def _walk_seeds(j: int) -> str:
    return f"{j}, {j + 1}, {j + 2}"


ACTIONS = [
    Action("data", "data", "/data_draw_and_judge", lambda j: (24, 0, 0.25), "light"),
    Action("gan_grid", "gan", "/gan_sample_grid", lambda j: (0, 1.0), "light"),
    Action("gan_walk", "gan", "/gan_walk", lambda j: ("0, 6, 8, 15", 37, "slerp", 1.0, 12), "light"),
    Action("gan_grid_seeds", "gan", "/gan_sample_grid", lambda j: (100 * j, 1.0), "distinct"),
    Action("gan_walk_seeds", "gan", "/gan_walk", lambda j: (_walk_seeds(j), 37, "slerp", 1.0, 12), "distinct"),
    Action("gan_conditional", "gan", "/gan_conditional_grid", lambda j: ("any", "any", 0, 1.0), "light"),
    Action("gan_class_walk_seeds", "gan", "/gan_class_walk", lambda j: ("circle", "red", "star", "blue", 10 * j, 9, 1.0),
           "distinct"),
    Action("diffusion_forward", "diffusion", "/diffusion_forward", lambda j: (0, 300, "squaredcos_cap_v2"), "light"),
    Action("diffusion_sample", "diffusion", "/diffusion_sample", lambda j: ("diffusion-shapes", "DDIM", 50, 4, 0),
           "streaming"),
    Action("gpt_chat", "gpt", "/gpt_chat", lambda j: ("And God said,", [], "gpt-kjv", 80, 0.8, 40, 0.95, 0), "streaming"),
    Action("three_d_open", "three_d", "/three_d_open_sample", lambda j: ("Torus knot (mesh)", "height"), "light"),
    Action("flows_samples", "flows", "/flows_image_samples", lambda j: (16, 0.7, 0, "any", "any", True), "light"),
    Action("flows_samples_seeds", "flows", "/flows_image_samples",
           lambda j: (16, 0.7, 100 * j, ("circle", "square", "triangle", "diamond", "star", "cross")[j % 6], "any", True),
           "distinct"),
    Action("vae_interpolate", "vae", "/vae_interpolate",
           lambda j: (_vae_editor(23), _vae_editor(124), 8, "slerp", 6, "β = 1"), "light"),
    Action("vae_sample", "vae", "/vae_sample", lambda j: ("fitted", 1.0, 0, 16, "β = 1"), "light"),
    Action("vae_sample_seeds", "vae", "/vae_sample", lambda j: ("fitted", 1.0, 100 * j, 16, "β = 1"), "distinct"),
    Action("clip_search", "clip", "/clip_search_text", lambda j: ("clip-shapes", "a large red star", 12), "light"),
    Action("clip_search_many", "clip", "/clip_search_text", lambda j: ("clip-shapes", _clip_query(j), 12), "distinct"),
    Action("sd_generate", "stable_diffusion", "/sd_generate",
           lambda j: ("sd-shapes", "a large red circle in the center", "", 5.0, 30, 0, "DDIM"), "streaming"),
]


def _clip_query(j: int) -> str:
    """Person j's own query: one of the 36 (colour, shape) pairs, with a size when j passes 36."""
    from shared.datasets import LABEL_NAMES

    colours, shapes, sizes = LABEL_NAMES["colour"], LABEL_NAMES["shape"], LABEL_NAMES["size"]
    size = f"{sizes[(j // 36) % len(sizes)]} " if j >= 36 else ""
    return f"a {size}{colours[j % len(colours)]} {shapes[(j // len(colours)) % len(shapes)]}"


@functools.cache
def _vae_picture(seed: int) -> str:
    """Data image `seed` as an upload: a PNG at the size the tab's editor shows it."""
    from PIL import Image

    from shared.datasets import make_shapes

    path = Path(tempfile.gettempdir()) / f"audience-vae-{seed}.png"
    Image.fromarray(make_shapes(1, seed).images[0].repeat(8, 0).repeat(8, 1)).save(path)
    return str(path)


def _vae_editor(seed: int) -> dict:
    """The value a browser sends for the VAE tab's image editor holding data image `seed`."""
    from gradio_client import handle_file

    return {"background": handle_file(_vae_picture(seed)), "layers": [], "composite": handle_file(_vae_picture(seed))}


def select_actions(only: str) -> list[Action]:
    names = [s.strip() for s in only.split(",") if s.strip()]
    if not names:
        return list(ACTIONS)
    known = {a.key for a in ACTIONS} | {a.tab for a in ACTIONS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"--only: unknown {', '.join(unknown)} (tabs and actions: {', '.join(sorted(known))})")
    return [a for a in ACTIONS if a.key in names or a.tab in names]


# ---- the server in its own process -----------------------------------------------------------

class Server:
    def __init__(self, root: Path, port: int, log_path: Path, extra_env: dict[str, str] | None = None) -> None:
        self.root, self.port, self.log_path = root, port, log_path
        self.url = f"http://127.0.0.1:{port}/"
        env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1",
                   **(extra_env or {}))
        self._log = open(log_path, "wb")  # noqa: SIM115 (open for the server's lifetime)
        self.proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=root, env=env,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid

    def wait_until_up(self, timeout: float = 180.0) -> float:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"app.py did not serve within {timeout} s; see {self.log_path}")

    def cpu_s(self) -> float:
        """utime + stime of the server process (all its threads), in seconds."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


def self_cpu_s() -> float:
    """CPU seconds of this process (every client thread), children not included."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    return (sum(ticks[:8]) - idle) / CLK_TCK


def tree_cpu_s(root: int, exclude: int) -> float:
    """CPU seconds of the live descendants of `root` (the browser's processes), without `exclude`'s tree."""
    parents, cpu = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / CLK_TCK

    def under(pid: int) -> bool:
        while pid in parents and pid not in (root, exclude, 0, 1):
            pid = parents[pid]
        return pid == root

    return sum(c for pid, c in cpu.items() if pid not in (root, exclude) and under(pid))


@dataclass
class Meter:
    """Wall time and CPU seconds (server, this client process, everything else) over a phase."""
    server: Server
    t: float = 0.0
    srv: float = 0.0
    me: float = 0.0
    busy: float = 0.0

    def start(self) -> Meter:
        self.t, self.srv, self.me, self.busy = time.perf_counter(), self.server.cpu_s(), self_cpu_s(), machine_busy_s()
        return self

    def read(self) -> tuple[float, float, float, float]:
        """(wall s, server CPU s, client CPU s, CPU s of every other process on the machine)."""
        wall, srv, me = time.perf_counter() - self.t, self.server.cpu_s() - self.srv, self_cpu_s() - self.me
        return wall, srv, me, max(0.0, machine_busy_s() - self.busy - srv - me)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- one person: a gradio_client session and a browser-like HTTP connection --------------------

class Truncated(Exception):
    pass


@dataclass
class CallResult:
    seconds: float = 0.0
    first_s: float | None = None  # streaming: first update or queue position
    error: str | None = None
    files: int = 0
    truncated: int = 0
    truncated_note: str | None = None
    start: float = 0.0
    end: float = 0.0


@dataclass
class Person:
    client: object
    browser: object  # httpx.Client: one kept-alive connection, as a browser tab has

    def close(self) -> None:
        self.client.close()
        self.browser.close()


def connect(url: str) -> Person:
    import httpx
    from gradio_client import Client

    # ssl_verify=False: the URL is plain http, so nothing is verified either way, but with it gradio_client's
    # per-request httpx.post no longer loads the CA bundle (about 17 ms of CPU per request, 40 ms per call,
    # four times the server's cost of a memoised call): the clients would compete with the server for the cores.
    client = Client(url, verbose=False, download_files=False, ssl_verify=False)
    return Person(client, httpx.Client(timeout=httpx.Timeout(120.0)))


def file_urls(value, found: dict[str, dict]) -> None:
    """Every served file in a result (Gradio FileData dicts: 'path', 'url', 'size', ...)."""
    if isinstance(value, dict):
        url = value.get("url")
        if isinstance(url, str) and url.startswith("http") and "path" in value:
            found.setdefault(url, value)
        for v in value.values():
            file_urls(v, found)
    elif isinstance(value, (list, tuple)):
        for v in value:
            file_urls(v, found)


def check_file(browser, url: str, meta: dict) -> None:
    """Fetch one file as a browser does; Truncated if its bytes are incomplete, anything else raised as is."""
    import httpx
    from PIL import Image, ImageSequence

    try:
        r = browser.get(url)
    except httpx.RemoteProtocolError as exc:  # the server closed the connection mid-body
        raise Truncated(str(exc)) from exc
    r.raise_for_status()
    data = r.content
    declared = r.headers.get("content-length")
    if declared is not None and int(declared) != len(data):
        raise Truncated(f"{len(data)} bytes of a declared {declared}")
    if isinstance(meta.get("size"), int) and meta["size"] != len(data):
        raise Truncated(f"{len(data)} bytes of a file Gradio sized {meta['size']}")
    name = url.split("?")[0].lower()
    if name.endswith((".png", ".gif", ".webp", ".jpg", ".jpeg")):
        try:
            with Image.open(io.BytesIO(data)) as im:
                for frame in ImageSequence.Iterator(im):
                    frame.load()
        except Exception as exc:
            raise Truncated(f"does not decode: {exc}") from exc
    elif name.endswith(".glb") and (len(data) < 12 or data[:4] != b"glTF" or int.from_bytes(data[8:12], "little") != len(data)):
        raise Truncated("GLB length does not match its header")


def one_call(person: Person, action: Action, j: int) -> CallResult:
    from gradio_client.utils import Status, StatusUpdate

    res = CallResult()
    fetched: set[str] = set()

    def fetch_new(value) -> None:
        found: dict[str, dict] = {}
        file_urls(value, found)
        for url, meta in found.items():
            if url in fetched:
                continue
            fetched.add(url)
            res.files += 1
            try:
                check_file(person.browser, url, meta)
            except Truncated as exc:
                res.truncated += 1
                res.truncated_note = res.truncated_note or f"{url.rsplit('/', 1)[-1]}: {exc}"

    res.start = time.perf_counter()
    submitted = datetime.now()
    try:
        job = person.client.submit(*action.args(j), api_name=action.api)
        if action.streaming:
            seen = 0
            updates = getattr(getattr(job, "communicator", None), "updates", None)
            while True:
                done = job.done()
                # every status message, with the time it arrived (the queue is filled by the client's reader thread)
                while updates is not None and not updates.empty():
                    u = updates.get_nowait()
                    if (res.first_s is None and isinstance(u, StatusUpdate)
                            and u.code in (Status.IN_QUEUE, Status.ITERATING) and u.time is not None):
                        res.first_s = max(0.0, (u.time - submitted).total_seconds())
                outputs = job.outputs()
                if updates is None and res.first_s is None and (outputs or job.status().code in
                                                                 (Status.IN_QUEUE, Status.ITERATING)):
                    res.first_s = time.perf_counter() - res.start
                for out in outputs[seen:]:
                    fetch_new(out)
                seen = len(outputs)
                if done:
                    break
                time.sleep(POLL_S)
        fetch_new(job.result())
    except Exception as exc:  # noqa: BLE001 (every failure is counted and shown)
        res.error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ''}"
    res.end = time.perf_counter()
    res.seconds = res.end - res.start
    return res


# ---- the measurements ------------------------------------------------------------------------

def pct(xs: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(-(-p * len(s) // 100)) - 1))]


@dataclass
class Row:
    action: Action
    clients: int
    calls: int
    results: list[CallResult]
    wall_s: float
    cpu_s: float
    solo_per_call_s: float
    solo_throughput: float
    notes: list[str] = field(default_factory=list)

    @property
    def ok_results(self) -> list[CallResult]:
        return [r for r in self.results if r.error is None]

    @property
    def throughput(self) -> float:
        return len(self.ok_results) / self.wall_s if self.wall_s > 0 else float("nan")

    def verdict(self) -> str:
        lat = [r.seconds for r in self.results]
        errors = sum(r.error is not None for r in self.results)
        truncated = sum(r.truncated for r in self.results)
        missed = []
        if errors:
            missed.append(f"{errors} errors")
        if truncated:
            missed.append(f"{truncated} truncated")
        if self.action.kind == "light" and pct(lat, 95) > LIGHT_P95_S:
            missed.append(f"p95 > {LIGHT_P95_S} s")
        if self.action.kind == "distinct" and pct(lat, 95) > DISTINCT_P95_S:
            missed.append(f"p95 > {DISTINCT_P95_S} s")
        if self.action.streaming:
            firsts = [r.first_s for r in self.results]
            if any(f is None or f > FIRST_UPDATE_S for f in firsts):
                slow = sum(f is None or f > FIRST_UPDATE_S for f in firsts)
                missed.append(f"{slow} first updates > {FIRST_UPDATE_S} s")
            if self.throughput < THROUGHPUT_SHARE * self.solo_throughput:
                missed.append(f"throughput < {THROUGHPUT_SHARE:.0%} of 1 client")
        return "ok" if not missed else "MISSED: " + ", ".join(missed)


def run_solo(person: Person, action: Action, calls: int, j0: int) -> tuple[list[CallResult], float]:
    t0 = time.perf_counter()
    results = [one_call(person, action, j0 + k) for k in range(calls)]
    return results, time.perf_counter() - t0


def run_audience(people: list[Person], action: Action, calls: int) -> tuple[list[CallResult], float]:
    n = len(people)
    barrier = threading.Barrier(n)

    def person_loop(i: int) -> list[CallResult]:
        barrier.wait()
        return [one_call(people[i], action, i + n * k) for k in range(calls)]

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(person_loop, i) for i in range(n)]
        per_person = [f.result() for f in futures]
    results = [r for rs in per_person for r in rs]
    wall = max(r.end for r in results) - min(r.start for r in results)
    return results, wall


def measure_pages(server: Server, opens: int, at_once: int) -> list[str]:
    """Server CPU per page open (one at a time, after a warm-up), then `at_once` pages opened together."""
    from playwright.async_api import async_playwright

    lines: list[str] = []

    async def open_page(browser, url: str, errors: list):
        ctx = await browser.new_context()
        page = await ctx.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        t0 = time.perf_counter()
        await page.goto(url, wait_until="domcontentloaded", timeout=180_000)
        await page.wait_for_selector("#suite-tabs", timeout=180_000)
        await page.wait_for_function("window.genaiTabsReady === true", timeout=180_000)
        return ctx, time.perf_counter() - t0

    async def main() -> None:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking"])
            lines.append(f"Server CPU seconds per page open, one at a time ({opens} opens after 1 warm-up, each in a "
                         f"fresh browser context; loaded = #suite-tabs shown and the load event done, plus "
                         f"{PAGE_SETTLE_S:.0f} s):\n")
            lines.append("| page | CPU s per open (mean) | min | max | seconds to load (mean) | page errors |")
            lines.append("|---|---|---|---|---|---|")
            for path in ("", "?tab=gan"):
                cpus, loads, errors = [], [], []
                for i in range(opens + 1):
                    c0 = server.cpu_s()
                    ctx, load_s = await open_page(browser, server.url + path, errors)
                    await asyncio.sleep(PAGE_SETTLE_S)
                    c1 = server.cpu_s()
                    await ctx.close()
                    if i > 0:
                        cpus.append(c1 - c0)
                        loads.append(load_s)
                    await asyncio.sleep(0.5)
                lines.append(f"| /{path} | {statistics.mean(cpus):.2f} | {min(cpus):.2f} | {max(cpus):.2f} | "
                             f"{statistics.mean(loads):.2f} | {len(errors)} |")
            errors: list = []
            rss0 = server.rss_mb()
            meter = Meter(server).start()
            b0 = tree_cpu_s(os.getpid(), server.pid)
            outcome = await asyncio.gather(*[open_page(browser, server.url, errors) for _ in range(at_once)],
                                           return_exceptions=True)
            wall = time.perf_counter() - meter.t
            await asyncio.sleep(PAGE_SETTLE_S)
            _, srv_cpu, _, other_cpu = meter.read()
            browser_cpu = tree_cpu_s(os.getpid(), server.pid) - b0
            other_cpu = max(0.0, other_cpu - browser_cpu)
            rss1 = server.rss_mb()
            loaded = [o for o in outcome if not isinstance(o, BaseException)]
            failed = [o for o in outcome if isinstance(o, BaseException)]
            loads = [s for _, s in loaded]
            lines.append(f"\n{at_once} pages opened at once (one Chromium, a context each):\n")
            lines.append("| pages | loaded | failed | wall s until all loaded | load s p50 | load s max | "
                         f"server CPU s (incl. {PAGE_SETTLE_S:.0f} s after) | server CPU s per page | browser CPU s "
                         "| other processes CPU s | server RSS MB before -> after |")
            lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
            lines.append(f"| {at_once} | {len(loaded)} | {len(failed)} | {wall:.1f} | {pct(loads, 50):.1f} | "
                         f"{max(loads) if loads else float('nan'):.1f} | {srv_cpu:.1f} | {srv_cpu / at_once:.2f} | "
                         f"{browser_cpu:.0f} | {other_cpu:.0f} | {rss0:.0f} -> {rss1:.0f} |")
            for exc in failed[:3]:
                lines.append(f"- failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
            if errors:
                lines.append(f"- page errors: {len(errors)}, e.g. {errors[0][:200]}")
            for ctx, _ in loaded:
                await ctx.close()
            await browser.close()

    asyncio.run(main())
    return lines


def fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None or x != x else f"{x:.{digits}f}"


def git_line(root: Path) -> str:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("log", "-1", "--format=%h %s")[:110] or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return commit + ("  (+ uncommitted changes)" if dirty else "")


def scan_log(path: Path) -> list[str]:
    text = path.read_text(errors="replace")
    patterns = {"tracebacks": r"Traceback \(most recent call last\)", "ERROR lines": r"^ERROR\b|\bERROR\b",
                "'Too little data for declared Content-Length'": r"Too little data for declared Content-Length",
                "'Too much data for declared Content-Length'": r"Too much data for declared Content-Length"}
    counts = {name: len(re.findall(p, text, flags=re.M)) for name, p in patterns.items()}
    lines = [f"server log: {path} ({len(text.splitlines())} lines): " +
             ", ".join(f"{n} {name}" for name, n in counts.items())]
    if counts["tracebacks"] or counts["ERROR lines"]:
        shown = [ln for ln in text.splitlines() if re.search(r"Error|ERROR|Exception", ln)]
        for ln in list(dict.fromkeys(shown))[:6]:
            lines.append(f"    {ln[:200]}")
    return lines


# ---- main ------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=30, help="people at once (default 30)")
    parser.add_argument("--calls", type=int, default=3, help="calls each person makes, per action (default 3)")
    parser.add_argument("--diffusion-calls", type=int, default=1,
                        help="calls each person makes of diffusion_sample, which costs several CPU seconds (default 1)")
    parser.add_argument("--only", default="", help="comma-separated tabs or actions (default: all): "
                        + ",".join(dict.fromkeys(a.tab for a in ACTIONS)) + " or " + ",".join(a.key for a in ACTIONS))
    parser.add_argument("--port", type=int, default=0, help="port to serve on (default: a free one)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose app.py is served (default: this one)")
    parser.add_argument("--pages", type=int, default=None, help="pages opened at once (default: --clients); 0 skips "
                        "the page measurements")
    parser.add_argument("--page-opens", type=int, default=3, help="single page opens per URL, after a warm-up (default 3)")
    parser.add_argument("--no-pages", action="store_true", help="skip the page measurements")
    parser.add_argument("--release-wait", type=float, default=40.0,
                        help="seconds after the audience closes its sessions before the last memory reading (default 40)")
    parser.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                        help="an environment variable for the server only (repeatable), e.g. MALLOC_ARENA_MAX=2")
    parser.add_argument("--log", type=Path, default=None, help="the server's log file (default: a new file in /tmp)")
    args = parser.parse_args(argv)
    actions = select_actions(args.only)
    bad_env = [e for e in args.server_env if "=" not in e]
    if bad_env:
        parser.error(f"--server-env takes KEY=VALUE, not {bad_env[0]!r}")
    server_env = dict(e.split("=", 1) for e in args.server_env)
    n = args.clients
    at_once = n if args.pages is None else args.pages
    logging.getLogger("httpx").setLevel(logging.WARNING)
    root = args.root.resolve()
    log_path = args.log or Path(tempfile.mkstemp(prefix="audience-server-", suffix=".log")[1])
    started = time.perf_counter()

    print("# An audience on the suite\n")
    command = [Path(sys.executable).name, "-m", "benchmarks.audience", *(argv if argv is not None else sys.argv[1:])]
    print(f"- command: {' '.join(shlex.quote(a) for a in command)}")
    print(f"- date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; CPU cores: {os.cpu_count()}; "
          f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"- app served from {root}: {git_line(root)}")
    print(f"- {n} clients; {args.calls} calls each per action ({args.diffusion_calls} for diffusion_sample)")
    if server_env:
        print(f"- server environment: {' '.join(f'{k}={v}' for k, v in server_env.items())}")
    print(f"- server log: {log_path}\n", flush=True)

    server = Server(root, args.port or free_port(), log_path, server_env)
    people: list[Person] = []
    solo: Person | None = None
    try:
        up_s = server.wait_until_up()
        print(f"Server up in {up_s:.1f} s (pid {server.pid}), RSS {server.rss_mb():.0f} MB\n", flush=True)

        # warm-up: every action once, so loading models is not counted anywhere below
        solo = connect(server.url)
        warm = []
        big_j = 10 * n * max(args.calls, args.diffusion_calls) + 1000  # seeds no one in the audience uses
        for a in actions:
            r = one_call(solo, a, big_j)
            warm.append(f"{a.key} {r.seconds:.1f} s" + (f" ({r.error})" if r.error else ""))
        rss_start = server.rss_mb()
        print(f"Warm-up (each action once, models loading): {'; '.join(warm)}")
        print(f"Server RSS after the warm-up: {rss_start:.0f} MB\n", flush=True)

        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=n) as pool:
            people = list(pool.map(lambda _: connect(server.url), range(n)))
        print(f"{n} clients connected in {time.perf_counter() - t0:.1f} s\n", flush=True)

        rows: list[Row] = []
        phases: list[tuple] = []
        print("| action | kind | clients | calls each | p50 s | p95 s | max s | errors | truncated files | files fetched "
              "| calls/s | 1 client: s per call | 1 client: calls/s | vs 1 client | first update or queue pos. p95 s (max) "
              "| server CPU s | goal |")
        print("|" + "---|" * 17, flush=True)
        for a in actions:
            k = args.diffusion_calls if a.key == "diffusion_sample" else args.calls
            solo_results, solo_wall = run_solo(solo, a, k, big_j + 1)
            meter = Meter(server).start()
            results, wall = run_audience(people, a, k)
            phase_wall, cpu, client_cpu, other_cpu = meter.read()
            phases.append((a.key, phase_wall, cpu, client_cpu, other_cpu, server.rss_mb()))
            row = Row(a, n, k, results, wall, cpu, statistics.mean(r.seconds for r in solo_results), k / solo_wall)
            solo_errors = [r.error for r in solo_results if r.error] + \
                          [f"{r.truncated} truncated" for r in solo_results if r.truncated]
            if solo_errors:
                row.notes.append(f"1-client run: {solo_errors[0]}")
            rows.append(row)
            lat = [r.seconds for r in results]
            firsts = [r.first_s for r in results if r.first_s is not None]
            first = (f"{pct(firsts, 95):.2f} ({max(firsts):.2f})" + (f", {len(results) - len(firsts)} none"
                     if len(firsts) < len(results) else "")) if a.streaming and firsts else ("none" if a.streaming else "-")
            print(f"| {a.key} | {a.kind} | {n} | {k} | {fmt(pct(lat, 50))} | {fmt(pct(lat, 95))} | {fmt(max(lat))} | "
                  f"{sum(r.error is not None for r in results)} | {sum(r.truncated for r in results)} | "
                  f"{sum(r.files for r in results)} | {fmt(row.throughput)} | {fmt(row.solo_per_call_s)} | "
                  f"{fmt(row.solo_throughput)} | {fmt(row.throughput / row.solo_throughput)} | {first} | {cpu:.1f} | "
                  f"{row.verdict()} |", flush=True)
        print(f"\nCPU during each audience phase ({os.cpu_count()} cores: a phase of w seconds has {os.cpu_count()}*w CPU "
              "seconds; 'other processes' are everything else on this machine, e.g. other people's jobs):\n")
        print("| action | wall s | server CPU s | client CPU s (this process) | other processes CPU s | server RSS MB after |")
        print("|---|---|---|---|---|---|")
        for key, wall, cpu, client_cpu, other_cpu, rss in phases:
            print(f"| {key} | {wall:.1f} | {cpu:.1f} | {client_cpu:.1f} | {other_cpu:.1f} | {rss:.0f} |")
        print()
        for row in rows:
            errs = [r.error for r in row.results if r.error]
            if errs:
                common = max(set(errs), key=errs.count)
                row.notes.append(f"{len(errs)} errors, e.g. {common}")
            cut = [r.truncated_note for r in row.results if r.truncated_note]
            if cut:
                row.notes.append(f"{sum(r.truncated for r in row.results)} truncated files, e.g. {cut[0]}")
            for note in row.notes:
                print(f"- {row.action.key}: {note}")

        # memory: after everyone used every action, and after the sessions are closed and released
        rss_used = server.rss_mb()
        t_close = time.perf_counter()
        for p in [*people, solo]:
            p.client._kill_heartbeat.set()
        with ThreadPoolExecutor(max_workers=len(people) + 1) as pool:
            list(pool.map(lambda p: p.close(), [*people, solo]))
        for p in [*people, solo]:  # a client's heartbeat stream ends when the server's next heartbeat (<= 15 s) arrives
            p.client.heartbeat.join(timeout=20)
        dropped_s = time.perf_counter() - t_close
        people, solo = [], None
        samples = []
        while (elapsed := time.perf_counter() - t_close) < max(args.release_wait, dropped_s + args.release_wait):
            samples.append((elapsed, server.rss_mb()))
            time.sleep(5)
        rss_end = server.rss_mb()
        end_at = time.perf_counter() - t_close
        delta = rss_end - rss_start
        print(f"\nMemory (server RSS; sessions freed {30} s after their heartbeat drops; every client's heartbeat had "
              f"dropped {dropped_s:.0f} s after close):\n")
        print("| after the warm-up MB | after the audience used every action MB | "
              f"{end_at:.0f} s after the clients closed MB | difference from the warm-up MB | goal |")
        print("|---|---|---|---|---|")
        print(f"| {rss_start:.0f} | {rss_used:.0f} (+{rss_used - rss_start:.0f}) | {rss_end:.0f} | {delta:+.0f} | "
              f"{'ok' if delta <= MEMORY_MB else 'MISSED'} (within {MEMORY_MB} MB) |")
        print("\nRSS after close, every 5 s: " + ", ".join(f"{t:.0f} s {m:.0f}" for t, m in samples[::1]) + "\n",
              flush=True)

        if not args.no_pages and at_once > 0:
            try:
                for line in measure_pages(server, args.page_opens, at_once):
                    print(line)
            except Exception as exc:  # noqa: BLE001 (report and go on to the summary)
                print(f"page measurements failed: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}")
            print()
        print(f"Server CPU over the whole run: {server.cpu_s():.0f} s; final RSS {server.rss_mb():.0f} MB")
    finally:
        for p in [*people, *([solo] if solo else [])]:
            with contextlib.suppress(Exception):  # a client that fails to close does not stop the others
                p.close()
        server.stop()
    for line in scan_log(log_path):
        print(line)
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"the run took {(time.perf_counter() - started) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
