"""The GPT page under AppTest: Send streams the answer the chat logic gives for the same settings,
then the distribution at a chosen position and the attention of that exchange; Compare shows the
logic's four continuations; pre-training advances one chunk per run; bad values get the tab's messages."""

from __future__ import annotations

import json

import pytest

from demos.gpt import chat, options
from demos.gpt.lm import load_lm
from tests.st_pages.conftest import shown_errors

MAX_NEW = 12


def chart_titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


@pytest.fixture
def answered(open_page):
    at = open_page("gpt")
    at.slider(key="gpt-max-new").set_value(MAX_NEW)
    at.button(key="gpt-main-action").click().run()
    assert not at.exception and not shown_errors(at), shown_errors(at)
    return at


def test_send_streams_the_logics_answer_then_its_tokens_distribution_and_attention(answered):
    at = answered
    *_, last = chat.answer(load_lm, options.ASSISTANT, [], options.DEFAULT_MESSAGE, MAX_NEW, 0.8, 40, 0.95, 0)
    said = [(m.name, m.markdown[-1].value) for m in at.chat_message]
    assert said == [(role, text.replace("\n", "  \n")) for role, text in last.conversation]  # line breaks kept
    stopped = last.status.split("tokens/s)")[1]  # "; stopped: token limit. Model: gpt-kjv · ..." (no timings)
    assert any(m.value.startswith(f"{MAX_NEW} tokens in") and m.value.endswith(stopped) for m in at.markdown)
    n = len(last.exchange.ids)
    assert chart_titles(at)[0].startswith(f"Position {n - 1}:")  # the last token's distribution
    assert any("4 layers × 4 heads" in c.value for c in at.caption)

    at.select_slider(key="gpt-position-1").set_value(2).run()
    figure, _ = chat.token_distribution(load_lm, last.exchange, 0.8, 40, 0.95, 2)
    assert chart_titles(at)[0] == figure.layout.title.text


def test_an_unreachable_hub_model_falls_back_to_the_bundled_one_with_the_tabs_notice(open_page):
    at = open_page("gpt")
    at.selectbox(key="gpt-model").set_value(options.DEFAULT_HUB)
    at.slider(key="gpt-max-new").set_value(4)
    at.button(key="gpt-main-action").click().run()
    notice = load_lm(options.DEFAULT_HUB).notice
    assert notice and [w.value for w in at.warning] == [notice]
    assert any(f"Model: {options.ASSISTANT} ·" in m.value for m in at.markdown)


def test_compare_shows_the_logics_four_continuations(open_page):
    at = open_page("gpt")
    at.slider(key="gpt-compare-tokens").set_value(6)
    at.button(key="gpt-compare-action").click().run()
    expected, _ = chat.compare(load_lm, options.ASSISTANT, options.DEFAULT_COMPARE_PROMPT, 6, 40, 0.95, 0)
    assert [t.value for t in at.text] == [c.text for c in expected]


def test_pretraining_advances_a_chunk_per_run_and_refuses_a_short_text(open_page):
    at = open_page("gpt")
    at.slider(key="gpt-train-seconds").set_value(5)
    at.button(key="gpt-train-action").click().run()
    first = next(m.value for m in at.markdown if m.value.startswith("Training: step"))
    at.run()
    later = next(m.value for m in at.markdown if m.value.startswith(("Training: step", "Done: step")))
    assert int(later.split()[2].rstrip(",")) > int(first.split()[2].rstrip(","))

    at.text_area(key="gpt-train-text").set_value("too short")
    at.button(key="gpt-train-action").click().run()
    assert "The training text needs at least 200 characters; it has 9." in shown_errors(at)


@pytest.mark.parametrize("message, error", [
    ("", "The message is empty."),
    ("x" * 5000, "The message is 5,000 characters long; the limit is 2,000."),
])
def test_a_bad_message_gets_the_tabs_message(open_page, message, error):
    at = open_page("gpt")
    at.text_area(key="gpt-message").set_value(message)
    at.button(key="gpt-main-action").click().run()
    assert shown_errors(at) == [error]
    assert not at.chat_message  # nothing was added to the conversation
