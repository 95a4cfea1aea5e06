"""The one live-run protocol: every run trained live in a session (the 2-D GAN, the 2-D diffusion
model, the live CLIP, the character-level GPT) is a `LiveLoop`, held in the session's `LiveRun`
slot, and driven by the same verbs, whichever front end calls them:

    press = Press(slot.run.step if slot.run else 0, cap_s=120)   # one press of Start, capped
    for frame in start(slot, press, make=lambda: MyRun(settings)):  # refused while another drives it
        show(frame)
    pause(slot); step(slot); slot.replace(MyRun(settings))          # Pause, Step, Reset

A Gradio tab streams `start` in one loop; a Streamlit page ticks it in short chunks with
`shared.st_ui.LiveTicker`. The refusal texts (ALREADY_RUNNING, STEP_WHILE_RUNNING, NOTHING_YET,
FINISHED, capped_text) and the status line are written here once.

Several events of one session can run at once (a second Start while a run streams, a Step during
it), and a model stepped by two threads fails in autograd, or silently mixes two runs. So every
event that trains takes the slot: `with slot.driving(BUSY)` is refused at once with BUSY while
another event drives it, and an event that replaces the run (Reset, a changed setting) first asks
the running loop to stop and waits for it (`slot.replace(new_run)`). The lock is held across a
streaming loop's yields and released when the loop ends, is cancelled, or its session closes.

Pure Python: the UI keeps a `LiveRun` in its per-session state (gr.State(LiveRun()): Gradio
deep-copies the initial value for every session, and a copy gets its own lock); a Streamlit page
keeps one in st.session_state.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from shared.limits import LimitError

STOP_WAIT_S = 20.0  # how long a Reset waits for a running loop to finish its current chunk


class LiveRun:
    """A session's slot for its live run (`run`, any object with optional `pause()`/`stop()`)."""

    def __init__(self, run: Any = None) -> None:
        self.run = run
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict) -> LiveRun:
        # Gradio deep-copies a State's initial value for each session: each gets its own lock
        return LiveRun(copy.deepcopy(self.run, memo))

    @property
    def busy(self) -> bool:
        """Whether an event is driving the run now."""
        return self._lock.locked()

    @contextmanager
    def driving(self, busy_message: str) -> Iterator[LiveRun]:
        """Drive the run; raises LimitError(busy_message) at once if another event drives it."""
        if not self._lock.acquire(blocking=False):
            raise LimitError(busy_message)
        try:
            yield self
        finally:
            self._lock.release()

    def replace(self, run: Any, busy_message: str = "The run did not stop; press Pause, then try again.") -> Any:
        """Stop whatever drives the current run, wait for it, and put `run` in its place."""
        current = self.run
        if self.busy and current is not None and hasattr(current, "pause"):
            current.pause()
        if not self._lock.acquire(timeout=STOP_WAIT_S):
            raise LimitError(busy_message)
        try:
            self.run = run
        finally:
            self._lock.release()
        return run

    def stop(self) -> None:
        """The session ended: tell a running loop to return."""
        if self.run is not None and hasattr(self.run, "stop"):
            self.run.stop()


# ---- the run itself: one loop, written once ----------------------------------------------------

ALREADY_RUNNING = "This session's run is already going: press Pause (or Stop) first, or wait for it to end."
STEP_WHILE_RUNNING = "The run is going: press Pause first; Step moves a paused run on by one step."
NOTHING_YET = "Nothing is training yet: press Start."
FINISHED = "This run has reached its full length; press Reset to start a new one."
CAP_S = 120.0  # one press of Start trains at most this long, so a forgotten tab stops itself


def capped_text(cap_s: float = CAP_S) -> str:
    """What a press ended by its time cap (not by Pause) says."""
    length = f"{cap_s / 60:g} minutes" if cap_s >= 120 else f"{cap_s:g} s"
    return f"Paused after {length} of training; press Start to go on."


class LiveLoop:
    """What every live run shares: a clock of training seconds, pause and stop, and the loop that
    trains in chunks paced for the screen. A run (the 2-D GAN, the 2-D diffusion model, the live
    CLIP, the character GPT) subclasses it and gives:

        step: int                     # steps trained so far
        finished -> bool              # the run has reached its full length
        train(steps: int) -> None     # that many optimisation steps
        frame() -> Any                # what the UI shows now

    and may override `after_chunk()` (e.g. to draw a sample now and then). The chunk of steps
    between two frames adapts to the measured time per step, so a slow machine shows fewer steps
    per frame rather than fewer frames.
    """

    CHUNK_S = 0.25  # seconds of training between two frames while a press streams
    MAX_CALL_STEPS = 2000  # steps per call of train(): a pause is seen between two calls
    SHOW_START = False  # run() yields a frame before training (for runs whose first frame is slow to build)
    step: int = 0

    def __init__(self) -> None:
        self.seconds = 0.0  # training time so far, all presses together
        self.stopped = False  # the session ended: a running loop returns, and no run starts again
        self.running = False  # a run() loop is going
        self._pause = False
        self._step_s: float | None = None  # measured seconds per step, for the size of the next chunk

    @property
    def finished(self) -> bool:
        raise NotImplementedError

    def train(self, steps: int) -> None:
        raise NotImplementedError

    def frame(self) -> Any:
        raise NotImplementedError

    def after_chunk(self) -> None:
        """Called after each chunk of training (before its frame); nothing by default."""

    def stop(self) -> None:
        """The session ended: a running loop returns after its current chunk."""
        self.stopped = True

    def pause(self, wait_s: float = 2.0) -> None:
        """Ask a running loop to return after its current chunk, and wait (briefly) until it has."""
        self._pause = True
        end = time.perf_counter() + wait_s
        while self.running and time.perf_counter() < end:
            time.sleep(0.01)

    @property
    def _halted(self) -> bool:
        return self.finished or self.stopped or self._pause

    def train_for(self, seconds: float, max_steps: int | None = None) -> int:
        """Train for about `seconds` (at least one step unless finished or stopped), at most
        `max_steps` steps; the steps trained. A pause is seen between two calls of train(). The
        clock counts training time only."""
        t_start, trained = time.perf_counter(), 0
        deadline = t_start + seconds
        try:
            while not (self.finished or self.stopped) and (max_steps is None or trained < max_steps):
                left = deadline - time.perf_counter()
                if trained and (left <= 0 or self._pause):
                    break
                k = 1 if self._step_s is None else max(1, min(self.MAX_CALL_STEPS, int(left / self._step_s)))
                if max_steps is not None:
                    k = min(k, max_steps - trained)
                t0 = time.perf_counter()
                self.train(k)
                took = (time.perf_counter() - t0) / k
                self._step_s = took if self._step_s is None else 0.5 * (self._step_s + took)
                trained += k
        finally:
            self.seconds += time.perf_counter() - t_start
        return trained

    def run(self, seconds: float, chunk_s: float | None = None, steps: int | None = None) -> Iterator[Any]:
        """Train for up to `seconds` (and at most `steps` more steps), yielding a frame after each
        chunk of about `chunk_s` (default CHUNK_S). Returns when the run is finished, the time or the steps are used
        up, or pause() or stop() was called; calling it again goes on from where it stopped."""
        if self.stopped:
            return
        chunk_s = self.CHUNK_S if chunk_s is None else chunk_s
        self._pause, self.running = False, True
        try:
            if self.SHOW_START:
                yield self.frame()
            end, left = time.perf_counter() + seconds, steps
            while not self._halted and time.perf_counter() < end and (left is None or left > 0):
                trained = self.train_for(min(chunk_s, max(end - time.perf_counter(), 0.0)), left)
                left = None if left is None else left - trained
                self.after_chunk()
                yield self.frame()
        finally:
            self.running = False

    def advance(self, chunk_s: float | None = None) -> Any:
        """One chunk of training and the frame after it: for a page that redraws on a timer."""
        chunk_s = self.CHUNK_S if chunk_s is None else chunk_s
        frame = None
        for frame in self.run(chunk_s, chunk_s):  # noqa: B007 (the last one is wanted)
            pass
        return frame if frame is not None else self.frame()


@dataclass
class Press:
    """One press of Start: it trains at most `cap_s` in all, in one loop (Gradio) or over many
    short ticks (Streamlit), and knows its speed."""

    step0: int
    cap_s: float = CAP_S
    seconds: float = 0.0  # trained so far

    @property
    def left(self) -> float:
        return max(0.0, self.cap_s - self.seconds)

    @property
    def capped(self) -> bool:
        """Whether the press ended by the time cap (not by Pause): allow a second of slack."""
        return self.seconds >= self.cap_s - 1

    def speed(self, step: int) -> float:
        """Steps per second of this press."""
        return (step - self.step0) / max(self.seconds, 1e-6)


def current(live: LiveRun, make: Callable[[], LiveLoop] | None = None) -> LiveLoop:
    """The session's run, made by `make` if there is none yet (call it while driving the slot)."""
    if live.run is None:
        if make is None:
            raise LimitError(NOTHING_YET)
        live.run = make()
    return live.run


def start(live: LiveRun, press: Press, make: Callable[[], LiveLoop] | None = None, seconds: float | None = None,
          steps: int | None = None, chunk_s: float | None = None) -> Iterator[Any]:
    """What Start does: drive the session's run (made by `make` if there is none) for what is
    left of the press (or `seconds` of it, at most `steps` steps), yielding a frame per chunk. Refused at once with
    ALREADY_RUNNING while another event drives it, and with FINISHED once the run is full."""
    with live.driving(ALREADY_RUNNING):
        run = current(live, make)
        if run.finished:
            raise LimitError(FINISHED)
        budget = press.left if seconds is None else min(seconds, press.left)
        before = run.seconds
        try:
            for frame in run.run(budget, chunk_s, steps):
                press.seconds += run.seconds - before  # counted as it goes: the frame's speed is the press's so far
                before = run.seconds
                yield frame
        finally:
            press.seconds += run.seconds - before


def pause(live: LiveRun) -> LiveLoop:
    """What Pause does: the running loop stops after its current chunk; the run, to show where."""
    if live.run is None:
        raise LimitError(NOTHING_YET)
    live.run.pause()
    return live.run


def step(live: LiveRun, make: Callable[[], LiveLoop] | None = None, steps: int = 1) -> LiveLoop:
    """What Step does: `steps` more steps of a paused run; refused while a run is going."""
    with live.driving(STEP_WHILE_RUNNING):
        run = current(live, make)
        if not run.finished:
            run.train_for(0.0, steps)
        return run


def status_line(step: int, *parts: str, speed: float | None = None, finished: bool = False) -> str:
    """One markdown line under a live view: the step, the run's own figures, the speed, the end."""
    line = [f"**Step {step:,}**", *(p for p in parts if p)]
    if speed:
        line.append(f"{speed:,.0f} steps/s")
    if finished:
        line.append("reached its full length: press Reset to start again")
    return " · ".join(line)
