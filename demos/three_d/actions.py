"""The tab's verbs on plain objects, UI-free: open a sample or file, convert, process. Each is
timed and returns what the UI shows: the new object, notices, and a row for the history table.

    step = open_sample("Torus knot (mesh)")
    step = convert(step.obj, "mesh_to_points", n_points=20_000)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from demos.three_d import options
from demos.three_d.geometry import DepthMap, Mesh, Object3D, PointCloud, Voxels, counts, human_bytes, memory_bytes
from shared.limits import LimitError, check_choice

KIND_NAMES = {PointCloud: "a point cloud", Mesh: "a mesh", Voxels: "a voxel grid", DepthMap: "a depth map"}
# what each conversion reads
NEEDS = {"mesh_to_points": Mesh, "points_to_voxels": PointCloud, "voxels_to_mesh": Voxels, "voxels_to_points": Voxels,
         "points_to_mesh_poisson": PointCloud, "points_to_mesh_ball": PointCloud, "depth_to_points": DepthMap}
NEXT_STEP = {Mesh: "Mesh → point cloud", Voxels: "Voxels → point cloud", DepthMap: "Depth map → point cloud",
             PointCloud: "Point cloud → mesh or → voxels"}


@dataclass
class Step:
    """One thing done to the object: the result and the line the history table shows for it."""

    obj: Object3D
    label: str
    seconds: float
    notices: list[str] = field(default_factory=list)
    removed: PointCloud | None = None  # points a processing step took out (drawn red in 'before')

    def row(self) -> dict:
        return {"step": self.label, "form": self.obj.kind,
                "made of": ", ".join(f"{v:,} {k}" for k, v in counts(self.obj).items()),
                "memory": human_bytes(memory_bytes(self.obj)), "time": f"{self.seconds * 1000:,.0f} ms"}


def _import_before_timing(operation: str) -> None:
    """Import the library an operation uses before its clock starts: the table times the work,
    not a first import (open3d takes about 2 s)."""
    if operation == "voxels_to_mesh":
        import skimage.measure  # noqa: F401
    elif operation.startswith("points_to_mesh") or operation in PROCESSES:
        import open3d  # noqa: F401


def _timed(fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0


def open_sample(name: str) -> Step:
    from demos.three_d.shapes3d import SAMPLES

    name = check_choice("sample", name, SAMPLES)
    obj, seconds = _timed(SAMPLES[name])
    return Step(obj, f"opened sample: {name}", seconds)


def open_file(path: str, intrinsics: tuple[float, float, float, float] | None = None) -> Step:
    from pathlib import Path

    from demos.three_d.readers import read_file

    if not path:
        raise LimitError("Choose a file to open first.")
    (obj, notices), seconds = _timed(read_file, path, intrinsics)
    return Step(obj, f"opened file: {Path(path).name}", seconds, notices)


def _require(obj: Object3D | None, kind: type, action: str) -> None:
    if obj is None:
        raise LimitError("Open a sample or a file first.")
    if not isinstance(obj, kind):
        hint = NEXT_STEP.get(type(obj))
        raise LimitError(f"'{action}' needs {KIND_NAMES[kind]}; the current object is {KIND_NAMES[type(obj)]}."
                         + (f" Try '{hint}' first." if hint and kind is PointCloud else ""))


def convert(obj: Object3D | None, conversion: str, *, n_points: int = options.DEFAULT_SURFACE_POINTS,
            resolution: int = options.DEFAULT_VOXEL_RESOLUTION, poisson_depth: int = options.DEFAULT_POISSON_DEPTH,
            seed: int = 0) -> Step:
    """Run one of options.CONVERSIONS on the object."""
    from demos.three_d import convert as c
    from shared.limits import SEED

    conversion = check_choice("conversion", conversion, options.CONVERSIONS)
    _require(obj, NEEDS[conversion], options.CONVERSIONS[conversion])
    _import_before_timing(conversion)
    notices: list[str] = []
    if conversion == "mesh_to_points":
        result, seconds = _timed(c.mesh_to_points, obj, n_points, SEED.check(seed))
    elif conversion == "points_to_voxels":
        result, seconds = _timed(c.points_to_voxels, obj, resolution)
    elif conversion == "voxels_to_mesh":
        result, seconds = _timed(c.voxels_to_mesh, obj)
    elif conversion == "voxels_to_points":
        result, seconds = _timed(c.voxels_to_points, obj)
    elif conversion == "depth_to_points":
        result, seconds = _timed(c.depth_to_points, obj)
        if obj.relative:
            notices.append("The depth is relative (a model's guess up to scale), so the cloud's proportions are only roughly right.")
    elif conversion == "points_to_mesh_poisson":
        (result, notices), seconds = _timed(c.points_to_mesh_poisson, obj, poisson_depth)
    else:
        (result, notices), seconds = _timed(c.points_to_mesh_ball_pivoting, obj)
    return Step(result, options.CONVERSIONS[conversion], seconds, notices)


PROCESSES = {"down_sample": "Voxel down-sampling", "normals": "Normal estimation", "outliers": "Statistical outlier removal"}


def process(obj: Object3D | None, operation: str, *, voxel_share: float = options.DEFAULT_VOXEL_SIZE,
            neighbours: int = options.DEFAULT_NEIGHBOURS, std_ratio: float = options.DEFAULT_STD_RATIO) -> Step:
    """Run one of PROCESSES (open3d) on a point cloud."""
    from demos.three_d import process as p

    operation = check_choice("processing step", operation, PROCESSES)
    _require(obj, PointCloud, PROCESSES[operation])
    _import_before_timing(operation)
    removed = None
    if operation == "down_sample":
        result, seconds = _timed(p.voxel_down_sample, obj, voxel_share)
    elif operation == "normals":
        result, seconds = _timed(p.estimate_normals, obj, neighbours)
    else:
        (result, removed), seconds = _timed(p.remove_statistical_outliers, obj, neighbours, std_ratio)
    if len(result) == 0:
        raise LimitError(f"{PROCESSES[operation]} with these settings leaves no points; loosen them.")
    return Step(result, PROCESSES[operation], seconds, removed=removed)
