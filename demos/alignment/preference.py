"""The DPO objective written out, for the tab's worked example and for tuning on the audience's votes.

For a prompt x, a chosen answer y_w and a rejected one y_l, a policy pi and a frozen reference ref:

    r(y)  = beta * (log pi(y | x) - log ref(y | x))          the implicit reward of an answer
    L     = -log sigmoid(r(y_w) - r(y_l))                     the DPO loss of the pair
    margin = r(y_w) - r(y_l); the pair is "right" when the margin is above 0.

log pi(y | x) is the sum over the answer's tokens of log p(y_t | x, y_<t), the end-of-turn token
included. The same quantities TRL's DPOTrainer logs as rewards/chosen, rewards/rejected,
rewards/margins and rewards/accuracies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

DEFAULT_BETA = 0.1


def answer_token_logprobs(model, prompt_ids: list[int], answer_ids: list[int]) -> torch.Tensor:  # noqa: ANN001
    """log p(y_t | x, y_<t) for each token of the answer: shape (len(answer_ids),)."""
    ids = torch.tensor([prompt_ids + answer_ids])
    logits = model(input_ids=ids).logits[0, len(prompt_ids) - 1:-1]  # the positions that predict the answer
    return torch.log_softmax(logits.float(), dim=-1).gather(1, torch.tensor(answer_ids)[:, None])[:, 0]


def sequence_logprob(model, prompt_ids: list[int], answer_ids: list[int]) -> torch.Tensor:  # noqa: ANN001
    """log pi(y | x), a 0-d tensor (differentiable when the model is)."""
    return answer_token_logprobs(model, prompt_ids, answer_ids).sum()


@dataclass(frozen=True)
class PairTerms:
    """Every number of the DPO loss for one pair, for the worked example."""

    policy_chosen: float  # log pi(y_w | x)
    policy_rejected: float
    ref_chosen: float  # log ref(y_w | x)
    ref_rejected: float
    beta: float

    @property
    def reward_chosen(self) -> float:
        return self.beta * (self.policy_chosen - self.ref_chosen)

    @property
    def reward_rejected(self) -> float:
        return self.beta * (self.policy_rejected - self.ref_rejected)

    @property
    def margin(self) -> float:
        return self.reward_chosen - self.reward_rejected

    @property
    def loss(self) -> float:
        return -math.log(1.0 / (1.0 + math.exp(-self.margin)))


def dpo_loss(policy_chosen: torch.Tensor, policy_rejected: torch.Tensor, ref_chosen: torch.Tensor,
             ref_rejected: torch.Tensor, beta: float = DEFAULT_BETA) -> tuple[torch.Tensor, torch.Tensor]:
    """(mean loss, margins) over a batch of pairs; every argument has shape (pairs,)."""
    margins = beta * ((policy_chosen - ref_chosen) - (policy_rejected - ref_rejected))
    return -F.logsigmoid(margins).mean(), margins.detach()


@dataclass(frozen=True)
class WorkedPair:
    question: str
    chosen: str
    rejected: str
    flaw: str
    terms: PairTerms


def worked_pair(flaw: str, beta: float, topic: str = "gan") -> WorkedPair:
    """The DPO loss of one pair, every number of it: the taught answer to a question about `topic`
    against an answer with `flaw` (chat_data.FLAWS), the DPO stage as the policy, SFT as the reference."""
    import random

    from demos.alignment import answers, chat_data
    from demos.alignment.model import DPO, SFT
    from shared import limits

    flaw = limits.check_choice("flaw", flaw, chat_data.FLAWS)
    beta = limits.FloatRange("beta", 0.01, 2.0).check(beta)
    example = next(e for e in chat_data.concept_examples("held_out") if e.topic == topic)
    question = example.messages()[-2]["content"]
    scripture = ["And the LORD spake unto Moses, saying, Speak unto the children of Israel, that they bring me an offering."]
    rejected = chat_data.flawed_answer(example, flaw, random.Random(0), scripture)
    chosen = example.answers[-1]
    policy, tokenizer = answers.stage(DPO)
    reference, _ = answers.stage(SFT)
    prompt = answers.prompt_ids(tokenizer, question)
    ids = [answers.answer_ids(tokenizer, chosen), answers.answer_ids(tokenizer, rejected)]
    pc, pr = (sum(s) for s in answers.token_logprobs(policy, prompt, ids))
    rc, rr = (sum(s) for s in answers.token_logprobs(reference, prompt, ids))
    return WorkedPair(question, chosen, rejected, flaw, PairTerms(pc, pr, rc, rr, beta))
