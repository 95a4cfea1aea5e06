"""shared/live.py: the one live-run protocol every live demo follows (the 2-D GAN, the 2-D
diffusion model, the live CLIP, the character GPT), tested on a counting run, and the check that
no demo writes its own loop, pause or stop again."""

import ast
import math
import threading
import time
from pathlib import Path

import pytest

from shared import live
from shared.limits import LimitError
from shared.live import LiveLoop, LiveRun, Press

ROOT = Path(__file__).resolve().parents[2]


class Counter(LiveLoop):
    """A run whose step is a sum: train(k) adds k; full at `length` steps."""

    CHUNK_S = 0.0  # one call of train() per chunk: the frames are deterministic

    def __init__(self, length: int = 10) -> None:
        super().__init__()
        self.length, self.step, self.calls = length, 0, []

    @property
    def finished(self) -> bool:
        return self.step >= self.length

    def train(self, steps: int) -> None:
        self.calls.append(steps)
        self.step += steps

    def frame(self) -> int:
        return self.step


def test_a_run_trains_a_chunk_per_frame_up_to_its_length_and_its_steps():
    run = Counter(10)
    assert list(run.run(math.inf)) == list(range(1, 11))  # chunks of 0 s: one step each, a frame after each
    assert run.finished and list(run.run(math.inf)) == []
    run = Counter(10)
    assert list(run.run(math.inf, steps=3)) == [1, 2, 3]  # at most `steps` more
    assert run.train_for(60.0, max_steps=4) == 4 and run.step == 7  # a bounded call never passes max_steps


def test_pause_and_stop_end_the_loop_and_a_stopped_run_never_starts_again():
    run = Counter(10**9)
    frames = []
    for frame in run.run(math.inf):
        frames.append(frame)
        if frame == 3:
            run.pause()  # as another event would: the loop returns before its next chunk
    assert frames == [1, 2, 3] and not run.running
    assert next(run.run(math.inf)) == 4  # Start again goes on where it stopped
    run.stop()
    assert list(run.run(math.inf)) == [] and run.train_for(1.0) == 0


def test_a_press_counts_training_seconds_towards_its_cap():
    press = Press(step0=5, cap_s=120)
    assert press.left == 120 and not press.capped
    press.seconds = 119.5
    assert press.capped and press.left == pytest.approx(0.5)
    assert Press(0, 10, seconds=2.0).speed(50) == 25.0
    assert live.capped_text(120) == "Paused after 2 minutes of training; press Start to go on."
    assert live.capped_text(90) == "Paused after 90 s of training; press Start to go on."


def test_a_press_counts_its_seconds_while_it_streams():
    """Each frame's speed is the press's so far, not steps over nothing (Gradio streams one loop)."""
    class Slow(Counter):
        def train(self, steps: int) -> None:
            time.sleep(0.01 * steps)
            super().train(steps)

    slot, press = LiveRun(), Press(0, cap_s=120)
    for frame in live.start(slot, press, lambda: Slow(5)):
        assert press.seconds >= 0.01 * frame
        assert 0 < press.speed(frame) <= 100 + 1e-6  # at most one step per 10 ms
    assert slot.run.step == 5


def test_start_pause_and_step_on_a_session_slot_refuse_with_the_shared_texts():
    slot = LiveRun()
    with pytest.raises(LimitError) as info:
        live.pause(slot)
    assert str(info.value) == live.NOTHING_YET
    assert live.step(slot, lambda: Counter(3)).step == 1  # made on first use
    with slot.driving("busy"):
        with pytest.raises(LimitError) as info:
            next(live.start(slot, Press(0)))
        assert str(info.value) == live.ALREADY_RUNNING
        with pytest.raises(LimitError) as info:
            live.step(slot)
        assert str(info.value) == live.STEP_WHILE_RUNNING
    press = Press(slot.run.step)
    assert list(live.start(slot, press, chunk_s=0.0)) == [2, 3] and press.seconds >= 0
    with pytest.raises(LimitError) as info:
        next(live.start(slot, Press(3)))
    assert str(info.value) == live.FINISHED


def test_a_pause_from_another_thread_is_seen_between_two_calls_of_train():
    gate, release = threading.Event(), threading.Event()

    class Slow(Counter):
        MAX_CALL_STEPS = 1

        def train(self, steps: int) -> None:
            super().train(steps)
            gate.set()
            release.wait(5)

    run = Slow(10**9)
    worker = threading.Thread(target=lambda: list(run.run(math.inf, chunk_s=60.0)))
    worker.start()
    gate.wait(5)
    pauser = threading.Thread(target=run.pause)
    pauser.start()
    release.set()
    worker.join(5)
    pauser.join(5)
    assert not worker.is_alive() and run.step <= 2  # not a whole 60 s chunk


def test_the_status_line_is_one_shape_everywhere():
    assert live.status_line(1234, "loss 0.5", "", speed=99.6, finished=True) == (
        "**Step 1,234** · loss 0.5 · 100 steps/s · reached its full length: press Reset to start again")


def test_every_live_run_is_a_live_loop_and_no_demo_writes_its_own_pause_or_stop():
    from demos.clip.live import LiveCLIP
    from demos.diffusion.live import ToyDiffusion
    from demos.gan.live import ToyGAN
    from demos.gpt.live import CharTrainer

    assert all(issubclass(cls, LiveLoop) for cls in (ToyGAN, ToyDiffusion, LiveCLIP, CharTrainer))
    copies = []
    for path in sorted((ROOT / "demos").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            methods = node.body if isinstance(node, ast.ClassDef) else []
            copies += [f"{path.relative_to(ROOT)}:{m.lineno} {node.name}.{m.name}" for m in methods
                       if isinstance(m, ast.FunctionDef) and m.name in {"pause", "stop", "train_for", "advance"}]
    assert copies == []
