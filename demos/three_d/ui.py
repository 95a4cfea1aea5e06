"""3-D tab: open point clouds, meshes, voxels and depth maps; view them (plotly and Model3D);
convert one into another with counts, memory and time side by side; process clouds with open3d;
classify with the bundled PointNet; and make a depth map from a photo with a Hub model.
Glue only: the session's scene and each step's figure and status are in scene.py (the Streamlit page
calls the same functions); the verbs in actions.py, the figures in views.py.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

import gradio as gr

from demos.three_d import options
from demos.three_d import wording as words
from shared.image_files import write_atomic
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import demo_container, explainer, file_path, header, notify, shows_errors, spec_slider

HERE = Path(__file__).parent
GLB_DIR = Path(tempfile.gettempdir()) / "genai-demos-3d"
GLB_KEEP_S = 900  # Gradio copies each file into its cache; ours are removed after a quarter hour


def _glb_path() -> Path:
    GLB_DIR.mkdir(exist_ok=True)
    now = time.time()
    for old in GLB_DIR.glob("*.glb"):
        try:
            if now - old.stat().st_mtime > GLB_KEEP_S:
                old.unlink()
        except OSError:
            pass
    return GLB_DIR / f"{uuid.uuid4().hex}.glb"


def _outputs(shown, colour: str) -> tuple:  # noqa: ANN001 (a scene.Shown)
    """(scene, plot, glb, status, history): a step's outcome as this tab's components show it; the
    GLB for Model3D is this tab's own (Streamlit has no such viewer)."""
    from demos.three_d import views

    glb = views.glb_file(shown.step.obj, _glb_path(), colour)
    return shown.scene, shown.figure, str(glb), shown.status, shown.scene.history_markdown()


@shows_errors
def open_sample(scene, name: str, colour: str):  # noqa: ANN001 (a scene.Scene or None)
    from demos.three_d import scene as sc

    shown = sc.open_sample(name, colour)
    glb = write_atomic(sc.sample_glb(name, colour), ".glb", prefix="sample-")
    return shown.scene, shown.figure, glb, shown.status, shown.scene.history_markdown()


@shows_errors
def open_upload(scene, path: str | None, colour: str, fx: float, fy: float, cx: float, cy: float):  # noqa: ANN001
    from demos.three_d import scene as sc

    return _outputs(sc.open_file(file_path(path), colour, (fx, fy, cx, cy)), colour)


@shows_errors
def recolour(scene, colour: str):  # noqa: ANN001
    from demos.three_d import scene as sc
    from demos.three_d import views

    if scene is None or scene.obj is None:
        return gr.skip(), gr.skip()  # nothing open yet: the choice applies to what is opened next
    fig, notes = sc.recolour(scene, colour)
    notify(" ".join(notes[-1:]) if notes else None)
    return fig, str(views.glb_file(scene.obj, _glb_path(), colour))


def _converter(conversion: str):
    @shows_errors
    def run(scene, colour: str, n_points: int, resolution: int, poisson_depth: int, seed: int):  # noqa: ANN001
        from demos.three_d import scene as sc

        return _outputs(sc.convert(scene, conversion, colour, n_points=n_points, resolution=resolution,
                                   poisson_depth=poisson_depth, seed=seed), colour)

    run.__name__ = f"three_d_{conversion}"
    return run


def _processor(operation: str):
    @shows_errors
    def run(scene, colour: str, voxel_share: float, neighbours: int, std_ratio: float):  # noqa: ANN001
        from demos.three_d import scene as sc

        shown = sc.process(scene, operation, colour, voxel_share=voxel_share, neighbours=neighbours,
                           std_ratio=std_ratio)
        return (*_outputs(shown, colour), shown.before_after)

    run.__name__ = f"three_d_{operation}"
    return run


@shows_errors
def classify(scene):  # noqa: ANN001
    from demos.three_d import scene as sc

    verdict = sc.classify(scene)
    return verdict.probabilities, verdict.critical, verdict.text


@shows_errors
def photo_to_depth(scene, photo: str | None, model_id: str, colour: str):  # noqa: ANN001
    from demos.three_d import scene as sc

    return _outputs(sc.photo_to_depth(scene, file_path(photo), model_id, colour), colour)


def build() -> gr.Blocks:
    from demos.three_d.shapes3d import SAMPLES

    with demo_container("3-D data") as demo:
        header(words.TITLE, words.SUBTITLE)
        explainer(HERE)
        scene = gr.State(None)  # a scene.Scene once something is opened

        gr.Markdown(f"## {words.OPEN_HEADING}")
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                sample = gr.Dropdown(list(SAMPLES), value=options.DEFAULT_SAMPLE, label="Built-in sample",
                                     elem_id="three_d-sample")
                open_btn = gr.Button("Open sample", variant="primary", elem_id="three_d-main-action")
                upload = gr.File(label=words.UPLOAD_LABEL, file_types=list(options.FILE_TYPES), type="filepath",
                                 elem_id="three_d-upload")
                gr.Markdown(words.FILE_FORMATS)
                with gr.Accordion(words.CAMERA_TITLE, open=False):
                    with gr.Row():
                        fx = gr.Number(0, label="fx (pixels)", minimum=0)
                        fy = gr.Number(0, label="fy (pixels)", minimum=0)
                    with gr.Row():
                        cx = gr.Number(0, label="cx (pixels)", minimum=0)
                        cy = gr.Number(0, label="cy (pixels)", minimum=0)
                colour = gr.Radio([(v, k) for k, v in options.COLOUR_MODES.items()], value=options.DEFAULT_COLOUR,
                                  label="Colour by")
            with gr.Column(scale=3):
                with gr.Row():
                    plot = gr.Plot(label="Plotly view (drag to turn)", elem_id="three_d-plot")
                    model3d = gr.Model3D(label="The same object in Model3D (GLB)", elem_id="three_d-model3d", height=460)
                status = gr.Markdown(words.NOTHING_OPEN, elem_id="three_d-status")
        history = gr.Markdown(elem_id="three_d-history")
        shown = [scene, plot, model3d, status, history]

        gr.Markdown(f"## {words.CONVERT_HEADING}\n{words.CONVERT_INTRO}")
        with gr.Row():
            n_points = spec_slider(options.SURFACE_POINTS_SLIDER, words.POINTS_LABEL, info=words.POINTS_INFO)
            resolution = spec_slider(options.VOXEL_RESOLUTION_SLIDER, words.RESOLUTION_LABEL, info=words.RESOLUTION_INFO)
            poisson_depth = spec_slider(options.POISSON_DEPTH_SLIDER, words.POISSON_LABEL, info=words.POISSON_INFO)
            seed = gr.Number(0, precision=0, label="Sampling seed")
        convert_buttons = {}
        with gr.Row():
            for key, label in options.CONVERSIONS.items():
                convert_buttons[key] = gr.Button(label, size="sm", elem_id=f"three_d-convert-{key}")
        for key, btn in convert_buttons.items():
            btn.click(_converter(key), [scene, colour, n_points, resolution, poisson_depth, seed], shown,
                      api_name=f"three_d_convert_{key}", preprocess=False, concurrency_id="three_d")
        # "Copy link to this view": the sample and colouring above, and these conversion settings
        link_controls = {"sample": sample, "colour": colour, "points": n_points, "voxels": resolution,
                         "poisson": poisson_depth, "seed": seed}
        copy_link_button("three_d", options.LINK_PARAMS, link_controls)

        gr.Markdown(f"## {words.PROCESS_HEADING}")
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                voxel_share = spec_slider(options.VOXEL_SIZE_SLIDER, words.VOXEL_SHARE_LABEL, info=words.VOXEL_SHARE_INFO)
                neighbours = spec_slider(options.NEIGHBOURS_SLIDER, words.NEIGHBOURS_LABEL, info=words.NEIGHBOURS_INFO)
                std_ratio = spec_slider(options.STD_RATIO_SLIDER, words.STD_RATIO_LABEL)
                with gr.Row():
                    down_btn = gr.Button(words.PROCESS_LABELS["down_sample"], size="sm")
                    normals_btn = gr.Button(words.PROCESS_LABELS["normals"], size="sm")
                    outlier_btn = gr.Button(words.PROCESS_LABELS["outliers"], size="sm", elem_id="three_d-outliers")
            with gr.Column(scale=3):
                before_after = gr.Plot(label=words.BEFORE_AFTER_LABEL, elem_id="three_d-before-after")
        for key, btn in (("down_sample", down_btn), ("normals", normals_btn), ("outliers", outlier_btn)):
            btn.click(_processor(key), [scene, colour, voxel_share, neighbours, std_ratio], [*shown, before_after],
                      api_name=f"three_d_process_{key}", preprocess=False, concurrency_id="three_d")

        gr.Markdown(f"## {words.CLASSIFY_HEADING}\n{words.CLASSIFY_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                classify_btn = gr.Button("Classify the current object", variant="primary", elem_id="three_d-classify")
                verdict = gr.Markdown(elem_id="three_d-verdict")
                probabilities = gr.Plot(label="Probabilities", elem_id="three_d-probabilities")
            critical = gr.Plot(label="Critical points", elem_id="three_d-critical")
        classify_btn.click(classify, [scene], [probabilities, critical, verdict], api_name="three_d_classify", preprocess=False,
                           concurrency_id="three_d")

        gr.Markdown(f"## {words.DEPTH_HEADING}\n{words.DEPTH_INTRO}")
        with gr.Row():
            # a plain file, not gr.Image: gr.Image decodes the upload inside Gradio, so a damaged photo would get
            # Gradio's message instead of depth.open_photo's
            photo = gr.File(label="Photo (PNG, JPEG, WebP…)", file_types=["image"], type="filepath", height=260,
                            elem_id="three_d-photo")
            with gr.Column():
                depth_model = gr.Textbox(options.DEPTH_MODEL, label="Depth model (Hub id)", max_lines=1)
                depth_btn = gr.Button("Estimate depth", elem_id="three_d-depth")
        depth_btn.click(photo_to_depth, [scene, photo, depth_model, colour], shown, api_name="three_d_photo_to_depth", preprocess=False,
                        concurrency_id="three_d")

        open_btn.click(open_sample, [scene, sample, colour], shown, api_name="three_d_open_sample", preprocess=False,
                       concurrency_id="three_d")
        upload.upload(open_upload, [scene, upload, colour, fx, fy, cx, cy], shown, api_name="three_d_open_file", preprocess=False,
                      concurrency_id="three_d")
        colour.change(recolour, [scene, colour], [plot, model3d], api_visibility="private", trigger_mode="always_last")
        # a presenter link sets these and opens its sample (shared/presenter_ui.py)
        linkable(demo, "3-D data", options.LINK_PARAMS, link_controls,
                 run=(open_sample, [scene, sample, colour], shown), run_options={"concurrency_id": "three_d"})
    return demo
