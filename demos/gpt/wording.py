"""The words both GPT front ends show (title, section headings and introductions, widget help, the
placeholders before a chat), written once so the Gradio tab and the Streamlit page say the same thing."""

from __future__ import annotations

from demos.gpt import options

TITLE = "GPT: a transformer that predicts the next token, over and over"
SUBTITLE = ("Chat with a small GPT and watch it work: the tokens it reads, the probabilities it gives every next "
            "token, how temperature, top-k and top-p reshape them, where it attends, and pre-training itself, live.")

CHAT_HEADING = "1 · Chat"
CHAT_INTRO = ("The default model is the bundled assistant: a 2.2 M-parameter GPT pre-trained here on the King James "
              "Bible, taught to answer questions about this suite by supervised fine-tuning (`gpt-kjv-sft`), then "
              "tuned on preference pairs by DPO (`gpt-kjv-dpo`); the Alignment tab shows the three stages side by "
              "side. Pick `gpt-kjv`, the base before "
              "any of that, and it only **continues** the transcript in its corpus's style. Pick "
              f"`{options.DEFAULT_HUB}` for a real general-purpose chat model (it needs the Hub once).")
MESSAGE_INFO = f"at most {options.MESSAGE_CHARS:,} characters"
PRESS_SEND = "Press **Send**."
MODEL_INFO = "or type any Hub id of a causal language model"
TEMPERATURE_INFO = "0 = greedy; below 1 sharper, above 1 flatter"
TOP_K_INFO = "keep the k likeliest tokens; 0 = all"
TOP_P_INFO = "keep the fewest likeliest tokens holding this much probability"

TOKENS_HEADING = "2 · Tokens and the next-token distribution"
CHAT_FIRST = "Chat first."


def tokens_intro(pick: str) -> str:
    """The tokens section's introduction; `pick` says how this front end picks a position."""
    return (f"The last prompt and answer as the model saw them. {pick}: the chart shows the probabilities the model "
            "gave at that position, before and after the temperature, top-k and top-p above (move them and the chart "
            "follows).")


ATTENTION_HEADING = "3 · Attention"
ATTENTION_INTRO = "Each row is a token looking back at the tokens before it (causal: never ahead); every row sums to 1."
LAYER_INFO = "0 = first"
HEAD_INFO = "one head, or the mean over heads"

COMPARE_HEADING = "4 · Greedy against sampled"
COMPARE_INTRO = ("One prompt, continued four ways with the same seed and the model, top-k and top-p above: always the "
                 "likeliest token, then sampling at three temperatures.")

PRETRAIN_HEADING = "5 · Pre-training, live"
PRETRAIN_INTRO = ("A fresh character-level GPT (2 layers, 64 wide) learns to predict the next character of the text "
                  "below, in your session. Watch the loss fall and its samples go from noise to words. Paste any text, "
                  "or keep the corpus excerpt.")
TRAIN_TEXT_INFO = f"{options.TRAIN_TEXT_MIN_CHARS}–{options.TRAIN_TEXT_CHARS:,} characters"
