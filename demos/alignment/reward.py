"""A reward you can check: the rules (demos/alignment/rules.py) vote instead of a person, and score the
model on held-out questions before and after tuning. Reward-driven tuning with no human in the loop:
the same votes book and the same live DPO as the audience's votes.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass

from demos.alignment import answers, options, rules
from demos.alignment import wording as words
from demos.alignment.votes import Book, Pair, Seat, _pair_ids, current_model
from shared import limits
from shared.memo import memoised


@dataclass(frozen=True)
class RulePair:
    question: str
    answers: tuple[str, str]
    scores: tuple[int, int]  # the rules' score of each answer (higher is better; 7 = every rule met)
    counted: bool  # the scores differed: a vote was added


def held_out(n: int, seed: int) -> list[tuple[str, str]]:
    """n held-out (question, topic) pairs, a seeded choice."""
    from demos.alignment import chat_data

    pool = chat_data.concept_examples("held_out")
    return [(e.messages()[-2]["content"], e.topic) for e in random.Random(seed).sample(pool, n)]


def rules_vote(seat: Seat, book: Book, n: object, seed: object) -> tuple[list[RulePair], str]:
    """The model answers n held-out questions twice; the rules vote where the two scores differ.
    The pairs with their scores, and a status line."""
    if seat.closed:
        raise limits.LimitError(words.SESSION_CLOSED)
    n, seed = options.RULE_PAIRS.check(n), limits.SEED.check(seed)
    model, tokenizer, generation = current_model(book)
    asked = held_out(n, seed)
    prompts = [answers.prompt_ids(tokenizer, q) for q, _ in asked]
    made = answers.sample_each(model, tokenizer, prompts, seed, options.PAIR_TEMPERATURE, per_prompt=2)
    shown: list[RulePair] = []
    for (question, topic), (a, b) in zip(asked, made):
        sa, sb = rules.judge(a.text, topic, a.ended).score, rules.judge(b.text, topic, b.ended).score
        counted = sa != sb and book.count < options.MAX_VOTES
        if counted:
            book.add(Pair(next(_pair_ids), question, (a.text, b.text), generation, topic), "A" if sa > sb else "B",
                     by="rules")
        shown.append(RulePair(question, (a.text, b.text), (sa, sb), counted))
    return shown, words.rule_votes(sum(p.counted for p in shown), n, book.count)


@dataclass(frozen=True)
class Check:
    """The rules' reading of one model on the check questions."""

    good: float  # share meeting every rule
    on_topic: float
    ended: float
    mean_words: float
    mean_score: float  # of 7


def check(model, tokenizer, seed: int = 0, n: int = options.CHECK_QUESTIONS) -> Check:  # noqa: ANN001
    """One answer (the assistant's sampling) to each of n fixed held-out questions, read by the rules."""
    asked = held_out(n, 10_000 + seed)
    prompts = [answers.prompt_ids(tokenizer, q) for q, _ in asked]
    made = [m[0] for m in answers.sample_each(model, tokenizer, prompts, seed, options.COMPARE_TEMPERATURE)]
    verdicts = [rules.judge(a.text, t, a.ended) for (_, t), a in zip(asked, made)]
    return Check(statistics.fmean(v.good for v in verdicts), statistics.fmean(v.on_topic for v in verdicts),
                 statistics.fmean(v.ends_turn for v in verdicts), statistics.fmean(len(rules.words(a.text)) for a in made),
                 statistics.fmean(v.score for v in verdicts))


def check_book(book: Book, seed: object = 0) -> tuple[Check, Check]:
    """(the starting stage, the book's current model), on the same questions and seed."""
    seed = limits.SEED.check(seed)
    start, tokenizer = answers.stage(options.TUNE_FROM)
    model, _, _ = current_model(book)
    first = start_check(seed)
    return first, (first if model is start else check(model, tokenizer, seed))


@memoised(maxsize=16)
def start_check(seed: int) -> Check:
    """check() of the stage tuning starts from: the same for every visitor (an audience pressing
    Check at once waits for one reading, not thirty)."""
    start, tokenizer = answers.stage(options.TUNE_FROM)
    return check(start, tokenizer, seed)
