"""One live run per session, driven by one thread at a time.

A session's live run (a GAN or a diffusion model training on 2-D points, a character-level GPT
pre-training) lives in a `LiveRun` held in the session's state. Several events of one session can
run at once (a second Start while a run streams, a Step during it), and a model stepped by two
threads fails in autograd, or silently mixes two runs. So every event that trains takes the run:

    with live.driving(BUSY):          # refused at once with BUSY while another event drives it
        for update in live.run.run(seconds): yield update

and an event that replaces the run (Reset, a changed setting) first asks the running loop to stop
and waits for it (`live.replace(new_run)`). The lock is held across a streaming loop's yields and
released when the loop ends, is cancelled, or its session closes (the generator is closed).

Pure Python: the UI keeps a `LiveRun` in its per-session state (gr.State(LiveRun()): Gradio
deep-copies the initial value for every session, and a copy gets its own lock); a Streamlit page
would keep one in st.session_state.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from shared.limits import LimitError

STOP_WAIT_S = 5.0  # how long a Reset waits for a running loop to finish its current chunk


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
