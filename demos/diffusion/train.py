"""Train the bundled DDPM on `shapes` and write checkpoints/diffusion-shapes with its model card.

    python -m demos.diffusion.train                 # resumable: rerun to continue from runs/diffusion-shapes
    python -m demos.diffusion.train --steps 200 --out /tmp/ddpm --state-dir /tmp/ddpm-state   # a quick look

The loss is the DDPM one: pick t uniformly, noise x_0 to x_t, and regress the noise,
L = || eps - eps_theta(x_t, t) ||^2 ("L_simple"). `--min-snr-gamma 5` weights it by
min(SNR(t), gamma) / SNR(t) (Hang et al. 2023) instead; tried here, it left residual noise in the
samples after 1,000 steps, since it all but ignores the nearly clean steps that remove the last of it.
The shipped weights are an exponential moving average. The bundled model trained for 7 minutes on
one GPU (`--device cuda --batch-size 256`); on 2 CPU cores a step of batch 64 takes about 1.8 s, so
there train it in pieces with `--time-limit-min` (rerunning resumes).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from demos.diffusion import process
from demos.diffusion.model import BUNDLED_NAME, shapes_unet, training_scheduler
from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.datasets import make_shapes
from shared.metrics import ShapeScores, score_images, tensor_to_images
from shared.shapes_classifier import to_tensor
from shared.training import RunConfig, TrainingRun, command_line, ema_update, fit_run, parse_config, run_progress

EVAL_SEED = 2024  # noise of the samples the model card scores
EVAL_SAMPLES = 500
EVAL_STEPS = 50  # DDIM steps


@dataclass
class TrainConfig(RunConfig):
    steps: int = 40_000
    batch_size: int = 64
    lr: float = 5e-4
    decay_from: float = 0.7  # after this share of the run (steps or time limit), lr falls linearly to a tenth
    warmup: int = 200
    min_snr_gamma: float = 0.0  # 0 = plain, unweighted loss
    ema_decay: float = 0.998
    schedule: str = "squaredcos_cap_v2"
    data_size: int = 60_000
    eval_every: int = 1000
    eval_samples: int = EVAL_SAMPLES  # the final score; fewer for a quick look (500 DDIM samples take ~2 min on a CPU)
    progress_samples: int = 200  # the scores taken every eval_every steps
    init_from: str = ""  # a saved UNet folder to start from
    widths: str = "32,64,96"  # channels at 32x32, 16x16 and 8x8 for a fresh UNet (see shapes_unet)
    measure_only: int = 0  # 1: re-measure the model in --out by both witnesses over five seeds, rewrite that card section
    out: str = str(CHECKPOINTS_DIR / BUNDLED_NAME)
    state_dir: str = str(REPO_ROOT / "runs" / BUNDLED_NAME)


def samples(unet, config, n: int = EVAL_SAMPLES, steps: int = EVAL_STEPS, seed: int = EVAL_SEED,  # noqa: ANN001
            batch: int = 250) -> np.ndarray:
    """n DDIM samples, uint8 (n, 32, 32, 3); batch i's noise from seed + i * batch."""
    was_training = unet.training
    unet.eval()
    runs = (process.start_run(unet, config, "DDIM", steps, seed + i, min(batch, n - i)) for i in range(0, n, batch))
    images = [tensor_to_images(process.run_to_end(run)) for run in runs]
    unet.train(was_training)
    return np.concatenate(images)


def evaluate(unet, config, n: int = EVAL_SAMPLES, steps: int = EVAL_STEPS, batch: int = 250):  # noqa: ANN001, ANN201
    """Scores of n DDIM samples (noise from EVAL_SEED), as the model card reports them."""
    return score_images(samples(unet, config, n, steps, EVAL_SEED, batch))


def measure_witnesses(out: Path, n: int = EVAL_SAMPLES) -> str:
    """The stored model's DDIM samples judged by the classifier and by the pixels, over five noise
    seeds (the card's first); the card's section rewritten. Returns the table."""
    from diffusers import DDPMScheduler, UNet2DModel

    from shared import witnesses

    unet = UNet2DModel.from_pretrained(out, use_safetensors=True).eval()
    config = DDPMScheduler.from_pretrained(out).config
    return witnesses.measure_card(out, lambda seed: samples(unet, config, n, EVAL_STEPS, seed), (EVAL_SEED, 1, 2, 3, 4),
                                  f"{n} samples of {EVAL_STEPS} DDIM steps from noise of the seed", "demos.diffusion.train")


def write_model_card(out: Path, cfg: TrainConfig, scores: ShapeScores, seconds: float, history: list[dict], hardware: str,
                     n_params: int) -> None:
    progress = "\n".join(f"| {h['step']} | {h['valid']:.1%} | {h['min_share']:.1%} | {h['fd']:.1f} |" for h in history)
    loss = f"Min-SNR loss weight (gamma {cfg.min_snr_gamma:g})" if cfg.min_snr_gamma else "unweighted noise-prediction loss"
    card = f"""---
library_name: diffusers
license: mit
tags: [diffusion, ddpm, unconditional-image-generation, shapes]
---
# {BUNDLED_NAME}

A DDPM ({n_params:,} parameters, diffusers `UNet2DModel`) trained on the procedural 32x32 `shapes`
data of `shared/datasets.py`. It predicts the noise in x_t; the scheduler config beside it
(`scheduler_config.json`, {cfg.schedule} schedule, 1,000 steps) defines the forward process, and any
diffusers sampler built from it (DDPM, DDIM, Euler, DPM-Solver++) samples it. The weights are an
exponential moving average (decay {cfg.ema_decay}) of the trained ones.

## Training
- Command: `{command_line(cfg, "demos.diffusion.train")}`
- Data: {cfg.data_size:,} `shapes` images (seed {cfg.seed})
- Steps: {cfg.steps:,} of batch {cfg.batch_size}; {loss}; AdamW, lr {cfg.lr:g} after {cfg.warmup} warm-up steps, \
falling linearly to a tenth over the last {1 - cfg.decay_from:.0%} of the run
- Time: {seconds / 60:.1f} minutes on {hardware}

## Measured quality
{cfg.eval_samples} samples, {EVAL_STEPS} DDIM steps (noise from seed {EVAL_SEED}), scored by
`shared/metrics.py` (the bundled shapes classifier).

{scores.as_markdown()}

### During training (EMA weights, {min(cfg.progress_samples, cfg.eval_samples)} samples each)
| step | valid | smallest class share | Fréchet distance |
|---|---|---|---|
{progress}

{(Path(__file__).parent / "TRAINING_LOG.md").read_text()}
## Use
```python
from diffusers import DDIMScheduler, UNet2DModel
unet = UNet2DModel.from_pretrained("checkpoints/{BUNDLED_NAME}")
scheduler = DDIMScheduler.from_pretrained("checkpoints/{BUNDLED_NAME}")
```
"""
    (out / "README.md").write_text(card)


def learning_rate(cfg: TrainConfig, step: int, seconds: float) -> float:
    """Linear warm-up, constant, then a linear fall to lr/10 over the end of the run. The run ends at
    cfg.steps or at the time limit, whichever comes first, so its progress is the larger share."""
    progress = run_progress(step, cfg.steps, seconds, cfg.time_limit_min)
    fall = min(1.0, max(0.0, (progress - cfg.decay_from) / (1 - cfg.decay_from))) if cfg.decay_from < 1 else 0.0
    return cfg.lr * min(1.0, (step + 1) / cfg.warmup) * (1 - 0.9 * fall)


@dataclass
class Setup:
    unet: torch.nn.Module  # prepared by the run
    ema: torch.nn.Module
    opt: torch.optim.Optimizer
    scheduler: object  # diffusers DDPMScheduler: the forward process
    data: torch.Tensor  # (N, 3, 32, 32) in [-1, 1], on the run's device
    abar: torch.Tensor  # (T,) alphas_cumprod
    snr_weight: torch.Tensor  # (T,) the loss weight of each timestep (ones without Min-SNR)


def build(cfg: TrainConfig, run: TrainingRun) -> Setup:
    scheduler = training_scheduler(cfg.schedule)
    if cfg.init_from:
        from diffusers import UNet2DModel

        unet = UNet2DModel.from_pretrained(cfg.init_from, use_safetensors=True)
    else:
        unet = shapes_unet(tuple(int(w) for w in cfg.widths.split(",")))
    unet.train()
    ema = copy.deepcopy(unet).eval()
    opt = torch.optim.AdamW(unet.parameters(), lr=cfg.lr, weight_decay=0.0)
    unet, opt = run.prepare(unet, opt)
    ema.to(run.device)
    run.keep(ema)
    data = to_tensor(make_shapes(cfg.data_size, seed=cfg.seed).images).to(run.device)
    abar = scheduler.alphas_cumprod.to(run.device)
    snr = abar / (1 - abar)
    snr_weight = snr.clamp(max=cfg.min_snr_gamma) / snr if cfg.min_snr_gamma > 0 else torch.ones_like(snr)
    return Setup(unet, ema, opt, scheduler, data, abar, snr_weight)


def train_step(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict[str, float]:
    """One step of the (optionally Min-SNR-weighted) noise-prediction loss, with random flips."""
    gen, device, n = run.gen, run.device, cfg.batch_size
    x0 = s.data[torch.randint(len(s.data), (n,), generator=gen, device=device)]
    x0 = torch.where(torch.rand(n, 1, 1, 1, generator=gen, device=device) < 0.5, x0, x0.flip(3))
    t = torch.randint(0, s.scheduler.config.num_train_timesteps, (n,), generator=gen, device=device)
    noise = torch.randn(x0.shape, generator=gen, device=device)
    per_image = F.mse_loss(s.unet(process.add_noise(x0, t, noise, s.abar), t).sample, noise, reduction="none").mean((1, 2, 3))
    loss = (per_image * s.snr_weight[t]).mean()
    for group in s.opt.param_groups:
        group["lr"] = learning_rate(cfg, run.step, run.elapsed)
    run.optimise(s.opt, loss, clip=s.unet.parameters())
    ema_update(s.ema, run.unwrap(s.unet), cfg.ema_decay)
    return {"loss": loss.item()}


def progress(run: TrainingRun, s: Setup) -> dict:
    """What the history keeps every eval_every steps: the EMA's scores on progress_samples samples."""
    scores = evaluate(s.ema, s.scheduler.config, n=min(run.cfg.progress_samples, run.cfg.eval_samples))
    return {"valid": scores.valid_fraction, "min_share": scores.min_class_share, "fd": scores.frechet_distance}


def fit(cfg: TrainConfig, stop_at: int | None = None) -> tuple[TrainingRun, Setup]:
    """Build, resume if there is a saved state, and train to cfg.steps or the time limit (or stop_at)."""
    return fit_run(cfg, "DDPM", build, train_step, progress, eval_every=cfg.eval_every, log_every=50, stop_at=stop_at)


def train(cfg: TrainConfig) -> None:
    if cfg.measure_only:
        print(measure_witnesses(Path(cfg.out), cfg.eval_samples))
        return
    run, s = fit(cfg)
    scores = evaluate(s.ema, s.scheduler.config, n=cfg.eval_samples)
    print(scores.as_markdown())
    run.out.mkdir(parents=True, exist_ok=True)
    s.ema.to("cpu").save_pretrained(run.out)
    s.scheduler.save_pretrained(run.out)
    write_model_card(run.out, cfg, scores, run.elapsed, run.history, run.hardware, sum(p.numel() for p in s.ema.parameters()))
    print(measure_witnesses(run.out, cfg.eval_samples))
    print(f"saved {run.out}")


def main() -> None:
    train(parse_config(TrainConfig, __doc__))


if __name__ == "__main__":
    main()
