"""The rules that read an answer, standing in for a person's judgement: does it carry the asked topic's
key terms, does it end its turn, does it repeat itself, does it drift into scripture, is it far longer
than the taught answer. They rank the SFT model's own samples into preference pairs, score the cards'
figures, and are the checkable reward of the Alignment tab. Pure Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from demos.alignment.topics import BY_KEY

# words of the King James Bible that no answer about machine learning uses
SCRIPTURE_WORDS = frozenset({"thee", "thou", "thy", "thine", "unto", "hath", "shalt", "saith", "lord", "ye",
                             "begat", "israel", "behold", "spake"})
REPEAT_NGRAM = 5  # a run of 5 words said twice is a repetition
TOO_LONG = 1.6  # answers past 1.6 times the taught answer's length ramble


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9'-]+", text.lower())


def on_topic(answer: str, topic: str) -> bool:
    """The answer carries every key term of the topic (the concept measure)."""
    text = answer.lower()
    return all(term in text for term in BY_KEY[topic].terms)


def repeats(answer: str, n: int = REPEAT_NGRAM) -> bool:
    ws = words(answer)
    grams = [tuple(ws[i:i + n]) for i in range(len(ws) - n + 1)]
    return len(grams) != len(set(grams))


def scriptural(answer: str) -> bool:
    return any(w in SCRIPTURE_WORDS for w in words(answer))


def rambles(answer: str, topic: str) -> bool:
    return len(words(answer)) > TOO_LONG * max(len(words(BY_KEY[topic].answer)), 8)


@dataclass(frozen=True)
class Verdict:
    """What the rules read in one answer; `score` orders answers (higher is better)."""

    on_topic: bool
    ends_turn: bool
    repeats: bool
    scriptural: bool
    rambles: bool

    @property
    def score(self) -> int:
        return 3 * self.on_topic + self.ends_turn + (not self.repeats) + (not self.scriptural) + (not self.rambles)

    @property
    def good(self) -> bool:
        """Everything right: on topic, ended, no repetition, no scripture, no rambling."""
        return self.score == 7


def judge(answer: str, topic: str, ends_turn: bool) -> Verdict:
    """The rules' verdict on `answer` to a question about `topic`; ends_turn: the model wrote its
    end-of-turn token (rather than running out of tokens)."""
    return Verdict(on_topic(answer, topic), ends_turn, repeats(answer), scriptural(answer), rambles(answer, topic))
