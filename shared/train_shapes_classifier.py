"""Train the shapes classifier and write checkpoints/shapes-classifier with its model card.

    python -m shared.train_shapes_classifier            # about 10 minutes on 2 CPU cores
    python -m shared.train_shapes_classifier --epochs 1 --out /tmp/clf   # a quick look

Every epoch draws fresh images from the procedural `shapes` generator (so there is no
over-fitting to a fixed set) plus 20% "not a shape" images. Resumable: the state after each
epoch is kept in runs/shapes-classifier/ and a rerun continues from it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.datasets import LABEL_NAMES, make_not_shapes, make_shapes
from shared.shapes_classifier import BUNDLED_NAME, HEAD_CLASSES, ShapesClassifier, to_tensor
from shared.training import RunConfig, TrainingRun, fit_run, parse_config

NONE_INDEX = len(LABEL_NAMES["shape"])  # index of "none" in the shape head
HELD_OUT_SEED = 987_654  # never used for training data (training seeds are 1000 + epoch and 5000 + epoch)


@dataclass
class TrainConfig(RunConfig):
    epochs: int = 10
    images_per_epoch: int = 24_000
    not_shape_fraction: float = 0.2
    batch_size: int = 128
    lr: float = 2e-3
    width: int = 32
    n_features: int = 128
    out: str = str(CHECKPOINTS_DIR / BUNDLED_NAME)
    state_dir: str = str(REPO_ROOT / "runs" / BUNDLED_NAME)


def epoch_data(epoch: int, cfg: TrainConfig) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Fresh images for one epoch and their targets per head (-1 = no target for that head)."""
    n_junk = int(cfg.images_per_epoch * cfg.not_shape_fraction)
    real = make_shapes(cfg.images_per_epoch - n_junk, seed=1000 + epoch)
    junk = make_not_shapes(n_junk, seed=5000 + epoch)
    images = np.concatenate([real.images, junk])
    targets = {name: np.concatenate([real.labels[name], np.full(n_junk, -1)]) for name in HEAD_CLASSES}
    targets["shape"][len(real) :] = NONE_INDEX
    return images, targets


def loss_fn(logits: dict[str, torch.Tensor], targets: dict[str, torch.Tensor]) -> torch.Tensor:
    # sum over heads of cross-entropy; "not a shape" images only train the shape head
    return sum(F.cross_entropy(logits[k], targets[k], ignore_index=-1) for k in logits)


@torch.inference_mode()
def evaluate(model: ShapesClassifier, n_real: int = 5000, n_junk: int = 1000) -> dict[str, float]:
    """Held-out accuracy per head on real shapes, and how often 'not a shape' images are caught."""
    from shared.shapes_classifier import classify

    model.eval()
    real = make_shapes(n_real, seed=HELD_OUT_SEED)
    probs, _ = classify(model, real.images)
    result = {f"accuracy_{k}": float((probs[k].argmax(1) == real.labels[k]).mean()) for k in HEAD_CLASSES}
    shape_p = probs["shape"]
    confident = (shape_p.max(1) >= 0.9) & (shape_p.argmax(1) != NONE_INDEX)
    result["real_recognised_at_0.9"] = float(confident.mean())
    junk_p, _ = classify(model, make_not_shapes(n_junk, seed=HELD_OUT_SEED))
    result["not_shape_caught"] = float((junk_p["shape"].argmax(1) == NONE_INDEX).mean())
    return result


def write_model_card(out: Path, cfg: TrainConfig, scores: dict[str, float], seconds: float, steps: int) -> None:
    rows = "\n".join(f"| {k} | {v:.4f} |" for k, v in scores.items())
    n_params = sum(p.numel() for p in ShapesClassifier(cfg.width, cfg.n_features).parameters())
    card = f"""---
library_name: genai-demos
license: mit
tags: [image-classification, shapes, pytorch_model_hub_mixin]
---
# shapes-classifier

A small CNN ({n_params:,} parameters) that reads the exact labels of a 32x32 `shapes` image
(`shared/datasets.py`): shape ({", ".join(HEAD_CLASSES["shape"])}), colour, size and position.
The "none" class is trained on images that are not one clean shape (noise, blends of two shapes,
two shapes at once, empty backgrounds, colour blobs), so its confidence is a fair judge of
generated samples. `shared/metrics.py` uses it to score every bundled image generator.

## Training
- Command: `python -m shared.train_shapes_classifier`
- Data: {cfg.images_per_epoch:,} freshly generated images per epoch ({cfg.not_shape_fraction:.0%} "not a shape"), \
{cfg.epochs} epochs, {steps:,} steps of batch {cfg.batch_size}
- Optimiser: AdamW, lr {cfg.lr:g}, cosine decay; light pixel noise on half the images
- Time: {seconds / 60:.1f} minutes on {torch.get_num_threads()} CPU threads
- Config: `{json.dumps(asdict(cfg) | {"out": "checkpoints/" + BUNDLED_NAME, "state_dir": "runs/" + BUNDLED_NAME})}`

## Measured quality
Held-out data: 5,000 shapes and 1,000 "not a shape" images from seed {HELD_OUT_SEED}, never seen
in training. Rerun with `python -m benchmarks.shapes_classifier`.

| metric | value |
|---|---|
{rows}

`real_recognised_at_0.9`: share of real shapes whose shape head says a shape (not "none") with
probability at least 0.9, the bar `shared/metrics.py` applies to generated images.
`not_shape_caught`: share of "not a shape" images classified as "none".

## Use
```python
from shared.checkpoints import load
from shared.shapes_classifier import ShapesClassifier
model = load(ShapesClassifier, "{BUNDLED_NAME}").model
```
"""
    (out / "README.md").write_text(card)


@dataclass
class Setup:
    model: ShapesClassifier  # prepared by the run
    opt: torch.optim.Optimizer
    sched: torch.optim.lr_scheduler.LRScheduler  # cosine over every step of every epoch
    steps_per_epoch: int
    epoch: int = -1  # the epoch whose images are loaded
    x: torch.Tensor | None = None  # (N, 3, 32, 32) that epoch's images, on the run's device
    y: dict[str, torch.Tensor] | None = None
    order: torch.Tensor | None = None  # that epoch's shuffle


def build(cfg: TrainConfig, run: TrainingRun) -> Setup:
    model = ShapesClassifier(cfg.width, cfg.n_features)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    steps_per_epoch = cfg.images_per_epoch // cfg.batch_size
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.epochs * steps_per_epoch)
    model, opt = run.prepare(model, opt)
    run.keep(sched)
    return Setup(model, opt, sched, steps_per_epoch)


def train_step(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict[str, float]:
    """One batch of the current epoch's fresh images (drawn when the epoch begins, shuffled by a
    generator of the epoch, so a run resumed mid-epoch sees what a straight one would)."""
    epoch, i = divmod(run.step, s.steps_per_epoch)
    if epoch != s.epoch:
        images, targets = epoch_data(epoch, cfg)
        s.x, s.y = to_tensor(images).to(run.device), {k: torch.from_numpy(v).to(run.device) for k, v in targets.items()}
        s.order = torch.randperm(len(images), generator=torch.Generator().manual_seed(cfg.seed * 1000 + epoch))
        s.epoch = epoch
        run.unwrap(s.model).train()
    idx = s.order[i * cfg.batch_size : (i + 1) * cfg.batch_size].to(run.device)
    x = s.x[idx]
    # pixel noise on half the batch, so slightly noisy generated samples still read as shapes
    gen, device = run.gen, run.device
    noise_std = (torch.rand(len(x), 1, 1, 1, generator=gen, device=device) * 0.08
                 * (torch.rand(len(x), 1, 1, 1, generator=gen, device=device) < 0.5))
    x = x + noise_std * torch.randn(x.shape, generator=gen, device=device)
    loss = loss_fn(s.model(x), {k: v[idx] for k, v in s.y.items()})
    run.optimise(s.opt, loss)
    s.sched.step()
    return {"loss": loss.item()}


def fit(cfg: TrainConfig, stop_at: int | None = None) -> tuple[TrainingRun, Setup]:
    """Build, resume if there is a saved state, and train every epoch (or to the time limit, or stop_at)."""
    steps = cfg.epochs * (cfg.images_per_epoch // cfg.batch_size)
    return fit_run(cfg, "classifier", build, train_step, stop_at=stop_at, total=steps)


def train(cfg: TrainConfig) -> dict[str, float]:
    run, s = fit(cfg)
    model = run.unwrap(s.model).cpu()
    scores = evaluate(model)
    print(json.dumps(scores, indent=2))
    model.save_pretrained(run.out)
    write_model_card(run.out, cfg, scores, run.elapsed, run.step)
    print(f"saved {run.out}")
    return scores


def main() -> None:
    cfg = parse_config(TrainConfig, __doc__)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    train(cfg)


if __name__ == "__main__":
    main()
