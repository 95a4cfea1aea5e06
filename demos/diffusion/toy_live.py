"""A session's live 2-D diffusion run, whichever UI drives it: one press of "Train and sample"
trains the session's run (kept while its settings hold) in chunks paced for the screen, then
streams the flow of fresh noise into the data, step by step; a finished flow can be replayed.

    for frame in train_and_sample(live, "ring8", seed=0, steps=2000):
        show(frame.picture, frame.status)          # frame.done on the last one
    picture = replay(live, frame.flow, k=50)       # reverse step 50 of the last flow

Every event that trains takes the session's run (`live.driving`), so a second press during a run
is refused with a message instead of training one network from two threads.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from demos.diffusion.options import FLOW_POINTS, MAX_STEPS, PRESS_STEPS, T
from demos.diffusion.toy import Flow, ToyDiffusion, ToyDiffusionSettings
from shared import limits
from shared.live import LiveRun

ALREADY_RUNNING = "This session's 2-D run is already going: press Stop first, or wait for it to finish."
REPLAY_WHILE_RUNNING = "The 2-D run is still going; the slider replays the flow once it has finished."
NOTHING_TO_REPLAY = "Press Train and sample first: the slider replays the last flow."
FLOW_STRIDE = 2  # the flow is streamed every second step (100 steps in about 5 s)
FLOW_PACE_S = 0.03  # a pause between flow pictures: a pace the eye can follow
VIEW_POINTS = 1500  # real points drawn under the flow
FIELD_T_WHILE_TRAINING = T // 4  # the field shown while training: where it moves points a quarter way in
REVERSE_STEP = limits.IntRange("reverse step", 0, T)


@dataclass(frozen=True)
class LiveFrame:
    """One picture of a press: while training (flow None), while sampling, and the last (done)."""

    picture: np.ndarray  # uint8 RGB
    status: str  # markdown
    flow: Flow | None = None  # the flow being sampled, once sampling has begun
    done: bool = False  # the last frame: the flow can now be replayed


def _session_run(live: LiveRun, settings: ToyDiffusionSettings) -> ToyDiffusion:
    """The session's run, reused while the settings hold (a new one once finished). Call while driving."""
    if live.run is None or live.run.settings != settings or live.run.finished:
        live.run = ToyDiffusion(settings)
    return live.run


def flow_picture(run: ToyDiffusion, flow: Flow, k: int) -> np.ndarray:
    """The view at step k of a sampled flow (k = 0: pure noise, k = T: the samples)."""
    from demos.diffusion import views

    t = max(1, T - k)
    field = run.field(t)
    trail = flow.path[max(0, k - views.TRAIL_STEPS):k + 1] if k > 0 else None
    caption = f"reverse step {k} of {T}  (t = {T - k})" if k < T else f"done: {len(flow.path[k])} samples"
    return views.flow_view(run.data[:VIEW_POINTS].numpy(), flow.path[k], trail, (field.grid, field.direction),
                           run.losses, caption, run.step)


def training_picture(run: ToyDiffusion, target: int) -> np.ndarray:
    """The view while training: the data and the learned field (no points yet)."""
    from demos.diffusion import views

    field = run.field(FIELD_T_WHILE_TRAINING)
    return views.flow_view(run.data[:VIEW_POINTS].numpy(), None, None, (field.grid, field.direction), run.losses,
                           f"training: step {run.step:,} of {target:,}", run.step)


def train_and_sample(live: LiveRun, dataset: str, seed: int, steps: int,
                     pace_s: float = FLOW_PACE_S) -> Iterator[LiveFrame]:
    """Train the session's run for `steps` more steps (a picture per chunk), then sample
    FLOW_POINTS points from the seed's noise and stream their flow, every FLOW_STRIDE-th step.
    Refused at once while another event drives the run."""
    steps = PRESS_STEPS.check(steps)
    settings = ToyDiffusionSettings(dataset=dataset, seed=seed).checked()
    with live.driving(ALREADY_RUNNING):
        run = _session_run(live, settings)
        target = min(MAX_STEPS, run.step + steps)
        for step in run.run(steps):
            yield LiveFrame(training_picture(run, target), f"Training: step {step:,} · loss {run.losses[-1]:.3f}")
        if run.stopped:
            return
        flow = run.sample(FLOW_POINTS, seed)
        for k in range(0, T + 1, FLOW_STRIDE):
            if run.stopped:
                return
            yield LiveFrame(flow_picture(run, flow, k), f"Sampling: reverse step {k} of {T}", flow)
            time.sleep(pace_s)
        yield LiveFrame(flow_picture(run, flow, T), f"Trained {run.step:,} steps; {FLOW_POINTS} points sampled. "
                        "Drag the slider to replay the flow.", flow, done=True)


def replay(live: LiveRun, flow: Flow | None, k: object) -> np.ndarray:
    """The picture at reverse step k of the session's last flow; refused while the run trains."""
    if live.run is None or flow is None:
        raise limits.LimitError(NOTHING_TO_REPLAY)
    k = REVERSE_STEP.check(k)
    with live.driving(REPLAY_WHILE_RUNNING):
        return flow_picture(live.run, flow, k)
