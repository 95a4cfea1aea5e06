"""Train the bundled shapes VAE and write checkpoints/vae-shapes with its model card.

    python -m demos.vae.train                     # resumable: rerun to continue from runs/vae-shapes
    python -m demos.vae.train --steps 200 --out /tmp/vae --state-dir /tmp/vae-state   # a quick look
    python -m demos.vae.train --latent-dim 2 --out checkpoints/vae-shapes-2d --state-dir runs/vae-shapes-2d

Loss: the negative ELBO with beta on the KL term, Adam, a Gaussian decoder with a learned sigma.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from demos.vae.model import BUNDLED_NAME, ShapesVAE, bits_per_dim
from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.datasets import make_shapes
from shared.metrics import score_images, tensor_to_images
from shared.shapes_classifier import to_tensor
from shared.training import (command_line, hardware_name, load_run_state, parse_config, run_setup, save_run_state,
                            time_is_up)

HELD_OUT_SEED = 4242  # 2,000 shapes never trained on: reconstruction and ELBO figures
SAMPLE_SEED = 2024  # the 1,000 prior samples the card scores


@dataclass
class TrainConfig:
    steps: int = 40_000
    batch_size: int = 128
    latent_dim: int = 16
    width: int = 64
    beta: float = 1.0
    min_sigma: float = 0.0  # a floor under the decoder's learned sigma (see demos/vae/model.py)
    lr: float = 1e-3
    data_size: int = 60_000
    eval_every: int = 2500
    seed: int = 0
    device: str = "auto"
    time_limit_min: float = 0.0
    out: str = str(CHECKPOINTS_DIR / BUNDLED_NAME)
    state_dir: str = str(REPO_ROOT / "runs" / BUNDLED_NAME)


@torch.inference_mode()
def evaluate(vae: ShapesVAE, n_held_out: int = 2000, n_samples: int = 1000) -> dict:
    """Reconstruction fidelity (same shape and colour as the input, by the classifier), the
    held-out negative ELBO in bits per dimension, and the prior samples' scores."""
    from shared.metrics import _bundled_classifier
    from shared.shapes_classifier import HEAD_CLASSES, classify

    was_training = vae.training
    vae.eval()
    device = next(vae.parameters()).device
    data = make_shapes(n_held_out, HELD_OUT_SEED)
    x = to_tensor(data.images).to(device)
    g = torch.Generator().manual_seed(0)
    nelbo = torch.cat([vae.negative_elbo(c, g)[0] for c in x.split(500)])
    mean = torch.cat([vae.encode(c)[0] for c in x.split(500)])
    recon = tensor_to_images(torch.cat([vae.decode(c) for c in mean.split(500)]))
    probs, _ = classify(_bundled_classifier(), recon)
    same = np.ones(n_held_out, bool)
    for head in ("shape", "colour"):
        truth = np.array([HEAD_CLASSES[head].index(name) for name in (data.label(i)[head] for i in range(n_held_out))])
        same &= probs[head].argmax(1) == truth
    z = torch.randn(n_samples, vae.latent_dim, generator=torch.Generator().manual_seed(SAMPLE_SEED)).to(device)
    samples = tensor_to_images(torch.cat([vae.decode(c) for c in z.split(500)]))
    scores = score_images(samples)
    vae.train(was_training)
    return {"recon_same_shape_colour": float(same.mean()),
            "recon_mse": float(((to_tensor(recon) - x.cpu()) ** 2).mean()),
            "bits_per_dim": float(bits_per_dim(nelbo.cpu()).mean()), "scores": scores}


def main(argv: list[str] | None = None) -> None:
    cfg = parse_config(TrainConfig, __doc__, argv)
    device, state_dir, out = run_setup(cfg)
    torch.manual_seed(cfg.seed)  # the training script is the one place global seeding lives
    vae = ShapesVAE(cfg.latent_dim, cfg.width, cfg.min_sigma).to(device)
    opt = torch.optim.Adam(vae.parameters(), lr=cfg.lr)
    step, seconds, history = load_run_state(state_dir, {"vae": vae, "opt": opt}, device)
    data = to_tensor(make_shapes(cfg.data_size, cfg.seed).images)
    bar = tqdm(total=cfg.steps, initial=step, desc="vae")
    t0 = time.perf_counter() - seconds
    while step < cfg.steps:
        gen = torch.Generator().manual_seed(cfg.seed + step)
        batch = data[torch.randint(len(data), (cfg.batch_size,), generator=gen)].to(device)
        loss = vae.negative_elbo(batch, gen, cfg.beta)[0].mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        bar.update(1)
        seconds = time.perf_counter() - t0
        last = step == cfg.steps or time_is_up(cfg, step, seconds)
        if step % cfg.eval_every == 0 or last:
            result = evaluate(vae)
            s = result["scores"]
            history.append({"step": step, "recon": result["recon_same_shape_colour"], "bpd": result["bits_per_dim"],
                            "valid": s.valid_fraction, "min_share": s.min_class_share})
            bar.write(f"step {step}: reconstructions {result['recon_same_shape_colour']:.1%} same shape and colour, "
                      f"{result['bits_per_dim']:.3f} bits/dim, samples {s.valid_fraction:.1%} valid "
                      f"(smallest shape {s.min_class_share:.1%}), sigma {vae.sigma.item():.3f}")
            save_run_state(state_dir, {"vae": vae, "opt": opt}, step, seconds, history)
        if last:
            break
    vae.cpu().eval().save_pretrained(out)
    (out / "training.json").write_text(json.dumps({"config": asdict(cfg), "command": command_line(cfg, "demos.vae.train"),
                                                    "seconds": seconds, "hardware": hardware_name(device),
                                                    "history": history}, indent=1))
    print(f"saved {out} after {step} steps, {seconds / 60:.1f} minutes")


if __name__ == "__main__":
    main()
