"""A CLIP tokenizer for the shapes captions: transformers' own CLIPTokenizer (byte-level BPE with
CLIP's end-of-word suffix), given a vocabulary built from the caption words. BPE applies its merges by
rank, not word by word, so two words end up in pieces: 'green' (g re e n, because 'red' made the merge r+e
first) and 'bottom' (bot to m); every other caption word is one token. The longest caption is 15 tokens
("a large green triangle at the bottom right"), within the 16-token context.

    tokenizer = caption_tokenizer()
    tokenizer("a small red circle at the top left")["input_ids"]   # <start>, 8 word ids, <end>

Any other text still tokenizes: a word outside the captions falls back to its bytes, as in CLIP.
Saved with save_pretrained beside the model, so CLIPProcessor.from_pretrained(folder) loads it.
"""

from __future__ import annotations

from shared.datasets import LABEL_NAMES
from shared import heavy

START, END = "<|startoftext|>", "<|endoftext|>"
SUFFIX = "</w>"


def caption_words() -> list[str]:
    """Every word a shapes caption can contain, in a fixed order."""
    words = ["a", "at", "the", "in"]
    for names in LABEL_NAMES.values():
        for name in names:
            words += [w for w in name.split() if w not in words]
    return words


def vocabulary(words: list[str]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """CLIP-style BPE vocabulary and merges: the byte alphabet (alone and word-final), then for each
    word the merges that build it from its characters left to right, its last one word-final."""
    from tokenizers.pre_tokenizers import ByteLevel

    alphabet = sorted(ByteLevel.alphabet())
    tokens = [START, END] + alphabet + [c + SUFFIX for c in alphabet]
    merges: list[tuple[str, str]] = []
    for word in words:
        pieces = list(word[:-1]) + [word[-1] + SUFFIX]
        while len(pieces) > 1:
            pair = (pieces[0], pieces[1])
            if pair not in merges:
                merges.append(pair)
                tokens.append(pair[0] + pair[1])
            pieces = [pair[0] + pair[1]] + pieces[2:]
    vocab: dict[str, int] = {}
    for token in tokens:
        vocab.setdefault(token, len(vocab))
    return vocab, merges


def caption_tokenizer(max_length: int = 16):  # noqa: ANN201 (CLIPTokenizer)
    """A CLIPTokenizer whose vocabulary holds the caption words (see above); texts are cut to
    max_length tokens (the text encoder's context)."""
    heavy.ready("transformers")
    from transformers import CLIPTokenizer

    vocab, merges = vocabulary(caption_words())
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=max_length)
