"""3-D conversions, processing and display: what each keeps (bounding boxes, closed surfaces,
inverse projections), what the processing removes, and what reaches the browser."""

from __future__ import annotations

import numpy as np
import pytest

from demos.three_d import actions, convert, options, process, shapes3d, views
from demos.three_d.geometry import DepthMap, Mesh, PointCloud, Voxels, bounds, default_intrinsics, memory_bytes
from shared.limits import LimitError


def sphere_mesh(radius: float = 1.0) -> Mesh:
    import trimesh

    m = trimesh.creation.icosphere(subdivisions=4, radius=radius)
    return Mesh(np.asarray(m.vertices, np.float32), np.asarray(m.faces, np.int32))


def edge_use_counts(faces: np.ndarray) -> np.ndarray:
    """How many faces use each undirected edge (2 for every edge of a closed surface)."""
    edges = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    _, n = np.unique(edges, axis=0, return_counts=True)
    return n


def test_mesh_to_points_to_voxels_to_mesh_keeps_the_bounding_box():
    knot = shapes3d.torus_knot()
    low, high = bounds(knot)
    cloud = convert.mesh_to_points(knot, 50_000, seed=0)
    c_low, c_high = bounds(cloud)
    assert np.allclose(c_low, low, atol=0.02) and np.allclose(c_high, high, atol=0.02)
    voxels = convert.points_to_voxels(cloud, 64)
    v_low, v_high = bounds(voxels)
    pitch = voxels.pitch
    assert np.all(v_low <= c_low + 1e-5) and np.all(v_high >= c_high - 1e-5)
    assert np.all(v_low >= c_low - pitch) and np.all(v_high <= c_high + pitch)
    mesh = convert.voxels_to_mesh(voxels)
    m_low, m_high = bounds(mesh)
    assert np.allclose(m_low, c_low, atol=pitch) and np.allclose(m_high, c_high, atol=pitch)


def test_surface_samples_lie_on_the_surface_and_are_seeded():
    sphere = sphere_mesh(2.0)
    cloud = convert.mesh_to_points(sphere, 5_000, seed=3)
    r = np.linalg.norm(cloud.points, axis=1)
    assert r.max() <= 2.0 + 1e-4 and r.min() > 1.98  # on the (slightly faceted) sphere
    assert np.allclose(np.linalg.norm(cloud.normals, axis=1), 1, atol=1e-5)
    assert ((cloud.points * cloud.normals).sum(1) > 0).all()  # outward normals
    assert np.array_equal(cloud.points, convert.mesh_to_points(sphere, 5_000, seed=3).points)
    assert not np.array_equal(cloud.points, convert.mesh_to_points(sphere, 5_000, seed=4).points)


def test_marching_cubes_of_a_voxelised_sphere_is_closed():
    g = np.indices((24, 24, 24)).transpose(1, 2, 3, 0) - 11.5
    occ = np.linalg.norm(g, axis=3) < 9
    mesh = convert.voxels_to_mesh(Voxels(occ, np.zeros(3, np.float32), 0.1))
    counts = edge_use_counts(mesh.faces)
    assert (counts == 2).all()  # watertight: every edge shared by exactly two faces
    import trimesh

    tm = trimesh.Trimesh(mesh.vertices, mesh.faces, process=True)
    assert tm.is_watertight and tm.volume > 0  # outward faces give a positive volume
    assert tm.volume == pytest.approx(occ.sum() * 0.1**3, rel=0.08)


def test_depth_to_points_inverts_a_known_projection():
    rng = np.random.default_rng(0)
    w, h = 64, 48
    fx, fy, cx, cy = default_intrinsics(w, h)
    depth = rng.uniform(1, 5, (h, w)).astype(np.float32)
    depth[::7, ::5] = 0  # holes
    dm = DepthMap(depth, fx, fy, cx, cy)
    cloud = convert.depth_to_points(dm)
    assert len(cloud) == (depth > 0).sum()
    assert np.allclose(convert.points_to_depth(cloud, dm), depth, atol=1e-5)
    # a pixel at the principal point lies straight ahead (y forward in the z-up frame)
    centre = DepthMap(np.full((3, 3), 2.0, np.float32), 100, 100, 1, 1)
    p = convert.depth_to_points(centre).points
    assert np.allclose(p[4], [0, 2, 0])
    assert p[0, 2] > 0 and p[0, 0] < 0  # the top-left pixel is up and to the left


def test_sample_depth_map_becomes_a_ball_and_a_floor():
    cloud = convert.depth_to_points(shapes3d.ball_on_floor_depth())
    assert len(cloud) > 50_000 and cloud.colors is not None
    up = cloud.points[:, 2]
    assert np.ptp(up) > 0.9  # from the floor to the top of the 1 m ball


def test_reconstructions_give_surfaces_near_the_points():
    cloud = convert.mesh_to_points(sphere_mesh(1.0), 8_000, seed=0)
    cloud_no_normals = PointCloud(cloud.points)
    for mesh, _notices in (convert.points_to_mesh_poisson(cloud_no_normals, 6), convert.points_to_mesh_ball_pivoting(cloud)):
        assert len(mesh.faces) > 500
        r = np.linalg.norm(mesh.vertices, axis=1)
        assert np.abs(r - 1).max() < 0.08
    assert any("Estimated normals" in n for n in convert.points_to_mesh_poisson(cloud_no_normals, 6)[1])


def test_reconstruction_down_samples_big_clouds(monkeypatch):
    monkeypatch.setattr(options, "RECONSTRUCT_POINTS", 3_000)
    cloud = convert.mesh_to_points(sphere_mesh(1.0), 20_000, seed=0)
    mesh, notices = convert.points_to_mesh_ball_pivoting(cloud)
    assert any("Down-sampled 20,000 points" in n for n in notices) and len(mesh.vertices) <= 3_000


def test_processing():
    scan = shapes3d.noisy_scan(n=10_000, outliers=0.02, seed=0)
    kept, removed = process.remove_statistical_outliers(scan, 20, 2.0)
    assert len(kept) + len(removed) == len(scan)
    far = np.abs(np.linalg.norm(removed.points, axis=1) - 1) > 0.3
    assert far.mean() > 0.5 and len(removed) >= 0.5 * 200  # mostly the strays, most strays found
    down = process.voxel_down_sample(scan, 0.05)
    assert 100 < len(down) < len(scan)
    normals = process.estimate_normals(shapes3d.noisy_scan(n=5_000, outliers=0, seed=1), 20)
    radial = normals.points / np.linalg.norm(normals.points, axis=1, keepdims=True)
    assert np.median((normals.normals * radial).sum(1)) > 0.9  # outward, across the blob's surface


def test_actions_check_the_form_and_the_limits():
    knot = actions.open_sample("Torus knot (mesh)").obj
    with pytest.raises(LimitError, match="needs a point cloud; the current object is a mesh"):
        actions.convert(knot, "points_to_voxels")
    with pytest.raises(LimitError, match="Open a sample"):
        actions.convert(None, "mesh_to_points")
    with pytest.raises(LimitError, match="Unknown conversion"):
        actions.convert(knot, "mesh_to_soup")
    with pytest.raises(LimitError, match="number of points to sample"):
        actions.convert(knot, "mesh_to_points", n_points=10**9)
    cloud = actions.convert(knot, "mesh_to_points", n_points=2_000).obj
    with pytest.raises(LimitError, match="voxel resolution"):
        actions.convert(cloud, "points_to_voxels", resolution=100_000)
    with pytest.raises(LimitError, match="needs a point cloud; the current object is a mesh. Try"):
        actions.process(knot, "outliers")
    with pytest.raises(LimitError, match="standard-deviation ratio"):
        actions.process(cloud, "outliers", std_ratio=float("nan"))
    with pytest.raises(LimitError, match="Unknown sample"):
        actions.open_sample("../../etc/passwd")


def test_history_rows_compare_the_forms():
    step = actions.open_sample("Torus knot (mesh)")
    row = step.row()
    assert row["form"] == "mesh" and "faces" in row["made of"] and row["memory"].endswith("KB")
    table = views.history_markdown([row, actions.convert(step.obj, "mesh_to_points").row()])
    assert table.count("\n") == 3 and "20,000 points" in table


@pytest.mark.parametrize("name", list(shapes3d.SAMPLES))
def test_every_sample_draws_and_exports(name, tmp_path):
    obj = shapes3d.SAMPLES[name]()
    assert memory_bytes(obj) > 0
    for mode in options.COLOUR_MODES:
        fig, _ = views.figure(obj, mode, name)
        assert fig.data
    path = views.glb_file(obj, tmp_path / "x.glb")
    assert path.read_bytes()[:4] == b"glTF"


def test_display_limits_sub_sample_and_decimate(monkeypatch):
    cloud = convert.mesh_to_points(shapes3d.torus_knot(), 30_000)
    shown, note = views.display_cloud(cloud, 1_000)
    assert len(shown) == 1_000 and "1,000 of the 30,000" in note
    fig, notices = views.figure(cloud)
    assert len(fig.data[0].x) == 30_000 and not notices
    monkeypatch.setattr(options, "DISPLAY_FACES", 2_000)
    fig, notices = views.figure(shapes3d.torus_knot())
    assert len(fig.data[0].i) <= 2_000 and any("decimated" in n for n in notices)


def test_one_view_decimates_a_big_mesh_once():
    """The plot and the GLB of one view share the decimated copy; another mesh gets its own."""
    knot, other = shapes3d.torus_knot(), shapes3d.torus_knot()
    first, note = views.display_mesh(knot, 2_000)
    again, _ = views.display_mesh(knot, 2_000)
    assert again is first and "decimated" in note
    assert views.display_mesh(other, 2_000)[0] is not first
    assert views.display_mesh(knot, 1_000)[0] is not first and len(views.display_mesh(knot, 1_000)[0].faces) <= 1_000


def test_plot_traces_use_what_plotly_js_draws():
    """Coordinates go as float64 and a mesh's colours as one string a vertex: with float32 typed
    arrays or a colorscale of more than 256 stops, plotly.js draws nothing."""
    import json

    trace = json.loads(views.figure(shapes3d.torus_knot())[0].to_json())["data"][0]
    assert trace["x"]["dtype"] == "f8" and "colorscale" not in trace
    assert len(trace["vertexcolor"]) == 5760 and trace["vertexcolor"][0].startswith("#")


def test_exposed_faces_of_one_voxel_make_a_closed_cube():
    cube = views.exposed_faces(Voxels(np.ones((1, 1, 1), bool), np.zeros(3, np.float32), 2.0))
    assert len(cube.faces) == 12 and np.allclose(np.abs(cube.vertices), 1)
    normals = convert.face_normals(cube.vertices, cube.faces)
    centres = cube.vertices[cube.faces].mean(1)
    assert ((normals * centres).sum(1) > 0).all()  # every face points outward
