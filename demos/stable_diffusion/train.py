"""Train the bundled Stable-Diffusion-style pipeline (checkpoints/sd-shapes) in two stages.

    python -m demos.stable_diffusion.train --stage autoencoder   # resumable: runs/sd-shapes-vae
    python -m demos.stable_diffusion.train --stage unet          # resumable: runs/sd-shapes-unet
    python -m demos.stable_diffusion.train --stage unet --init-unet checkpoints/sd-shapes/unet   # a warm start
    python -m demos.stable_diffusion.train --stage unet --steps 50 --out /tmp/sd --state-dir /tmp/sd-state  # a look
    python -m demos.stable_diffusion.train --stage export --out /tmp/sd-now   # the UNet run so far (EMA), unscored
    python -m demos.stable_diffusion.train --stage measure   # the stored pipeline re-measured, its card rewritten
    python -m demos.stable_diffusion.train --stage witnesses   # only the card's two-witness section, five seeds

1. The autoencoder (diffusers AutoencoderKL) learns to squeeze a 32x32 image into a (4, 8, 8)
   latent and back: mean squared error plus a KL term weighted 1e-6, as in Stable Diffusion (whose
   autoencoder adds a perceptual and an adversarial loss; these flat shapes do without). Then its
   scaling factor is set to 1 / the standard deviation of the data's latents.
2. The UNet (UNet2DConditionModel) learns to predict the noise added to those latents, reading
   the caption through cross-attention to the frozen text encoder of the bundled CLIP; the caption
   is replaced by the empty prompt 10% of the time, so one network learns both the conditional and
   the unconditional prediction that classifier-free guidance mixes. The (shape, colour) pairs the
   CLIP demo holds out are never trained on here either.
Each stage writes its part into the pipeline folder; the UNet stage writes the whole pipeline, stores
its weights in float16 (shared/half_precision.py), measures the stored pipeline and writes the card.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from demos.stable_diffusion.model import BUNDLED_NAME, TEXT_ENCODER_NAME, new_autoencoder, new_scheduler, new_unet, text_encoder_from_clip
from shared import phrasings
from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.datasets import ALL_CAPTIONS, ALL_LABELS, HELD_OUT_PAIRS, LABEL_NAMES, make_shapes, unseen_mask
from shared.shapes_classifier import to_tensor
from shared.training import RunConfig, TrainingRun, command_line, ema_update, fit_run, parse_config, run_progress, run_setup

HELD_OUT_SEED = 4242  # the images the autoencoder's figures are measured on (as the CLIP demo's)
EVAL_SEED = 2025  # noise of the samples the card scores
DEFAULT_GUIDANCE = 5.0


@dataclass
class TrainConfig(RunConfig):
    stage: str = "autoencoder"  # or "unet"
    steps: int = 0  # 0: the stage's default (autoencoder 3,000, unet 12,000)
    batch_size: int = 0  # 0: the stage's default (autoencoder 64, unet 128)
    lr: float = 0.0  # 0: the stage's default (autoencoder 1e-3, unet 5e-4)
    schedule_steps: int = 0  # the learning-rate schedule's length; 0: steps (a run stopped early keeps its schedule)
    kl_weight: float = 1e-6
    caption_dropout: float = 0.1
    init_unet: str = ""  # a UNet folder to start from (a warm start), e.g. the bundled one; "": random weights
    template_share: float = 0.3  # prompts in the caption template; the rest are phrasings (shared/phrasings.py)
    ema_decay: float = 0.999
    data_size: int = 60_000
    eval_every: int = 1000
    eval_samples: int = 500
    eval_steps: int = 30  # DDIM steps of the scored samples
    out: str = str(CHECKPOINTS_DIR / BUNDLED_NAME)
    state_dir: str = ""  # "": runs/sd-shapes-vae or runs/sd-shapes-unet


STAGE_DEFAULTS = {"autoencoder": {"steps": 3_000, "batch_size": 64, "lr": 1e-3},
                  "unet": {"steps": 12_000, "batch_size": 128, "lr": 5e-4},
                  "export": {"steps": 12_000, "batch_size": 128, "lr": 5e-4},
                  "measure": {"steps": 12_000, "batch_size": 128, "lr": 5e-4},
                  "witnesses": {"steps": 12_000, "batch_size": 128, "lr": 5e-4}}
VAE_FROM = REPO_ROOT / "runs" / f"{BUNDLED_NAME}-pipeline"  # where `export` finds the trained autoencoder


def with_defaults(cfg: TrainConfig) -> TrainConfig:
    if cfg.stage not in STAGE_DEFAULTS:
        raise SystemExit(f"--stage must be one of {', '.join(STAGE_DEFAULTS)}; got {cfg.stage!r}")
    for name, value in STAGE_DEFAULTS[cfg.stage].items():
        if not getattr(cfg, name):
            setattr(cfg, name, value)
    if not cfg.state_dir:
        cfg.state_dir = str(REPO_ROOT / "runs" / f"{BUNDLED_NAME}-{'vae' if cfg.stage == 'autoencoder' else 'unet'}")
    if cfg.stage == "export" and cfg.out == str(CHECKPOINTS_DIR / BUNDLED_NAME):
        raise SystemExit("--stage export writes an unscored pipeline: give it an --out outside checkpoints/.")
    return cfg


def lr_at(cfg: TrainConfig, step: int, seconds: float) -> float:
    """Warm-up over 200 steps, then cosine decay over the run (its steps or its time limit)."""
    progress = run_progress(step, cfg.schedule_steps or cfg.steps, seconds, cfg.time_limit_min)
    return float(cfg.lr * min(1.0, (step + 1) / 200) * 0.5 * (1 + np.cos(np.pi * min(progress, 1.0))))


# ---- measuring -------------------------------------------------------------------------------------


def label_agreement(images: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Share of images whose classifier reading matches the wanted labels, per attribute, for
    shape and colour together, and for all four; labels: (n, 4) indices in LABEL_NAMES order."""
    from shared.metrics import _bundled_classifier
    from shared.shapes_classifier import classify

    probs, _ = classify(_bundled_classifier(), images)
    hits = {name: probs[name].argmax(1) == labels[:, k] for k, name in enumerate(LABEL_NAMES)}
    out = {name: float(h.mean()) for name, h in hits.items()}
    out["shape_and_colour"] = float((hits["shape"] & hits["colour"]).mean())
    out["all"] = float(np.logical_and.reduce(list(hits.values())).mean())
    return out


@torch.inference_mode()
def autoencoder_quality(vae, n: int = 2000) -> dict[str, float]:  # noqa: ANN001
    """Reconstructions of held-out images: mean squared error, and how often the classifier reads the
    same shape and colour (and all four labels) in the reconstruction as in the original."""
    device = next(vae.parameters()).device
    data = make_shapes(n, HELD_OUT_SEED)
    x = to_tensor(data.images).to(device)
    recon = torch.cat([vae.decode(vae.encode(c).latent_dist.mean).sample for c in x.split(250)])
    images = ((recon.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()
    wanted = np.stack([data.labels[name] for name in LABEL_NAMES], 1)
    agreement = label_agreement(images, wanted)
    return {"mse": float(F.mse_loss(recon, x)), **agreement}


def eval_prompts(n: int, unseen: bool, seed: int = EVAL_SEED) -> tuple[list[str], np.ndarray]:
    """n captions drawn evenly over the seen (or only the unseen) (shape, colour) pairs, with their labels (n, 4)."""
    shapes, colours = LABEL_NAMES["shape"], LABEL_NAMES["colour"]
    pool = [i for i, lab in enumerate(ALL_LABELS) if ((shapes[lab[0]], colours[lab[1]]) in HELD_OUT_PAIRS) == unseen]
    pick = np.random.default_rng(seed).choice(pool, size=n, replace=len(pool) < n)
    return [ALL_CAPTIONS[i] for i in pick], np.array([ALL_LABELS[i] for i in pick])


def pipeline_quality(parts, n: int, steps: int, guidance: float) -> dict[str, dict[str, float]]:  # noqa: ANN001
    from demos.stable_diffusion.pipeline import generate

    result = {}
    for split, count in (("seen", n), ("unseen", max(100, n // 5))):
        prompts, labels = eval_prompts(count, split == "unseen")
        images = generate(parts, prompts, guidance=guidance, steps=steps, seed=EVAL_SEED)
        result[split] = label_agreement(images, labels)
    return result


PHRASING_SEED = 31  # prompts and noise of the phrasing figures on the card


def phrasing_quality(parts, n: int, steps: int, guidance: float, kinds: tuple[str, ...] = ("train", "held_out", "held_out_words"),  # noqa: ANN001
                     seed: int = PHRASING_SEED) -> dict[str, dict[str, float]]:
    """Prompts in the caption language (demos/stable_diffusion/quality.py), seen pairs, and held-out
    phrasings naming an unseen (shape, colour) pair: both witnesses."""
    from demos.stable_diffusion import quality

    out = {f"{kind}/seen": quality.measure(parts, kind, "seen", n, seed, steps, guidance) for kind in kinds}
    if "held_out" in kinds:
        out["held_out/unseen"] = quality.measure(parts, "held_out", "unseen", max(100, n // 2), seed, steps, guidance)
    return out


# ---- stage 1: the autoencoder ----------------------------------------------------------------------


@dataclass
class AutoencoderSetup:
    vae: torch.nn.Module  # AutoencoderKL, prepared by the run
    opt: torch.optim.Optimizer
    images: np.ndarray  # uint8 (N, 32, 32, 3), made tensors a batch at a time


def build_autoencoder(cfg: TrainConfig, run: TrainingRun) -> AutoencoderSetup:
    vae = new_autoencoder().train()
    opt = torch.optim.AdamW(vae.parameters(), lr=cfg.lr, weight_decay=0.0)
    vae, opt = run.prepare(vae, opt)
    return AutoencoderSetup(vae, opt, make_shapes(cfg.data_size, cfg.seed).images)


def autoencoder_step(cfg: TrainConfig, run: TrainingRun, s: AutoencoderSetup) -> dict[str, float]:
    """Mean squared error of the reconstruction plus kl_weight times the posterior's KL."""
    gen = torch.Generator().manual_seed(cfg.seed + run.step)
    pick = torch.randint(len(s.images), (cfg.batch_size,), generator=gen).numpy()
    x = to_tensor(s.images[pick]).to(run.device)
    for group in s.opt.param_groups:
        group["lr"] = lr_at(cfg, run.step, run.elapsed)
    recon, kl = run.call(s.vae, autoencode, x)
    mse = F.mse_loss(recon, x)
    loss = mse + cfg.kl_weight * kl
    run.optimise(s.opt, loss)
    return {"mse": mse.item()}


def autoencode(vae: torch.nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(the reconstruction of x through a sampled latent, the posterior's mean KL to the prior)."""
    posterior = vae.encode(x).latent_dist
    return vae.decode(posterior.sample(generator=None)).sample, posterior.kl().mean()


def autoencoder_progress(run: TrainingRun, s: AutoencoderSetup) -> dict:
    """What the history keeps every eval_every steps: the last step's error and 500 images' figures."""
    vae = run.unwrap(s.vae).eval()
    quality = autoencoder_quality(vae, 500)
    vae.train()
    return {"train_mse": run.logs["mse"], **quality}


def fit_autoencoder(cfg: TrainConfig, stop_at: int | None = None) -> tuple[TrainingRun, AutoencoderSetup]:
    """Build, resume if there is a saved state, and train to cfg.steps or the time limit (or stop_at)."""
    return fit_run(cfg, "autoencoder", build_autoencoder, autoencoder_step, autoencoder_progress,
                   eval_every=cfg.eval_every, log_every=1, stop_at=stop_at)


def train_autoencoder(cfg: TrainConfig) -> None:
    run, s = fit_autoencoder(cfg)
    vae, device, out = run.unwrap(s.vae).eval(), run.device, run.out
    with torch.inference_mode():  # Stable Diffusion's scaling factor: latents of unit variance for the UNet
        x = to_tensor(make_shapes(5000, cfg.seed + 1).images).to(device)
        latents = torch.cat([vae.encode(c).latent_dist.mean for c in x.split(500)])
    vae.register_to_config(scaling_factor=float(1.0 / latents.std()))
    quality = autoencoder_quality(vae)
    print(f"autoencoder: {quality}; scaling factor {vae.config.scaling_factor:.4f}")
    vae.cpu().save_pretrained(out / "vae")
    (out / "vae" / "training.json").write_text(json.dumps({
        "config": asdict(cfg), "command": command_line(cfg, "demos.stable_diffusion.train"), "seconds": run.elapsed,
        "hardware": run.hardware, "quality": quality, "history": run.history,
        "parameters": sum(p.numel() for p in vae.parameters())}, indent=1))


# ---- stage 2: the UNet -------------------------------------------------------------------------------


def load_parts(folder: Path, device: str = "cpu"):  # noqa: ANN201 (pipeline.Parts)
    """The pipeline's parts from a folder in the StableDiffusionPipeline layout."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTokenizer

    from demos.stable_diffusion.pipeline import Parts

    f32 = torch.float32  # the weights may be stored in float16
    return Parts(AutoencoderKL.from_pretrained(folder / "vae", use_safetensors=True, torch_dtype=f32).to(device).eval(),
                 CLIPTextModel.from_pretrained(folder / "text_encoder", use_safetensors=True, dtype=f32).to(device).eval(),
                 CLIPTokenizer.from_pretrained(folder / "tokenizer"),
                 UNet2DConditionModel.from_pretrained(folder / "unet", use_safetensors=True, torch_dtype=f32).to(device).eval(),
                 dict(new_scheduler().config), frozenset(phrasings.known_words()))  # trained here: the caption language's words


@torch.inference_mode()
def encode_dataset(vae, images: np.ndarray, device: str) -> tuple[torch.Tensor, torch.Tensor]:  # noqa: ANN001
    """The posterior mean and standard deviation of every image's latent, (n, 4, 8, 8) each, on the CPU."""
    means, stds = [], []
    for start in range(0, len(images), 500):
        posterior = vae.encode(to_tensor(images[start:start + 500]).to(device)).latent_dist
        means.append(posterior.mean.cpu())
        stds.append(posterior.std.cpu())
    return torch.cat(means), torch.cat(stds)


@dataclass
class UNetSetup:
    unet: torch.nn.Module  # UNet2DConditionModel, prepared by the run
    ema: torch.nn.Module
    opt: torch.optim.Optimizer
    vae: torch.nn.Module  # the trained autoencoder, frozen
    text_encoder: torch.nn.Module  # the bundled CLIP's text tower, frozen
    tokenizer: Any
    means: torch.Tensor  # (N, 4, 8, 8) the posterior mean of every training image's latent, on the CPU
    stds: torch.Tensor  # (N, 4, 8, 8) its standard deviation
    labels: np.ndarray  # (N, 4) shape, colour, size, position indices
    alphas: torch.Tensor  # (T,) alphas_cumprod on the run's device
    parts: Any  # pipeline.Parts over the EMA UNet, for the scores taken during training


def build_unet(cfg: TrainConfig, run: TrainingRun) -> UNetSetup:
    from diffusers import AutoencoderKL

    from demos.stable_diffusion.pipeline import Parts

    out, device = run.out, run.device
    if not (out / "vae" / "config.json").exists():
        raise SystemExit(f"Train the autoencoder first: there is no {out / 'vae'} (--stage autoencoder).")
    vae = AutoencoderKL.from_pretrained(out / "vae", use_safetensors=True).to(device).eval()
    text_encoder, tokenizer = text_encoder_from_clip(str(CHECKPOINTS_DIR / TEXT_ENCODER_NAME))
    text_encoder = text_encoder.to(device)
    scheduler = new_scheduler()
    unet = new_unet(cross_attention_dim=text_encoder.config.hidden_size)
    if cfg.init_unet:  # warm start: the denoiser already knows the latents; cross-attention re-learns the words
        from diffusers import UNet2DConditionModel

        start = UNet2DConditionModel.from_pretrained(cfg.init_unet, use_safetensors=True, torch_dtype=torch.float32)
        unet.load_state_dict(start.state_dict())
    ema = copy.deepcopy(unet).eval().to(device)
    opt = torch.optim.AdamW(unet.parameters(), lr=cfg.lr, weight_decay=0.01)
    unet, opt = run.prepare(unet.train(), opt)
    run.keep(ema)
    data = make_shapes(cfg.data_size, cfg.seed)
    keep = ~unseen_mask(data.labels)
    labels = np.stack([data.labels[name][keep] for name in LABEL_NAMES], 1)  # (n, 4)
    print(f"encoding {int(keep.sum()):,} images to latents")
    means, stds = encode_dataset(vae, data.images[keep], device)
    parts = Parts(vae, text_encoder, tokenizer, ema, dict(scheduler.config))
    return UNetSetup(unet, ema, opt, vae, text_encoder, tokenizer, means, stds, labels,
                     scheduler.alphas_cumprod.to(device), parts)


def unet_step(cfg: TrainConfig, run: TrainingRun, s: UNetSetup) -> dict[str, float]:
    """Noise a batch of latents (sampled from their posteriors), and regress the noise from the
    noisy latent, the step and the prompt's hidden states (empty 10% of the time)."""
    step, device = run.step, run.device
    gen = torch.Generator().manual_seed(cfg.seed + step)
    pick = torch.randint(len(s.means), (cfg.batch_size,), generator=gen)
    scaling = float(s.vae.config.scaling_factor)
    z0 = (s.means[pick] + s.stds[pick] * torch.randn(s.means[pick].shape, generator=gen)).to(device) * scaling
    noise = torch.randn(z0.shape, generator=gen).to(device)
    t = torch.randint(0, len(s.alphas), (cfg.batch_size,), generator=gen).to(device)
    a = s.alphas[t].view(-1, 1, 1, 1)
    zt = a.sqrt() * z0 + (1 - a).sqrt() * noise  # q(z_t | z_0)
    # the prompt: the caption template or a training phrasing naming some of the labels (the rest
    # are left to the model), or the empty prompt (the unconditional model, 10%)
    texts, _ = phrasings.batch_phrasings(s.labels[pick.numpy()], np.random.default_rng(cfg.seed + step), cfg.template_share)
    dropped = (torch.rand(cfg.batch_size, generator=gen) < cfg.caption_dropout).tolist()
    texts = ["" if drop else text for text, drop in zip(texts, dropped)]
    with torch.no_grad():  # the text encoder is frozen
        context = s.text_encoder.config.max_position_embeddings
        enc = s.tokenizer(texts, padding="max_length", max_length=context, truncation=True, return_tensors="pt")
        hidden = s.text_encoder(input_ids=enc["input_ids"].to(device)).last_hidden_state  # (B, context, 128)
    for group in s.opt.param_groups:
        group["lr"] = lr_at(cfg, step, run.elapsed)
    loss = F.mse_loss(s.unet(zt, t, encoder_hidden_states=hidden).sample, noise)
    run.optimise(s.opt, loss, clip=s.unet.parameters())
    ema_update(s.ema, run.unwrap(s.unet), cfg.ema_decay)
    return {"loss": loss.item()}


def unet_progress(run: TrainingRun, s: UNetSetup) -> dict:
    """What the history keeps every eval_every steps: 100 samples' figures and held-out phrasings."""
    steps = run.cfg.eval_steps
    quality = pipeline_quality(s.parts, 100, steps, DEFAULT_GUIDANCE)
    held_out = phrasing_quality(s.parts, 100, steps, DEFAULT_GUIDANCE, kinds=("held_out",))
    return {"loss": run.logs["loss"], "seen_all": quality["seen"]["all"],
            "seen_shape_and_colour": quality["seen"]["shape_and_colour"],
            "unseen_shape_and_colour": quality["unseen"]["shape_and_colour"],
            "held_out_phrasings": held_out["held_out/seen"]["classifier"]}


def fit_unet(cfg: TrainConfig, stop_at: int | None = None) -> tuple[TrainingRun, UNetSetup]:
    """Build, resume if there is a saved state, and train to cfg.steps or the time limit (or stop_at)."""
    return fit_run(cfg, "unet", build_unet, unet_step, unet_progress, eval_every=cfg.eval_every, log_every=1,
                   stop_at=stop_at)


def train_unet(cfg: TrainConfig) -> None:
    run, s = fit_unet(cfg)
    out = run.out
    save_pipeline(out, s.vae, s.text_encoder, s.tokenizer, s.ema)
    record = {"config": asdict(cfg), "command": command_line(cfg, "demos.stable_diffusion.train"), "seconds": run.elapsed,
              "hardware": run.hardware, "history": run.history, "parameters": sum(p.numel() for p in s.ema.parameters())}
    (out / "unet" / "training.json").write_text(json.dumps(record, indent=1))
    measure(cfg)


def measure(cfg: TrainConfig) -> None:
    """Store the pipeline's weights in float16 (checkpoints/ has a 60 MB budget), then measure what
    is stored (loaded back into float32) and write the model card: `--stage measure` alone redoes it."""
    from shared.half_precision import main as halve

    device, _, out = run_setup(cfg)
    halve([str(out)])
    parts = load_parts(out, device)
    quality = autoencoder_quality(parts.vae)
    guided = pipeline_quality(parts, cfg.eval_samples, cfg.eval_steps, DEFAULT_GUIDANCE)
    plain = pipeline_quality(parts, cfg.eval_samples, cfg.eval_steps, 1.0)
    phrased = phrasing_quality(parts, cfg.eval_samples // 2, cfg.eval_steps, DEFAULT_GUIDANCE)
    print(f"autoencoder: {quality}\nguidance {DEFAULT_GUIDANCE}: {guided}\nguidance 1: {plain}\nphrasings: {phrased}")
    for part, update in (("vae", {"quality": quality}), ("unet", {"guided": guided, "plain": plain, "phrased": phrased})):
        path = out / part / "training.json"
        path.write_text(json.dumps({**json.loads(path.read_text()), **update}, indent=1))
    write_model_card(out)
    witness_section(out, parts, cfg.eval_samples, cfg.eval_steps)


WITNESS_SEEDS = (EVAL_SEED, 1, 2, 3, 4)  # the card's two-witness section: its first seed is the guided table's draw


def witness_section(out: Path, parts, n: int, steps: int) -> str:  # noqa: ANN001 (pipeline.Parts)
    """The card's two-witness section over WITNESS_SEEDS: n captions over the seen (shape, colour)
    pairs drawn from the seed, guidance DEFAULT_GUIDANCE, noise from the seed."""
    from demos.stable_diffusion.pipeline import generate
    from shared import witnesses

    def sample(seed: int) -> np.ndarray:
        return generate(parts, eval_prompts(n, False, seed)[0], guidance=DEFAULT_GUIDANCE, steps=steps, seed=seed)

    return witnesses.measure_card(out, sample, WITNESS_SEEDS,
                                  f"{n} captions over the seen (shape, colour) pairs, guidance {DEFAULT_GUIDANCE:g}, "
                                  f"{steps} DDIM steps, captions and noise from the seed,",
                                  "demos.stable_diffusion.train", "--stage witnesses")


def witnesses_only(cfg: TrainConfig) -> None:
    """`--stage witnesses`: only the card's two-witness section, from the stored pipeline, as many captions
    a seed as the card's tables were measured on."""
    device, _, out = run_setup(cfg)
    stored = json.loads((out / "unet" / "training.json").read_text())["config"]
    print(witness_section(out, load_parts(out, device), stored["eval_samples"], stored["eval_steps"]))


def save_pipeline(out: Path, vae, text_encoder, tokenizer, unet) -> None:  # noqa: ANN001
    """The folder in the StableDiffusionPipeline layout, model_index.json included."""
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline(vae=vae.cpu(), text_encoder=text_encoder.cpu(), tokenizer=tokenizer, unet=unet.cpu(),
                                   scheduler=new_scheduler(), safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.save_pretrained(out, safe_serialization=True)


def write_model_card(out: Path) -> None:
    vae_run = json.loads((out / "vae" / "training.json").read_text())
    unet_run = json.loads((out / "unet" / "training.json").read_text())
    q = vae_run["quality"]
    held = ", ".join(f"{colour} {shape}" for shape, colour in sorted(HELD_OUT_PAIRS))

    def rows(split: str) -> str:
        g, p = unet_run["guided"][split], unet_run["plain"][split]
        return "\n".join(f"| {label} | {g[key]:.1%} | {p[key]:.1%} |" for key, label in (
            ("all", "shape, colour, size and position all as prompted"), ("shape_and_colour", "shape and colour"),
            ("shape", "shape"), ("colour", "colour"), ("size", "size"), ("position", "position")))

    progress = "\n".join(f"| {h['step']} | {h['loss']:.4f} | {h['seen_all']:.0%} | {h['seen_shape_and_colour']:.0%} | "
                         f"{h['unseen_shape_and_colour']:.0%} | {h.get('held_out_phrasings', float('nan')):.0%} |"
                         for h in unet_run["history"])
    from demos.stable_diffusion.quality import KINDS

    phrased = unet_run.get("phrased", {})
    phrase_rows = "\n".join(
        f"| {KINDS[key.split('/')[0]]}{', unseen (shape, colour) pairs' if key.endswith('unseen') else ''} | "
        f"{v['classifier']:.1%} | {v['pixels']:.1%} |" for key, v in phrased.items())
    n_phrased = unet_run["config"]["eval_samples"] // 2
    card = f"""---
library_name: diffusers
license: mit
tags: [stable-diffusion, latent-diffusion, text-to-image, shapes]
pipeline_tag: text-to-image
---
# {BUNDLED_NAME}

A Stable-Diffusion-style latent diffusion pipeline small enough to train on a laptop, in the layout of
a Hub `StableDiffusionPipeline` repository (`StableDiffusionPipeline.from_pretrained` loads it), trained on
the procedural 32x32 `shapes` images of `shared/datasets.py` and the many ways people say their labels
("a small red circle at the top left", "red circle", "Draw a big crimson star!"):

| part | class | what it does | parameters |
|---|---|---|---|
| `vae/` | `AutoencoderKL` | (3, 32, 32) <-> latent (4, 8, 8): 12x fewer numbers; \
scaling factor {vae_run_scaling(out):.4f} | {vae_run['parameters']:,} |
| `text_encoder/`, `tokenizer/` | `CLIPTextModel`, `CLIPTokenizer` | \
the bundled CLIP's text tower (`checkpoints/clip-shapes`), frozen: (24, 128) hidden states | |
| `unet/` | `UNet2DConditionModel` | predicts the noise in a latent, reading the prompt through cross-attention | \
{unet_run['parameters']:,} |
| `scheduler/` | `DDPMScheduler` | 1,000 steps, Stable Diffusion's scaled-linear betas (0.00085 to 0.012) | |

**Held-out combinations.** The (shape, colour) pairs the CLIP demo holds out ({held}) are in no
training caption of the UNet either; the figures below give them apart.

The weights are stored in float16 (`shared/half_precision.py`; 2 bytes a parameter) and load into
float32 models; every figure below was measured on these stored weights.

## Training
1. Autoencoder: `{vae_run['command']}`: {vae_run['config']['steps']:,} steps of batch {vae_run['config']['batch_size']},
   mean squared error + {vae_run['config']['kl_weight']:g} x KL, {vae_run['seconds'] / 60:.1f} minutes on {vae_run['hardware']}.
2. UNet: `{unet_run['command']}`: {unet_run['config']['steps']:,} steps of batch {unet_run['config']['batch_size']}, noise
   prediction on the autoencoder's latents{warm(unet_run)}, the prompt the caption template \
{unet_run['config'].get('template_share', 1):.0%} of the time and
   otherwise a training phrasing naming some of the labels (`shared/phrasings.py`), dropped \
{unet_run['config']['caption_dropout']:.0%} of the time for
   classifier-free guidance, EMA {unet_run['config']['ema_decay']} weights, \
{unet_run['seconds'] / 60:.1f} minutes on {unet_run['hardware']}.

## Measured quality
Re-measured by `tests/unit/test_stable_diffusion_checkpoint.py`.

**Autoencoder**, 2,000 held-out images: mean squared error {q['mse']:.4f} (pixels in [-1, 1]); the classifier
reads the same shape and colour in the reconstruction {q['shape_and_colour']:.1%} of the time, all four
labels {q['all']:.1%}.

**Text to image**, {unet_run['config']['eval_samples']} prompts over the seen captions \
({unet_run['config']['eval_steps']} DDIM steps, noise seed {EVAL_SEED}),
read by the bundled shapes classifier, at guidance {DEFAULT_GUIDANCE:g} and at guidance 1 (no guidance):

| matches the prompt | guidance {DEFAULT_GUIDANCE:g} | guidance 1 |
|---|---|---|
{rows('seen')}

On {max(100, unet_run['config']['eval_samples'] // 5)} prompts naming a held-out (shape, colour) pair:

| matches the prompt | guidance {DEFAULT_GUIDANCE:g} | guidance 1 |
|---|---|---|
{rows('unseen')}

**Free phrasings** (`shared/phrasings.py`; {n_phrased} prompts of each kind over the seen pairs,
{max(100, n_phrased // 2)} held-out phrasings naming an unseen pair; prompt and noise seed {PHRASING_SEED}, guidance
{DEFAULT_GUIDANCE:g}, {unet_run['config']['eval_steps']} DDIM steps), read as the app reads them. An image counts when it shows
every attribute the prompt names: by the classifier, and by the pixels alone (`shared/pixel_check.py`:
one connected piece, and the named colour, size and position; the shape only the classifier judges):

| prompts | classifier | pixels |
|---|---|---|
{phrase_rows}

Held-out synonyms are words the text encoder never read: the app reads each as the word it stands
for (`SYNONYM_TABLE`) and says so, and that row measures the prompt as the app sends it.
`python -m benchmarks.stable_diffusion --quality` re-measures these rows over five seeds.

### During training (EMA weights, 100 seen and 100 unseen prompts, guidance {DEFAULT_GUIDANCE:g})
| step | loss | all four, seen | shape and colour, seen | shape and colour, unseen | held-out phrasings |
|---|---|---|---|---|---|
{progress}
"""
    (out / "README.md").write_text(card)


def warm(run: dict) -> str:
    """How the card says a UNet run started."""
    init = run["config"].get("init_unet")
    return (f", started from the UNet in `{init}` (the previous sd-shapes UNet, trained on the caption template with "
            f"the previous text encoder: a warm start; its cross-attention re-learned the words)") if init else ""


def vae_run_scaling(out: Path) -> float:
    return float(json.loads((out / "vae" / "config.json").read_text())["scaling_factor"])


def export(cfg: TrainConfig) -> None:
    """The UNet run as it stands (its EMA weights) with the trained autoencoder, as a pipeline
    folder, without scoring it: to look at a run in progress."""
    from diffusers import AutoencoderKL

    vae = AutoencoderKL.from_pretrained(VAE_FROM / "vae", use_safetensors=True)
    text_encoder, tokenizer = text_encoder_from_clip(str(CHECKPOINTS_DIR / TEXT_ENCODER_NAME))
    run = TrainingRun(cfg, "export")
    unet = new_unet(cross_attention_dim=text_encoder.config.hidden_size)
    ema = copy.deepcopy(unet).to(run.device)
    run.prepare(unet, torch.optim.AdamW(unet.parameters()))
    run.keep(ema)
    step = run.resume()
    save_pipeline(run.out, vae, text_encoder, tokenizer, ema.eval())
    print(f"exported the UNet at step {step} to {run.out}")


def main(argv: list[str] | None = None) -> None:
    cfg = with_defaults(parse_config(TrainConfig, __doc__, argv))
    Path(cfg.out).mkdir(parents=True, exist_ok=True)
    stages = {"autoencoder": train_autoencoder, "unet": train_unet, "export": export, "measure": measure,
              "witnesses": witnesses_only}
    stages[cfg.stage](cfg)


if __name__ == "__main__":
    main()
