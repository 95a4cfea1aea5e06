"""CLIP tab: search a gallery by text or by an image (and add your own images), zero-shot
classification with typed labels, the contrastive objective trained live, and the joint space.
Glue only: the logic is in explore.py and live.py, the pictures in views.py, the limits and
defaults in options.py.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from demos.clip import options, views
from demos.clip import wording as words
from demos.clip.session import UserGallery
from shared import phrasings
from shared.image_files import png_bytes, png_file, write_atomic
from shared.live import LiveRun
from shared.memo import memoised
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import demo_container, explainer, file_path, fill_on_open, header, notify, seed_control, shows_errors, spec_slider

HERE = Path(__file__).parent
# the events that run a CLIP share one pool: thirty users never run thirty forward passes at once
CLIP_MODEL = {"concurrency_limit": 2, "concurrency_id": "clip-model"}
LIVE = {"concurrency_limit": 2, "concurrency_id": "clip-live-training"}
UPLOAD_TYPES = ["image", ".zip"]


def _progress(progress: gr.Progress):
    """The logic's (fraction, words) callback as Gradio's progress bar."""
    return lambda fraction, what: progress(fraction, desc=what)


def _files(value: object) -> list[str]:
    """A File component's raw value (one FileData dict, a list of them, or paths) as paths."""
    if value is None or value == "":
        return []
    values = value if isinstance(value, list) else [value]
    return [p for p in (file_path(v) for v in values) if p]


def _query_picture(value: object):
    from demos.clip import explore

    return explore.read_picture(file_path(value))


# ---- search --------------------------------------------------------------------------------------


def _search_outputs(result) -> tuple:  # noqa: ANN001 (explore.SearchResult)
    notify(result.notice)
    sheet, summary = _results_media(result)
    return write_atomic(sheet, ".png"), summary  # written (or marked used) on every call: old files are pruned


@memoised(maxsize=64)
def _results_media(result) -> tuple[bytes, str]:  # noqa: ANN001 (explore.SearchResult, by identity)
    """The sheet as PNG bytes and the summary of one result: a memoised result (the same default
    query from thirty people) is drawn and encoded once."""
    return png_bytes(views.results_sheet(result)), views.search_summary(result)


@shows_errors
def run_text_search(model: str, query: str, k: int, user, progress=gr.Progress()):  # noqa: ANN001, B008
    from demos.clip import explore

    return _search_outputs(explore.search_text(model, query, k, user, _progress(progress)))


@shows_errors
def run_image_search(model: str, picture: object, k: int, user, progress=gr.Progress()):  # noqa: ANN001, B008
    from demos.clip import explore

    return _search_outputs(explore.search_image(model, _query_picture(picture), k, user, _progress(progress)))


@shows_errors
def pick_data(seed: int):
    from shared import datasets

    image, caption = datasets.data_image(seed)
    return png_file(views.enlarge(image, views.QUERY_SIDE)), views.data_caption(caption, seed)


@shows_errors
def add_images(model: str, files: object, user, progress=gr.Progress()):  # noqa: ANN001, B008
    message = user.add(model, _files(files), _progress(progress))
    return message, None


@shows_errors
def clear_images(user):  # noqa: ANN001
    return user.remove_all()


@shows_errors
def switch_model(model: str):
    """A Hub CLIP searches photos: its query and labels change with it (the user may edit them)."""
    return options.default_texts(model)


# ---- zero-shot -----------------------------------------------------------------------------------


@shows_errors
def run_zero_shot(model: str, picture: object, labels: str):
    from demos.clip import explore

    result = explore.zero_shot(model, _query_picture(picture), labels)
    notify(result.notice)
    return views.zero_shot_figure(result), views.zero_shot_summary(result)


# ---- the objective, live -------------------------------------------------------------------------


def _live_view(model, frame) -> tuple:  # noqa: ANN001 (live.LiveCLIP, live.LiveFrame)
    from demos.clip import live

    return live.heatmap_figure(frame, model.shown_captions), live.curves_figure(frame), live.status_text(frame)


@shows_errors
def live_reset(run: LiveRun, steps: int, seed: int):
    from demos.clip.live import LiveCLIP

    model = run.replace(LiveCLIP(steps, seed))
    return _live_view(model, model.frame())


@shows_errors
def live_start(run: LiveRun, steps: int, seed: int):
    from demos.clip import live

    press = live.new_press(run)
    for frame in live.start(run, steps, seed, press):
        yield _live_view(run.run, frame)
    if press.capped:  # ended by the time cap, not by Pause
        gr.Info(live.PAUSED_AFTER)


@shows_errors
def live_pause(run: LiveRun):
    from shared import live

    model = live.pause(run)
    return _live_view(model, model.frame())


# ---- the space -----------------------------------------------------------------------------------


@shows_errors
def run_projection(n_images: int, method: str, seed: int):
    from demos.clip import explore

    projection = explore.project_space(n_images, method, seed)
    notify(projection.notice)
    return views.projection_figure(projection), views.projection_summary(projection)


def first_view(model: str, query: str, k: int, user, seed: int, progress=gr.Progress()):  # noqa: ANN001, B008
    """What the tab shows when first opened: the default query's results and the query image."""
    return (*run_text_search(model, query, k, user, progress), *pick_data(seed))


def build() -> gr.Blocks:
    with demo_container("CLIP") as demo:
        header(words.TITLE, words.SUBTITLE)
        explainer(HERE)
        # the session's own images; freed when the session ends
        user = gr.State(UserGallery(),
                        delete_callback=lambda g: g.clear() if g is not None else None)

        gr.Markdown(f"## {words.SEARCH_HEADING}\n{words.SEARCH_INTRO}")
        with gr.Row():
            with gr.Column(scale=2, min_width=300):
                model = gr.Dropdown([(label, name) for name, label in options.MODEL_LABELS.items()],
                                    value=options.BUNDLED, label=words.MODEL, elem_id="clip-model")
                query = gr.Textbox(options.DEFAULT_QUERY, label=words.QUERY, elem_id="clip-query",
                                   info=options.QUERY_HELP)
                top_k = spec_slider(options.TOP_K_SLIDER, words.RESULTS)
                search_btn = gr.Button(words.SEARCH, variant="primary", elem_id="clip-main-action")
                with gr.Accordion(words.KNOWN_WORDS_TITLE, open=False, elem_id="clip-known-words"):
                    gr.Markdown(phrasings.known_words_markdown())
            with gr.Column(scale=1, min_width=240):
                picture = gr.Image(label=words.PICTURE, type="filepath",
                                   sources=("upload", "clipboard"), height=220, elem_id="clip-query-image")
                with gr.Row(equal_height=True):
                    data_seed = gr.Number(options.DEFAULT_IMAGE_SEED, precision=0, label=words.DATA_IMAGE, scale=3)
                    data_btn = gr.Button(words.USE_DATA_IMAGE, scale=2)
                picture_caption = gr.Markdown(elem_id="clip-image-caption")
                image_btn = gr.Button(words.SEARCH_BY_IMAGE, elem_id="clip-image-search")
        results = gr.Image(label=words.RESULTS_CAPTION, type="filepath", interactive=False, format="png",
                           elem_id="clip-results")
        summary = gr.Markdown(elem_id="clip-summary")
        with gr.Accordion(words.ADD_HEADING, open=False):
            gr.Markdown(views.upload_rules())
            uploads = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, label=words.UPLOADS,
                              elem_id="clip-upload")
            with gr.Row():
                add_btn = gr.Button(words.ADD, elem_id="clip-add")
                clear_btn = gr.Button(words.CLEAR)
            upload_text = gr.Markdown(elem_id="clip-upload-text")

        search_out = [results, summary]
        search_btn.click(run_text_search, [model, query, top_k, user], search_out, api_name="clip_search_text",
                         preprocess=False, **CLIP_MODEL)
        query.submit(run_text_search, [model, query, top_k, user], search_out, api_visibility="private",
                     preprocess=False, **CLIP_MODEL)
        image_btn.click(run_image_search, [model, picture, top_k, user], search_out, api_name="clip_search_image",
                        preprocess=False, **CLIP_MODEL)
        data_btn.click(pick_data, data_seed, [picture, picture_caption], api_name="clip_data_image", preprocess=False)
        add_btn.click(add_images, [model, uploads, user], [upload_text, uploads], api_name="clip_add_images",
                      preprocess=False, **CLIP_MODEL)
        clear_btn.click(clear_images, user, upload_text, api_name="clip_clear_images", preprocess=False)
        # a presenter link sets these (shared/presenter_ui.py); the tab's first fill (first_view below)
        # reads the same controls, so it already shows the linked search and image: no separate run
        link_controls = {"model": model, "q": query, "k": top_k, "image": data_seed}
        copy_link_button("clip", options.LINK_PARAMS, link_controls)
        linkable(demo, "CLIP", options.LINK_PARAMS, link_controls)

        gr.Markdown(f"## {words.ZERO_SHOT_HEADING}\n{words.ZERO_SHOT_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                labels = gr.Textbox(options.DEFAULT_LABELS, label=words.LABELS, lines=3,
                                    elem_id="clip-labels", info=words.LABELS_HELP)
                zero_btn = gr.Button(words.CLASSIFY, elem_id="clip-zero-shot")
                zero_text = gr.Markdown(elem_id="clip-zero-text")
            zero_plot = gr.Plot(label="p(label | image)", elem_id="clip-zero-plot", scale=2)
        zero_btn.click(run_zero_shot, [model, picture, labels], [zero_plot, zero_text], api_name="clip_zero_shot",
                       preprocess=False, **CLIP_MODEL)
        model.input(switch_model, model, [query, labels], api_visibility="private", queue=False)

        gr.Markdown(f"## {words.LIVE_HEADING}\n{words.LIVE_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=220):
                live_steps = spec_slider(options.LIVE_STEPS_SLIDER, words.LIVE_STEPS)
                live_seed = seed_control(options.DEFAULT_LIVE_SEED, label=words.SEED, elem_id="clip-live-seed")
                with gr.Row():
                    start_btn = gr.Button(words.START, variant="secondary", elem_id="clip-live-start")
                    pause_btn = gr.Button(words.PAUSE)
                    reset_btn = gr.Button(words.RESET)
                live_status = gr.Markdown(f"Press **{words.START}**.", elem_id="clip-live-status")
            heatmap = gr.Plot(label="Similarity of shown captions (rows) and images (columns)", elem_id="clip-live-heatmap",
                              scale=3)
        curves = gr.Plot(label="Loss and temperature", elem_id="clip-live-curves")
        run = gr.State(LiveRun(), delete_callback=lambda live: live.stop() if live is not None else None)
        live_view = [heatmap, curves, live_status]
        reset_btn.click(live_reset, [run, live_steps, live_seed], live_view, api_name="clip_train_reset", preprocess=False)
        for comp in (live_steps, live_seed):
            comp.input(live_reset, [run, live_steps, live_seed], live_view, api_visibility="private", preprocess=False)
        live_event = start_btn.click(live_start, [run, live_steps, live_seed], live_view, api_name="clip_train",
                                     preprocess=False, **LIVE)
        pause_btn.click(live_pause, run, live_view, api_name="clip_train_pause", preprocess=False,
                        concurrency_id="clip-pause", cancels=[live_event])

        gr.Markdown(f"## {words.SPACE_HEADING}\n{words.SPACE_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=220):
                n_points = spec_slider(options.PROJECTION_IMAGES_SLIDER, words.IMAGES)
                method = gr.Radio(list(options.PROJECTIONS), value=options.DEFAULT_PROJECTION, label=words.PROJECTION,
                                  info=words.PROJECTION_HELP)
                space_seed = seed_control(options.GALLERY_SEED, label=words.SEED, elem_id="clip-space-seed")
                space_btn = gr.Button(words.PROJECT, elem_id="clip-project")
                space_text = gr.Markdown(elem_id="clip-space-text")
            space_plot = gr.Plot(label="Images and captions", elem_id="clip-space-plot", scale=3)
        space_btn.click(run_projection, [n_points, method, space_seed], [space_plot, space_text],
                        api_name="clip_projection", preprocess=False, **CLIP_MODEL)

        fill_on_open(demo, first_view, [model, query, top_k, user, data_seed], [*search_out, picture, picture_caption])
        fill_on_open(demo, live_reset, [run, live_steps, live_seed], live_view)
    return demo
