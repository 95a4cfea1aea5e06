"""Next-token distributions and the generation loop, with the model's internals collected on the way.

One step of generation: the model maps the tokens so far to logits z (one per vocabulary entry) for
the next token; sampling turns them into probabilities and draws one:

    p_i = softmax(z / T)_i                        temperature T (T -> 0: all mass on the argmax)
    keep the k most likely (top-k), then the fewest most-likely tokens whose mass reaches p (top-p)
    renormalise what is kept, draw a token; append it; repeat.

The loop is written out (a KV cache carries the keys and values of earlier tokens, so each step runs
the model on one new token) so every step can be shown: the token, its probability, the top
candidates, and where the new token looked (the attention of its position, averaged over heads).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from demos.gpt import options
from demos.gpt.lm import USER, LanguageModel


@dataclass(frozen=True)
class Distribution:
    """The next-token distribution before and after the sampling settings, over the whole vocabulary."""

    base: np.ndarray  # softmax(z): the model's own probabilities, (V,) float
    tempered: np.ndarray  # softmax(z / T), (V,); one-hot on the argmax for T = 0
    kept: np.ndarray  # bool (V,): survives top-k and top-p
    final: np.ndarray  # what is sampled from: tempered * kept, renormalised, (V,)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def distribution(logits, temperature: float, top_k: int, top_p: float) -> Distribution:  # noqa: ANN001
    """Apply temperature, then top-k, then top-p to logits (V,) (numpy or torch), in that order as
    transformers' sampling does: the nucleus is taken over what top-k kept, renormalised. top_k 0 and
    top_p 1 cut nothing. numpy, not torch: on vectors this small its operations cost a tenth."""
    temperature = options.TEMPERATURE.check(temperature)
    top_k, top_p = options.TOP_K.check(top_k), options.TOP_P.check(top_p)
    z = np.asarray(logits, dtype=np.float64).reshape(-1)
    base = _softmax(z)
    if temperature == 0:
        tempered = np.zeros_like(base)
        tempered[z.argmax()] = 1.0
    else:
        tempered = _softmax(z / temperature)
    kept = np.ones(len(base), dtype=bool)
    order = None
    if 0 < top_k < len(base):
        top = np.argpartition(-tempered, top_k - 1)[:top_k]
        order = top[np.argsort(-tempered[top], kind="stable")]  # the top k, likeliest first
        kept = np.zeros_like(kept)
        kept[order] = True
    elif top_p < 1:
        order = np.argsort(-tempered, kind="stable")
    if top_p < 1:
        share = tempered[order] / tempered[order].sum()
        # a token stays if the mass of the tokens ranked above it is still below top_p
        inside = (np.cumsum(share) - share) < top_p
        kept = np.zeros_like(kept)
        kept[order[inside]] = True
    final = np.where(kept, tempered, 0.0)
    return Distribution(base, tempered, kept, final / final.sum())


def draw(dist: Distribution, rng: np.random.Generator, greedy: bool) -> int:
    """One token from the final distribution (inverse CDF on a uniform draw); the argmax if greedy."""
    if greedy:
        return int(dist.final.argmax())
    cdf = np.cumsum(dist.final)
    return int(min(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"), len(cdf) - 1))


@dataclass
class TokenStep:
    """One generated token and what the model showed while choosing it."""

    token: int
    text: str  # the answer so far, decoded
    probability: float  # of this token under the final (sampled-from) distribution
    base_probability: float  # under the model's own softmax
    top: list[tuple[int, float]]  # the most likely tokens and their base probabilities
    attention: np.ndarray | None = None  # (positions so far,): last layer, mean over heads
    seconds: float = 0.0


@dataclass
class Generation:
    """The prompt and the answer as token ids, and what each answer step showed."""

    prompt_ids: list[int]
    steps: list[TokenStep] = field(default_factory=list)
    notice: str | None = None
    stopped: str = ""  # why it ended: "end of text", "token limit", "context full", "next User: line"

    @property
    def answer_ids(self) -> list[int]:
        return [s.token for s in self.steps]

    @property
    def text(self) -> str:
        return self.steps[-1].text if self.steps else ""


def generate(lm: LanguageModel, prompt_ids: list[int], max_new_tokens: int, temperature: float = 0.8,
             top_k: int = 40, top_p: float = 0.95, seed: int = 0, internals: bool = True,
             top_n: int = 10) -> Iterator[Generation]:
    """Yield the Generation after every new token. internals=False skips the attention (the cost
    the benchmark measures); the probabilities are needed to sample anyway."""
    import time

    from shared.limits import SEED

    max_new_tokens = options.NEW_TOKENS.check(max_new_tokens)
    rng = np.random.default_rng(SEED.check(seed))
    distribution(np.zeros(2), temperature, top_k, top_p)  # check the settings before any work
    tokenizer = lm.tokenizer
    eos = tokenizer.eos_token_id
    run = Generation(list(prompt_ids))
    if not prompt_ids:
        prompt_ids = [eos if eos is not None else 0]  # an empty prompt starts from the end-of-text token
    feed = _stepper(lm, internals)
    t0 = time.perf_counter()
    pending = list(prompt_ids)
    while True:
        logits, attention = feed(pending)
        dist = distribution(logits, temperature, top_k, top_p)
        token = draw(dist, rng, temperature == 0)
        top = np.argpartition(-dist.base, top_n - 1)[:top_n] if top_n < len(dist.base) else np.arange(len(dist.base))
        top = top[np.argsort(-dist.base[top])]
        ids = run.answer_ids + [token]
        run.steps.append(TokenStep(token, tokenizer.decode(ids, skip_special_tokens=True), float(dist.final[token]),
                                   float(dist.base[token]), [(int(i), float(dist.base[i])) for i in top],
                                   attention, time.perf_counter() - t0))
        if token == eos:
            run.stopped = "end of text"
        elif not lm.chat and f"\n{USER}" in run.text:
            run.stopped = "next User: line"
        elif len(run.steps) >= max_new_tokens:
            run.stopped = "token limit"
        elif len(prompt_ids) + len(run.steps) >= lm.context:
            run.stopped = "context full"
        yield run
        if run.stopped:
            return
        pending = [token]


def _stepper(lm: LanguageModel, internals: bool):  # noqa: ANN202
    """feed(new token ids) -> (logits of the next token (V,), the newest position's attention in the
    last layer, mean over heads, or None), as numpy: GPT-2s through fast_gpt2, other models through
    transformers with its KV cache."""
    from demos.gpt import fast_gpt2

    if fast_gpt2.supports(lm.model):
        decoder = fast_gpt2.GPT2Decoder(lm.model)

        def feed_fast(ids: list[int]):  # noqa: ANN202
            logits, rows = decoder.feed(ids, rows=internals)
            return logits, rows[-1].mean(0) if internals else None

        return feed_fast
    past = None

    @torch.inference_mode()
    def feed_hf(ids: list[int]):  # noqa: ANN202
        nonlocal past
        out = lm.model(input_ids=torch.tensor([ids]), past_key_values=past, use_cache=True, output_attentions=internals)
        past = out.past_key_values
        attention = out.attentions[-1][0, :, -1].mean(0).float().numpy() if internals and out.attentions else None
        return out.logits[0, -1].float().numpy(), attention

    return feed_hf


def answer_text(lm: LanguageModel, run: Generation) -> str:
    """The answer as the chat shows it: a transcript model's text up to its next "User:" line."""
    text = run.text
    if not lm.chat:
        text = text.split(f"\n{USER}")[0]
    return text.strip()


def position_distribution(lm: LanguageModel, ids: list[int], position: int) -> torch.Tensor:
    """The logits the model gave for the token at `position` of ids, from the tokens before it (V,)."""
    if not 1 <= position < len(ids):
        raise ValueError(f"position must be from 1 to {len(ids) - 1}")
    context = ids[max(0, position - lm.context) : position]
    with torch.inference_mode():
        return lm.model(input_ids=torch.tensor([context])).logits[0, -1].float()


def attention_maps(lm: LanguageModel, ids: list[int], layer: int) -> np.ndarray:
    """Attention weights of one layer over the last ATTENTION_TOKENS tokens: (heads, T, T), rows sum to 1."""
    ids = ids[-min(options.ATTENTION_TOKENS, lm.context):]
    n_layers = len(_layers(lm))
    if not 0 <= layer < n_layers:
        raise ValueError(f"layer must be from 0 to {n_layers - 1}")
    with torch.inference_mode():
        out = lm.model(input_ids=torch.tensor([ids]), output_attentions=True)
    return out.attentions[layer][0].float().numpy()


def _layers(lm: LanguageModel) -> list:
    config = lm.model.config
    return list(range(int(getattr(config, "n_layer", None) or config.num_hidden_layers)))


def layer_count(lm: LanguageModel) -> int:
    return len(_layers(lm))


def head_count(lm: LanguageModel) -> int:
    config = lm.model.config
    return int(getattr(config, "n_head", None) or config.num_attention_heads)
