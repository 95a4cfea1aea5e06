"""Train the bundled PointNet on procedural 3-D objects and write checkpoints/pointnet-shapes3d.

    python -m demos.three_d.train               # resumable: rerun to continue from runs/pointnet-shapes3d
    python -m demos.three_d.train --steps 100 --out /tmp/pn --state-dir /tmp/pn-state   # a quick look

Each step draws fresh objects: a random class, random proportions, a uniformly random rotation,
points sampled on the surface with a little jitter (demos/three_d/shapes3d.py), so the network
never sees the same cloud twice. Accuracy is measured on a fixed held-out set from another seed.
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

from demos.three_d.model import BUNDLED_NAME, PointNet
from demos.three_d.shapes3d import CLASSES, class_dataset
from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.training import command_line, hardware_name, load_run_state, parse_config, run_setup, save_run_state, time_is_up

TEST_SEED = 12345  # the held-out objects; training draws from seed + step


@dataclass
class TrainConfig:
    steps: int = 4000
    batch_size: int = 32
    n_points: int = 512
    width: int = 256
    lr: float = 1e-3
    partial_share: float = 0.3  # share of training examples seen from one side only (as a depth camera sees)
    eval_every: int = 500
    test_per_class: int = 200
    seed: int = 0
    device: str = "auto"
    time_limit_min: float = 0.0
    out: str = str(CHECKPOINTS_DIR / BUNDLED_NAME)
    state_dir: str = str(REPO_ROOT / "runs" / BUNDLED_NAME)


@torch.inference_mode()
def accuracy(net: PointNet, x: np.ndarray, y: np.ndarray, device: str) -> tuple[float, np.ndarray]:
    """(accuracy, confusion matrix (C, C): row = true class, column = predicted)."""
    was_training = net.training
    net.eval()
    pred = np.concatenate([net(torch.from_numpy(c).to(device)).argmax(1).cpu().numpy() for c in np.array_split(x, max(1, len(x) // 100))])
    net.train(was_training)
    confusion = np.zeros((len(CLASSES), len(CLASSES)), int)
    np.add.at(confusion, (y, pred), 1)
    return float((pred == y).mean()), confusion


def robustness(net: PointNet, x: np.ndarray, y: np.ndarray, device: str, seed: int = 0) -> list[tuple[str, float]]:
    """Accuracy on the test objects made harder: fewer points and more noise; and on new objects
    (seed TEST_SEED + 1) seen from one side only, as one depth camera sees them."""
    rng = np.random.default_rng(seed)
    one_sided_x, one_sided_y = class_dataset(len(y) // len(CLASSES), x.shape[1], TEST_SEED + 1, partial_share=1.0)
    return [("64 of each object's points", accuracy(net, np.ascontiguousarray(x[:, :64]), y, device)[0]),
            ("3x the training jitter (0.03)", accuracy(net, (x + rng.normal(0, 0.03, x.shape)).astype(np.float32), y, device)[0]),
            (f"{len(one_sided_y):,} other objects, each seen from one side only",
             accuracy(net, one_sided_x, one_sided_y, device)[0])]


def write_model_card(out: Path, cfg: TrainConfig, acc: float, confusion: np.ndarray, seconds: float,
                     history: list[dict], hardware: str, harder: list[tuple[str, float]]) -> None:
    n_params = sum(p.numel() for p in PointNet(len(CLASSES), cfg.width).parameters())
    curve = "\n".join(f"| {h['step']:,} | {h['accuracy']:.1%} |" for h in history)
    head = "| true \\ predicted | " + " | ".join(CLASSES) + " |\n|---|" + "---|" * len(CLASSES)
    rows = "\n".join(f"| {c} | " + " | ".join(str(v) for v in confusion[i]) + " |" for i, c in enumerate(CLASSES))
    card = f"""---
library_name: genai-demos
license: mit
tags: [pointnet, point-cloud-classification, 3d, pytorch_model_hub_mixin]
---
# {BUNDLED_NAME}

A PointNet ({n_params:,} parameters; shared per-point MLP 3-64-64-128-{cfg.width}, max-pool, MLP head; no
input transform net) that tells {len(CLASSES)} kinds of object apart from {cfg.n_points:,} points on their
surface: {", ".join(CLASSES)}.

## Data
Procedural (`demos/three_d/shapes3d.py`): each example is a random object of its class (box
sides 0.75-1.25, cylinder and cone heights 0.6-2.0 for radius 0.5, torus tube 0.18-0.45 for
radius 1, pyramid height 0.5-1.6 for base 1, spheres squashed by up to 15% per axis), turned by
a rotation drawn uniformly from SO(3), {cfg.n_points:,} points sampled uniformly on its surface,
centred and scaled into the unit ball, with Gaussian jitter of 0.01. Training draws fresh objects
every step ({cfg.partial_share:.0%} of them seen from one side only); the test set is {cfg.test_per_class} objects per class \
from seed {TEST_SEED}, never trained on.

## Training
- Command: `{command_line(cfg, "demos.three_d.train")}`
- Steps: {cfg.steps:,} of batch {cfg.batch_size} (Adam, lr {cfg.lr:g}, cosine decay)
- Time: {seconds / 60:.1f} minutes on {hardware}
- Config: `{json.dumps(asdict(cfg) | {"out": "checkpoints/" + BUNDLED_NAME, "state_dir": "runs/" + BUNDLED_NAME})}`

## Measured quality
**Held-out accuracy: {acc:.1%}** on {len(CLASSES) * cfg.test_per_class:,} objects (goal: at least 95%).
Rerun with `python -m benchmarks.three_d`.

{head}
{rows}

### Beyond the test set
The test objects made harder than in training (fewer points, more noise), and new objects seen from one side only:

| condition | accuracy |
|---|---|
{chr(10).join(f"| {label} | {a:.1%} |" for label, a in harder)}

{cfg.partial_share:.0%} of the training examples were one-sided views like the last row's.

### During training
| step | held-out accuracy |
|---|---|
{curve}

## Use
```python
from shared.checkpoints import load
from demos.three_d.model import PointNet
net = load(PointNet, "{BUNDLED_NAME}").model
logits, critical = net.classify(points)   # points: (B, N, 3) centred, in the unit ball
net.classes                               # {list(CLASSES)}
```
"""
    (out / "README.md").write_text(card)


def train(cfg: TrainConfig) -> None:
    torch.manual_seed(cfg.seed)
    device, state_dir, out = run_setup(cfg)
    net = PointNet(len(CLASSES), cfg.width, list(CLASSES)).to(device).train()
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.steps, eta_min=cfg.lr / 50)
    parts = {"net": net, "opt": opt, "sched": sched}
    step, seconds, history = load_run_state(state_dir, parts, device)
    test_x, test_y = class_dataset(cfg.test_per_class, cfg.n_points, TEST_SEED)

    bar = tqdm(total=cfg.steps, initial=step, desc="PointNet", mininterval=5)
    t0 = time.time()
    while step < cfg.steps:
        if time_is_up(cfg, step, seconds + time.time() - t0):
            break
        # a fresh batch, seeded by the step so a resumed run draws what the full run would have
        x, y = class_dataset(cfg.batch_size // len(CLASSES) + 1, cfg.n_points, cfg.seed * 1_000_003 + step,
                             cfg.partial_share)
        x, y = torch.from_numpy(x[:cfg.batch_size]).to(device), torch.from_numpy(y[:cfg.batch_size]).to(device)
        loss = F.cross_entropy(net(x), y, label_smoothing=0.1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        step += 1
        bar.update(1)
        if step % 20 == 0:
            bar.set_postfix(loss=f"{loss.item():.3f}")
        if step % cfg.eval_every == 0:
            seconds += time.time() - t0
            acc, _ = accuracy(net, test_x, test_y, device)
            history.append({"step": step, "accuracy": acc})
            tqdm.write(f"step {step}: held-out accuracy {acc:.1%}")
            save_run_state(state_dir, parts, step, seconds, history)
            t0 = time.time()
    bar.close()
    seconds += time.time() - t0
    save_run_state(state_dir, parts, step, seconds, history)

    acc, confusion = accuracy(net, test_x, test_y, device)
    print(f"held-out accuracy {acc:.1%}\n{confusion}")
    net.to("cpu").eval().save_pretrained(out)
    harder = robustness(net, test_x, test_y, device)
    print(harder)
    write_model_card(out, cfg, acc, confusion, seconds, history, hardware_name(device), harder)
    print(f"saved {out}")


def main() -> None:
    train(parse_config(TrainConfig, __doc__))


if __name__ == "__main__":
    main()
