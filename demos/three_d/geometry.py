"""The four ways this tab holds a 3-D object, as plain numpy arrays, and what each one costs.

    PointCloud(points (N, 3), colors (N, 3) in [0, 1] or None, normals (N, 3) or None)
    Mesh(vertices (V, 3), faces (F, 3) int, vertex_colors (V, 3) or None)
    Voxels(occupancy (X, Y, Z) bool, origin (3,), pitch): voxel (i, j, k) has its centre at
        origin + pitch * (i, j, k)
    DepthMap(depth (H, W) in metres, 0 where there is no reading, camera intrinsics fx fy cx cy,
        colors (H, W, 3) or None)

Coordinates are z-up (what plotly's camera assumes); glTF's y-up is converted on reading and
writing. No torch, no gradio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class PointCloud:
    points: np.ndarray  # (N, 3) float32
    colors: np.ndarray | None = None  # (N, 3) float32 in [0, 1]
    normals: np.ndarray | None = None  # (N, 3) float32, unit length
    kind: str = field(default="point cloud", init=False)

    def __len__(self) -> int:
        return len(self.points)

    def subset(self, index: np.ndarray) -> PointCloud:
        def pick(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[index]

        return PointCloud(self.points[index], pick(self.colors), pick(self.normals))


@dataclass
class Mesh:
    vertices: np.ndarray  # (V, 3) float32
    faces: np.ndarray  # (F, 3) int32, indices into vertices
    vertex_colors: np.ndarray | None = None  # (V, 3) float32 in [0, 1]
    kind: str = field(default="mesh", init=False)


@dataclass
class Voxels:
    occupancy: np.ndarray  # (X, Y, Z) bool
    origin: np.ndarray  # (3,) float32: the centre of voxel (0, 0, 0)
    pitch: float  # edge length of a voxel
    kind: str = field(default="voxels", init=False)

    def centres(self) -> np.ndarray:
        """(M, 3) centres of the occupied voxels."""
        return (self.origin + self.pitch * np.argwhere(self.occupancy)).astype(np.float32)


@dataclass
class DepthMap:
    depth: np.ndarray  # (H, W) float32 metres along the optical axis; 0 = no reading
    fx: float
    fy: float
    cx: float
    cy: float
    colors: np.ndarray | None = None  # (H, W, 3) float32 in [0, 1], the photo it came from
    relative: bool = False  # True when the depth is known only up to scale (a model's guess)
    kind: str = field(default="depth map", init=False)

    def back_project(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The visible surface as points through the pinhole camera: pixel (u, v) with depth Z is
        X = (u - cx) Z / fx, Y = (v - cy) Z / fy in the camera's frame (x right, y down, z forward),
        turned here into z-up (x right, y forward, z up). (N, 3) points and their (N, 3) colours or None;
        one depth per pixel, nothing behind it."""
        v, u = np.nonzero(self.depth > 0)
        z = self.depth[v, u].astype(np.float64)
        x = (u - self.cx) * z / self.fx
        y = (v - self.cy) * z / self.fy
        points = np.stack([x, z, -y], 1).astype(np.float32)
        return points, None if self.colors is None else self.colors[v, u].astype(np.float32)


Object3D = PointCloud | Mesh | Voxels | DepthMap


def default_intrinsics(width: int, height: int, fov_deg: float = 60.0) -> tuple[float, float, float, float]:
    """fx, fy, cx, cy of a pinhole camera with a horizontal field of view of fov_deg and square
    pixels, principal point at the image centre: what most phone and depth cameras are near."""
    fx = (width / 2) / math.tan(math.radians(fov_deg) / 2)
    return fx, fx, (width - 1) / 2, (height - 1) / 2


def arrays_of(obj: Object3D) -> list[np.ndarray]:
    if isinstance(obj, PointCloud):
        return [a for a in (obj.points, obj.colors, obj.normals) if a is not None]
    if isinstance(obj, Mesh):
        return [a for a in (obj.vertices, obj.faces, obj.vertex_colors) if a is not None]
    if isinstance(obj, Voxels):
        return [obj.occupancy]
    return [a for a in (obj.depth, obj.colors) if a is not None]


def memory_bytes(obj: Object3D) -> int:
    """Bytes of the arrays that hold the object (as this tab stores them)."""
    return int(sum(a.nbytes for a in arrays_of(obj)))


def counts(obj: Object3D) -> dict[str, int]:
    """What the object is made of: points; vertices and faces; voxels; pixels."""
    if isinstance(obj, PointCloud):
        return {"points": len(obj.points)}
    if isinstance(obj, Mesh):
        return {"vertices": len(obj.vertices), "faces": len(obj.faces)}
    if isinstance(obj, Voxels):
        return {"occupied voxels": int(obj.occupancy.sum()), "grid cells": int(obj.occupancy.size)}
    return {"pixels with depth": int((obj.depth > 0).sum()), "pixels": int(obj.depth.size)}


def describe(obj: Object3D) -> str:
    """'mesh: 1,234 vertices, 2,460 faces'."""
    parts = ", ".join(f"{v:,} {k}" for k, v in counts(obj).items())
    if isinstance(obj, Voxels):
        parts += f" ({' x '.join(map(str, obj.occupancy.shape))} grid)"
    if isinstance(obj, DepthMap):
        parts += f" ({obj.depth.shape[1]} x {obj.depth.shape[0]})"
    return f"{obj.kind}: {parts}"


def bounds(obj: Object3D) -> tuple[np.ndarray, np.ndarray]:
    """(low corner, high corner) of the object's axis-aligned bounding box, in its own units."""
    if isinstance(obj, PointCloud):
        pts = obj.points
    elif isinstance(obj, Mesh):
        pts = obj.vertices
    elif isinstance(obj, Voxels):
        c = obj.centres()
        half = obj.pitch / 2
        return c.min(0) - half, c.max(0) + half
    else:
        pts = obj.back_project()[0]
    return pts.min(0), pts.max(0)


def human_bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} B"
