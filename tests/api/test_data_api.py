"""The Data & judge tab through its HTTP API, as a user's script would call it."""

import re

import pytest
from gradio_client.exceptions import AppError

from tests.api.visitors import visitor


@pytest.fixture(scope="module")
def client(suite_url):
    return visitor(suite_url)


def test_draw_and_judge(client):
    grid, scores, plot = client.predict(12, 7, 0.25, api_name="/data_draw_and_judge")
    assert grid.count("<figure") == 12
    assert grid.count("truth: not a shape (") == 3  # a quarter replaced
    assert grid.count('class="judged invalid"') >= 3  # and the judge catches them
    assert "recognised as a valid shape" in scores and "Fréchet" in scores
    assert plot is not None
    again, _, _ = client.predict(12, 7, 0.25, api_name="/data_draw_and_judge")
    assert again == grid  # same seed, same batch


def test_toy_2d_and_digits(client):
    assert client.predict("moons", 500, 3, api_name="/data_toy_2d") is not None
    sheet, labels = client.predict(16, 0, api_name="/data_digits")
    assert sheet and len(labels.split(":")[1].split()) == 16


# Every value reaches the app's own checks (the public listeners skip Gradio's preprocessing, and
# shared.ui says in words when Gradio's data models refuse a file or a conversation), so each case
# names the message the app gives, from shared.limits or the demo's logic, as plain text: a crash
# that the app wraps as "Something went wrong (TypeError ...)" is still an error, but not this one.
@pytest.mark.parametrize("args, message", [
    ((0, 0, 0.0), "The number of images must be from 1 to 64; got 0."),
    ((10_000, 0, 0.0), "The number of images must be from 1 to 64; got 10000."),
    ((2.5, 0, 0.0), "The number of images must be a whole number from 1 to 64; got 2.5."),
    ((8, -1, 0.0), "The seed must be from 0 to 4294967295; got -1."),
    ((8, 2**40, 0.0), "The seed must be from 0 to 4294967295; got 1099511627776."),
    ((8, 0, 7.5), "The share of non-shapes must be a number from 0 to 1; got 7.5."),
    ((8, 0, "nan"), "The share of non-shapes must be a number from 0 to 1; got 'nan'."),
    (("lots", 0, 0.0), "The number of images must be a whole number from 1 to 64; got 'lots'."),
    ((None, None, None), "The number of images must be a whole number from 1 to 64."),
    (([3], {}, "x"), "The number of images must be a whole number from 1 to 64; got [3]."),
])
def test_bad_values_get_an_error_and_the_app_keeps_serving(client, args, message):
    with pytest.raises(AppError, match=re.escape(message)) as info:
        client.predict(*args, api_name="/data_draw_and_judge")
    assert "Something went wrong" not in str(info.value)
    grid, _, _ = client.predict(2, 1, 0.0, api_name="/data_draw_and_judge")
    assert grid.count("<figure") == 2


@pytest.mark.parametrize("args, message", [
    (("nope", 100, 0),
     "Unknown toy data set 'nope'; choose one of 'ring8', 'moons', 'spiral', 'checkerboard', 'swiss_roll'."),
    (("moons", 10**8, 0), "The number of points must be from 1 to 100000; got 100000000."),
    (("moons", 100, -3), "The seed must be from 0 to 4294967295; got -3."),
    (("moons", 1.5, 0), "The number of points must be a whole number from 1 to 100000; got 1.5."),
])
def test_bad_toy_values(client, args, message):
    with pytest.raises(AppError, match=re.escape(message)) as info:
        client.predict(*args, api_name="/data_toy_2d")
    assert "Something went wrong" not in str(info.value)
    assert client.predict("ring8", 100, 0, api_name="/data_toy_2d") is not None


def test_app_with_a_broken_demo_still_serves():
    """A demo that fails to import becomes an error tab; the rest of the suite works."""
    import urllib.request

    from app import build_app
    from demos import REGISTRY, DemoSpec
    from shared.ui import launch
    from tests.conftest import free_port

    app = build_app([DemoSpec("broken", "Broken", "demos.does_not_exist"), *REGISTRY])
    _, url, _ = launch(app, "127.0.0.1", free_port(), prevent_thread_lock=True, quiet=True)
    try:
        assert urllib.request.urlopen(url).status == 200
        grid, _, _ = visitor(url).predict(3, 0, 0.0, api_name="/data_draw_and_judge")
        assert grid.count("<figure") == 3
    finally:
        app.close()
