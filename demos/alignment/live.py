"""Tuning on the votes, live: a short DPO run on a book's votes, on shared/live.py's protocol.

The policy is a copy of the book's current model with a fresh LoRA adapter (rank 8); the reference is
the same model with the adapter switched off, so the run never touches the shared stage nor the
room's published model until it ends, when `VoteTuning.result()` merges the adapter into a new
model that the book publishes (demos/alignment/votes.py). Each step is one full batch of the votes:

    L = -mean log sigmoid(beta * [(log pi(y_w|x) - log ref(y_w|x)) - (log pi(y_l|x) - log ref(y_l|x))])
        + w * mean NLL per token of y_w                       (w = TUNE_SFT_WEIGHT: keeps it fluent)

and each frame reads the DPO loss, the mean margin, the share of pairs with a positive margin, and
KL(pi || ref) per answer token (over the whole vocabulary, at every answer position of the first 8 votes).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from demos.alignment import options
from demos.alignment import wording as words
from demos.alignment.votes import Book, Vote
from shared import limits
from shared.live import LiveLoop, Press


@dataclass
class TuneFrame:
    """What the tab shows of a tuning run."""

    step: int
    steps: int
    votes: int
    seconds: float
    loss: list[float] = field(default_factory=list)  # DPO loss per step
    margin: list[float] = field(default_factory=list)  # mean beta * log-ratio margin per step
    accuracy: list[float] = field(default_factory=list)  # share of votes with a positive margin
    kl: list[tuple[int, float]] = field(default_factory=list)  # (step, KL per token) at each frame
    done: bool = False


class VoteTuning(LiveLoop):
    """DPO on a book's votes, from the book's current model."""

    CHUNK_S = 0.5  # a step on 16 votes takes about 0.5 s on 2 cores: a frame per step or two
    KL_VOTES = 8  # KL is read on the first 8 votes' answers: two forwards each frame, kept cheap
    SHOW_START = True  # the first frame (step 0, the votes counted) before the first step: at once

    def __init__(self, start_model, tokenizer, votes: Sequence[Vote], steps: int, beta: float = options.TUNE_BETA,  # noqa: ANN001
                 seed: int = 0) -> None:
        super().__init__()
        import torch
        from peft import get_peft_model

        from demos.alignment import answers
        from demos.alignment.model import lora_config
        from shared.seeding import seeded_global_rng

        if len(votes) < options.MIN_VOTES:
            raise limits.LimitError(words.too_few_votes(len(votes), options.MIN_VOTES))
        self.steps = options.TUNE_STEPS.check(steps)
        self.beta = options.BETA.check(beta)
        # LoRA's A matrices start random (B at zero: the policy starts as the reference); built under
        # the process-wide lock (shared/seeding.py), whoever else is building or loading a model
        with seeded_global_rng(limits.SEED.check(seed)):
            self.policy = get_peft_model(copy.deepcopy(start_model), lora_config(options.TUNE_RANK, options.TUNE_ALPHA))
        self.policy.train()
        self.tokenizer = tokenizer
        prompts = [answers.prompt_ids(tokenizer, v.question) for v in votes]
        chosen = [answers.answer_ids(tokenizer, v.chosen) for v in votes]
        rejected = [answers.answer_ids(tokenizer, v.rejected) for v in votes]
        self.batch = _Batch.of(prompts + prompts, chosen + rejected)  # rows: the chosen answers, then the rejected
        k = min(self.KL_VOTES, len(votes))
        self.kl_batch = _Batch.of(prompts[:k] + prompts[:k], chosen[:k] + rejected[:k])
        self.n = len(votes)
        with torch.no_grad(), self.policy.disable_adapter():
            self.ref = self.batch.answer_logprobs(self.policy)  # (2n,) log ref(y|x), fixed
        self.optimizer = torch.optim.AdamW([p for p in self.policy.parameters() if p.requires_grad], lr=options.TUNE_LR)
        self.record = TuneFrame(0, self.steps, self.n, 0.0)

    @property
    def finished(self) -> bool:
        return self.step >= self.steps

    def train(self, steps: int) -> None:
        from demos.alignment.preference import dpo_loss

        for _ in range(steps):
            logp, nll = self.batch.answer_logprobs(self.policy, with_nll=True)
            n = self.n
            loss_dpo, margins = dpo_loss(logp[:n], logp[n:], self.ref[:n], self.ref[n:], self.beta)
            loss = loss_dpo + options.TUNE_SFT_WEIGHT * nll[:n].mean()
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            self.step += 1
            self.record.loss.append(loss_dpo.item())
            self.record.margin.append(float(margins.mean()))
            self.record.accuracy.append(float((margins > 0).float().mean()))

    def after_chunk(self) -> None:
        self.record.kl.append((self.step, self.kl_per_token()))

    def kl_per_token(self) -> float:
        """KL(pi || ref) per answer token over the first KL_VOTES votes' answers (the whole vocabulary
        at each position)."""
        import torch

        with torch.no_grad():
            policy = torch.log_softmax(self.kl_batch.answer_logits(self.policy), -1)
            with self.policy.disable_adapter():
                ref = torch.log_softmax(self.kl_batch.answer_logits(self.policy), -1)
        return float((policy.exp() * (policy - ref)).sum(-1).mean())

    def frame(self) -> TuneFrame:
        self.record.step, self.record.seconds, self.record.done = self.step, self.seconds, self.finished
        return copy.copy(self.record)

    def result(self):  # noqa: ANN201 (-> a plain transformers model)
        """The tuned model: a copy with the adapter merged in, for generation (eval mode)."""
        return copy.deepcopy(self.policy).merge_and_unload().eval()


@dataclass
class _Batch:
    """Prompt + answer rows, right-padded, and the mask of the answer tokens' predicting positions."""

    ids: object  # (rows, width) long
    attention: object  # (rows, width)
    targets: object  # (rows, width - 1): the next token at each position
    answer_mask: object  # (rows, width - 1) float: 1 where the next token is an answer token

    @classmethod
    def of(cls, prompts: Sequence[list[int]], answers_: Sequence[list[int]]) -> _Batch:
        import torch

        rows = [p + a for p, a in zip(prompts, answers_)]
        width = max(map(len, rows))
        ids = torch.tensor([r + [0] * (width - len(r)) for r in rows])
        attention = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
        mask = torch.zeros(len(rows), width - 1)
        for i, (p, a) in enumerate(zip(prompts, answers_)):
            mask[i, len(p) - 1:len(p) - 1 + len(a)] = 1.0
        return cls(ids, attention, ids[:, 1:], mask)

    def answer_logits(self, model):  # noqa: ANN001, ANN202 (-> (answer tokens, vocab))
        logits = model(input_ids=self.ids, attention_mask=self.attention).logits[:, :-1].float()
        return logits[self.answer_mask.bool()]

    def answer_logprobs(self, model, with_nll: bool = False):  # noqa: ANN001, ANN202
        """log pi(y|x) per row (the sum over its answer tokens), and with_nll: the mean NLL per token."""
        import torch

        logits = model(input_ids=self.ids, attention_mask=self.attention).logits[:, :-1].float()
        token = torch.log_softmax(logits, -1).gather(2, self.targets[..., None])[..., 0] * self.answer_mask
        total = token.sum(1)
        if not with_nll:
            return total
        return total, -total / self.answer_mask.sum(1)


def tune(book: Book, press: Press, steps: int, beta: float = options.TUNE_BETA, seed: int = 0,
         seconds: float = options.TUNE_SECONDS) -> Iterator[TuneFrame]:
    """What "Tune on these votes" does: a run on the book's votes (one at a time per book: a second
    press, from this visitor or another in the room, is refused), streamed; when it ends, however it
    ends (its steps, `seconds` of training, Stop), the tuned model is published to the book."""
    from demos.alignment.votes import current_model

    with book.tuner.driving(words.TUNING_RUNNING):
        model, tokenizer, generation = current_model(book)
        votes = book.snapshot()[2]
        steps = options.TUNE_STEPS.check(steps)
        if len(votes) < options.MIN_VOTES:
            raise limits.LimitError(words.too_few_votes(len(votes), options.MIN_VOTES))
        yield TuneFrame(0, steps, len(votes), 0.0)  # at once: the run is being set up
        run = VoteTuning(model, tokenizer, votes, steps, beta, seed)
        book.tuner.run = run
        budget = min(press.left, seconds)
        try:
            for frame in run.run(budget):
                press.seconds = run.seconds
                yield frame
        finally:
            if run.step > 0 and not run.stopped:
                book.publish(run.result())
        done = run.frame()
        done.done = True
        yield done


def finished_text(frame: TuneFrame) -> str:
    return words.tuned(frame.step, frame.votes, frame.seconds)

