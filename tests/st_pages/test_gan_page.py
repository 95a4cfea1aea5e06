"""The GAN page under AppTest: its walk, scrub, grid seeds, arithmetic and live training show what
demos/gan/views.py and live.py return for the same inputs; scrubbing indexes the stored
walk without recomputing it; bad values get the Gradio tab's messages."""

from __future__ import annotations

import functools

import numpy as np

from demos.gan import views
from demos.gan.live import ToyGAN
from demos.gan.options import FIRST_PRESET, WALK, settings_from
from shared.live import STEP_WHILE_RUNNING
from tests.st_pages.conftest import shown_errors

SLUG = "gan"


def markdowns(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_walk_then_scrub_only_indexes_the_stored_frames(open_page, monkeypatch):
    at = open_page(SLUG)
    assert "Press **Walk**, then drag the slider." in markdowns(at)
    at.button(key=f"{SLUG}-main-action").click().run()
    expected = views.walk_media(WALK.waypoints, WALK.frames, WALK.mode, WALK.psi, WALK.fps)
    assert not shown_errors(at)
    assert views.frame_caption(expected.p_real, 0) in markdowns(at)  # "Frame 0 of 36: p(real) = 0.31"
    inputs, shown = at.session_state["gan-walk"]
    assert inputs == (WALK.waypoints, WALK.frames, WALK.mode, WALK.psi, WALK.fps)
    assert np.array_equal(shown.images, expected.images) and np.array_equal(shown.p_real, expected.p_real)

    calls = []
    monkeypatch.setattr(views, "walk_media", lambda *a: calls.append(a))  # any recomputation would be seen
    at.slider(key="gan-scrub").set_value(20).run()
    assert views.frame_caption(expected.p_real, 20) in markdowns(at)
    assert not calls and not shown_errors(at)


def test_a_picked_grid_seed_becomes_a_waypoint_and_bad_waypoints_get_the_tabs_message(open_page):
    at = open_page(SLUG)
    grid = views.grid_picture(WALK.grid_seed, WALK.psi)
    at.pills(key="gan-grid-pick").set_value(grid.seeds[4]).run()
    assert at.text_input(key="gan-waypoints").value == views.add_waypoint(WALK.waypoints, grid.seeds[4])

    at.text_input(key="gan-waypoints").set_value("1, banana")
    at.button(key=f"{SLUG}-main-action").click().run()
    assert shown_errors(at) == ["Waypoints are seeds separated by commas, like '3, 17, 42'; 'banana' is not a whole number."]


def test_latent_arithmetic_shows_the_logics_sentence(open_page, monkeypatch):
    from demos.gan import latent

    # a direction from 200 labelled samples rather than 2,000: the same code path, a tenth of the time
    monkeypatch.setattr(latent, "attribute_direction", functools.partial(latent.attribute_direction, n=200))
    at = open_page(SLUG)
    at.button(key="gan-arith-go").click().run()
    expected = views.arithmetic_view(WALK.arithmetic_seed, WALK.attribute, "orange", "green", WALK.amount, WALK.psi)
    assert expected.text in markdowns(at)
    at.selectbox(key="gan-attribute").set_value("size").run()  # From / To follow the attribute
    assert (at.selectbox(key="gan-source").value, at.selectbox(key="gan-target").value) == ("small", "large")


def test_live_training_step_start_pause(open_page):
    at = open_page(SLUG)
    trainer = ToyGAN(settings_from(FIRST_PRESET))  # the run the page starts from: the first preset's
    assert views.status_text(trainer, trainer.snapshot()) in markdowns(at)

    at.button(key="gan-train-step").click().run()
    trainer.train(1)
    assert views.status_text(trainer, trainer.snapshot()) in markdowns(at)  # "**Step 1** · D loss ..."

    at.button(key="gan-train-start").click().run()  # running: the live view trains one chunk per tick
    assert at.session_state["gan-running"] and at.session_state["gan-live"].run.step > 1
    at.button(key="gan-train-step").click().run()
    assert shown_errors(at) == [STEP_WHILE_RUNNING]
    at.button(key="gan-train-pause").click().run()
    step = at.session_state["gan-live"].run.step
    assert not at.session_state["gan-running"] and any(m.startswith(f"**Step {step:,}**") for m in markdowns(at))

    at.slider(key="gan-z_dim").set_value(3).run()  # a changed setting starts a new run
    assert at.session_state["gan-live"].run.step == 0 and at.session_state["gan-live"].run.settings.z_dim == 3


def test_the_conditional_section_shows_the_logics_grid_and_walk_and_refuses_a_bad_seed(open_page):
    from demos.gan import views
    from demos.gan.options import CONDITIONAL

    at = open_page(SLUG)
    c = CONDITIONAL
    assert views.grid_view(c.shape, c.colour, c.seed, c.psi).text in markdowns(at)
    at.selectbox(key="gan-cond-colour").set_value("purple").run()
    assert views.grid_view(c.shape, "purple", c.seed, c.psi).text in markdowns(at)
    walk = views.walk_view(*c.walk_from, *c.walk_to, c.seed, c.walk_frames, c.psi)
    assert walk.text in markdowns(at) and not shown_errors(at)
    at.number_input(key="gan-cond-seed").set_value(2**32 - 1).run()
    assert "This uses seeds 4294967295 to 4294967310; the largest seed is 4294967295." in shown_errors(at)
