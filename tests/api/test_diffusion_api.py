"""The diffusion tab through its HTTP API, as a user's script would call it."""

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError


@pytest.fixture(scope="module")
def client(suite_url):
    return Client(suite_url, verbose=False)


def test_forward_process(client):
    row, strip, plot = client.predict(3, 250, "linear", api_name="/diffusion_forward")
    assert row and strip and plot is not None
    assert client.predict(3, 250, "linear", api_name="/diffusion_forward")[0] is not None


@pytest.mark.parametrize("args", [(3, 1000, "linear"), (3, -1, "linear"), (3, 5, "quadratic"), (-2, 5, "linear"),
                                  (None, None, None)])
def test_bad_forward_values_get_a_message(client, args):
    with pytest.raises(AppError) as info:
        client.predict(*args, api_name="/diffusion_forward")
    assert "has not enabled verbose error reporting" not in str(info.value)


def test_train_and_sample_streams_then_ends_with_a_replayable_flow(client):
    job = client.submit("moons", 1, 100, api_name="/diffusion_train_and_sample")
    outputs = job.result() and job.outputs()
    statuses = [o[1] for o in outputs]
    assert any(s.startswith("Training: step") for s in statuses)
    assert any(s.startswith("Sampling: reverse step") for s in statuses)
    assert statuses[-1].startswith("Trained 100 steps; 600 points sampled")


@pytest.mark.parametrize("args", [("nope", 0, 100), ("moons", -1, 100), ("moons", 0, 10**6), ("moons", 0, 5)])
def test_bad_training_values_get_a_message(client, args):
    with pytest.raises(AppError):
        client.predict(*args, api_name="/diffusion_train_and_sample")
