"""A GAN on toy 2-D data, small enough to train live: settings, the trainer, and what it shows.

    trainer = ToyGAN(ToySettings(dataset="ring8", loss="non-saturating"))
    trainer.train(50)              # 50 generator steps (each after d_steps discriminator steps)
    view = trainer.snapshot()      # points, decision surface, gradient arrows, losses, modes

Each user's trainer lives in their own session (gr.State), never in a module global.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# the settings, limits and presets live in a torch-free module (the UI imports them at start-up);
# they are re-exported here so `from demos.gan.toy import ...` finds everything about a run
from demos.gan.options import (  # noqa: F401
    BATCH,
    D_STEPS,
    GRID,
    HIDDEN,
    LAYERS,
    LOSSES,
    LR,
    MAX_STEPS,
    N_ARROWS,
    N_VIEW,
    PRESETS,
    R1,
    TRAIN_STEPS,
    VIEW_RANGE,
    Z_DIM,
    Loss,
    ToySettings,
    settings_from,
)
from shared.datasets import RING8_STD, ring8_centres, toy_2d
from shared.seeding import seeded_global_rng


def mlp(d_in: int, hidden: int, layers: int, d_out: int) -> nn.Sequential:
    mods: list[nn.Module] = []
    for i in range(layers):
        mods += [nn.Linear(d_in if i == 0 else hidden, hidden), nn.LeakyReLU(0.2)]
    return nn.Sequential(*mods, nn.Linear(hidden, d_out))


def d_loss(loss: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Discriminator loss on its outputs for real (B,) and generated (B,) points."""
    if loss == "non-saturating":  # -log D(x) - log(1 - D(G(z))), D = sigmoid(output)
        return F.softplus(-real).mean() + F.softplus(fake).mean()
    if loss == "least-squares":  # 1/2 (D(x) - 1)^2 + 1/2 D(G(z))^2
        return 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean()
    return F.relu(1 - real).mean() + F.relu(1 + fake).mean()  # hinge


def g_loss(loss: str, fake: torch.Tensor) -> torch.Tensor:
    """Generator loss on the discriminator's outputs for generated points (B,)."""
    if loss == "non-saturating":  # -log D(G(z)): strong gradients even when D is sure it is fake
        return F.softplus(-fake).mean()
    if loss == "least-squares":  # 1/2 (D(G(z)) - 1)^2
        return 0.5 * ((fake - 1) ** 2).mean()
    return -fake.mean()  # hinge


def realness(loss: str, out: torch.Tensor) -> torch.Tensor:
    """The discriminator's output mapped to [0, 1], "how real", for the heatmap."""
    return out.clamp(0, 1) if loss == "least-squares" else torch.sigmoid(out)


@dataclass
class ToySnapshot:
    step: int
    real: np.ndarray  # (N_VIEW, 2)
    fake: np.ndarray  # (N_VIEW, 2)
    surface: np.ndarray  # (GRID, GRID): realness over [-3, 3]^2, row 0 at y = +3
    arrow_from: np.ndarray  # (N_ARROWS, 2)
    arrow_dir: np.ndarray  # (N_ARROWS, 2): -dL_G/dx, where the generator's loss pushes each point
    loss_d: list[float]
    loss_g: list[float]
    mode_counts: np.ndarray | None  # ring8 only: (8,) generated points within 3 sigma of each mode
    modes_covered: int | None  # ring8 only: modes holding at least 2% of generated points
    in_modes: float | None  # ring8 only: share of generated points within 3 sigma of a mode


class ToyGAN:
    """One live training run: two MLPs and their optimisers, seeded, stepped on demand."""

    def __init__(self, settings: ToySettings) -> None:
        self.settings = s = settings.checked()
        with seeded_global_rng(s.seed):  # the layers' initial weights, whoever else is using the app
            self.generator = mlp(s.z_dim, s.g_hidden, s.g_layers, 2)
            self.discriminator = mlp(2, s.d_hidden, s.d_layers, 1)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=s.lr_g, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=s.lr_d, betas=(0.5, 0.999))
        self.gen = torch.Generator().manual_seed(s.seed)
        self.data = torch.from_numpy(toy_2d(s.dataset, 20_000, seed=s.seed))
        self.view_real = self.data[:N_VIEW].numpy()
        self.view_z = torch.randn(N_VIEW, s.z_dim, generator=torch.Generator().manual_seed(s.seed + 1))
        self.step = 0
        self.stopped = False  # set when the user's session ends: a running loop then returns
        self.running = False  # a run() loop is going
        self._pause = False
        self.loss_d: list[float] = []
        self.loss_g: list[float] = []

    @property
    def finished(self) -> bool:
        return self.step >= MAX_STEPS

    def stop(self) -> None:
        self.stopped = True

    def pause(self, wait_s: float = 2.0) -> None:
        """Ask a running loop to stop after its current chunk, and wait (briefly) until it has."""
        self._pause = True
        end = time.perf_counter() + wait_s
        while self.running and time.perf_counter() < end:
            time.sleep(0.01)

    def run(self, seconds: float, updates_per_second: float = 7.0) -> Iterator[ToySnapshot]:
        """Train for up to `seconds`, yielding a snapshot about `updates_per_second` times a second.

        The number of steps between snapshots adapts to the measured speed, so a slow machine
        shows fewer steps per update rather than fewer updates. Stops at MAX_STEPS or stop().
        """
        budget = 1.0 / updates_per_second
        chunk, end = 1, time.perf_counter() + seconds
        self._pause, self.running = False, True
        try:
            while not (self.finished or self.stopped or self._pause) and time.perf_counter() < end:
                t0 = time.perf_counter()
                self.train(chunk)
                train_time = time.perf_counter() - t0
                # spend about 70% of each update training; drawing, encoding and sending take the rest
                chunk = int(np.clip(0.7 * budget / max(train_time / chunk, 1e-6), 1, 500))
                yield self.snapshot()
        finally:
            self.running = False

    def _D(self, x: torch.Tensor) -> torch.Tensor:
        return self.discriminator(x).squeeze(-1)

    def train(self, steps: int) -> None:
        """`steps` generator updates, each after settings.d_steps discriminator updates."""
        s = self.settings
        steps = min(TRAIN_STEPS.check(steps), MAX_STEPS - self.step)
        for _ in range(steps):
            for _ in range(s.d_steps):
                real = self.data[torch.randint(len(self.data), (s.batch,), generator=self.gen)]
                with torch.no_grad():
                    fake = self.generator(torch.randn(s.batch, s.z_dim, generator=self.gen))
                if s.r1_gamma > 0:
                    real.requires_grad_(True)
                real_out = self._D(real)
                loss = d_loss(s.loss, real_out, self._D(fake))
                if s.r1_gamma > 0:  # R1: gamma/2 * E|grad_x D(x)|^2 on real points
                    (grad,) = torch.autograd.grad(real_out.sum(), real, create_graph=True)
                    loss = loss + 0.5 * s.r1_gamma * grad.pow(2).sum(1).mean()
                self.opt_d.zero_grad(set_to_none=True)
                loss.backward()
                self.opt_d.step()
            lg = g_loss(s.loss, self._D(self.generator(torch.randn(s.batch, s.z_dim, generator=self.gen))))
            self.opt_g.zero_grad(set_to_none=True)
            lg.backward()
            self.opt_g.step()
            self.step += 1
            self.loss_d.append(float(loss.detach()))
            self.loss_g.append(float(lg.detach()))

    @torch.no_grad()
    def eval_losses(self, n: int = 2048) -> tuple[float, float]:
        """(D loss, G loss) on a fixed batch of real points and latents: comparable across steps."""
        s = self.settings
        g = torch.Generator().manual_seed(s.seed + 2)
        real = self.data[torch.randint(len(self.data), (n,), generator=g)]
        fake = self.generator(torch.randn(n, s.z_dim, generator=g))
        fake_out = self._D(fake)
        return float(d_loss(s.loss, self._D(real), fake_out)), float(g_loss(s.loss, fake_out))

    def snapshot(self) -> ToySnapshot:
        s = self.settings
        with torch.no_grad():
            fake = self.generator(self.view_z)
            axis = torch.linspace(-VIEW_RANGE, VIEW_RANGE, GRID)
            gy, gx = torch.meshgrid(axis.flip(0), axis, indexing="ij")
            surface = realness(s.loss, self._D(torch.stack([gx, gy], -1).reshape(-1, 2))).reshape(GRID, GRID)
        # the generator's gradient on its own samples: where its loss pushes each point
        x = fake[:N_ARROWS].clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(g_loss(s.loss, self._D(x)) * N_ARROWS, x)
        fake_np = fake.numpy()
        mode_counts = modes_covered = in_modes = None
        if s.dataset == "ring8":
            dist = np.linalg.norm(fake_np[:, None] - ring8_centres()[None], axis=-1)  # (N, 8)
            near = dist.min(1) < 3 * RING8_STD
            mode_counts = np.bincount(dist.argmin(1)[near], minlength=8)
            modes_covered = int((mode_counts >= 0.02 * len(fake_np)).sum())
            in_modes = float(near.mean())
        return ToySnapshot(self.step, self.view_real, fake_np, surface.numpy(), x.detach().numpy(),
                           -grad.numpy(), list(self.loss_d), list(self.loss_g), mode_counts, modes_covered, in_modes)
