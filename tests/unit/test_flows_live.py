"""The live 2-D flow: its likelihood is exact (the layers invert, the density integrates to one),
training lowers the held-out loss, the run is repeatable, the buttons keep the shared protocol,
every setting is checked, and the view draws every layer."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from demos.flows import live, views
from demos.flows import wording as words
from demos.flows.model import layer_maps
from demos.flows.options import FLOW_KINDS, MAX_STEPS, STEP_STEPS
from shared.limits import LimitError
from shared.live import ALREADY_RUNNING, FINISHED, LiveRun

RING = live.FlowSettings("ring8", "nsf", 4, 0)


@pytest.mark.parametrize("kind", FLOW_KINDS)
def test_the_layers_invert_and_log_p_is_the_change_of_variables(kind):
    run = live.ToyFlow(live.FlowSettings("ring8", kind, 3, 1))
    run.train(60)  # away from the initial near-identity, so every term counts
    flow = run.flow
    with torch.no_grad():
        x = torch.cat([run.test[:256], torch.randn(256, 2, generator=torch.Generator().manual_seed(0))])
        z, log_det = x, torch.zeros(len(x))
        for f in layer_maps(flow):
            y = f(z)
            log_det += f.log_abs_det_jacobian(z, y)
            z = y
        back = z
        for f in reversed(layer_maps(flow)):
            back = f.inv(back)
        expected = torch.distributions.Normal(0.0, 1.0).log_prob(z).sum(1) + log_det
        torch.testing.assert_close(back, x, atol=1e-4, rtol=0)
        torch.testing.assert_close(flow().log_prob(x), expected, atol=1e-4, rtol=0)


def test_a_trained_density_integrates_to_one():
    """Exact likelihood, checked as a density must be: the integral of p over the plane is 1
    (midpoint rule on a fine grid over [-6, 6]^2, where a trained ring of 8 keeps its mass)."""
    run = live.ToyFlow(RING)
    run.train(150)
    axis = torch.linspace(-6, 6, 401)
    cell = float(axis[1] - axis[0]) ** 2
    gy, gx = torch.meshgrid(axis, axis, indexing="ij")
    with torch.no_grad():
        p = run.flow().log_prob(torch.stack([gx, gy], -1).reshape(-1, 2)).exp()
    assert float(p.sum()) * cell == pytest.approx(1.0, abs=0.02)


def test_training_lowers_the_held_out_loss_and_the_same_seed_repeats_the_run():
    a, b = live.ToyFlow(RING), live.ToyFlow(RING)
    before = a.snapshot().test_nll
    a.train(200)
    b.train(200)
    after = a.snapshot()
    assert before > 2.5 and after.test_nll < 1.2, (before, after.test_nll)  # a Gaussian blob, then the ring
    assert a.losses == b.losses
    np.testing.assert_array_equal(after.samples, b.snapshot().samples)


def test_the_snapshot_holds_every_layer_in_both_directions():
    run = live.ToyFlow(live.FlowSettings("moons", "realnvp", 3, 2))
    snap = run.snapshot()
    assert len(snap.to_noise) == len(snap.to_data_grid) == len(snap.to_data_samples) == 4
    np.testing.assert_array_equal(snap.to_noise[0], run.data[:len(snap.to_noise[0])].numpy())
    np.testing.assert_array_equal(snap.to_data_samples[0], run.noise.numpy())
    np.testing.assert_allclose(snap.to_data_samples[-1], snap.samples)
    assert snap.log_density.shape == (64, 64) and np.isfinite(snap.log_density).all()
    picture, status = views.live_view(run)
    assert picture.dtype == np.uint8 and picture.shape[1] == views.WIDTH and status == words.READY


def test_the_heatmap_colours_a_dead_density_black():
    log_p = np.array([[0.0, -3.0], [np.nan, -np.inf]])
    rgb = views.heat_colours(log_p)
    assert tuple(rgb[0, 0]) == (253, 231, 37) and tuple(rgb[1, 0]) == (0, 0, 0)


def test_a_press_trains_its_steps_and_step_trains_its_own():
    slot = LiveRun()
    press = live.new_press(slot, RING, 30)
    frames = list(live.start(slot, press))
    assert slot.run.step == 30 and frames[-1].step == 30
    live.step(slot, RING)
    assert slot.run.step == 30 + STEP_STEPS
    picture, status = views.live_view(slot.run, speed=12.0)
    assert status.startswith(f"**Step {30 + STEP_STEPS}**") and "held-out −log p" in status and "12 steps/s" in status


def test_changed_settings_start_a_new_run_and_a_full_run_is_refused():
    slot = LiveRun()
    live.step(slot, RING)
    first = slot.run
    live.step(slot, RING)
    assert slot.run is first and first.step == 2 * STEP_STEPS
    live.new_press(slot, live.FlowSettings("moons", "nsf", 4, 0), 10)
    assert slot.run is not first and slot.run.step == 0
    slot.run.step = MAX_STEPS
    with pytest.raises(LimitError, match=FINISHED):
        live.new_press(slot, live.FlowSettings("moons", "nsf", 4, 0), 10)


def test_a_second_press_or_a_step_during_a_run_is_refused():
    slot = LiveRun()
    press = live.new_press(slot, RING, 5000)
    stream = live.start(slot, press)
    next(stream)  # the run now holds the slot
    try:
        with pytest.raises(LimitError, match="already going"):
            live.new_press(slot, RING, 10)
        with pytest.raises(LimitError, match=words.STEP_WHILE_RUNNING):
            live.step(slot, RING)
        stopper = threading.Thread(target=live.reset, args=(slot, RING))  # Reset waits for the loop to stop
        stopper.start()
        for _ in stream:
            pass
        stopper.join(30)
        assert slot.run.step == 0
    finally:
        stream.close()
    assert ALREADY_RUNNING.startswith("This session's run is already going")


@pytest.mark.parametrize("settings, message", [
    (("spirals", "nsf", 4, 0), "Unknown data set 'spirals'"),
    (("ring8", "glow", 4, 0), "Unknown flow 'glow'"),
    (("ring8", "nsf", 0, 0), "number of layers"),
    (("ring8", "nsf", 9, 0), "number of layers"),
    (("ring8", "nsf", 4, -1), "seed"),
])
def test_every_setting_is_checked(settings, message):
    with pytest.raises(LimitError, match=message):
        live.settings_from_values(settings)


@pytest.mark.parametrize("steps", [0, 9, 20_001, "many", None, 2.5])
def test_the_steps_of_a_press_are_checked(steps):
    with pytest.raises(LimitError, match="training steps per press"):
        live.new_press(LiveRun(), RING, steps)
