"""3-D tab: open point clouds, meshes, voxels and depth maps; view them (plotly and Model3D);
convert one into another with counts, memory and time side by side; process clouds with open3d;
classify with the bundled PointNet; and make a depth map from a photo with a Hub model.
Glue only: the logic is in actions.py, view.py, classify.py and depth.py.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

import gradio as gr
import numpy as np

from demos.three_d import options
from shared import limits
from shared.checkpoints import CheckpointError
from shared.image_files import write_atomic
from shared.memo import memoised
from shared.ui import explainer, file_path, header, notify, shows_errors

HERE = Path(__file__).parent
GLB_DIR = Path(tempfile.gettempdir()) / "genai-demos-3d"
GLB_KEEP_S = 900  # Gradio copies each file into its cache; ours are removed after a quarter hour
FILE_TYPES = [".ply", ".pcd", ".xyz", ".txt", ".pts", ".obj", ".stl", ".off", ".glb", ".gltf", ".binvox", ".npy", ".png"]


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


def _show(scene: dict, step, colour: str):  # noqa: ANN001 (an actions.Step)
    """Make `step` the session's current object and draw it: (scene, plot, glb, status, table)."""
    from demos.three_d import actions

    colour = limits.check_choice("colour mode", colour, options.COLOUR_MODES)
    history = [*scene.get("history", []), step.row()] if scene else [step.row()]
    fig, glb, status = _draw(step, colour)
    return {"obj": step.obj, "history": history}, fig, str(glb), status, actions.history_markdown(history)


def _draw(step, colour: str, glb_path: Path | None = None):  # noqa: ANN001, ANN202
    """The plotly figure, the GLB file and the status line of a step."""
    from demos.three_d import geometry, view

    fig, view_notes = view.figure(step.obj, colour, geometry.describe(step.obj))
    glb = view.glb_file(step.obj, glb_path or _glb_path(), colour)
    lines = [f"**{step.label}** → {geometry.describe(step.obj)} · {geometry.human_bytes(geometry.memory_bytes(step.obj))}"
             f" · {step.seconds * 1000:,.0f} ms"]
    lines += [f"- {n}" for n in step.notices + view_notes]
    return fig, glb, "\n".join(lines)


@memoised(maxsize=32)
def _sample_shown(name: str, colour: str):  # noqa: ANN202
    """A built-in sample, drawn: the same for everyone who opens it, so made once. Its arrays are
    made read-only, since every session that opens the sample holds the same object."""
    from demos.three_d import actions

    step = actions.open_sample(name)
    for value in vars(step.obj).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    with tempfile.TemporaryDirectory() as folder:
        fig, glb, status = _draw(step, colour, Path(folder) / "sample.glb")
        return step, fig, glb.read_bytes(), status


def _intrinsics(fx: float, fy: float, cx: float, cy: float) -> tuple[float, float, float, float]:
    return (options.FOCAL.check(fx), options.FOCAL.check(fy), options.CENTRE.check(cx), options.CENTRE.check(cy))


@shows_errors
def open_sample(scene: dict | None, name: str, colour: str):
    from demos.three_d import actions
    from demos.three_d.shapes3d import SAMPLES

    step, fig, glb, status = _sample_shown(limits.check_choice("sample", name, SAMPLES),
                                           limits.check_choice("colour mode", colour, options.COLOUR_MODES))
    history = [step.row()]
    return ({"obj": step.obj, "history": history}, fig, write_atomic(glb, ".glb", prefix="sample-"), status,
            actions.history_markdown(history))


@shows_errors
def open_upload(scene: dict | None, path: str | None, colour: str, fx: float, fy: float, cx: float, cy: float):
    from demos.three_d import actions

    path = file_path(path)
    if not path:
        raise gr.Error("Choose a file to open.")
    return _show({}, actions.open_file(path, _intrinsics(fx, fy, cx, cy)), colour)


@shows_errors
def recolour(scene: dict | None, colour: str):
    from demos.three_d import geometry, view

    if not scene:
        return gr.skip(), gr.skip()  # nothing open yet: the choice applies to what is opened next
    colour = limits.check_choice("colour mode", colour, options.COLOUR_MODES)
    fig, notes = view.figure(scene["obj"], colour, geometry.describe(scene["obj"]))
    notify(" ".join(notes[-1:]) if notes else None)
    return fig, str(view.glb_file(scene["obj"], _glb_path(), colour))


def _converter(conversion: str):  # noqa: ANN202
    @shows_errors
    def run(scene: dict | None, colour: str, n_points: int, resolution: int, poisson_depth: int, seed: int):
        from demos.three_d import actions

        step = actions.convert((scene or {}).get("obj"), conversion, n_points=n_points, resolution=resolution,
                               poisson_depth=poisson_depth, seed=seed)
        return _show(scene, step, colour)

    run.__name__ = f"three_d_{conversion}"
    return run


def _processor(operation: str):  # noqa: ANN202
    @shows_errors
    def run(scene: dict | None, colour: str, voxel_share: float, neighbours: int, std_ratio: float):
        from demos.three_d import actions

        before = (scene or {}).get("obj")
        step = actions.process(before, operation, voxel_share=voxel_share, neighbours=neighbours, std_ratio=std_ratio)
        return (*_show(scene, step, colour), actions.before_after_figure(before, step))

    run.__name__ = f"three_d_{operation}"
    return run


@shows_errors
def classify(scene: dict | None):
    from demos.three_d import classify as c

    if not scene:
        raise gr.Error("Open a sample or a file first.")
    result = c.classify(scene["obj"])
    name, p = result.best
    text = (f"PointNet says **{name}** ({p:.0%}), reading {len(result.points)} points of the object; "
            f"{len(result.critical)} of them are critical (red): they alone set the max-pooled feature. "
            f"Model: {result.source}.")
    return c.probability_figure(result), c.critical_figure(result), text


@shows_errors
def photo_to_depth(scene: dict | None, photo: str | None, model_id: str, colour: str):
    from demos.three_d import actions, depth

    photo = file_path(photo)
    if not photo:
        raise gr.Error("Choose a photo first.")
    model_id = limits.check_text("model id", model_id, limits.HUB_ID_CHARS).strip()
    image = depth.open_photo(photo)
    t0 = time.perf_counter()
    try:
        depth_map, line = depth.estimate_depth(image, model_id)
    except CheckpointError as exc:
        raise gr.Error(f"{exc} Depth maps from files and the samples still work.") from exc
    step = actions.Step(depth_map, f"depth from a photo ({line})", time.perf_counter() - t0)
    return _show(scene, step, colour)


def build() -> gr.Blocks:
    from demos.three_d.shapes3d import SAMPLES

    with gr.Blocks(title="3-D data") as demo:
        header("3-D data: point clouds, meshes, voxels and depth maps",
               "Open or pick an object, see it, turn one representation into another and compare what each keeps "
               "and costs, clean a scan with open3d, and ask a PointNet what it is.")
        explainer(HERE)
        scene = gr.State({})

        gr.Markdown("## 1 · Open and view")
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                sample = gr.Dropdown(list(SAMPLES), value="Torus knot (mesh)", label="Built-in sample",
                                     elem_id="three_d-sample")
                open_btn = gr.Button("Open sample", variant="primary", elem_id="three_d-main-action")
                upload = gr.File(label=f"…or open a file (up to {options.UPLOAD_BYTES // 2**20} MB)", file_types=FILE_TYPES,
                                 type="filepath", elem_id="three_d-upload")
                gr.Markdown("Point clouds: PLY, PCD, XYZ · meshes: OBJ, STL, PLY, OFF, GLB/glTF · voxels: binvox, "
                            ".npy of booleans · depth maps: 16-bit PNG (millimetres) or .npy (metres). Files are "
                            f"read by their content; at most {options.DISPLAY_POINTS:,} points or faces are drawn.")
                with gr.Accordion("Depth-map camera, used when a depth file is opened (0 = default: 60° field of "
                                  "view, centred)", open=False):
                    with gr.Row():
                        fx = gr.Number(0, label="fx (pixels)", minimum=0)
                        fy = gr.Number(0, label="fy (pixels)", minimum=0)
                    with gr.Row():
                        cx = gr.Number(0, label="cx (pixels)", minimum=0)
                        cy = gr.Number(0, label="cy (pixels)", minimum=0)
                colour = gr.Radio([(v, k) for k, v in options.COLOUR_MODES.items()], value="height", label="Colour by")
            with gr.Column(scale=3):
                with gr.Row():
                    plot = gr.Plot(label="Plotly view (drag to turn)", elem_id="three_d-plot")
                    model3d = gr.Model3D(label="The same object in Model3D (GLB)", elem_id="three_d-model3d", height=460)
                status = gr.Markdown("Press **Open sample** or upload a file.", elem_id="three_d-status")
        history = gr.Markdown(elem_id="three_d-history")
        shown = [scene, plot, model3d, status, history]

        gr.Markdown("## 2 · Convert\nEach conversion replaces the current object; the table above keeps the "
                    "chain, so the forms can be compared: how many numbers each takes and what it can still say.")
        with gr.Row():
            n_points = gr.Slider(options.SURFACE_POINTS.low, 200_000, value=20_000, step=100, label="Points to sample",
                                 info="mesh → point cloud")
            resolution = gr.Slider(options.VOXEL_RESOLUTION.low, options.VOXEL_RESOLUTION.high, value=48, step=1,
                                   label="Voxels along the longest side", info="point cloud → voxels")
            poisson_depth = gr.Slider(options.POISSON_DEPTH.low, options.POISSON_DEPTH.high, value=7, step=1,
                                      label="Poisson octree depth", info="finer surface, slower: 2^depth cells a side")
            seed = gr.Number(0, precision=0, label="Sampling seed")
        convert_buttons = {}
        with gr.Row():
            for key, label in options.CONVERSIONS.items():
                convert_buttons[key] = gr.Button(label, size="sm", elem_id=f"three_d-convert-{key}")
        for key, btn in convert_buttons.items():
            btn.click(_converter(key), [scene, colour, n_points, resolution, poisson_depth, seed], shown,
                      api_name=f"three_d_convert_{key}", preprocess=False, concurrency_id="three_d")

        gr.Markdown("## 3 · Process a point cloud (open3d)")
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                voxel_share = gr.Slider(0.005, 0.1, value=0.02, step=0.005, label="Voxel size (share of the object's size)",
                                        info="down-sampling keeps one point per voxel")
                neighbours = gr.Slider(options.NEIGHBOURS.low, 50, value=20, step=1, label="Neighbours (k)",
                                       info="for normals and outlier removal")
                std_ratio = gr.Slider(0.5, 5.0, value=2.0, step=0.1, label="Outlier threshold (standard deviations)")
                with gr.Row():
                    down_btn = gr.Button("Down-sample", size="sm")
                    normals_btn = gr.Button("Estimate normals", size="sm")
                    outlier_btn = gr.Button("Remove outliers", size="sm", elem_id="three_d-outliers")
            with gr.Column(scale=3):
                before_after = gr.Plot(label="Before and after (removed points in red)", elem_id="three_d-before-after")
        for key, btn in (("down_sample", down_btn), ("normals", normals_btn), ("outliers", outlier_btn)):
            btn.click(_processor(key), [scene, colour, voxel_share, neighbours, std_ratio], [*shown, before_after],
                      api_name=f"three_d_process_{key}", preprocess=False, concurrency_id="three_d")

        gr.Markdown("## 4 · What is it? PointNet\nThe bundled PointNet was trained here on six kinds of procedural "
                    "object, in any pose. It reads 512 points of the current object.")
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                classify_btn = gr.Button("Classify the current object", variant="primary", elem_id="three_d-classify")
                verdict = gr.Markdown(elem_id="three_d-verdict")
                probabilities = gr.Plot(label="Probabilities", elem_id="three_d-probabilities")
            critical = gr.Plot(label="Critical points", elem_id="three_d-critical")
        classify_btn.click(classify, [scene], [probabilities, critical, verdict], api_name="three_d_classify", preprocess=False,
                           concurrency_id="three_d")

        gr.Markdown("## 5 · From a photo to a depth map (a Hub model)\nA depth-estimation network guesses how far "
                    "each pixel is; the result becomes the current object, so *Depth map → point cloud* lifts the "
                    "photo into 3-D. Needs the Hub once (then the model is cached).")
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

        open_btn.click(open_sample, [scene, sample, colour], shown, api_name="three_d_open_sample", preprocess=False, concurrency_id="three_d")
        upload.upload(open_upload, [scene, upload, colour, fx, fy, cx, cy], shown, api_name="three_d_open_file", preprocess=False,
                      concurrency_id="three_d")
        colour.change(recolour, [scene, colour], [plot, model3d], api_visibility="private", trigger_mode="always_last")
    return demo
