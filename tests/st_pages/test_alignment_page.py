"""The Alignment page under AppTest: Compare shows the three stages' answers as the logic gives them
for the same question and seed; the worked pair is the logic's; a pair is drawn and a vote counted;
a bad room name gets the tab's message."""

from __future__ import annotations

from demos.alignment import answers, options, views
from demos.alignment.preference import worked_pair
from tests.st_pages.conftest import shown_errors


def test_compare_shows_the_logics_answers_and_the_worked_pair(open_page):
    at = open_page("alignment")
    assert any(m.value == views.worked_pair_text(worked_pair("wrong_topic", options.BETA_SLIDER.value)) for m in at.markdown)
    at.button(key="alignment-main-action").click().run()
    assert not at.exception and not shown_errors(at)
    c = answers.compare(options.DEFAULT_PROMPT, options.DEFAULT_SEED)
    for name, a in zip(c.stages, c.answers):
        assert any(m.value == views.answer_card(name, a.text, a.ended) for m in at.markdown)
    assert any(m.value == views.cross_table(c) for m in at.markdown)


def test_a_pair_is_drawn_and_a_vote_counted(open_page):
    at = open_page("alignment")
    at.button(key="alignment-draw").click().run()
    assert not at.exception and not shown_errors(at)
    assert any(m.value.startswith("**A.**") for m in at.markdown)
    at.button(key="alignment-vote-a").click().run()
    assert any(m.value.startswith("Your session (no room) · **1 vote**") for m in at.markdown)


def test_a_bad_room_gets_the_tabs_message(open_page):
    at = open_page("alignment")
    at.text_input(key="alignment-room").set_value("my room").run()
    assert any("A room name may use only letters, digits" in e for e in shown_errors(at))
