"""The 3-D tab's session, UI-free: the scene (the object the visitor has now, and the chain of steps
that made it, for the history table) and what each step shows (a plotly figure and a status line).
Both front ends keep one Scene per visitor (Gradio's gr.State, Streamlit's st.session_state) and call
these functions; each returns the new scene with what to show, and never changes the old one.

    shown = open_sample("Torus knot (mesh)", "height")
    shown = convert(shown.scene, "mesh_to_points", "height", n_points=5_000)
    shown.figure, shown.status, shown.scene.history_markdown()
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from demos.three_d import actions, options
from demos.three_d.actions import Step
from demos.three_d.geometry import Object3D
from shared import limits
from shared.checkpoints import CheckpointError
from shared.memo import memoised

DEPTH_OFFLINE = "Depth maps from files and the samples still work."  # said when the depth model cannot load


@dataclass(frozen=True)
class Scene:
    """What a visitor has open: the current object and one history row per step since it was opened."""

    obj: Object3D | None = None
    history: tuple[dict, ...] = ()

    @classmethod
    def opened(cls, step: Step) -> Scene:
        """A fresh scene: opening a sample or a file starts a new chain."""
        return cls(step.obj, (step.row(),))

    def then(self, step: Step) -> Scene:
        """This scene with `step`'s result as the current object (a conversion, a processing step)."""
        return Scene(step.obj, (*self.history, step.row()))

    def current(self) -> Object3D:
        if self.obj is None:
            raise limits.LimitError("Open a sample or a file first.")
        return self.obj

    def history_markdown(self) -> str:
        """The representations side by side: what each step made, its memory and its time."""
        from demos.three_d import views

        return views.history_markdown(list(self.history))


@dataclass(frozen=True)
class Shown:
    """A step's outcome as the tab shows it."""

    scene: Scene
    step: Step
    figure: object  # plotly Figure of the new current object
    status: str  # markdown: what the step made, its memory and time, then its notices
    before_after: object | None = None  # plotly Figure, for a processing step


@dataclass(frozen=True)
class Verdict:
    """PointNet's answer on the current object."""

    probabilities: object  # plotly Figure: a bar per class
    critical: object  # plotly Figure: the points it read, the critical ones red
    text: str
    best: tuple[str, float]


def check_colour(colour: object) -> str:
    return limits.check_choice("colour mode", colour, options.COLOUR_MODES)


def check_intrinsics(fx: float, fy: float, cx: float, cy: float) -> tuple[float, float, float, float]:
    """A depth file's camera (0 = the default: a 60 degree field of view, centred), checked."""
    return (options.FOCAL.check(fx), options.FOCAL.check(fy), options.CENTRE.check(cx), options.CENTRE.check(cy))


def status_text(step: Step, view_notes: list[str]) -> str:
    """The status line under the view: what the step made, its size and time, then every notice."""
    from demos.three_d import geometry

    lines = [f"**{step.label}** → {geometry.describe(step.obj)} · {geometry.human_bytes(geometry.memory_bytes(step.obj))}"
             f" · {step.seconds * 1000:,.0f} ms"]
    lines += [f"- {n}" for n in step.notices + view_notes]
    return "\n".join(lines)


def draw(step: Step, colour: str) -> tuple[object, str]:
    """The plotly figure and the status line of a step."""
    from demos.three_d import geometry, views

    fig, view_notes = views.figure(step.obj, colour, geometry.describe(step.obj))
    return fig, status_text(step, view_notes)


@memoised(maxsize=32)
def sample_view(name: str, colour: str) -> tuple[Step, object, str]:
    """A built-in sample, opened and drawn: the same for everyone who opens it, so made once. Its
    arrays are made read-only, since every session that opens the sample holds the same object.
    Arguments already checked."""
    step = actions.open_sample(name)
    for value in vars(step.obj).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    fig, status = draw(step, colour)
    return step, fig, status


@memoised(maxsize=32)
def sample_glb(name: str, colour: str) -> bytes:
    """A built-in sample as GLB bytes (for a Model3D viewer): the same for everyone, so made once.
    Arguments already checked (open_sample checks them first)."""
    import tempfile
    from pathlib import Path

    from demos.three_d import views

    step, _, _ = sample_view(name, colour)
    with tempfile.TemporaryDirectory() as folder:
        return views.glb_file(step.obj, Path(folder) / "sample.glb", colour).read_bytes()


def open_sample(name: str, colour: str = options.DEFAULT_COLOUR) -> Shown:
    from demos.three_d.shapes3d import SAMPLES

    step, fig, status = sample_view(limits.check_choice("sample", name, SAMPLES), check_colour(colour))
    return Shown(Scene.opened(step), step, fig, status)


def open_file(path: str | None, colour: str = options.DEFAULT_COLOUR,
              intrinsics: tuple[float, float, float, float] = (0, 0, 0, 0)) -> Shown:
    """An uploaded file on disk, read by its content (see readers.read_file)."""
    if not path:
        raise limits.LimitError("Choose a file to open.")
    colour, intrinsics = check_colour(colour), check_intrinsics(*intrinsics)
    step = actions.open_file(path, intrinsics)
    return Shown(Scene.opened(step), step, *draw(step, colour))


def open_bytes(data: bytes, name: str, colour: str = options.DEFAULT_COLOUR,
               intrinsics: tuple[float, float, float, float] = (0, 0, 0, 0)) -> Shown:
    """An uploaded file's bytes (a front end that holds uploads in memory), read by their content."""
    from demos.three_d.readers import read_bytes

    colour, intrinsics = check_colour(colour), check_intrinsics(*intrinsics)
    t0 = time.perf_counter()
    obj, notices = read_bytes(data, name, intrinsics)
    step = Step(obj, f"opened file: {name}", time.perf_counter() - t0, notices)
    return Shown(Scene.opened(step), step, *draw(step, colour))


def convert(scene: Scene | None, conversion: str, colour: str = options.DEFAULT_COLOUR, *,
            n_points: int = options.DEFAULT_SURFACE_POINTS, resolution: int = options.DEFAULT_VOXEL_RESOLUTION,
            poisson_depth: int = options.DEFAULT_POISSON_DEPTH, seed: int = 0) -> Shown:
    """One of options.CONVERSIONS on the current object; its result becomes the current object."""
    scene, colour = scene or Scene(), check_colour(colour)
    step = actions.convert(scene.obj, conversion, n_points=n_points, resolution=resolution,
                           poisson_depth=poisson_depth, seed=seed)
    return Shown(scene.then(step), step, *draw(step, colour))


def process(scene: Scene | None, operation: str, colour: str = options.DEFAULT_COLOUR, *,
            voxel_share: float = options.DEFAULT_VOXEL_SIZE, neighbours: int = options.DEFAULT_NEIGHBOURS,
            std_ratio: float = options.DEFAULT_STD_RATIO) -> Shown:
    """One of actions.PROCESSES on the current point cloud, with the before/after figure."""
    from demos.three_d import views

    scene, colour = scene or Scene(), check_colour(colour)
    step = actions.process(scene.obj, operation, voxel_share=voxel_share, neighbours=neighbours, std_ratio=std_ratio)
    return Shown(scene.then(step), step, *draw(step, colour), views.before_after_figure(scene.obj, step))


def recolour(scene: Scene, colour: str) -> tuple[object, list[str]]:
    """The current object drawn in another colour mode, and the view's notices."""
    from demos.three_d import geometry, views

    colour, obj = check_colour(colour), scene.current()
    return views.figure(obj, colour, geometry.describe(obj))


def classify(scene: Scene | None) -> Verdict:
    """The bundled PointNet on the current object: probabilities, critical points and a sentence."""
    from demos.three_d import classify as c
    from demos.three_d import views

    result = c.classify((scene or Scene()).current())
    name, p = result.best
    text = (f"PointNet says **{name}** ({p:.0%}), reading {len(result.points)} points of the object; "
            f"{len(result.critical)} of them are critical (red): they alone set the max-pooled feature. "
            f"Model: {result.source}.")
    return Verdict(views.probability_figure(result), views.critical_figure(result), text, result.best)


def photo_to_depth(scene: Scene | None, photo_path: str | None, model_id: str = options.DEPTH_MODEL,
                   colour: str = options.DEFAULT_COLOUR) -> Shown:
    """A depth map guessed from a photo by a Hub depth model, as the next step of the scene. When the
    model cannot be loaded (offline, or no such model) the message says what still works."""
    from demos.three_d import depth

    if not photo_path:
        raise limits.LimitError("Choose a photo first.")
    model_id = limits.check_text("model id", model_id, limits.HUB_ID_CHARS).strip()
    colour = check_colour(colour)
    image = depth.open_photo(photo_path)
    t0 = time.perf_counter()
    try:
        depth_map, line = depth.estimate_depth(image, model_id)
    except CheckpointError as exc:
        raise CheckpointError(f"{exc} {DEPTH_OFFLINE}") from exc
    step = Step(depth_map, f"depth from a photo ({line})", time.perf_counter() - t0)
    return Shown((scene or Scene()).then(step), step, *draw(step, colour))
