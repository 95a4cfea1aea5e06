"""The CLIP Streamlit page under AppTest: what it shows after each action equals what the logic
returns for the same inputs (the search sheet's very bytes, the summaries, the live run's status),
and bad values get the Gradio tab's messages. The default gallery is cut to a few hundred images
so the page's first search embeds in a second, not in twenty."""

from __future__ import annotations

import io
import zipfile

import pytest

from demos.clip import explore, live, options, views
from shared import datasets
from shared.image_files import png_bytes
from shared.limits import LimitError
from tests.st_pages.conftest import shown_errors, shows_picture

MAIN = "clip-main-action"
GALLERY = 400


@pytest.fixture(autouse=True)
def small_gallery(monkeypatch):
    """A GALLERY-image default gallery, built fresh for these tests and forgotten after them."""
    monkeypatch.setattr(options, "GALLERY_SIZE", GALLERY)
    monkeypatch.setattr(explore, "_base", {})
    explore._shared_text_search.clear()
    yield
    explore._shared_text_search.clear()


def shown_png(at, png: bytes) -> bool:
    """Whether one of the page's images is exactly these PNG bytes."""
    return shows_picture(at, png)


def markdowns(at) -> list[str]:
    return [m.value for m in at.markdown]


def message(fn, *args) -> str:
    with pytest.raises(LimitError) as caught:
        fn(*args)
    return str(caught.value)


def test_the_page_opens_on_the_default_query_and_searches_by_text(open_page):
    at = open_page("clip")
    assert any(m.startswith(f"**{options.DEFAULT_TOP_K} nearest of {GALLERY} images** to *{options.DEFAULT_QUERY}*")
               for m in markdowns(at))
    at.text_input(key="clip-query").set_value("a large green circle")
    at.slider(key="clip-top-k").set_value(5)
    at.button(key=MAIN).click().run()
    assert not at.exception and not shown_errors(at)
    expected = explore.search_text(options.BUNDLED, "a large green circle", 5)  # memoised: the very result shown
    assert views.search_summary(expected) in markdowns(at)
    assert shown_png(at, png_bytes(views.results_sheet(expected)))
    assert len(expected.hits) == 5 and "\n| 5 | " in views.search_summary(expected)


def test_a_data_image_searches_and_is_classified_and_bad_values_are_refused(open_page):
    at = open_page("clip")
    at.number_input(key="clip-data-seed").set_value(124)
    at.button(key="clip-data-btn").click().run()
    image, caption = datasets.data_image(124)
    assert views.data_caption(caption, 124) in markdowns(at)
    at.button(key="clip-image-search").click().run()
    summary = next(m for m in markdowns(at) if "nearest of" in m)
    assert summary.startswith(f"**{options.DEFAULT_TOP_K} nearest of {GALLERY} images** to *an image*")
    assert caption in summary.split("|---|---|---|---|")[1].splitlines()[1]  # the best hit has its caption

    labels = "a red circle, a blue star, a green triangle"
    at.text_area(key="clip-labels").set_value(labels)
    at.button(key="clip-zero-shot").click().run()
    assert views.zero_shot_summary(explore.zero_shot(options.BUNDLED, image, labels)) in markdowns(at)
    assert at.get("plotly_chart")

    at.text_area(key="clip-labels").set_value("only one label")
    at.button(key="clip-zero-shot").click().run()
    assert shown_errors(at) == [message(explore.parse_labels, "only one label")]
    at.number_input(key="clip-data-seed").set_value(-5)
    at.button(key="clip-data-btn").click().run()
    assert shown_errors(at) == [message(datasets.data_image, -5)]


def test_unknown_words_in_a_query_and_in_labels_are_named_on_the_page(open_page):
    at = open_page("clip")
    at.text_input(key="clip-query").set_value("a scarlet star")
    at.button(key=MAIN).click().run()
    summary = next(m for m in markdowns(at) if "nearest of" in m)
    assert "⚠ In the query 'a scarlet star': 'scarlet' is not a word this model knows: read as 'red'." in summary
    at.number_input(key="clip-data-seed").set_value(3)
    at.button(key="clip-data-btn").click().run()
    at.text_area(key="clip-labels").set_value("scarlet, blue, green")
    at.button(key="clip-zero-shot").click().run()
    expected = views.zero_shot_summary(explore.zero_shot(options.BUNDLED, datasets.data_image(3)[0], "scarlet, blue, green"))
    assert expected.endswith("⚠ In the label 'scarlet': 'scarlet' is not a word this model knows: read as 'red'.")
    assert expected in markdowns(at)
    at.text_area(key="clip-labels").set_value("circle, hexagon")
    at.button(key="clip-zero-shot").click().run()
    assert shown_errors(at) == [message(explore.zero_shot, options.BUNDLED, datasets.data_image(3)[0], "circle, hexagon")]
    assert shown_errors(at)[0].startswith("In the label 'hexagon': 'hexagon' is not a word this model knows: ignored.")
    assert [e.label for e in at.expander if e.label.startswith("Words this model knows")]


def test_own_images_join_the_gallery_with_skip_reasons_and_leave_it(open_page):
    at = open_page("clip")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for seed in (1, 2):
            zf.writestr(f"shapes/{seed}.png", png_bytes(datasets.data_image(seed)[0]))
        zf.writestr("notes.txt", "not a picture")
    uploader = next(u for u in at.file_uploader if u.accept_multiple_files)
    uploader.set_value([("mine.zip", archive.getvalue(), "application/zip"),
                        ("broken.png", b"not a png", "image/png")]).run()
    at.button(key="clip-add").click().run()
    assert not at.exception and not shown_errors(at)
    added = next(m for m in markdowns(at) if m.startswith("Added"))
    assert added.startswith("Added 2 images. Skipped 2: ") and "notes.txt (not an image)" in added
    assert "broken.png" in added and added.endswith(f"Your gallery now holds {2:,}.")
    at.button(key=MAIN).click().run()
    assert any(f"nearest of {GALLERY + 2} images" in m for m in markdowns(at))
    at.button(key="clip-clear").click().run()
    assert "Your 2 images were removed; the gallery is the default one again." in markdowns(at)
    at.button(key="clip-add").click().run()  # nothing chosen
    assert shown_errors(at) == ["Choose one or more images, or a zip of images, to add."]


def test_live_training_runs_to_the_logic_status_and_the_space_projects(open_page):
    at = open_page("clip")
    at.slider(key="clip-live-steps").set_value(options.LIVE_STEPS.low)
    at.run()
    assert live.status_text(live.LiveCLIP(options.LIVE_STEPS.low, 0).frame()) in markdowns(at)
    at.button(key="clip-live-start").click().run()
    for _ in range(20):  # AppTest runs the timed fragment once per run: one chunk of training each
        if any("done" in m for m in markdowns(at)):
            break
        at.run()
    reference = live.LiveCLIP(options.LIVE_STEPS.low, 0)
    while not reference.done:
        reference.advance()
    assert live.status_text(reference.frame()) in markdowns(at)  # the same seed trains the same run
    at.button(key="clip-live-pause").click().run()
    assert not at.exception and not shown_errors(at)

    at.button(key="clip-project").click().run()
    projection = explore.project_space(options.DEFAULT_PROJECTION_IMAGES, options.DEFAULT_PROJECTION, options.GALLERY_SEED)
    assert views.projection_summary(projection) in markdowns(at)
    at.number_input(key="clip-space-seed").set_value(-1)
    at.button(key="clip-project").click().run()
    assert shown_errors(at) == [message(explore.project_space, 48, "PCA", -1)]
