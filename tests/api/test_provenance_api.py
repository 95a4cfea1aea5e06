"""The Provenance tab through its HTTP API, as a talk's script would call it: a quiz picture and its
answer counted in the room, the detector's view, a marked and signed sample whose file reads back,
and a bad value gets the tab's message."""

from __future__ import annotations

import numpy as np
import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from demos.provenance import quiz, trail
from demos.provenance import wording as words
from shared import watermark
from tests.api.visitors import visitor


@pytest.fixture
def client(suite_url):
    c = visitor(suite_url)
    yield c
    c.close()


def test_a_quiz_picture_is_one_of_the_exhibits_and_its_answer_is_judged_and_counted(client):
    picture, status, _, scores, _ = client.predict("api-room", 3, api_name="/provenance_picture")
    assert status == words.ASKING.format(number=1)
    shown = np.asarray(Image.open(picture).convert("RGB"))[::8, ::8]  # 256 px, nearest: every 8th pixel is the 32x32
    source, index = next((s, i) for s, pictures in quiz.exhibits().items() for i in range(len(pictures))
                         if np.array_equal(pictures[i], shown))
    verdict, scores, mine = client.predict("api-room", "generated", api_name="/provenance_answer")
    right = source != quiz.REAL
    assert verdict.startswith(f"**{'Right' if right else 'Wrong'}**: it is **{words.truth_of(quiz.source_names()[source], right)}**")
    p = float(quiz.detector_verdicts()[source][index])
    assert f"The detector said {p:.0%} generated" in verdict
    assert scores.startswith("### Room **api-room**, everyone's answers")
    assert f"| {quiz.source_names()[source]} | 1 | {1.0 if right else 0.0:.0%} |" in scores
    assert mine.startswith("### Your answers (this session)")
    with pytest.raises(AppError) as caught:  # answered already
        client.predict("api-room", "real", api_name="/provenance_answer")
    assert words.NO_QUESTION in str(caught.value)


def test_the_detectors_view_and_a_marked_signed_sample(client):
    figure, verdict = client.predict("gan", 0, None, api_name="/provenance_look")
    assert verdict.startswith("The detector says **generated**") and Image.open(figure).size[0] > 500
    marked, signed, made, survival, robustness = client.predict("vae", 2, api_name="/provenance_mark")
    exhibit = trail.make_exhibit("vae", 2)
    assert np.array_equal(np.asarray(Image.open(marked).convert("RGB")), exhibit.marked)
    assert watermark.read(np.asarray(Image.open(signed).convert("RGB"))) == watermark.payload_of("vae-shapes", 2)
    assert made.startswith("A sample of the **VAE**, seed 2")
    assert "| re-saved as JPEG 90 (an upload to a social network) | none: no manifest in the file | 100% (read) |" in survival
    assert "| JPEG quality 75 | 100% | yes |" in robustness
    found = client.predict(handle_file(signed), api_name="/provenance_inspect")
    assert "**Content credentials**: intact; made by a trained model (vae-shapes)" in found
    assert f"`{watermark.payload_of('vae-shapes', 2).hex()}`, a mark this server made: **vae-shapes**, seed **2**" in found


@pytest.mark.parametrize("api, args, message", [
    ("/provenance_picture", ("no spaces here", 0), "A room name may use only letters, digits"),
    ("/provenance_picture", ("", -1), "The seed must be from 0 to 4294967295; got -1."),
    ("/provenance_answer", ("", "generated"), words.NO_QUESTION),
    ("/provenance_answer", ("", "maybe"), "Unknown answer 'maybe'; choose one of"),
    ("/provenance_look", ("midjourney", 0, None), "Unknown picture source 'midjourney'; choose one of"),
    ("/provenance_look", ("upload", 0, None), "Upload or draw a picture first."),
    ("/provenance_mark", ("dall-e", 0), "Unknown generator 'dall-e'; choose one of"),
    ("/provenance_inspect", (None,), words.NO_FILE),
    ("/provenance_skew", (0.95, 600, 0), "The share of red pictures in the training set must be a number from 0.1 to 0.9; got 0.95."),
    ("/provenance_skew", (0.5, 10, 0), "The training steps must be from 50 to 2000; got 10."),
])
def test_bad_values_get_the_tabs_message(client, api, args, message):
    with pytest.raises(AppError) as caught:
        client.predict(*args, api_name=api)
    assert message in str(caught.value)
