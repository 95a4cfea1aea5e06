"""A session's live 2-D flow, whichever UI drives it: the run (a zuko flow from model.py, trained
by maximum likelihood in chunks paced for the screen, on shared/live.py's loop), and what Start,
Pause, Step and Reset do to the session's `LiveRun`.

    press = new_press(slot, FlowSettings("ring8", "nsf", 4, seed=0), steps=1000)
    for snap in start(slot, press):                 # a snapshot about every CHUNK_S
        show(views.live_view(slot.run, press.speed(slot.run.step), snap))

Training minimises the negative log-likelihood of the data, exactly (no bound, no discriminator):
    loss = -mean_x [ log N(f(x); 0, I) + log |det J_f(x)| ]
A press trains up to its number of steps (the run's `target`), at most RUN_SECONDS.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from demos.flows import wording as words
from demos.flows.model import layer_maps, make_flow
from demos.flows.options import (
    BATCH,
    DATA_POINTS,
    DENSITY_GRID,
    FLOW_KINDS,
    GRID_LINE_POINTS,
    GRID_LINES,
    LAYERS,
    LR,
    MAX_STEPS,
    PRESS_STEPS,
    RUN_SECONDS,
    SAMPLE_POINTS,
    STEP_STEPS,
    TEST_POINTS,
    VIEW_RANGE,
)
from shared import limits, live
from shared.datasets import TOY_2D_NAMES, toy_2d
from shared.live import ALREADY_RUNNING, LiveLoop, LiveRun, Press

TRAIN_POINTS = 20_000
CAPPED = live.capped_text(RUN_SECONDS)


@dataclass(frozen=True)
class FlowSettings:
    dataset: str = "ring8"
    kind: str = "nsf"
    layers: int = 4
    seed: int = 0

    def checked(self) -> FlowSettings:
        return FlowSettings(limits.check_choice("data set", self.dataset, TOY_2D_NAMES),
                            limits.check_choice("flow", self.kind, FLOW_KINDS), LAYERS.check(self.layers),
                            limits.SEED.check(self.seed))


@dataclass(frozen=True)
class FlowSnapshot:
    """What the views draw of a run at one step (all coordinates in data space, [-3, 3]^2 shown)."""

    step: int
    log_density: np.ndarray  # (DENSITY_GRID, DENSITY_GRID) log p(x), row 0 at the top (y = +VIEW_RANGE)
    samples: np.ndarray  # (SAMPLE_POINTS, 2): the fixed noise carried to the data side
    to_noise: list[np.ndarray]  # L + 1 arrays (DATA_POINTS, 2): the data after 0, 1, ... L layers
    to_data_grid: list[np.ndarray]  # L + 1 arrays (2 * GRID_LINES, GRID_LINE_POINTS, 2): the noise grid, undone layer by layer
    to_data_samples: list[np.ndarray]  # L + 1 arrays (SAMPLE_POINTS, 2): the noise, undone layer by layer
    train_nll: list[float]  # per step, nats per point
    test_nll: float  # on TEST_POINTS held-out points, nats per point


def noise_grid() -> torch.Tensor:
    """GRID_LINES horizontal and GRID_LINES vertical lines across [-2.5, 2.5]^2 of the noise space:
    (2 * GRID_LINES, GRID_LINE_POINTS, 2)."""
    at = torch.linspace(-2.5, 2.5, GRID_LINES)
    along = torch.linspace(-2.5, 2.5, GRID_LINE_POINTS)
    rows = torch.stack([along.expand(GRID_LINES, -1), at[:, None].expand(-1, GRID_LINE_POINTS)], -1)
    return torch.cat([rows, rows.flip(-1)])


def density_points() -> torch.Tensor:
    """The heatmap's points, (DENSITY_GRID^2, 2), row by row from the top."""
    axis = torch.linspace(-VIEW_RANGE, VIEW_RANGE, DENSITY_GRID)
    gy, gx = torch.meshgrid(axis.flip(0), axis, indexing="ij")
    return torch.stack([gx, gy], -1).reshape(-1, 2)


class ToyFlow(LiveLoop):
    """One live run: the flow and its optimiser, seeded, trained on demand up to `target` steps."""

    CHUNK_S = 0.5  # a snapshot (density, layers, held-out loss) and its picture cost about 0.2 s on one core

    def __init__(self, settings: FlowSettings) -> None:
        super().__init__()
        self.settings = s = settings.checked()
        self.flow = make_flow(s.kind, s.layers, s.seed)
        self.opt = torch.optim.Adam(self.flow.parameters(), lr=LR)
        self.gen = torch.Generator().manual_seed(s.seed)
        self.data = torch.from_numpy(toy_2d(s.dataset, TRAIN_POINTS, seed=s.seed))
        self.test = torch.from_numpy(toy_2d(s.dataset, TEST_POINTS, seed=(s.seed + 1) % (limits.SEED.high + 1)))
        self.noise = torch.randn(SAMPLE_POINTS, 2, generator=torch.Generator().manual_seed(s.seed))
        self.step = 0
        self.target = MAX_STEPS  # a press trains up to here (new_press and step set it)
        self.losses: list[float] = []

    @property
    def finished(self) -> bool:
        return self.step >= min(self.target, MAX_STEPS)

    @property
    def full(self) -> bool:
        return self.step >= MAX_STEPS

    def train(self, steps: int) -> None:
        """`steps` Adam steps on the exact negative log-likelihood of a batch."""
        self.flow.train()
        for _ in range(min(steps, min(self.target, MAX_STEPS) - self.step)):  # a press ends at its target
            x = self.data[torch.randint(len(self.data), (BATCH,), generator=self.gen)]
            loss = -self.flow().log_prob(x).mean()
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.flow.parameters(), 10.0)  # one bad batch cannot blow a spline up
            self.opt.step()
            self.step += 1
            self.losses.append(float(loss.detach()))

    def frame(self) -> FlowSnapshot:
        return self.snapshot()

    @torch.no_grad()
    def snapshot(self) -> FlowSnapshot:
        self.flow.eval()
        dist = self.flow()
        maps = layer_maps(self.flow)
        log_p = dist.log_prob(density_points()).reshape(DENSITY_GRID, DENSITY_GRID)
        x, to_noise = self.data[:DATA_POINTS], []
        for f in [None, *maps]:  # the data, then after each layer
            x = x if f is None else f(x)
            to_noise.append(x.numpy())
        grid, dots = noise_grid(), self.noise
        grid_path, dot_path = [grid.numpy()], [dots.numpy()]
        for f in reversed(maps):  # the noise, then with each layer undone, last layer first
            grid, dots = f.inv(grid), f.inv(dots)
            grid_path.append(grid.numpy())
            dot_path.append(dots.numpy())
        test_nll = float(-dist.log_prob(self.test).mean())
        return FlowSnapshot(self.step, log_p.numpy(), dots.numpy(), to_noise, grid_path, dot_path,
                            list(self.losses), test_nll)


# ---- what the buttons do (the shared protocol, with this demo's run) ---------------------------


def settings_from_values(values: tuple | list) -> FlowSettings:
    """FlowSettings from the UI's values, in FlowSettings' field order."""
    return FlowSettings(*values).checked()


def _run_for(slot: LiveRun, settings: FlowSettings) -> ToyFlow:
    """The session's run, a new one when it has none or its settings changed. Call while driving."""
    if slot.run is None or slot.run.settings != settings:
        slot.run = ToyFlow(settings)
    return slot.run


def reset(slot: LiveRun, settings: FlowSettings) -> ToyFlow:
    """A new run with the settings; a running one is stopped first (and waited for)."""
    return slot.replace(ToyFlow(settings.checked()))


def new_press(slot: LiveRun, settings: FlowSettings, steps: object) -> Press:
    """A press of Start: the session's run (a new one if the settings changed) will train `steps`
    more steps, for RUN_SECONDS at most. Refused while another event drives the run."""
    settings, steps = settings.checked(), PRESS_STEPS.check(steps)
    with slot.driving(ALREADY_RUNNING):
        run = _run_for(slot, settings)
        if run.full:
            raise limits.LimitError(live.FINISHED)
        run.target = min(MAX_STEPS, run.step + steps)
        return Press(run.step, RUN_SECONDS)


def start(slot: LiveRun, press: Press) -> Iterator[FlowSnapshot]:
    """Train the press's steps (new_press set them), a snapshot about every ToyFlow.CHUNK_S;
    refused while another event drives the run."""
    yield from live.start(slot, press)


def step(slot: LiveRun, settings: FlowSettings) -> ToyFlow:
    """STEP_STEPS more steps of a paused run (a new one if the settings changed); refused while a run is going."""
    settings = settings.checked()
    with slot.driving(words.STEP_WHILE_RUNNING):
        run = _run_for(slot, settings)
        run.target = min(MAX_STEPS, run.step + STEP_STEPS)
        run.train_for(RUN_SECONDS, STEP_STEPS)
        return run
