"""Adapters between Gradio's own data formats and the GPT logic's plain values: the Chatbot's
messages (Gradio 6 sends a message's content as a list of parts) and the HighlightedText spans of
the tokens (which need labels distinct from their neighbours). Gradio's concern only: the logic
takes (role, text) pairs and token pieces."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the tab is built without importing the logic's numpy and torch
    from demos.gpt.lm import Message
    from demos.gpt.views import TokenPiece

ZERO_WIDTH = "\u200b"


def plain_history(history: object) -> object:
    """The Chatbot's value as (role, text) pairs. What is not in Gradio's messages format is
    passed on unchanged, for the logic to refuse in words."""
    if not isinstance(history, list):
        return history
    return [(m.get("role"), _text(m.get("content"))) if isinstance(m, dict) else m for m in history]


def _text(content: object) -> object:
    if isinstance(content, list):  # Gradio 6 may send [{"type": "text", "text": ...}]
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content


def chatbot_messages(conversation: list[Message]) -> list[dict]:
    """(role, text) pairs as the Chatbot shows them."""
    return [{"role": role, "content": text} for role, text in conversation]


def token_spans(pieces: list[TokenPiece]) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(text, label) spans for gr.HighlightedText, one per token, labelled by token id ("→" marks
    the generated ones), and the colour of each label. Span k is token k, so a click's index is a
    position: labels of neighbours are kept distinct (the component merges equal neighbours) by
    appending zero-width spaces, which show as nothing."""
    spans: list[tuple[str, str]] = []
    colours: dict[str, str] = {}
    previous = None
    for piece in pieces:
        label = f"{'→' if piece.generated else ''}{piece.token}"
        while label == previous:
            label += ZERO_WIDTH
        colours[label] = piece.colour
        spans.append((piece.text, label))
        previous = label
    return spans, colours
