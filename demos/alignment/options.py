"""The Alignment tab's limits and defaults, torch-free: the one place both front ends take them from."""

from __future__ import annotations

from demos.alignment.model import SFT
from shared import limits, presenter
from shared.limits import Slider
from shared.rooms import ROOM_CHARS, check_room  # noqa: F401 (the room rules live in shared/rooms.py)

PROMPT_CHARS = 300  # one question
MAX_NEW = limits.IntRange("number of new tokens", 8, 120)
ANSWER_TOKENS = 96  # each answer of the side-by-side and of a pair (the longest taught answer is about 75)
COMPARE_TEMPERATURE = 0.7  # the three stages side by side: the assistant's sampling
PAIR_TEMPERATURE = 0.8  # the two answers of a pair: a little hotter than the assistant's, so they differ
BETA = limits.FloatRange("beta", 0.01, 2.0)
BETA_SLIDER = Slider(BETA, 0.5, 0.01)  # the bundled DPO stage's beta
DEFAULT_PROMPT = "What is a GAN?"
DEFAULT_SEED = 1  # the side by side's seed: each stage's typical answer to the default question
FLAW_CHOICES = ("wrong_topic", "scripture", "repetition", "rambling")  # chat_data.FLAWS, for the worked pair

# the audience's votes
MIN_VOTES = 8  # "Tune on these votes" needs at least this many
MAX_VOTES = 64  # per room or session: the tuning batch stays small enough for 2 cores
MAX_ROOMS = 12  # rooms alive at once (a room idle for ROOM_IDLE_S is dropped)
ROOM_IDLE_S = 3 * 3600
RULE_PAIRS = limits.IntRange("number of questions the rules vote on", 4, 32)
RULE_PAIRS_SLIDER = Slider(RULE_PAIRS, 16, 1)

# live tuning on the votes: a fresh LoRA adapter over the room's (or session's) current model, which
# starts as the SFT stage (the audience does by hand what the DPO stage did with rules)
TUNE_FROM = SFT
TUNE_STEPS = limits.IntRange("number of tuning steps", 1, 200)
TUNE_STEPS_SLIDER = Slider(TUNE_STEPS, 20, 1)  # 16 votes: about 10 s on 2 cores
TUNE_SECONDS = 30.0  # one press tunes at most this long
TUNE_LR = 1e-4  # 5e-4 pushed KL to 0.13 nats/token in 20 steps and the rules' check fell 12 points
TUNE_RANK, TUNE_ALPHA = 8, 16.0
TUNE_BETA = 0.2
TUNE_SFT_WEIGHT = 1.0  # weight of the chosen answers' per-token NLL beside the DPO loss (holds fluency)

CHECK_QUESTIONS = 32  # "Check with the rules": held-out questions answered by the current model


def check_prompt(text: object) -> str:
    """A question: some text, at most PROMPT_CHARS, no control characters but line breaks."""
    text = limits.check_text("question", text, PROMPT_CHARS)
    if any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in text):
        raise limits.LimitError("The question may not contain control characters.")
    return text.strip()


# ---- presenter links: ?tab=alignment&room=talk1 pools the votes of everyone who opens it ----
LINK_PARAMS: dict[str, presenter.LinkParam] = {
    "room": presenter.LinkParam(parse=check_room),
    "prompt": presenter.text_param("question", PROMPT_CHARS),
    "seed": presenter.int_param(limits.SEED),
}
LINK_EXAMPLE: dict[str, str] = {"room": "talk", "prompt": "What is mode collapse?", "seed": "0"}
