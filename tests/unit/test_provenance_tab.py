"""The Provenance tab's logic: the quiz and its rooms (counted exactly under thirty visitors), the
detector's exact evidence map, and the journeys of a marked, signed picture (what each kind of
provenance keeps), with the values computed here."""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest
from PIL import Image

from demos.provenance import explain, options, quiz, trail
from demos.provenance import wording as words
from shared import watermark
from shared.limits import LimitError
from shared.rooms import Rooms

# ---- the quiz ----------------------------------------------------------------------------------------


def test_the_quiz_holds_as_many_real_pictures_as_generated_ones_from_every_family():
    from demos.arena_families import FAMILIES

    pictures = quiz.exhibits()
    assert set(pictures) == {"real", *(f.key for f in FAMILIES)}
    assert all(pictures[f.key].shape == (options.QUIZ_PER_FAMILY, 32, 32, 3) for f in FAMILIES)
    assert len(pictures["real"]) == options.QUIZ_PER_FAMILY * len(FAMILIES)
    from shared.datasets import held_out_shapes

    assert np.array_equal(pictures["real"], held_out_shapes()[:len(pictures["real"])])  # held out: never trained on


def test_the_order_repeats_by_seed_and_shows_every_picture_once_before_any_twice():
    seat, again = quiz.Seat(), quiz.Seat()
    n = len(quiz.pool())
    first = [(q.source, q.index) for q in (quiz.next_question(seat, 5) for _ in range(n))]
    assert len(set(first)) == n
    assert [(q.source, q.index) for q in (quiz.next_question(again, 5) for _ in range(3))] == first[:3]
    assert (quiz.next_question(seat, 5).source, seat.question.index) == first[0]  # the order starts over
    other = quiz.Seat()
    assert [(q.source, q.index) for q in (quiz.next_question(other, 6) for _ in range(8))] != first[:8]


def _question(seat: quiz.Seat, source: str) -> quiz.Question:
    while quiz.next_question(seat, 0).source != source:
        pass
    return seat.question


def test_an_answer_is_judged_counted_once_and_compared_with_the_detector_on_the_same_picture():
    seat = quiz.Seat()
    question = _question(seat, "gan")
    p = float(quiz.detector_verdicts()["gan"][question.index])
    result = quiz.answer(seat, seat.own, "Generated", question.id)
    assert result.right and result.detector_probability == p and result.detector_right == (p > 0.5)
    with pytest.raises(LimitError) as err:
        quiz.answer(seat, seat.own, "real")
    assert str(err.value) == words.NO_QUESTION
    real = _question(seat, "real")
    result = quiz.answer(seat, seat.own, "generated")
    assert not result.right
    counts = seat.own.snapshot()
    assert (counts["gan"].answers, counts["gan"].visitor_right) == (1, 1)
    assert (counts["real"].answers, counts["real"].visitor_right) == (1, 0)
    rows = {r.source: r for r in quiz.score_rows(counts)}
    assert rows["all"].answers == 2 and rows["all"].visitors == 0.5 and rows["generated"].answers == 1
    assert rows["real"].detector == float(quiz.detector_verdicts()["real"][real.index] <= 0.5)
    quiz.next_question(seat, 0)
    with pytest.raises(LimitError) as err:
        quiz.answer(seat, seat.own, "real", question_id=real.id)
    assert str(err.value) == words.STALE_QUESTION
    with pytest.raises(LimitError) as err:
        quiz.answer(seat, seat.own, "maybe")
    assert str(err.value) == "Unknown answer 'maybe'; choose one of 'real', 'generated'."


def test_thirty_visitors_answering_at_once_are_counted_exactly_in_their_room():
    rooms: Rooms[quiz.Tally] = Rooms(quiz.Tally, options.MAX_ROOMS, options.ROOM_IDLE_S)
    seats = [quiz.Seat() for _ in range(30)]
    for seat in seats:
        _question(seat, "vae")
    barrier = threading.Barrier(30)

    def play(seat: quiz.Seat) -> None:
        barrier.wait()
        quiz.answer(seat, seat.tally("Talk", rooms), "generated")

    threads = [threading.Thread(target=play, args=(s,)) for s in seats]
    [t.start() for t in threads]
    [t.join() for t in threads]
    room = rooms.get("talk")
    assert room.snapshot()["vae"].answers == 30 and room.snapshot()["vae"].visitor_right == 30
    assert all(s.own.snapshot()["vae"].answers == 1 for s in seats)


def test_a_room_stops_counting_at_its_cap_and_a_closed_session_is_refused(monkeypatch):
    monkeypatch.setattr(options, "MAX_ANSWERS", 2)
    tally, seat = quiz.Tally("t"), quiz.Seat()
    for _ in range(2):
        _question(seat, "real")
        quiz.answer(seat, tally, "real")
    _question(seat, "real")
    with pytest.raises(LimitError) as err:
        quiz.answer(seat, tally, "real")
    assert str(err.value) == words.tally_full(2)
    seat.close()
    with pytest.raises(LimitError) as err:
        quiz.next_question(seat, 0)
    assert str(err.value) == words.SESSION_CLOSED
    with pytest.raises(LimitError, match="only letters, digits"):
        quiz.Seat().tally("no spaces")


# ---- the detector ------------------------------------------------------------------------------------


def test_the_evidence_map_splits_the_logit_exactly_and_matches_the_network():
    import torch

    from shared.shapes_classifier import to_tensor

    for picture in (quiz.exhibits()["real"][0], quiz.exhibits()["gan"][0], quiz.exhibits()["pixelcnn"][1]):
        look = explain.look_at(picture)
        with torch.inference_mode():
            logit = float(explain.detector()(to_tensor(picture[None]))[0])
        assert look.logit == pytest.approx(logit, abs=1e-4)
        assert look.evidence.sum() + float(explain.detector().head.bias[0]) == pytest.approx(logit, abs=1e-3)
        assert look.probability == pytest.approx(1 / (1 + np.exp(-look.logit)), rel=1e-6)  # its own logit's sigmoid
    assert explain.look_at(quiz.exhibits()["gan"][0]).probability > 0.5 > explain.look_at(quiz.exhibits()["real"][0]).probability


def test_a_picture_to_look_at_comes_from_the_exhibits_or_a_file(tmp_path):
    picture, source = explain.chosen_picture("vae", options.QUIZ_PER_FAMILY + 2, None)
    assert source == "vae" and np.array_equal(picture, quiz.exhibits()["vae"][2])
    big = np.zeros((256, 256, 3), np.uint8)
    big[:128] = 200
    Image.fromarray(big).save(tmp_path / "big.png")
    picture, source = explain.chosen_picture(options.UPLOADED, 0, str(tmp_path / "big.png"))
    assert source == options.UPLOADED and picture.shape == (32, 32, 3)
    assert (picture[:16] == 200).all() and (picture[16:] == 0).all()
    (tmp_path / "not.png").write_bytes(b"not a picture")
    with pytest.raises(LimitError) as err:
        explain.chosen_picture(options.UPLOADED, 0, str(tmp_path / "not.png"))
    assert str(err.value) == "That file is not a picture this app can read (PNG, JPEG, WebP, GIF or BMP)."
    with pytest.raises(LimitError) as err:
        explain.chosen_picture(options.UPLOADED, 0, None)
    assert str(err.value) == "Upload or draw a picture first."
    with pytest.raises(LimitError, match="Unknown picture source 'midjourney'; choose one of 'real', 'gan'"):
        explain.chosen_picture("midjourney", 0, None)
    with pytest.raises(LimitError) as err:
        explain.chosen_picture("gan", -1, None)
    assert str(err.value) == "The picture number must be from 0 to 999; got -1."


# ---- mark, sign, pass around ---------------------------------------------------------------------------


def test_a_marked_signed_sample_and_what_each_journey_leaves_of_its_provenance():
    exhibit = trail.make_exhibit("gan", 4)
    assert exhibit is trail.make_exhibit("gan", 4)  # shared by everyone who asks for it
    assert exhibit.payload == watermark.payload_of("gan-shapes", 4) and exhibit.marked.shape == (256, 256, 3)
    error = exhibit.marked.astype(float) - trail.enlarged(exhibit.picture)
    assert 10 * np.log10(255**2 / (error**2).mean()) > 33  # PSNR in dB: invisible
    rows = {r.journey: r.found for r in trail.survival(exhibit)}
    assert list(rows) == list(words.JOURNEYS)
    assert rows["copied"].credentials.intact and rows["copied"].credentials.agent == "gan-shapes" and rows["copied"].matches == 1.0
    assert rows["copied"].credentials.settings == {"seed": "4", "family": "GAN (unconditional)"}
    for journey in ("jpeg", "screenshot"):  # the metadata is gone, the pixels' mark is read
        assert rows[journey].credentials is None and rows[journey].matches >= 0.95
    for journey in ("half_and_back", "crop"):  # both gone
        assert rows[journey].credentials is None and rows[journey].matches < 0.8
    edited = rows["editor_resize"]  # the reverse: the chain survives, the mark does not
    assert edited.credentials.history == ("c2pa.resized", "c2pa.opened", "c2pa.created") and edited.credentials.generated
    assert edited.matches < 0.8 and edited.size == (384, 384)


def test_reading_a_file_the_visitor_uploads():
    exhibit = trail.make_exhibit("vae", 1)
    found = trail.inspect_file(exhibit.signed)
    assert found.bits == exhibit.payload and found.credentials.agent == "vae-shapes"
    assert found.marked_by == ("vae-shapes", 1)  # the server's register names the model and seed
    assert "a mark this server made: **vae-shapes**, seed **1**" in words.inspect_markdown(found)
    small = io.BytesIO()
    Image.fromarray(exhibit.picture).save(small, "PNG")
    found = trail.inspect_file(small.getvalue())
    assert found.bits is None and found.credentials is None and found.size == (32, 32)
    assert "too small to hold the mark" in words.inspect_markdown(found)
    with pytest.raises(LimitError) as err:
        trail.inspect_file(b"")
    assert str(err.value) == words.NO_FILE
    with pytest.raises(LimitError) as err:
        trail.inspect_file(b"GIF89a....")
    assert str(err.value) == "Content credentials are read and written here for PNG and JPEG files only."
    with pytest.raises(LimitError, match="Unknown generator 'dall-e'; choose one of 'gan', 'gan-conditional'"):
        trail.make_exhibit("dall-e", 0)
