"""The Provenance page under AppTest: a quiz picture is the logic's first of the seed, an answer is
judged and counted; Make, mark and sign shows the logic's journeys; a bad seed gets the tab's message."""

from __future__ import annotations

import numpy as np

from demos.provenance import quiz, trail, views
from demos.provenance import wording as words
from shared.image_files import png_bytes
from tests.st_pages.conftest import shown_errors, shows_picture

SLUG = "provenance"


def markdowns(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_a_quiz_picture_is_answered_and_counted(open_page):
    at = open_page(SLUG)
    assert words.QUIZ_READY in markdowns(at)
    at.button(key="provenance-main-action").click().run()
    everything = quiz.pool()
    source, index = everything[int(np.random.default_rng(0).permutation(len(everything))[0])]
    assert shows_picture(at, png_bytes(views.quiz_picture(quiz.exhibits()[source][index])))
    assert words.ASKING.format(number=1) in markdowns(at)
    at.button(key="provenance-say-generated").click().run()
    right = source != quiz.REAL
    assert any(m.startswith(f"**{'Right' if right else 'Wrong'}**: it is **") for m in markdowns(at))
    assert any(f"| {quiz.source_names()[source]} | 1 | {1.0 if right else 0.0:.0%} |" in m for m in markdowns(at))
    assert not shown_errors(at)


def test_make_mark_and_sign_shows_what_survives(open_page):
    at = open_page(SLUG)
    at.button(key="provenance-make").click().run()
    exhibit = trail.make_exhibit("gan", 0)
    assert words.survival_markdown(trail.survival(exhibit)) in markdowns(at)
    assert any(m.startswith(words.made(exhibit.name, 0, 0, 0)[:40]) for m in markdowns(at))
    assert not shown_errors(at)


def test_a_bad_seed_gets_the_tabs_message(open_page):
    at = open_page(SLUG)
    at.number_input(key="provenance-seed").set_value(-1).run()
    at.button(key="provenance-main-action").click().run()
    assert any("The seed must be from 0 to 4294967295; got -1." in e for e in shown_errors(at))
