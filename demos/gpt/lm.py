"""A causal language model and its tokenizer, bundled or from the Hub, through the one loading path;
and the prompt a conversation becomes for it.

Chat-trained models (their tokenizer has a chat template) get the conversation through that
template. Others, the bundled model included, are text-continuation models: they get a plain
transcript ("User: ...\\nBot: ...\\nBot:") and whatever they write until the next "User:" line is their
answer, honestly a continuation in the style of what they were trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from demos.gpt.options import ASSISTANT, HISTORY_MESSAGES, MESSAGE_CHARS
from shared import heavy, limits
from shared.checkpoints import load

USER, BOT = "User:", "Bot:"
QUANTIZE_ABOVE = 50_000_000  # parameters; larger models run with int8 linear layers on the CPU
_int8_copies: dict[int, object] = {}


@dataclass(frozen=True)
class LanguageModel:
    model: object  # a transformers PreTrainedModel with a causal-LM head, eval mode, eager attention
    tokenizer: object
    spec: str
    source: str
    notice: str | None = None
    int8: bool = False  # linear layers dynamically quantized (see int8_for_cpu)

    @property
    def chat(self) -> bool:
        """Trained on conversations: its tokenizer carries a chat template."""
        return bool(getattr(self.tokenizer, "chat_template", None))

    @property
    def context(self) -> int:
        """Positions the model can see at once."""
        config = self.model.config
        return int(getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", 2048))

    @property
    def label(self) -> str:
        kind = "chat model" if self.chat else "text-continuation model"
        return f"{self.spec} · {self.source} · {kind} · context {self.context:,} tokens" + (" · int8 linear layers" if self.int8 else "")


def load_lm(spec: str | Path = "") -> LanguageModel:
    """The bundled assistant (spec ""), another bundled stage, a Hub id or a local folder (a Path). A
    Hub model that cannot be loaded (offline, unknown id) gives the bundled assistant with a notice."""
    import torch
    heavy.ready("transformers")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if isinstance(spec, str):
        spec = spec.strip() or ASSISTANT
    # eager attention: under the default sdpa, output_attentions returns nothing
    model = load(AutoModelForCausalLM, spec, fallback=ASSISTANT, device="cpu", attn_implementation="eager",
                 dtype=torch.float32)
    where = Path(model.spec) if model.source == "local" else model.spec
    tokenizer = load(AutoTokenizer, where, device="cpu")
    weights, int8 = int8_for_cpu(model.model)
    return LanguageModel(weights, tokenizer.model, model.spec, model.source, model.notice, int8)


def int8_for_cpu(model, quantize_above: int = QUANTIZE_ABOVE) -> tuple[object, bool]:  # noqa: ANN001
    """(the model to run, whether it is int8): above `quantize_above` parameters, a copy whose
    nn.Linear layers hold int8 weights (PyTorch dynamic quantization; activations stay float).
    Decoding one token reads every weight once, so on a CPU its time is mostly memory traffic: a
    135 M-parameter model reads 540 MB of float32 per token, a quarter of that in int8, and runs about
    1.7 times as fast on 2 cores. The probabilities shift slightly; the label says so. Cached per model."""
    import warnings

    import torch

    from demos.gpt import fast_gpt2

    if fast_gpt2.supports(model) or sum(p.numel() for p in model.parameters()) <= quantize_above:
        return model, False
    if id(model) not in _int8_copies:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao.quantization's notice that torchao is its successor
            _int8_copies[id(model)] = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return _int8_copies[id(model)], True


def clean_text(text: object, name: str = "message") -> str:
    """A user's text, checked: a string, not empty, not too long; control characters other than
    newlines and tabs removed (they mean nothing to a tokenizer and can break a terminal)."""
    text = limits.check_text(name, text, MESSAGE_CHARS)
    cleaned = "".join(c for c in text if c in "\n\t" or (ord(c) >= 32 and not 0x7F <= ord(c) < 0xA0))
    if not cleaned.strip():
        raise limits.LimitError(f"The {name} has only control characters in it.")
    return cleaned


Message = tuple[str, str]  # (role, text): role "user" or "assistant"


def check_history(history: object) -> list[Message]:
    """A conversation as (role, text) pairs, checked: at most HISTORY_MESSAGES of them, each role
    "user" or "assistant", each text a string within MESSAGE_CHARS. (A UI adapts its own chat format
    to these pairs; whatever it cannot read it passes on, to be refused here in words.)"""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)) or len(history) > HISTORY_MESSAGES:
        raise limits.LimitError(f"The conversation must be a list of at most {HISTORY_MESSAGES} messages.")
    messages = []
    for m in history:
        if not isinstance(m, (list, tuple)) or len(m) != 2 or m[0] not in ("user", "assistant"):
            raise limits.LimitError("Each message must have a role of 'user' or 'assistant'.")
        messages.append((m[0], limits.check_text("message", m[1], MESSAGE_CHARS, allow_empty=True)))
    return messages


def prompt_text(lm: LanguageModel, messages: list[dict]) -> str:
    """The text the model continues to answer the last user message; messages as
    {"role", "content"} dicts (what chat templates take)."""
    if lm.chat:
        return lm.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    lines = [f"{USER if m['role'] == 'user' else BOT} {m['content'].strip()}" for m in messages]
    return "\n".join(lines) + f"\n{BOT}"


def encode_prompt(lm: LanguageModel, text: str, room: int) -> tuple[list[int], str | None]:
    """Token ids of text, keeping the last `room` tokens; and a notice when the start was cut."""
    ids = lm.tokenizer(text, add_special_tokens=False)["input_ids"]
    if len(ids) <= room:
        return ids, None
    notice = (f"The conversation is {len(ids):,} tokens long and this model sees {lm.context:,} at once "
              f"(with room for the answer): the oldest {len(ids) - room:,} tokens were left out.")
    return ids[-room:], notice
