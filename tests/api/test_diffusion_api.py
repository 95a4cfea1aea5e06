"""The diffusion tab through its HTTP API, as a user's script would call it.

Every value reaches the app's own checks (the public listeners skip Gradio's preprocessing), so each
bad value names the message the app gives, from shared.limits or the demo's logic, as plain text: a
crash that the app wraps as "Something went wrong (TypeError ...)" is still an error, but not this one.
"""

import re

import pytest
from gradio_client.exceptions import AppError

from shared.checkpoints import bundled_names
from tests.api.visitors import visitor


@pytest.fixture(scope="module")
def client(suite_url):
    return visitor(suite_url)


def test_forward_process(client):
    row, strip, plot = client.predict(3, 250, "linear", api_name="/diffusion_forward")
    assert row and strip and plot is not None
    assert client.predict(3, 250, "linear", api_name="/diffusion_forward")[0] is not None


@pytest.mark.parametrize("args, message", [
    ((3, 1000, "linear"), "The timestep t must be from 0 to 999; got 1000."),
    ((3, -1, "linear"), "The timestep t must be from 0 to 999; got -1."),
    ((3, 5, "quadratic"), "Unknown schedule 'quadratic'; choose one of 'squaredcos_cap_v2', 'linear'."),
    ((-2, 5, "linear"), "The seed must be from 0 to 4294967295; got -2."),
    ((None, None, None), "The seed must be a whole number from 0 to 4294967295."),
])
def test_bad_forward_values_get_a_message(client, args, message):
    with pytest.raises(AppError, match=re.escape(message)) as info:
        client.predict(*args, api_name="/diffusion_forward")
    assert "Something went wrong" not in str(info.value)


def test_train_and_sample_streams_then_ends_with_a_replayable_flow(client):
    job = client.submit("moons", 1, 100, api_name="/diffusion_train_and_sample")
    outputs = job.result() and job.outputs()
    statuses = [o[1] for o in outputs]
    assert any(s.startswith("Training: step") for s in statuses)
    assert any(s.startswith("Sampling: reverse step") for s in statuses)
    assert statuses[-1].startswith("Trained 100 steps; 600 points sampled")


@pytest.mark.parametrize("args, message", [
    (("nope", 0, 100),
     "Unknown data set 'nope'; choose one of 'ring8', 'moons', 'spiral', 'checkerboard', 'swiss_roll'."),
    (("moons", -1, 100), "The seed must be from 0 to 4294967295; got -1."),
    (("moons", 0, 10**6), "The training steps must be from 100 to 10000; got 1000000."),
    (("moons", 0, 5), "The training steps must be from 100 to 10000; got 5."),
])
def test_bad_training_values_get_a_message(client, args, message):
    with pytest.raises(AppError, match=re.escape(message)) as info:
        client.predict(*args, api_name="/diffusion_train_and_sample")
    assert "Something went wrong" not in str(info.value)


def test_sample_streams_steps_then_samples_then_an_animation(client):
    job = client.submit("diffusion-shapes", "DDIM", 10, 2, 0, api_name="/diffusion_sample")
    job.result()
    outputs = job.outputs()
    # (panel, status, slider, samples, animation, model); the session's recording stays on the server
    statuses = [o[1] for o in outputs if isinstance(o[1], str)]
    assert statuses[0] == "Sampling: starting (10 steps)…"  # before the first step is computed
    assert statuses[1].startswith("Sampling: step 1 of 10")
    assert any(s.startswith("Done: 10 steps") for s in statuses)
    assert outputs[-1][4] and outputs[-1][4].endswith(".gif")  # the animation comes last
    assert "diffusion-shapes (bundled" in outputs[1][5]  # the model is named once, with the first step


@pytest.mark.parametrize("args, message", [
    (("diffusion-shapes", "DDIM", 1001, 1, 0), "The number of denoising steps must be from 1 to 1000; got 1001."),
    (("diffusion-shapes", "DDIM", 5, 17, 0), "The number of samples must be from 1 to 16; got 17."),
    (("diffusion-shapes", "PNDM", 5, 1, 0),
     "Unknown sampler 'PNDM'; choose one of 'DDPM', 'DDIM', 'Euler', 'DPM-Solver++'."),
    (("diffusion-shapes", "DDIM", 5, 1, -3), "The seed must be from 0 to 4294967295; got -3."),
    (("../../etc", "DDIM", 5, 1, 0), f"'../../etc' is neither a bundled model ({', '.join(bundled_names())}) nor a Hub "
                                     "id like 'owner/name'."),
    (("x" * 200, "DDIM", 5, 1, 0), "A model id is at most 96 characters; this one has 200."),
])
def test_bad_sampling_values_get_a_message(client, args, message):
    with pytest.raises(AppError, match=re.escape(message)) as info:
        client.predict(*args, api_name="/diffusion_sample")
    assert "Something went wrong" not in str(info.value)


def test_hub_model_offline_falls_back_to_the_bundled_one(client):
    job = client.submit("google/ddpm-cifar10-32", "DPM-Solver++", 3, 1, 0, api_name="/diffusion_sample")
    job.result()
    assert "diffusion-shapes (bundled" in job.outputs()[1][5]


def test_compare_gives_a_row_per_sampler_with_time_and_quality(client):
    job = client.submit("diffusion-shapes", 0, 2, "DDIM", 4, "DPM-Solver++", 3, "", 10, api_name="/diffusion_compare")
    job.result()
    sheet, plot, table = job.outputs()[-1]
    assert sheet and plot is not None
    assert "| DDIM | 4 |" in table and "| DPM-Solver++ | 3 |" in table and "(none)" not in table


def test_compare_refuses_bad_step_counts(client):
    message = "The number of denoising steps must be from 1 to 1000; got 0."
    with pytest.raises(AppError, match=re.escape(message)) as info:
        client.predict("diffusion-shapes", 0, 2, "DDIM", 0, "", 1, "", 1, api_name="/diffusion_compare")
    assert "Something went wrong" not in str(info.value)


def test_inpaint_fills_a_region_of_an_uploaded_picture(client, tmp_path):
    from gradio_client import handle_file
    from PIL import Image

    picture = tmp_path / "picture.png"
    Image.new("RGB", (64, 64), (200, 40, 40)).save(picture)
    editor = {"background": handle_file(str(picture)), "layers": [], "composite": None}
    job = client.submit("diffusion-shapes", editor, "left half", "DDIM", 5, 0, api_name="/diffusion_inpaint")
    job.result()
    statuses = [o[1] for o in job.outputs() if isinstance(o[1], str)]
    assert statuses and statuses[0].startswith("Filling the left half: step 1 of 5")
    assert job.outputs()[-1][2]  # the filled picture


def test_inpaint_refuses_a_file_that_is_not_an_image(client, tmp_path):
    from gradio_client import handle_file

    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x00not an image at all")
    editor = {"background": handle_file(str(bad)), "layers": [], "composite": None}
    message = "That file is not an image this tab can read; upload a PNG, JPEG or WebP picture."
    with pytest.raises(AppError, match=re.escape(message)) as info:
        client.predict("diffusion-shapes", editor, "left half", "DDIM", 5, 0, api_name="/diffusion_inpaint")
    assert "Something went wrong" not in str(info.value)
