"""Speed and quality of the diffusion tab on this machine, with the bundled model.

    python -m benchmarks.diffusion                      # everything (about 10 minutes on 2 cores)
    python -m benchmarks.diffusion --quality-samples 0  # speed only
    python -m benchmarks.diffusion --card               # the model card's quality figures only (500 samples)

Goals (issue 6), on 2 CPU cores: a 50-step DDIM sample in at most 1.5 s; the first streamed step
in at most 200 ms; streaming and drawing every step cost at most 20% over running the steps bare.
"""

from __future__ import annotations

import argparse
import copy
import io
import logging
import statistics
import time

import numpy as np
import torch
from PIL import Image

from shared.timing import median_ms

SEED = 0


def _model():
    from demos.diffusion.sampling import load_model

    return load_model("")


def _bare(model, sampler: str, steps: int, n: int = 1) -> None:
    from demos.diffusion import process

    process.run_to_end(process.sample(model.unet, model.scheduler_config, sampler, steps, SEED, n))


def step_speed(model) -> None:
    from demos.diffusion import process

    print(f"## Denoising steps ({torch.get_num_threads()} CPU threads; one 32x32 image unless said)\n")
    print("| what | median ms |\n|---|---|")
    x = torch.randn(1, 3, 32, 32)
    contiguous = copy.deepcopy(model.unet).to(memory_format=torch.contiguous_format)  # the layout before
    with torch.inference_mode():
        x16 = torch.randn(16, 3, 32, 32)
        for n, xs in ((1, x), (16, x16)):
            ours, before = [], []
            for _ in range(4):  # alternated, so the machine's drift hits both alike
                ours.append(median_ms(lambda xs=xs: model.unet(xs, 500).sample, 8))
                before.append(median_ms(lambda xs=xs: contiguous(xs, 500).sample, 8))
            print(f"| one UNet forward pass, {n} image{'s' if n > 1 else ''} | {statistics.median(ours):.1f} |")
            print(f"| ... with contiguous (not channels-last) weights | {statistics.median(before):.1f} |")
    for sampler in process.SAMPLERS:
        ms = median_ms(lambda s=sampler: _bare(model, s, 50), 5) / 50
        print(f"| one {sampler} step (UNet + scheduler), in a 50-step run | {ms:.1f} |")


def sample_speed(model) -> None:
    """The goals: a whole sample, the first streamed step, and the cost of streaming."""
    from demos.diffusion import sampling
    from demos.diffusion.images_ui import sample_images

    ddim = median_ms(lambda: _bare(model, "DDIM", 50), 5)

    def first_step() -> None:
        rec, steps = sampling.sample_steps(model, "DDIM", 50, SEED, 4)
        Image.fromarray(next(sampling.stream(rec, steps)).panel(-1)).save(io.BytesIO(), format="PNG")

    first = median_ms(first_step, 10)

    def handler(sampler: str, steps: int, n: int) -> float:
        """The tab's own handler, start to end, every yielded panel encoded as the page's PNG."""
        t0 = time.perf_counter()
        seconds = 0.0
        for out in sample_images("", sampler, steps, n, SEED):
            if isinstance(out[1], np.ndarray):
                Image.fromarray(out[1]).save(io.BytesIO(), format="PNG")
            if isinstance(out[5], str):  # the animation is made after the samples are shown
                return seconds
            seconds = time.perf_counter() - t0
        raise RuntimeError("no animation")

    print("\n## A sample, streamed (goals: 50-step DDIM at most 1,500 ms, first step at most 200 ms, "
          "streaming overhead at most 20%)\n")
    print(f"- 50-step DDIM sample, 1 image, bare: **{ddim:.0f} ms**")
    print(f"- first streamed step (scheduler, noise, one UNet pass, panel, PNG), 4 images: **{first:.0f} ms**\n")
    print("This machine's speed drifts by up to a third over minutes, so each bare run is paired with a "
          "streamed run right after it; the overhead is the median of the five pairs' ratios (range in brackets).\n")
    print("| run | bare s | streamed by the tab's handler s | overhead |\n|---|---|---|---|")
    for sampler, steps, n in (("DDIM", 50, 1), ("DDIM", 50, 4), ("DDPM", 200, 4), ("DPM-Solver++", 20, 4)):
        pairs = [(_timed(lambda s=sampler, k=steps, m=n: _bare(model, s, k, m)), handler(sampler, steps, n)) for _ in range(5)]
        ratios = sorted(100 * (s / b - 1) for b, s in pairs)
        bare, streamed = statistics.median(b for b, _ in pairs), statistics.median(s for _, s in pairs)
        print(f"| {sampler}, {steps} steps, {n} image{'s' if n > 1 else ''} | {bare:.2f} | {streamed:.2f} | "
              f"{statistics.median(ratios):+.0f}% ({ratios[0]:+.0f} to {ratios[-1]:+.0f}) |")
    rec, steps = sampling.sample_steps(model, "DDPM", 1000, SEED, 4)
    for _ in sampling.stream(rec, steps):
        pass
    print(f"\n- scrubbing: one kept step drawn and encoded as PNG: {median_ms(lambda: _png(rec.panel(100)), 30):.1f} ms")
    print(f"- the animation of a 1,000-step run ({sampling.GIF_FRAMES} frames): {median_ms(rec.gif, 3):.0f} ms")


def served_speed() -> None:
    """The tab served by its own process (`python -m demos.diffusion`, as a user runs it), a
    sample streamed to a client in this process that does what a browser does with it: receives
    every update and downloads each new picture once, over one kept-alive connection. (gradio_client's
    own downloads open a new HTTPS-ready connection per file, about 55 ms of CPU each on 2 cores,
    which would be measured as the server's cost.) The client runs beside the server, not in it."""
    import os
    import subprocess
    import sys

    import httpx
    from gradio_client import Client

    from tests.conftest import free_port

    logging.getLogger("httpx").setLevel(logging.WARNING)
    model = _model()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "demos.diffusion", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"})
    print("\n## Served over HTTP (the tab in its own process, a client receiving every update and its picture)\n")
    print("| run | bare s | until the samples arrive s | overhead | updates received |\n|---|---|---|---|---|")
    browser = httpx.Client()
    try:
        client = None
        for _ in range(300):  # the server starts in a few seconds
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=False)
                break
            except Exception:  # noqa: BLE001 (not up yet)
                time.sleep(0.2)
        if client is None:
            raise RuntimeError("the diffusion server did not start")
        client.predict("diffusion-shapes", "DDIM", 5, 1, SEED, api_name="/diffusion_sample")  # warm-up
        for sampler, steps, n in (("DDIM", 50, 4), ("DDPM", 200, 4)):
            bares, served = [], []
            for _ in range(5):  # paired, as above
                bares.append(_timed(lambda s=sampler, k=steps, m=n: _bare(model, s, k, m)))
                t0 = time.perf_counter()
                job = client.submit("diffusion-shapes", sampler, steps, n, SEED, api_name="/diffusion_sample")
                seen, fetched, samples_arrived = 0, set(), False
                while not (samples_arrived or job.done()):  # outputs: (panel, status, slider, samples, ...)
                    outputs = job.outputs()
                    for out in outputs[seen:]:
                        for k in (0, 3):
                            url = out[k].get("url") if isinstance(out[k], dict) else None
                            if url and url not in fetched:
                                fetched.add(url)
                                browser.get(url).raise_for_status()
                                samples_arrived = samples_arrived or k == 3
                    seen = len(outputs)
                    time.sleep(0.01)
                served.append(time.perf_counter() - t0)
                job.result()
            ratios = sorted(100 * (s / b - 1) for b, s in zip(bares, served))
            print(f"| {sampler}, {steps} steps, {n} images | {statistics.median(bares):.2f} | {statistics.median(served):.2f} | "
                  f"{statistics.median(ratios):+.0f}% ({ratios[0]:+.0f} to {ratios[-1]:+.0f}) | {len(job.outputs())} |")
    finally:
        browser.close()
        server.terminate()
        server.wait(timeout=30)


def sampler_quality(model, n: int) -> None:
    """Steps, time and quality per sampler: the trade the 'side by side' section shows."""
    from demos.diffusion import process
    from shared.metrics import score_images, tensor_to_images

    print(f"\n## Samplers: time and quality ({n} samples each, noise from seed {SEED})\n")
    print("| sampler | steps | s per image (batch of 1) | valid | smallest class | Fréchet distance |")
    print("|---|---|---|---|---|---|")
    for sampler, steps in (("DDPM", 50), ("DDPM", 250), ("DDIM", 10), ("DDIM", 50), ("Euler", 20),
                           ("DPM-Solver++", 10), ("DPM-Solver++", 20)):
        one = _timed(lambda s=sampler, k=steps: _bare(model, s, k))
        images = np.concatenate([tensor_to_images(process.run_to_end(process.start_run(
            model.unet, model.scheduler_config, sampler, steps, SEED + i, min(250, n - i)))) for i in range(0, n, 250)])
        s = score_images(images)
        print(f"| {sampler} | {steps} | {one:.2f} | {s.valid_fraction:.1%} | {s.min_class_share:.1%} | "
              f"{s.frechet_distance:.1f} |")


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _png(image: np.ndarray) -> None:
    Image.fromarray(image).save(io.BytesIO(), format="PNG")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality-samples", type=int, default=200, help="samples per sampler for the quality table; 0 skips it")
    parser.add_argument("--card", action="store_true", help="re-measure only the model card's quality table, "
                        "as the training script measured it (500 DDIM samples, 50 steps, noise from seed 2024)")
    args = parser.parse_args()
    model = _model()
    if args.card:
        from demos.diffusion.train import evaluate

        print(evaluate(model.unet, model.scheduler_config).as_markdown())
        return
    step_speed(model)
    sample_speed(model)
    served_speed()
    if args.quality_samples > 0:
        sampler_quality(model, args.quality_samples)


if __name__ == "__main__":
    main()
