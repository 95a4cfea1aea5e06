"""Every sentence the Alignment tab and page show, written once."""

from __future__ import annotations

TITLE = "Alignment: from text predictor to assistant"
SUBTITLE = ("The same 2-million-parameter GPT three times: pre-trained on the King James Bible, then taught "
            "to answer by examples (SFT), then tuned on preferences (DPO). Then you vote, and tune it yourself.")

COMPARE_HEADING = "One question, three stages"
COMPARE_INTRO = ("Each stage answers the same question with the same seed. The table beneath says how likely each "
                 "stage finds every answer: the mean log-probability per token (closer to 0 is more likely). The "
                 "base finds the assistants' answers unlikely, and they find its scripture unlikely: fine-tuning "
                 "moved the probability mass, which is all it can do.")
OBJECTIVES_HEADING = "What SFT and DPO optimise"
OBJECTIVES_INTRO = (
    "**SFT** lowers the cross-entropy of the taught answers' tokens, the prompt's tokens left out: "
    "$L = -\\frac{1}{|y|}\\sum_t \\log \\pi(y_t \\mid x, y_{<t})$. "
    "**DPO** takes a pair, a chosen answer $y_w$ and a rejected one $y_l$, and a frozen reference (the SFT model): "
    "$L = -\\log \\sigma\\big(\\beta[(\\log \\pi(y_w|x) - \\log \\pi_{ref}(y_w|x)) - "
    "(\\log \\pi(y_l|x) - \\log \\pi_{ref}(y_l|x))]\\big)$. "
    "No reward model is trained: the log-ratio against the reference is the reward. The curves are the ones "
    "TRL logged while training the bundled stages.")
WORKED_HEADING = "The DPO loss of one pair, worked through"
WORKED_INTRO = ("A chosen answer (the taught one) against a rejected one with a flaw you pick, scored by the DPO "
                "stage (the policy) and the SFT stage (the reference).")
VOTE_HEADING = "You tune it: vote, then tune on the votes"
VOTE_INTRO = (
    "Draw a pair: two answers of the current model to one question. Pick the better one. After {min_votes} votes, "
    "**Tune on these votes** runs a short DPO on them, here and now (a fresh LoRA adapter; the reference is the "
    "model before the run), and the next answers come from the tuned model. **Reset** goes back to the SFT stage. "
    "Open the tab with `?tab=alignment&room=<name>` and everyone on that link votes into one room and tunes one "
    "model together; without a room, your votes stay in your session.")
RULES_HEADING = "A reward you can check: the rules vote"
RULES_INTRO = (
    "No person needed: the model answers held-out questions twice, and a rule scores each answer (the right "
    "concept's key terms, an end to its turn, no repetition, no scripture, not rambling). Where the scores differ, "
    "the better answer wins the vote. Then tune as above, and check: the rules' score on {n} held-out questions "
    "before and after.")

PRESS_COMPARE = "Press **Compare** to see the three stages answer."
PRESS_DRAW = "Press **Draw a pair**."
NO_PAIR = "There is no pair to vote on: press Draw a pair first (each pair takes one vote)."
STALE_PAIR = ("This pair was drawn before the model changed (it was tuned or reset since): its answers are not the "
              "model's any more. Draw a new pair.")
ALREADY_VOTED = "This pair's vote is already counted: draw a new pair."
SESSION_CLOSED = "This session has closed: reload the page to vote again."
TUNING_RUNNING = ("The model of these votes is being tuned right now (perhaps by another visitor in the room): its "
                  "answers change when the run ends.")
NOTHING_TUNED = "Nothing tuned yet: these answers are the SFT stage's."


def book_full(cap: int) -> str:
    return f"This book holds {cap} votes, the most it takes: press Tune on these votes, or Reset."


def too_few_votes(have: int, need: int) -> str:
    return f"Tuning needs at least {need} votes; there are {have}. Draw pairs and vote on {need - have} more."


def tuned(steps: int, votes: int, seconds: float) -> str:
    return (f"Tuned: {steps} steps on {votes} votes in {seconds:.1f} s. The next pairs come from the tuned model; "
            "the votes are spent (vote again to tune further).")


def book_status(room: str, votes: int, rounds: int, min_votes: int) -> str:
    where = f"Room **{room}**" if room else "Your session (no room)"
    model = f"the SFT stage tuned {rounds} time{'s' if rounds != 1 else ''} on votes" if rounds else "the SFT stage"
    need = "" if votes >= min_votes else f" · {min_votes - votes} more to tune"
    return f"{where} · **{votes} vote{'s' if votes != 1 else ''}**{need} · answering: {model}"


def rule_votes(added: int, asked: int, total: int) -> str:
    return (f"The rules voted on {added} of {asked} pairs (the others scored the same); the book holds {total} "
            "votes.")
