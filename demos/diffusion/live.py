"""A session's live 2-D diffusion run, whichever UI drives it: the run (an MLP denoiser from
model.py, trained in chunks paced for the screen, shared/live.py's loop), and what one press of
"Train and sample" does: train the session's run (kept while its settings hold), then stream the
flow of fresh noise into the data, step by step; a finished flow can be replayed.

    for frame in train_and_sample(slot, "ring8", seed=0, steps=2000):
        show(frame.picture, frame.status)          # frame.done on the last one
    picture = replay(slot, frame.flow, k=50)       # reverse step 50 of the last flow

The same DDPM maths as the image model, with T = 100 steps and a cosine schedule:
x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, and the network eps_theta(x_t, t) is trained with
|| eps - eps_theta ||^2. Every event that trains takes the session's run (`slot.driving`), so a
second press during a run is refused with a message instead of training one network from two threads.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from demos.diffusion.model import Denoiser, cosine_alpha_bar
from demos.diffusion.options import (
    BATCH,
    FLOW_POINTS,
    HIDDEN,
    LAYERS,
    LR,
    MAX_STEPS,
    PRESS_STEPS,
    SAMPLE_POINTS,
    TRAIN_STEPS,
    T,
)
from shared import limits
from shared.datasets import TOY_2D_NAMES, toy_2d
from shared.live import ALREADY_RUNNING, CAP_S, LiveLoop, LiveRun
from shared.seeding import seeded_global_rng

FIELD_GRID = 21  # arrows per side of the vector-field grid
VIEW_RANGE = 3.0
REPLAY_WHILE_RUNNING = "The 2-D run is still going; the slider replays the flow once it has finished."
NOTHING_TO_REPLAY = "Press Train and sample first: the slider replays the last flow."
FLOW_STRIDE = 2  # the flow is streamed every second step (100 steps in about 5 s)
FLOW_PACE_S = 0.03  # a pause between flow pictures: a pace the eye can follow
VIEW_POINTS = 1500  # real points drawn under the flow
FIELD_T_WHILE_TRAINING = T // 4  # the field shown while training: where it moves points a quarter way in
REVERSE_STEP = limits.IntRange("reverse step", 0, T)


@dataclass(frozen=True)
class ToyDiffusionSettings:
    dataset: str = "ring8"
    hidden: int = 128
    layers: int = 3
    lr: float = 2e-3
    batch: int = 512
    seed: int = 0

    def checked(self) -> ToyDiffusionSettings:
        return ToyDiffusionSettings(
            dataset=limits.check_choice("data set", self.dataset, TOY_2D_NAMES), hidden=HIDDEN.check(self.hidden),
            layers=LAYERS.check(self.layers), lr=LR.check(self.lr), batch=BATCH.check(self.batch),
            seed=limits.SEED.check(self.seed),
        )


@dataclass(frozen=True)
class Flow:
    path: np.ndarray  # (T + 1, n, 2): the points from pure noise (index 0) to the final samples (index T)
    timesteps: np.ndarray  # (T + 1,): the diffusion step each row is at, T down to 0


@dataclass(frozen=True)
class Field:
    grid: np.ndarray  # (FIELD_GRID**2, 2): where the arrows start
    direction: np.ndarray  # (FIELD_GRID**2, 2): the predicted clean point minus the point, at step t


@dataclass(frozen=True)
class LiveFrame:
    """One picture of a press: while training (flow None), while sampling, and the last (done)."""

    picture: np.ndarray  # uint8 RGB
    status: str  # markdown
    flow: Flow | None = None  # the flow being sampled, once sampling has begun
    done: bool = False  # the last frame: the flow can now be replayed


class ToyDiffusion(LiveLoop):
    """One live run: the denoiser and its optimiser, seeded, trained on demand, sampled as a flow."""

    CHUNK_S = 0.15  # a picture about every 150 ms of training

    def __init__(self, settings: ToyDiffusionSettings) -> None:
        super().__init__()
        self.settings = s = settings.checked()
        with seeded_global_rng(s.seed):  # the layers' initial weights, whoever else is using the app
            self.model = Denoiser(s.hidden, s.layers)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=s.lr)
        self.gen = torch.Generator().manual_seed(s.seed)
        self.data = torch.from_numpy(toy_2d(s.dataset, 20_000, seed=s.seed))
        self.abar = cosine_alpha_bar()
        self.step = 0
        self.losses: list[float] = []

    @property
    def finished(self) -> bool:
        return self.step >= MAX_STEPS

    def frame(self) -> int:
        """The step reached (the pictures are drawn by train_and_sample)."""
        return self.step

    def train(self, steps: int) -> None:
        """`steps` gradient steps on the noise-prediction loss."""
        s = self.settings
        steps = min(TRAIN_STEPS.check(steps), MAX_STEPS - self.step)
        self.model.train()
        for _ in range(steps):
            x0 = self.data[torch.randint(len(self.data), (s.batch,), generator=self.gen)]
            t = torch.randint(1, T + 1, (s.batch,), generator=self.gen)
            eps = torch.randn(x0.shape, generator=self.gen)
            a = self.abar[t - 1][:, None]
            loss = F.mse_loss(self.model(a.sqrt() * x0 + (1 - a).sqrt() * eps, t), eps)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            self.step += 1
            self.losses.append(float(loss.detach()))

    @torch.no_grad()
    def eval_loss(self, n: int = 4096) -> float:
        """The loss on a fixed batch of points, steps and noise: comparable across training."""
        g = torch.Generator().manual_seed(self.settings.seed + 1)
        x0 = self.data[torch.randint(len(self.data), (n,), generator=g)]
        t = torch.randint(1, T + 1, (n,), generator=g)
        eps = torch.randn(x0.shape, generator=g)
        a = self.abar[t - 1][:, None]
        self.model.eval()
        return float(F.mse_loss(self.model(a.sqrt() * x0 + (1 - a).sqrt() * eps, t), eps))

    @torch.no_grad()
    def sample(self, n: int, seed: int) -> Flow:
        """DDPM ancestral sampling from N(0, I), keeping every step:
        x_{t-1} = (x_t - beta_t / sqrt(1 - abar_t) eps) / sqrt(alpha_t) + sigma_t z,  sigma_t^2 = beta_t (1 - abar_{t-1}) / (1 - abar_t)."""
        n = SAMPLE_POINTS.check(n)
        g = torch.Generator().manual_seed(limits.SEED.check(seed))
        self.model.eval()
        abar = self.abar
        x = torch.randn(n, 2, generator=g)
        path = [x]
        for t in range(T, 0, -1):
            a_t = abar[t - 1]
            a_prev = abar[t - 2] if t > 1 else torch.tensor(1.0)
            alpha = a_t / a_prev
            beta = 1 - alpha
            eps = self.model(x, torch.full((n,), t))
            x = (x - beta / (1 - a_t).sqrt() * eps) / alpha.sqrt()
            if t > 1:
                x = x + (beta * (1 - a_prev) / (1 - a_t)).sqrt() * torch.randn(n, 2, generator=g)
            path.append(x)
        return Flow(torch.stack(path).numpy(), np.arange(T, -1, -1))

    @torch.no_grad()
    def field(self, t: int) -> Field:
        """Where the model would move points at diffusion step t: x0_hat(x, t) - x on a grid."""
        t = limits.IntRange("diffusion step", 1, T).check(t)
        axis = torch.linspace(-VIEW_RANGE, VIEW_RANGE, FIELD_GRID)
        gy, gx = torch.meshgrid(axis, axis, indexing="ij")
        grid = torch.stack([gx, gy], -1).reshape(-1, 2)
        self.model.eval()
        a = self.abar[t - 1]
        eps = self.model(grid, torch.full((len(grid),), t))
        x0_hat = (grid - (1 - a).sqrt() * eps) / a.sqrt()  # invert the forward process
        return Field(grid.numpy(), (x0_hat - grid).numpy())


# ---- what a press shows ------------------------------------------------------------------------


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
        for step in run.run(CAP_S, steps=steps):
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
