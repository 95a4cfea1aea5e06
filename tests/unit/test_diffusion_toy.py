"""2-D diffusion trained in a session: it learns, it covers every mode, runs repeat, settings are checked."""

import numpy as np
import pytest

from demos.diffusion.live import FIELD_GRID, ToyDiffusion, ToyDiffusionSettings
from demos.diffusion.model import cosine_alpha_bar
from demos.diffusion.options import MAX_STEPS, T
from shared.datasets import RING8_STD, ring8_centres
from shared.limits import LimitError


def test_schedule_goes_from_signal_to_noise():
    abar = cosine_alpha_bar()
    assert abar.shape == (T,) and abar[0] > 0.99 and abar[-1] < 1e-3
    assert (abar[1:] < abar[:-1]).all()


def test_a_few_hundred_steps_lower_the_loss():
    run = ToyDiffusion(ToyDiffusionSettings(seed=0))
    before = run.eval_loss()
    run.train(200)
    assert run.eval_loss() < 0.8 * before


def test_trained_flow_lands_on_every_mode_of_the_ring():
    """Unlike the GAN presets: 2,000 steps put most points on the ring, on all 8 modes."""
    run = ToyDiffusion(ToyDiffusionSettings(seed=0))
    run.train(2000)
    flow = run.sample(1000, seed=0)
    assert flow.path.shape == (T + 1, 1000, 2) and list(flow.timesteps[[0, -1]]) == [T, 0]
    end = flow.path[-1]
    dist = np.linalg.norm(end[:, None] - ring8_centres()[None], axis=-1)
    near = dist.min(1) < 3 * RING8_STD
    assert near.mean() > 0.8
    assert (np.bincount(dist.argmin(1)[near], minlength=8) >= 0.02 * len(end)).all()
    start = flow.path[0]  # pure noise
    assert abs(start.mean()) < 0.1 and abs(start.std() - 1) < 0.1


def test_same_seed_same_flow():
    a, b = ToyDiffusion(ToyDiffusionSettings(seed=4)), ToyDiffusion(ToyDiffusionSettings(seed=4))
    a.train(20)
    b.train(20)
    np.testing.assert_array_equal(a.sample(50, 1).path, b.sample(50, 1).path)
    assert not np.array_equal(a.sample(50, 1).path, a.sample(50, 2).path)


def test_field_points_somewhere_on_a_grid():
    run = ToyDiffusion(ToyDiffusionSettings())
    run.train(50)
    field = run.field(t=T // 2)
    assert field.grid.shape == field.direction.shape == (FIELD_GRID**2, 2)
    assert np.isfinite(field.direction).all() and np.abs(field.direction).max() > 0


@pytest.mark.parametrize("change", [{"dataset": "mnist"}, {"hidden": 5}, {"layers": 0}, {"lr": 2.0},
                                    {"batch": 10**6}, {"seed": -3}])
def test_bad_settings_get_a_message(change):
    with pytest.raises(LimitError):
        ToyDiffusion(ToyDiffusionSettings(**change))


@pytest.mark.parametrize("call", [lambda r: r.train(MAX_STEPS + 1), lambda r: r.sample(0, 0),
                                  lambda r: r.sample(10, -1), lambda r: r.field(0), lambda r: r.field(T + 1)])
def test_bad_requests_get_a_message(call):
    with pytest.raises(LimitError):
        call(ToyDiffusion(ToyDiffusionSettings()))


def test_a_press_trains_in_chunks_reuses_the_run_and_is_exclusive():
    """live.train_and_sample: what either UI's "Train and sample" does with the session's run."""
    from demos.diffusion import live as toy_live
    from shared.live import LiveRun

    live = LiveRun()
    frames = list(toy_live.train_and_sample(live, "moons", 1, 100, pace_s=0))
    assert [f.flow is None for f in frames].count(False) == T // toy_live.FLOW_STRIDE + 2  # the flow, then the end
    assert frames[-1].done and live.run.step == 100 and frames[-1].status.startswith("Trained 100 steps")
    first = live.run
    list(toy_live.train_and_sample(live, "moons", 1, 100, pace_s=0))
    assert live.run is first and first.step == 200  # the same settings go on training the same run
    list(toy_live.train_and_sample(live, "ring8", 1, 100, pace_s=0))
    assert live.run is not first and live.run.step == 100  # other settings start a new one
    with live.driving("busy"), pytest.raises(LimitError, match=toy_live.ALREADY_RUNNING[:20]):
        next(toy_live.train_and_sample(live, "ring8", 1, 100))
    with pytest.raises(LimitError, match="training steps"):
        next(toy_live.train_and_sample(live, "ring8", 1, 50))
    assert toy_live.replay(live, frames[-1].flow, T).shape[2] == 3
