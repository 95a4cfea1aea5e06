"""Live 2-D GAN training: the trainer learns, the presets do what they say, settings are checked."""

import numpy as np
import pytest

from demos.gan.live import ToyGAN
from demos.gan.options import LOSSES, MAX_STEPS, PRESETS, ToySettings, settings_from
from demos.gan.views import HEIGHT, WIDTH, render_snapshot
from shared.limits import LimitError


@pytest.mark.parametrize("loss", LOSSES)
def test_a_few_steps_lower_the_discriminator_loss(loss):
    trainer = ToyGAN(ToySettings(loss=loss, seed=0))
    before, _ = trainer.eval_losses()
    trainer.train(20)
    after, _ = trainer.eval_losses()
    assert after < before, f"{loss}: D loss {before:.3f} -> {after:.3f}"


def test_same_seed_same_run():
    a, b = ToyGAN(ToySettings(seed=3)), ToyGAN(ToySettings(seed=3))
    a.train(5)
    b.train(5)
    np.testing.assert_array_equal(a.snapshot().fake, b.snapshot().fake)
    assert a.loss_d == b.loss_d


def test_snapshot_holds_what_the_view_draws():
    trainer = ToyGAN(ToySettings())
    trainer.train(3)
    snap = trainer.snapshot()
    assert snap.step == 3 and len(snap.loss_d) == 3
    assert snap.real.shape == snap.fake.shape == (512, 2)
    assert snap.surface.shape == (64, 64) and 0 <= snap.surface.min() <= snap.surface.max() <= 1
    assert snap.arrow_from.shape == snap.arrow_dir.shape and np.isfinite(snap.arrow_dir).all()
    assert snap.mode_counts.shape == (8,) and 0 <= snap.modes_covered <= 8
    image = render_snapshot(snap, "ring8")
    assert image.shape == (HEIGHT, WIDTH, 3) and image.dtype == np.uint8


def test_view_of_other_data_sets_has_no_mode_count():
    trainer = ToyGAN(ToySettings(dataset="moons"))
    snap = trainer.snapshot()
    assert snap.mode_counts is None and snap.modes_covered is None
    assert render_snapshot(snap, "moons").shape == (HEIGHT, WIDTH, 3)


def test_collapse_preset_collapses_and_the_fix_covers_every_mode():
    """The two presets' claims, on their own seed, at the step counts the explainer names."""
    collapsed = ToyGAN(settings_from("Mode collapse"))
    fixed = ToyGAN(settings_from("Fixed: fast critic + R1"))
    seen = []
    for _ in range(4):  # 2,000 steps each, looked at every 500
        collapsed.train(500)
        seen.append(collapsed.snapshot().modes_covered)
    fixed.train(2000)
    assert max(seen) <= 2, f"the collapse preset covered {seen} modes"
    assert fixed.snapshot().modes_covered == 8


def test_run_streams_and_stops_when_told():
    trainer = ToyGAN(ToySettings())
    snaps = []
    for snap in trainer.run(seconds=30):
        snaps.append(snap.step)
        if len(snaps) == 3:
            trainer.stop()  # what the session's end does
    assert len(snaps) == 3 and snaps == sorted(snaps) and snaps[0] >= 1


def test_run_ends_at_the_maximum_length():
    trainer = ToyGAN(ToySettings(g_hidden=4, d_hidden=4, g_layers=1, d_layers=1, batch=16))
    trainer.step = MAX_STEPS - 2
    list(trainer.run(seconds=30))
    assert trainer.step == MAX_STEPS and trainer.finished


@pytest.mark.parametrize("change, message", [
    ({"lr_g": 5.0}, "The generator's learning rate must be a number from 1e-05 to 0.1; got 5.0."),
    ({"lr_d": 0.0}, "The discriminator's learning rate must be a number from 1e-05 to 0.1; got 0.0."),
    ({"g_hidden": 100_000}, "The generator's hidden width must be from 4 to 256; got 100000."),
    ({"d_layers": 0}, "The discriminator's number of hidden layers must be from 1 to 4; got 0."),
    ({"batch": 10**6}, "The batch size must be from 16 to 1024; got 1000000."),
    ({"seed": -1}, "The seed must be from 0 to 4294967295; got -1."),
    ({"loss": "wasserstein"}, "Unknown loss 'wasserstein'; choose one of 'non-saturating', 'least-squares', 'hinge'."),
    ({"dataset": "mnist"}, "Unknown data set 'mnist'; choose one of 'ring8', 'moons', 'spiral', 'checkerboard', 'swiss_roll'."),
    ({"d_steps": 50}, "The discriminator steps per generator step must be from 1 to 10; got 50."),
    ({"r1_gamma": float("nan")}, "The gradient penalty weight must be a number from 0 to 10; got nan."),
    ({"z_dim": 0}, "The latent size must be from 1 to 16; got 0."),
])
def test_bad_settings_get_a_message(change, message):
    with pytest.raises(LimitError) as info:
        ToyGAN(ToySettings(**change))
    assert str(info.value) == message


def test_steps_per_call_are_limited():
    with pytest.raises(LimitError):
        ToyGAN(ToySettings()).train(MAX_STEPS + 1)


def test_every_preset_has_a_reason():
    for name, (settings, why) in PRESETS.items():
        assert settings.checked() == settings and len(why) > 60, name


def test_pause_from_another_thread_stops_the_loop_where_it_shows():
    import threading

    trainer = ToyGAN(ToySettings())
    seen = []

    def loop():
        for snap in trainer.run(seconds=30):
            seen.append(snap.step)

    thread = threading.Thread(target=loop)
    thread.start()
    while len(seen) < 2:
        thread.join(0.05)
    trainer.pause()
    thread.join(5)
    assert not thread.is_alive() and not trainer.running
    assert seen[-1] == trainer.step  # the last snapshot shown is where training stopped


def test_the_sessions_state_stops_its_run_when_the_session_ends():
    """Gradio deletes a session's state when the user leaves; the GAN tab's state then stops the run."""
    import gradio as gr

    from demos.gan.ui import build

    states = [b for b in build().blocks.values() if isinstance(b, gr.State) and b.delete_callback.__name__ == "<lambda>"]
    assert len(states) == 1
    trainer = ToyGAN(ToySettings())
    states[0].delete_callback(trainer)
    assert trainer.stopped and list(trainer.run(seconds=5)) == []
    states[0].delete_callback(None)  # a session that never trained


def test_a_press_of_start_counts_towards_its_time_cap_across_short_ticks():
    """live.start: the Gradio tab trains one long loop per press, the Streamlit page many short
    ticks; both count towards RUN_SECONDS of training in all, the training clock only."""
    from demos.gan import live
    from demos.gan.options import RUN_SECONDS
    from shared import live as protocol
    from shared.live import LiveRun

    slot, settings = LiveRun(), ToySettings()
    press = live.new_press(slot)
    assert press.cap_s == RUN_SECONDS and press.step0 == 0
    for _ in range(2):
        list(live.start(slot, settings, press, seconds=0.2))
    assert slot.run.step > 0 and press.seconds == pytest.approx(slot.run.seconds) and not press.capped
    press.seconds = RUN_SECONDS - 0.5
    assert press.capped and press.left == 0.5
    with slot.driving("busy"), pytest.raises(LimitError) as info:
        next(live.start(slot, settings, live.new_press(slot)))
    assert str(info.value) == protocol.ALREADY_RUNNING
    before = slot.run.step
    assert live.step(slot, settings).step == before + 1
    slot.run.step = MAX_STEPS
    with pytest.raises(LimitError) as info:
        next(live.start(slot, settings, live.new_press(slot)))
    assert str(info.value) == protocol.FINISHED
