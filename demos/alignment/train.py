"""Teach the bundled GPT to chat: supervised fine-tuning (TRL's SFTTrainer), then preference tuning
(TRL's DPOTrainer), each stored as a LoRA adapter in checkpoints/ with its model card.

    python -m demos.alignment.train --stage sft      # gpt-kjv -> checkpoints/gpt-kjv-sft
    python -m demos.alignment.train --stage dpo      # gpt-kjv-sft -> checkpoints/gpt-kjv-dpo
    python -m demos.alignment.train --stage sft --steps 20 --out /tmp/sft --state-dir /tmp/sft-state

Both resume from their state folder (rerun the same command). The TRL trainers are the field's own
loops (built on transformers' Trainer, which runs on Accelerate), so these two stages do not go
through shared/training.py's loop; they take its RunConfig options and card conventions.

SFT: the loss is the cross-entropy of the answer's tokens only (TRL's prompt-completion form),
L = -mean_{t in answer} log p(y_t | prompt, y_<t).
DPO: for a prompt x, a chosen answer y_w and a rejected one y_l, with the frozen SFT model as the
reference, L = -log sigmoid(beta * [(log pi(y_w|x) - log ref(y_w|x)) - (log pi(y_l|x) - log ref(y_l|x))]).
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from demos.alignment import chat_data, measure, rules
from demos.alignment.model import BASE, DPO, END_OF_TEXT_ID, SFT, lora_config, with_chat_template
from shared.checkpoints import ADAPTER_CONFIG, CHECKPOINTS_DIR, REPO_ROOT, load
from shared.training import RunConfig, command_line, parse_config

CURVES = "training_curves.json"  # TRL's log history, kept beside the adapter


@dataclass
class TrainConfig(RunConfig):
    stage: str = "sft"  # "sft" or "dpo"
    steps: int = 0  # 0: the stage's default
    batch_size: int = 32
    lr: float = 0.0  # 0: the stage's default
    rank: int = 32
    alpha: float = 64.0
    beta: float = 0.2  # DPO's KL weight
    sft_samples: int = 4  # DPO: the SFT model's own answers per prompt, ranked by the rules
    rule_pairs: int = 300  # DPO: rule-built repetition pairs beside the pairs from the model's own samples
    sft_weight: float = 1.0  # DPO: weight of the chosen answers' NLL added to the DPO loss
    other_topic_rejected: int = 1  # DPO: 0 drops sampled pairs whose rejected answer is another topic's right answer
    # prompts per concept topic that are its name among random words (chat_data.scrambled_question):
    # SFT trains on them beside the training phrasings; DPO samples the SFT model on them for pairs
    scrambled: int = 0
    pair_failures: int = 0  # DPO: 1 pairs the taught answer against the worst sample whenever no sample meets every rule
    warmup: int = 20
    end_row: int = 1  # 1: the end-of-text token's embedding row trains beside the LoRA matrices (model.END_OF_TEXT_ID)
    measure_only: int = 0  # 1: re-measure the bundled stage and rewrite its card, no training


STAGE_DEFAULTS = {"sft": {"steps": 800, "lr": 2e-3}, "dpo": {"steps": 100, "lr": 1e-4}}


def stage_settings(cfg: TrainConfig) -> TrainConfig:
    """The config with the stage's defaults filled in, and its out and state folders."""
    if cfg.stage not in STAGE_DEFAULTS:
        raise SystemExit(f"--stage must be one of {', '.join(STAGE_DEFAULTS)}")
    defaults = STAGE_DEFAULTS[cfg.stage]
    name = SFT if cfg.stage == "sft" else DPO
    cfg.steps = cfg.steps or defaults["steps"]
    cfg.lr = cfg.lr or defaults["lr"]
    cfg.out = cfg.out or str(CHECKPOINTS_DIR / name)
    cfg.state_dir = cfg.state_dir or str(REPO_ROOT / "runs" / name)
    return cfg


def load_stage(name: str):  # noqa: ANN201 (-> (model, tokenizer))
    """A stage's model (adapters merged) and tokenizer with the chat template, on the CPU, trainable."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = load(AutoModelForCausalLM, name, device="cpu", dtype=torch.float32).model
    model = copy.deepcopy(model).train()  # the process's cached copy stays as loaded
    tokenizer = with_chat_template(load(AutoTokenizer, name, device="cpu").model)
    return model, tokenizer


def time_limit(minutes: float):  # noqa: ANN201 (-> transformers.TrainerCallback)
    """A callback that stops the TRL trainer (which then saves) after `minutes` (0: never)."""
    from transformers import TrainerCallback

    start = time.monotonic()

    class TimeLimit(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):  # noqa: ANN001, ANN003, ANN202
            if minutes and time.monotonic() - start > 60 * minutes:
                control.should_training_stop = control.should_save = True
            return control

    return TimeLimit()


def trainer_args(cfg: TrainConfig, config_class):  # noqa: ANN001, ANN201
    return config_class(
        output_dir=cfg.state_dir, max_steps=cfg.steps, per_device_train_batch_size=cfg.batch_size,
        learning_rate=cfg.lr, lr_scheduler_type="cosine", warmup_steps=cfg.warmup, logging_steps=10,
        save_steps=50, save_total_limit=1, report_to="none", bf16=False, fp16=False, seed=cfg.seed,
        data_seed=cfg.seed, use_cpu=cfg.device == "cpu", dataloader_num_workers=0, max_length=256,
        disable_tqdm=False, gradient_checkpointing=False,
    )


def adapter_config(cfg: TrainConfig):  # noqa: ANN201 (-> peft.LoraConfig)
    return lora_config(cfg.rank, cfg.alpha, trainable_tokens=(END_OF_TEXT_ID,) if cfg.end_row else ())


@contextlib.contextmanager
def fused_head_with_trained_rows(trainer):  # noqa: ANN001, ANN201
    """While training, TRL's fused LM head (trl.trainer.utils.add_fused_lm_head) reads the model's
    output embedding's `.weight` and `.bias` directly; PEFT's trainable-token wrapper on the tied head
    has no bias, and its base weight lacks the trained rows. Show the head the weight its forward uses
    (the base rows with the trained ones copied in, so the gradient reaches them) and no bias."""
    from peft.utils.other import TrainableTokensWrapper

    base = trainer.model.get_base_model()
    wrapper = base.get_output_embeddings()
    if not isinstance(wrapper, TrainableTokensWrapper):
        yield
        return

    class TrainedHead:
        bias = None

        @property
        def weight(self):  # noqa: ANN202 (-> torch.Tensor, (vocab, n_embd))
            layer = wrapper.token_adapter
            if layer.disable_adapters or not layer.active_adapters:  # DPO's reference pass: the adapter off
                return layer.base_layer.weight
            return layer.get_merged_weights(layer.active_adapters)

    base.get_output_embeddings = TrainedHead  # an instance attribute: called, it gives the head
    try:
        yield
    finally:
        del base.get_output_embeddings


def _resume_point(state_dir: str) -> bool:
    return any(Path(state_dir).glob("checkpoint-*"))


def stop_after(steps: int):  # noqa: ANN201 (-> transformers.TrainerCallback)
    """A callback that stops the TRL trainer, saving, after `steps` steps (as a time limit would): the
    resume test's interruption."""
    from transformers import TrainerCallback

    class StopAfter(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):  # noqa: ANN001, ANN003, ANN202
            if state.global_step >= steps:
                control.should_training_stop = control.should_save = True
            return control

    return StopAfter()


def train_sft(cfg: TrainConfig, callbacks: list | None = None) -> tuple[object, object, list[dict]]:
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    model, tokenizer = load_stage(BASE)
    rows = chat_data.sft_rows(cfg.seed, cfg.scrambled)
    trainer = SFTTrainer(model=model, args=trainer_args(cfg, SFTConfig), train_dataset=Dataset.from_list(rows),
                         processing_class=tokenizer, peft_config=adapter_config(cfg),
                         callbacks=[time_limit(cfg.time_limit_min), *(callbacks or [])])
    with fused_head_with_trained_rows(trainer):
        trainer.train(resume_from_checkpoint=_resume_point(cfg.state_dir) or None)
    return trainer.model, tokenizer, trainer.state.log_history


def scripture_lines(n: int, seed: int) -> list[str]:
    """Verses of the corpus: what a base model's answer reads like."""
    from shared.corpus import load_corpus

    lines = [line.strip() for line in load_corpus().splitlines() if 60 < len(line.strip()) < 200]
    return random.Random(seed).sample(lines, n)


def answers_another_topic(answer: str, topic: str) -> bool:
    """The answer is a right answer to some other topic's question (pushing it down for this prompt
    would push it down for its own)."""
    from demos.alignment.topics import TOPICS

    return any(t.key != topic and t.kind == "concept" and rules.on_topic(answer, t.key) for t in TOPICS)


def sampled_pairs(cfg: TrainConfig, model, tokenizer) -> list[dict]:  # noqa: ANN001
    """Preference pairs from the SFT model's own answers to fresh prompts (chat_data.dpo_prompts):
    `sft_samples` answers each at temperature 1, ranked by the rules; where the scores differ (or, with
    pair_failures, where none meets every rule), the worst is rejected, and the chosen is the best
    when it meets every rule, else the taught answer."""
    if cfg.sft_samples <= 0:
        return []
    examples = chat_data.dpo_prompts(cfg.seed, scrambled=cfg.scrambled)
    conversations = [e.messages()[:-1] for e in examples]
    samples = [measure.answer_all(model.eval(), tokenizer, conversations, seed=cfg.seed * 10 + k, temperature=1.0)
               for k in range(cfg.sft_samples)]
    model.train()
    rows = []
    for i, e in enumerate(examples):
        ranked = sorted((rules.judge(s[i].text, e.topic, s[i].ended).score, s[i].text) for s in samples)
        (worst_score, worst), (best_score, best) = ranked[0], ranked[-1]
        failed = cfg.pair_failures and best_score < 7  # every sample is wrong somewhere: the taught answer wins
        if (best_score > worst_score or failed) and (cfg.other_topic_rejected or not answers_another_topic(worst, e.topic)):
            win = best if best_score == 7 else e.answers[-1]
            rows.append({"prompt": conversations[i], "chosen": [{"role": "assistant", "content": win}],
                         "rejected": [{"role": "assistant", "content": worst}], "flaw": "sampled", "topic": e.topic})
    return rows


def train_dpo(cfg: TrainConfig, callbacks: list | None = None) -> tuple[object, object, list[dict], dict]:
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer

    model, tokenizer = load_stage(SFT)
    # Of the rule-built pairs, only repetition: SFT already separates scripture by hundreds of nats
    # (nothing to learn), and a wrong-topic or rambling answer is another question's right answer,
    # so pushing it down for this prompt pushes it down for its own (the first DPO run lost 7 points
    # of right concepts that way)
    rule_rows = chat_data.rule_pairs(scripture_lines(400, cfg.seed), cfg.seed, per_example=len(chat_data.FLAWS))
    pairs = random.Random(cfg.seed).sample([r for r in rule_rows if r["flaw"] == "repetition"], cfg.rule_pairs)
    own = sampled_pairs(cfg, model, tokenizer)
    rows = [{k: r[k] for k in ("prompt", "chosen", "rejected")} for r in pairs + own]
    random.Random(cfg.seed).shuffle(rows)
    args = trainer_args(cfg, DPOConfig)
    args.beta = cfg.beta
    # DPO alone lowers the chosen answers' likelihood too (both fall, the rejected faster) and the
    # model degrades; the added SFT term, the NLL of the chosen answer, holds it up (RPO)
    args.loss_type, args.loss_weights = ["sigmoid", "sft"], [1.0, cfg.sft_weight]
    trainer = DPOTrainer(model=model, args=args, train_dataset=Dataset.from_list(rows), processing_class=tokenizer,
                         peft_config=adapter_config(cfg),
                         callbacks=[time_limit(cfg.time_limit_min), *(callbacks or [])])
    with fused_head_with_trained_rows(trainer):
        trainer.train(resume_from_checkpoint=_resume_point(cfg.state_dir) or None)
    sizes = {"rule pairs": len(pairs), "pairs from the SFT model's own samples": len(own)}
    return trainer.model, tokenizer, trainer.state.log_history, sizes


def save_stage(model, tokenizer, out: Path, base: str, history: list[dict]) -> None:  # noqa: ANN001
    """The adapter (naming its base by its bundled name), the tokenizer with its chat template, and
    TRL's training curves."""
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    config = json.loads((out / ADAPTER_CONFIG).read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = base  # a bundled name: shared.checkpoints.load follows it
    (out / ADAPTER_CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    tokenizer.save_pretrained(out)
    (out / CURVES).write_text(json.dumps(history, indent=1) + "\n", encoding="utf-8")


EXAMPLE_QUESTIONS = ("What is a GAN?", "Could you describe diffusion models in simple terms?", "Who are you?",
                     "What is the weather today?")


def figures_table(figures: list[measure.StageFigures]) -> str:
    """Markdown: each stage's held-out figures over the seeds, as mean (lowest to highest)."""
    rows = ["| stage | right concept | ends its turn | every rule met | mean words |", "|---|---|---|---|---|"]
    for f in figures:
        cells = []
        for field in ("on_topic", "ended", "good"):
            mean, lo, hi = f.spread(field)
            cells.append(f"{mean:.1%} ({lo:.1%} to {hi:.1%})")
        rows.append(f"| {f.name} | " + " | ".join(cells) + f" | {f.spread('mean_words')[0]:.1f} |")
    return "\n".join(rows)


def per_seed_table(figures: list[measure.StageFigures], seeds: tuple[int, ...]) -> str:
    """Markdown: right concept and every rule met, seed by seed (the tests re-measure a row)."""
    rows = ["| seed | " + " | ".join(f"{f.name}: right concept | {f.name}: every rule" for f in figures) + " |",
            "|---" * (1 + 2 * len(figures)) + "|"]
    for i, seed in enumerate(seeds):
        rows.append(f"| {seed} | " + " | ".join(f"{f.per_seed[i].on_topic:.1%} | {f.per_seed[i].good:.1%}" for f in figures)
                    + " |")
    return "\n".join(rows)


def curve_table(history: list[dict], keys: tuple[str, ...], rows: int = 6) -> str:
    """Markdown: TRL's logged values of `keys` at a few evenly spaced logging steps."""
    logged = [h for h in history if all(k in h for k in keys)]
    if not logged:
        return "(no curve logged)"
    picks = sorted({round(i * (len(logged) - 1) / max(rows - 1, 1)) for i in range(rows)})
    lines = ["| step | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    lines += [f"| {logged[i]['step']} | " + " | ".join(f"{float(logged[i][k]):.3f}" for k in keys) + " |" for i in picks]
    return "\n".join(lines)


def example_answers(model, tokenizer) -> str:  # noqa: ANN001
    conversations = [[{"role": "user", "content": q}] for q in EXAMPLE_QUESTIONS]
    answers = measure.answer_all(model.eval(), tokenizer, conversations, seed=0)
    return "\n".join(f"- **{q}** → {a.text}" + ("" if a.ended else " (did not end its turn)")
                     for q, a in zip(EXAMPLE_QUESTIONS, answers))


def measured_section(stage: str, seeds: tuple[int, ...] = measure.SEEDS) -> str:
    """The card's measured part, re-measured now: the stage and the one below it on the same held-out
    questions, five seeds each, and for DPO the rules' head-to-head preference against SFT."""
    below = {SFT: BASE, DPO: SFT}[stage]
    examples = measure.held_out_questions()
    figures = []
    for name in (below, stage):
        model, tokenizer = load_stage(name)
        if name == BASE:
            tokenizer = load_stage(SFT)[1]  # the base has no chat template of its own: read it the same way
        figures.append(measure.measure_stage(model.eval(), tokenizer, name, examples, seeds))
    text = (f"Held-out phrasings ({len(examples)} questions over {len({e.topic for e in examples})} topics, "
            f"never trained on), sampled at temperature {measure.TEMPERATURE}, top-k {measure.TOP_K}, "
            f"seeds {', '.join(map(str, seeds))}: the mean, then the lowest and highest seed.\n\n"
            + figures_table(figures) + "\n\nSeed by seed:\n\n" + per_seed_table(figures, seeds))
    if stage == DPO:
        wins = [measure.preferred(d, s) for d, s in zip(figures[1].per_seed, figures[0].per_seed)]
        win, loss = (sum(w[0] for w in wins) / len(wins)), (sum(w[1] for w in wins) / len(wins))
        text += (f"\n\nHead to head on the same questions and seeds, the rules prefer the DPO answer in {win:.1%} "
                 f"of cases and the SFT answer in {loss:.1%} (+{100 * (win - loss):.1f} points).")
    return text


def write_card(cfg: TrainConfig, out: Path, history: list[dict], sizes: dict, minutes: float, threads: int = 2,
               note: str = "") -> None:
    stage = SFT if cfg.stage == "sft" else DPO
    model, tokenizer = load_stage(stage) if out == CHECKPOINTS_DIR / stage else (None, None)
    where = (f"{cfg.device if cfg.device != 'auto' else 'the CPU'} "
             f"({threads} thread{'' if threads == 1 else 's'}{'; ' + note if note else ''})")
    what = ("a LoRA adapter over gpt-kjv that teaches it to answer questions: supervised fine-tuning with TRL's "
            "SFTTrainer, the loss on the answers only" if stage == SFT else
            "a LoRA adapter over gpt-kjv-sft tuned on preference pairs with TRL's DPOTrainer (beta "
            f"{cfg.beta}); the reference model is the SFT model (the adapter switched off)")
    curves = (curve_table(history, ("loss", "mean_token_accuracy")) if stage == SFT else
              curve_table(history, ("loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies")))
    card = f"""---
library_name: peft
base_model: {BASE if stage == SFT else SFT}
license: mit
tags: [gpt2, lora, trl, {cfg.stage}, chat]
---
# {stage}

{what[0].upper() + what[1:]}. Loads by name through `shared.checkpoints.load`, which merges the adapter
chain into the base weights (`base_model_name_or_path` names the bundled stage below).

## Training
- Command: `{command_line(cfg, "demos.alignment.train")}`
- Data ({", ".join(f"{k}: {v:,}" for k, v in sizes.items())}): written by `demos/alignment/chat_data.py` from
  `demos/alignment/topics.py`; the held-out phrasings are never trained on
- LoRA rank {cfg.rank}, alpha {cfg.alpha:g}, on every linear layer (c_attn, c_proj, c_fc); {cfg.steps} steps of
  {cfg.batch_size}, learning rate {cfg.lr:g}, cosine decay after {cfg.warmup} warm-up steps
- Time: {minutes:.1f} minutes on {where}
- TRL's log: `{CURVES}`

{curves}

## Measured quality
{measured_section(stage) if model is not None else "(measured when written to checkpoints/)"}

Rules (`demos/alignment/rules.py`): right concept = the answer carries every key term of the asked topic;
ends its turn = the end-of-text token within {measure.MAX_NEW} tokens; every rule = also no repeated
5-word run, no scripture words, at most {rules.TOO_LONG}x the taught answer's length.
Re-measure: `python -m demos.alignment.train --stage {cfg.stage} --measure-only 1`.

## Examples (seed 0)
{example_answers(model, tokenizer) if model is not None else ""}
"""
    (out / "README.md").write_text(card, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    cfg = stage_settings(parse_config(TrainConfig, __doc__, argv))
    out = Path(cfg.out)
    if cfg.measure_only:
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        cfg = TrainConfig(**{**run["config"], "out": cfg.out, "state_dir": cfg.state_dir})
        history = json.loads((out / CURVES).read_text(encoding="utf-8"))
        write_card(cfg, out, history, run["data"], run["minutes"], run.get("threads", 2),
                   run.get("note", ""))
        print((out / "README.md").read_text(encoding="utf-8"))
        return
    start = time.monotonic()
    if cfg.stage == "sft":
        model, tokenizer, history = train_sft(cfg)
        sizes = {"training conversations": len(chat_data.sft_rows(cfg.seed, cfg.scrambled))}
        base = BASE
    else:
        model, tokenizer, history, sizes = train_dpo(cfg)
        base = SFT
    save_stage(model, tokenizer, out, base, history)
    minutes = (time.monotonic() - start) / 60
    config = {k: v for k, v in asdict(cfg).items() if k not in ("out", "state_dir")}  # no local paths
    import torch

    threads = torch.get_num_threads()
    (out / "run.json").write_text(json.dumps({"config": config, "minutes": round(minutes, 1), "threads": threads, "data": sizes},
                                             indent=1) + "\n")
    write_card(cfg, out, history, sizes, minutes, threads)
    print(f"saved {out} after {minutes:.1f} min")


if __name__ == "__main__":
    main()
