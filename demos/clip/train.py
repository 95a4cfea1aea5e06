"""Train the bundled CLIP contrastively on shapes images and their captions (checkpoints/clip-shapes).

    python -m demos.clip.train                     # resumable: rerun to continue from runs/clip-shapes
    python -m demos.clip.train --steps 50 --out /tmp/clip --state-dir /tmp/clip-state   # a quick look
    python -m demos.clip.train --measure-only 1        # re-measure checkpoints/clip-shapes, rewrite its card and gallery

Texts: the caption, or a phrasing of the caption language's train split (shared/phrasings.py) naming
a random subset of the labels ("red", "a big crimson star", "circle at the top left"). Images: the data,
and re-composed copies on other backgrounds (demos/clip/augment.py).
Loss: the symmetric InfoNCE of CLIP over the batch's image-text similarities, with CLIP's learned
temperature. A text fits every image that has the labels it names ("red" fits every red shape, a
caption every image with that caption); those pairs are positives too (the target row spreads over
them), not negatives to be pushed apart. The (shape, colour) pairs in HELD_OUT_PAIRS are never trained on.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from demos.clip.augment import augment
from demos.clip.model import BUNDLED_NAME, CONTEXT, new_clip, new_processor
from demos.clip.quality import VARIANTS, typed_labels
from shared import phrasings
from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.datasets import ALL_CAPTIONS, ALL_LABELS, HELD_OUT_PAIRS, LABEL_NAMES, caption_index, make_shapes, unseen_mask
from shared.phrasings import batch_phrasings
from shared.shapes_classifier import to_tensor
from shared.training import RunConfig, TrainingRun, command_line, fit_run, parse_config

HELD_OUT_SEED = 4242
MAX_LOGIT_SCALE = float(np.log(100.0))  # CLIP clips its temperature at 1/100


@dataclass
class TrainConfig(RunConfig):
    steps: int = 3_000
    batch_size: int = 256
    width: int = 128
    layers: int = 4
    lr: float = 5e-4
    weight_decay: float = 0.1
    augment: float = 0.7  # share of each batch re-coloured, re-backgrounded and tilted (demos/clip/augment.py)
    data_size: int = 100_000
    eval_every: int = 500
    grey: float = 0.0  # share of images re-drawn in a grey, their texts naming no colour (augment.py)
    init_from: str = ""  # a CLIP folder to start from ("": random weights)
    freeze_text: int = 0  # 1: keep the text transformer as it is (what sd-shapes reads); the rest trains
    measure_only: int = 0  # 1: re-measure the model stored in --out and rewrite its card
    out: str = str(CHECKPOINTS_DIR / BUNDLED_NAME)
    state_dir: str = str(REPO_ROOT / "runs" / BUNDLED_NAME)


def caption_tokens(tokenizer=None, context: int = CONTEXT) -> tuple[torch.Tensor, torch.Tensor]:  # noqa: ANN001
    """input_ids and attention_mask of ALL_CAPTIONS, (360, context) each (default: the bundled tokenizer)."""
    enc = (tokenizer or new_processor().tokenizer)(ALL_CAPTIONS, padding="max_length", max_length=context,
                                                   return_tensors="pt")
    return enc["input_ids"], enc["attention_mask"]


def contrastive_loss(image: torch.Tensor, text: torch.Tensor, same: torch.Tensor, logit_scale: torch.Tensor) -> torch.Tensor:
    """Symmetric cross-entropy over scale * cos(image_i, text_j); same[i, j] (B, B) marks the texts
    that describe image i truly (the same caption, or a phrasing naming only labels it has). Image i's
    target spreads evenly over the texts that fit it, text j's over the images it fits (the diagonal
    alone when unique)."""
    logits = logit_scale.exp() * F.normalize(image, dim=-1) @ F.normalize(text, dim=-1).T
    same = same.float()
    return 0.5 * (F.cross_entropy(logits, same / same.sum(1, keepdim=True))
                  + F.cross_entropy(logits.T, same.T / same.T.sum(1, keepdim=True)))




def colourless(texts: list[str], named: np.ndarray, labels: np.ndarray, grey: np.ndarray, rng: np.random.Generator
               ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The texts of the images drawn in grey (grey (B,) bool) re-written to name no colour (shape, size
    or position only), and their colour label set to -1 (no text naming a colour fits them)."""
    names = list(LABEL_NAMES.values())
    texts, named, labels = list(texts), named.copy(), labels.copy()
    for i in np.flatnonzero(grey):
        said = tuple(a for a in phrasings.random_named(rng) if a != "colour") or ("shape",)
        values = {a: names[k][v] for k, (a, v) in enumerate(zip(LABEL_NAMES, labels[i]))}
        texts[i], said = phrasings.describe(values, rng, "train", said)
        named[i] = [a in said for a in LABEL_NAMES]
        labels[i, 1] = -1
    return texts, named, labels


def fits(labels: np.ndarray, named: np.ndarray) -> torch.Tensor:
    """fits[i, j]: image i has every label text j names; labels (B, 4) indices, named (B, 4) bool."""
    agree = labels[:, None, :] == labels[None, :, :]  # (B, B, 4)
    return torch.from_numpy((agree | ~named[None, :, :]).all(-1))


@torch.inference_mode()
def evaluate(model, n: int = 2000, seed: int = HELD_OUT_SEED, tokenizer=None) -> dict:  # noqa: ANN001 (CLIPModel)
    """Zero-shot over all 360 captions on held-out images, seen and unseen pairs apart: top-1
    caption, and each label read from the caption probabilities summed over its values; and
    typed bare labels (demos/clip/quality.py) on n // 2 images of each variant."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    ids, mask = caption_tokens(tokenizer, int(model.config.text_config.max_position_embeddings))
    text = F.normalize(model.get_text_features(input_ids=ids.to(device), attention_mask=mask.to(device)).pooler_output, dim=-1)
    pool = make_shapes(12 * n, seed)
    unseen = unseen_mask(pool.labels)
    result = {}
    for split, where in (("seen", np.flatnonzero(~unseen)[:n]), ("unseen", np.flatnonzero(unseen)[:n])):
        x = to_tensor(pool.images[where]).to(device)
        image = torch.cat([F.normalize(model.get_image_features(pixel_values=c).pooler_output, dim=-1) for c in x.split(500)])
        probs = (model.logit_scale.exp() * image @ text.T).softmax(-1).cpu().numpy()  # (n, 360)
        truth = caption_index({k: v[where] for k, v in pool.labels.items()})
        figures = {"caption": float((probs.argmax(1) == truth).mean())}
        all_labels = np.array(ALL_LABELS)
        for k, name in enumerate(LABEL_NAMES):
            values = len(LABEL_NAMES[name])
            marginal = np.stack([probs[:, all_labels[:, k] == v].sum(1) for v in range(values)], 1)
            figures[name] = float((marginal.argmax(1) == all_labels[truth, k]).mean())
        figures["shape_and_colour"] = float(np.mean(
            [(all_labels[p, 0], all_labels[p, 1]) == (all_labels[t, 0], all_labels[t, 1])
             for p, t in zip(probs.argmax(1), truth)]))
        result[split] = figures
    result["typed"] = typed_labels(model, seed, n // 2, tokenizer)
    model.train(was_training)
    return result


def search_queries() -> list[tuple[str, dict[str, int]]]:
    """Text queries that name a shape and any of its size, colour and position, with the label
    values each names: 'a red circle', 'a large star at the top left', ..."""
    queries = []
    sizes, colours, positions = ([None, *range(len(LABEL_NAMES[k]))] for k in ("size", "colour", "position"))
    for shape, size, colour, position in itertools.product(range(len(LABEL_NAMES["shape"])), sizes, colours, positions):
        words = ["a"]
        words += [LABEL_NAMES["size"][size]] if size is not None else []
        words += [LABEL_NAMES["colour"][colour]] if colour is not None else []
        words.append(LABEL_NAMES["shape"][shape])
        if position is not None:
            where = LABEL_NAMES["position"][position]
            words += ["in the center"] if where == "center" else [f"at the {where}"]
        named = {"shape": shape, "size": size, "colour": colour, "position": position}
        queries.append((" ".join(words), {k: v for k, v in named.items() if v is not None}))
    return queries


@torch.inference_mode()
def search_precision(model, gallery_size: int = 10_000, k: int = 5) -> dict[str, float]:  # noqa: ANN001
    """Text-to-image search over held-out images: the share of the top k results that match every
    attribute the query names, over all search_queries(); seen and unseen (shape, colour) apart."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    gallery = make_shapes(gallery_size, HELD_OUT_SEED + 1)
    x = to_tensor(gallery.images).to(device)
    image = torch.cat([F.normalize(model.get_image_features(pixel_values=c).pooler_output, dim=-1) for c in x.split(500)])
    queries = search_queries()
    enc = new_processor().tokenizer([q for q, _ in queries], padding="max_length", max_length=CONTEXT,
                                    truncation=True, return_tensors="pt")
    text = F.normalize(model.get_text_features(input_ids=enc["input_ids"].to(device),
                                               attention_mask=enc["attention_mask"].to(device)).pooler_output, dim=-1)
    top = (text @ image.T).topk(k, dim=1).indices.cpu().numpy()  # (queries, k)
    hits: dict[str, list[float]] = {"seen": [], "unseen": []}
    shapes, colours = LABEL_NAMES["shape"], LABEL_NAMES["colour"]
    for (_, named), found in zip(queries, top):
        match = np.ones(k, bool)
        for name, value in named.items():
            match &= gallery.labels[name][found] == value
        unseen = "colour" in named and (shapes[named["shape"]], colours[named["colour"]]) in HELD_OUT_PAIRS
        hits["unseen" if unseen else "seen"].append(float(match.mean()))
    model.train(was_training)
    return {split: float(np.mean(v)) for split, v in hits.items()}


def stage_record(out: Path) -> dict | None:
    """The first run's record when this model was fine-tuned from it (training-stage1.json), else None."""
    for path in (out / "training-stage1.json", REPO_ROOT / "runs" / "clip-stage1-training.json"):
        if path.exists():
            return json.loads(path.read_text())
    return None


def stage_one(out: Path) -> str:
    record = stage_record(out)
    if record is None:
        return ""
    c = record["config"]
    return (f"- Stage 1, every weight: `{record['command']}`: {c['steps']:,} steps of batch {c['batch_size']} "
            f"(lr {c['lr']:g}), {record['seconds'] / 60:.1f} minutes on {record['hardware']}\n"
            "- Stage 2, from stage 1's weights, is the run below:\n")


def stage_two(cfg: TrainConfig) -> str:
    if not cfg.freeze_text:
        return ""
    return (f" (the text transformer frozen, so `sd-shapes`, which reads its hidden states, is unchanged; "
            f"{cfg.grey:.0%} of the images re-drawn in a grey with texts naming no colour, which teaches the image "
            f"tower shape apart from colour)")


def write_model_card(out: Path, cfg: TrainConfig, result: dict, search: dict[str, float], seconds: float,
                     history: list[dict], hardware: str, n_params: int) -> None:
    name = out.name
    rows = "\n".join(f"| {label} | {result['seen'][key]:.1%} | {result['unseen'][key]:.1%} |" for key, label in (
        ("shape", "shape"), ("colour", "colour"), ("size", "size"), ("position", "position"),
        ("shape_and_colour", "shape and colour"), ("caption", "the whole caption, 360-way")))
    held = ", ".join(f"{colour} {shape}" for shape, colour in sorted(HELD_OUT_PAIRS))
    progress = "\n".join(f"| {h['step']} | {h['loss']:.3f} | {h['seen_caption']:.1%} | {h['unseen_shape_and_colour']:.1%} | "
                          f"{h.get('typed_shape_plain', float('nan')):.1%} | {h.get('typed_shape_light', float('nan')):.1%} |"
                          for h in history)
    typed = result["typed"]
    typed_rows = "\n".join(f"| {VARIANTS[v]} | {typed[f'shape_{v}']:.1%} | {typed[f'colour_{v}']:.1%} |" for v in VARIANTS)
    groups = "\n".join(f"| {group} | {', '.join(words)} |" for group, words in phrasings.word_groups().items())
    card = f"""---
library_name: transformers
license: mit
tags: [clip, contrastive-learning, zero-shot-image-classification, shapes]
pipeline_tag: zero-shot-image-classification
---
# {name}

A small CLIP ({n_params:,} parameters) in transformers' `CLIPModel`, trained from scratch on the
procedural 32x32 `shapes` images of `shared/datasets.py` and the many ways people say their labels:
the caption ("a small red circle at the top left"), and phrasings of `shared/phrasings.py`'s train split
naming any subset of the labels in any order, with synonyms and fillers ("red", "circle", "a red shape",
"Draw a big crimson star in the upper right corner!"). The image encoder is a ViT over 4x4 patches,
trained on the data and on re-composed copies (`demos/clip/augment.py`: other backgrounds, light ones
included, shades of the colour, tilts up to 15 degrees, scales 0.9-1.1); the text encoder a
{cfg.layers}-layer transformer over a CLIP tokenizer in which every known word is one token, with a
{CONTEXT}-token context. Load it with `CLIPModel.from_pretrained` and `CLIPProcessor.from_pretrained`
of this folder.

**Words it knows** (any letter case; the app reads a few held-out synonyms as these and names any
other word it leaves out):

| group | words |
|---|---|
{groups}

**Held-out combinations.** Four (shape, colour) pairs never appear in training: {held}. Every
figure below is given for seen and unseen pairs apart.

## Training
{stage_one(out)}- Command: `{command_line(cfg, "demos.clip.train")}`{stage_two(cfg)}
- Data: {cfg.data_size:,} `shapes` images (seed {cfg.seed}) minus those of the held-out pairs
- Texts: the caption a quarter of the time, else a training phrasing naming a random subset of the labels
- Loss: symmetric InfoNCE with CLIP's learned temperature (at most 100); every text in the batch that
  fits an image (names only labels it has: the same caption, "red" for any red shape) is a positive for it
- Steps: {cfg.steps:,} of batch {cfg.batch_size}; AdamW (lr {cfg.lr:g}, weight decay {cfg.weight_decay:g}), warm-up and cosine decay
- Time: {seconds / 60:.1f} minutes on {hardware}

## Measured quality
Re-measured by `tests/unit/test_clip_checkpoint.py`.

Zero-shot over the 360 captions on 2,000 held-out images of each kind (seed {HELD_OUT_SEED}); a label is read
from the caption probabilities summed over its values:

| accuracy | seen pairs | unseen pairs |
|---|---|---|
{rows}

Text-to-image search over 10,000 held-out images (seed {HELD_OUT_SEED + 1}), 756 queries naming a shape and any of
its size, colour and position ("a red circle", "a large star at the top left"): share of the top 5
results that match every attribute the query names: {search['seen']:.1%} on seen pairs,
{search['unseen']:.1%} on queries naming an unseen (shape, colour) pair.

**Typed labels.** Zero-shot with the bare names a person types, six shapes ("circle", "square", ...) or
six colours ("red", "orange", ...), on 1,000 held-out images (seed {HELD_OUT_SEED}) of each kind:

| images | shape names | colour names |
|---|---|---|
{typed_rows}

`python -m benchmarks.clip --quality` re-measures this table over five seeds.

### During training
| step | loss | caption top-1, seen | shape and colour, unseen | shape names, plain | shape names, light background |
|---|---|---|---|---|---|
{progress}
"""
    (out / "README.md").write_text(card)


def store_gallery(out: Path) -> None:
    """The tab's default gallery embedded by the weights saved in `out`, stored beside them, so the tab's
    first search need not embed it (demos/clip/stored_gallery.py)."""
    from demos.clip import options, stored_gallery
    from demos.clip.encoders import clip_in_folder, embed_images

    images = make_shapes(options.GALLERY_SIZE, options.GALLERY_SEED).images
    embeddings = embed_images(clip_in_folder(out), images)
    print(f"stored {stored_gallery.save(out, embeddings, options.GALLERY_SIZE, options.GALLERY_SEED)}")


def rewrite_card(out: Path) -> None:
    """Re-measure the stored model in `out` and rewrite its card (training.json keeps the run's record)."""
    from transformers import CLIPModel

    record = json.loads((out / "training.json").read_text())
    cfg = TrainConfig(**record["config"])
    model = CLIPModel.from_pretrained(out, use_safetensors=True).eval()
    result, search = evaluate(model), search_precision(model)
    print(f"seen {result['seen']}\nunseen {result['unseen']}\ntyped {result['typed']}\nsearch top-5 {search}")
    write_model_card(out, cfg, result, search, record["seconds"], record["history"], record["hardware"],
                     sum(p.numel() for p in model.parameters()))
    store_gallery(out)


@dataclass
class Setup:
    model: torch.nn.Module  # CLIPModel, prepared by the run
    opt: torch.optim.Optimizer
    images: torch.Tensor  # (N, 3, 32, 32) in [-1, 1]: the data less the held-out pairs
    labels: np.ndarray  # (N, 4) shape, colour, size, position indices
    tokenizer: Any


def build(cfg: TrainConfig, run: TrainingRun) -> Setup:
    model = new_clip(cfg.width, cfg.layers)
    if cfg.init_from:  # a warm start from a trained CLIP of the same shape
        from transformers import CLIPModel

        model.load_state_dict(CLIPModel.from_pretrained(cfg.init_from, use_safetensors=True).state_dict())
    if cfg.freeze_text:  # Stable Diffusion's UNet reads these hidden states: they must not move
        model.text_model.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr, weight_decay=cfg.weight_decay)
    model, opt = run.prepare(model, opt)
    data = make_shapes(cfg.data_size, cfg.seed)
    keep = ~unseen_mask(data.labels)
    labels = np.stack([data.labels[name][keep] for name in LABEL_NAMES], 1)  # (n, 4)
    return Setup(model, opt, to_tensor(data.images[keep]), labels, new_processor().tokenizer)


def features(model: torch.nn.Module, pixels: torch.Tensor, ids: torch.Tensor, mask: torch.Tensor) -> tuple:
    """(image features, text features, the learnt logit scale) of one batch: the loss's inputs."""
    image = model.get_image_features(pixel_values=pixels).pooler_output
    text = model.get_text_features(input_ids=ids, attention_mask=mask).pooler_output
    return image, text, model.logit_scale


def train_step(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict[str, float]:
    """A batch of images (some re-composed) and texts (captions or phrasings naming some of their
    labels; some in grey naming no colour), and one step of the symmetric InfoNCE. The batch is
    drawn from generators seeded by the step."""
    step, device, model = run.step, run.device, run.unwrap(s.model)
    gen = torch.Generator().manual_seed(cfg.seed + step)
    pick = torch.randint(len(s.images), (cfg.batch_size,), generator=gen)
    lab = s.labels[pick.numpy()]
    rng = np.random.default_rng(cfg.seed + step)
    texts, named = batch_phrasings(lab, rng)
    grey = rng.random(len(lab)) < cfg.grey
    if grey.any():
        texts, named, lab = colourless(texts, named, lab, grey, rng)
    enc = s.tokenizer(texts, padding="max_length", max_length=CONTEXT, truncation=True, return_tensors="pt")
    x = augment(s.images[pick], torch.from_numpy(np.maximum(lab[:, 1], 0)), gen, p=cfg.augment,
                achromatic=torch.from_numpy(grey) if cfg.grey else None)
    # warm-up, cosine; a float: run states load weights only
    lr = float(cfg.lr * min(1.0, (step + 1) / 300) * 0.5 * (1 + np.cos(np.pi * step / cfg.steps)))
    for group in s.opt.param_groups:
        group["lr"] = lr
    model.train()
    image, text, scale = run.call(s.model, features, x.to(device), enc["input_ids"].to(device), enc["attention_mask"].to(device))
    loss = contrastive_loss(image, text, fits(lab, named).to(device), scale)
    run.optimise(s.opt, loss)
    with torch.no_grad():
        model.logit_scale.clamp_(0, MAX_LOGIT_SCALE)
    return {"loss": loss.item(), "temperature": 1 / model.logit_scale.exp().item()}


def progress(run: TrainingRun, s: Setup) -> dict:
    """What the history keeps every eval_every steps: the last loss and the zero-shot figures."""
    result = evaluate(run.unwrap(s.model))
    return {"loss": run.logs["loss"], **{f"{split}_{k}": v for split, figures in result.items() for k, v in figures.items()}}


def fit(cfg: TrainConfig, stop_at: int | None = None) -> tuple[TrainingRun, Setup]:
    """Build, resume if there is a saved state, and train to cfg.steps or the time limit (or stop_at)."""
    return fit_run(cfg, "clip", build, train_step, progress, eval_every=cfg.eval_every, log_every=1, stop_at=stop_at)


def main(argv: list[str] | None = None) -> None:
    cfg = parse_config(TrainConfig, __doc__, argv)
    if cfg.measure_only:
        rewrite_card(Path(cfg.out))
        return
    run, s = fit(cfg)
    model = run.unwrap(s.model).eval()
    result, search = evaluate(model), search_precision(model)
    print(f"seen {result['seen']}\nunseen {result['unseen']}\nsearch top-5 {search}")
    model = model.cpu()
    out, seconds, history = run.out, run.elapsed, run.history
    model.save_pretrained(out)
    new_processor().save_pretrained(out)
    write_model_card(out, cfg, result, search, seconds, history, run.hardware, sum(p.numel() for p in model.parameters()))
    (out / "training.json").write_text(json.dumps({"config": asdict(cfg), "command": command_line(cfg, "demos.clip.train"),
                                                    "seconds": seconds, "hardware": run.hardware,
                                                    "history": history}, indent=1))
    store_gallery(out)
    print(f"saved {out} after {run.step} steps, {seconds / 60:.1f} minutes")


if __name__ == "__main__":
    main()
