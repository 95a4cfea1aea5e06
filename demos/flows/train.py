"""Train the flows demo's image flow (demos/flows/image_model.py) on `shapes` and write
checkpoints/flow-shapes with its card.

    python -m demos.flows.train --time-limit-min 60              # resumable: rerun to continue
    python -m demos.flows.train --steps 200 --out /tmp/flow --state-dir /tmp/flow-state   # a quick look
    python -m demos.flows.train --measure-only 1                 # re-measure the card's two-witness section

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

from demos.flows.image_model import IMAGE_FLOW_NAME, ImageFlow
from demos.flows.images import as_tensor, bits_per_dim, sample_images
from demos.flows.options import IMAGE_TEMPERATURE_SLIDER, SURPRISE_IMAGES, SURPRISE_SEED
from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.datasets import HELD_OUT_IMAGES, HELD_OUT_SEED, held_out_shapes, make_not_shapes, make_shapes
from shared.training import RunConfig, TrainingRun, command_line, fit_run, parse_config

TEMPERATURE = IMAGE_TEMPERATURE_SLIDER.value  # the card's samples: the tab's default (options.py says why 1, not Glow's 0.7)


@dataclass
class TrainConfig(RunConfig):
    steps: int = 20_000
    batch_size: int = 64
    levels: int = 3
    flow_steps: int = 4  # Glow steps per level
    hidden: int = 64  # channels of each coupling's net
    lr: float = 1e-3
    data_size: int = 40_000
    eval_every: int = 500
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


def build(cfg: TrainConfig, run: TrainingRun) -> Setup:
    flow = ImageFlow(cfg.levels, cfg.flow_steps, cfg.hidden, seed=cfg.seed)
    opt = torch.optim.Adam(flow.parameters(), lr=cfg.lr)
    flow, opt = run.prepare(flow, opt)
    return Setup(flow, opt, as_tensor(make_shapes(cfg.data_size, seed=cfg.seed).images).to(run.device))


def train_step(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict[str, float]:
    s.flow.train()
    x = s.data[torch.randint(len(s.data), (cfg.batch_size,), generator=run.gen, device=run.device)]
    loss = run.call(s.flow, lambda flow, x: flow.bits_per_dim(x, run.gen).mean(), x)
    run.optimise(s.opt, loss, clip=s.flow.parameters(), max_norm=50.0)
    return {"bits_per_dim": float(loss.detach())}


def progress(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict:
    flow = run.unwrap(s.flow).eval()
    return {"held_out_bits_per_dim": float(bits_per_dim(flow, held_out_shapes()[:cfg.eval_images]).mean())}


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
    return {"held_out_bpd": float(held.mean()), "not_shapes_bpd": float(odd.mean()),
            "not_shapes_below_median": float((odd < np.median(held)).mean()), "seconds_16": seconds_16}


def card(cfg: TrainConfig, flow: ImageFlow, figures: dict, run: TrainingRun) -> str:
    params = sum(p.numel() for p in flow.parameters())
    return "\n".join([
        "---", "library_name: genai-demos",
        "tags: [normalizing-flow, glow, realnvp, unconditional-image-generation, shapes]", "license: mit", "---", "",
        f"# {IMAGE_FLOW_NAME}", "",
        f"A multi-scale Glow-style flow ({params / 1e6:.2f} M parameters: {cfg.levels} levels of {cfg.flow_steps} steps, "
        "each ActNorm, an invertible 1x1 convolution and an affine coupling whose net has "
        f"{cfg.hidden} channels) trained here on the `shapes` data by exact maximum likelihood of the dequantised images. "
        "`demos/flows/image_model.py` has the architecture.", "",
        "## Training", "",
        f"`{command_line(cfg, 'demos.flows.train')}`: {run.step:,} steps of batch {cfg.batch_size} on "
        f"{cfg.data_size:,} images, {run.elapsed / 60:.1f} min on {run.hardware}. Adam, lr {cfg.lr:g}.", "",
        "## Likelihood (measured by the training script at the end of the run)", "",
        f"- held-out bits per dimension ({HELD_OUT_IMAGES:,} images of seed {HELD_OUT_SEED}, never trained on; an upper "
        f"bound, one draw of the dequantisation noise): **{figures['held_out_bpd']:.4f}**",
        f"- images that are not shapes ({SURPRISE_IMAGES}: noise, blank, blends, two shapes, blobs): {figures['not_shapes_bpd']:.4f}; "
        f"{100 * figures['not_shapes_below_median']:.1f}% of them score better than the median held-out shape",
        f"- sampling: 16 images in {figures['seconds_16']:.2f} s on {run.hardware}", "",
    ])


def measure_witnesses(out: Path, n: int) -> str:
    from shared import witnesses
    from shared.checkpoints import load

    flow = load(ImageFlow, out, device="cpu").model.eval()
    return witnesses.measure_card(out, lambda seed: sample_images(flow, n, seed), witnesses.SEEDS,
                                  f"{n} samples at temperature {TEMPERATURE:g} (`demos.flows.train.sample_images`)",
                                  "demos.flows.train")


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
