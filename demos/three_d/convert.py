"""How one representation becomes another. Each function takes and returns the plain objects of
geometry.py, and says in its docstring what the conversion keeps and what it loses.
"""

from __future__ import annotations

import threading

import numpy as np

from demos.three_d import options
from demos.three_d.geometry import DepthMap, Mesh, PointCloud, Voxels
from demos.three_d.shapes3d import sample_surface
from shared.limits import LimitError


def face_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(F, 3) unit normals, right-handed from the faces' vertex order."""
    tri = vertices[faces]
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    return (n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def mesh_to_points(mesh: Mesh, n: int, seed: int = 0) -> PointCloud:
    """n points uniform on the surface (area-weighted), with the face's normal and the colour
    interpolated from its vertices. Keeps the shape's surface; loses connectivity (which points
    are neighbours on the surface) and the inside/outside of the shape."""
    n = options.SURFACE_POINTS.check(n)
    rng = np.random.default_rng(seed)
    points, face = sample_surface(mesh, n, rng)
    colors = None
    if mesh.vertex_colors is not None:
        # the nearest of the face's three corners: cheap, and exact for flat-coloured faces
        corner = mesh.faces[face, np.argmin(np.linalg.norm(mesh.vertices[mesh.faces[face]] - points[:, None], axis=2), 1)]
        colors = mesh.vertex_colors[corner]
    return PointCloud(points, colors, face_normals(mesh.vertices, mesh.faces)[face])


def points_to_voxels(cloud: PointCloud, resolution: int) -> Voxels:
    """A grid of resolution cells along the object's longest side; a cell is occupied when at
    least one point falls in it. Keeps where the surface is, to within one cell; loses everything
    finer than a cell (and all colour)."""
    resolution = options.VOXEL_RESOLUTION.check(resolution)
    points = cloud.points
    low, high = points.min(0), points.max(0)
    pitch = float((high - low).max()) / resolution
    if pitch <= 0:
        raise LimitError("All the points are at one place: there is nothing to voxelise.")
    index = np.minimum(((points - low) / pitch).astype(np.int64), resolution - 1)  # (N, 3) cell of each point
    shape = tuple(int(s) for s in index.max(0) + 1)
    occupancy = np.zeros(shape, bool)
    occupancy[index[:, 0], index[:, 1], index[:, 2]] = True
    return Voxels(occupancy, (low + pitch / 2).astype(np.float32), pitch)


def voxels_to_points(voxels: Voxels) -> PointCloud:
    """One point at the centre of each occupied voxel: the grid, nothing more."""
    return PointCloud(voxels.centres())


def voxels_to_mesh(voxels: Voxels) -> Mesh:
    """Marching cubes on the occupancy (padded by one empty cell all round, so the surface closes):
    a watertight mesh through the boundary between full and empty cells. Keeps the volume's
    outline at the grid's resolution; the surface shows the grid's stair steps, smoothed."""
    from skimage.measure import marching_cubes

    grid = np.pad(voxels.occupancy, 1).astype(np.float32)
    vertices, faces, _, _ = marching_cubes(grid, level=0.5)
    vertices = voxels.origin + voxels.pitch * (vertices - 1)  # undo the padding
    # skimage orders faces so normals point toward increasing values (inside); flip to outward
    return Mesh(vertices.astype(np.float32), faces[:, ::-1].astype(np.int32).copy())


def depth_to_points(depth: DepthMap) -> PointCloud:
    """Back-projection through the depth map's pinhole camera (DepthMap.back_project): the visible
    surface only, one point per pixel with a reading."""
    return PointCloud(*depth.back_project())


def points_to_depth(cloud: PointCloud, depth: DepthMap) -> np.ndarray:
    """The inverse of depth_to_points with the same camera: (H, W) depth, 0 where no point lands."""
    x, z, minus_y = cloud.points[:, 0], cloud.points[:, 1], cloud.points[:, 2]
    u = np.round(x * depth.fx / z + depth.cx).astype(int)
    v = np.round(-minus_y * depth.fy / z + depth.cy).astype(int)
    out = np.zeros_like(depth.depth)
    inside = (u >= 0) & (u < out.shape[1]) & (v >= 0) & (v < out.shape[0])
    out[v[inside], u[inside]] = z[inside]
    return out


def to_open3d(cloud: PointCloud):  # noqa: ANN201 (open3d.geometry.PointCloud)
    import open3d as o3d

    pcd = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(cloud.points.astype(np.float64)))
    if cloud.colors is not None:
        pcd.colors = o3d.utility.Vector3dVector(cloud.colors.astype(np.float64))
    if cloud.normals is not None:
        pcd.normals = o3d.utility.Vector3dVector(cloud.normals.astype(np.float64))
    return pcd


def from_open3d(pcd) -> PointCloud:  # noqa: ANN001
    colors = np.asarray(pcd.colors, np.float32) if pcd.has_colors() else None
    normals = np.asarray(pcd.normals, np.float32) if pcd.has_normals() else None
    return PointCloud(np.asarray(pcd.points, np.float32), colors, normals)


def mesh_from_open3d(mesh) -> Mesh:  # noqa: ANN001
    colors = np.asarray(mesh.vertex_colors, np.float32) if mesh.has_vertex_colors() else None
    return Mesh(np.asarray(mesh.vertices, np.float32), np.asarray(mesh.triangles, np.int32), colors)


def _reconstruction_input(cloud: PointCloud, notices: list[str]):  # noqa: ANN202
    """The open3d cloud a surface reconstruction reads: down-sampled to at most RECONSTRUCT_POINTS,
    with normals estimated (and turned to face away from the centre) when it has none."""
    pcd = to_open3d(cloud)
    if len(cloud) > options.RECONSTRUCT_POINTS:
        size = float(np.ptp(cloud.points, axis=0).max())
        voxel = size / 200
        while len(pcd.voxel_down_sample(voxel).points) > options.RECONSTRUCT_POINTS:
            voxel *= 1.4
        pcd = pcd.voxel_down_sample(voxel)
        notices.append(f"Down-sampled {len(cloud):,} points to {len(pcd.points):,} (voxel size {voxel:.3g}) before "
                       "reconstructing: the reconstruction's time grows with the points.")
    if not pcd.has_normals():
        import open3d as o3d

        pcd.estimate_normals(o3d.geometry.KDTreeSearchParamKNN(knn=20))
        # a normal's sign is a guess; pointing away from the centre suits closed objects and scans
        centre = np.asarray(pcd.points).mean(0)
        normals, points = np.asarray(pcd.normals), np.asarray(pcd.points)
        flip = ((points - centre) * normals).sum(1) < 0
        normals[flip] *= -1
        pcd.normals = o3d.utility.Vector3dVector(normals)
        notices.append("Estimated normals from each point's 20 nearest neighbours (the points had none), turned outward.")
    return pcd


_POISSON_LOCK = threading.Lock()


def points_to_mesh_poisson(cloud: PointCloud, depth: int = 8) -> tuple[Mesh, list[str]]:
    """Screened Poisson reconstruction (Kazhdan and Hoppe, 2013): find the indicator function whose
    gradient best matches the oriented normals, on an octree of the given depth, and take its level
    set. Gives a watertight, smooth surface; it invents surface where there were no points, so the
    parts far from any point (low density) are cut away."""
    import open3d as o3d

    depth = options.POISSON_DEPTH.check(depth)
    if len(cloud) < 20:
        raise LimitError("Poisson reconstruction needs at least 20 points.")
    notices: list[str] = []
    pcd = _reconstruction_input(cloud, notices)
    # One thread, one call at a time: Open3D's Poisson reconstruction crashes the whole process now and
    # then when it runs on several threads (isl-org/Open3D issue 6828; a test worker died of it here under
    # load). On one thread it takes the same 0.4-0.5 s at depths 7-8 on 2 cores.
    with _POISSON_LOCK, o3d.utility.VerbosityContextManager(o3d.utility.VerbosityLevel.Error):
        mesh, density = o3d.geometry.TriangleMesh.create_from_point_cloud_poisson(pcd, depth=depth, n_threads=1)
    density = np.asarray(density)
    if len(density):
        mesh.remove_vertices_by_mask(density < np.quantile(density, 0.03))
        notices.append("Removed the 3% of the surface with the fewest points under it, where Poisson guessed.")
    result = mesh_from_open3d(mesh)
    if len(result.faces) == 0:
        raise LimitError("Poisson reconstruction found no surface in these points.")
    return result, notices


def points_to_mesh_ball_pivoting(cloud: PointCloud) -> tuple[Mesh, list[str]]:
    """Ball pivoting (Bernardini et al., 1999): roll a ball over the points; every three points it
    rests on make a triangle. Keeps the points exactly as vertices; leaves holes where points are
    sparser than the ball."""
    import open3d as o3d

    if len(cloud) < 20:
        raise LimitError("Ball pivoting needs at least 20 points.")
    notices: list[str] = []
    pcd = _reconstruction_input(cloud, notices)
    spacing = float(np.mean(pcd.compute_nearest_neighbor_distance()))
    radii = o3d.utility.DoubleVector([spacing * k for k in (1.5, 3.0, 6.0)])
    mesh = o3d.geometry.TriangleMesh.create_from_point_cloud_ball_pivoting(pcd, radii)
    notices.append(f"Ball radii {spacing * 1.5:.3g}, {spacing * 3:.3g} and {spacing * 6:.3g} (1.5, 3 and 6 times the mean point spacing).")
    result = mesh_from_open3d(mesh)
    if len(result.faces) == 0:
        raise LimitError("Ball pivoting made no triangles: the points are too sparse or too uneven.")
    return result, notices
