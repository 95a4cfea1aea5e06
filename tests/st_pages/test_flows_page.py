"""The flows page under AppTest: it opens on the untrained flow, Step, Start and Pause drive the
session's run through the shared protocol with the tab's messages, the picture is the logic's, and
a changed setting starts a new run."""

from __future__ import annotations

from demos.flows import live, views
from demos.flows import wording as words
from demos.flows.options import DEFAULTS, STEP_STEPS
from shared.image_files import png_bytes
from tests.st_pages.conftest import shown_errors, shows_picture

SLUG = "flows"
RUN = "flows-live"


def markdowns(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_open_step_start_pause_and_a_new_setting(open_page):
    at = open_page(SLUG)
    fresh = live.ToyFlow(live.FlowSettings(DEFAULTS.dataset, DEFAULTS.kind, DEFAULTS.layers, DEFAULTS.seed))
    picture, status = views.live_view(fresh)
    assert status == words.READY and words.READY in markdowns(at)
    assert shows_picture(at, png_bytes(picture))  # the untrained flow, as the logic draws it

    at.button(key="flows-step").click().run()
    assert at.session_state[RUN].run.step == STEP_STEPS
    assert any(m.startswith(f"**Step {STEP_STEPS}**") for m in markdowns(at))

    at.button(key="flows-main-action").click().run()  # running: the live view trains one chunk per tick
    assert at.session_state["flows-running"] and at.session_state[RUN].run.step > STEP_STEPS
    at.button(key="flows-step").click().run()
    assert shown_errors(at) == [words.STEP_WHILE_RUNNING]
    at.button(key="flows-pause").click().run()
    step = at.session_state[RUN].run.step
    assert not at.session_state["flows-running"] and any(m.startswith(f"**Step {step:,}**") for m in markdowns(at))

    at.slider(key="flows-layers").set_value(2).run()  # a changed setting starts a new run
    assert at.session_state[RUN].run.step == 0 and at.session_state[RUN].run.settings.layers == 2


def test_the_image_flow_panels_show_the_logics_pictures(open_page):
    from demos.flows import images, options
    from demos.flows.options import IMAGE_DEFAULTS as D

    at = open_page(SLUG)
    samples = images.samples(D.samples, D.temperature, D.seed)  # told labels drawn from the seed, captioned
    labels = images.sample_labels(D.samples, D.seed, D.shape, D.colour, D.told)
    assert shows_picture(at, png_bytes(views.samples_strip(samples, D.seed, labels)))
    scored = images.score(images.held_out_image(D.image))
    assert shows_picture(at, png_bytes(views.bits_picture(scored)))
    assert words.BITS_STATUS.format(bits=scored.bits, better=scored.better_than) in markdowns(at)
    strip = images.interpolate(D.a, D.b, D.frames)
    assert shows_picture(at, png_bytes(views.image_strip(strip, columns=len(strip))))
    assert words.surprise_markdown(images.surprise_table()) in markdowns(at)

    at.checkbox(key="flows-image-told").uncheck().run()  # p(x), nothing told: the shape boxes greyed out
    untold = images.samples(D.samples, D.temperature, D.seed, told=False)
    assert shows_picture(at, png_bytes(views.image_strip(untold)))
    assert at.selectbox(key="flows-image-shape").disabled
    at.checkbox(key="flows-image-told").check().run()
    at.selectbox(key="flows-image-shape").set_value("star").run()
    stars = images.samples(D.samples, D.temperature, D.seed, "star")
    assert shows_picture(at, png_bytes(views.samples_strip(stars, D.seed, images.sample_labels(D.samples, D.seed, "star",
                                                                                                 D.colour, True))))

    at.selectbox(key="flows-source").set_value("blend").run()
    scored = images.score(images.example_of_kind("blend"))
    assert words.BITS_STATUS.format(bits=scored.bits, better=scored.better_than) in markdowns(at)
    at.selectbox(key="flows-source").set_value(options.UPLOAD_SOURCE).run()
    assert any("There is no picture: upload one" in e for e in shown_errors(at))
