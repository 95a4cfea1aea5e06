"""The 3-D tab through its HTTP API, as a user's script would call it: samples and uploads open,
conversions chain on the session's object, processing and PointNet work on it, and bad files or
values get a message while the app keeps serving."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError

from tests.api.visitors import visitor
from tests.unit.test_three_d_depth import png_claiming


@pytest.fixture
def client(suite_url):
    return visitor(suite_url)  # a fresh session (its own current object) per test


def open_sample(client, name="Torus knot (mesh)", colour="height"):
    return client.predict(name, colour, api_name="/three_d_open_sample")


def convert(client, key, n_points=5_000, resolution=32, depth=6, seed=0):
    return client.predict("height", n_points, resolution, depth, seed, api_name=f"/three_d_convert_{key}")


def test_open_and_convert_along_a_chain(client):
    plot, model3d, status, history = open_sample(client)
    assert plot is not None and model3d.endswith(".glb") and "mesh: 5,760 vertices" in status
    assert convert(client, "mesh_to_points")[2].startswith("**Mesh → point cloud")
    assert "voxels:" in convert(client, "points_to_voxels")[2]
    _, _, status, history = convert(client, "voxels_to_mesh")
    assert "marching cubes" in status and history.count("\n") == 5  # header, rule, 4 steps


def test_reconstruction_and_processing(client):
    open_sample(client, "Noisy scan with outliers (point cloud)")
    *_, status, _, before_after = client.predict("height", 0.02, 20, 2.0, api_name="/three_d_process_outliers")
    assert "Statistical outlier removal" in status and before_after is not None
    *_, status, _, _ = client.predict("normal", 0.02, 20, 2.0, api_name="/three_d_process_normals")
    assert "Normal estimation" in status
    _, _, status, _ = convert(client, "points_to_mesh_poisson", depth=6)
    assert "Poisson" in status and "faces" in status


def test_classify_the_session_object(client):
    open_sample(client, "Pyramid (mesh, a PointNet class)")
    probabilities, critical, verdict = client.predict(api_name="/three_d_classify")
    assert "PointNet says **pyramid**" in verdict and probabilities is not None and critical is not None


def test_depth_sample_to_points(client):
    open_sample(client, "Ball on a floor (depth map)")
    _, _, status, _ = convert(client, "depth_to_points")
    assert "point cloud: 70,414 points" in status


def test_upload_a_ply_and_a_depth_png(client, tmp_path):
    pts = np.random.default_rng(0).normal(size=(1000, 3)).astype(np.float32)
    ply = tmp_path / "cloud.ply"
    ply.write_bytes(b"ply\nformat binary_little_endian 1.0\nelement vertex 1000\nproperty float x\n"
                    b"property float y\nproperty float z\nend_header\n" + pts.tobytes())
    _, model3d, status, _ = client.predict(handle_file(str(ply)), "height", 0, 0, 0, 0, api_name="/three_d_open_file")
    assert "opened file: cloud.ply" in status and "1,000 points" in status and model3d.endswith(".glb")
    from PIL import Image

    png = tmp_path / "depth.png"
    Image.fromarray(np.full((30, 40), 2000, np.uint16)).save(png)
    _, _, status, _ = client.predict(handle_file(str(png)), "height", 50, 0, 0, 0, api_name="/three_d_open_file")
    assert "depth map" in status and "40 x 30" in status
    _, _, status, _ = convert(client, "depth_to_points")
    assert "1,200 points" in status


def _rgb_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(buf, format="PNG")
    return buf.getvalue()


def _glb() -> bytes:
    import trimesh

    return trimesh.creation.box().export(file_type="glb")


PLY_HEAD = b"ply\nformat ascii 1.0\nelement vertex {n}\nproperty float x\nproperty float y\nproperty float z\nend_header\n"
BAD_FILES = {  # name: (content, the message it must get)
    "empty.ply": (lambda: b"", "The file is empty."),
    "noise.stl": (lambda: bytes(range(256)) * 4, "Could not tell what kind of file 'noise.stl' is from its content."),
    "header.ply": (lambda: PLY_HEAD.replace(b"{n}", b"10"),
                   "This PLY file is damaged: its header promises 10 vertices but the file ends after the header."),
    "photo.png": (_rgb_png, "This PNG is an ordinary RGB picture, not a 16-bit depth map."),
    "random.ply": (lambda: b"ply\n" + np.random.default_rng(0).bytes(500),
                   "This PLY file is damaged: its header has no end_header line"),
    "cut_header.ply": (lambda: PLY_HEAD.replace(b"{n}", b"10")[:40], "This PLY file is damaged: its header has no end_header"),
    "promises_more.ply": (lambda: PLY_HEAD.replace(b"{n}", b"1000") + b"0 0 0\n" * 12,
                          "This PLY file is damaged: its header promises 1,000 vertices but the file ends after 12."),
    "wrong_property.ply": (lambda: PLY_HEAD.replace(b"{n}", b"2").replace(b"property float z\n", b"") + b"0 0\n1 1\n",
                           "This PLY file's vertices have no x, y and z properties."),
    "empty.glb": (lambda: b"", "The file is empty."),
    "random.glb": (lambda: b"glTF" + np.random.default_rng(1).bytes(500),
                   "This is not a GLB file we can read: its header is not a valid glTF header."),
    "cut.glb": (lambda: _glb()[:200], "This GLB file is damaged: its header says it is"),
    "tiny.glb": (lambda: b"glTF\x02\x00", "This GLB file is damaged: it ends after 6 bytes, inside its header."),
    "MODEL.OFF": (lambda: b"OFF\n4 1 0\n0 0 0\n1 0 0\n0 1 0\n",
                  "This OFF file is damaged: its header promises 4 vertices but the file ends after 3."),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_files_get_messages_and_the_app_keeps_serving(client, tmp_path, name):
    content, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(content())
    with pytest.raises(AppError, match=re.escape(message)):
        client.predict(handle_file(str(path)), "height", 0, 0, 0, 0, api_name="/three_d_open_file")
    assert "Torus knot" in open_sample(client)[2]


def test_quirky_files_open_through_the_api(client, tmp_path):
    quirky = tmp_path / "SCAN.PLY"  # upper-case name, comments, blank lines, indentation, CRLF line ends
    quirky.write_bytes(b"ply\r\nformat ascii 1.0\r\ncomment from a scanner\r\n\r\n  element vertex 3\r\n"
                       b"property float x\r\nproperty float y\r\nproperty float z\r\nend_header\r\n"
                       b"0 0 0\r\n1 0 0\r\n0 1 0\r\n")
    _, _, status, _ = client.predict(handle_file(str(quirky)), "height", 0, 0, 0, 0, api_name="/three_d_open_file")
    assert "opened file: SCAN.PLY" in status and "3 points" in status


@pytest.mark.parametrize("call, message", [
    (lambda c: c.predict("No such sample", "height", api_name="/three_d_open_sample"),
     "Unknown sample 'No such sample'; choose one of 'Torus knot (mesh)'"),
    (lambda c: c.predict("Torus knot (mesh)", "rainbow", api_name="/three_d_open_sample"),
     "Unknown colour mode 'rainbow'; choose one of 'height', 'normal', 'own'."),
    (lambda c: convert(c, "mesh_to_points"), "Open a sample or a file first."),  # nothing opened in this session yet
    (lambda c: (open_sample(c), convert(c, "points_to_voxels")),
     "'Point cloud → voxels' needs a point cloud; the current object is a mesh. Try 'Mesh → point cloud' first."),
    (lambda c: (open_sample(c), convert(c, "mesh_to_points", n_points=10**7)),
     "The number of points to sample must be from 100 to 1000000; got 10000000."),
    (lambda c: (open_sample(c), convert(c, "mesh_to_points", seed=-5)), "The seed must be from 0 to 4294967295; got -5."),
    (lambda c: (open_sample(c, "Noisy scan with outliers (point cloud)"), convert(c, "points_to_voxels", resolution=5000)),
     "The voxel resolution must be from 8 to 192; got 5000."),
    (lambda c: (open_sample(c, "Noisy scan with outliers (point cloud)"),
                c.predict("height", 0.02, 20, 1e9, api_name="/three_d_process_outliers")),
     "The standard-deviation ratio must be a number from 0.1 to 10; got 1000000000.0."),
    (lambda c: c.predict(api_name="/three_d_classify"), "Open a sample or a file first."),
])
def test_bad_values_get_a_message(client, call, message):
    with pytest.raises(AppError, match=re.escape(message)):
        call(client)


def test_photo_to_depth_offline_says_so(client, tmp_path):
    photo = tmp_path / "photo.png"
    photo.write_bytes(_rgb_png())
    with pytest.raises(AppError, match="nobody/no-such-depth-model.*Depth maps from files and the samples still work"):
        client.predict(handle_file(str(photo)), "nobody/no-such-depth-model", "height", api_name="/three_d_photo_to_depth")


def _jpeg(cut: int | None = None) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)).save(buf, format="JPEG")
    return buf.getvalue()[:cut]


BAD_PHOTOS = {  # name: (content, the message it must get)
    "garbage.png": (lambda: np.random.default_rng(2).bytes(2000),
                    "The file is not an image that can be opened (PNG, JPEG, WebP, BMP, GIF, TIFF...)."),
    "empty.jpg": (lambda: b"", "The photo file is empty (0 bytes)."),
    "cut.jpg": (lambda: _jpeg(1600), "The photo is damaged or cut short: it starts as a JPEG file of 64 x 48 pixels, "
                                     "but its pixels cannot be decoded."),
    "too_big.png": (lambda: png_claiming(5000, 5000),
                    "The photo is 5,000 x 5,000 pixels (25,000,000); the limit is 16,777,216 pixels."),
    "bomb.png": (lambda: png_claiming(100_000, 100_000), "The photo claims more than"),
    "notes.txt": (lambda: b"not a photo", "The file is not an image that can be opened (PNG, JPEG, WebP, BMP, GIF, TIFF...)."),
}


@pytest.mark.parametrize("name", list(BAD_PHOTOS))
def test_bad_photos_get_messages_and_the_app_keeps_serving(client, tmp_path, tiny_depth_model, name):
    content, message = BAD_PHOTOS[name]
    path = tmp_path / name
    path.write_bytes(content())
    with pytest.raises(AppError, match=re.escape(message)):
        client.predict(handle_file(str(path)), tiny_depth_model, "height", api_name="/three_d_photo_to_depth")
    good = tmp_path / "good.jpg"
    good.write_bytes(_jpeg())
    _, _, status, _ = client.predict(handle_file(str(good)), tiny_depth_model, "height",
                                     api_name="/three_d_photo_to_depth")
    assert "depth from a photo" in status and "64 x 48" in status
