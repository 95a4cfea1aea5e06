"""Pre-training live: a fresh character-level GPT trained on the user's text, in the session.

The same next-token objective as the bundled model, with the simplest tokenizer there is (one token
per character), so that in a minute or two on a CPU the samples visibly go from noise to letters, to
words, to the text's own style. The model is transformers' GPT2LMHeadModel at 2 layers, 64 wide.
The run follows shared/live.py's protocol (the loop, pause, stop and the refusals written once):

    for record in pretrain(slot, text, seconds=60, seed=0):    # Gradio: one loop for the whole run
        loss_figure(record), pretrain_samples(record)
    slot.run.advance(0.45)                                     # Streamlit: one chunk per tick
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch

from demos.gpt import options
from shared import heavy, limits, live
from shared.live import ALREADY_RUNNING, LiveLoop, LiveRun, Press
from shared.seeding import seeded_global_rng

BLOCK = 64  # characters of context
BATCH = 16
MAX_VOCAB = 128  # the most frequent characters; rarer ones become "?"


@dataclass
class CharRecord:
    """What the UI shows of one live run."""

    vocab: str  # the characters, index = token id
    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)  # training loss per step, nats per character
    samples: list[tuple[int, str]] = field(default_factory=list)  # (step, sample text)
    seconds: float = 0.0
    done: bool = False

    @property
    def uniform_loss(self) -> float:
        """The loss of a model that knows nothing: ln(vocabulary size)."""
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


class CharTrainer(LiveLoop):
    """A fresh character-level GPT being pre-trained on one text for `length_s` seconds of training
    (the clock counts training time only, so a paused run resumes where it was). A sample every
    sample_every_s seconds of training and at the end."""

    CHUNK_S = 0.25

    def __init__(self, text: str, seconds: float, seed: int = 0, sample_every_s: float = 1.5,
                 sample_chars: int = 160) -> None:
        super().__init__()
        heavy.ready("transformers")
        from transformers import GPT2Config, GPT2LMHeadModel

        text = check_text(text)
        self.length_s = options.TRAIN_SECONDS.check(seconds)
        self.seed = limits.SEED.check(seed)
        self.sample_every_s, self.sample_chars = sample_every_s, sample_chars
        vocab = make_vocab(text)
        index = {c: i for i, c in enumerate(vocab)}
        data = torch.tensor([index.get(c, 0) for c in text], dtype=torch.long)
        if len(data) <= BLOCK + 1:
            data = data.repeat(-(-(BLOCK + 2) // len(data)))
        self.data = data
        self.gen = torch.Generator().manual_seed(self.seed)
        with seeded_global_rng(self.seed):  # the initial weights, whoever else is using the app
            # token 0 ("?") stands for the start and end tokens GPT2Config expects inside the vocabulary
            self.model = GPT2LMHeadModel(GPT2Config(vocab_size=len(vocab), n_positions=BLOCK, n_embd=64, n_layer=2,
                                                    n_head=4, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                                                    bos_token_id=0, eos_token_id=0))
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=3e-3)
        self.record = CharRecord(vocab)
        self._last_sample = -sample_every_s  # the first chunk is sampled: noise, to compare with later

    @property
    def step(self) -> int:
        return len(self.record.steps)

    @property
    def finished(self) -> bool:
        return self.seconds >= self.length_s

    def train(self, steps: int) -> None:
        record = self.record
        for _ in range(steps):
            starts = torch.randint(len(self.data) - BLOCK - 1, (BATCH,), generator=self.gen)
            x = torch.stack([self.data[s : s + BLOCK] for s in starts])
            loss = self.model(input_ids=x, labels=x).loss
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            record.steps.append(len(record.steps) + 1)
            record.losses.append(loss.item())

    def after_chunk(self) -> None:
        record = self.record
        record.seconds, record.done = self.seconds, self.finished
        if record.steps and (self.seconds - self._last_sample >= self.sample_every_s or record.done):
            step = record.steps[-1]
            record.samples.append((step, sample(self.model, record.vocab, self.sample_chars, self.seed + step)))
            self._last_sample = self.seconds

    def frame(self) -> CharRecord:
        return self.record


def pretrain(slot: LiveRun, text: str, seconds: float, seed: int = 0, **kwargs: float) -> Iterator[CharRecord]:
    """What Pre-train does: a fresh run on the text in the session's slot (refused while one is
    going), trained for its whole length, a record per chunk. kwargs: CharTrainer's sampling."""
    if slot.busy:
        raise limits.LimitError(ALREADY_RUNNING)
    trainer = slot.replace(CharTrainer(text, seconds, seed, **kwargs))
    yield from live.start(slot, Press(trainer.step, cap_s=math.inf))


def train_live(text: str, seconds: float, seed: int = 0, update_s: float = CharTrainer.CHUNK_S,
               sample_every_s: float = 1.5, sample_chars: int = 160) -> Iterator[CharRecord]:
    """A run of its own, outside any session (benchmarks, tests): the record about every update_s."""
    trainer = CharTrainer(text, seconds, seed, sample_every_s, sample_chars)
    yield from trainer.run(math.inf, update_s)


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
