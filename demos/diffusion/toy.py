"""Diffusion on toy 2-D points, small enough to train in a user's session and watch.

    run = ToyDiffusion(ToyDiffusionSettings(dataset="ring8"))
    run.train(2000)                         # an MLP learns to predict the noise in noisy points
    flow = run.sample(n=500, seed=0)        # pure noise flowing into the data, every step kept
    field = run.field(t=50)                 # the learned denoising direction on a grid

The same DDPM maths as the image model, with T = 100 steps and a cosine schedule:
x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, and the network eps_theta(x_t, t) is trained with
|| eps - eps_theta ||^2. Each user's run lives in their session (toy_live.py drives it), never in a global.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# the limits live in options.py (both UIs build their widgets from it); re-exported here
from demos.diffusion.options import (
    BATCH,
    HIDDEN,
    LAYERS,
    LR,
    MAX_STEPS,
    SAMPLE_POINTS,
    TRAIN_STEPS,
    T,
)
from shared import limits
from shared.datasets import TOY_2D_NAMES, toy_2d
from shared.seeding import seeded_global_rng

UPDATE_S = 0.15  # run(): one chunk of training about every 150 ms
FIELD_GRID = 21  # arrows per side of the vector-field grid
VIEW_RANGE = 3.0


def cosine_alpha_bar(steps: int = T, s: float = 0.008) -> torch.Tensor:
    """abar_t for t = 1..steps (index t-1), Nichol & Dhariwal's cosine schedule, (steps,)."""
    f = lambda t: math.cos((t / steps + s) / (1 + s) * math.pi / 2) ** 2  # noqa: E731
    abar = torch.tensor([f(t) / f(0) for t in range(1, steps + 1)], dtype=torch.float32)
    return abar.clamp(min=1e-5)


class Denoiser(nn.Module):
    """eps_theta(x_t, t): an MLP on the point and a sinusoidal embedding of t. (B, 2), (B,) -> (B, 2)."""

    def __init__(self, hidden: int = 128, layers: int = 3, t_dim: int = 16) -> None:
        super().__init__()
        self.t_dim = t_dim
        mods: list[nn.Module] = []
        for i in range(layers):
            mods += [nn.Linear(2 + t_dim if i == 0 else hidden, hidden), nn.SiLU()]
        self.net = nn.Sequential(*mods, nn.Linear(hidden, 2))

    def embed(self, t: torch.Tensor) -> torch.Tensor:
        freqs = torch.exp(torch.linspace(0, math.log(100), self.t_dim // 2))
        angles = t.float()[:, None] / T * freqs[None] * 2 * math.pi
        return torch.cat([angles.sin(), angles.cos()], 1)

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([x, self.embed(t)], 1))


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


class ToyDiffusion:
    def __init__(self, settings: ToyDiffusionSettings) -> None:
        self.settings = s = settings.checked()
        with seeded_global_rng(s.seed):  # the layers' initial weights, whoever else is using the app
            self.model = Denoiser(s.hidden, s.layers)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=s.lr)
        self.gen = torch.Generator().manual_seed(s.seed)
        self.data = torch.from_numpy(toy_2d(s.dataset, 20_000, seed=s.seed))
        self.abar = cosine_alpha_bar()
        self.step = 0
        self.losses: list[float] = []
        self.stopped = False

    @property
    def finished(self) -> bool:
        return self.step >= MAX_STEPS

    def stop(self) -> None:
        self.stopped = True

    def run(self, steps: int, update_s: float = UPDATE_S) -> Iterator[int]:
        """Train `steps` more steps (up to MAX_STEPS) in chunks of about `update_s` seconds each,
        yielding the step reached after each chunk (the ToyGAN.run of this demo).

        The chunk adapts to the measured speed, so a slow machine shows fewer steps per update
        rather than fewer updates. Stops early at stop()."""
        target = min(MAX_STEPS, self.step + TRAIN_STEPS.check(steps))
        chunk = 20
        while self.step < target and not self.stopped:
            t0 = time.perf_counter()
            self.train(min(chunk, target - self.step))
            chunk = int(np.clip(chunk * update_s / max(time.perf_counter() - t0, 1e-4), 5, 2000))
            yield self.step

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
