"""CLIP's objective, live: a fresh small CLIP trained in the session turns the shown batch's
similarity matrix diagonal within the default steps, from a loss of about log(batch); a seed gives
the same run, however it is chunked or paused; pause() from another event stops it within a chunk;
torch's global generator is left alone; bad settings are refused; the figures draw the frame."""

import copy
import math
import queue
import threading

import numpy as np
import pytest
import torch

from demos.clip import options
from demos.clip.live import LiveCLIP, curves_figure, heatmap_figure, shown_batch
from shared.datasets import HELD_OUT_PAIRS
from shared.limits import LimitError


@pytest.fixture(scope="module")
def full_run():
    """The default run of seed 0 to its end, with torch's global generator state around it."""
    before = torch.get_rng_state()
    run = LiveCLIP()
    frames = list(run.run())
    return run, frames, before, torch.get_rng_state()


def test_the_default_run_turns_the_matrix_diagonal_from_a_loss_of_log_batch(full_run):
    run, frames, _, _ = full_run
    first, last = frames[0], frames[-1]
    assert first.step == 0 and len(first.losses) == 0 and first.similarity.shape == (options.SHOWN_BATCH,) * 2
    assert last.done and last.step == run.steps == options.DEFAULT_LIVE_STEPS and len(frames) >= 4
    assert [f.step for f in frames] == sorted(f.step for f in frames)
    assert len(last.losses) == len(last.temperatures) == last.step
    chance = math.log(options.LIVE_BATCH)
    assert abs(float(last.losses[:5].mean()) - chance) < 0.5  # a fresh model knows nothing
    assert float(last.losses[-20:].mean()) < 0.4 * chance
    assert last.diagonal_accuracy >= 0.8
    off = ~np.eye(options.SHOWN_BATCH, dtype=bool)
    assert np.diag(last.similarity).mean() > last.similarity[off].mean() + 0.5
    assert np.allclose(last.probabilities.sum(1), 1.0, atol=1e-5)
    assert float(np.diag(last.probabilities).mean()) > 0.8
    assert last.temperatures[0] == pytest.approx(0.07, abs=0.002) and last.temperatures[-1] < last.temperatures[0]
    assert last.seconds > 0 and run.frame().similarity.tolist() == last.similarity.tolist()  # frame() trains nothing
    again = list(run.run())  # a finished run shows where it is and trains no further
    assert len(again) == 1 and again[0].step == last.step


def test_a_run_leaves_torch_global_generator_alone(full_run):
    _, _, before, after = full_run
    assert torch.equal(before, after)


def test_the_shown_batch_has_distinct_seen_shape_colour_pairs_and_follows_the_seed():
    images, captions, _ = shown_batch(5)
    assert images.shape == (options.SHOWN_BATCH, 32, 32, 3) and images.dtype == np.uint8
    pairs = {(c.split()[3], c.split()[2]) for c in captions}  # "a small red circle ..." -> (circle, red)
    assert len(pairs) == options.SHOWN_BATCH and not pairs & HELD_OUT_PAIRS
    again = LiveCLIP(seed=5)
    assert again.shown_captions == captions and np.array_equal(again.shown_images, images)
    assert LiveCLIP(seed=6).shown_captions != captions


def test_a_seed_gives_the_same_run_however_it_is_chunked():
    straight = LiveCLIP(steps=20, seed=3)
    a = list(straight.run())[-1]
    piecewise = LiveCLIP(steps=20, seed=3)
    step = 0
    for _ in range(20):  # short runs of at least a step each, each resuming where the last stopped
        frames = list(piecewise.run(seconds=0.05))
        assert frames[0].step == step
        step = frames[-1].step
        if piecewise.done:
            break
    b = piecewise.frame()
    assert a.step == b.step == 20 and b.done
    assert np.array_equal(a.similarity, b.similarity) and np.array_equal(a.losses, b.losses)
    assert not np.array_equal(a.similarity, list(LiveCLIP(steps=20, seed=4).run())[-1].similarity)


def test_pause_from_another_thread_stops_the_run_within_a_chunk_and_run_resumes():
    run = LiveCLIP(steps=options.LIVE_STEPS.high, seed=1)
    frames: queue.Queue = queue.Queue()
    consumer = threading.Thread(target=lambda: [frames.put(f) for f in run.run()], daemon=True)
    consumer.start()
    while frames.get(timeout=30).step == 0:  # the first chunk has trained
        pass
    before = run.step
    run.pause()
    consumer.join(timeout=5)
    assert not consumer.is_alive() and not run.running
    # within the step it was on: at most the one running when `before` was read and the one it began
    # before the pause was seen, not the rest of a LIVE_CHUNK_S chunk
    assert run.step <= before + 2
    paused = run.step
    assert 0 < paused < run.steps and run.frame().step == paused
    resumed = list(run.run(seconds=1.0))
    assert resumed[0].step == paused and resumed[-1].step > paused
    assert len(resumed[-1].losses) == resumed[-1].step and not resumed[-1].done
    run.stop()
    assert list(run.run()) == []  # a stopped run (its session ended) never trains again


@pytest.mark.parametrize("steps", [0, 5000, "x", None, 2.5, True])
def test_bad_step_counts_are_refused_with_the_limits_message(steps):
    with pytest.raises(LimitError) as expected:
        options.LIVE_STEPS.check(steps)
    with pytest.raises(LimitError) as got:
        LiveCLIP(steps=steps)
    assert str(got.value) == str(expected.value)


def test_bad_seeds_and_run_lengths_are_refused():
    with pytest.raises(LimitError):
        LiveCLIP(seed=-1)
    with pytest.raises(LimitError):
        next(LiveCLIP(steps=10).run(seconds=options.LIVE_RUN_S + 1))


def test_the_figures_draw_the_frame_and_a_fresh_run_copies():
    run = LiveCLIP(steps=10, seed=2)
    assert copy.deepcopy(run).shown_captions == run.shown_captions  # what Gradio does to a State's value
    frames = list(run.run())
    for frame in (frames[0], frames[-1]):  # before training (no curves yet) and after
        heat = heatmap_figure(frame, run.shown_captions)
        assert np.allclose(np.asarray(heat.data[0].z), frame.similarity.T)  # a row per caption, a column per image
        assert np.allclose(np.asarray(heat.data[0].customdata), frame.probabilities.T)
        assert list(heat.data[0].y) == [f"{j + 1}. {c}" for j, c in enumerate(run.shown_captions)]
        curves = curves_figure(frame)
        assert list(curves.data[0].y) == frame.losses.tolist() and list(curves.data[2].y) == frame.temperatures.tolist()
    assert len(heatmap_figure(frames[-1]).data[0].y) == options.SHOWN_BATCH  # without captions: numbered
    assert np.array_equal(copy.deepcopy(run).frame().similarity, frames[-1].similarity)  # a trained run copies too
