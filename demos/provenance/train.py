"""Train the provenance tab's detector (demos/provenance/model.py): real `shapes` pictures against the
unconditional GAN's samples, then measure it on every image family of the suite (demos/arena_families.py)
and write checkpoints/detector-shapes with its card.

    python -m demos.provenance.train                  # resumable: rerun to continue
    python -m demos.provenance.train --measure-only 1 # re-measure the card's table

The card's table: for each family, the share of its samples called generated and the share of held-out
real pictures called real; their mean is the balanced accuracy. Only the GAN was seen in training: the
other rows are the generalisation gap.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from demos.provenance.model import BUNDLED_NAME, GeneratedDetector
from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.datasets import held_out_shapes, make_shapes
from shared.shapes_classifier import to_tensor
from shared.training import RunConfig, TrainingRun, command_line, fit_run, parse_config

TRAINED_ON = "gan"  # demos.arena_families key
FAKE_SEED = 100  # the training fakes: GAN batches from this seed on (the card's: seeds 0-4, never trained on)


@dataclass
class TrainConfig(RunConfig):
    steps: int = 1500
    batch_size: int = 128  # half real, half generated
    lr: float = 5e-4
    data_size: int = 8_000  # of each
    eval_every: int = 250
    card_samples: int = 200  # per family in the card's table
    measure_only: int = 0
    out: str = str(CHECKPOINTS_DIR / BUNDLED_NAME)
    state_dir: str = str(REPO_ROOT / "runs" / BUNDLED_NAME)


@dataclass
class Setup:
    model: torch.nn.Module
    opt: torch.optim.Optimizer
    real: torch.Tensor  # (N, 3, 32, 32) in [-1, 1]
    fake: torch.Tensor


def build(cfg: TrainConfig, run: TrainingRun) -> Setup:
    from demos.arena_families import family

    model = GeneratedDetector()
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    model, opt = run.prepare(model, opt)
    fake = family(TRAINED_ON).sample(cfg.data_size, FAKE_SEED)
    real = make_shapes(cfg.data_size, seed=cfg.seed).images
    return Setup(model, opt, to_tensor(real).to(run.device), to_tensor(fake).to(run.device))


def train_step(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict[str, float]:
    s.model.train()
    half = cfg.batch_size // 2
    pick = lambda data: data[torch.randint(len(data), (half,), generator=run.gen, device=run.device)]  # noqa: E731
    x = torch.cat([pick(s.real), pick(s.fake)])
    y = torch.cat([torch.zeros(half), torch.ones(half)]).to(run.device)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(s.model(x), y)
    run.optimise(s.opt, loss)
    return {"loss": float(loss.detach())}


@torch.no_grad()
def called_generated(model: GeneratedDetector, images: np.ndarray) -> np.ndarray:
    """(n,) bool: the detector's verdict on uint8 (n, 32, 32, 3) pictures."""
    return np.concatenate([(model(to_tensor(images[i:i + 500])) > 0).numpy() for i in range(0, len(images), 500)])


def progress(run: TrainingRun, s: Setup) -> dict:
    from demos.arena_families import family

    model = run.unwrap(s.model).eval()
    real = 1 - called_generated(model, held_out_shapes()[:500]).mean()
    fake = called_generated(model, family(TRAINED_ON).sample(500, 0)).mean()
    return {"held_out_real_called_real": float(real), "gan_called_generated": float(fake)}


def fit(cfg: TrainConfig, stop_at: int | None = None) -> tuple[TrainingRun, Setup]:
    """Train (resuming from cfg.state_dir) to cfg.steps, the time limit or stop_at."""
    return fit_run(cfg, "Detector", build, train_step, progress, eval_every=cfg.eval_every, stop_at=stop_at)


def measure(model: GeneratedDetector, n: int) -> dict[str, dict[str, float]]:
    """Per family: the share of n samples (seed 0) called generated, and the balanced accuracy with the
    share of the 2,000 held-out real pictures called real."""
    from demos.arena_families import FAMILIES

    model.eval()
    real = float(1 - called_generated(model, held_out_shapes()).mean())
    table = {"real": {"called_real": real}}
    for f in FAMILIES:
        fake = float(called_generated(model, f.sample(n, 0)).mean())
        table[f.key] = {"called_generated": fake, "balanced_accuracy": (real + fake) / 2}
    return table


def card(cfg: TrainConfig, table: dict, run: TrainingRun | str | None, params: int) -> str:
    """The model card; run: the training run, or (re-measuring) what the card said of it."""
    from demos.arena_families import FAMILIES

    rows = [f"| {f.name}{' (trained on)' if f.key == TRAINED_ON else ''} | {table[f.key]['called_generated']:.1%} | "
            f"{table[f.key]['balanced_accuracy']:.1%} |" for f in FAMILIES]
    trained = (f"{run.step:,} steps of batch {cfg.batch_size}, {run.elapsed / 60:.1f} min on {run.hardware}"
               if isinstance(run, TrainingRun) else run or "see training.json")
    return "\n".join([
        "---", "library_name: genai-demos", "tags: [image-classification, synthetic-image-detection, shapes]",
        "license: mit", "---", "", f"# {BUNDLED_NAME}", "",
        f"A small CNN ({params:,} parameters) that says whether a 32x32 `shapes` picture was generated: trained on "
        f"{cfg.data_size:,} real pictures against {cfg.data_size:,} samples of the unconditional GAN (`gan-shapes`).", "",
        "## Training", "", f"`{command_line(cfg, 'demos.provenance.train')}`: {trained}. Adam, lr {cfg.lr:g}.", "",
        "## Every generator of the suite (measured by the training script)", "",
        f"Held-out real pictures called real: **{table['real']['called_real']:.1%}** (2,000, seed 4242). "
        f"{cfg.card_samples} samples of each family, seed 0 (never trained on):", "",
        "| family | called generated | balanced accuracy |", "|---|---|---|", *rows, "",
        "Only the GAN was seen in training: the other rows measure how far the detector generalises.", "",
    ])


def main(argv: list[str] | None = None) -> None:
    from shared.checkpoints import load

    cfg = parse_config(TrainConfig, __doc__, argv)
    out = Path(cfg.out)
    if cfg.measure_only:
        # the figures re-measured (after a generator was retrained, say); the training as it was
        model = load(GeneratedDetector, out, device="cpu").model
        record = json.loads((out / "training.json").read_text())
        trained_cfg = TrainConfig(**{**record["config"], "out": cfg.out, "state_dir": cfg.state_dir, "measure_only": 0})
        said = re.search(r"`python -m demos\.provenance\.train[^`]*`: (.+?)\. Adam", (out / "README.md").read_text())
        table = measure(model, trained_cfg.card_samples)
        (out / "README.md").write_text(card(trained_cfg, table, said and said.group(1), sum(p.numel() for p in model.parameters())))
        (out / "training.json").write_text(json.dumps({**record, "table": table}, indent=1))
        print(json.dumps(table, indent=1))
        return
    run, s = fit(cfg)
    model = run.unwrap(s.model).eval().cpu()
    table = measure(model, cfg.card_samples)
    print(json.dumps(table, indent=1))
    model.save_pretrained(out)
    (out / "README.md").write_text(card(cfg, table, run, sum(p.numel() for p in model.parameters())))
    (out / "training.json").write_text(json.dumps({"config": asdict(cfg), "table": table, "history": run.history}, indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
