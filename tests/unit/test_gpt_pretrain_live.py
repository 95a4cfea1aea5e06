"""Pre-training live: the character-level GPT learns (its loss falls), stops on time, and refuses
text it cannot train on; the views draw what the tab shows."""

import pytest
import torch

from demos.gpt import live, views
from demos.gpt.chat_ui import token_spans
from demos.gpt.decoding import distribution
from demos.gpt.model import train_tokenizer
from shared.limits import LimitError

TEXT = "the cat sat on the mat. the dog sat on the log. " * 40


def test_the_loss_falls_from_knowing_nothing_and_the_run_ends_on_time():
    updates = []  # each update's (training seconds, done): the record is one object, updated in place
    for run in live.train_live(TEXT, seconds=5, seed=0, update_s=0.5, sample_every_s=2.0, sample_chars=40):
        updates.append((run.seconds, run.done))
    # it ends at the first update past its 5 s of training, and only there: a bound on the run's own
    # clock, not on how fast this machine is
    assert len(updates) >= 3 and updates[-1][1] and updates[-1][0] >= 5.0
    assert all(seconds < 5.0 and not done for seconds, done in updates[:-1]), updates
    first, last = sum(run.losses[:5]) / 5, sum(run.losses[-5:]) / 5
    assert first > 0.8 * run.uniform_loss and last < 0.6 * first
    assert run.samples and all(len(s) == 40 and set(s) <= set(run.vocab) for _, s in run.samples)


def test_rare_characters_share_one_token():
    vocab = live.make_vocab("ab" * 500 + "".join(chr(0x4E00 + i) for i in range(300)))
    assert len(vocab) == live.MAX_VOCAB and vocab[0] == "?"


@pytest.mark.parametrize("text, seconds", [("too short", 10), (TEXT, 1000), (TEXT, 0), ("x" * 300_000, 10), (None, 10)])
def test_bad_training_requests_are_refused(text, seconds):
    with pytest.raises(LimitError):
        next(live.train_live(text, seconds))


def test_token_spans_are_one_per_token_and_clickable_by_position():
    tokenizer = train_tokenizer(TEXT, vocab_size=300)
    ids = tokenizer("the cat sat\n\n\n", add_special_tokens=False)["input_ids"]
    spans, colours = token_spans(views.token_pieces(tokenizer, ids[:3], ids[3:]))
    assert len(spans) == len(ids) and set(colours) == {label for _, label in spans}
    labels = [label for _, label in spans]
    assert all(a != b for a, b in zip(labels, labels[1:]))  # the component merges equal neighbours
    assert labels[3].startswith("→") and "↵" in "".join(text for text, _ in spans)


def test_the_distribution_figure_marks_cut_tokens():
    tokenizer = train_tokenizer(TEXT, vocab_size=300)
    dist = distribution(torch.linspace(3, -3, len(tokenizer)), 1.0, 3, 1.0)
    fig = views.distribution_figure(tokenizer, dist, chosen=0, title="t", n=6)
    texts = fig.data[1].text
    assert list(texts[3:]) == ["cut"] * 3 and texts[0].endswith("%")
