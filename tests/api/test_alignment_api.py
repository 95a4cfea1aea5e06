"""The Alignment tab through its HTTP API: the side by side and the worked pair answer; bad input of
every kind gets a plain message, and the server keeps serving."""

import pytest
from gradio_client.exceptions import AppError

from tests.api.visitors import visitor


@pytest.fixture(scope="module")
def client(suite_url):
    return visitor(suite_url)


def test_side_by_side_and_worked_pair(client):
    base, sft, dpo, table, figure = client.predict("What is a GAN?", 1, api_name="/alignment_compare")
    assert base.startswith("**base (pre-trained only)**") and "discriminator" in sft and "discriminator" in dpo
    assert "| **gpt-kjv-sft** |" in table and figure is not None
    worked = client.predict("scripture", 0.2, api_name="/alignment_worked_pair")
    assert "margin =" in worked and "(β = 0.2)" in worked


@pytest.mark.parametrize("api_name, args, message", [
    ("/alignment_compare", ("x" * 301, 1), "The question is 301 characters long; the limit is 300."),
    ("/alignment_compare", ("What\x1b[2J is a GAN?", 1), "The question may not contain control characters."),
    ("/alignment_compare", ("What is a GAN?", -1), "The seed must be from 0 to"),
    ("/alignment_worked_pair", ("rude", 0.2), "Unknown flaw 'rude'"),
    ("/alignment_worked_pair", ("scripture", 9), "The beta must be a number from 0.01 to 2; got 9."),
    ("/alignment_draw", ("a" * 40, "", 0), "A room name has at most 32 characters; this one has 40."),
    ("/alignment_draw", ("../etc", "", 0), "A room name may use only letters, digits"),
    ("/alignment_vote", ("", "A", None), "There is no pair to vote on"),
    ("/alignment_tune", ("", 5, 0), "Tuning needs at least 8 votes; there are 0."),
    ("/alignment_tune", ("", "many", 0), "The number of tuning steps must be a whole number"),
    ("/alignment_rules_vote", ("", 1000, 0), "The number of questions the rules vote on must be from 4 to 32"),
])
def test_bad_input_gets_a_plain_message(client, api_name, args, message):
    with pytest.raises(AppError) as err:
        client.predict(*args, api_name=api_name)
    assert message in str(err.value)
    assert client.predict("", api_name="/alignment_status").startswith("Your session (no room)")
