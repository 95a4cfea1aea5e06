"""The GPT tab's choices, limits and widget defaults, torch-free so either UI can be built without
loading torch. The one place both front ends take their ranges and starting values from."""

from __future__ import annotations

from shared import limits

BUNDLED = "gpt-kjv"  # the pre-trained base, and the fallback when a Hub model cannot be loaded
SFT_ASSISTANT = "gpt-kjv-sft"  # the base taught to chat by supervised fine-tuning
DPO_ASSISTANT = "gpt-kjv-dpo"  # the SFT model tuned on preference pairs
# The tab's default: the stage whose card measures best on held-out phrasings. Today that is DPO: as often
# on the right concept as SFT, and more of its answers meet every rule (see both cards).
ASSISTANT = DPO_ASSISTANT
DEFAULT_HUB = "HuggingFaceTB/SmolLM2-135M-Instruct"
MODEL_CHOICES = [
    ("gpt-kjv-dpo (bundled assistant: taught to chat by supervised fine-tuning, then tuned on preference pairs by DPO)",
     DPO_ASSISTANT),
    ("gpt-kjv-sft (bundled: the base taught to chat by supervised fine-tuning only)", SFT_ASSISTANT),
    ("gpt-kjv (bundled base: 2.2 M parameters, pre-trained here on the King James Bible, no chat training)", BUNDLED),
    ("HuggingFaceTB/SmolLM2-135M-Instruct (Hub: a chat model, 135 M parameters)", DEFAULT_HUB),
    ("distilgpt2 (Hub: GPT-2 distilled, 82 M parameters, no chat training)", "distilgpt2"),
]
BUNDLED_MODELS: tuple[str, ...] = (DPO_ASSISTANT, SFT_ASSISTANT, BUNDLED)

NEW_TOKENS = limits.IntRange("number of new tokens", 1, 512)
TEMPERATURE = limits.FloatRange("temperature", 0.0, 2.0)  # 0 = greedy: always the most likely token
TOP_K = limits.IntRange("top-k", 0, 1000)  # 0 = no top-k cut
TOP_P = limits.FloatRange("top-p", 0.01, 1.0)  # 1 = no nucleus cut
MESSAGE_CHARS = 2_000  # one chat message
HISTORY_MESSAGES = 200  # messages in one conversation
CANDIDATES = limits.IntRange("number of candidates shown", 2, 40)
ATTENTION_TOKENS = 48  # the attention map shows at most the last 48 tokens: more is unreadable
COMPARE_TEMPERATURES = (0.5, 1.0, 1.5)  # beside greedy decoding
COMPARE_LABELS = ("greedy (T = 0)", *[f"sampled, T = {t}" for t in COMPARE_TEMPERATURES])
COMPARE_TOKENS = limits.IntRange("number of new tokens to compare", 1, 120)

# pre-training live: a character-level transformer trained in the session
TRAIN_TEXT_CHARS = 200_000
TRAIN_TEXT_MIN_CHARS = 200
TRAIN_SECONDS = limits.IntRange("training time in seconds", 5, 180)
TRAIN_EXCERPT_CHARS = 20_000  # the training text a visitor starts from: the corpus's beginning
ANSWER_RUNNING = "The model is still writing its answer: press Stop first, or wait for it to finish."


Slider = limits.Slider  # the slider spec both UIs build from (shared/limits.py)


DEFAULT_MESSAGE = "What is a GAN?"
DEFAULT_COMPARE_PROMPT = "What is temperature?"
# the assistant's longest taught answer is 84 tokens: room for it and its end-of-turn token
MAX_NEW_SLIDER = Slider(NEW_TOKENS, 100, 1)
TEMPERATURE_SLIDER = Slider(TEMPERATURE, 0.8, 0.05)
TOP_K_SLIDER = Slider(limits.IntRange(TOP_K.name, 0, 200), 40, 1)  # beyond 200 the cut barely changes a thing
TOP_P_SLIDER = Slider(limits.FloatRange(TOP_P.name, 0.05, 1.0), 0.95, 0.01)
COMPARE_TOKENS_SLIDER = Slider(COMPARE_TOKENS, 40, 1)
TRAIN_SECONDS_SLIDER = Slider(TRAIN_SECONDS, 60, 5)
BUNDLED_LAYERS, BUNDLED_HEADS = 4, 4  # the attention widgets before a chat (then: the model's own)
DEFAULT_LAYER = BUNDLED_LAYERS - 1  # the last layer of the bundled model (capped at the model's own last layer)


def default_training_text() -> str:
    """The start of the bundled corpus (read on first use, not when the UI is built)."""
    from shared.corpus import load_corpus

    return load_corpus()[:TRAIN_EXCERPT_CHARS]


# ---- presenter links: ?tab=gpt&present=1&temp=0.7&message=In+the+beginning opens the chat as on a slide ----
from shared import presenter  # noqa: E402 (kept beside what it declares)

LINK_PARAMS: dict[str, presenter.LinkParam] = {
    "model": presenter.choice_param("model", tuple(spec for _, spec in MODEL_CHOICES)),
    "message": presenter.text_param("message", MESSAGE_CHARS),
    "tokens": presenter.int_param(MAX_NEW_SLIDER.shown),
    "temp": presenter.float_param(TEMPERATURE_SLIDER.shown),
    "top_k": presenter.int_param(TOP_K_SLIDER.shown),
    "top_p": presenter.float_param(TOP_P_SLIDER.shown),
    "seed": presenter.int_param(limits.SEED),
}
# the bundled assistant asked about a concept, sampled a little cooler than the default
LINK_EXAMPLE: dict[str, str] = {"temp": "0.7", "top_k": "40", "message": "What is mode collapse?", "tokens": "100", "seed": "1"}
