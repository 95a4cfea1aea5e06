"""The Alignment tab's logic: room names and questions refused with plain messages; votes counted
exactly under threads, stale and repeated votes refused; answers repeatable by seed; the live DPO on
votes streams at once, lowers its loss, publishes a new model to its book and leaves the shared
stage untouched; the worked pair's numbers recomputed."""

from __future__ import annotations

import math
import threading

import pytest

from demos.alignment import options, votes
from demos.alignment import wording as words
from shared.limits import LimitError
from shared.live import Press


@pytest.mark.parametrize("name, expected", [("", ""), (" Talk-2026 ", "talk-2026"), ("a_b", "a_b")])
def test_room_names_are_normalised(name, expected):
    assert options.check_room(name) == expected


@pytest.mark.parametrize("name, message", [
    ("x" * 33, "A room name has at most 32 characters; this one has 33."),
    ("my room", "A room name may use only letters, digits, '-' and '_'"),
    ("-talk", "starting with a letter or digit"),
    ("ta\x00lk", "A room name may use only letters"),
    (7, "The room name must be text; got the number 7."),
])
def test_bad_room_names_get_a_plain_message(name, message):
    with pytest.raises(LimitError) as err:
        options.check_room(name)
    assert message in str(err.value)


def test_questions_refuse_control_characters_and_length():
    assert options.check_prompt("  What is a GAN?\n") == "What is a GAN?"
    with pytest.raises(LimitError, match="may not contain control characters"):
        options.check_prompt("What\x07 is a GAN?")
    with pytest.raises(LimitError, match="301 characters long; the limit is 300"):
        options.check_prompt("a" * 301)


def _pair(book: votes.Book, i: int = 0) -> votes.Pair:
    return votes.Pair(next(votes._pair_ids), f"question {i}", (f"good {i}", f"bad {i}"), book.generation)


def test_a_vote_counts_once_and_a_stale_pair_is_refused():
    seat = votes.Seat()
    book = seat.book("")
    with pytest.raises(LimitError, match="There is no pair to vote on"):
        votes.cast_vote(seat, book, "A")
    seat.pair = _pair(book)
    with pytest.raises(LimitError, match="Unknown vote 'C'; choose one of 'A', 'B'."):
        votes.cast_vote(seat, book, "C")
    with pytest.raises(LimitError, match="drawn before the model changed"):
        votes.cast_vote(seat, book, "A", pair_id=seat.pair.id + 1)  # a script voting on an older pair
    assert votes.cast_vote(seat, book, "b", pair_id=seat.pair.id) == 1
    assert book.votes[0].chosen == "bad 0" and book.votes[0].rejected == "good 0"
    with pytest.raises(LimitError, match="no pair to vote on"):
        votes.cast_vote(seat, book, "A")  # one vote per pair
    stale = _pair(book, 1)
    book.reset()
    with pytest.raises(LimitError) as err:
        book.add(stale, "A")
    assert str(err.value) == words.STALE_PAIR and book.count == 0


def test_a_closed_session_cannot_vote_or_open_a_book():
    seat = votes.Seat()
    seat.pair = _pair(seat.own)
    seat.close()
    with pytest.raises(LimitError) as err:
        votes.cast_vote(seat, seat.own, "A")
    assert str(err.value) == words.SESSION_CLOSED
    with pytest.raises(LimitError, match="This session has closed"):
        seat.book("talk")


def test_thirty_visitors_voting_at_once_are_counted_exactly_and_the_book_caps():
    rooms = votes.new_rooms()
    seats = [votes.Seat() for _ in range(30)]
    book = rooms.get("talk")
    for i, seat in enumerate(seats):
        seat.pair = _pair(book, i)
    barrier = threading.Barrier(30)

    def vote(seat: votes.Seat) -> None:
        barrier.wait()
        votes.cast_vote(seat, seat.book("TALK", rooms), "A")

    threads = [threading.Thread(target=vote, args=(s,)) for s in seats]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert book.count == 30 and sorted(v.question for v in book.votes) == sorted(f"question {i}" for i in range(30))
    for i in range(30, options.MAX_VOTES):
        book.add(_pair(book, i), "A")
    with pytest.raises(LimitError, match=f"holds {options.MAX_VOTES} votes"):
        book.add(_pair(book, 99), "A")


def test_rooms_are_capped():
    rooms = votes.new_rooms()
    for i in range(options.MAX_ROOMS):
        rooms.get(f"room-{i}")
    assert rooms.get("room-0") is rooms.get("ROOM-0")
    with pytest.raises(LimitError, match=f"already {options.MAX_ROOMS} rooms"):
        rooms.get("one-more")


def test_sessions_get_their_own_book_and_lock():
    import copy

    first = votes.Seat()
    second = copy.deepcopy(first)
    assert second.own is not first.own and second.own._lock is not first.own._lock


# ---- the models -----------------------------------------------------------------------------------


def test_sampling_is_repeatable_by_seed_and_scores_match_the_unpadded_formula():
    import torch

    from demos.alignment import answers
    from demos.alignment.preference import answer_token_logprobs

    model, tokenizer = answers.stage("gpt-kjv-sft")
    prompt = answers.prompt_ids(tokenizer, "What is a VAE?")
    first = answers.sample(model, tokenizer, prompt, 2, seed=5, temperature=1.0)
    again = answers.sample(model, tokenizer, prompt, 2, seed=5, temperature=1.0)
    assert first == again and first[0].text
    # another seed draws other answers (the SFT stage is sure of this one: seeds 5 and 6 agree, 7 does not)
    others = [answers.sample(model, tokenizer, prompt, 2, seed=s, temperature=1.0) for s in (6, 7)]
    assert any([a.ids for a in other] != [a.ids for a in first] for other in others)
    ids = [answers.answer_ids(tokenizer, a.text) for a in first]
    padded = answers.token_logprobs(model, prompt, ids)
    with torch.no_grad():
        alone = [answer_token_logprobs(model, prompt, a).tolist() for a in ids]
    for p, a in zip(padded, alone):
        assert p == pytest.approx(a, abs=1e-4)
    greedy = answers.sample(model, tokenizer, prompt, 1, seed=0, temperature=0)[0]
    assert greedy.ended and "encoder" in greedy.text.lower()


def test_the_side_by_side_scores_each_answer_by_each_stage():
    from demos.alignment import answers

    c = answers.compare("What is a GAN?", options.DEFAULT_SEED)
    assert c.stages == ("gpt-kjv", "gpt-kjv-sft", "gpt-kjv-dpo")
    assert "discriminator" in c.answers[1].text and "discriminator" in c.answers[2].text  # the default shows sense
    assert not c.answers[0].ended or "discriminator" not in c.answers[0].text
    model, tokenizer = answers.stage("gpt-kjv")
    prompt = answers.prompt_ids(tokenizer, "What is a GAN?")
    own = answers.token_logprobs(model, prompt, [list(c.answers[0].ids) + ([0] if c.answers[0].ended else [])])[0]
    assert c.cross[0][0] == pytest.approx(sum(own) / len(own), abs=1e-5)
    assert c.cross[0][0] > c.cross[0][1] and c.cross[1][1] > c.cross[1][0]  # each stage prefers its own kind


def test_the_worked_pair_is_the_dpo_formula():
    from demos.alignment import answers
    from demos.alignment.preference import worked_pair

    w = worked_pair("repetition", 0.5)
    t = w.terms
    model, tokenizer = answers.stage("gpt-kjv-sft")
    prompt = answers.prompt_ids(tokenizer, w.question)
    ref = [sum(s) for s in answers.token_logprobs(model, prompt, [answers.answer_ids(tokenizer, a) for a in (w.chosen, w.rejected)])]
    assert (t.ref_chosen, t.ref_rejected) == pytest.approx(ref, abs=1e-4)
    margin = 0.5 * ((t.policy_chosen - t.ref_chosen) - (t.policy_rejected - t.ref_rejected))
    assert t.margin == pytest.approx(margin) and t.loss == pytest.approx(-math.log(1 / (1 + math.exp(-margin))))
    with pytest.raises(LimitError, match="Unknown flaw 'rude'; choose one of"):
        worked_pair("rude", 0.5)


def _taught_votes(book: votes.Book, n: int) -> None:
    from demos.alignment import chat_data

    examples = chat_data.concept_examples("train")[:n]
    for e in examples:
        pair = votes.Pair(next(votes._pair_ids), e.messages()[-2]["content"],
                          (e.answers[-1], " ".join([e.answers[-1].split(". ")[0]] * 3)), book.generation)
        book.add(pair, "A")


def test_tuning_on_votes_streams_lowers_the_loss_and_publishes_without_touching_the_stage():

    import torch

    from demos.alignment import answers, live

    stage_model, _ = answers.stage("gpt-kjv-sft")
    before = [p.detach().clone() for p in stage_model.parameters()]
    book = votes.Book("t")
    _taught_votes(book, 7)
    with pytest.raises(LimitError, match="Tuning needs at least 8 votes; there are 7"):
        list(live.tune(book, Press(0), 4))
    _taught_votes(book, 9)
    stream = live.tune(book, Press(0, cap_s=math.inf), 6, seed=0, seconds=math.inf)  # its steps, not a clock, end it
    first = next(stream)
    assert first.step == 0 and not first.loss and first.votes == 16  # streamed at once, before the first step
    with pytest.raises(LimitError) as err:  # a second press on the same book while it runs
        next(live.tune(book, Press(0), 6))
    assert str(err.value) == words.TUNING_RUNNING
    frames = [first, *stream]
    last = frames[-1]
    assert last.done and last.step == 6 and len(last.loss) == 6
    assert last.loss[-1] < last.loss[0] == pytest.approx(math.log(2), abs=1e-4)  # the policy starts as the reference
    assert last.margin[-1] > 0 and last.accuracy[-1] == 1.0 and last.kl and last.kl[-1][1] > 0
    assert book.rounds == 1 and book.count == 0 and book.generation == 1 and book.model is not None
    assert all(torch.equal(a, b) for a, b in zip(before, stage_model.parameters()))
    tuned = book.model
    assert any(not torch.equal(a, b) for a, b in zip(before, tuned.parameters()))
