"""A CLIP tokenizer for the shapes captions: transformers' own CLIPTokenizer (byte-level BPE with
CLIP's end-of-word suffix, lower-casing what it reads), given a vocabulary built from the words of the
caption language's train split (shared/phrasings.py). BPE applies its merges by rank, not word by word,
so merges are added until BPE itself leaves every known word in one token (before, 'green' came out
as g·re·e·n because 'red' made the merge r+e first). The longest training phrasing is 20 tokens with
its start and end marks, within the 24-token context.

    tokenizer = caption_tokenizer()
    tokenizer("a small red circle at the top left")["input_ids"]   # <start>, 8 word ids, <end>
    tokenizer("Draw a big crimson star!")["input_ids"]             # <start>, 5 word ids, "!", <end>

Any other text still tokenizes: a word outside the captions falls back to its bytes, as in CLIP.
Saved with save_pretrained beside the model, so CLIPProcessor.from_pretrained(folder) loads it.
"""

from __future__ import annotations

from shared import heavy
from shared.datasets import LABEL_NAMES
from shared.phrasings import known_words

START, END = "<|startoftext|>", "<|endoftext|>"
SUFFIX = "</w>"


def caption_words() -> list[str]:
    """Every word the bundled text models know: the caption words first (so their ids stay put),
    then the rest of the train split of the caption language (shared/phrasings.py)."""
    words = ["a", "at", "the", "in"]
    for names in LABEL_NAMES.values():
        for name in names:
            words += [w for w in name.split() if w not in words]
    return words + [w for w in known_words() if w not in words]


def _bpe(word: str, ranks: dict[tuple[str, str], int]) -> list[str]:
    """BPE as CLIP applies it to one word: merge the adjacent pair of lowest rank until none is left."""
    pieces = list(word[:-1]) + [word[-1] + SUFFIX]
    while len(pieces) > 1:
        pairs = [(ranks.get((a, b), len(ranks)), k) for k, (a, b) in enumerate(zip(pieces, pieces[1:]))]
        rank, k = min(pairs)
        if rank == len(ranks):
            break
        pieces = pieces[:k] + [pieces[k] + pieces[k + 1]] + pieces[k + 2:]
    return pieces


def vocabulary(words: list[str]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """CLIP-style BPE vocabulary and merges in which every word is one token: the byte alphabet
    (alone and word-final), then for each word in turn, BPE with the merges so far and, while it
    leaves more than one piece, a merge of its first two pieces appended. An appended merge ranks
    after every earlier one, so a word that was already one token stays one (BPE picks the lowest
    rank at each step, and an earlier word always had one)."""
    from tokenizers.pre_tokenizers import ByteLevel

    alphabet = sorted(ByteLevel.alphabet())
    tokens = [START, END] + alphabet + [c + SUFFIX for c in alphabet]
    merges: list[tuple[str, str]] = []
    ranks: dict[tuple[str, str], int] = {}
    for word in words:
        pieces = _bpe(word, ranks)
        while len(pieces) > 1:
            pair = (pieces[0], pieces[1])
            ranks[pair] = len(merges)
            merges.append(pair)
            tokens.append(pair[0] + pair[1])
            pieces = _bpe(word, ranks)
    vocab: dict[str, int] = {}
    for token in tokens:
        vocab.setdefault(token, len(vocab))
    return vocab, merges


def caption_tokenizer(max_length: int = 24):  # noqa: ANN201 (CLIPTokenizer)
    """A CLIPTokenizer whose vocabulary holds the caption words (see above); texts are cut to
    max_length tokens (the text encoder's context)."""
    heavy.ready("transformers")
    from transformers import CLIPTokenizer

    vocab, merges = vocabulary(caption_words())
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=max_length)
