"""Train the bundled shapes VAE and write checkpoints/vae-shapes with its model card.

    python -m demos.vae.train                     # resumable: rerun to continue from runs/vae-shapes
    python -m demos.vae.train --steps 200 --out /tmp/vae --state-dir /tmp/vae-state   # a quick look
    python -m demos.vae.train --beta 6 --out checkpoints/vae-shapes-beta6 --state-dir runs/vae-shapes-beta6
    python -m demos.vae.train --beta 1 --latent-dim 2 --prior-components 64 --out checkpoints/vae-shapes-2d --state-dir runs/vae-shapes-2d

Loss: the negative ELBO with beta on the KL term, Adam, a Gaussian decoder with a learned sigma
(at least min_sigma). After the last step a Gaussian mixture of prior_components is fitted to the
encoder's codes of the training data (the fitted prior, see demos/vae/model.py), the model is
measured, and the folder gets its weights and a model card. Rerunning a finished run's command
refits and rewrites the card without training. The tab's dimension table is measured and stored
beside the weights (`--store-table-only 1 --out <folder>` does only that, for a stored model).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from demos.vae import explore
from demos.vae.model import BUNDLED_NAME, ShapesVAE
from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.datasets import make_shapes
from shared.metrics import score_images, tensor_to_images
from shared.shapes_classifier import to_tensor
from shared.training import RunConfig, TrainingRun, command_line, fit_run, parse_config

HELD_OUT_SEED = 4242  # 2,000 shapes never trained on: reconstruction and ELBO figures
SAMPLE_SEED = 2024  # the 1,000 prior samples the card scores
NOT_SHAPES_SEED = 4343  # 2,000 non-shapes (noise, stripes, blobs...): the anomaly test set
PRIOR_FIT_IMAGES = 40_000  # training images whose codes the fitted prior is fitted to


@dataclass
class TrainConfig(RunConfig):
    steps: int = 12_000
    batch_size: int = 128
    latent_dim: int = 16
    width: int = 64
    beta: float = 1.0
    min_sigma: float = 0.1  # a floor under the decoder's learned sigma (see demos/vae/model.py)
    prior_components: int = 256  # Gaussians in the fitted prior
    lr: float = 1e-3
    data_size: int = 60_000
    eval_every: int = 2500
    store_table_only: int = 0  # 1: only measure the stored model's dimension table and store it beside it
    measure_only: int = 0  # 1: re-measure the model in --out by both witnesses over five seeds, rewrite that card section
    out: str = str(CHECKPOINTS_DIR / BUNDLED_NAME)
    state_dir: str = str(REPO_ROOT / "runs" / BUNDLED_NAME)


@torch.inference_mode()
def fit_prior(vae: ShapesVAE, images: torch.Tensor, seed: int) -> None:
    """Fit the mixture prior to z ~ q(z|x) of the images (the aggregate posterior) by EM."""
    from sklearn.mixture import GaussianMixture

    device = next(vae.parameters()).device
    g = torch.Generator().manual_seed(seed)
    z = torch.cat([vae.reparameterise(*vae.encode(c.to(device)), g).cpu() for c in images.split(1000)])
    gm = GaussianMixture(vae.prior_components, covariance_type="full", reg_covar=1e-4, max_iter=300,
                         random_state=seed).fit(z.double().numpy())
    vae.set_fitted_prior(torch.from_numpy(gm.weights_ / gm.weights_.sum()), torch.from_numpy(gm.means_),
                         torch.linalg.cholesky(torch.from_numpy(gm.covariances_)))


def anomaly_scores(vae: ShapesVAE, images: np.ndarray, prior: str = "standard") -> dict[str, np.ndarray]:
    """ShapesVAE.anomaly_scores of uint8 images (n, 32, 32, 3), as numpy arrays."""
    x = to_tensor(images).to(next(vae.parameters()).device)
    return {k: v.cpu().numpy() for k, v in vae.anomaly_scores(x, torch.Generator().manual_seed(0), prior).items()}


@torch.inference_mode()
def evaluate(vae: ShapesVAE, n_held_out: int = 2000, n_samples: int = 1000) -> dict:
    """Reconstruction fidelity (same shape and colour as the input, by the classifier), the
    held-out negative ELBO in bits per dimension, the prior samples' scores (from each prior the
    model has), and how well the scores tell non-shapes from shapes (AUROC)."""
    from sklearn.metrics import roc_auc_score

    from shared.datasets import make_not_shapes
    from shared.metrics import _bundled_classifier
    from shared.shapes_classifier import HEAD_CLASSES, classify

    was_training = vae.training
    vae.eval()
    device = next(vae.parameters()).device
    data = make_shapes(n_held_out, HELD_OUT_SEED)
    x = to_tensor(data.images).to(device)
    mean = torch.cat([vae.encode(c)[0] for c in x.split(500)])
    recon = tensor_to_images(torch.cat([vae.decode(c) for c in mean.split(500)]))
    probs, _ = classify(_bundled_classifier(), recon)
    same = np.ones(n_held_out, bool)
    for head in ("shape", "colour"):
        truth = np.array([HEAD_CLASSES[head].index(name) for name in (data.label(i)[head] for i in range(n_held_out))])
        same &= probs[head].argmax(1) == truth
    priors = ["standard", "fitted"] if vae.has_fitted_prior else ["standard"]
    result: dict = {"recon_same_shape_colour": float(same.mean()),
                    "recon_mse": float(((to_tensor(recon) - x.cpu()) ** 2).mean()), "scores": {}, "bits_per_dim": {}}
    for prior in priors:
        z = vae.sample_latents(n_samples, torch.Generator().manual_seed(SAMPLE_SEED), prior=prior)
        result["scores"][prior] = score_images(tensor_to_images(torch.cat([vae.decode(c) for c in z.split(500)])))
        real = anomaly_scores(vae, data.images, prior)
        result["bits_per_dim"][prior] = float(real["bits_per_dim"].mean())
        if prior == priors[-1]:
            odd = anomaly_scores(vae, make_not_shapes(n_held_out, NOT_SHAPES_SEED), prior)
            truth = np.r_[np.zeros(n_held_out), np.ones(n_held_out)]
            result["auroc"] = {name: float(roc_auc_score(truth, np.r_[real[name], odd[name]])) for name in real}
    vae.train(was_training)
    return result


def write_model_card(out: Path, cfg: TrainConfig, result: dict, seconds: float, history: list[dict], hardware: str,
                     n_params: int) -> None:
    name = out.name
    fitted = "fitted" in result["scores"]
    sample_rows = "\n".join(
        f"| {label} | {s.valid_fraction:.1%} | {s.min_class_share:.1%} | {s.frechet_distance:.1f} |"
        for prior, label in (("fitted", "fitted mixture"), ("standard", "standard normal N(0, I)"))
        if (s := result["scores"].get(prior)) is not None)
    shares = result["scores"]["fitted" if fitted else "standard"]
    share_text = ", ".join(f"{k} {v:.1%}" for k, v in shares.class_shares.items())
    colour_text = ", ".join(f"{k} {v:.1%}" for k, v in shares.colour_shares.items())
    bpd = " · ".join(f"{v:.3f} against the {'fitted mixture' if k == 'fitted' else 'standard normal'}"
                     for k, v in result["bits_per_dim"].items())
    progress = "\n".join(f"| {h['step']} | {h['recon']:.1%} | {h['bpd']:.3f} | {h['valid']:.1%} | {h['min_share']:.1%} |"
                          for h in history)
    card = f"""---
library_name: genai-demos
license: mit
tags: [vae, variational-autoencoder, shapes, pytorch_model_hub_mixin]
---
# {name}

A convolutional variational autoencoder ({n_params:,} parameters) for the procedural 32x32 `shapes`
data of `shared/datasets.py`: the encoder maps an image in [-1, 1] to a Gaussian q(z|x) over
{cfg.latent_dim} latent dimensions, the decoder maps z back to an image (a Gaussian p(x|z) with one
learned standard deviation, at least {cfg.min_sigma}). Trained with KL weight beta = {cfg.beta:g}
against the standard normal prior; then a mixture of {cfg.prior_components} Gaussians was fitted to
the codes of {PRIOR_FIT_IMAGES:,} training images{' (the fitted prior)' if fitted else ''}.

## Training
- Command: `{command_line(cfg, "demos.vae.train")}`
- Data: {cfg.data_size:,} `shapes` images (seed {cfg.seed})
- Steps: {cfg.steps:,} of batch {cfg.batch_size}; Adam, lr {cfg.lr:g}
- Time: {seconds / 60:.1f} minutes on {hardware}
- Config: `{json.dumps(asdict(cfg) | {"out": "checkpoints/" + name, "state_dir": "runs/" + name})}`

## Measured quality
Re-measured by `tests/unit/test_vae_checkpoint.py` and `python -m benchmarks.vae`.

| metric | value |
|---|---|
| held-out reconstructions with the same shape and colour (2,000 images, seed {HELD_OUT_SEED}) | {result["recon_same_shape_colour"]:.1%} |
| mean squared reconstruction error (values in [-1, 1]) | {result["recon_mse"]:.4f} |
| held-out negative ELBO, bits per dimension | {bpd} |
| anomaly AUROC, 2,000 non-shapes against the held-out shapes: reconstruction error | {result["auroc"]["recon_mse"]:.3f} |
| anomaly AUROC: negative ELBO | {result["auroc"]["bits_per_dim"]:.3f} |

1,000 samples from each prior (seed {SAMPLE_SEED}), scored by `shared/metrics.py`:

| prior | valid shapes | smallest shape share | Fréchet distance |
|---|---|---|---|
{sample_rows}

Shapes among the {'fitted prior' if fitted else 'prior'}'s samples: {share_text}. Colours: {colour_text}.

{(Path(__file__).parent / "TRAINING_LOG.md").read_text() if name == BUNDLED_NAME else ""}
### During training (standard normal prior)
| step | same shape and colour | bits per dimension | valid samples | smallest shape share |
|---|---|---|---|---|
{progress}

## Use
```python
from shared.checkpoints import load
from demos.vae.model import ShapesVAE
vae = load(ShapesVAE, "{name}").model
mean, log_var = vae.encode(x)                       # x: (n, 3, 32, 32) in [-1, 1]
images = vae.decode(vae.sample_latents(16, prior="{'fitted' if fitted else 'standard'}"))   # (16, 3, 32, 32)
```
"""
    (out / "README.md").write_text(card)


def prior_samples(vae: ShapesVAE, n: int, seed: int, prior: str = "fitted") -> np.ndarray:
    """n samples from the prior (the fitted one where the model has it), uint8 (n, 32, 32, 3)."""
    prior = prior if vae.has_fitted_prior else "standard"
    with torch.no_grad():
        z = vae.sample_latents(n, torch.Generator().manual_seed(seed), prior=prior)
        return tensor_to_images(torch.cat([vae.decode(c) for c in z.split(500)]))


def measure_witnesses(out: Path) -> str:
    """The stored VAE's prior samples judged by the classifier and by the pixels, over five seeds
    (the card's first); the card's section rewritten. Returns the table."""
    from shared import witnesses
    from shared.checkpoints import load

    vae = load(ShapesVAE, out, device="cpu").model.eval()
    prior = "the fitted mixture prior" if vae.has_fitted_prior else "N(0, I)"
    return witnesses.measure_card(out, lambda seed: prior_samples(vae, 1000, seed), (SAMPLE_SEED, 1, 2, 3, 4),
                                  f"1,000 samples from {prior}", "demos.vae.train")


@dataclass
class Setup:
    vae: ShapesVAE  # prepared by the run; trained without the prior's buffers, so a run resumes
    opt: torch.optim.Optimizer  # whatever --prior-components says
    data: torch.Tensor  # (N, 3, 32, 32) in [-1, 1], on the run's device


def build(cfg: TrainConfig, run: TrainingRun) -> Setup:
    vae = ShapesVAE(cfg.latent_dim, cfg.width, cfg.min_sigma)
    opt = torch.optim.Adam(vae.parameters(), lr=cfg.lr)
    vae, opt = run.prepare(vae, opt)
    return Setup(vae, opt, to_tensor(make_shapes(cfg.data_size, cfg.seed).images).to(run.device))


def train_step(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict[str, float]:
    """One step of the negative ELBO (beta on the KL term)."""
    batch = s.data[torch.randint(len(s.data), (cfg.batch_size,), generator=run.gen, device=run.device)]
    loss = run.call(s.vae, lambda vae, x: vae.negative_elbo(x, run.gen, cfg.beta)[0].mean(), batch)
    run.optimise(s.opt, loss)
    return {"loss": loss.item()}


def progress(run: TrainingRun, s: Setup) -> dict:
    """What the history keeps every eval_every steps: reconstructions, bits/dim, samples, sigma."""
    vae = run.unwrap(s.vae)
    result = evaluate(vae)
    scores = result["scores"]["standard"]
    vae.train()
    return {"recon": result["recon_same_shape_colour"], "bpd": result["bits_per_dim"]["standard"],
            "valid": scores.valid_fraction, "min_share": scores.min_class_share, "sigma": vae.sigma.item()}


def fit(cfg: TrainConfig, stop_at: int | None = None) -> tuple[TrainingRun, Setup]:
    """Build, resume if there is a saved state, and train to cfg.steps or the time limit (or stop_at)."""
    return fit_run(cfg, "vae", build, train_step, progress, eval_every=cfg.eval_every, stop_at=stop_at)


def main(argv: list[str] | None = None) -> None:
    cfg = parse_config(TrainConfig, __doc__, argv)
    if cfg.measure_only:
        print(measure_witnesses(Path(cfg.out)))
        return
    if cfg.store_table_only:
        out = Path(cfg.out)
        from shared.checkpoints import load

        print(f"stored {explore.store_dimension_table(load(ShapesVAE, out, device='cpu').model.eval(), out)}")
        return
    run, s = fit(cfg)
    vae, data, device, out = run.unwrap(s.vae), s.data, run.device, run.out
    if cfg.prior_components:
        trained = vae
        vae = ShapesVAE(cfg.latent_dim, cfg.width, cfg.min_sigma, cfg.prior_components).to(device)
        missing = vae.load_state_dict(trained.state_dict(), strict=False).missing_keys
        assert set(missing) == {"prior_weights", "prior_means", "prior_scale_tril"}, missing
        vae.eval()
        fit_prior(vae, data[:PRIOR_FIT_IMAGES], cfg.seed)
    vae.eval()
    result = evaluate(vae)
    for prior, s in result["scores"].items():
        print(f"{prior} prior: samples {s.valid_fraction:.1%} valid, smallest shape {s.min_class_share:.1%}, "
              f"Fréchet {s.frechet_distance:.1f}")
    print(f"reconstructions {result['recon_same_shape_colour']:.1%}, bits/dim {result['bits_per_dim']}, "
          f"AUROC {result['auroc']}")
    vae = vae.cpu()
    vae.save_pretrained(out)
    n_params = sum(p.numel() for p in vae.parameters())
    write_model_card(out, cfg, result, run.elapsed, run.history, run.hardware, n_params)
    explore.store_dimension_table(vae.cpu().eval(), out)  # the tab's table, read at its first press
    print(measure_witnesses(out))
    print(f"saved {out} after {run.step} steps, {run.elapsed / 60:.1f} minutes of training")


if __name__ == "__main__":
    main()
