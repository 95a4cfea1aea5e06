"""Train the shapes classifier and write checkpoints/shapes-classifier with its model card.

    python -m shared.train_shapes_classifier            # about 10 minutes on 2 CPU cores
    python -m shared.train_shapes_classifier --epochs 1 --out /tmp/clf   # a quick look

Every epoch draws fresh images from the procedural `shapes` generator (so there is no
over-fitting to a fixed set) plus 20% "not a shape" images. Resumable: the state after each
epoch is kept in runs/shapes-classifier/ and a rerun continues from it.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.datasets import LABEL_NAMES, make_not_shapes, make_shapes
from shared.shapes_classifier import BUNDLED_NAME, HEAD_CLASSES, ShapesClassifier, to_tensor
from shared.training import parse_config

NONE_INDEX = len(LABEL_NAMES["shape"])  # index of "none" in the shape head
HELD_OUT_SEED = 987_654  # never used for training data (training seeds are 1000 + epoch and 5000 + epoch)


@dataclass
class TrainConfig:
    epochs: int = 10
    images_per_epoch: int = 24_000
    not_shape_fraction: float = 0.2
    batch_size: int = 128
    lr: float = 2e-3
    width: int = 32
    n_features: int = 128
    seed: int = 0
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


def train(cfg: TrainConfig) -> dict[str, float]:
    torch.manual_seed(cfg.seed)
    state_dir, out = Path(cfg.state_dir), Path(cfg.out)
    state_dir.mkdir(parents=True, exist_ok=True)
    model = ShapesClassifier(cfg.width, cfg.n_features)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    steps_per_epoch = cfg.images_per_epoch // cfg.batch_size
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.epochs * steps_per_epoch)
    start_epoch, seconds = 0, 0.0
    if (state_dir / "state.pt").exists():  # resume: our own file, loaded as tensors only
        state = torch.load(state_dir / "state.pt", weights_only=True)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        start_epoch, seconds = int(state["epoch"]), float(state["seconds"])
        print(f"resuming after epoch {start_epoch}")
    gen = torch.Generator().manual_seed(cfg.seed)
    for epoch in range(start_epoch, cfg.epochs):
        t0 = time.time()
        model.train()
        images, targets = epoch_data(epoch, cfg)
        x_all = to_tensor(images)
        y_all = {k: torch.from_numpy(v) for k, v in targets.items()}
        order = torch.randperm(len(x_all), generator=gen)
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{cfg.epochs}")
        for step in bar:
            idx = order[step * cfg.batch_size : (step + 1) * cfg.batch_size]
            x = x_all[idx]
            # pixel noise on half the batch, so slightly noisy generated samples still read as shapes
            noise_std = torch.rand(len(x), 1, 1, 1, generator=gen) * 0.08 * (torch.rand(len(x), 1, 1, 1, generator=gen) < 0.5)
            x = x + noise_std * torch.randn(x.shape, generator=gen)
            loss = loss_fn(model(x), {k: v[idx] for k, v in y_all.items()})
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            if step % 20 == 0:
                bar.set_postfix(loss=f"{loss.item():.4f}")
        seconds += time.time() - t0
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "epoch": epoch + 1, "seconds": seconds}, state_dir / "state.pt")
    scores = evaluate(model)
    print(json.dumps(scores, indent=2))
    model.save_pretrained(out)
    write_model_card(out, cfg, scores, seconds, cfg.epochs * steps_per_epoch)
    print(f"saved {out}")
    return scores


def main() -> None:
    cfg = parse_config(TrainConfig, __doc__)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    train(cfg)


if __name__ == "__main__":
    main()
