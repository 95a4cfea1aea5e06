"""The assistant's conversations, written here from demos/alignment/topics.py (no download), in TRL's
conversational prompt-completion format:

    {"prompt": [{"role": "user", "content": "What is a GAN?"}],
     "completion": [{"role": "assistant", "content": "A GAN trains two networks ..."}]}

Phrasings come in two splits, so that generalisation is measured rather than memorised:
- **train**: each concept under each of its names in the training question templates ("What is
  {x}?", "Explain {x}.", "{X}?", ...), in three letter cases; the small-talk and refusal questions of
  the train list; and two-turn conversations (a greeting, then a question).
- **held_out**: question templates no training phrasing uses ("Could you describe {x} in simple
  terms?", "I keep hearing about {x}. What is it?") and the held-out small-talk and refusal
  questions. Nothing of it is trained on.

Also the rule-built preference pairs DPO starts from (chosen: the taught answer; rejected: another
topic's answer, a scripture-style continuation, repetition, or rambling past the end of the turn).
Pure Python: no torch, no UI.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from demos.alignment.topics import CONCEPTS, SHAPES_WORLD, SMALL_TALK, TOPICS, Name, Topic

Split = Literal["train", "held_out"]

# {x}: the name with its article ("a GAN"); the plural templates take plural names ("GANs")
TRAIN_SINGULAR = (
    "What is {x}?", "what is {x}", "What's {x}?", "Explain {x}.", "explain {x}", "Can you explain {x}?",
    "Tell me about {x}.", "tell me about {x}", "How does {x} work?", "Describe {x}.", "What does {x} do?",
    "{x}?", "Define {x}.", "Help me understand {x}.", "I want to know about {x}.",
    "Give me a short explanation of {x}.", "What do people mean by {x}?", "Please explain {x}.",
)
TRAIN_PLURAL = (
    "What are {x}?", "what are {x}", "Explain {x}.", "explain {x}", "Can you explain {x}?", "Tell me about {x}.",
    "How do {x} work?", "Describe {x}.", "What do {x} do?", "{x}?", "Help me understand {x}.",
    "I want to know about {x}.", "Please explain {x}.",
)
HELD_OUT_SINGULAR = (
    "Could you describe {x} in simple terms?", "In one sentence, what is {x}?", "I keep hearing about {x}. What is it?",
    "Quick question: what's {x}?", "So what exactly is {x}?", "Can you give me an overview of {x}?",
    "{x}: what is that?", "I'm new here. What is {x}?",
)
HELD_OUT_PLURAL = (
    "Could you describe {x} in simple terms?", "In one sentence, what are {x}?",
    "I keep hearing about {x}. What are they?", "So what exactly are {x}?", "Can you give me an overview of {x}?",
    "I'm new here. What are {x}?",
)
# Lead-ins for the second turn of a two-turn conversation (the first turn is a greeting)
FOLLOW_UPS = ("", "Ok. ", "Then ", "Next question: ", "And ")


@dataclass(frozen=True)
class Example:
    """One conversation to learn or to score: the user's turns, the topic of the last one, and the
    taught answers (one per user turn)."""

    questions: tuple[str, ...]
    answers: tuple[str, ...]
    topic: str  # the key of the last question's topic
    split: Split

    @property
    def question(self) -> str:
        return self.questions[-1]

    def messages(self, upto: int | None = None) -> list[dict[str, str]]:
        """The conversation as chat messages; the last assistant turn left out when upto = -1."""
        out: list[dict[str, str]] = []
        for q, a in zip(self.questions, self.answers):
            out += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
        return out[:upto] if upto else out

    def prompt_completion(self) -> dict[str, list[dict[str, str]]]:
        """TRL's conversational prompt-completion form: the loss falls on the last answer only."""
        messages = self.messages()
        return {"prompt": messages[:-1], "completion": messages[-1:]}


def _cases(text: str) -> tuple[str, ...]:
    """The text as typed, all lower case, and with its first letter capitalised."""
    return tuple(dict.fromkeys((text, text.lower(), text[:1].upper() + text[1:])))


def _concept_questions(topic: Topic, split: Split) -> Iterator[str]:
    for name in topic.names:
        singular, plural = (TRAIN_SINGULAR, TRAIN_PLURAL) if split == "train" else (HELD_OUT_SINGULAR, HELD_OUT_PLURAL)
        for template in plural if name.plural else singular:
            yield from _cases(_fill(template, name))


def _fill(template: str, name: Name) -> str:
    # "{x}?" alone reads better with the bare name: "GAN?" rather than "a GAN?"
    x = name.bare if template == "{x}?" else name.text
    text = template.format(x=x)
    return text[:1].upper() + text[1:] if template.startswith("{x}") else text


def questions(topic: Topic, split: Split) -> list[str]:
    """Every question of one topic in one split, without repeats."""
    if topic.names:
        return list(dict.fromkeys(_concept_questions(topic, split)))
    asked = topic.questions if split == "train" else topic.held_out_questions
    return list(dict.fromkeys(asked))


def examples(split: Split, seed: int = 0, two_turn: int = 400) -> list[Example]:
    """Every single-turn conversation of the split, then `two_turn` two-turn ones (a greeting, then a
    question of the same split), shuffled with `seed`."""
    rng = random.Random(seed)
    out = [Example((q,), (t.answer,), t.key, split) for t in TOPICS for q in questions(t, split)]
    greetings = [q for q in questions(SMALL_TALK[0], split)]
    askable = [e for e in out if e.topic not in {t.key for t in SMALL_TALK}]
    hello = SMALL_TALK[0].answer
    for _ in range(two_turn if split == "train" else two_turn // 4):
        first, second = rng.choice(greetings), rng.choice(askable)
        lead = rng.choice(FOLLOW_UPS)
        q = lead + (second.question[:1].lower() + second.question[1:] if lead else second.question)
        out.append(Example((first, q), (hello, second.answers[0]), second.topic, split))
    rng.shuffle(out)
    return out


def concept_examples(split: Split) -> list[Example]:
    """The single-turn questions about concepts and the shapes world: what the concept measure reads."""
    keys = {t.key for t in (*CONCEPTS, *SHAPES_WORLD)}
    return [e for e in examples(split, two_turn=0) if e.topic in keys]


def sft_rows(seed: int = 0, scrambled: int = 0) -> list[dict[str, list[dict[str, str]]]]:
    """The SFT training set (train split) as TRL rows; with `scrambled`, also that many questions per
    concept and shapes-world topic that are its name among random words (`scrambled_question`: no
    three words of a held-out template), so the model learns to read the name, not the template."""
    rows = [e.prompt_completion() for e in examples("train", seed)]
    if scrambled:
        rng = random.Random(seed + 1)
        rows += [e.prompt_completion() for e in scrambled_examples(scrambled, rng)]
        rng.shuffle(rows)
    return rows


# ---- rule-built preference pairs -----------------------------------------------------------------
Flaw = Literal["wrong_topic", "scripture", "repetition", "rambling"]
FLAWS: tuple[str, ...] = ("wrong_topic", "scripture", "repetition", "rambling")


def flawed_answer(example: Example, flaw: str, rng: random.Random, scripture: list[str]) -> str:
    """A worse answer to the example's last question, with one named flaw."""
    answer = example.answers[-1]
    if flaw == "wrong_topic":
        other = rng.choice([t for t in TOPICS if t.key != example.topic and t.kind == "concept"])
        return other.answer
    if flaw == "scripture":
        return rng.choice(scripture)
    first = answer.split(". ")[0].rstrip(".") + "."
    if flaw == "repetition":
        return " ".join([first] * 4)
    if flaw == "rambling":
        extra = rng.sample([t.answer for t in CONCEPTS if t.key != example.topic], 2)
        return " ".join([answer, *extra])
    raise ValueError(f"unknown flaw {flaw!r}")


def rule_pairs(scripture: list[str], seed: int = 0, per_example: int = 1) -> list[dict]:
    """DPO rows {"prompt", "chosen", "rejected"} (conversational) over the train split: the taught
    answer against `per_example` flawed ones. scripture: verses to stand for a base-model answer."""
    rng = random.Random(seed)
    rows = []
    for example in examples("train", seed):
        prompt = example.messages()[:-1]
        for flaw in rng.sample(FLAWS, per_example):
            rows.append({"prompt": prompt, "chosen": [{"role": "assistant", "content": example.answers[-1]}],
                         "rejected": [{"role": "assistant", "content": flawed_answer(example, flaw, rng, scripture)}],
                         "flaw": flaw, "topic": example.topic})
    return rows


# ---- DPO's prompts: the training questions dressed in lead-ins and tails SFT never saw ------------
# (none of them begins or ends a held-out template, so the held-out split stays unseen)
LEAD_INS = ("Hey, ", "Hello! ", "Sorry, ", "Um, ", "OK so ", "Dear assistant, ", "One more: ", "Hmm. ")
TAILS = (" Thanks.", " Please answer briefly.", " I am curious.", "??", " (for a talk)", " Be clear.")


# Scrambled prompts: the name among random words, so no template's wording predicts the topic (the SFT
# model answers "Could you describe CLIP in simple terms?" with the shapes-world answer: it keyed on the
# template). The words include the held-out templates' words one by one, but no prompt holds any run
# of three words of a held-out template (checked), so the held-out phrasings stay unseen.
FILLER = ("could", "you", "describe", "in", "simple", "terms", "one", "sentence", "keep", "hearing", "about", "quick",
          "question", "so", "exactly", "give", "me", "an", "overview", "of", "new", "here", "that", "please", "know",
          "really", "the", "idea", "tell", "basics", "short", "explain", "concept", "behind", "meaning", "now", "friend",
          "asked", "wonder", "curious", "learn", "class", "teacher", "paper", "read", "what", "is", "it", "are",
          "how", "why", "works", "used", "for", "talk", "slide", "okay", "hi", "and", "again")


def _held_out_trigrams() -> set[tuple[str, ...]]:
    grams = set()
    for template in (*HELD_OUT_SINGULAR, *HELD_OUT_PLURAL):
        for part in template.lower().split("{x}"):
            ws = re.findall(r"[a-z']+", part)
            grams |= {tuple(ws[i:i + 3]) for i in range(len(ws) - 2)}
    return grams


def scrambled_question(name: Name, rng: random.Random, held_out: set[tuple[str, ...]]) -> str:
    """The name among 1 to 8 random filler words, never holding three words of a held-out template."""
    while True:
        before = [rng.choice(FILLER) for _ in range(rng.randint(0, 5))]
        after = [rng.choice(FILLER) for _ in range(rng.randint(0 if before else 1, 4))]
        ws = before + ["{x}"] + after
        words_only = [w for w in ws if w != "{x}"]
        if not any(tuple(words_only[i:i + 3]) in held_out for i in range(len(words_only) - 2)) and \
                not any(tuple(ws[i:i + 3]) in held_out for i in range(len(ws) - 2)):
            text = " ".join(ws).replace("{x}", rng.choice((name.text, name.bare)))
            text += rng.choice(("?", ".", "", "?"))
            return text[:1].upper() + text[1:] if rng.random() < 0.5 else text


def dpo_prompts(seed: int = 0, per_topic: int = 20, scrambled: int = 0) -> list[Example]:
    """Fresh prompts for DPO to sample the SFT model on: per concept or shapes-world topic,
    `per_topic` training questions with a lead-in, a tail or both, and `scrambled` questions that are
    the topic's name among random words."""
    rng = random.Random(seed)
    by_topic: dict[str, list[Example]] = {}
    for e in concept_examples("train"):
        by_topic.setdefault(e.topic, []).append(e)
    out = []
    for topic, items in sorted(by_topic.items()):
        for e in rng.sample(items, min(per_topic, len(items))):
            q = e.question
            dressed = rng.choice((rng.choice(LEAD_INS) + q[:1].lower() + q[1:], q + rng.choice(TAILS),
                                  rng.choice(LEAD_INS) + q[:1].lower() + q[1:] + rng.choice(TAILS)))
            out.append(Example((dressed,), e.answers, topic, "train"))
    return out + scrambled_examples(scrambled, rng)


def scrambled_examples(per_topic: int, rng: random.Random) -> list[Example]:
    """per_topic questions for each concept and shapes-world topic that are one of its names among
    random filler words (scrambled_question), with the topic's taught answer."""
    held_out = _held_out_trigrams()
    answers = {e.topic: e.answers for e in concept_examples("train")}
    out = []
    for topic in sorted(answers):
        names = [t for t in TOPICS if t.key == topic][0].names
        for _ in range(per_topic if names else 0):
            q = scrambled_question(rng.choice(names), rng, held_out)
            out.append(Example((q,), answers[topic], topic, "train"))
    return out
