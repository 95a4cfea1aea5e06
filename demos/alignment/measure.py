"""The assistant's figures: answer many questions at once with a stage's model, and read the answers
with the rules (demos/alignment/rules.py). The model cards, the benchmark and the tests use these.

Questions are answered in batches of equal prompt length (no padding, so GPT-2's absolute positions
stay right), by transformers' `generate` with a seeded sampler, so a figure is repeatable.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from demos.alignment import chat_data, rules
from demos.alignment.chat_data import Example

MAX_NEW = 96  # tokens: the longest taught answer is about 75
TEMPERATURE, TOP_K = 0.7, 40  # the assistant's default sampling (the GPT tab's settings for it)
SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class Answer:
    text: str
    ended: bool  # the model wrote its end-of-turn token within MAX_NEW tokens
    tokens: int


def answer_all(model, tokenizer, conversations: Sequence[list[dict]], seed: int, temperature: float = TEMPERATURE,  # noqa: ANN001
               top_k: int = TOP_K, max_new: int = MAX_NEW, batch: int = 64) -> list[Answer]:
    """One answer to each conversation (chat messages ending with the user's turn); temperature 0
    is greedy. Deterministic for a seed: each batch draws from its own generator seeded from it."""
    import torch

    prompts = [tokenizer.apply_chat_template(c, add_generation_prompt=True)["input_ids"] for c in conversations]
    by_length: dict[int, list[int]] = defaultdict(list)
    for i, ids in enumerate(prompts):
        by_length[len(ids)].append(i)
    eos = tokenizer.eos_token_id
    out: list[Answer | None] = [None] * len(prompts)
    for length in sorted(by_length):
        index = by_length[length]
        for start in range(0, len(index), batch):
            chunk = index[start:start + batch]
            torch.manual_seed(seed * 100_003 + length * 1_009 + start)
            ids = torch.tensor([prompts[i] for i in chunk])
            with torch.no_grad():
                made = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_new,
                                      do_sample=temperature > 0, temperature=temperature or None,
                                      top_k=top_k if temperature > 0 else None, top_p=None,
                                      eos_token_id=eos, pad_token_id=eos)
            for row, i in zip(made[:, length:].tolist(), chunk):
                ended = eos in row
                row = row[:row.index(eos)] if ended else row
                out[i] = Answer(tokenizer.decode(row).strip(), ended, len(row))
    return [a for a in out if a is not None]


@dataclass(frozen=True)
class Scores:
    """What the rules read over a set of answers (shares in 0..1)."""

    on_topic: float
    ended: float
    good: float  # every rule satisfied
    mean_words: float
    verdicts: tuple[rules.Verdict, ...]


def score(examples: Sequence[Example], answers: Sequence[Answer]) -> Scores:
    verdicts = tuple(rules.judge(a.text, e.topic, a.ended) for e, a in zip(examples, answers))
    n = max(len(verdicts), 1)
    return Scores(sum(v.on_topic for v in verdicts) / n, sum(v.ends_turn for v in verdicts) / n,
                  sum(v.good for v in verdicts) / n, statistics.fmean(len(rules.words(a.text)) for a in answers),
                  verdicts)


def preferred(first: Scores, second: Scores) -> tuple[float, float]:
    """Head to head on the same questions: (share where the rules prefer the first answer, share
    where they prefer the second); ties count for neither."""
    n = max(len(first.verdicts), 1)
    wins = sum(a.score > b.score for a, b in zip(first.verdicts, second.verdicts))
    losses = sum(a.score < b.score for a, b in zip(first.verdicts, second.verdicts))
    return wins / n, losses / n


HELD_OUT_N = 240  # held-out concept questions per measurement (a fixed, seeded choice)


def held_out_questions(n: int = HELD_OUT_N, seed: int = 0) -> list[Example]:
    """A fixed choice of n held-out concept and shapes-world questions, every topic represented."""
    import random

    examples = chat_data.concept_examples("held_out")
    return random.Random(seed).sample(examples, min(n, len(examples)))


@dataclass(frozen=True)
class StageFigures:
    """One stage over several seeds: each seed's scores on the same held-out questions."""

    name: str
    per_seed: tuple[Scores, ...]

    def spread(self, field: str) -> tuple[float, float, float]:
        """(mean, lowest, highest) of a Scores field over the seeds."""
        values = [getattr(s, field) for s in self.per_seed]
        return statistics.fmean(values), min(values), max(values)


def measure_stage(model, tokenizer, name: str, examples: Sequence[Example], seeds: Sequence[int] = SEEDS) -> StageFigures:  # noqa: ANN001
    conversations = [e.messages()[:-1] for e in examples]
    return StageFigures(name, tuple(score(examples, answer_all(model, tokenizer, conversations, seed)) for seed in seeds))
