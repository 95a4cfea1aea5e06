"""The Stable Diffusion Streamlit page under AppTest, on the bundled pipeline with few steps: every
picture it shows is, byte for byte, what the logic makes for the same settings (the streamed run's
last step, a scrubbed step, the word maps, the grid, image to image), the cost table is the logic's,
and bad values get the Gradio tab's messages."""

from __future__ import annotations

import pytest

from demos.stable_diffusion import cost, explore, options, views
from shared import datasets, limits
from shared.image_files import png_bytes, write_atomic
from shared.limits import LimitError
from tests.st_pages.conftest import shown_errors, shows_picture

MAIN = "stable_diffusion-main-action"
STEPS = 3
SETTINGS = dict(name=options.BUNDLED, prompt=options.DEFAULT_PROMPT, guidance=options.DEFAULT_GUIDANCE, steps=STEPS,
                seed=options.DEFAULT_SEED, scheduler=options.DEFAULT_SCHEDULER)


def shown(at, image) -> bool:
    """Whether the page shows exactly this picture (as the PNG bytes the page encodes)."""
    return shows_picture(at, png_bytes(image))


def markdowns(at) -> list[str]:
    return [m.value for m in at.markdown]


def message(fn, *args) -> str:
    with pytest.raises(LimitError) as caught:
        fn(*args)
    return str(caught.value)


@pytest.fixture
def page(open_page):
    at = open_page("stable_diffusion")
    at.slider(key="sd-steps").set_value(STEPS)
    at.button(key=MAIN).click().run()
    assert not at.exception and not shown_errors(at)
    return at


def test_text_to_image_streams_then_scrubs_through_the_logic_steps(page):
    s = SETTINGS
    run = list(explore.text_to_image(s["name"], s["prompt"], options.DEFAULT_NEGATIVE, s["guidance"], STEPS, s["seed"],
                                     s["scheduler"]))
    assert shown(page, views.zoom(run[-1].image)) and shown(page, views.step_channels(run[-1]))
    assert views.step_status(run[-1]) in markdowns(page)
    shapes = explore.tensor_shapes(explore.load_pipeline(s["name"]), guided=True)
    diagrams = [e.proto.body for e in page.get("html") if "sd-diagram" in e.proto.body]
    assert len(diagrams) == 1 and diagrams[0].endswith(views.pipeline_diagram(shapes, STEPS, STEPS))
    assert page.slider(key="sd-scrub").value == STEPS and page.slider(key="sd-scrub").max == STEPS
    page.slider(key="sd-scrub").set_value(1).run()  # the stored step: nothing is sampled again
    assert shown(page, views.zoom(run[0].image)) and views.step_status(run[0]) in markdowns(page)
    page.number_input(key="sd-seed").set_value(-1)
    page.button(key=MAIN).click().run()
    assert shown_errors(page) == [message(limits.SEED.check, -1)]


def test_word_maps_grid_image_to_image_and_cost_are_the_logic(page, tmp_path):
    s = SETTINGS
    page.button(key="sd-words").click().run()
    maps = explore.word_maps(s["name"], s["prompt"], s["guidance"], STEPS, s["seed"], s["scheduler"])
    assert shown(page, views.word_maps_sheet(maps)) and views.WORD_MAPS_NOTE in markdowns(page)

    page.text_input(key="sd-grid-scales").set_value("1, 5")
    page.text_input(key="sd-grid-seeds").set_value("2")
    page.button(key="sd-grid-btn").click().run()
    grid = explore.guidance_grid(s["name"], s["prompt"], [1.0, 5.0], [2], STEPS, s["scheduler"])
    assert shown(page, views.grid_sheet(grid, [1.0, 5.0], [2]))
    page.text_input(key="sd-grid-scales").set_value("1, 2, 3, 4, 5, 6, 7")
    page.button(key="sd-grid-btn").click().run()
    assert shown_errors(page) == [message(explore.parse_values, "1, 2, 3, 4, 5, 6, 7", "guidance scales",
                                          options.GUIDANCE.check)]

    page.button(key="sd-i2i-btn").click().run()  # from the data image the page opens with
    image, caption = datasets.data_image(options.DEFAULT_IMAGE_SEED)
    start = explore.starting_image(s["name"], write_atomic(png_bytes(views.zoom(image)), ".png", folder=tmp_path))
    out = explore.image_to_image(s["name"], start, s["prompt"], options.DEFAULT_STRENGTH, s["guidance"], STEPS, s["seed"],
                                 s["scheduler"])
    assert f"*{caption}*" in markdowns(page) and shown(page, views.zoom(out))
    assert views.image_to_image_note(options.DEFAULT_STRENGTH, STEPS) in markdowns(page)
    page.file_uploader(key="sd-start-upload").set_value(("broken.png", b"not a png", "image/png")).run()
    assert shown_errors(page) == ["The file is not an image that can be opened (PNG, JPEG, WebP, BMP, GIF, TIFF...)."]

    page.button(key="sd-cost-btn").click().run()
    assert cost.cost_table(*cost.compare(options.BUNDLED)) in markdowns(page)  # measured once per process
    assert any("drawing the starting image" in c.value for c in page.caption)


def test_a_prompt_with_an_unknown_word_says_so_in_the_status(open_page):
    at = open_page("stable_diffusion")
    at.text_input(key="sd-prompt").set_value("a scarlet dragon")
    at.slider(key="sd-steps").set_value(STEPS)
    at.button(key=MAIN).click().run()
    assert not at.exception and not shown_errors(at)
    notice = ("In the prompt: 'scarlet' is not a word this model knows: read as 'red'. 'dragon' is not a word this "
              "model knows (nearest words it knows: 'diamond', 'draw'): ignored.")
    run = list(explore.text_to_image(options.BUNDLED, "a scarlet dragon", "", options.DEFAULT_GUIDANCE, STEPS,
                                     options.DEFAULT_SEED, options.DEFAULT_SCHEDULER))
    assert views.step_status(run[-1], notice) in markdowns(at)
    assert shown(at, views.zoom(run[-1].image))  # what the logic drew for the reading 'a red'
    assert [e.label for e in at.expander if e.label.startswith("Words this model knows")]
