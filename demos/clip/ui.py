"""CLIP tab: search a gallery by text or by an image (and add your own images), zero-shot
classification with typed labels, the contrastive objective trained live, and the joint space.
Glue only: the logic is in explore.py and live.py, the pictures in views.py, the limits and
defaults in options.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr

from demos.clip import options, views
from demos.clip.session import UserGallery
from shared import phrasings
from shared.image_files import png_bytes, png_file, write_atomic
from shared.live import LiveRun
from shared.memo import memoised
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import explainer, file_path, fill_on_open, header, notify, seed_control, shows_errors

HERE = Path(__file__).parent
# the events that run a CLIP share one pool: thirty users never run thirty forward passes at once
CLIP_MODEL = {"concurrency_limit": 2, "concurrency_id": "clip-model"}
LIVE = {"concurrency_limit": 2, "concurrency_id": "clip-live-training"}
UPLOAD_TYPES = ["image", ".zip"]


def _progress(progress: gr.Progress):  # noqa: ANN202
    """The logic's (fraction, words) callback as Gradio's progress bar."""
    return lambda fraction, what: progress(fraction, desc=what)


def _files(value: object) -> list[str]:
    """A File component's raw value (one FileData dict, a list of them, or paths) as paths."""
    if value is None or value == "":
        return []
    values = value if isinstance(value, list) else [value]
    return [p for p in (file_path(v) for v in values) if p]


def _query_picture(value: object):  # noqa: ANN202 (PIL image)
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
    from demos.clip import explore

    image, caption = explore.data_image(seed)
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

    with run.driving(live.ALREADY_TRAINING):
        model = live.session_run(run, steps, seed)
        t0 = time.perf_counter()
        for frame in model.run(options.LIVE_RUN_S):
            yield _live_view(model, frame)
    if time.perf_counter() - t0 >= options.LIVE_RUN_S - 1:
        gr.Info(live.PAUSED_AFTER)


@shows_errors
def live_pause(run: LiveRun):
    from demos.clip import live

    if run.run is None:
        raise gr.Error(live.NOTHING_TRAINING)
    run.run.pause()
    return _live_view(run.run, run.run.frame())


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
    with gr.Blocks(title="CLIP") as demo:
        header("CLIP: text and images in one space",
               "Two encoders, one for images and one for text, trained so that an image and its caption land close "
               "together. Search by text or by an image, classify with labels you type, watch the contrastive "
               "loss pull pairs together, and see the shared space.")
        explainer(HERE)
        # the session's own images; freed when the session ends
        user = gr.State(UserGallery(),
                        delete_callback=lambda g: g.clear() if g is not None else None)

        gr.Markdown("## 1 · Search\nThe default gallery is 10,000 generated shapes the model never trained on "
                    "(scikit-image's sample photos for a Hub CLIP). Every image was embedded once; a query is "
                    "embedded and compared with all of them by cosine similarity.")
        with gr.Row():
            with gr.Column(scale=2, min_width=300):
                model = gr.Dropdown([(label, name) for name, label in options.MODEL_LABELS.items()],
                                    value=options.BUNDLED, label="Model", elem_id="clip-model")
                query = gr.Textbox(options.DEFAULT_QUERY, label="Search by text", elem_id="clip-query",
                                   info=options.QUERY_HELP)
                top_k = gr.Slider(options.TOP_K.low, options.TOP_K.high, value=options.DEFAULT_TOP_K, step=1,
                                  label="Results")
                search_btn = gr.Button("Search", variant="primary", elem_id="clip-main-action")
                with gr.Accordion(phrasings.KNOWN_WORDS_TITLE + " (clip-shapes)", open=False, elem_id="clip-known-words"):
                    gr.Markdown(phrasings.known_words_markdown())
            with gr.Column(scale=1, min_width=240):
                picture = gr.Image(label="Search by an image (or classify it below)", type="filepath",
                                   sources=("upload", "clipboard"), height=220, elem_id="clip-query-image")
                with gr.Row(equal_height=True):
                    data_seed = gr.Number(options.DEFAULT_IMAGE_SEED, precision=0, label="Data image", scale=3)
                    data_btn = gr.Button("Use data image", scale=2)
                picture_caption = gr.Markdown(elem_id="clip-image-caption")
                image_btn = gr.Button("Search by this image", elem_id="clip-image-search")
        results = gr.Image(label="Nearest images, best first: rank · cosine similarity (the captions are in the table "
                                 "below)", type="filepath", interactive=False, format="png", elem_id="clip-results")
        summary = gr.Markdown(elem_id="clip-summary")
        with gr.Accordion("Add your own images to the gallery", open=False):
            gr.Markdown(views.upload_rules())
            uploads = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, label="Images or zips", elem_id="clip-upload")
            with gr.Row():
                add_btn = gr.Button("Add to the gallery", elem_id="clip-add")
                clear_btn = gr.Button("Clear my images")
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

        gr.Markdown("## 2 · Zero-shot classification\nType the labels; each becomes a text embedding, and the "
                    "image's probabilities are a softmax over its similarities to them. The image is the one above.")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                labels = gr.Textbox(options.DEFAULT_LABELS, label="Labels, separated by commas", lines=3,
                                    elem_id="clip-labels",
                                    info=f"{options.LABELS.low} to {options.LABELS.high} labels, each at most "
                                         f"{options.LABEL_CHARS} characters")
                zero_btn = gr.Button("Classify the image", elem_id="clip-zero-shot")
                zero_text = gr.Markdown(elem_id="clip-zero-text")
            zero_plot = gr.Plot(label="p(label | image)", elem_id="clip-zero-plot", scale=2)
        zero_btn.click(run_zero_shot, [model, picture, labels], [zero_plot, zero_text], api_name="clip_zero_shot",
                       preprocess=False, **CLIP_MODEL)
        model.input(switch_model, model, [query, labels], api_visibility="private", queue=False)

        gr.Markdown("## 3 · The objective, live\nA fresh, small CLIP trains here on shapes and their captions. The "
                    "matrix: the cosine similarity of ten shown captions (rows) with their ten images (columns). The "
                    "contrastive loss is a cross-entropy that wants each row's and each column's largest value on "
                    "the diagonal; the temperature, learnt too, sharpens the softmax.")
        with gr.Row():
            with gr.Column(scale=1, min_width=220):
                live_steps = gr.Slider(options.LIVE_STEPS.low, options.LIVE_STEPS.high, value=options.DEFAULT_LIVE_STEPS,
                                       step=options.LIVE_STEPS_STEP, label="Training steps")
                live_seed = seed_control(options.DEFAULT_LIVE_SEED, label="Seed", elem_id="clip-live-seed")
                with gr.Row():
                    start_btn = gr.Button("Start", variant="secondary", elem_id="clip-live-start")
                    pause_btn = gr.Button("Pause")
                    reset_btn = gr.Button("Reset")
                live_status = gr.Markdown("Press **Start**.", elem_id="clip-live-status")
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

        gr.Markdown("## 4 · The space\nHeld-out images and their captions embedded by the bundled model, "
                    "projected together to two dimensions.")
        with gr.Row():
            with gr.Column(scale=1, min_width=220):
                n_points = gr.Slider(options.PROJECTION_IMAGES.low, options.PROJECTION_IMAGES.high,
                                     value=options.DEFAULT_PROJECTION_IMAGES, step=1, label="Images")
                method = gr.Radio(list(options.PROJECTIONS), value=options.DEFAULT_PROJECTION, label="Projection",
                                  info="UMAP needs umap-learn installed")
                space_seed = seed_control(options.GALLERY_SEED, label="Seed", elem_id="clip-space-seed")
                space_btn = gr.Button("Project", elem_id="clip-project")
                space_text = gr.Markdown(elem_id="clip-space-text")
            space_plot = gr.Plot(label="Images and captions", elem_id="clip-space-plot", scale=3)
        space_btn.click(run_projection, [n_points, method, space_seed], [space_plot, space_text],
                        api_name="clip_projection", preprocess=False, **CLIP_MODEL)

        fill_on_open(demo, first_view, [model, query, top_k, user, data_seed], [*search_out, picture, picture_caption])
        fill_on_open(demo, live_reset, [run, live_steps, live_seed], live_view)
    return demo
