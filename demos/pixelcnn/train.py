"""Train the bundled gated PixelCNN on `shapes` and write checkpoints/pixelcnn-shapes with its card.

    python -m demos.pixelcnn.train --time-limit-min 60          # resumable: rerun to continue
    python -m demos.pixelcnn.train --steps 200 --out /tmp/pcnn --state-dir /tmp/pcnn-state   # a quick look

The palette is every colour the training images use (146: the background, six shape colours and
the blends of their anti-aliased edges), each pixel a categorical over it. Loss: the exact negative
log-likelihood, reported in bits per dimension (nats per pixel / (3 ln 2)). The card measures held-out
bits per dimension (2,000 images of another seed) and samples by both witnesses (shared/witnesses.py).
"""

from __future__ import annotations

import functools
import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from demos.pixelcnn.model import BUNDLED_NAME, GatedPixelCNN
from demos.pixelcnn.sampling import DIMS, bits_per_dim, sample_images, to_codes
from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.datasets import make_shapes
from shared.training import RunConfig, TrainingRun, command_line, fit_run, parse_config

HELD_OUT_SEED = 4242  # images never trained on: the card's bits per dimension
HELD_OUT = 2000
SAMPLE_SEED = 2024  # the card's samples


@dataclass
class TrainConfig(RunConfig):
    steps: int = 20_000
    batch_size: int = 32
    channels: int = 64
    lr: float = 1e-3
    data_size: int = 40_000
    eval_every: int = 500
    eval_images: int = 500  # held-out images in the progress figures
    card_samples: int = 200  # samples the card scores (pixel by pixel: about 0.3 s each on 2 cores)
    out: str = str(CHECKPOINTS_DIR / BUNDLED_NAME)
    state_dir: str = str(REPO_ROOT / "runs" / BUNDLED_NAME)


def palette_of(images: np.ndarray) -> list[list[int]]:
    """Every colour the images use, in RGB order."""
    return np.unique(images.reshape(-1, 3), axis=0).astype(int).tolist()


@dataclass
class Setup:
    model: torch.nn.Module
    opt: torch.optim.Optimizer
    codes: torch.Tensor  # (N, 32, 32) palette indices


@functools.lru_cache(maxsize=1)
def held_out_images() -> np.ndarray:
    """uint8 (HELD_OUT, 32, 32, 3): the images the card's bits per dimension are measured on."""
    return make_shapes(HELD_OUT, seed=HELD_OUT_SEED).images


def build(cfg: TrainConfig, run: TrainingRun) -> Setup:
    images = make_shapes(cfg.data_size, seed=cfg.seed).images
    palette = palette_of(images)
    model = GatedPixelCNN(palette, cfg.channels)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    model, opt = run.prepare(model, opt)
    codes, missing = to_codes(images, palette)
    assert missing == 0
    return Setup(model, opt, torch.from_numpy(codes).to(run.device))


def train_step(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict[str, float]:
    s.model.train()
    x = s.codes[torch.randint(len(s.codes), (cfg.batch_size,), generator=run.gen, device=run.device)]
    nats = torch.nn.functional.cross_entropy(s.model(x), x)  # per pixel
    run.optimise(s.opt, nats, clip=s.model.parameters(), max_norm=1.0)
    return {"bits_per_dim": float(nats) / (3 * math.log(2))}


def progress(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict:
    model = run.unwrap(s.model)
    return {"held_out_bits_per_dim": float(bits_per_dim(model, held_out_images()[:cfg.eval_images]).mean())}


def card(cfg: TrainConfig, model: GatedPixelCNN, figures: dict, run: TrainingRun) -> str:
    params = sum(p.numel() for p in model.parameters())
    lines = [
        "---", "library_name: genai-demos", "tags: [pixelcnn, autoregressive, unconditional-image-generation, shapes]",
        "license: mit", "---", "",
        f"# {BUNDLED_NAME}", "",
        f"A gated PixelCNN ({params / 1e6:.2f} M parameters, {cfg.channels} channels, dilations "
        f"{', '.join(map(str, model.dilations))}) trained here on the `shapes` data. Each pixel is a categorical over "
        f"the {model.n_colours} colours the data uses, given every pixel before it in raster order: an exact "
        "likelihood over 8-bit RGB images, so bits per dimension = -log2 p(x) / (32 x 32 x 3).", "",
        "## Training", "",
        f"`{command_line(cfg, 'demos.pixelcnn.train')}`: {run.step:,} steps of batch {cfg.batch_size} on "
        f"{cfg.data_size:,} images, {run.elapsed / 60:.1f} min on {run.hardware}. Adam, lr {cfg.lr:g}, gradient norm "
        "clipped at 1.", "",
        "## Quality (measured by the training script at the end of the run)", "",
        f"- held-out bits per dimension ({HELD_OUT:,} images, seed {HELD_OUT_SEED}): **{figures['held_out_bpd']:.4f}**",
        f"- training batch at the end: {figures['train_bpd']:.4f}",
        f"- {figures['n_samples']} samples at temperature 1 (seed {SAMPLE_SEED}), both witnesses: "
        f"valid shape (classifier) {100 * figures['valid']:.1f}%, one clean object in a palette colour (pixels) "
        f"{100 * figures['clean']:.1f}%, both {100 * figures['valid_and_clean']:.1f}%, smallest shape share "
        f"{100 * figures['min_shape']:.1f}%, smallest colour share {100 * figures['min_colour']:.1f}%",
        f"- sampling: {figures['seconds_per_sample']:.2f} s per image in a batch of {figures['n_samples']} "
        f"on {run.hardware}", "",
    ]
    return "\n".join(lines)


def measure(cfg: TrainConfig, model: GatedPixelCNN) -> dict:
    from shared.witnesses import witness

    t0 = time.perf_counter()
    samples = sample_images(model, min(cfg.card_samples, 64), SAMPLE_SEED)
    rest = [sample_images(model, 64, SAMPLE_SEED + k) for k in range(1, math.ceil(cfg.card_samples / 64))]
    samples = np.concatenate([samples, *rest])[:cfg.card_samples]
    seconds = (time.perf_counter() - t0) / len(samples)
    return {"held_out_bpd": float(bits_per_dim(model, held_out_images()).mean()), **witness(samples),
            "n_samples": len(samples), "seconds_per_sample": seconds}


def fit(cfg: TrainConfig, stop_at: int | None = None) -> tuple[TrainingRun, Setup]:
    """Train (resuming from cfg.state_dir) to cfg.steps, the time limit or stop_at."""
    return fit_run(cfg, "PixelCNN", build, train_step, lambda run, s: progress(cfg, run, s),
                   eval_every=cfg.eval_every, stop_at=stop_at)


def main(argv: list[str] | None = None) -> None:
    cfg = parse_config(TrainConfig, __doc__, argv)
    run, s = fit(cfg)
    model = run.unwrap(s.model).eval()
    figures = {"train_bpd": run.logs.get("bits_per_dim", float("nan")), **measure(cfg, model)}
    print(json.dumps(figures, indent=1))
    out = Path(cfg.out)
    model.save_pretrained(out)
    (out / "README.md").write_text(card(cfg, model, figures, run))
    (out / "training.json").write_text(json.dumps({"config": asdict(cfg), "figures": figures, "history": run.history,
                                                   "dims": DIMS}, indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
