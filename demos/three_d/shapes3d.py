"""Procedural 3-D objects: the PointNet's six classes (with random proportions and poses), and the
tab's built-in samples (torus knot, terrain, a noisy scan, a voxel grid, a depth map...), so the
tab works offline with nothing uploaded. Every random function takes a seed or a generator.
"""

from __future__ import annotations

import math

import numpy as np

from demos.three_d.geometry import DepthMap, Mesh, PointCloud, Voxels, default_intrinsics
from demos.three_d.options import CLASSES, SAMPLE_NAMES


def _mesh(tm) -> Mesh:  # noqa: ANN001 (a trimesh.Trimesh)
    return Mesh(np.asarray(tm.vertices, np.float32), np.asarray(tm.faces, np.int32))


def pyramid(base: float = 1.0, height: float = 1.0) -> Mesh:
    """A square pyramid: base centred on the origin in the z = 0 plane, apex at (0, 0, height)."""
    h = base / 2
    v = np.array([[-h, -h, 0], [h, -h, 0], [h, h, 0], [-h, h, 0], [0, 0, height]], np.float32)
    f = np.array([[0, 2, 1], [0, 3, 2], [0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]], np.int32)
    return Mesh(v, f)


def class_mesh(name: str, rng: np.random.Generator) -> Mesh:
    """One object of a PointNet class with random proportions (not yet posed or normalised)."""
    import trimesh

    u = rng.uniform
    if name == "sphere":
        m = _mesh(trimesh.creation.icosphere(subdivisions=3))
        m.vertices *= u(0.85, 1.15, 3).astype(np.float32)  # a little squashed at most
        return m
    if name == "cube":
        return _mesh(trimesh.creation.box(extents=u(0.75, 1.25, 3)))
    if name == "cylinder":
        return _mesh(trimesh.creation.cylinder(radius=0.5, height=u(0.6, 2.0), sections=48))
    if name == "cone":
        return _mesh(trimesh.creation.cone(radius=0.5, height=u(0.6, 2.0), sections=48))
    if name == "torus":
        return _mesh(trimesh.creation.torus(major_radius=1.0, minor_radius=u(0.18, 0.45), major_sections=48,
                                            minor_sections=20))
    if name == "pyramid":
        return pyramid(1.0, u(0.5, 1.6))
    raise ValueError(f"unknown class {name!r}; the classes are {', '.join(CLASSES)}")


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    """A rotation matrix drawn uniformly from SO(3) (QR of a Gaussian matrix, signs fixed)."""
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q.astype(np.float32)


def sample_surface(mesh: Mesh, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n points uniform on the mesh's surface: a face drawn with probability proportional to its
    area, then a uniform point in it (barycentric, folded square). Returns (points (n, 3), face index (n,))."""
    tri = mesh.vertices[mesh.faces]  # (F, 3 corners, 3)
    area = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    total = area.sum()
    if not np.isfinite(total) or total <= 0:
        raise ValueError("the mesh has no surface area to sample")
    face = rng.choice(len(area), size=n, p=area / total)
    a, b = rng.random((2, n, 1), dtype=np.float32)
    fold = (a + b) > 1  # reflect points of the far half of the unit square back into the triangle
    a, b = np.where(fold, 1 - a, a), np.where(fold, 1 - b, b)
    t = tri[face]
    return (t[:, 0] + a * (t[:, 1] - t[:, 0]) + b * (t[:, 2] - t[:, 0])).astype(np.float32), face


def normalise(points: np.ndarray) -> np.ndarray:
    """Centre on the bounding box's centre and scale into the unit ball: what PointNet reads."""
    centre = (points.min(0) + points.max(0)) / 2
    p = points - centre
    radius = float(np.linalg.norm(p, axis=1).max())
    return (p / (radius if radius > 0 else 1.0)).astype(np.float32)


def one_side(points: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n of the points on the half of the object that faces a random direction: roughly what one
    depth camera sees of it."""
    direction = rng.normal(size=3)
    centred = points - points.mean(0)
    seen = np.flatnonzero(centred @ direction > 0)
    return points[rng.choice(seen, n, replace=len(seen) < n)] if len(seen) else points[:n]


def class_example(name: str, n_points: int, rng: np.random.Generator, jitter: float = 0.01,
                  partial: bool = False) -> np.ndarray:
    """A training example: a random object of the class, randomly posed, n_points on its surface
    (or, if partial, on the half of it one viewpoint sees), normalised, with a little Gaussian
    jitter. (n_points, 3) float32."""
    points, _ = sample_surface(class_mesh(name, rng), 3 * n_points if partial else n_points, rng)
    if partial:
        points = one_side(points, n_points, rng)
    points = normalise(points @ random_rotation(rng).T)
    return (points + rng.normal(0, jitter, points.shape)).astype(np.float32)


def class_dataset(n_per_class: int, n_points: int, seed: int, partial_share: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(points (C * n_per_class, n_points, 3), labels (C * n_per_class,)), classes interleaved;
    a share of the examples (drawn at random) are one-sided views."""
    rng = np.random.default_rng(seed)
    x = np.empty((len(CLASSES) * n_per_class, n_points, 3), np.float32)
    y = np.tile(np.arange(len(CLASSES)), n_per_class)
    for i, label in enumerate(y):
        x[i] = class_example(CLASSES[label], n_points, rng, partial=bool(partial_share) and rng.random() < partial_share)
    return x, y


# ---- the tab's samples ---------------------------------------------------------------------------

def torus_knot(p: int = 2, q: int = 3, tube: float = 0.18, segments: int = 360, sides: int = 16) -> Mesh:
    """A (p, q) torus knot swept by a circle: the curve winds p times around the torus's axis and q
    times through its hole. Vertices carry a rainbow along the curve."""
    s = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    r = 1 + 0.4 * np.cos(q * s)
    curve = np.stack([r * np.cos(p * s), r * np.sin(p * s), 0.4 * np.sin(q * s)], 1)
    tangent = np.gradient(curve, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    normal = np.cross(tangent, [0.0, 0.0, 1.0])
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    binormal = np.cross(tangent, normal)
    a = np.linspace(0, 2 * np.pi, sides, endpoint=False)
    ring = np.cos(a)[None, :, None] * normal[:, None] + np.sin(a)[None, :, None] * binormal[:, None]
    vertices = (curve[:, None] + tube * ring).reshape(-1, 3)
    i, j = np.meshgrid(np.arange(segments), np.arange(sides), indexing="ij")
    v00, v01 = i * sides + j, i * sides + (j + 1) % sides
    v10, v11 = ((i + 1) % segments) * sides + j, ((i + 1) % segments) * sides + (j + 1) % sides
    faces = np.concatenate([np.stack([v00, v10, v11], -1).reshape(-1, 3), np.stack([v00, v11, v01], -1).reshape(-1, 3)])
    hue = np.repeat(s / (2 * np.pi), sides)
    colors = 0.5 + 0.5 * np.stack([np.cos(2 * np.pi * (hue + k / 3)) for k in range(3)], 1)
    return Mesh(vertices.astype(np.float32), faces.astype(np.int32), colors.astype(np.float32))


def terrain(size: int = 96, seed: int = 0) -> Mesh:
    """A height field: a sum of random smooth waves over a square grid, two triangles per cell."""
    rng = np.random.default_rng(seed)
    x, y = np.meshgrid(np.linspace(-1, 1, size), np.linspace(-1, 1, size), indexing="ij")
    z = np.zeros_like(x)
    for k in range(1, 7):
        angle, phase = rng.uniform(0, 2 * np.pi, 2)
        z += np.sin(k * 2.2 * (np.cos(angle) * x + np.sin(angle) * y) + phase) / k**1.3
    z = 0.35 * z / np.abs(z).max()
    vertices = np.stack([x, y, z], -1).reshape(-1, 3)
    i, j = np.meshgrid(np.arange(size - 1), np.arange(size - 1), indexing="ij")
    v00, v01, v10, v11 = i * size + j, i * size + j + 1, (i + 1) * size + j, (i + 1) * size + j + 1
    faces = np.concatenate([np.stack([v00, v10, v11], -1).reshape(-1, 3), np.stack([v00, v11, v01], -1).reshape(-1, 3)])
    green, brown, snow = np.array([0.25, 0.55, 0.25]), np.array([0.55, 0.42, 0.3]), np.array([0.95, 0.95, 0.97])
    t = ((z - z.min()) / np.ptp(z)).reshape(-1, 1)
    colors = np.where(t < 0.6, green + (brown - green) * t / 0.6, brown + (snow - brown) * (t - 0.6) / 0.4)
    return Mesh(vertices.astype(np.float32), faces.astype(np.int32), colors.astype(np.float32))


def noisy_scan(n: int = 30_000, outliers: float = 0.02, seed: int = 0) -> PointCloud:
    """What a scanner returns: a bumpy blob's surface with sensor noise, plus stray points around it
    (the outlier-removal step's target)."""
    rng = np.random.default_rng(seed)
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    bumps = 1 + 0.15 * np.sin(3 * d[:, 0]) * np.sin(4 * d[:, 1]) * np.sin(5 * d[:, 2] + 1)
    points = d * bumps[:, None] + rng.normal(0, 0.01, (n, 3))
    n_out = int(outliers * n)
    points[:n_out] = rng.uniform(-1.6, 1.6, (n_out, 3))
    colors = np.clip(0.55 + 0.45 * d[:, [2, 1, 0]], 0, 1)
    return PointCloud(points.astype(np.float32), colors.astype(np.float32))


def voxel_letters(resolution: int = 32) -> Voxels:
    """A voxel grid spelling '3D' in block letters, extruded: voxels as the native form."""
    glyphs = {"3": ["#####", "....#", ".###.", "....#", "#####"], "D": ["####.", "#...#", "#...#", "#...#", "####."]}
    rows = [glyphs["3"][r] + "." + glyphs["D"][r] for r in range(5)]
    cell = max(1, resolution // 12)
    occ = np.zeros((11 * cell, 3 * cell, 5 * cell), bool)  # x across, y depth, z up
    for r, row in enumerate(rows):
        for c, ch in enumerate(row):
            if ch == "#":
                occ[c * cell:(c + 1) * cell, :, (4 - r) * cell:(5 - r) * cell] = True
    return Voxels(occ, np.zeros(3, np.float32), 1.0 / cell)


def ball_on_floor_depth(width: int = 320, height: int = 240) -> DepthMap:
    """The depth image a camera 1.5 m above a floor would see of a ball of radius 0.5 m lying on it,
    ray-cast exactly (16-bit depth cameras give the same, in millimetres), coloured by surface."""
    fx, fy, cx, cy = default_intrinsics(width, height)
    u, v = np.meshgrid(np.arange(width), np.arange(height))
    # camera coordinates: x right, y down, z forward; the camera looks down at 30 degrees
    ray = np.stack([(u - cx) / fx, (v - cy) / fy, np.ones_like(u, float)], -1)
    tilt = math.radians(30)
    rot = np.array([[1, 0, 0], [0, math.cos(tilt), math.sin(tilt)], [0, -math.sin(tilt), math.cos(tilt)]])
    world = ray @ rot.T  # world: x right, y down (toward the floor), z forward
    cam_h = 1.5
    t_floor = np.where(world[..., 1] > 1e-6, cam_h / np.maximum(world[..., 1], 1e-6), np.inf)
    centre = np.array([0.0, cam_h - 0.5, 2.8])
    b = (world * centre).sum(-1)
    c = (centre**2).sum() - 0.25
    a = (world**2).sum(-1)
    disc = b**2 - a * c
    t_ball = np.where(disc > 0, (b - np.sqrt(np.maximum(disc, 0))) / a, np.inf)
    t = np.minimum(t_floor, t_ball)
    t = np.where(t < 8.0, t, 0.0)  # beyond 8 m the camera reads nothing
    depth = (t * ray[..., 2]).astype(np.float32)  # depth = distance along the optical axis
    hit = world * t[..., None]
    checker = ((np.floor(hit[..., 0] * 2) + np.floor(hit[..., 2] * 2)) % 2)[..., None]
    floor_rgb = np.where(checker > 0, [0.85, 0.85, 0.8], [0.45, 0.5, 0.55])
    ball_rgb = np.broadcast_to([0.9, 0.35, 0.2], floor_rgb.shape)
    colors = np.where((t_ball < t_floor)[..., None], ball_rgb, floor_rgb)
    colors = np.where((depth > 0)[..., None], colors, 0.0)
    return DepthMap(depth, fx, fy, cx, cy, colors.astype(np.float32))


def class_sample(name: str, seed: int = 0) -> Mesh:
    """An upright, middle-proportioned object of a PointNet class, for the sample list."""
    return class_mesh(name, np.random.default_rng(seed))


SAMPLES = dict(zip(SAMPLE_NAMES, (  # name -> a function making the object, in options.SAMPLE_NAMES' order
    torus_knot, terrain, noisy_scan, voxel_letters, ball_on_floor_depth,
    *((lambda name=name: class_sample(name)) for name in CLASSES),
), strict=True))
