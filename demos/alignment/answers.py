"""Answers from the three stages (and from a model tuned in the tab), and how likely each stage finds
the others' answers. Pure logic over transformers models; the tab and the page call these.

A stage loads by name through shared.checkpoints.load (the adapters merged into the base), cached per
process and never changed: tuning in the tab works on a copy (demos/alignment/live.py).

Sampling draws from a torch.Generator seeded per call (never the global generator), so the same
question, seed and model give the same answer under any number of visitors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from demos.alignment import options
from demos.alignment.model import BASE, SFT, STAGES, with_chat_template
from shared import limits

TOP_K = 40


def stage(name: str):  # noqa: ANN201 (-> (model, tokenizer))
    """A stage's model (eval mode, shared: read it, never train it) and the chat tokenizer."""
    import torch

    from shared import heavy

    heavy.ready("transformers")  # two visitors' first calls at once must not race transformers' lazy import
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from shared.checkpoints import load

    if name not in STAGES:
        raise limits.LimitError(f"There is no stage called '{name}'; the stages are {', '.join(STAGES)}.")
    model = load(AutoModelForCausalLM, name, device="cpu", dtype=torch.float32).model.eval()
    # the base has no chat template of its own: it reads the same "User: ... Assistant:" text
    tokenizer = with_chat_template(load(AutoTokenizer, SFT if name == BASE else name, device="cpu").model)
    return model, tokenizer


def prompt_ids(tokenizer, question: str, context: int = 256) -> list[int]:  # noqa: ANN001
    """The chat prompt's token ids, ending with "Assistant:"; refused when the question leaves no room
    for an answer in the model's context."""
    ids = tokenizer.apply_chat_template([{"role": "user", "content": question}], add_generation_prompt=True)["input_ids"]
    if len(ids) + options.ANSWER_TOKENS > context:
        raise limits.LimitError(f"The question is {len(ids)} tokens long: with a {options.ANSWER_TOKENS}-token answer "
                                f"it does not fit the model's {context}-token context. Ask a shorter one.")
    return list(ids)


def answer_ids(tokenizer, text: str) -> list[int]:  # noqa: ANN001
    """An answer's token ids as the chat template writes it after "Assistant:", end-of-turn included."""
    return list(tokenizer(" " + text.strip())["input_ids"]) + [tokenizer.eos_token_id]


@dataclass(frozen=True)
class Sampled:
    text: str
    ids: tuple[int, ...]  # the answer's tokens (end-of-turn not included)
    ended: bool  # the model wrote its end-of-turn token


def sample(model, tokenizer, prompt: list[int], n: int, seed: int, temperature: float,  # noqa: ANN001
           max_new: int = options.ANSWER_TOKENS, top_k: int = TOP_K) -> list[Sampled]:
    """n answers to one prompt, drawn together (one batch, a key-value cache); temperature 0 is greedy."""
    return _sample_batch(model, tokenizer, [prompt] * n, limits.SEED.check(seed), temperature, max_new, top_k)


def sample_each(model, tokenizer, prompts: Sequence[list[int]], seed: int, temperature: float, per_prompt: int = 1,  # noqa: ANN001
                max_new: int = options.ANSWER_TOKENS, top_k: int = TOP_K) -> list[list[Sampled]]:
    """per_prompt answers to each prompt; prompts of one length are drawn in one batch (no padding,
    so GPT-2's absolute positions stay right), each batch from a generator seeded by seed and length."""
    seed = limits.SEED.check(seed)
    by_length: dict[int, list[int]] = {}
    for i, p in enumerate(prompts):
        by_length.setdefault(len(p), []).append(i)
    out: list[list[Sampled]] = [[] for _ in prompts]
    for length, index in sorted(by_length.items()):
        rows = [prompts[i] for i in index for _ in range(per_prompt)]
        made = _sample_batch(model, tokenizer, rows, seed * 1_009 + length, temperature, max_new, top_k)
        for k, i in enumerate(index):
            out[i] = made[k * per_prompt:(k + 1) * per_prompt]
    return out


def _sample_batch(model, tokenizer, prompts: Sequence[list[int]], seed: int, temperature: float, max_new: int,  # noqa: ANN001
                  top_k: int) -> list[Sampled]:
    import torch

    generator = torch.Generator().manual_seed(seed % 2**63)
    eos = tokenizer.eos_token_id
    n = len(prompts)
    rows: list[list[int]] = [[] for _ in range(n)]
    done = [False] * n
    with torch.no_grad():
        out = model(input_ids=torch.tensor([list(p) for p in prompts]), use_cache=True)
        for _ in range(max_new):
            logits = out.logits[:, -1].float()
            if temperature <= 0:
                nxt = logits.argmax(-1)
            else:
                logits = logits / temperature
                if top_k:
                    cut = torch.topk(logits, min(top_k, logits.shape[-1])).values[:, -1:]
                    logits = logits.masked_fill(logits < cut, float("-inf"))
                nxt = torch.multinomial(torch.softmax(logits, -1), 1, generator=generator)[:, 0]
            for i, token in enumerate(nxt.tolist()):
                if not done[i]:
                    done[i] = token == eos
                    if not done[i]:
                        rows[i].append(token)
            if all(done):
                break
            out = model(input_ids=nxt[:, None], past_key_values=out.past_key_values, use_cache=True)
    return [Sampled(tokenizer.decode(r).strip(), tuple(r), d) for r, d in zip(rows, done)]


def token_logprobs(model, prompt: list[int], answers: Sequence[list[int]]) -> list[list[float]]:  # noqa: ANN001
    """log p(y_t | x, y_<t) of every token of each answer (end-of-turn included), in one padded batch."""
    import torch

    seqs = [prompt + a for a in answers]
    width = max(map(len, seqs))
    ids = torch.tensor([s + [0] * (width - len(s)) for s in seqs])
    mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in seqs])
    with torch.no_grad():
        logp = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits.float(), -1)
    out = []
    for row, a in enumerate(answers):
        at = torch.arange(len(prompt) - 1, len(prompt) - 1 + len(a))  # the positions that predict the answer
        out.append(logp[row, at, torch.tensor(a)].tolist())
    return out


@dataclass(frozen=True)
class Comparison:
    """One question answered by each stage, and each stage's mean log-probability per token of every
    answer: `cross[i][j]` is how stage i scores stage j's answer (the diagonal: its own)."""

    question: str
    stages: tuple[str, ...]
    answers: tuple[Sampled, ...]
    cross: tuple[tuple[float, ...], ...]
    token_scores: tuple[tuple[float, ...], ...]  # the SFT stage's log-prob of each token of each answer


def compare(question: object, seed: object, stages: Sequence[str] = STAGES) -> Comparison:
    """The side by side: each stage answers `question` (sampled at the assistant's temperature, the
    same seed), then every stage scores every answer."""
    question = options.check_prompt(question)
    seed = limits.SEED.check(seed)
    loaded = [stage(name) for name in stages]
    tokenizer = loaded[1 if len(loaded) > 1 else 0][1]
    prompt = prompt_ids(tokenizer, question)
    answers = tuple(sample(m, tokenizer, prompt, 1, seed, options.COMPARE_TEMPERATURE)[0] for m, _ in loaded)
    targets = [list(a.ids) + ([tokenizer.eos_token_id] if a.ended else []) or [tokenizer.eos_token_id] for a in answers]
    scores = [token_logprobs(m, prompt, targets) for m, _ in loaded]
    cross = tuple(tuple(sum(s) / len(s) for s in row) for row in scores)
    sft_row = scores[list(stages).index(SFT)] if SFT in stages else scores[0]
    return Comparison(question, tuple(stages), answers, cross, tuple(tuple(s) for s in sft_row))
