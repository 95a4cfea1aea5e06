"""The pieces that keep the app whole under an audience: atomic image files, the single-flight
memo, one driver per live run, and seeded construction that other sessions cannot disturb."""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch

from shared import image_files
from shared.limits import LimitError
from shared.live import LiveRun
from shared.memo import memoised
from shared.seeding import seeded_global_rng

# ---- image files ----

def test_png_file_is_named_by_content_and_decodes_to_the_image(tmp_path, monkeypatch):
    from PIL import Image

    image = np.random.default_rng(0).integers(0, 256, (40, 30, 3), dtype=np.uint8)
    first, again = image_files.png_file(image), image_files.png_file(image.copy())
    assert first == again and Path(first).parent == image_files.FOLDER
    assert np.array_equal(np.asarray(Image.open(first)), image)
    other = image.copy()
    other[0, 0] ^= 1
    assert image_files.png_file(other) != first


def test_a_reader_never_sees_a_partial_file_while_the_same_bytes_are_written(tmp_path):
    """Thirty writers of the same large file and readers polling it: every read is whole."""
    data = np.random.default_rng(1).bytes(2_000_000)
    path = tmp_path / (image_files.hashlib.sha256(data).hexdigest()[:40] + ".bin")
    sizes, stop = [], threading.Event()

    def read() -> None:
        while not stop.is_set():
            with contextlib.suppress(FileNotFoundError):
                sizes.append(len(path.read_bytes()))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for r in readers:
        r.start()
    with ThreadPoolExecutor(30) as pool:
        paths = set(pool.map(lambda _: image_files.write_atomic(data, ".bin", folder=tmp_path), range(30)))
    time.sleep(0.05)
    stop.set()
    for r in readers:
        r.join()
    assert paths == {str(path)} and path.read_bytes() == data
    assert sizes and set(sizes) == {len(data)}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # no staging file left behind


# ---- memo ----

def test_memo_computes_each_key_once_even_when_thirty_ask_at_once():
    calls = []

    @memoised(maxsize=2)
    def slow_square(x: int) -> int:
        calls.append(x)
        time.sleep(0.2)
        return x * x

    with ThreadPoolExecutor(30) as pool:
        results = list(pool.map(lambda _: slow_square(7), range(30)))
    assert results == [49] * 30 and calls == [7]
    slow_square(1), slow_square(2)  # pushes 7 out (at most 2 kept)
    assert slow_square(7) == 49 and calls == [7, 1, 2, 7]


def test_memo_does_not_keep_errors_and_every_waiter_gets_the_error():
    attempts = []

    @memoised()
    def flaky(x: int) -> int:
        attempts.append(x)
        time.sleep(0.1)
        if len(attempts) == 1:
            raise LimitError("first time fails")
        return x

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(flaky, 3) for _ in range(4)]
    outcomes = [f.exception() for f in futures]
    assert all(isinstance(e, LimitError) and str(e) == "first time fails" for e in outcomes)
    assert flaky(3) == 3 and len(attempts) == 2


# ---- one driver per live run ----

def test_a_second_driver_is_refused_with_its_message_and_the_first_keeps_the_run():
    live = LiveRun("run")
    with live.driving("busy"):
        assert live.busy
        with pytest.raises(LimitError, match="^busy$"), live.driving("busy"):
            pass
    assert not live.busy
    with live.driving("busy"):  # free again afterwards
        pass


def test_a_streaming_driver_releases_the_run_when_its_generator_is_closed():
    live = LiveRun()

    def stream():
        with live.driving("busy"):
            while True:
                yield 1

    gen = stream()
    next(gen)
    assert live.busy
    gen.close()  # what Gradio does to a cancelled event
    assert not live.busy


def test_replace_stops_the_running_loop_and_waits_for_it():
    class Loop:
        def __init__(self) -> None:
            self.paused = threading.Event()

        def pause(self) -> None:
            self.paused.set()

    live = LiveRun(Loop())
    old = live.run
    finished = []

    def drive() -> None:
        with live.driving("busy"):
            old.paused.wait(5)
            time.sleep(0.1)  # the chunk in progress
            finished.append(time.perf_counter())

    worker = threading.Thread(target=drive)
    worker.start()
    time.sleep(0.05)
    live.replace("new run")
    replaced_at = time.perf_counter()
    worker.join()
    assert live.run == "new run" and finished and finished[0] <= replaced_at


def test_each_session_gets_its_own_live_run():
    import copy

    default = LiveRun()
    a, b = copy.deepcopy(default), copy.deepcopy(default)
    with a.driving("busy"), b.driving("busy"):  # another session is not blocked
        pass


# ---- seeds without global state ----

def _toy_gan_losses(seed: int) -> list[float]:
    from demos.gan.live import ToyGAN
    from demos.gan.options import ToySettings

    run = ToyGAN(ToySettings(seed=seed, g_hidden=32, d_hidden=32, batch=64))
    run.train(15)
    return run.loss_g


def _toy_diffusion_losses(seed: int) -> list[float]:
    from demos.diffusion.live import ToyDiffusion, ToyDiffusionSettings

    run = ToyDiffusion(ToyDiffusionSettings(seed=seed, hidden=32, batch=64))
    run.train(15)
    return run.losses


def _char_gpt_losses(seed: int) -> list[float]:
    from demos.gpt import live

    text = "in the beginning was the word, and the word was with god. " * 10
    gen = live.train_live(text, seconds=120, seed=seed, update_s=0.0, sample_every_s=1e9, sample_chars=8)
    losses = []
    for run in gen:
        if len(run.losses) >= 6:
            losses = run.losses[:6]
            gen.close()
            break
    return losses


@pytest.mark.parametrize("train", [_toy_gan_losses, _toy_diffusion_losses, _char_gpt_losses])
def test_sessions_with_different_seeds_interleaved_give_what_each_gives_alone(train):
    seeds = [11, 22, 33, 44]
    alone = {seed: train(seed) for seed in seeds}
    assert len({tuple(v) for v in alone.values()}) == len(seeds)  # the seeds do differ

    def hammer(stop: threading.Event) -> None:
        """Another user's code drawing from torch's global generator all the while."""
        while not stop.is_set():
            with seeded_global_rng(999):
                torch.nn.Linear(64, 64)

    stop = threading.Event()
    noise = threading.Thread(target=hammer, args=(stop,))
    noise.start()
    try:
        with ThreadPoolExecutor(len(seeds) * 2) as pool:
            together = list(pool.map(train, seeds * 2))
    finally:
        stop.set()
        noise.join()
    for seed, losses in zip(seeds * 2, together):
        assert losses == alone[seed], f"seed {seed} changed when run beside other sessions"


def test_seeded_global_rng_restores_the_global_state():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    with seeded_global_rng(123):
        torch.rand(10)
    assert torch.equal(torch.rand(3), expected)
