"""The GPT tab's choices and limits, torch-free so the UI can be built without loading torch."""

from __future__ import annotations

from shared import limits

BUNDLED = "gpt-kjv"
DEFAULT_HUB = "HuggingFaceTB/SmolLM2-135M-Instruct"
MODEL_CHOICES = [
    ("gpt-kjv (bundled: 2.2 M parameters, pre-trained here on the King James Bible)", BUNDLED),
    ("HuggingFaceTB/SmolLM2-135M-Instruct (Hub: a chat model, 135 M parameters)", DEFAULT_HUB),
    ("distilgpt2 (Hub: GPT-2 distilled, 82 M parameters, no chat training)", "distilgpt2"),
]

NEW_TOKENS = limits.IntRange("number of new tokens", 1, 512)
TEMPERATURE = limits.FloatRange("temperature", 0.0, 2.0)  # 0 = greedy: always the most likely token
TOP_K = limits.IntRange("top-k", 0, 1000)  # 0 = no top-k cut
TOP_P = limits.FloatRange("top-p", 0.01, 1.0)  # 1 = no nucleus cut
MESSAGE_CHARS = 2_000  # one chat message
HISTORY_MESSAGES = 200  # messages in one conversation
CANDIDATES = limits.IntRange("number of candidates shown", 2, 40)
ATTENTION_TOKENS = 48  # the attention map shows at most the last 48 tokens: more is unreadable
COMPARE_TEMPERATURES = (0.5, 1.0, 1.5)  # beside greedy decoding
COMPARE_TOKENS = limits.IntRange("number of new tokens to compare", 1, 120)

# pre-training live: a character-level transformer trained in the session
TRAIN_TEXT_CHARS = 200_000
TRAIN_TEXT_MIN_CHARS = 200
TRAIN_SECONDS = limits.IntRange("training time in seconds", 5, 180)
