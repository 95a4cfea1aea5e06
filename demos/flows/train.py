"""Train the flows demo's image flow (demos/flows/model.py) on `shapes` and write
checkpoints/flow-shapes with its card.

    python -m demos.flows.train --time-limit-min 60              # resumable: rerun to continue (the bundled run)
    python -m demos.flows.train --steps 200 --out /tmp/flow --state-dir /tmp/flow-state   # a quick look
    python -m demos.flows.train --measure-only 1                 # re-measure the card's two-witness section

Told what to draw (--label-channels > 0, model.py): each picture's labels are dropped as the
PixelCNN's are (all of them with --drop-all, else each head with --drop-head), so the one network
learns p(x | some labels) and p(x); the card's bits per dimension are the untold model's.

Loss: the dequantised negative log-likelihood in bits per dimension (the image flow's
bits_per_dim: uniform noise in each 8-bit bin, a fresh draw per batch). The card gives it on the
2,000 held-out images (shared.datasets.held_out_shapes), the same figure for images that are not
shapes (Nalisnick et al. 2019: a flow may like some of them better than the data), and samples at
the tab's default temperature by both witnesses over five seeds.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from demos.flows.images import as_tensor, bits_per_dim, sample_images
from demos.flows.model import IMAGE_FLOW_NAME, ImageFlow
from demos.flows.options import IMAGE_TEMPERATURE_SLIDER, SURPRISE_IMAGES, SURPRISE_SEED
from demos.flows.wording import bits_text
from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.datasets import HELD_OUT_IMAGES, HELD_OUT_SEED, held_out_shapes, make_not_shapes, make_shapes
from shared.told import dropped_labels, labels_of, random_labels
from shared.training import RunConfig, TrainingRun, command_line, cosine_tail, fit_run, parse_config

TEMPERATURE = IMAGE_TEMPERATURE_SLIDER.value  # the card's samples: the tab's default (options.py says why 0.7)


@dataclass
class TrainConfig(RunConfig):
    steps: int = 32_000
    batch_size: int = 64
    levels: int = 3
    flow_steps: int = 4  # Glow steps per level
    hidden: int = 64  # channels of each coupling's net
    lr: float = 1e-3
    decay_from: int = 22_000  # from this step a cosine fall to lr/20 at `steps` (0: constant)
    label_channels: int = 8  # told what to draw: each level's label map has this many channels (0: never told)
    drop_all: float = 0.2  # told: the share of images trained with nothing told (p(x))
    drop_head: float = 0.15  # told: else each head not told with this probability
    data_size: int = 40_000
    eval_every: int = 2000
    eval_images: int = 500  # held-out images in the progress figures
    card_samples: int = 500  # samples per seed the card's two witnesses score, five seeds
    measure_only: int = 0  # 1: re-measure the model in --out by both witnesses over five seeds, rewrite that card section
    out: str = str(CHECKPOINTS_DIR / IMAGE_FLOW_NAME)
    state_dir: str = str(REPO_ROOT / "runs" / IMAGE_FLOW_NAME)


@dataclass
class Setup:
    flow: ImageFlow
    opt: torch.optim.Optimizer
    data: torch.Tensor  # uint8 (N, 3, 32, 32)
    labels: torch.Tensor  # (N, 4) long, the columns of shared.told.LABEL_HEADS


def build(cfg: TrainConfig, run: TrainingRun) -> Setup:
    flow = ImageFlow(cfg.levels, cfg.flow_steps, cfg.hidden, seed=cfg.seed, label_channels=cfg.label_channels)
    opt = torch.optim.Adam(flow.parameters(), lr=cfg.lr)
    flow, opt = run.prepare(flow, opt)
    data = make_shapes(cfg.data_size, seed=cfg.seed)
    return Setup(flow, opt, as_tensor(data.images).to(run.device), labels_of(data).to(run.device))


def train_step(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict[str, float]:
    s.flow.train()
    for group in s.opt.param_groups:
        group["lr"] = cosine_tail(cfg.lr, run.step, cfg.decay_from, cfg.steps)
    pick = torch.randint(len(s.data), (cfg.batch_size,), generator=run.gen, device=run.device)
    labels = dropped_labels(s.labels[pick], cfg.drop_all, cfg.drop_head, run.gen) if cfg.label_channels else None
    loss = run.call(s.flow, lambda flow, x, labels: flow.bits_per_dim(x, run.gen, labels).mean(), s.data[pick], labels)
    run.optimise(s.opt, loss, clip=s.flow.parameters(), max_norm=50.0)
    return {"bits_per_dim": float(loss.detach()), "lr": s.opt.param_groups[0]["lr"]}


def progress(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict:
    flow = run.unwrap(s.flow).eval()
    figures = {"held_out_bits_per_dim": float(bits_per_dim(flow, held_out_shapes()[:cfg.eval_images]).mean())}
    if flow.told:  # a quick look at what the card will measure: 100 samples told labels drawn as the data's
        from shared import witnesses

        labels = random_labels(100, 0)
        images = sample_images(flow, 100, 0, TEMPERATURE, labels=labels)
        figures["told: valid"] = float(witnesses.read(images).valid.mean())
        figures.update({f"told: {key}": round(v, 3) for key, v in witnesses.told_figures(images, labels).items()})
    return figures


def fit(cfg: TrainConfig, stop_at: int | None = None) -> tuple[TrainingRun, Setup]:
    """Train (resuming from cfg.state_dir) to cfg.steps, the time limit or stop_at."""
    return fit_run(cfg, "Image flow", build, train_step, lambda run, s: progress(cfg, run, s),
                   eval_every=cfg.eval_every, stop_at=stop_at)


def measure(flow: ImageFlow) -> dict:
    t0 = time.perf_counter()
    sample_images(flow, 16, 0)
    seconds_16 = time.perf_counter() - t0
    odd = bits_per_dim(flow, make_not_shapes(SURPRISE_IMAGES, seed=SURPRISE_SEED))
    held = bits_per_dim(flow, held_out_shapes())
    figures = {"held_out_bpd": float(held.mean()), "not_shapes_median_bpd": float(np.median(odd)),
               "not_shapes_below_median": float((odd < np.median(held)).mean()), "seconds_16": seconds_16}
    if flow.told:  # -log2 p(x | its labels) of the same images
        told = labels_of(make_shapes(HELD_OUT_IMAGES, seed=HELD_OUT_SEED))
        figures["held_out_told_bpd"] = float(bits_per_dim(flow, held_out_shapes(), labels=told).mean())
    return figures


def card(cfg: TrainConfig, flow: ImageFlow, figures: dict, run: TrainingRun) -> str:
    params = sum(p.numel() for p in flow.parameters())
    return "\n".join([
        "---", "library_name: genai-demos",
        "tags: [normalizing-flow, glow, realnvp, unconditional-image-generation, shapes]", "license: mit", "---", "",
        f"# {IMAGE_FLOW_NAME}", "",
        f"A multi-scale Glow-style flow ({params / 1e6:.2f} M parameters: {cfg.levels} levels of {cfg.flow_steps} steps, "
        "each ActNorm, an invertible 1x1 convolution and an affine coupling whose net has "
        f"{cfg.hidden} channels) trained here on the `shapes` data by exact maximum likelihood of the dequantised images. "
        "`demos/flows/model.py` has the architecture."
        + (f" It is also told what to draw: a picture's labels (shape, colour, size, position) become a learned "
           f"{cfg.label_channels}-channel map at each level, read by every coupling, and every level's noise gets a "
           "learned prior from the map (and the kept channels), as Glow's class-conditional model. In training all "
           f"labels were dropped for {cfg.drop_all:.0%} of the images and each head alone for {cfg.drop_head:.0%}, so "
           "the same network is also p(x) told nothing: the bits per dimension below are that model's."
           if cfg.label_channels else ""), "",
        "## Training", "",
        f"`{command_line(cfg, 'demos.flows.train')}`: {run.step:,} steps of batch {cfg.batch_size} on "
        f"{cfg.data_size:,} images, {run.elapsed / 60:.1f} min on {run.hardware}. Adam, lr {cfg.lr:g}"
        + (f", a cosine fall to lr/20 from step {cfg.decay_from:,}." if cfg.decay_from else "."), "",
        "## Likelihood (measured by the training script at the end of the run)", "",
        f"- held-out bits per dimension ({HELD_OUT_IMAGES:,} images of seed {HELD_OUT_SEED}, never trained on; an upper "
        f"bound, one draw of the dequantisation noise): **{figures['held_out_bpd']:.4f}**",
        *([f"- the same images told their labels, -log2 p(x | labels) per dimension: {figures['held_out_told_bpd']:.4f}"]
          if "held_out_told_bpd" in figures else []),
        f"- images that are not shapes ({SURPRISE_IMAGES}: noise, blank, blends, two shapes, blobs): median "
        f"{bits_text(figures['not_shapes_median_bpd'])}; "
        f"{100 * figures['not_shapes_below_median']:.1f}% of them score better than the median held-out shape",
        f"- sampling: 16 images in {figures['seconds_16']:.2f} s on {run.hardware}", "",
    ])


def measure_witnesses(out: Path, n: int) -> str:
    """Both witnesses over five seeds of n samples each (a told flow's told, as the tab draws them:
    random_labels(n, seed)), written into out's card; for a told flow also how often each is drawn as
    told, and the same network's samples told nothing (p(x))."""
    from shared import witnesses
    from shared.checkpoints import load

    flow = load(ImageFlow, out, device="cpu").model.eval()
    rows: list[dict[str, float]] = []

    def sample(seed: int) -> np.ndarray:
        labels = random_labels(n, seed) if flow.told else None
        images = sample_images(flow, n, seed, TEMPERATURE, labels)
        if flow.told:
            rows.append(witnesses.told_figures(images, labels))
        return images

    what = f"{n} samples at temperature {TEMPERATURE:g} (`demos.flows.train.sample_images`" + (
        ", each told labels drawn as the data draws them: `shared.told.random_labels(n, seed)`)" if flow.told else ")")
    text = witnesses.measure_card(out, sample, witnesses.SEEDS, what, "demos.flows.train")
    if rows:
        untold = witnesses.five_seed_table(lambda seed: sample_images(flow, n, seed, TEMPERATURE)).markdown()
        table = (witnesses.told_table(rows, witnesses.SEEDS) + "\n\nThe same network told nothing, p(x) (the model "
                 f"whose bits per dimension are given above), {n} samples per seed:\n\n" + untold)
        witnesses.write_told_section(out / "README.md", table)
        text += "\n\n" + table
    return text


def main(argv: list[str] | None = None) -> None:
    cfg = parse_config(TrainConfig, __doc__, argv)
    if cfg.measure_only:
        print(measure_witnesses(Path(cfg.out), cfg.card_samples))
        return
    run, s = fit(cfg)
    flow = run.unwrap(s.flow).eval().cpu()
    figures = {"train_bpd": run.logs.get("bits_per_dim", float("nan")), **measure(flow)}
    print(json.dumps(figures, indent=1))
    out = Path(cfg.out)
    flow.save_pretrained(out)
    (out / "README.md").write_text(card(cfg, flow, figures, run))
    (out / "training.json").write_text(json.dumps({"config": asdict(cfg), "figures": figures, "history": run.history},
                                                  indent=1))
    print(measure_witnesses(out, cfg.card_samples))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
