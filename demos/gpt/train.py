"""Pre-train the bundled GPT on the shipped corpus and write checkpoints/gpt-kjv with its model card.

    python -m demos.gpt.train                  # resumable: rerun to continue from runs/gpt-kjv
    python -m demos.gpt.train --steps 50 --out /tmp/gpt --state-dir /tmp/gpt-state   # a quick look

Pre-training is next-token prediction and nothing else: random windows of CONTEXT + 1 tokens from
the training chapters, and the loss L = -mean_i log p(x_{i+1} | x_1..x_i), the cross-entropy of each
next token (transformers computes it when given labels = the inputs). The card reports it on the
held-out chapters in bits per byte, bpb = L_total / (ln 2 * bytes of the text), which, unlike a loss
per token, compares across tokenizers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from demos.gpt.model import BUNDLED_NAME, CONTEXT, bundled_config, train_tokenizer
from shared.checkpoints import CHECKPOINTS_DIR, REPO_ROOT
from shared.corpus import split_corpus
from shared.training import RunConfig, TrainingRun, command_line, fit_run, parse_config, run_progress

SAMPLE_PROMPTS = ("In the beginning", "And the LORD said unto Moses,", "Blessed are the", "User: What is wisdom?\nBot:")


@dataclass
class TrainConfig(RunConfig):
    steps: int = 3000
    batch_size: int = 32
    lr: float = 2e-3
    warmup: int = 100
    decay_from: float = 0.0  # cosine fall from the end of warm-up to lr/10 at the end
    n_layer: int = 4
    n_embd: int = 192
    eval_every: int = 250
    out: str = str(CHECKPOINTS_DIR / BUNDLED_NAME)
    state_dir: str = str(REPO_ROOT / "runs" / BUNDLED_NAME)


def encode(tokenizer, text: str) -> torch.Tensor:  # noqa: ANN001
    """The text as one long 1-D tensor of token ids."""
    return torch.tensor(tokenizer(text, verbose=False)["input_ids"], dtype=torch.long)


@torch.no_grad()
def bits_per_byte(model, ids: torch.Tensor, n_bytes: int, batch: int = 16) -> float:  # noqa: ANN001
    """Cross-entropy of every token of `ids` (windows of CONTEXT, each token predicted once) in bits
    per byte of the text it encodes."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    total, starts = 0.0, list(range(0, len(ids) - 1, CONTEXT))
    for i in range(0, len(starts), batch):
        chunk = [ids[s : s + CONTEXT + 1] for s in starts[i : i + batch]]
        width = min(len(c) for c in chunk)  # the last window may be short; it is scored alone
        if width < CONTEXT + 1 and len(chunk) > 1:
            chunk, rest = chunk[:-1], chunk[-1:]
        else:
            rest = []
        for group in (chunk, rest):
            if not group:
                continue
            x = torch.stack([c[:-1] for c in group]).to(device)
            y = torch.stack([c[1:] for c in group]).to(device)
            logits = model(input_ids=x).logits
            total += torch.nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="sum").item()
    model.train(was_training)
    return total / (math.log(2) * n_bytes)


def learning_rate(cfg: TrainConfig, step: int, seconds: float) -> float:
    """Linear warm-up, then a cosine fall to lr/10 at the end of the run (its steps or its time limit)."""
    progress = run_progress(step, cfg.steps, seconds, cfg.time_limit_min)
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    return cfg.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


@torch.no_grad()
def samples(model, tokenizer, max_new_tokens: int = 60) -> list[tuple[str, str]]:  # noqa: ANN001
    """(prompt, continuation) for the card: sampled at temperature 0.8, top-k 40, seed 0."""
    torch.manual_seed(0)
    model.eval()
    out = []
    for prompt in SAMPLE_PROMPTS:
        ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
        gen = model.generate(ids, max_new_tokens=max_new_tokens, do_sample=True, temperature=0.8, top_k=40,
                             pad_token_id=tokenizer.eos_token_id)
        out.append((prompt, tokenizer.decode(gen[0, ids.shape[1]:])))
    return out


def write_model_card(out: Path, cfg: TrainConfig, n_params: int, val_bpb: float, train_bpb: float, seconds: float,
                     hardware: str, history: list[dict], examples: list[tuple[str, str]], tokens: int) -> None:
    progress = "\n".join(f"| {h['step']} | {h['val_bpb']:.3f} |" for h in history)
    shown = "\n\n".join(f"**{p!r}** →\n```\n{p}{c}\n```" for p, c in examples)
    card = f"""---
library_name: transformers
license: mit
tags: [gpt2, text-generation, causal-lm, kjv]
---
# {BUNDLED_NAME}

A GPT-2-architecture language model (transformers `GPT2LMHeadModel`, {n_params:,} parameters:
{cfg.n_layer} layers, {cfg.n_embd} wide, {CONTEXT} positions) with its own byte-level BPE tokenizer
(a vocabulary of {bundled_config().vocab_size:,} tokens, trained with `tokenizers` on the same
text), pre-trained from scratch on the King James Bible
(`data/corpus/`, public domain). It is a text-continuation model: it has never seen a conversation,
so in the chat tab it continues whatever it is given in the style of its corpus.

## Training
- Command: `{command_line(cfg, "demos.gpt.train")}`
- Data: the corpus's training chapters, {tokens:,} tokens; every 20th chapter is held out
- Steps: {cfg.steps:,} of {cfg.batch_size} windows of {CONTEXT} tokens; AdamW, lr {cfg.lr:g} after {cfg.warmup} warm-up steps, \
cosine fall to a tenth
- Time: {seconds / 60:.1f} minutes on {hardware}

## Measured quality
Cross-entropy in bits per byte of text (lower is better; 8 would be no model at all, a good
general-purpose compressor such as xz gets about 1.75 on this corpus):

| text | bits per byte |
|---|---|
| held-out chapters (validation) | **{val_bpb:.3f}** |
| training chapters | {train_bpb:.3f} |

### During training
| step | validation bits per byte |
|---|---|
{progress}

## Samples (temperature 0.8, top-k 40, seed 0)
{shown}

## Use
```python
from transformers import AutoModelForCausalLM, AutoTokenizer
tokenizer = AutoTokenizer.from_pretrained("checkpoints/{BUNDLED_NAME}")
model = AutoModelForCausalLM.from_pretrained("checkpoints/{BUNDLED_NAME}")
```
"""
    (out / "README.md").write_text(card)


@dataclass
class Setup:
    model: torch.nn.Module  # GPT2LMHeadModel, prepared by the run
    opt: torch.optim.Optimizer
    tokenizer: Any
    train_text: str
    val_text: str
    train_ids: torch.Tensor  # (N,) token ids of the training chapters, on the run's device
    val_ids: torch.Tensor  # (M,) of the held-out chapters


def build(cfg: TrainConfig, run: TrainingRun) -> Setup:
    from transformers import GPT2LMHeadModel

    train_text, val_text = split_corpus()
    tokenizer = train_tokenizer(train_text)  # deterministic: the same text gives the same merges
    train_ids, val_ids = encode(tokenizer, train_text), encode(tokenizer, val_text)
    model = GPT2LMHeadModel(bundled_config(len(tokenizer), cfg.n_layer, n_embd=cfg.n_embd)).train()
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=cfg.lr, betas=(0.9, 0.95))
    model, opt = run.prepare(model, opt)
    return Setup(model, opt, tokenizer, train_text, val_text, train_ids.to(run.device), val_ids)


def train_step(cfg: TrainConfig, run: TrainingRun, s: Setup) -> dict[str, float]:
    """Random windows of CONTEXT tokens; next-token cross-entropy (transformers shifts the labels)."""
    starts = torch.randint(len(s.train_ids) - CONTEXT - 1, (cfg.batch_size,), generator=run.gen, device=run.device)
    x = torch.stack([s.train_ids[i : i + CONTEXT] for i in starts.tolist()])  # (B, T)
    loss = s.model(input_ids=x, labels=x).loss  # predicts x[:, 1:] from x[:, :-1]
    for group in s.opt.param_groups:
        group["lr"] = learning_rate(cfg, run.step, run.elapsed)
    run.optimise(s.opt, loss, clip=s.model.parameters())
    return {"loss": loss.item()}


def progress(run: TrainingRun, s: Setup) -> dict:
    """What the history keeps every eval_every steps: bits per byte on the held-out chapters."""
    return {"val_bpb": bits_per_byte(run.unwrap(s.model), s.val_ids, len(s.val_text.encode("utf-8")))}


def fit(cfg: TrainConfig, stop_at: int | None = None) -> tuple[TrainingRun, Setup]:
    """Build, resume if there is a saved state, and train to cfg.steps or the time limit (or stop_at)."""
    return fit_run(cfg, "GPT", build, train_step, progress, eval_every=cfg.eval_every, log_every=10, stop_at=stop_at)


def train(cfg: TrainConfig) -> None:
    run, s = fit(cfg)
    model, tokenizer, out = run.unwrap(s.model), s.tokenizer, run.out
    val_bpb = bits_per_byte(model, s.val_ids, len(s.val_text.encode("utf-8")))
    train_slice = s.train_text[: len(s.val_text)]  # the same amount of training text, for comparison
    train_bpb = bits_per_byte(model, encode(tokenizer, train_slice), len(train_slice.encode("utf-8")))
    print(f"validation {val_bpb:.3f} bits per byte, training {train_bpb:.3f}")
    examples = samples(model, tokenizer)
    for prompt, continuation in examples:
        print(f"{prompt!r} -> {continuation!r}")
    out.mkdir(parents=True, exist_ok=True)
    model.to("cpu").save_pretrained(out)
    tokenizer.save_pretrained(out)
    write_model_card(out, cfg, sum(p.numel() for p in model.parameters()), val_bpb, train_bpb, run.elapsed,
                     run.hardware, run.history, examples, len(s.train_ids))
    print(f"saved {out}")


def main() -> None:
    train(parse_config(TrainConfig, __doc__))


if __name__ == "__main__":
    main()
