"""3-D readers: every format opens into the right object, and every kind of broken file a user may
send either opens (with a notice saying what was dropped or merged) or gets a clear ReadError."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest

from demos.three_d import options
from demos.three_d.geometry import DepthMap, Mesh, PointCloud, Voxels
from demos.three_d.readers import ReadError, read_bytes, read_file
from demos.three_d.shapes3d import torus_knot


def trimesh_bytes(file_type: str, mesh=None) -> bytes:
    import trimesh

    m = mesh or torus_knot(segments=60, sides=8)
    data = trimesh.Trimesh(m.vertices, m.faces, process=False).export(file_type=file_type)
    return data.encode() if isinstance(data, str) else data


def ply_points(points: np.ndarray, colors: np.ndarray | None = None, binary: bool = True) -> bytes:
    props = "property float x\nproperty float y\nproperty float z\n"
    if colors is not None:
        props += "property uchar red\nproperty uchar green\nproperty uchar blue\n"
    header = f"ply\nformat {'binary_little_endian' if binary else 'ascii'} 1.0\nelement vertex {len(points)}\n{props}end_header\n"
    if not binary:
        rows = [" ".join(f"{v}" for v in p) + ("" if colors is None else " " + " ".join(str(int(c)) for c in colors[i]))
                for i, p in enumerate(points)]
        return (header + "\n".join(rows) + "\n").encode()
    if colors is None:
        return header.encode() + points.astype("<f4").tobytes()
    rec = np.zeros(len(points), dtype=[("p", "<f4", 3), ("c", "u1", 3)])
    rec["p"], rec["c"] = points, colors
    return header.encode() + rec.tobytes()


def binvox_rle(occ: np.ndarray) -> bytes:
    """occ (x, y, z) -> binvox's data: (value, count) pairs, x slowest, then z, then y."""
    values = occ.transpose(0, 2, 1).reshape(-1).astype(np.uint8)
    out, i = bytearray(), 0
    while i < len(values):
        j = i
        while j < len(values) and values[j] == values[i] and j - i < 255:
            j += 1
        out += bytes([values[i], j - i])
        i = j
    return bytes(out)


def binvox_bytes(occ: np.ndarray) -> bytes:
    """occ (x, y, z) -> a binvox file."""
    d = occ.shape
    return f"#binvox 1\ndim {d[0]} {d[1]} {d[2]}\ntranslate 0 0 0\nscale 1\ndata\n".encode() + binvox_rle(occ)


# ---- formats open into the right object ----------------------------------------------------------

@pytest.mark.parametrize("file_type", ["ply", "obj", "stl", "off", "glb"])
def test_mesh_formats(file_type):
    obj, notices = read_bytes(trimesh_bytes(file_type), f"knot.{file_type}")
    assert isinstance(obj, Mesh) and len(obj.faces) == 60 * 8 * 2
    assert np.isfinite(obj.vertices).all() and obj.faces.max() < len(obj.vertices)
    assert not [n for n in notices if "named" in n]


def test_glb_is_turned_from_y_up_to_z_up():
    import trimesh

    tall = trimesh.creation.box(extents=(1, 5, 1))  # tall along glTF's up axis, y
    obj, _ = read_bytes(tall.export(file_type="glb"), "tall.glb")
    size = np.ptp(obj.vertices, axis=0)
    assert size[2] == pytest.approx(5) and size[1] == pytest.approx(1)


def test_ply_points_binary_and_ascii_with_colours():
    pts = np.random.default_rng(0).normal(size=(300, 3)).astype(np.float32)
    cols = np.random.default_rng(1).integers(0, 256, (300, 3))
    for binary in (True, False):
        obj, _ = read_bytes(ply_points(pts, cols, binary), "cloud.ply")
        assert isinstance(obj, PointCloud) and len(obj) == 300
        assert np.allclose(obj.points, pts, atol=1e-5)
        assert obj.colors is not None and np.allclose(obj.colors, cols / 255, atol=1e-6)


def test_pcd_and_xyz(tmp_path):
    import open3d as o3d

    pts = np.random.default_rng(0).normal(size=(200, 3))
    pcd = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(pts))
    o3d.io.write_point_cloud(str(tmp_path / "c.pcd"), pcd)
    obj, _ = read_file(tmp_path / "c.pcd")
    assert isinstance(obj, PointCloud) and len(obj) == 200 and np.allclose(obj.points, pts, atol=1e-5)
    text = "# x y z r g b\n" + "\n".join(f"{a:.5f},{b:.5f},{c:.5f},255,0,0" for a, b, c in pts)
    obj, _ = read_bytes(text.encode(), "c.xyz")
    assert len(obj) == 200 and np.allclose(obj.colors, [1, 0, 0])


def test_binvox_and_npy_voxels():
    occ = np.zeros((6, 5, 4), bool)
    occ[1:4, 2, 0:3] = True
    occ[5, 4, 3] = True
    for data, name in ((binvox_bytes(occ), "v.binvox"), (npy_bytes(occ), "v.npy")):
        obj, _ = read_bytes(data, name)
        assert isinstance(obj, Voxels) and np.array_equal(obj.occupancy, occ)


def npy_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def test_depth_maps_png_and_npy():
    from PIL import Image

    depth_mm = np.full((40, 60), 1500, np.uint16)
    depth_mm[:5] = 0  # no reading
    buf = io.BytesIO()
    Image.fromarray(depth_mm).save(buf, format="PNG")
    obj, notices = read_bytes(buf.getvalue(), "d.png")
    assert isinstance(obj, DepthMap) and obj.depth.shape == (40, 60)
    assert obj.depth.max() == pytest.approx(1.5) and (obj.depth == 0).sum() == 5 * 60
    assert any("60 degree" in n for n in notices)
    obj, notices = read_bytes(npy_bytes(np.full((30, 40), 2.0)), "d.npy", intrinsics=(100.0, 0.0, 0.0, 0.0))
    assert obj.fx == obj.fy == 100.0 and obj.cx == pytest.approx(19.5) and not notices


# ---- broken files --------------------------------------------------------------------------------

def test_empty_file():
    with pytest.raises(ReadError, match="empty"):
        read_bytes(b"", "nothing.ply")


def test_header_without_data():
    with pytest.raises(ReadError, match="ends after the header"):
        read_bytes(b"ply\nformat ascii 1.0\nelement vertex 100\nproperty float x\nproperty float y\nproperty float z\n"
                   b"end_header\n", "h.ply")
    with pytest.raises(ReadError, match="no end_header"):
        read_bytes(b"ply\nformat ascii 1.0\nelement vertex 100\n", "cut.ply")
    with pytest.raises(ReadError, match="PCD"):
        read_bytes(b"VERSION .7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 5\nHEIGHT 1\nPOINTS 5\nDATA ascii\n", "h.pcd")


def test_faces_past_the_vertex_list_are_dropped_with_a_count():
    text = "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\nf 1 2 4\nf 1 2 99\n"
    obj, notices = read_bytes(text.encode(), "bad.obj")
    assert isinstance(obj, Mesh) and len(obj.faces) <= 2
    off = b"OFF\n4 3 0\n0 0 0\n1 0 0\n0 1 0\n0 0 1\n3 0 1 2\n3 0 1 3\n3 0 1 7\n"
    obj, notices = read_bytes(off, "bad.off")
    assert len(obj.faces) == 2 and any("refer to vertices the file does not have" in n for n in notices)


def test_every_face_broken():
    off = b"OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 9\n"
    with pytest.raises(ReadError, match="no faces left|Could not read"):
        read_bytes(off, "allbad.off")


def test_nan_points_dropped_and_nan_colours_greyed():
    pts = np.random.default_rng(0).normal(size=(100, 3)).astype(np.float32)
    pts[:7, 1] = np.nan
    pts[7, 0] = np.inf
    obj, notices = read_bytes(ply_points(pts), "nan.ply")
    assert len(obj) == 92 and np.isfinite(obj.points).all()
    assert any("Dropped 8 of 100 points" in n for n in notices)
    obj, notices = read_bytes(npy_bytes(np.c_[pts[8:], np.full((92, 3), np.nan)]), "nan.npy")
    assert len(obj) == 92 and np.allclose(obj.colors, 0.6) and any("colours that are not numbers" in n for n in notices)
    with pytest.raises(ReadError, match="no points with finite"):
        read_bytes(ply_points(np.full((20, 3), np.nan, np.float32)), "allnan.ply")


def test_nan_vertices_drop_their_faces():
    m = torus_knot(segments=30, sides=6)
    m.vertices[0] = np.nan
    obj, notices = read_bytes(trimesh_bytes("ply", m), "nan_mesh.ply")
    assert np.isfinite(obj.vertices).all() and len(obj.faces) == len(m.faces) - 6
    assert any("NaN" in n for n in notices)


def test_points_only_ply_opened_as_a_mesh_becomes_a_cloud():
    obj, _ = read_bytes(ply_points(np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32)), "mesh.ply")
    assert isinstance(obj, PointCloud) and len(obj) == 50
    obj, notices = read_bytes(b"v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\n", "points.obj")
    assert isinstance(obj, PointCloud) and len(obj) == 4 and any("no faces" in n for n in notices)


def test_non_manifold_and_multi_body_meshes_open():
    import trimesh

    two = trimesh.util.concatenate([trimesh.creation.box(), trimesh.creation.icosphere().apply_translation([3, 0, 0])])
    # three triangles sharing one edge: not a manifold
    fin = "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 -1 0\nv 0 0 1\nf 1 2 3\nf 1 2 4\nf 1 2 5\n"
    obj, _ = read_bytes(two.export(file_type="stl"), "two.stl")  # binary STL: bytes
    assert isinstance(obj, Mesh) and len(obj.faces) == len(two.faces)
    obj, _ = read_bytes(fin.encode(), "fin.obj")
    assert len(obj.faces) == 3


def test_glb_scene_of_several_nodes_is_merged():
    import trimesh

    scene = trimesh.Scene()
    scene.add_geometry(trimesh.creation.box(), node_name="a")
    scene.add_geometry(trimesh.creation.box(), node_name="b", transform=trimesh.transformations.translation_matrix([5, 0, 0]))
    scene.add_geometry(trimesh.creation.icosphere(), node_name="c")
    obj, notices = read_bytes(scene.export(file_type="glb"), "scene.glb")
    assert isinstance(obj, Mesh) and len(obj.faces) == 12 + 12 + 1280
    assert np.ptp(obj.vertices[:, 0]) == pytest.approx(6.5)  # sphere from -1, moved box to 5.5
    assert any("3 parts" in n for n in notices)


def test_gltf_without_its_bin_file():
    gltf = {"asset": {"version": "2.0"}, "buffers": [{"uri": "missing.bin", "byteLength": 36}],
            "bufferViews": [{"buffer": 0, "byteLength": 36}],
            "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3", "max": [1, 1, 0], "min": [0, 0, 0]}],
            "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}], "nodes": [{"mesh": 0}], "scenes": [{"nodes": [0]}]}
    with pytest.raises(ReadError, match=r"\.bin|glTF"):
        read_bytes(json.dumps(gltf).encode(), "scene.gltf")


def test_wrong_extension_opens_by_content():
    obj, notices = read_bytes(trimesh_bytes("stl"), "actually_stl.ply")
    assert isinstance(obj, Mesh) and any("named .ply but its content is STL" in n for n in notices)
    obj, notices = read_bytes(trimesh_bytes("obj"), "model.glb")
    assert isinstance(obj, Mesh) and any("OBJ" in n for n in notices)


def test_unknown_and_garbage_content():
    with pytest.raises(ReadError, match="Could not tell what kind of file"):
        read_bytes(bytes(range(256)) * 10, "noise.ply")
    with pytest.raises(ReadError, match="Could not tell"):
        read_bytes(b"hello, this is a letter, not a point cloud", "letter.xyz")
    with pytest.raises(ReadError, match="ordinary"):
        from PIL import Image

        buf = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buf, format="PNG")
        read_bytes(buf.getvalue(), "photo.png")
    with pytest.raises(ReadError, match="damaged"):
        read_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "cut.png")
    with pytest.raises(ReadError, match="pickled"):
        buf = io.BytesIO()
        np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
        read_bytes(buf.getvalue(), "obj.npy")
    with pytest.raises(ReadError, match=r"header promises 64 voxels \(4 x 4 x 4\) but its data holds 5\."):
        read_bytes(b"#binvox 1\ndim 4 4 4\ntranslate 0 0 0\nscale 1\ndata\n\x01\x05", "short.binvox")


def test_binary_stl_with_a_lying_count_is_refused():
    header = b"\0" * 80 + struct.pack("<I", 1000)
    with pytest.raises(ReadError):
        read_bytes(header + b"\0" * 100, "lying.stl")


def test_size_limits(monkeypatch):
    monkeypatch.setattr(options, "UPLOAD_BYTES", 1000)
    with pytest.raises(ReadError, match="limit is"):
        read_bytes(b"0 0 0\n" * 500, "big.xyz")
    monkeypatch.setattr(options, "UPLOAD_BYTES", 100 * 2**20)
    monkeypatch.setattr(options, "MAX_POINTS", 100)
    with pytest.raises(ReadError, match="up to 100"):
        read_bytes(b"0 0 0\n" * 500, "many.xyz")
    monkeypatch.setattr(options, "MAX_VOXEL_SIDE", 8)
    with pytest.raises(ReadError, match="up to 8 per side"):
        read_bytes(npy_bytes(np.ones((9, 2, 2), bool)), "big.npy")


def test_missing_upload(tmp_path):
    with pytest.raises(ReadError, match="could not be found"):
        read_file(tmp_path / "gone.ply")
