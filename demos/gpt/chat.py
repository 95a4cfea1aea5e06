"""The GPT tab's actions as both front ends run them: a chat answer streamed update by update, the
next-token distribution at any position of the last prompt + answer, its attention maps, and one
prompt continued greedily and sampled. Plain values in ((role, text) history, numbers, ids), plain
values and plotly figures out; LimitError with a sentence for a bad value. No UI code.

Each action takes `load`, the UI's way to get a model from its spec (the Gradio tab loads through
demos.gpt.lm.load_lm and shows its notice; the Streamlit page holds the model in st.cache_resource),
and calls it only after the values are checked, so a bad value never costs a model load.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from demos.gpt import decoding, options, views
from demos.gpt import lm as lm_module
from demos.gpt.lm import LanguageModel, Message
from shared import limits
from shared.background import run_ahead

if TYPE_CHECKING:  # plotly is imported only when a figure is drawn
    import plotly.graph_objects as go

Loader = Callable[[str], LanguageModel]
UPDATE_S = 0.05  # a streamed answer updates at most 20 times a second: the text still looks continuous
NOTHING = "(nothing: the model ended its answer at once)"
CHAT_FIRST = "Chat first: the tokens of the last prompt and answer appear here."
ATTENTION_FIRST = "Chat first: the attention map is drawn over the last prompt and answer."


@dataclass(frozen=True)
class Exchange:
    """The last prompt and answer as token ids: what the tokens, distribution and attention
    sections work on. `spec` names the model that wrote it (whatever the model choice says now)."""

    spec: str
    prompt: tuple[int, ...]
    answer: tuple[int, ...]
    position: int | None = None  # the position whose distribution is shown

    @property
    def ids(self) -> list[int]:
        return [*self.prompt, *self.answer]


@dataclass(frozen=True)
class ChatUpdate:
    """One update of a streamed answer; the last one (done) carries the exchange to inspect."""

    conversation: list[Message]  # the history, the new message and the answer so far
    status: str  # one line: progress while writing, the totals at the end
    notices: tuple[str, ...] = ()  # non-fatal notices (the start of a long conversation was cut)
    exchange: Exchange | None = None
    done: bool = False

    @property
    def answer(self) -> str:
        return self.conversation[-1][1]


def check_settings(max_new: object, temperature: object, top_k: object, top_p: object) -> tuple[int, float, int, float]:
    return (options.NEW_TOKENS.check(max_new), options.TEMPERATURE.check(temperature), options.TOP_K.check(top_k),
            options.TOP_P.check(top_p))


def answer(load: Loader, spec: str, history: object, message: object, max_new: object, temperature: object,
           top_k: object, top_p: object, seed: object, update_s: float = UPDATE_S) -> Iterator[ChatUpdate]:
    """Answer `message` after `history` ((role, text) pairs), streaming ChatUpdates at most every
    update_s seconds, then a last one with the totals and the exchange."""
    max_new, temperature, top_k, top_p = check_settings(max_new, temperature, top_k, top_p)
    seed = limits.SEED.check(seed)
    text = lm_module.clean_text(message)
    history = lm_module.check_history(history)
    lm = load(spec)
    messages = [*history, ("user", text)]
    max_new = min(max_new, lm.context // 2)  # leave the prompt at least half the context
    prompt = lm_module.prompt_text(lm, [{"role": role, "content": content} for role, content in messages])
    ids, cut = lm_module.encode_prompt(lm, prompt, lm.context - max_new)
    notices = (cut,) if cut else ()
    last, run = 0.0, None
    for run, _ in run_ahead(decoding.generate(lm, ids, max_new, temperature, top_k, top_p, seed)):
        if time.perf_counter() - last >= update_s:
            rate = len(run.steps) / max(run.steps[-1].seconds, 1e-6)
            yield ChatUpdate([*messages, ("assistant", decoding.answer_text(lm, run))],
                             f"Generating: {len(run.steps)} tokens · {rate:.0f} tokens/s", notices)
            notices, last = (), time.perf_counter()
    if run is None or not run.steps:
        raise limits.LimitError("The model produced nothing; try again.")
    rate = len(run.steps) / max(run.steps[-1].seconds, 1e-6)
    status = (f"{len(run.steps)} tokens in {run.steps[-1].seconds:.2f} s ({rate:.0f} tokens/s); stopped: {run.stopped}. "
              f"Model: {lm.label}.")
    yield ChatUpdate([*messages, ("assistant", decoding.answer_text(lm, run) or NOTHING)], status, notices,
                     Exchange(lm.spec, tuple(run.prompt_ids), tuple(run.answer_ids)), done=True)


def layers_and_heads(load: Loader, exchange: Exchange) -> tuple[int, int]:
    """How many layers and heads the model that wrote the exchange has (for the attention widgets)."""
    lm = load(exchange.spec)
    return decoding.layer_count(lm), decoding.head_count(lm)


def token_distribution(load: Loader, exchange: Exchange | None, temperature: object, top_k: object, top_p: object,
                       position: object = None) -> tuple[go.Figure, Exchange]:
    """The distribution the model gave at `position` of the exchange (default: its last token),
    before and after the sampling settings; and the exchange with that position selected."""
    temperature, top_k, top_p = options.TEMPERATURE.check(temperature), options.TOP_K.check(top_k), options.TOP_P.check(top_p)
    if exchange is None:
        raise limits.LimitError(CHAT_FIRST)
    ids = exchange.ids
    if len(ids) < 2:
        raise limits.LimitError("There is no prediction to show: the text has a single token.")
    position = limits.IntRange("token position", 1, len(ids) - 1).check(len(ids) - 1 if position is None else position)
    lm = load(exchange.spec)
    logits = decoding.position_distribution(lm, ids, position)
    dist = decoding.distribution(logits, temperature, top_k, top_p)
    before = lm.tokenizer.decode(ids[max(0, position - 8):position]).replace("\n", "↵")
    title = f"Position {position}: after “…{before}” the model chose {views.token_piece(lm.tokenizer, ids[position])!r}"
    return views.distribution_figure(lm.tokenizer, dist, ids[position], title), replace(exchange, position=position)


def attention(load: Loader, exchange: Exchange | None, layer: object, head: object):  # noqa: ANN201 (-> (Figure, str))
    """The attention map of one layer over the exchange's last tokens, for one head (its number, as
    int or text) or the mean over heads (head "mean", "" or None); and a note on what is shown."""
    if exchange is None:
        raise limits.LimitError(ATTENTION_FIRST)
    lm = load(exchange.spec)
    n_layers, n_heads = decoding.layer_count(lm), decoding.head_count(lm)
    layer = limits.IntRange("layer", 0, n_layers - 1).check(layer)
    head_index = None if head in (None, "", "mean") else limits.IntRange("head", 0, n_heads - 1).check(head)
    ids = exchange.ids
    maps = decoding.attention_maps(lm, ids, layer)
    note = f"{lm.spec}: {n_layers} layers × {n_heads} heads; showing the last {maps.shape[-1]} of {len(ids)} tokens."
    return views.attention_figure(lm.tokenizer, ids, maps, head_index, layer), note


@dataclass(frozen=True)
class Continuation:
    """One way of continuing the compared prompt."""

    label: str  # "greedy (T = 0)", "sampled, T = 0.5", ...
    temperature: float
    text: str  # the prompt and its continuation (a chat model's: the answer alone)
    mean_probability: float  # of the chosen tokens under the model's own softmax

    @property
    def shown(self) -> str:
        return f"{self.text}\n\n[mean probability of the chosen tokens: {self.mean_probability:.0%}]"


def compare(load: Loader, spec: str, prompt: object, max_new: object, top_k: object, top_p: object,
            seed: object) -> tuple[list[Continuation], str | None]:
    """The same prompt continued greedily and at each of COMPARE_TEMPERATURES with the same seed,
    top-k and top-p; and a notice when the prompt's start was cut to fit."""
    text = lm_module.clean_text(prompt, "prompt")
    max_new = options.COMPARE_TOKENS.check(max_new)
    top_k, top_p, seed = options.TOP_K.check(top_k), options.TOP_P.check(top_p), limits.SEED.check(seed)
    lm = load(spec)
    prompt = lm_module.prompt_text(lm, [{"role": "user", "content": text}]) if lm.chat else text
    ids, cut = lm_module.encode_prompt(lm, prompt, lm.context - max_new)
    outputs = []
    for label, temperature in zip(options.COMPARE_LABELS, (0.0, *options.COMPARE_TEMPERATURES)):
        *_, run = decoding.generate(lm, ids, max_new, temperature, top_k, top_p, seed, internals=False)
        mean_p = sum(s.base_probability for s in run.steps) / len(run.steps)
        outputs.append(Continuation(label, temperature, decoding.answer_text(lm, run) if lm.chat else text + run.text, mean_p))
    return outputs, cut

