"""A session's live 2-D GAN run, whichever UI drives it: what Start, Pause, Step, Reset and a
preset do to the session's `LiveRun`, the 120 s cap of one press of Start, and the view with its
status line.

    press = Press(live.run.step)
    for snap in train(live, settings, press):       # Gradio: one loop; Streamlit: one short tick
        picture, status = view(live.run, press.speed(live.run.step), snap)

Every event that trains takes the session's run (`live.driving`), so a second Start or a Step
during a run is refused with a message instead of stepping the networks from two threads.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from demos.gan.options import PRESETS, RUN_SECONDS, SETTING_FIELDS, ToySettings, settings_from
from demos.gan.toy import ToyGAN, ToySnapshot
from shared.limits import LimitError
from shared.live import LiveRun

ALREADY_TRAINING = ("This session is already training: press Pause to stop it (or Reset to start again), "
                    "then Start.")
STEP_WHILE_TRAINING = "Training is running: press Pause first; Step moves a paused run on by one step."
NOTHING_YET = "Nothing is training yet: press Start."
FINISHED = "This run has reached its maximum length; press Reset to start a new one."
CAPPED = f"Paused after {RUN_SECONDS // 60} minutes of training; press Start to go on."


def settings_from_values(values: Sequence[object]) -> ToySettings:
    """ToySettings from the widgets' values in SETTING_FIELDS order, every one checked."""
    if len(values) != len(SETTING_FIELDS):
        raise LimitError(f"Expected {len(SETTING_FIELDS)} settings ({', '.join(SETTING_FIELDS)}); got {len(values)}.")
    return ToySettings(**dict(zip(SETTING_FIELDS, values))).checked()


def setting_values(settings: ToySettings) -> tuple:
    """The settings' values in SETTING_FIELDS order (to fill the widgets)."""
    return tuple(getattr(settings, f) for f in SETTING_FIELDS)


# ---- the view --------------------------------------------------------------------------------


def status_text(trainer: ToyGAN, snap: ToySnapshot, speed: float | None = None) -> str:
    """One markdown line: step, losses, modes covered, speed, and whether the run is over."""
    parts = [f"**Step {snap.step:,}**"]
    if snap.loss_d:
        parts.append(f"D loss {snap.loss_d[-1]:.3f} · G loss {snap.loss_g[-1]:.3f}")
    if snap.modes_covered is not None:
        parts.append(f"modes covered {snap.modes_covered}/8")
    if speed:
        parts.append(f"{speed:,.0f} steps/s")
    if trainer.finished:
        parts.append("reached the maximum length of a run: press Reset to start again")
    return " · ".join(parts)


def view(trainer: ToyGAN, speed: float | None = None, snap: ToySnapshot | None = None) -> tuple[np.ndarray, str]:
    """The picture of the run (uint8 RGB) and its status line; `snap` defaults to a fresh one."""
    from demos.gan.toy_view import render_snapshot

    snap = snap if snap is not None else trainer.snapshot()
    return render_snapshot(snap, trainer.settings.dataset), status_text(trainer, snap, speed)


# ---- what the buttons do ---------------------------------------------------------------------


def reset(live: LiveRun, settings: ToySettings) -> ToyGAN:
    """A new run with the settings; a running one is stopped first (and waited for)."""
    return live.replace(ToyGAN(settings.checked()))


def apply_preset(live: LiveRun, name: str) -> tuple[ToySettings, str, ToyGAN]:
    """A new run from the preset: its settings, its explanation and the run."""
    settings = settings_from(name)
    return settings, PRESETS[name][1], live.replace(ToyGAN(settings))


def _current(live: LiveRun, settings: ToySettings) -> ToyGAN:
    """The session's run, made from the settings if there is none yet (call it while driving)."""
    if live.run is None:
        live.run = ToyGAN(settings.checked())
    return live.run


@dataclass
class Press:
    """One press of Start: it trains at most RUN_SECONDS in all, in one loop (Gradio) or over many
    short ticks (Streamlit), and knows its speed."""

    step0: int
    seconds: float = 0.0  # trained so far

    @property
    def left(self) -> float:
        return max(0.0, RUN_SECONDS - self.seconds)

    @property
    def capped(self) -> bool:
        """Whether the press ended by the time limit (not by Pause): allow a second of slack."""
        return self.seconds >= RUN_SECONDS - 1

    def speed(self, step: int) -> float:
        return (step - self.step0) / max(self.seconds, 1e-6)


def train(live: LiveRun, settings: ToySettings, press: Press, seconds: float | None = None,
          updates_per_second: float = 7.0) -> Iterator[ToySnapshot]:
    """Train the session's run for up to `seconds` (default: what is left of the press), yielding a
    snapshot about `updates_per_second` times a second. Refused while another event drives the run."""
    with live.driving(ALREADY_TRAINING):
        trainer = _current(live, settings)
        if trainer.finished:
            raise LimitError(FINISHED)
        budget = press.left if seconds is None else min(seconds, press.left)
        t0 = time.perf_counter()
        try:
            for snap in trainer.run(budget, updates_per_second):
                press.seconds += time.perf_counter() - t0
                t0 = time.perf_counter()
                yield snap
        finally:
            press.seconds += time.perf_counter() - t0


def pause(live: LiveRun) -> ToyGAN:
    """Stop the running loop after its current chunk; the run, to show exactly where it stopped."""
    if live.run is None:
        raise LimitError(NOTHING_YET)
    live.run.pause()
    return live.run


def step(live: LiveRun, settings: ToySettings) -> ToyGAN:
    """One generator step (after its discriminator steps); refused while a run is going."""
    with live.driving(STEP_WHILE_TRAINING):
        trainer = _current(live, settings)
        if not trainer.finished:
            trainer.train(1)
        return trainer
