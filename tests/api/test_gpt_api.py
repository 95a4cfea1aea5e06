"""The GPT tab through its HTTP API, as a user's script would call it: chat streams, then the
distribution, attention and comparison work on the session's last answer; bad values get messages."""

import re

import pytest
from gradio_client.exceptions import AppError

from shared.checkpoints import bundled_names
from tests.api.visitors import visitor

SETTINGS = (0.8, 40, 0.95)  # temperature, top-k, top-p


@pytest.fixture(scope="module")
def client(suite_url):
    return visitor(suite_url)


def _chat(client, message="And God said,", history=None, model="gpt-kjv", max_new=20, seed=0):
    job = client.submit(message, history or [], model, max_new, *SETTINGS, seed, api_name="/gpt_chat")
    job.result()
    return job.outputs()


def test_chat_streams_then_shows_tokens_and_the_last_distribution(client):
    outputs = _chat(client)
    history, _, status = outputs[-1][:3]
    assert history[0]["role"] == "user" and history[-1]["role"] == "assistant"
    assert history[-1]["content"]
    assert any(o[2].startswith("Generating:") for o in outputs[:-1])
    assert "tokens/s); stopped:" in status and "gpt-kjv" in status
    assert outputs[-1][5] is not None  # the distribution of the last token (the session's state is not sent)


def test_same_seed_same_answer_and_the_history_is_continued(client):
    first = _chat(client, seed=7)[-1][0]
    again = _chat(client, seed=7)[-1][0]
    assert first == again
    follow = _chat(client, "And then?", history=first, seed=7)[-1][0]
    assert len(follow) == 4 and follow[:2] == first


def test_distribution_and_attention_of_the_last_answer(client):
    _chat(client)
    figure = client.predict("gpt-kjv", 0.3, 5, 0.9, api_name="/gpt_distribution")  # the session's last answer
    assert figure is not None
    plot, note = client.predict("gpt-kjv", 1, "2", api_name="/gpt_attention")
    assert plot is not None and "4 layers × 4 heads" in note


def test_compare_greedy_and_sampled(client):
    outs = client.predict("In the beginning", "gpt-kjv", 15, 40, 0.95, 0, api_name="/gpt_compare")
    assert len(outs) == 4 and all("mean probability of the chosen tokens" in o for o in outs)
    assert outs[0].startswith("In the beginning")


def test_pretraining_streams_loss_and_samples(client):
    job = client.submit("the quick brown fox jumps over the lazy dog. " * 20, 5, 0, api_name="/gpt_pretrain")
    job.result()
    statuses = [o[2] for o in job.outputs()]
    assert statuses[-1].startswith("Done: step") and len(statuses) >= 3


def test_an_unreachable_hub_model_falls_back_to_the_bundled_one(client):
    status = _chat(client, model="HuggingFaceTB/SmolLM2-135M-Instruct", max_new=5)[-1][2]
    assert "gpt-kjv" in status


# Every value reaches the app's own checks (the public listeners skip Gradio's preprocessing, and
# shared.ui says in words when Gradio's data models refuse a file or a conversation), so each case
# names the message the app gives, from shared.limits or the demo's logic, as plain text: a crash
# that the app wraps as "Something went wrong (TypeError ...)" is still an error, but not this one.
@pytest.mark.parametrize("args, message", [
    (("", [], "gpt-kjv", 10, *SETTINGS, 0), "The message is empty."),
    (("\x00\x01", [], "gpt-kjv", 10, *SETTINGS, 0), "The message has only control characters in it."),
    (("x" * 5000, [], "gpt-kjv", 10, *SETTINGS, 0), "The message is 5,000 characters long; the limit is 2,000."),
    (("hi", [], "gpt-kjv", 100000, *SETTINGS, 0), "The number of new tokens must be from 1 to 512; got 100000."),
    (("hi", [], "gpt-kjv", 10, -1.0, 40, 0.95, 0), "The temperature must be a number from 0 to 2; got -1.0."),
    (("hi", [], "gpt-kjv", 10, 0.8, -3, 0.95, 0), "The top-k must be from 0 to 1000; got -3."),
    (("hi", [], "gpt-kjv", 10, 0.8, 40, 0.0, 0), "The top-p must be a number from 0.01 to 1; got 0.0."),
    (("hi", [], "gpt-kjv", 10, *SETTINGS, -5), "The seed must be from 0 to 4294967295; got -5."),
    # content as a plain string: Gradio 6's chatbot data model wants a list of parts
    (("hi", [{"role": "system", "content": "x"}], "gpt-kjv", 10, *SETTINGS, 0),
     "This request holds a value the app cannot read where it expects a conversation: "
     "a list of {'role': 'user' or 'assistant', 'content': ...} messages."),
    # a role the chat never sends, in the format Gradio accepts, so that the logic sees it
    (("hi", [{"role": "system", "content": [{"type": "text", "text": "x"}]}], "gpt-kjv", 10, *SETTINGS, 0),
     "Each message must have a role of 'user' or 'assistant'."),
    (("hi", [], "../../etc/passwd", 10, *SETTINGS, 0),
     f"'../../etc/passwd' is neither a bundled model ({', '.join(bundled_names())}) nor a Hub id like 'owner/name'."),
])
def test_bad_chat_values_get_a_message(client, args, message):
    with pytest.raises(AppError, match=re.escape(message)) as info:
        client.predict(*args, api_name="/gpt_chat")
    assert "Something went wrong" not in str(info.value)


@pytest.mark.parametrize("args, message", [
    (("short", 5, 0), "The training text needs at least 200 characters; it has 5."),
    (("x" * 300, 1000, 0), "The training time in seconds must be from 5 to 180; got 1000."),
    (("x" * 300_000, 5, 0), "The training text is 300,000 characters long; the limit is 200,000."),
])
def test_bad_pretraining_values_get_a_message(client, args, message):
    with pytest.raises(AppError, match=re.escape(message)) as info:
        client.predict(*args, api_name="/gpt_pretrain")
    assert "Something went wrong" not in str(info.value)
