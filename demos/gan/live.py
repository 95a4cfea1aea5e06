"""A session's live 2-D GAN run, whichever UI drives it: the run (two MLPs from model.py, their
optimisers, seeded, stepped on demand; a snapshot of what it shows), what Start, Pause, Step, Reset
and a preset do to the session's `LiveRun` (the shared protocol of shared/live.py), and the view
with its status line.

    press = live.Press(step0)
    for snap in start(slot, settings, press):       # Gradio: one loop; Streamlit: one short tick
        picture, status = view(slot.run, press.speed(slot.run.step), snap)

Every event that trains takes the session's run (`slot.driving`), so a second Start or a Step
during a run is refused with a message instead of stepping the networks from two threads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from demos.gan.model import d_loss, g_loss, mlp, realness
from demos.gan.options import (
    GRID,
    MAX_STEPS,
    N_ARROWS,
    N_VIEW,
    PRESETS,
    RUN_SECONDS,
    SETTING_FIELDS,
    TRAIN_STEPS,
    VIEW_RANGE,
    ToySettings,
    settings_from,
)
from shared import live
from shared.datasets import RING8_STD, ring8_centres, toy_2d
from shared.limits import LimitError
from shared.live import LiveLoop, LiveRun, Press
from shared.seeding import seeded_global_rng

CAPPED = live.capped_text(RUN_SECONDS)


def settings_from_values(values: Sequence[object]) -> ToySettings:
    """ToySettings from the widgets' values in SETTING_FIELDS order, every one checked."""
    if len(values) != len(SETTING_FIELDS):
        raise LimitError(f"Expected {len(SETTING_FIELDS)} settings ({', '.join(SETTING_FIELDS)}); got {len(values)}.")
    return ToySettings(**dict(zip(SETTING_FIELDS, values))).checked()


def setting_values(settings: ToySettings) -> tuple:
    """The settings' values in SETTING_FIELDS order (to fill the widgets)."""
    return tuple(getattr(settings, f) for f in SETTING_FIELDS)


# ---- the run --------------------------------------------------------------------------------


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


class ToyGAN(LiveLoop):
    """One live training run: two MLPs and their optimisers, seeded, stepped on demand."""

    CHUNK_S = 0.1  # a snapshot about every 0.1 s of training while a press streams

    def __init__(self, settings: ToySettings) -> None:
        super().__init__()
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
        self.loss_d: list[float] = []
        self.loss_g: list[float] = []

    @property
    def finished(self) -> bool:
        return self.step >= MAX_STEPS

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

    def frame(self) -> ToySnapshot:
        return self.snapshot()

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


# ---- what the buttons do (the shared protocol, with this demo's run) ---------------------------


def reset(slot: LiveRun, settings: ToySettings) -> ToyGAN:
    """A new run with the settings; a running one is stopped first (and waited for)."""
    return slot.replace(ToyGAN(settings.checked()))


def apply_preset(slot: LiveRun, name: str) -> tuple[ToySettings, str, ToyGAN]:
    """A new run from the preset: its settings, its explanation and the run."""
    settings = settings_from(name)
    return settings, PRESETS[name][1], slot.replace(ToyGAN(settings))


def new_press(slot: LiveRun) -> Press:
    """A press of Start from where the session's run is: it trains RUN_SECONDS at most."""
    return Press(slot.run.step if slot.run is not None else 0, RUN_SECONDS)


def start(slot: LiveRun, settings: ToySettings, press: Press, seconds: float | None = None) -> Iterator[ToySnapshot]:
    """Train the session's run (made from the settings if there is none) for up to `seconds`
    (default: what is left of the press), a snapshot about every ToyGAN.CHUNK_S."""
    settings = settings.checked()
    yield from live.start(slot, press, lambda: ToyGAN(settings), seconds)


def step(slot: LiveRun, settings: ToySettings) -> ToyGAN:
    """One generator step (after its discriminator steps); refused while a run is going."""
    settings = settings.checked()
    return live.step(slot, lambda: ToyGAN(settings))
