"""Train the bundled shapes GAN and write checkpoints/gan-shapes with its model card.

    python -m demos.gan.train                   # resumable: rerun to continue from runs/gan-shapes
    python -m demos.gan.train --steps 200 --out /tmp/gan --state-dir /tmp/gan-state   # a quick look
    python -m demos.gan.train --store-labels-only 1   # the arithmetic's stored labelling, after a retraining

Hinge loss, spectral norm in the discriminator, Adam with beta1 = 0, and an exponential moving
average (EMA) of the generator's weights, which is the generator that ships.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

from demos.gan.model import BUNDLED_NAME, ShapesGAN
from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.datasets import make_shapes
from shared.metrics import ShapeScores, score_images, tensor_to_images
from shared.shapes_classifier import to_tensor
from shared.training import RunConfig, TrainingRun, command_line, ema_update, fit_run, parse_config

if TYPE_CHECKING:
    import numpy as np

EVAL_SEED = 2024  # latents of the 1,000 samples the model card scores


@dataclass
class TrainConfig(RunConfig):
    steps: int = 30_000
    batch_size: int = 128
    z_dim: int = 64
    width: int = 64
    # extra depth as gated residual branches (see demos/gan/model.py): an MLP on z, conv blocks
    # after each generator upsampling and each discriminator downsampling
    mapping_layers: int = 0
    res_blocks: int = 0
    d_res_blocks: int = 0
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    d_steps: int = 1  # discriminator updates per generator update
    # share of each generator batch that gives it gradient: the fakes the discriminator rates most
    # real ("top-k training", Sinha et al. 2020); 1.0 = all of them
    top_k: float = 1.0
    ema_decay: float = 0.999
    data_size: int = 60_000
    eval_every: int = 2500
    init_from: str = ""  # a saved ShapesGAN folder to start from (its EMA generator and discriminator)
    measure_only: int = 0  # 1: re-measure the model in --out by both witnesses over five seeds, rewrite that card section
    store_labels_only: int = 0  # 1: label the model in --out's 2,000 arithmetic samples and store that beside it
    out: str = str(CHECKPOINTS_DIR / BUNDLED_NAME)
    state_dir: str = str(REPO_ROOT / "runs" / BUNDLED_NAME)


def d_hinge_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    # L_D = E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]
    return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()


def g_hinge_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    # L_G = -E[D(G(z))]
    return -fake_logits.mean()


@torch.inference_mode()
def sample_images(generator: torch.nn.Module, n: int, seed: int, z_dim: int) -> np.ndarray:
    device = next(generator.parameters()).device
    z = torch.randn(n, z_dim, generator=torch.Generator().manual_seed(seed))  # same latents on any device
    return tensor_to_images(torch.cat([generator(c.to(device)) for c in z.split(250)]))


def evaluate(generator: torch.nn.Module, z_dim: int, n: int = 1000) -> ShapeScores:
    generator.eval()
    scores = score_images(sample_images(generator, n, EVAL_SEED, z_dim))
    generator.train()
    return scores


def write_model_card(out: Path, cfg: TrainConfig, scores: ShapeScores, raw_scores: ShapeScores, seconds: float, history: list[dict],
                     hardware: str) -> None:
    n_params = sum(p.numel() for p in new_gan(cfg).parameters())
    extras = []
    if cfg.mapping_layers:
        extras.append(f"a {cfg.mapping_layers}-layer residual mapping from z")
    if cfg.res_blocks:
        extras.append(f"{cfg.res_blocks} residual conv block{'s' * (cfg.res_blocks > 1)} after each generator upsampling")
    if cfg.d_res_blocks:
        extras.append(f"{cfg.d_res_blocks} after the discriminator's first two downsamplings")
    depth = (f"\nOn top of the DCGAN layers: {'; '.join(extras)}. Each is a residual branch behind a learned gate that "
             "starts at 0, so it was grown from a checkpoint without it (see *What was tried*).") if extras else ""
    progress = "\n".join(f"| {h['step']} | {h['valid']:.1%} | {h['min_share']:.1%} | {h['fd']:.1f} |" for h in history)
    card = f"""---
library_name: genai-demos
license: mit
tags: [gan, dcgan, unconditional-image-generation, shapes, pytorch_model_hub_mixin]
---
# gan-shapes

A DCGAN-style GAN ({n_params:,} parameters: generator and discriminator in one file) trained on the
procedural 32x32 `shapes` data of `shared/datasets.py`. `generator` maps z ~ N(0, I) of {cfg.z_dim}
dimensions to an image in [-1, 1]; `discriminator` returns a logit, sigmoid(logit) = p(real).
The generator weights are an exponential moving average (decay {cfg.ema_decay}) of the trained ones.{depth}

## Training
- Command: `{command_line(cfg, "demos.gan.train")}`
- Data: {cfg.data_size:,} `shapes` images (seed {cfg.seed})
- Steps: {cfg.steps:,} generator steps of batch {cfg.batch_size}, {cfg.d_steps} discriminator step(s) each
- Loss: hinge; spectral norm on every discriminator layer; Adam (lr G {cfg.lr_g:g}, D {cfg.lr_d:g}, betas 0.0, 0.9)
- Time: {seconds / 60:.1f} minutes on {hardware}
- Config: `{json.dumps(asdict(cfg) | {"out": "checkpoints/" + BUNDLED_NAME, "state_dir": "runs/" + BUNDLED_NAME})}`

## Measured quality
1,000 samples (latents from seed {EVAL_SEED}), scored by `shared/metrics.py` (the bundled
shapes classifier). Rerun with `python -m benchmarks.gan`.

{scores.as_markdown()}

Without the weight average, the last raw generator scores {raw_scores.valid_fraction:.1%} valid,
smallest class share {raw_scores.min_class_share:.1%}, Fréchet distance {raw_scores.frechet_distance:.1f}.

### During training (EMA generator)
| step | valid | smallest class share | Fréchet distance |
|---|---|---|---|
{progress}

{(Path(__file__).parent / "TRAINING_LOG.md").read_text()}
## Use
```python
from shared.checkpoints import load
from demos.gan.model import ShapesGAN
gan = load(ShapesGAN, "{BUNDLED_NAME}").model
images = gan.generator(torch.randn(16, gan.z_dim))   # (16, 3, 32, 32) in [-1, 1]
```
"""
    (out / "README.md").write_text(card)


def new_gan(cfg: TrainConfig) -> ShapesGAN:
    return ShapesGAN(cfg.z_dim, cfg.width, cfg.mapping_layers, cfg.res_blocks, cfg.d_res_blocks)


@dataclass
class Setup:
    """What one step reads: the networks (g and d prepared by the run; gan holds them for saving),
    the EMA generator, the optimisers, the data."""

    gan: ShapesGAN
    g: torch.nn.Module
    d: torch.nn.Module
    g_ema: torch.nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    data: torch.Tensor  # (N, 3, 32, 32) in [-1, 1], on the run's device


def build(cfg: TrainConfig, run: TrainingRun) -> Setup:
    """The model (grown from cfg.init_from if given), its EMA, optimisers and data, registered with the run."""
    gan = new_gan(cfg)
    if cfg.init_from:  # the same architecture, or a smaller one this one grows from
        gan.grow_from(ShapesGAN.from_pretrained(cfg.init_from))
    opt_g = torch.optim.Adam(gan.generator.parameters(), lr=cfg.lr_g, betas=(0.0, 0.9))
    opt_d = torch.optim.Adam(gan.discriminator.parameters(), lr=cfg.lr_d, betas=(0.0, 0.9))
    g, d, opt_g, opt_d = run.prepare(gan.generator, gan.discriminator, opt_g, opt_d)
    g_ema = copy.deepcopy(gan.generator).eval()
    run.keep(g_ema)
    data = to_tensor(make_shapes(cfg.data_size, seed=cfg.seed).images).to(run.device)
    return Setup(gan, g, d, g_ema, opt_g, opt_d, data)


def train_step(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict[str, float]:
    """d_steps discriminator updates, then one generator update and its EMA."""
    g, d, gen, device = s.g, s.d, run.gen, run.device
    for _ in range(cfg.d_steps):
        real = s.data[torch.randint(len(s.data), (cfg.batch_size,), generator=gen, device=device)]
        with torch.no_grad():
            fake = g(torch.randn(cfg.batch_size, cfg.z_dim, generator=gen, device=device))
        # one forward pass over real and fake together: half the kernel launches, same result
        # (spectral norm has no batch statistics)
        real_logits, fake_logits = d(torch.cat([real, fake])).split(cfg.batch_size)
        loss_d = d_hinge_loss(real_logits, fake_logits)
        run.optimise(s.opt_d, loss_d)
    fake_logits = d(g(torch.randn(cfg.batch_size, cfg.z_dim, generator=gen, device=device)))
    if cfg.top_k < 1.0:  # the worst-rated fakes would pull the generator towards the in-between
        fake_logits = fake_logits.topk(max(1, round(cfg.top_k * cfg.batch_size))).values
    loss_g = g_hinge_loss(fake_logits)
    run.optimise(s.opt_g, loss_g)
    ema_update(s.g_ema, run.unwrap(g), cfg.ema_decay)
    return {"loss_d": loss_d.item(), "loss_g": loss_g.item()}


def progress(run: TrainingRun, s: Setup) -> dict:
    """What the history keeps every eval_every steps: the EMA generator's scores."""
    scores = evaluate(s.g_ema, run.cfg.z_dim)
    return {"valid": scores.valid_fraction, "min_share": scores.min_class_share, "fd": scores.frechet_distance}


def fit(cfg: TrainConfig, stop_at: int | None = None) -> tuple[TrainingRun, Setup]:
    """Build, resume if there is a saved state, and train to cfg.steps or the time limit (or stop_at)."""
    return fit_run(cfg, "GAN", build, train_step, progress, eval_every=cfg.eval_every, stop_at=stop_at)


def measure_witnesses(out: Path) -> str:
    """The stored generator's samples judged by the classifier and by the pixels, over five sets of
    1,000 latents (the card's seed first); the card's section rewritten. Returns the table."""
    from shared import witnesses
    from shared.checkpoints import load

    gan = load(ShapesGAN, out, device="cpu").model.eval()
    return witnesses.measure_card(out, lambda seed: sample_images(gan.generator, 1000, seed, gan.z_dim),
                                  (EVAL_SEED, 1, 2, 3, 4), "1,000 samples from latents of the seed", "demos.gan.train")


def store_arithmetic_labels(out: Path) -> Path:
    """The latent arithmetic's 2,000 samples of the saved generator, read by the bundled classifier,
    stored beside it (demos/gan/latent.py: its first press then answers at once)."""
    from demos.gan.latent import store_labels
    from shared.checkpoints import load, resolve
    from shared.metrics import _bundled_classifier
    from shared.shapes_classifier import BUNDLED_NAME as CLASSIFIER

    gan = load(ShapesGAN, out, device="cpu").model.eval()
    return store_labels(gan, _bundled_classifier(), out, Path(resolve(CLASSIFIER)[1]))


def train(cfg: TrainConfig) -> None:
    if cfg.measure_only:
        print(measure_witnesses(Path(cfg.out)))
        return
    if cfg.store_labels_only:
        print(f"stored {store_arithmetic_labels(Path(cfg.out))}")
        return
    run, s = fit(cfg)
    gan = s.gan
    scores, raw_scores = evaluate(s.g_ema, cfg.z_dim), evaluate(gan.generator, cfg.z_dim)
    print(scores.as_markdown())
    gan.generator.load_state_dict(s.g_ema.state_dict())
    gan.to("cpu").save_pretrained(run.out)
    write_model_card(run.out, cfg, scores, raw_scores, run.elapsed, run.history, run.hardware)
    print(measure_witnesses(run.out))
    print(f"saved {run.out}")


def main() -> None:
    train(parse_config(TrainConfig, __doc__))


if __name__ == "__main__":
    main()
