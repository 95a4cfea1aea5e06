"""VAE tab: interpolation against a pixel cross-fade, the latent map, one dimension at a time,
reconstructions and samples, anomaly scores, and real photos through a Hub autoencoder. Glue only:
what each section shows (pictures, figures, texts) comes from views.py (the Streamlit page calls the
same functions), the models' logic from explore.py and photos.py, the limits and defaults from
options.py, the words both front ends show from wording.py; the ImageEditor's values are adapted to
images here.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from demos.vae import options
from demos.vae import wording as words
from shared.image_files import png_file, write_atomic
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import (
    demo_container,
    editor_path,
    editor_value,
    explainer,
    file_path,
    fill_on_open,
    header,
    seed_control,
    shapes_editor,
    shows_errors,
    spec_slider,
)

HERE = Path(__file__).parent
# the events that run the bundled VAEs share one pool: thirty users never run thirty at once
VAE_MODEL = {"concurrency_limit": 2, "concurrency_id": "vae-model"}
PHOTO_MODEL = {"concurrency_limit": 1, "concurrency_id": "vae-photos"}


# ---- Gradio's data formats -> the logic's --------------------------------------------------------


def editor_image(value: object, what: str):
    """The picture in a gr.ImageEditor (its flattened composite, else its background) as the
    models' input, uint8 (32, 32, 3). The value arrives raw: a dict of FileData dicts, or a path."""
    from demos.vae import explore

    return explore.read_image(editor_path(value), what)


def data_picture(seed: int) -> tuple[dict, str]:
    """A shapes image, enlarged to draw on, as an editor value, and its caption."""
    from demos.vae import views

    image, caption = views.data_picture(seed)
    path = png_file(views.zoom(image, options.SHOWN_SIDE // options.SIDE))
    return editor_value(path), caption


@shows_errors
def pick_data(seed: int):
    return data_picture(seed)


# ---- interpolation -------------------------------------------------------------------------------


def _interpolation_outputs(view):  # noqa: ANN001 (a views.InterpolationView)
    """Everything the interpolation shows; the session's state is the view itself (scrubbing reads it)."""
    from demos.vae import views

    gif_path = write_atomic(view.gif, ".gif", prefix="vae-interpolation-")
    first = (write_atomic(view.first_pngs[0], ".png"), write_atomic(view.first_pngs[1], ".png"), views.frame_text(view, 0))
    return (view, write_atomic(view.sheet_png, ".png"), view.summary, gif_path, gif_path,
            gr.Slider(minimum=0, maximum=view.last_frame, value=0, step=1, interactive=True), *first)


@shows_errors
def run_interpolation(editor_a, editor_b, frames: int, mode: str, fps: int, beta: str):  # noqa: ANN001
    from demos.vae import views

    a, b = editor_image(editor_a, "image A"), editor_image(editor_b, "image B")
    return _interpolation_outputs(views.interpolation(a, b, frames, mode, fps, beta))


@shows_errors
def first_view(seed_a: int, seed_b: int, frames: int, mode: str, fps: int, beta: str):
    """What the tab shows when first opened: two data images and the walk between them."""
    from demos.vae import views

    (editor_a, caption_a), (editor_b, caption_b) = data_picture(seed_a), data_picture(seed_b)
    a, b = views.data_picture(seed_a)[0], views.data_picture(seed_b)[0]
    return (editor_a, caption_a, editor_b, caption_b,
            *_interpolation_outputs(views.interpolation(a, b, frames, mode, fps, beta)))


@shows_errors
def scrub(view, frame: int):  # noqa: ANN001 (the session's views.InterpolationView)
    """One frame of the last interpolation, from the session's state: no model call."""
    from demos.vae import views

    latent, fade, text = views.frame(view, frame)
    return png_file(latent), png_file(fade), text


# ---- latent map ----------------------------------------------------------------------------------


@shows_errors
def show_map(colour_by: str, editor_a=None, editor_b=None):  # noqa: ANN001
    """The decoded plane and the scatter, with images A and B placed on it when there are any."""
    from demos.vae import views

    images = {label: editor_image(value, f"image {label}") if value else None  # an empty editor places nothing
              for label, value in (("A", editor_a), ("B", editor_b))}
    plane, figure = views.latent_map_view(colour_by, images)
    return png_file(plane), figure


def click_plane(evt: gr.SelectData):
    """Decode the point of the plane that was clicked."""
    from demos.vae import explore, views

    at = evt.index if isinstance(evt.index, (list, tuple)) and len(evt.index) == 2 else None
    if at is None:
        return gr.skip(), gr.skip()
    image, text = views.decoded_point(*explore.plane_point(at[0], at[1], options.MAP_TILES * 32))
    return png_file(image), text


# ---- one dimension at a time ---------------------------------------------------------------------


@shows_errors
def start_from_image(editor_a, beta: str):  # noqa: ANN001
    """Sliders set to image A's code; the decoded image; every dimension swept from it."""
    from demos.vae import views

    start = views.start_from_image(editor_image(editor_a, "image A"), beta)
    return (*start.values, png_file(start.image), start.text, png_file(start.traversal))


@shows_errors
def decode_sliders(beta: str, *values: float):
    from demos.vae import views

    image, text = views.decode_sliders(beta, values)
    return png_file(image), text


@shows_errors
def measure_dimensions(beta: str):
    from demos.vae import views

    return views.dimension_table(beta)


# ---- reconstruct and sample ----------------------------------------------------------------------


@shows_errors
def run_reconstruct(editor_a, beta: str):  # noqa: ANN001
    from demos.vae import views

    r = views.reconstruction(editor_image(editor_a, "image A"), beta)
    return png_file(r.image), png_file(r.recon), r.code, r.text


@shows_errors
def run_sample(prior: str, temperature: float, seed: int, n: int, beta: str):
    from demos.vae import views

    sheet, text = views.samples(prior, temperature, seed, n, beta)
    return png_file(sheet), text


@shows_errors
def run_beta_comparison():
    from demos.vae import views

    picture, table = views.beta_comparison()
    return png_file(picture), table


# ---- anomaly score -------------------------------------------------------------------------------


@shows_errors
def run_anomaly(editor_a, score: str):  # noqa: ANN001
    from demos.vae import views

    return views.anomaly(editor_image(editor_a, "image A"), score)


# ---- real photos ---------------------------------------------------------------------------------


@shows_errors
def run_photos(photo_a, photo_b, model_id: str, side: int, frames: int, mode: str):  # noqa: ANN001
    from demos.vae import views

    sheet, text = views.photo_walk(file_path(photo_a), file_path(photo_b), model_id, side, frames, mode)
    return png_file(sheet), text


# ---- layout ----------------------------------------------------------------------------------------


def _editor(label: str, elem_id: str) -> gr.ImageEditor:
    return shapes_editor(label, elem_id, side=options.SHOWN_SIDE)


def build() -> gr.Blocks:
    from demos.vae.views import DIMENSION_HEADERS

    with demo_container("VAE") as demo:
        header(words.TITLE, words.SUBTITLE)
        explainer(HERE)

        gr.Markdown(f"## {words.INTERPOLATE_HEADING}\n{words.interpolate_intro(can_draw=True)}")
        with gr.Row():
            with gr.Column(min_width=260):
                editor_a = _editor("Image A", "vae-image-a")
                with gr.Row(equal_height=True):
                    seed_a = gr.Number(options.DEFAULT_SEEDS[0], precision=0, label="Data image", scale=3)
                    pick_a = gr.Button("Use data image", scale=2)
                caption_a = gr.Markdown(elem_id="vae-caption-a")
            with gr.Column(min_width=260):
                editor_b = _editor("Image B", "vae-image-b")
                with gr.Row(equal_height=True):
                    seed_b = gr.Number(options.DEFAULT_SEEDS[1], precision=0, label="Data image", scale=3)
                    pick_b = gr.Button("Use data image", scale=2)
                caption_b = gr.Markdown(elem_id="vae-caption-b")
            with gr.Column(min_width=260):
                frames = spec_slider(options.FRAMES_SLIDER, "Frames")
                mode = gr.Radio(list(options.INTERPOLATIONS), value=options.DEFAULT_INTERPOLATION, label="Interpolation",
                                info=words.INTERPOLATION_INFO)
                fps = spec_slider(options.FPS_SLIDER, "Animation frames per second")
                beta = gr.Dropdown(list(options.BETA_MODELS), value=options.DEFAULT_BETA, label="Model (KL weight β)",
                                   info=words.BETA_INFO)
                interp_btn = gr.Button("Interpolate", variant="primary", elem_id="vae-main-action")
        interp_sheet = gr.Image(label=words.INTERPOLATION_SHEET_CAPTION, type="filepath", interactive=False,
                                format="png", elem_id="vae-interp-sheet")
        interp_text = gr.Markdown(elem_id="vae-interp-text")
        with gr.Row():
            latent_frame = gr.Image(label="Latent walk", type="filepath", interactive=False, height=260, width=260,
                                    elem_id="vae-latent-frame")
            fade_frame = gr.Image(label="Cross-fade", type="filepath", interactive=False, height=260, width=260,
                                  elem_id="vae-fade-frame")
            with gr.Column():
                frame_slider = gr.Slider(0, 1, value=0, step=1, label="Scrub the frames", interactive=False,
                                         elem_id="vae-frame-slider")
                frame_text = gr.Markdown(elem_id="vae-frame-text")
                gif = gr.Image(label=words.GIF_CAPTION, type="filepath", interactive=False,
                               height=150, elem_id="vae-gif")
                gif_file = gr.File(label="Download the animation (GIF)", elem_id="vae-gif-file")
        interp_cache = gr.State(None)
        interp_outputs = [interp_cache, interp_sheet, interp_text, gif, gif_file, frame_slider, latent_frame, fade_frame,
                          frame_text]

        pick_a.click(pick_data, seed_a, [editor_a, caption_a], api_name="vae_data_image", preprocess=False)
        pick_b.click(pick_data, seed_b, [editor_b, caption_b], api_visibility="private", preprocess=False)
        interp_btn.click(run_interpolation, [editor_a, editor_b, frames, mode, fps, beta], interp_outputs,
                         api_name="vae_interpolate", preprocess=False, **VAE_MODEL)
        frame_slider.change(scrub, [interp_cache, frame_slider], [latent_frame, fade_frame, frame_text],
                            api_visibility="private", queue=False, show_progress="hidden", trigger_mode="always_last")
        # a presenter link sets these (shared/presenter_ui.py); the tab's first fill (first_view below)
        # reads the same controls, so it already shows the linked walk: no separate run
        link_controls = {"a": seed_a, "b": seed_b, "frames": frames, "mode": mode, "fps": fps, "beta": beta}
        copy_link_button("vae", options.LINK_PARAMS, link_controls)
        linkable(demo, "VAE", options.LINK_PARAMS, link_controls)

        gr.Markdown(f"## {words.MAP_HEADING}\n{words.map_intro(clickable=True)}")
        with gr.Row():
            plane = gr.Image(label=words.plane_caption(clickable=True),
                             type="filepath", interactive=False, format="png", elem_id="vae-map-plane", scale=2)
            map_plot = gr.Plot(label="Encoded data", elem_id="vae-map-plot", scale=3)
            with gr.Column(scale=1, min_width=220):
                colour_by = gr.Radio(list(options.COLOUR_BY), value=options.DEFAULT_COLOUR_BY, label="Colour the points by")
                map_btn = gr.Button("Place A and B on the map")
                point_img = gr.Image(label="The point you clicked", type="filepath", interactive=False, height=200,
                                     width=200, elem_id="vae-map-point")
                point_text = gr.Markdown("Click the decoded plane.", elem_id="vae-map-point-text")
        map_btn.click(show_map, [colour_by, editor_a, editor_b], [plane, map_plot], api_name="vae_map",
                      preprocess=False, **VAE_MODEL)
        colour_by.input(show_map, [colour_by, editor_a, editor_b], [plane, map_plot], api_visibility="private",
                        preprocess=False, **VAE_MODEL)
        plane.select(click_plane, None, [point_img, point_text], api_visibility="private", **VAE_MODEL)

        gr.Markdown(f"## {words.DIMENSIONS_HEADING}\n{words.DIMENSIONS_INTRO}")
        sliders = []
        for row in range(2):  # two rows of eight
            with gr.Row():
                for i in range(8 * row, 8 * row + 8):
                    sliders.append(spec_slider(options.LATENT_VALUE_SLIDER, f"z{i}", min_width=100))
        with gr.Row():
            from_a_btn = gr.Button("Start from image A")
            table_btn = gr.Button("Measure what each dimension moves")
        with gr.Row():
            with gr.Column(scale=1, min_width=240):
                dims_img = gr.Image(label="Decoded", type="filepath", interactive=False, height=256, width=256,
                                    elem_id="vae-dims-image")
                dims_text = gr.Markdown(elem_id="vae-dims-text")
            traversal_img = gr.Image(label=words.TRAVERSAL_CAPTION, type="filepath",
                                     interactive=False, format="png", elem_id="vae-traversal", scale=3)
        dims_table = gr.Dataframe(headers=list(DIMENSION_HEADERS), interactive=False, elem_id="vae-dims-table")
        dims_summary = gr.Markdown(elem_id="vae-dims-summary")
        from_a_btn.click(start_from_image, [editor_a, beta], [*sliders, dims_img, dims_text, traversal_img],
                         api_name="vae_start_from_image", preprocess=False, **VAE_MODEL)
        for s in sliders:
            s.release(decode_sliders, [beta, *sliders], [dims_img, dims_text], api_visibility="private",
                      trigger_mode="always_last", show_progress="hidden", preprocess=False, **VAE_MODEL)
        decode_btn = gr.Button("Decode", visible=False)  # the sliders' decode as a public endpoint
        decode_btn.click(decode_sliders, [beta, *sliders], [dims_img, dims_text], api_name="vae_decode_latent",
                         preprocess=False, **VAE_MODEL)
        table_btn.click(measure_dimensions, beta, [dims_table, dims_summary], api_name="vae_dimension_table",
                        preprocess=False, **VAE_MODEL)

        gr.Markdown(f"## {words.RECONSTRUCT_HEADING}\n{words.RECONSTRUCT_INTRO}")
        with gr.Row():
            recon_in = gr.Image(label="Image A", type="filepath", interactive=False, height=200, width=200)
            recon_out = gr.Image(label="Reconstruction", type="filepath", interactive=False, height=200, width=200,
                                 elem_id="vae-recon")
            code_plot = gr.Plot(label="The code", elem_id="vae-code-plot")
        with gr.Row():
            recon_btn = gr.Button("Reconstruct image A")
            recon_text = gr.Markdown(elem_id="vae-recon-text")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                prior = gr.Radio([(v, k) for k, v in options.PRIORS.items()], value=options.DEFAULT_PRIOR, label="Prior")
                temperature = spec_slider(options.TEMPERATURE_SLIDER, "Temperature", info=words.TEMPERATURE_INFO)
                sample_seed = seed_control(0, label="Seed", elem_id="vae-sample-seed")
                n_samples = spec_slider(options.SAMPLES_SLIDER, "Samples")
                sample_btn = gr.Button("Sample")
            with gr.Column(scale=3):
                samples_img = gr.Image(label=words.SAMPLES_CAPTION, type="filepath",
                                       interactive=False, format="png", elem_id="vae-samples")
                samples_text = gr.Markdown(elem_id="vae-samples-text")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                beta_btn = gr.Button("Compare the KL weights")
                gr.Markdown(words.BETA_COMPARISON_NOTE)
            with gr.Column(scale=3):
                beta_img = gr.Image(label=words.BETA_SHEET_CAPTION, type="filepath", interactive=False,
                                    format="png", elem_id="vae-beta-sheet")
                beta_table = gr.Markdown(elem_id="vae-beta-table")
        recon_btn.click(run_reconstruct, [editor_a, beta], [recon_in, recon_out, code_plot, recon_text],
                        api_name="vae_reconstruct", preprocess=False, **VAE_MODEL)
        sample_btn.click(run_sample, [prior, temperature, sample_seed, n_samples, beta], [samples_img, samples_text],
                         api_name="vae_sample", preprocess=False, **VAE_MODEL)
        beta_btn.click(run_beta_comparison, None, [beta_img, beta_table], api_name="vae_beta_comparison", **VAE_MODEL)

        gr.Markdown(f"## {words.ANOMALY_HEADING}\n{words.anomaly_intro(can_draw=True)}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                score_kind = gr.Radio([(v, k) for k, v in options.SCORES.items()], value=options.DEFAULT_SCORE,
                                      label="Histogram of")
                anomaly_btn = gr.Button("Score image A")
                anomaly_text = gr.Markdown(elem_id="vae-anomaly-text")
            anomaly_plot = gr.Plot(label="Scores", elem_id="vae-anomaly-plot", scale=3)
        anomaly_btn.click(run_anomaly, [editor_a, score_kind], [anomaly_plot, anomaly_text], api_name="vae_anomaly",
                          preprocess=False, **VAE_MODEL)

        gr.Markdown(f"## {words.PHOTOS_HEADING}\n{words.PHOTOS_INTRO}")
        with gr.Row():
            photo_a = gr.Image(label="Photo A", type="filepath", sources=("upload", "clipboard"), height=220,
                               elem_id="vae-photo-a")
            photo_b = gr.Image(label="Photo B", type="filepath", sources=("upload", "clipboard"), height=220,
                               elem_id="vae-photo-b")
            with gr.Column(min_width=240):
                hub_model = gr.Dropdown(list(options.HUB_AUTOENCODERS), value=options.HUB_DEFAULT, label="Autoencoder")
                photo_side = spec_slider(options.PHOTO_SIDE_SLIDER, "Photo size (pixels)")
                photo_btn = gr.Button("Interpolate the photos")
        photo_sheet = gr.Image(label=words.SHEET_CAPTION, type="filepath", interactive=False,
                               format="png", elem_id="vae-photo-sheet")
        photo_text = gr.Markdown(elem_id="vae-photo-text")
        photo_btn.click(run_photos, [photo_a, photo_b, hub_model, photo_side, frames, mode], [photo_sheet, photo_text],
                        api_name="vae_photo_interpolate", preprocess=False, **PHOTO_MODEL)

        fill_on_open(demo, first_view, [seed_a, seed_b, frames, mode, fps, beta],
                     [editor_a, caption_a, editor_b, caption_b, *interp_outputs])
        fill_on_open(demo, show_map, [colour_by], [plane, map_plot])
        fill_on_open(demo, run_sample, [prior, temperature, sample_seed, n_samples, beta], [samples_img, samples_text])
    return demo
