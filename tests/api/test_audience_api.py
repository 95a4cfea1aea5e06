"""An audience through the HTTP API: thirty identical requests at once get whole files, and one
session pressing Start twice, or Step during a run, is refused with a message, not raced."""

from __future__ import annotations

import io
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from tests.api.visitors import tls_context, visitor

GAN_SETTINGS = ("ring8", "non-saturating", 2, 64, 2, 64, 2, 1e-3, 1e-3, 1, 0.0, 256, 0)


def file_urls(value) -> list[str]:
    """Every file URL in an endpoint's result (nested lists and dicts)."""
    if isinstance(value, dict):
        if isinstance(value.get("url"), str):
            return [value["url"]]
        return [u for v in value.values() for u in file_urls(v)]
    if isinstance(value, (list, tuple)):
        return [u for v in value for u in file_urls(v)]
    return []


def fetch_whole_image(http: httpx.Client, url: str) -> tuple[int, int]:
    """GET a file as a browser would; (declared length, bytes received) after decoding it fully."""
    from PIL import Image

    response = http.get(url)
    response.raise_for_status()
    Image.open(io.BytesIO(response.content)).load()  # a truncated PNG or GIF fails here
    return int(response.headers["content-length"]), len(response.content)


AUDIENCE = 30
# Thirty clients asking for the suite's config at once wait their turn on a 2-core machine: more than
# the client's default 5 s, but they arrive together to test the server, not to be timed. Gradio sends
# a heartbeat every 15 s, so a stream read never waits this long.
CONFIG_TIMEOUT = httpx.Timeout(60.0)


@pytest.fixture(scope="module")
def audience(suite_url):
    """Thirty visitors, each a client with a session of its own, made at once (as they would arrive)
    and shared by this module's audience tests: a session's state is its own whichever test uses it."""
    with ThreadPoolExecutor(AUDIENCE) as pool:
        clients = list(pool.map(lambda _: visitor(suite_url, download_files=False,
                                                 httpx_kwargs={"timeout": CONFIG_TIMEOUT}), range(AUDIENCE)))
    assert len({c.session_hash for c in clients}) == AUDIENCE
    yield clients
    with ThreadPoolExecutor(AUDIENCE) as pool:  # each close waits on its own connection: all at once
        list(pool.map(lambda client: client.close(), clients))


@pytest.mark.parametrize("api_name, args", [
    ("/gan_sample_grid", (0, 1.0)),
    ("/gan_walk", ("0, 6, 8, 15", 37, "slerp", 1.0, 12)),
    ("/gan_conditional_grid", ("star", "blue", 0, 1.0)),
    ("/diffusion_forward", (0, 300, "squaredcos_cap_v2")),
    ("/vae_sample", ("fitted", 1.0, 0, 16, "β = 6")),
    ("/clip_search_text", ("clip-shapes", "a large red star", 12)),
    ("/flows_train_reset", ("ring8", "nsf", 4, 0)),
    ("/pixelcnn_sample", (16, 1.0, 0)),
    ("/flows_image_samples", (16, 1.0, 0)),
    ("/flows_image_interpolate", (3, 40, 8)),
])
def test_thirty_identical_requests_at_once_all_get_whole_files(audience, api_name, args):
    start = threading.Barrier(len(audience))

    def one(client: Client) -> list[tuple[int, int]]:
        start.wait()
        result = client.predict(*args, api_name=api_name)
        with httpx.Client(timeout=30, verify=tls_context()) as http:
            return [fetch_whole_image(http, url) for url in file_urls(result)]

    with ThreadPoolExecutor(len(audience)) as pool:
        fetched = list(pool.map(one, audience))
    assert all(fetched), "a call returned no files"
    assert len({len(f) for f in fetched}) == 1  # every call returned the same number of files
    for files in fetched:
        for declared, received in files:
            assert declared == received > 0


@pytest.fixture
def client(suite_url):
    c = visitor(suite_url)
    yield c
    c.close()


def first_update(job, timeout: float = 30.0) -> None:
    end = time.perf_counter() + timeout
    while not job.outputs() and time.perf_counter() < end:
        if job.done():
            raise AssertionError(f"the run ended before its first update: {job.exception()}")
        time.sleep(0.05)
    assert job.outputs(), "no update within the timeout"


def test_gan_second_start_and_step_during_a_run_are_refused_and_reset_waits(client):
    job = client.submit(*GAN_SETTINGS, api_name="/gan_train")
    first_update(job)
    with pytest.raises(AppError, match="already going: press Pause \\(or Stop\\) first"):
        client.predict(*GAN_SETTINGS, api_name="/gan_train")
    with pytest.raises(AppError, match="The run is going: press Pause first"):
        client.predict(*GAN_SETTINGS, api_name="/gan_train_step")
    assert not job.done()  # the refused calls left the run alone
    image, status = client.predict(*GAN_SETTINGS, api_name="/gan_train_reset")  # stops the run, waits, resets
    assert status.startswith("**Step 0**")
    job.result(timeout=10)  # the first stream ended cleanly
    image, status = client.predict(*GAN_SETTINGS, api_name="/gan_train_step")
    assert status.startswith("**Step 1**")


def test_gan_runs_of_two_sessions_do_not_block_each_other(suite_url):
    a, b = visitor(suite_url), visitor(suite_url)
    try:
        job = a.submit(*GAN_SETTINGS, api_name="/gan_train")
        first_update(job)
        assert b.predict(*GAN_SETTINGS, api_name="/gan_train_step")[1].startswith("**Step 1**")
        a.predict(api_name="/gan_train_pause")
        job.result(timeout=10)
    finally:
        a.close(), b.close()


def test_flows_second_start_and_step_during_a_run_are_refused_and_reset_waits(client):
    settings = ("ring8", "nsf", 2, 0)
    job = client.submit(*settings, 5000, api_name="/flows_train")
    first_update(job)
    with pytest.raises(AppError, match="already going: press Pause \\(or Stop\\) first"):
        client.predict(*settings, 100, api_name="/flows_train")
    with pytest.raises(AppError, match="The flow is training: press Pause first"):
        client.predict(*settings, api_name="/flows_train_step")
    assert not job.done()  # the refused calls left the run alone
    image, status = client.predict(*settings, api_name="/flows_train_reset")  # stops the run, waits, resets
    assert status.startswith("Press **Start**")
    job.result(timeout=30)  # the first stream ended cleanly


def test_diffusion_2d_second_run_is_refused(client):
    job = client.submit("ring8", 0, 10_000, api_name="/diffusion_train_and_sample")
    first_update(job)
    with pytest.raises(AppError, match="already going: press Pause \\(or Stop\\) first"):
        client.predict("ring8", 0, 100, api_name="/diffusion_train_and_sample")
    job.cancel()


def test_clip_second_start_is_refused_and_reset_waits(client):
    job = client.submit(1000, 0, api_name="/clip_train")
    first_update(job, timeout=60)
    with pytest.raises(AppError, match="already going: press Pause \\(or Stop\\) first"):
        client.predict(1000, 0, api_name="/clip_train")
    assert not job.done()
    heatmap, curves, status = client.predict(1000, 0, api_name="/clip_train_reset")  # stops the run, waits, resets
    assert status.startswith("step 0 of 1,000")
    job.result(timeout=10)


def test_clip_galleries_of_thirty_sessions_at_once_stay_apart(audience, tmp_path):
    """Thirty people add a picture of their own at once, then search with it: each finds their own
    picture first and nobody else's."""
    from PIL import Image

    n, clients = len(audience), audience
    start = threading.Barrier(n)
    paths = []
    for i in range(n):  # picture i: a bar of its own colour and position
        image = Image.new("RGB", (64, 64), (255, 255, 255))
        image.paste((8 * i, 255 - 8 * i, (97 * i) % 256), (2 * i, 0, 2 * i + 8, 64))
        paths.append(tmp_path / f"person{i}.png")
        image.save(paths[-1])

    def one(i: int) -> list[str]:
        from gradio_client import handle_file

        start.wait()
        message, _ = clients[i].predict("clip-shapes", [handle_file(str(paths[i]))], api_name="/clip_add_images")
        assert message == "Added 1 image. Your gallery now holds 1.", message
        _, summary = clients[i].predict("clip-shapes", handle_file(str(paths[i])), 12, api_name="/clip_search_image")
        return [line for line in summary.splitlines() if line.endswith("| yours |")]

    with ThreadPoolExecutor(n) as pool:
        found = list(pool.map(one, range(n)))
    for i, mine in enumerate(found):
        assert mine == [f"| 1 | 1.000 | person{i}.png | yours |"], (i, mine)


def test_gpt_second_pretraining_is_refused(client):
    text = "In the beginning God created the heaven and the earth. " * 20
    job = client.submit(text, 30, 0, api_name="/gpt_pretrain")
    first_update(job, timeout=60)
    with pytest.raises(AppError, match="already going: press Pause \\(or Stop\\) first"):
        client.predict(text, 5, 0, api_name="/gpt_pretrain")
    job.cancel()


def test_gpt_second_answer_while_one_is_written_is_refused():
    """The chat handler itself (a streamed answer ends too fast to race reliably over HTTP): while
    one answer streams, a second from the same session is refused; another session is not."""
    import gradio as gr

    from demos.gpt import ui
    from shared.live import LiveRun

    writer, other = LiveRun(), LiveRun()
    args = ("And God said,", [], "gpt-kjv", 40, 1.0, 0, 1.0, 0)
    first = ui.chat(writer, *args)
    next(first)  # streaming: the session's writer is taken
    with pytest.raises(gr.Error, match="still writing its answer: press Stop first"):
        next(ui.chat(writer, *args))
    assert next(ui.chat(other, *args))  # a second session answers meanwhile
    first.close()  # Stop: the writer is free again
    assert next(ui.chat(writer, *args))


def test_a_closed_session_is_freed_after_the_grace_period_and_its_run_stopped():
    """Gradio keeps a closed page's state for an hour; the suite frees it `grace_s` after the close."""
    import gradio as gr

    from shared.live import LiveRun
    from shared.ui import release_sessions_on_close
    from tests.conftest import free_port

    stopped = []

    class Run:
        def stop(self) -> None:
            stopped.append(True)

    with gr.Blocks() as demo:
        live = gr.State(LiveRun(), delete_callback=lambda lr: lr.stop())
        out = gr.Textbox()
        gr.Button().click(lambda lr: (setattr(lr, "run", Run()), "started")[1], live, out, api_name="start")
    release_sessions_on_close(demo, grace_s=0.5)
    _, url, _ = demo.queue().launch(server_port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        client = visitor(url)
        assert client.predict(api_name="/start") == "started"
        session = client.session_hash
        assert session in demo.state_holder.session_data
        client.close()  # the page closes: its heartbeat stops
        end = time.perf_counter() + 15
        while session in demo.state_holder.session_data and time.perf_counter() < end:
            time.sleep(0.1)
        assert session not in demo.state_holder.session_data and stopped == [True]
    finally:
        demo.close()


def test_alignment_thirty_visitors_vote_in_one_room_then_two_press_tune_at_once(audience):
    """A talk's room: thirty sessions draw a pair and vote at once, and every vote counts exactly once;
    two visitors then press Tune at the same moment: one run, the other told so."""
    room = "audience-room"
    with ThreadPoolExecutor(len(audience)) as pool:
        pairs = list(pool.map(lambda ic: ic[1].predict(room, "", ic[0], api_name="/alignment_draw"), enumerate(audience)))
    assert all(p[1].startswith("**A.**") and p[2].startswith("**B.**") for p in pairs)
    barrier = threading.Barrier(len(audience))

    def vote(i: int) -> str:
        barrier.wait()
        return audience[i].predict(room, "A" if i % 2 else "B", pairs[i][3], api_name="/alignment_vote")[-1]

    with ThreadPoolExecutor(len(audience)) as pool:
        list(pool.map(vote, range(len(audience))))
    status = audience[0].predict(room, api_name="/alignment_status")
    assert f"Room **{room}** · **{len(audience)} votes**" in status

    drawn_before = audience[7].predict(room, "", 99, api_name="/alignment_draw")  # shown, not yet voted on

    def tune(client) -> str:
        try:
            client.predict(room, 3, 0, api_name="/alignment_tune")
            return "ran"
        except AppError as exc:
            return str(exc)

    barrier2 = threading.Barrier(2)

    def pressed(client) -> str:
        barrier2.wait()
        return tune(client)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(pressed, audience[:2]))
    assert sorted(results, key=len) == sorted(["ran", results[1 - results.index("ran")]], key=len)
    assert "being tuned right now" in results[1 - results.index("ran")]
    after = audience[5].predict(room, api_name="/alignment_status")
    assert "**0 votes**" in after and "tuned 1 time" in after
    with pytest.raises(AppError, match="drawn before the model changed"):  # a vote on a pair of the old model
        audience[7].predict(room, "A", drawn_before[3], api_name="/alignment_vote")


def test_pixelcnn_thirty_identical_presses_draw_once_and_all_watch_the_same_pixels(audience):
    """The PixelCNN's sampling is shared (shared/shared_stream.py): thirty presses of the same
    settings start one sampler, and every visitor gets the same streamed pictures to the end."""
    from demos.pixelcnn import explore

    settings = (6, 0.9, 4242)
    before = explore._shared_samples.started
    start = threading.Barrier(len(audience))

    def one(client: Client) -> tuple[int, bytes]:
        start.wait()
        job = client.submit(*settings, api_name="/pixelcnn_sample")
        updates = list(job)
        (url,) = file_urls(job.result())
        with httpx.Client(timeout=30, verify=tls_context()) as http:
            return len(updates), http.get(url).content

    with ThreadPoolExecutor(len(audience)) as pool:
        results = list(pool.map(one, audience))
    assert explore._shared_samples.started == before + 1
    assert len({png for _, png in results}) == 1  # the same finished picture for everyone
    assert all(n >= 1 for n, _ in results)


def test_arena_thirty_identical_presses_measure_once_and_all_get_the_same_table(audience):
    """A live round of the arena is shared like the PixelCNN's samples: thirty presses of Measure now
    with the same settings measure every family once, and everyone gets the same finished table."""
    from demos.arena import explore

    settings = (4, 4343)
    before = explore._shared_rounds.started
    start = threading.Barrier(len(audience))

    def one(client: Client) -> tuple[str, str]:
        start.wait()
        table, _, status = client.predict(*settings, api_name="/arena_measure")
        return table, status

    with ThreadPoolExecutor(len(audience)) as pool:
        results = list(pool.map(one, audience))
    assert explore._shared_rounds.started == before + 1
    assert len(set(results)) == 1
    from demos.arena_families import FAMILIES

    assert re.fullmatch(rf"{len(FAMILIES)} families measured on 4 samples each in \d+\.\d s\.", results[0][1])


def test_provenance_thirty_visitors_answering_in_one_room_are_counted_exactly(audience):
    """Thirty visitors of a presenter link with a room each see a quiz picture and answer at once:
    the room counts every answer once, and each visitor's own score holds their one answer."""
    from demos.provenance import quiz

    room = "audience-quiz"
    start = threading.Barrier(len(audience))

    def one(client: Client) -> str:
        client.predict(room, 11, api_name="/provenance_picture")
        start.wait()
        _, _, mine = client.predict(room, "generated", api_name="/provenance_answer")
        return mine

    with ThreadPoolExecutor(len(audience)) as pool:
        mine = list(pool.map(one, audience))
    counts = quiz.ROOMS.get(room).snapshot()
    assert sum(c.answers for c in counts.values()) == len(audience)
    first = quiz.pool()[int(np.random.default_rng(11).permutation(len(quiz.pool()))[0])][0]
    assert set(counts) == {first}  # everyone's first picture of seed 11 is the same one
    assert all("| **All pictures** | 1 |" in m for m in mine)


def test_provenance_thirty_identical_skew_runs_train_once(audience):
    """Thirty presses of Train on the skewed set with the same settings (a room pressing the default,
    or one visitor double-clicking) train one GAN, and everyone sees the same finished run."""
    from demos.provenance import skew

    settings = (0.7, 50, 4242)
    before = skew._shared_runs.started
    start = threading.Barrier(len(audience))

    def one(client: Client) -> str:
        start.wait()
        _, _, status = client.predict(*settings, api_name="/provenance_skew")
        return status

    with ThreadPoolExecutor(len(audience)) as pool:
        results = list(pool.map(one, audience))
    assert skew._shared_runs.started == before + 1
    assert len(set(results)) == 1 and results[0].startswith("Step 50 of 50 (")
