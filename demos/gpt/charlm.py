"""Pre-training live: a fresh character-level GPT trained on the user's text, in the session.

The same next-token objective as the bundled model, with the simplest tokenizer there is (one token
per character), so that in a minute or two on a CPU the samples visibly go from noise to letters, to
words, to the text's own style. The model is transformers' GPT2LMHeadModel at 2 layers, 64 wide.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch

from demos.gpt import options
from shared import limits
from shared.seeding import seeded_global_rng

BLOCK = 64  # characters of context
BATCH = 16
MAX_VOCAB = 128  # the most frequent characters; rarer ones become "?"


@dataclass
class CharRun:
    """The state of one live run, as the UI shows it."""

    vocab: str  # the characters, index = token id
    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)  # training loss per step, nats per character
    samples: list[tuple[int, str]] = field(default_factory=list)  # (step, sample text)
    seconds: float = 0.0
    done: bool = False

    @property
    def uniform_loss(self) -> float:
        """The loss of a model that knows nothing: ln(vocabulary size)."""
        import math

        return math.log(len(self.vocab))


def check_text(text: object) -> str:
    text = limits.check_text("training text", text, options.TRAIN_TEXT_CHARS)
    if len(text) < options.TRAIN_TEXT_MIN_CHARS:
        raise limits.LimitError(f"The training text needs at least {options.TRAIN_TEXT_MIN_CHARS} characters; it has {len(text)}.")
    return text


def make_vocab(text: str) -> str:
    counts: dict[str, int] = {}
    for c in text:
        counts[c] = counts.get(c, 0) + 1
    common = sorted(counts, key=lambda c: -counts[c])[: MAX_VOCAB - 1]
    return "?" + "".join(sorted(c for c in common if c != "?"))


def train_live(text: str, seconds: float, seed: int = 0, update_s: float = 0.25,
               sample_every_s: float = 1.5, sample_chars: int = 160) -> Iterator[CharRun]:
    """Train for `seconds` of wall time, yielding the run about every update_s seconds; a sample
    (temperature 0.8, from a newline) every sample_every_s seconds and at the end."""
    from transformers import GPT2Config, GPT2LMHeadModel

    text = check_text(text)
    seconds = options.TRAIN_SECONDS.check(seconds)
    seed = limits.SEED.check(seed)
    vocab = make_vocab(text)
    index = {c: i for i, c in enumerate(vocab)}
    data = torch.tensor([index.get(c, 0) for c in text], dtype=torch.long)
    if len(data) <= BLOCK + 1:
        data = data.repeat(-(-(BLOCK + 2) // len(data)))
    gen = torch.Generator().manual_seed(seed)
    with seeded_global_rng(seed):  # the initial weights, whoever else is using the app
        model = GPT2LMHeadModel(GPT2Config(vocab_size=len(vocab), n_positions=BLOCK, n_embd=64, n_layer=2, n_head=4,
                                           resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    run = CharRun(vocab)
    t0 = last_update = time.perf_counter()
    last_sample = t0 - sample_every_s
    step = 0
    while True:
        starts = torch.randint(len(data) - BLOCK - 1, (BATCH,), generator=gen)
        x = torch.stack([data[s : s + BLOCK] for s in starts])
        loss = model(input_ids=x, labels=x).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        run.steps.append(step)
        run.losses.append(loss.item())
        now = time.perf_counter()
        run.seconds = now - t0
        finished = run.seconds >= seconds
        if now - last_sample >= sample_every_s or finished:
            run.samples.append((step, sample(model, vocab, sample_chars, seed + step)))
            last_sample = time.perf_counter()
        if finished:
            run.done = True
            yield run
            return
        if now - last_update >= update_s:
            yield run
            last_update = time.perf_counter()


@torch.inference_mode()
def sample(model, vocab: str, n_chars: int, seed: int, temperature: float = 0.8) -> str:  # noqa: ANN001
    """n_chars characters from the model, starting after a newline (or the first character)."""
    was_training = model.training
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    start = vocab.index("\n") if "\n" in vocab else 0
    ids = [start]
    for _ in range(n_chars):
        logits = model(input_ids=torch.tensor([ids[-BLOCK:]])).logits[0, -1]
        ids.append(int(torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=gen)))
    model.train(was_training)
    return "".join(vocab[i] for i in ids[1:])
