"""Train the bundled gated PixelCNN on `shapes` and write checkpoints/pixelcnn-shapes with its card.

    python -m demos.pixelcnn.train --time-limit-min 60          # resumable: rerun to continue
    python -m demos.pixelcnn.train --steps 200 --out /tmp/pcnn --state-dir /tmp/pcnn-state   # a quick look
    python -m demos.pixelcnn.train --init-from checkpoints/pixelcnn-shapes --steps 20000 --decay-from 14000
        # continue a bundled model whose run state is gone: its weights, steps and history, a fresh optimiser

The palette is every colour the training images use (146: the background, six shape colours and
the blends of their anti-aliased edges), each pixel a categorical over it. Loss: the exact negative
log-likelihood, reported in bits per dimension (nats per pixel / (3 ln 2)). The card measures held-out
bits per dimension (2,000 images of another seed) and samples by both witnesses (shared/witnesses.py).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from demos.pixelcnn.model import BUNDLED_NAME, GatedPixelCNN
from demos.pixelcnn.options import DEFAULTS
from demos.pixelcnn.sampling import (
    DIMS,
    HELD_OUT,
    HELD_OUT_SEED,
    SAMPLES,
    bits_per_dim,
    held_out_images,
    random_labels,
    sample_images,
    to_codes,
)
from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.datasets import make_shapes
from shared.told import dropped_labels, labels_of
from shared.training import RunConfig, TrainingRun, command_line, cosine_tail, fit_run, parse_config
from shared.witnesses import told_figures, told_table, write_told_section

SAMPLE_SEED = 2024  # the card's samples


@dataclass
class TrainConfig(RunConfig):
    steps: int = 20_000
    batch_size: int = 32
    channels: int = 64
    # each layer's dilation: the vertical stack sees (kernel // 2) * (1 + sum) rows above a pixel, so
    # 1, 2, 4, 8, 16, 1, 2, 4 (39 rows) covers the whole 32-row image; the first bundled model's
    # 1, 2, 1, 4, 1, 2, 1, 1 saw 14, and lower down could not tell whether a shape had been drawn
    dilations: str = "1,2,4,8,16,1,2,4"
    lr: float = 1e-3
    decay_from: int = 0  # from this step a cosine fall of the learning rate to lr/20 at `steps`; 0: constant
    init_from: str = ""  # a saved model to start from when state_dir holds no run state (its optimiser is not kept)
    # told what to draw (model.py): label_dim > 0 adds the labels' gate biases (zero at the start, so a
    # model grown from an unconditional one starts as it); each image's labels are all dropped with
    # probability drop_all (so the model keeps p(x), the exact likelihood, and guidance's reference),
    # else each head alone with probability drop_head (so a visitor may name only some)
    label_dim: int = 0
    drop_all: float = 0.2
    drop_head: float = 0.15
    data_size: int = 40_000
    eval_every: int = 500
    eval_images: int = 500  # held-out images in the progress figures
    card_samples: int = 200  # samples per seed the card's two witnesses score, five seeds
    measure_only: int = 0  # 1: re-measure the model in --out by both witnesses over five seeds, rewrite that card section
    out: str = str(CHECKPOINTS_DIR / BUNDLED_NAME)
    state_dir: str = str(REPO_ROOT / "runs" / BUNDLED_NAME)


def palette_of(images: np.ndarray) -> list[list[int]]:
    """Every colour the images use, in RGB order (unique 24-bit keys: np.unique over rows is 50x slower)."""
    keys = np.unique(images.reshape(-1, 3).astype(np.int64) @ np.array([65536, 256, 1]))
    return np.stack([keys // 65536, keys // 256 % 256, keys % 256], axis=1).astype(int).tolist()


@dataclass
class Setup:
    model: torch.nn.Module
    opt: torch.optim.Optimizer
    codes: torch.Tensor  # (N, 32, 32) palette indices
    labels: torch.Tensor  # (N, 4) long, the columns of model.LABEL_HEADS


def build(cfg: TrainConfig, run: TrainingRun) -> Setup:
    data = make_shapes(cfg.data_size, seed=cfg.seed)
    images = data.images
    palette = palette_of(images)
    model = GatedPixelCNN(palette, cfg.channels, [int(d) for d in cfg.dilations.split(",")], label_dim=cfg.label_dim)
    if cfg.init_from:  # a saved state, if any, replaces all of this in run.resume()
        start_from(model, run, Path(cfg.init_from))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    model, opt = run.prepare(model, opt)
    codes, missing = to_codes(images, palette)
    assert missing == 0
    labels = labels_of(data)
    return Setup(model, opt, torch.from_numpy(codes).to(run.device), labels.to(run.device))


def start_from(model: GatedPixelCNN, run: TrainingRun, saved: Path) -> None:
    """The weights of a saved model (same palette and layers), and its steps, minutes and history as the run's."""
    from shared.checkpoints import load

    done = load(GatedPixelCNN, saved, device="cpu").model
    if done.palette != model.palette:
        raise ValueError(f"{saved} was trained on another palette ({done.n_colours} colours, not {model.n_colours})")
    missing, unexpected = model.load_state_dict(done.state_dict(), strict=False)
    if unexpected or any("label" not in key for key in missing):  # only the new label weights may be new
        raise ValueError(f"{saved} does not fit this model: missing {missing}, unexpected {unexpected}")
    record = json.loads((saved / "training.json").read_text())
    run.start_at(record["config"]["steps"], 60 * record["minutes"], record["history"])
    print(f"starting from {saved} at step {run.step}")


def learning_rate(cfg: TrainConfig, step: int) -> float:
    """Constant, then (from decay_from) a cosine fall to lr/20 at cfg.steps."""
    return cosine_tail(cfg.lr, step, cfg.decay_from, cfg.steps)


def train_step(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict[str, float]:
    s.model.train()
    for group in s.opt.param_groups:
        group["lr"] = learning_rate(cfg, run.step)
    pick = torch.randint(len(s.codes), (cfg.batch_size,), generator=run.gen, device=run.device)
    x, labels = s.codes[pick], None
    if cfg.label_dim:
        labels = dropped_labels(s.labels[pick], cfg.drop_all, cfg.drop_head, run.gen)
    nats = torch.nn.functional.cross_entropy(s.model(x, labels), x)  # per pixel
    run.optimise(s.opt, nats, clip=s.model.parameters(), max_norm=1.0)
    return {"bits_per_dim": float(nats.detach()) / (3 * math.log(2)), "lr": s.opt.param_groups[0]["lr"]}


def progress(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict:
    model = run.unwrap(s.model)
    return {"held_out_bits_per_dim": float(bits_per_dim(model, held_out_images()[:cfg.eval_images]).mean())}


def _shown(path: str) -> str:
    """A path as a card shows it: from the repository's root when it is inside it."""
    p = Path(path).resolve()
    return str(p.relative_to(REPO_ROOT)) if p.is_relative_to(REPO_ROOT) else str(p)


def card(cfg: TrainConfig, model: GatedPixelCNN, figures: dict, run: TrainingRun, hardware: str) -> str:
    params = sum(p.numel() for p in model.parameters())
    lines = [
        "---", "library_name: genai-demos", "tags: [pixelcnn, autoregressive, unconditional-image-generation, shapes]",
        "license: mit", "---", "",
        f"# {BUNDLED_NAME}", "",
        f"A gated PixelCNN ({params / 1e6:.2f} M parameters, {cfg.channels} channels, dilations "
        f"{', '.join(map(str, model.dilations))}) trained here on the `shapes` data. Each pixel is a categorical over "
        f"the {model.n_colours} colours the data uses, given every pixel before it in raster order: an exact "
        "likelihood over 8-bit RGB images, so bits per dimension = -log2 p(x) / (32 x 32 x 3)."
        + (f" It is also told what to draw: a picture's labels (shape, colour, size, position), each head's "
           f"{cfg.label_dim}-d embedding summed, add a bias to every layer's gates; in training all labels were "
           f"dropped for {cfg.drop_all:.0%} of the pictures and each head alone for {cfg.drop_head:.0%} of the rest, "
           "so with nothing told it is p(x) itself, whose bits per dimension are given below, and the samples "
           "below are each told labels drawn as the data draws them (`demos.pixelcnn.train.seed_labels`)."
           if cfg.label_dim else ""), "",
        "## Training", "",
        f"`{command_line(cfg, 'demos.pixelcnn.train')}`: {run.step:,} steps of batch {cfg.batch_size} on "
        f"{cfg.data_size:,} images, {run.elapsed / 60:.1f} min in all, this run on {hardware}. Adam, lr {cfg.lr:g}"
        + (f", from step {cfg.decay_from:,} a cosine fall to {cfg.lr / 20:g}" if cfg.decay_from else "")
        + f", gradient norm clipped at 1. Resumable: the same command continues from `{_shown(cfg.state_dir)}`."
        + (f" It started from the weights, steps and history of `{Path(cfg.init_from).name}` (its optimiser state was "
           "not kept: Adam's moments started afresh)." if cfg.init_from else ""), "",
        "## Likelihood (measured by the training script at the end of the run)", "",
        f"- held-out bits per dimension ({HELD_OUT:,} images of seed {HELD_OUT_SEED}, never trained on"
        + ("; nothing told" if cfg.label_dim else "") + "): "
        f"**{figures['held_out_bpd']:.4f}**",
        f"- held-out bits per dimension during training (500 images, every {cfg.eval_every} steps): "
        + ", ".join(f"{h['held_out_bits_per_dim']:.4f} at {h['step']:,}" for h in run.history),
        f"- sampling: 16 images in {figures['seconds_16']:.1f} s on 1 CPU thread"
        + (" (told labels, no guidance)" if cfg.label_dim else ""), "",
    ]
    return "\n".join(lines)


def sample_seed(model: GatedPixelCNN, n: int, seed: int, told: bool | None = None,
                guidance: float = DEFAULTS.guidance) -> np.ndarray:
    """n samples at temperature 1 from one seed, in batches the sampler takes. A model trained with
    labels is told each sample's, drawn as the data draws them (sampling.random_labels, the tab's
    "any"), and guided as the tab's default; told=False: p(x), nothing told."""
    told = model.told if told is None else told
    labels = seed_labels(n, seed) if told else None
    batches = [sample_images(model, min(SAMPLES.high, n - k), seed * 1000 + k // SAMPLES.high,
                             labels=None if labels is None else labels[k:k + SAMPLES.high],
                             guidance=guidance if told else 0.0)
               for k in range(0, n, SAMPLES.high)]
    return np.concatenate(batches)


def seed_labels(n: int, seed: int) -> np.ndarray:
    """(n, 4) the labels sample_seed(model, n, seed) tells its samples: each batch's own draw."""
    return np.concatenate([random_labels(min(SAMPLES.high, n - k), seed * 1000 + k // SAMPLES.high)
                           for k in range(0, n, SAMPLES.high)])


def measure_witnesses(out: Path, n: int) -> str:
    """Both witnesses over five seeds of n samples each, written into out's card; for a model told
    what to draw, also how often each sample is drawn as told."""
    from shared import witnesses
    from shared.checkpoints import load

    model = load(GatedPixelCNN, out, device="cpu").model.eval()
    rows: list[dict[str, float]] = []

    def sample(seed: int) -> np.ndarray:
        images = sample_seed(model, n, seed)
        if model.told:
            rows.append(told_figures(images, seed_labels(n, seed)))
        return images

    what = f"{n} samples at temperature 1 (`demos.pixelcnn.train.sample_seed`" + (
        ": each told labels drawn as the data draws them, no guidance)" if model.told else ")")
    text = witnesses.measure_card(out, sample, witnesses.SEEDS, what, "demos.pixelcnn.train")
    if rows:
        write_told_section(out / "README.md", told_table(rows, witnesses.SEEDS))
        text += "\n\n" + told_table(rows, witnesses.SEEDS)
    return text


def measure(model: GatedPixelCNN) -> dict:
    t0 = time.perf_counter()
    sample_seed(model, 16, SAMPLE_SEED)
    seconds_16 = time.perf_counter() - t0
    return {"held_out_bpd": float(bits_per_dim(model, held_out_images()).mean()), "seconds_16": seconds_16}


def fit(cfg: TrainConfig, stop_at: int | None = None) -> tuple[TrainingRun, Setup]:
    """Train (resuming from cfg.state_dir) to cfg.steps, the time limit or stop_at."""
    return fit_run(cfg, "PixelCNN", build, train_step, lambda run, s: progress(cfg, run, s),
                   eval_every=cfg.eval_every, stop_at=stop_at)


def main(argv: list[str] | None = None) -> None:
    cfg = parse_config(TrainConfig, __doc__, argv)
    if cfg.measure_only:
        print(measure_witnesses(Path(cfg.out), cfg.card_samples))
        return
    run, s = fit(cfg)
    model = run.unwrap(s.model).eval().cpu()
    hardware = run.hardware  # before the sampling below takes one thread
    torch.set_num_threads(1)  # the card's sampling time: one thread, as a loaded 2-core server gives it
    figures = measure(model)
    print(json.dumps(figures, indent=1))
    out = Path(cfg.out)
    model.save_pretrained(out)
    (out / "README.md").write_text(card(cfg, model, figures, run, hardware))
    (out / "training.json").write_text(json.dumps({"config": asdict(cfg), "figures": figures, "history": run.history,
                                                   "minutes": run.elapsed / 60, "dims": DIMS}, indent=1))
    print(measure_witnesses(out, cfg.card_samples))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
